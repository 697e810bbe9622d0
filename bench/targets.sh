#!/usr/bin/env bash
# Suggested-targets recomputation (issue 8, Performance): one challenge of a
# São Paulo cycle with two state targets, infant mortality (a rate from
# numerator and denominator, lower is better, gap closure 0.5) and an IDEB-like
# score (0 to 10, higher is better, relative improvement 5% with a minimum of
# 1%), over the 645 SP municipalities of the real IBGE list with synthetic
# values for 2019-2023 (about 5% of municipality-years missing, so some
# municipalities fall back to an older year or have no baseline). The health
# secretariat sets both targets through the API, then POST
# .../suggested-targets/compute runs PACTO_BENCH_RUNS times (default 50), one
# after the other, each a whole recomputation (1,290 suggestions) in one
# transaction. Prints p50, p99 and the mean of the request times (curl's
# time_total) and checks the last answer's counts. The indicators, the
# challenge and its values are other parts' endpoints: seeded with SQL.
# usage: bench/targets.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
runs=${PACTO_BENCH_RUNS:-50}
bench_start "${1:-build}" 55488
api=http://127.0.0.1:18488
password=bench-password-2026

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PACTO_DATABASE_URL" "$@"; }

read -r challenge tmi ideb < <(psql_db -F ' ' <<'SQL'
WITH cy AS (
  INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at, pact_opens_at,
                      pact_closes_at, target_year, commitments)
  VALUES ('Parcerias Municipais (bench)', 35, now() - interval '7 days', now() + interval '1 day',
          now() + interval '2 days', now() + interval '60 days', 2028, '["Pactuar metas"]')
  RETURNING id),
tmi AS (
  INSERT INTO indicators (code, name, unit, polarity, source, periodicity, decimals, min_value,
                          area, scale)
  VALUES ('TMI', 'Mortalidade infantil', 'per 1,000 live births', 'lower_is_better',
          'DATASUS – SIM/SINASC', 'annual', 1, 0, 'health', 1000) RETURNING id),
ideb AS (
  INSERT INTO indicators (code, name, unit, polarity, source, periodicity, decimals, min_value,
                          max_value, area)
  VALUES ('IDEB', 'IDEB anos iniciais', 'score 0–10', 'higher_is_better', 'INEP – IDEB',
          'annual', 1, 0, 10, 'health') RETURNING id),
ch AS (
  INSERT INTO challenges (cycle_id, code, title, area, responsible_area)
  SELECT cy.id, 'SAU-01', 'Saúde e educação na primeira infância', 'health', 'health' FROM cy
  RETURNING id),
ci AS (
  INSERT INTO challenge_indicators (challenge_id, indicator_id, role)
  SELECT ch.id, tmi.id, 'main' FROM ch, tmi UNION ALL SELECT ch.id, ideb.id, 'main' FROM ch, ideb
  RETURNING 1)
SELECT ch.id, tmi.id, ideb.id FROM ch, tmi, ideb, (SELECT count(*) FROM ci) n;
SQL
)
psql_db -v tmi="$tmi" -v ideb="$ideb" <<'SQL'
SELECT setseed(0.42);
INSERT INTO indicator_values (indicator_id, municipality_id, period, value, numerator, denominator)
SELECT :tmi, m.ibge_code, y::text, round((d / b * 1000)::numeric, 4), d, b
  FROM municipalities m, generate_series(2019, 2023) y,
       LATERAL (SELECT 50 + floor(random() * 5000) AS b) births,
       LATERAL (SELECT floor(births.b * (0.004 + random() * 0.02)) AS d) deaths
 WHERE m.state_code = 35 AND random() > 0.05;
INSERT INTO indicator_values (indicator_id, municipality_id, period, value)
SELECT :ideb, m.ibge_code, y::text, round((3.5 + random() * 4)::numeric, 1)
  FROM municipalities m, generate_series(2019, 2023) y
 WHERE m.state_code = 35 AND random() > 0.05;
SQL
echo "$password" | "$build/pacto" user add --email health@bench.pacto --name Saúde \
  --role secretariat --area health >/dev/null

bench_serve "${api#http://}"
token=$(bench_login "$api" health@bench.pacto "$password")
post() {
  curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    ${2:+-d "$2"} -X POST "$api$1"
}
post "/v1/challenges/$challenge/targets" \
  "{\"indicator_id\":$tmi,\"target_value\":10,\"rule\":\"gap_closure\",\"rule_value\":0.5}" \
  >/dev/null
post "/v1/challenges/$challenge/targets" \
  "{\"indicator_id\":$ideb,\"target_value\":6.5,\"rule\":\"relative_improvement\",
    \"rule_value\":5,\"min_improvement\":1}" >/dev/null

for _ in $(seq "$runs"); do
  curl -fsS -o "$work/compute.json" -w '%{time_total}\n' -X POST \
    -H "Authorization: Bearer $token" "$api/v1/challenges/$challenge/suggested-targets/compute"
done > "$work/times"
if ! grep -q '"municipalities":645' "$work/compute.json"; then
  echo "bench: unexpected answer: $(cat "$work/compute.json")"
  exit 1
fi
rows=$(psql_db -c "SELECT count(*) FROM suggested_targets")
events=$(psql_db -c "SELECT count(*) FROM audit_events WHERE action = 'compute_suggested_targets'")
sort -n "$work/times" | awk -v runs="$runs" -v rows="$rows" -v events="$events" '
  { t[NR] = $1 * 1000; sum += $1 * 1000 }
  END {
    p50 = t[int((NR + 1) / 2)]; i99 = int(NR * 0.99 + 0.999); if (i99 > NR) i99 = NR
    printf "suggested-targets recomputation, 645 SP municipalities x 2 targets (%d rows):\n", rows
    printf "  %d runs: p50 %.1f ms, p99 %.1f ms, mean %.1f ms (%d audit events)\n",
           runs, p50, t[i99], sum / NR, events
  }'
echo "  last answer: $(head -c 300 "$work/compute.json")..."
