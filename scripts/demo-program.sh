#!/usr/bin/env bash
# Loads the demo program through the running API at URL, as the state's
# secretariats would: a São Paulo cycle with its adhesion window open, three
# challenges (education: IDEB; health: infant mortality; security: homicides),
# their indicators, the real values of data/indicators/ (INEP's IDEB, DATASUS's
# infant deaths and live births, IBGE's 2022 census population), loaded as
# published, a focalization run per challenge and the state and suggested
# targets, and a portfolio of initiatives and incentives for the health and
# education challenges. The homicide figures are generated (the project has no real file
# for them), and the output says so. Safe to run again: what exists is kept.
#   scripts/demo-program.sh URL   (after scripts/demo-data.sh, with the server up)
set -euo pipefail

url=${1:?usage: $0 URL}
root=$(cd "$(dirname "$0")/.." && pwd)
data=$root/data/indicators
password='pacto-demo-2026'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# api METHOD PATH TOKEN [curl args...]: the body on stdout; fails loudly on
# an answer other than 2xx.
api() {
  local method=$1 path=$2 token=$3 status
  shift 3
  status=$(curl -sS -o "$tmp/body" -w '%{http_code}' -X "$method" "$url$path" \
    -H "Authorization: Bearer $token" "$@")
  if [[ $status != 2* ]]; then
    echo "demo-program: $method $path: $status $(cat "$tmp/body")" >&2
    return 1
  fi
  cat "$tmp/body"
}

login() {
  curl -fsS --json "{\"email\":\"$1\",\"password\":\"$password\"}" "$url/v1/auth/token" |
    jq -r .access_token
}

for _ in $(seq 100); do curl -fs "$url/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
coord=$(login coordenacao@demo.pacto)
health=$(login saude@demo.pacto)
education=$(login educacao@demo.pacto)

# The cycle: São Paulo, adhesion open since yesterday for 30 days, pacts a
# month later, targets for 2027.
cycle=$(curl -fsS "$url/v1/cycles?state=SP" | jq -r '.items[] | select(.name == "Parcerias Municipais 2025–2027") | .id' | head -1)
if [ -z "$cycle" ]; then
  at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
  cycle=$(api POST /v1/cycles "$coord" --json "$(jq -n \
    --arg a "$(at '-1 day')" --arg b "$(at '+30 days')" --arg c "$(at '+60 days')" \
    --arg d "$(at '+90 days')" \
    '{name: "Parcerias Municipais 2025–2027", state: "SP", adhesion_opens_at: $a,
      adhesion_closes_at: $b, pact_opens_at: $c, pact_closes_at: $d, target_year: 2027}')" |
    jq -r .id)
  echo "demo-program: created cycle $cycle (SP)"
fi

# indicator TOKEN CODE JSON: the id of the indicator CODE, created when missing.
indicator() {
  local id
  id=$(curl -fsS "$url/v1/indicators?limit=100" | jq -r --arg c "$2" '.items[] | select(.code == $c) | .id')
  [ -n "$id" ] || id=$(api POST /v1/indicators "$1" --json "$3" | jq -r .id)
  echo "$id"
}

pop=$(indicator "$coord" POP '{"code":"POP","name":"População residente","unit":"inhabitants",
  "polarity":"higher_is_better","source":"IBGE – Censo 2022","periodicity":"annual",
  "decimals":0,"min_value":0,"area":"coordination","is_population":true}')
ideb=$(indicator "$education" IDEB-AI '{"code":"IDEB-AI","name":"IDEB – anos iniciais, rede pública",
  "unit":"score 0–10","polarity":"higher_is_better","source":"INEP – IDEB","periodicity":"biennial",
  "first_period":"2005","decimals":1,"min_value":0,"max_value":10,"area":"education",
  "publication_lag_months":9}')
mort=$(indicator "$health" MORT-INF '{"code":"MORT-INF","name":"Taxa de mortalidade infantil",
  "unit":"per 1,000 live births","polarity":"lower_is_better","source":"DATASUS – SIM/SINASC",
  "periodicity":"annual","first_period":"2000","decimals":1,"min_value":0,"scale":1000,
  "formula":"óbitos de menores de 1 ano ÷ nascidos vivos × 1.000","area":"health",
  "publication_lag_months":18}')
hom=$(indicator "$coord" HOM '{"code":"HOM","name":"Taxa de homicídios (dados gerados)",
  "unit":"per 100,000 inhabitants","polarity":"lower_is_better","source":"Demo – generated",
  "periodicity":"annual","first_period":"2015","decimals":1,"min_value":0,"scale":100000,
  "formula":"homicídios ÷ população × 100.000","area":"security"}')

# load WHAT TOKEN INDICATOR FILE QUERY: a CSV import, as published; says
# what it counted.
load() {
  local counts
  counts=$(api POST "/v1/indicators/$3/values?$5" "$2" -H 'Content-Type: text/csv' \
    --data-binary "@$4" | jq -c '{rows, inserted, updated, unchanged, ignored}')
  echo "demo-program: $1: $counts"
}
gzip -dc "$data/ibge-populacao-censo-2022.csv.gz" >"$tmp/pop.csv"
gzip -dc "$data/inep-ideb-anos-iniciais-publica.csv.gz" >"$tmp/ideb.csv"
gzip -dc "$data/datasus-sinasc-nascidos-vivos.csv.gz" >"$tmp/births.csv"
gzip -dc "$data/datasus-sim-obitos-infantis.csv.gz" >"$tmp/deaths.csv"
gzip -dc "$data/ibge-populacao-estimativas-2001-2021.csv.gz" >"$tmp/estimates.csv"
load "population (IBGE census 2022)" "$coord" "$pop" "$tmp/pop.csv" \
  'delimiter=%3B&municipality_column=code_muni&period=2022&value_column=2022'
load "IDEB (INEP, observed only)" "$education" "$ideb" "$tmp/ideb.csv" \
  'municipality_column=county_id&period_column=ideb_publication_year&value_column=ideb_score&keep_column=ideb_score_status&keep_value=Observado'
load "live births (DATASUS SINASC)" "$health" "$mort" "$tmp/births.csv" \
  'municipality_column=mun_code&period_column=year&denominator_column=births&unknown_municipalities=ignore'
load "infant deaths (DATASUS SIM)" "$health" "$mort" "$tmp/deaths.csv" \
  'municipality_column=mun_code&period_column=year&numerator_column=im&unknown_municipalities=ignore&missing=zero'
# Homicides: generated from the IBGE population estimates, 2015-2021: a
# rate of 0-45 per 100,000 per municipality, spread by a hash of its code,
# varying ±20% from year to year.
awk -F';' '{ sub(/\r$/, "") } NR == 1 { for (i = 2; i <= NF; i++) year[i] = $i; print "ibge_code,period,numerator,denominator"; next }
  { base = ($1 % 9973) * 7919 % 9973 / 9973 * 45; srand($1)
    for (i = 2; i <= NF; i++) if (year[i] >= 2015 && $i ~ /^[0-9]+$/) {
      n = int($i * base * (0.8 + 0.4 * rand()) / 100000 + 0.5); print $1 "," year[i] "," n "," $i } }' \
  "$tmp/estimates.csv" >"$tmp/hom.csv"
load "homicides (GENERATED, not real data)" "$coord" "$hom" "$tmp/hom.csv" \
  'numerator_column=numerator&denominator_column=denominator'

# challenge TOKEN CODE JSON INDICATOR RULE: the challenge CODE of the cycle,
# created with its main indicator and focalization rule when missing.
challenge() {
  local id
  id=$(curl -fsS "$url/v1/cycles/$cycle/challenges?limit=100" | jq -r --arg c "$2" '.items[] | select(.code == $c) | .id')
  if [ -z "$id" ]; then
    id=$(api POST "/v1/cycles/$cycle/challenges" "$1" --json "$3" | jq -r .id)
    api POST "/v1/challenges/$id/indicators" "$1" --json "$5" >/dev/null
  fi
  echo "$id"
}
edu=$(challenge "$education" EDU-01 '{"code":"EDU-01","title":"Aprendizagem nos anos iniciais",
  "description":"Elevar o IDEB dos anos iniciais nas redes públicas municipais.","area":"education",
  "responsible_area":"education"}' "$ideb" \
  "{\"indicator_id\":$ideb,\"role\":\"main\",\"focal_rule\":\"worst_percent\",\"focal_value\":20}")
sau=$(challenge "$health" SAU-01 '{"code":"SAU-01","title":"Redução da mortalidade infantil",
  "description":"Reduzir os óbitos de menores de um ano.","area":"health","responsible_area":"health"}' \
  "$mort" "{\"indicator_id\":$mort,\"role\":\"main\",\"focal_rule\":\"worst_percent\",\"focal_value\":15,\"focal_min_denominator\":100}")
seg=$(challenge "$coord" SEG-01 '{"code":"SEG-01","title":"Redução dos homicídios",
  "description":"Reduzir a violência letal (indicador de demonstração com dados gerados).",
  "area":"security","responsible_area":"security"}' "$hom" \
  "{\"indicator_id\":$hom,\"role\":\"main\",\"focal_rule\":\"threshold\",\"focal_value\":30}")

# focalize TOKEN CHALLENGE INDICATOR TARGET RULE VALUE: a run when the
# challenge has none that found focal municipalities, a state target when it
# has none, then the suggestions.
focalize() {
  local focal
  focal=$(curl -fsS "$url/v1/challenges/$2/focalization/runs" |
    jq '[.items[] | select(.current)][0].focal_count // 0')
  [ "$focal" != 0 ] || api POST "/v1/challenges/$2/focalization/runs" "$1" >/dev/null
  if ! curl -fsS "$url/v1/challenges/$2/targets/$3" >/dev/null 2>&1; then
    api POST "/v1/challenges/$2/targets" "$1" --json \
      "{\"indicator_id\":$3,\"target_value\":$4,\"rule\":\"$5\",\"rule_value\":$6}" >/dev/null
  fi
  api POST "/v1/challenges/$2/suggested-targets/compute" "$1" >/dev/null
  focal=$(curl -fsS -H 'Accept: text/csv' "$url/v1/challenges/$2/focal-municipalities" | tail -n +2 | wc -l)
  echo "demo-program: challenge $2: $focal focal municipalities, suggested targets computed"
}
focalize "$education" "$edu" "$ideb" 7.0 gap_closure 0.5
focalize "$health" "$sau" "$mort" 9.0 gap_closure 0.5
focalize "$coord" "$seg" "$hom" 15.0 relative_improvement 20

# portfolio TOKEN CHALLENGE INITIATIVES INCENTIVES: the challenge's
# portfolio (JSON arrays of create bodies), when it has none yet.
portfolio() {
  local n body
  n=$(curl -fsS -H "Authorization: Bearer $1" "$url/v1/challenges/$2/initiatives" | jq '.items | length')
  [ "$n" = 0 ] || return 0
  jq -c '.[]' <<<"$3" | while read -r body; do
    api POST "/v1/challenges/$2/initiatives" "$1" --json "$body" >/dev/null
  done
  jq -c '.[]' <<<"$4" | while read -r body; do
    api POST "/v1/challenges/$2/incentives" "$1" --json "$body" >/dev/null
  done
  echo "demo-program: challenge $2: portfolio of $(jq length <<<"$3") initiatives, $(jq length <<<"$4") incentives"
}
portfolio "$health" "$sau" '[
  {"title":"Pré-natal de qualidade","type":"program","published":true,
   "description":"Captação precoce das gestantes e ao menos sete consultas de pré-natal.",
   "deliveries":[{"title":"Gestantes cadastradas no primeiro trimestre","evidence_expected":"Relatório do e-SUS APS"},
                 {"title":"Consultas de pré-natal realizadas","evidence_expected":"Relatório do e-SUS APS"}]},
  {"title":"Qualificação das equipes de atenção primária","type":"training","published":true,
   "deliveries":[{"title":"Profissionais capacitados","evidence_expected":"Lista de presença"}]},
  {"title":"Vigilância do óbito infantil","type":"technical_assistance","published":false,
   "deliveries":[{"title":"Comitê municipal instalado","evidence_expected":"Portaria de nomeação"}]}]' '[
  {"title":"Repasse fundo a fundo","type":"financial","amount_cents":50000000,
   "source":"Fundo Estadual de Saúde"},
  {"title":"Prioridade no programa estadual de UTI neonatal","type":"program_priority"}]'
portfolio "$education" "$edu" '[
  {"title":"Alfabetização na idade certa","type":"program","published":true,
   "deliveries":[{"title":"Avaliação diagnóstica aplicada","evidence_expected":"Relatório da avaliação"}]},
  {"title":"Formação de professores alfabetizadores","type":"training","published":true,
   "deliveries":[{"title":"Professores formados","evidence_expected":"Certificados"}]}]' '[
  {"title":"Material didático estruturado","type":"other"},
  {"title":"Formação continuada pela secretaria estadual","type":"training"}]'

# Open government, when the cycle has no consultation yet: a consultation on
# the cycle with two citizens' comments (one published and answered), the
# shared-management forum, a public question answered by the health
# secretariat, and a training course of the health area.
n=$(curl -fsS "$url/v1/consultations?cycle_id=$cycle" | jq '.items | length')
if [ "$n" = 0 ]; then
  at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
  cons=$(api POST /v1/consultations "$coord" --json "$(jq -n --argjson c "$cycle" \
    --arg a "$(at '-1 hour')" --arg b "$(at '+30 days')" \
    '{subject_type: "cycle", subject_id: $c, title: "Desafios do ciclo 2025–2027",
      description: "Quais desafios o Estado e os municípios devem priorizar?",
      opens_at: $a, closes_at: $b}')" | jq .id)
  k=$(curl -fsS "$url/v1/consultations/$cons/comments" --json '{"author_name":"Cidadã de Campinas",
    "municipality_id":"3509502","text":"A fila de creche deveria ser um desafio da educação."}' | jq .id)
  curl -fsS "$url/v1/consultations/$cons/comments" -o /dev/null --json '{"author_name":"Morador",
    "text":"Mais transparência sobre os repasses fundo a fundo."}'
  api POST "/v1/comments/$k/publish" "$coord" >/dev/null
  api PUT "/v1/comments/$k/answer" "$coord" \
    --json '{"text":"Obrigado: a educação infantil entra na revisão do desafio EDU-01."}' >/dev/null
  for m in '"Helena Ramos","organization":"Secretaria de Desenvolvimento Regional","sector":"government"' \
           '"Paulo Nunes","organization":"Observatório Social de São Paulo","sector":"civil_society"' \
           '"Marta Lima","organization":"Universidade Estadual","sector":"academia"'; do
    api POST "/v1/cycles/$cycle/forum-members" "$coord" --json "{\"name\":$m,
      \"mandate_starts_on\":\"$(date -u +%F)\",\"mandate_ends_on\":\"2027-12-31\"}" >/dev/null
  done
  q=$(curl -fsS "$url/v1/questions" --json "{\"subject_type\":\"challenge\",\"subject_id\":$sau,
    \"asker_name\":\"Jornalista\",\"text\":\"Quantos municípios são focais no desafio de mortalidade infantil?\"}" | jq .id)
  api POST "/v1/questions/$q/answer" "$health" --json \
    "{\"text\":\"Estão em $url/v1/challenges/$sau/focal-municipalities (dados abertos).\"}" >/dev/null
  api POST "/v1/cycles/$cycle/courses" "$health" --json "{\"title\":\"Vigilância do óbito infantil\",
    \"area\":\"health\",\"starts_on\":\"$(date -u -d '+7 days' +%F)\",
    \"ends_on\":\"$(date -u -d '+9 days' +%F)\",\"hours\":16}" >/dev/null
  echo "demo-program: open government: consultation $cons (2 comments), forum of 3, question $q answered, a course"
fi

cat <<DONE

Demo program: cycle $cycle (São Paulo), challenges EDU-01 ($edu), SAU-01 ($sau), SEG-01 ($seg).
The homicide indicator (HOM) holds GENERATED values, not real data.
  curl -fsS '$url/v1/challenges/$sau/focal-municipalities'
  curl -fsS '$url/v1/challenges/$sau/suggested-targets' -H 'Accept: text/csv'
  curl -fsS '$url/v1/challenges/$sau/initiatives'
  curl -fsS '$url/v1/consultations?cycle_id=$cycle'
DONE
