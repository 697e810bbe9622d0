#!/usr/bin/env bash
# Good practices (Performance): the public search over 10,000 published
# practices of São Paulo's municipalities (seed 004: its second cycle
# registered 723 practices from 224 municipalities; this is fourteen times
# as many), their Portuguese text made from the seeds' vocabulary, with
# accents, by SQL:
#   (n) GET /v1/practices?q=... anonymously under wrk, a Lua script cycling
#       through searches with and without accents, a phrase, an exclusion
#       and a word no practice has: p50, p99 and req/s, 0 errors;
#   (o) the same with a filter (sdg and population band) beside q;
#   (p) the list without q (by id), one page of 50;
#   (q) the ceiling of (n): pgbench running the same search SQL the server
#       runs (practice_search ranked, the page's JSON), the searches at random.
# Written to the "Good practices" section of bench/RESULTS.md.
#   bench/practices.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
duration=${PACTO_BENCH_SECONDS:-10}
connections=${PACTO_BENCH_CONNECTIONS:-32}
practices=${PACTO_BENCH_PRACTICES:-10000}
bench_start "${1:-build}" 55533
api=http://127.0.0.1:18133
password=bench-password-2026

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PACTO_DATABASE_URL" "$@"; }
echo "$password" | "$build/pacto" user add --email coord@bench.pacto --name Coordenação \
  --role secretariat --area coordination >/dev/null
bench_serve "${api#http://}"
coord=$(bench_login "$api" coord@bench.pacto "$password")
post() { # post TOKEN PATH BODY: prints the answer, fails on an error status
  curl -fsS -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -d "$3" "$api$2"
}
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
cycle=$(post "$coord" /v1/cycles "{\"name\":\"Parcerias Municipais (bench)\",\"state\":\"SP\",
  \"adhesion_opens_at\":\"$(at '-7 days')\",\"adhesion_closes_at\":\"$(at '+7 days')\",
  \"pact_opens_at\":\"$(at '+30 days')\",\"pact_closes_at\":\"$(at '+60 days')\",
  \"target_year\":2028}" | jq -r .id)
for c in "SAU-01|Reduzir a mortalidade infantil|health|health" \
  "EDU-01|Alfabetizar na idade certa|education|education" \
  "SEG-01|Reduzir a violência urbana|security|security" \
  "ECO-01|Gerar emprego e renda|economy|economy"; do
  IFS='|' read -r code title area responsible <<<"$c"
  post "$coord" "/v1/cycles/$cycle/challenges" "{\"code\":\"$code\",\"title\":\"$title\",
    \"area\":\"$area\",\"responsible_area\":\"$responsible\"}" >/dev/null
done

# 10,000 published practices by 224 of São Paulo's municipalities, each a
# title, summary, problem and results drawn from phrases of the seeds'
# vocabulary (health, education, security, economy, open government), a
# population for each municipality, as the practices' routes and the
# values import store them.
psql_db -v n="$practices" -v cycle="$cycle" <<'SQL'
SELECT setseed(0.11);
INSERT INTO indicators (code, name, unit, polarity, source, periodicity, area, decimals,
                        is_population)
VALUES ('POP', 'População', 'habitantes', 'higher_is_better', 'IBGE', 'annual',
        'coordination', 0, true);
CREATE TEMP TABLE towns AS
SELECT ibge_code, row_number() OVER (ORDER BY ibge_code) AS i
  FROM municipalities WHERE state_code = 35 ORDER BY ibge_code LIMIT 224;
INSERT INTO indicator_values (indicator_id, municipality_id, period, value)
SELECT (SELECT id FROM indicators WHERE is_population), t.ibge_code, '2022',
       (ARRAY[3200, 8700, 15400, 38000, 72000, 240000, 1100000])[1 + t.i % 7]
  FROM towns t;
CREATE TEMP TABLE words (kind text, n int, w text);
INSERT INTO words
SELECT 'subject', row_number() OVER (), w FROM unnest(ARRAY[
  'Busca ativa de gestantes', 'Vacinação nas escolas', 'Saúde da família no território',
  'Pré-natal no primeiro trimestre', 'Merenda escolar com agricultura familiar',
  'Reforço de alfabetização', 'Combate à evasão escolar', 'Ronda escolar comunitária',
  'Iluminação pública e segurança', 'Guarda municipal cidadã', 'Banco do povo',
  'Sala do empreendedor', 'Turismo de negócios em tecnologia', 'Orçamento participativo',
  'Ouvidoria e transparência ativa', 'Governo aberto e dados abertos',
  'Consórcio intermunicipal de saúde', 'Telemedicina na atenção básica',
  'Coleta seletiva com cooperativas', 'Qualificação profissional de jovens',
  'Cooperação técnica entre municípios', 'Inovação na gestão pública',
  'Regularização fundiária', 'Atendimento ao cidadão em um só lugar']) w;
INSERT INTO words
SELECT 'how', row_number() OVER (), w FROM unnest(ARRAY[
  'agentes comunitários visitam as famílias mês a mês',
  'a secretaria cruza os cadastros do SUS e da assistência social',
  'as escolas recebem equipes de saúde duas vezes por ano',
  'um comitê gestor com a sociedade civil acompanha as metas',
  'o consórcio compra em conjunto e reduz o preço unitário',
  'a prefeitura publica os dados em formato aberto toda semana',
  'professores fazem avaliação diagnóstica e reforço no contraturno',
  'a guarda municipal atua com a comunidade e os conselhos de segurança',
  'microcrédito orientado com juros baixos para pequenos negócios',
  'parcerias com universidades e o Sebrae para capacitação']) w;
INSERT INTO words
SELECT 'result', row_number() OVER (), w FROM unnest(ARRAY[
  'a mortalidade infantil caiu de 14,2 para 9,8 por mil nascidos vivos',
  'a cobertura vacinal passou de 78% para 95%',
  'a evasão no ensino fundamental caiu pela metade',
  'os homicídios diminuíram 30% em dois anos',
  '1.200 empregos formais foram criados',
  'o tempo de espera por consulta caiu de 60 para 15 dias',
  'a proficiência em leitura subiu 20 pontos no SAEB',
  'as reclamações na ouvidoria foram respondidas em até dez dias']) w;
INSERT INTO practices (municipality_id, challenge_id, title, summary, problem, results,
                       sdg_goals, cost_range, contact_role, status, submitted_at,
                       published_at, created_by)
SELECT t.ibge_code, c.id,
       s.w || ' em ' || m.name,
       s.w || ': ' || h.w || '.',
       'Antes do programa, ' || lower(r2.w) || ' era um objetivo distante; '
           || 'faltavam dados e coordenação entre as secretarias.',
       'Em três anos, ' || r.w || '; ' || h2.w || '.',
       ARRAY[1 + (g % 17), 1 + ((g * 7) % 17)]::smallint[],
       (ARRAY['none', 'up_to_50k', '50k_to_500k', 'over_500k'])[1 + g % 4],
       (ARRAY['Secretaria Municipal de Saúde', 'Secretaria Municipal de Educação',
              'Secretaria de Segurança Cidadã', 'Sala do Empreendedor',
              'Controladoria e Ouvidoria'])[1 + g % 5],
       'published', now(), now(), (SELECT min(id) FROM users)
  FROM generate_series(1, :n) g
  JOIN towns t ON t.i = 1 + g % 224
  JOIN municipalities m ON m.ibge_code = t.ibge_code
  JOIN LATERAL (SELECT id FROM challenges WHERE cycle_id = :cycle
                 ORDER BY id OFFSET g % 4 LIMIT 1) c ON true
  JOIN words s ON s.kind = 'subject' AND s.n = 1 + (g * 13) % 24
  JOIN words h ON h.kind = 'how' AND h.n = 1 + (g * 7) % 10
  JOIN words h2 ON h2.kind = 'how' AND h2.n = 1 + (g * 3) % 10
  JOIN words r ON r.kind = 'result' AND r.n = 1 + (g * 5) % 8
  JOIN words r2 ON r2.kind = 'subject' AND r2.n = 1 + (g * 11) % 24;
-- Two goals are the same for some g: keep them distinct.
UPDATE practices SET sdg_goals = ARRAY(SELECT DISTINCT x FROM unnest(sdg_goals) x ORDER BY x);
VACUUM ANALYZE practices, indicator_values;
SQL
count=$(psql_db -c "SELECT count(*) FROM practices WHERE status = 'published'")

# The searches: with and without accents, a phrase, an exclusion, a word no
# practice has. URL-encoded for wrk, plain for pgbench.
searches=('saúde' 'saude da familia' 'vacinação' 'evasao escolar' '"busca ativa"'
  'merenda -orgânica' 'empreendedor microcrédito' 'ouvidoria transparência' 'xilofone')
urlencode() { jq -rn --arg s "$1" '$s | @uri'; }
{
  echo 'local paths = {'
  for s in "${searches[@]}"; do echo "  \"/v1/practices?q=$(urlencode "$s")\","; done
  echo '}'
  cat <<'LUA'
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i] .. (os.getenv("PACTO_BENCH_SUFFIX") or ""))
end
LUA
} > "$work/search.lua"
matches=()
for s in "${searches[@]}"; do
  matches+=("$(psql_db -c "SELECT count(*)
    FROM practice_search(NULL, \$\$$s\$\$, NULL, NULL, NULL, NULL, NULL, NULL)")")
done

# run_wrk [wrk args...] URL: prints "req/s p50_ms p99_ms non2xx"
run_wrk() {
  wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" | awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
      return v
    }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /Requests\/sec/ { rps = $2 } /Non-2xx/ { errors = $NF }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, errors + 0 }'
}
curl -fsS "$api/v1/practices?q=saude" >/dev/null # the first connection's statements
read -r n_rps n_p50 n_p99 n_err < <(run_wrk -s "$work/search.lua" "$api")
read -r o_rps o_p50 o_p99 o_err < <(PACTO_BENCH_SUFFIX='&sdg=3&population_band=7' \
  run_wrk -s "$work/search.lua" "$api")
read -r p_rps p_p50 p_p99 p_err < <(run_wrk "$api/v1/practices")

# (q) the ceiling: the search statement of lib/practices/search.c
# (practices_search), anonymous, a search drawn at random; pgbench -M
# prepared binds :k as a parameter, as the server binds q.
{
  printf '\\set k random(1, %d)\n' "${#searches[@]}"
  printf "WITH page AS (SELECT x.id, x.rank, x.rank::text || ':' || x.id AS k\n"
  printf "  FROM practice_search(NULL, (ARRAY["
  sep=
  for s in "${searches[@]}"; do printf "%s\$\$%s\$\$" "$sep" "$s"; sep=', '; done
  printf "])[:k], NULL, NULL, NULL, NULL, NULL, NULL) x\n"
  printf " ORDER BY x.rank DESC, x.id LIMIT 51)\n"
  printf "SELECT page.k, s.j FROM page JOIN practice_summaries s ON s.id = page.id\n"
  printf " ORDER BY page.rank DESC, page.id;\n"
} > "$work/search.sql"
q_tps=$(pgbench -n -M prepared -c "$connections" -j 2 -T "$duration" -f "$work/search.sql" \
  "$PACTO_DATABASE_URL" 2>/dev/null | awk '/^tps/ { printf "%.0f", $3 }')
q_lat=$(pgbench -n -M prepared -c 1 -j 1 -T "$duration" -f "$work/search.sql" \
  "$PACTO_DATABASE_URL" 2>/dev/null | awk '/latency average/ { printf "%.2f", $4 }')

{
  echo "## Good practices"
  echo
  echo "Written by \`bench/practices.sh\` ($(date -u +%Y-%m-%dT%H:%M:%SZ)); $(nproc) cores, server and"
  echo "PostgreSQL 15 on the same machine, build: $build."
  echo
  echo "| scenario | p50 ms | p99 ms | req/s | non-2xx |"
  echo "|---|---:|---:|---:|---:|"
  echo "| (n) search of $count published practices, ${#searches[@]} searches in turn | $n_p50 | $n_p99 | $n_rps | $n_err |"
  echo "| (o) the same with \`sdg=3&population_band=7\` | $o_p50 | $o_p99 | $o_rps | $o_err |"
  echo "| (p) the list without \`q\`, one page of 50 | $p_p50 | $p_p99 | $p_rps | $p_err |"
  echo "| (q) pgbench: (n)'s search SQL, page of 50 with its JSON (tps; one client: $q_lat ms) | | | $q_tps | |"
  echo
  echo "- The searches and how many practices each matches (all ranked, a page of 50 answered):"
  for i in "${!searches[@]}"; do echo "  \`${searches[$i]}\` ${matches[$i]};"; done | sed '$ s/;$/./'
  echo "- (n)-(p) are wrk -t2 -c$connections -d${duration}s, anonymous; (q) is \`pgbench -n -M"
  echo "  prepared -c $connections -j 2 -T $duration\` with the statement in this script."
} > "$work/section.md"
bench_section "Good practices" "$work/section.md"
sed -n '/^## Good practices/,/^## [^G]/p' bench/RESULTS.md
