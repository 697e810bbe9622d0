#!/usr/bin/env bash
# The program's data (Performance), on the demo program that
# `make run` loads (scripts/demo-program.sh: the real IDEB, DATASUS and IBGE
# files through the API):
#   (f) a focalization run of the infant-mortality challenge over São Paulo's
#       645 municipalities, and (g) a recomputation of its suggested targets:
#       p50 and p99 of PACTO_BENCH_RUNS (default 50) requests, one at a time;
#   (h) the public values of one indicator for SP (645 rows): a JSON page of
#       500 (the largest page) and the whole list as CSV, req/s with wrk,
#       beside (i) pgbench running the plain SELECT of the 645 rows, the
#       ceiling;
#   (j) the public indicators catalogue, a page, req/s with wrk, beside (k)
#       pgbench building the same JSON of every indicator (its latest period
#       and whether it has values read from 200,000 values).
# Written to the "Program data" section of bench/RESULTS.md.
#   bench/program.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
runs=${PACTO_BENCH_RUNS:-50}
duration=${PACTO_BENCH_SECONDS:-10}
connections=${PACTO_BENCH_CONNECTIONS:-32}
bench_start "${1:-build}" 55484
api=http://127.0.0.1:18096
bash scripts/demo-data.sh "$build/pacto" >/dev/null
bench_serve 127.0.0.1:18096
bash scripts/demo-program.sh "$api" >"$work/demo.log"

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PACTO_DATABASE_URL" "$@"; }
token=$(bench_login "$api" saude@demo.pacto pacto-demo-2026)
challenge=$(psql_db -c "SELECT id FROM challenges WHERE code = 'SAU-01'")
indicator=$(psql_db -c "SELECT id FROM indicators WHERE code = 'MORT-INF'")

# timed N METHOD PATH: prints "p50 p99" in ms of N sequential requests.
timed() {
  local i
  for i in $(seq "$1"); do
    curl -fsS -o /dev/null -w '%{time_total}\n' -X "$2" -H "Authorization: Bearer $token" \
      "$api$3" || { echo "bench: $2 $3 failed" >&2; exit 1; }
    : "$i"
  done | sort -n | awk '{ t[NR] = $1 * 1000 }
    END { printf "%.1f %.1f\n", t[int(NR * 0.5 + 0.5)], t[int(NR * 0.99 + 0.5)] }'
}
read -r f_p50 f_p99 < <(timed "$runs" POST "/v1/challenges/$challenge/focalization/runs")
read -r g_p50 g_p99 < <(timed "$runs" POST "/v1/challenges/$challenge/suggested-targets/compute")

# JSON answers a page (at most 500 items, the API's largest); CSV the whole list.
values="/v1/indicators/$indicator/values?state=SP"
rows=$(curl -fsS "$api$values&limit=500" | jq '.items | length')
csv_rows=$(curl -fsS -H 'Accept: text/csv' "$api$values" | tail -n +2 | wc -l)

# rps [wrk args...] URL: requests per second.
rps() { wrk -t2 -c"$connections" -d"${duration}s" "$@" | awk '/Requests\/sec/ { printf "%.0f", $2 }'; }
h_json=$(rps "$api$values&limit=500")
h_csv=$(rps -H 'Accept: text/csv' "$api$values")

# The ceiling: the rows of (h) read by pgbench, as the plain SELECT of the
# columns the answer shows, each municipality's latest value (all 645).
cat >"$work/values.sql" <<SQL
SELECT m.ibge_code, m.name, v.period, v.value, v.numerator, v.denominator, v.preliminary,
       v.status, v.raw_code
  FROM municipalities m
 CROSS JOIN LATERAL (SELECT * FROM indicator_values x
                      WHERE x.municipality_id = m.ibge_code AND x.indicator_id = $indicator
                        AND x.status = 'ok' ORDER BY x.period DESC LIMIT 1) v
 WHERE m.state_code = 35 ORDER BY m.ibge_code;
SQL
i_tps=$(pgbench -n -M prepared -c "$connections" -j 2 -T "$duration" -f "$work/values.sql" \
  "$PACTO_DATABASE_URL" 2>/dev/null | awk '/^tps/ { printf "%.0f", $3 }')

j_json=$(rps "$api/v1/indicators?limit=50")
indicators=$(psql_db -c "SELECT count(*) FROM indicators")
value_rows=$(psql_db -c "SELECT count(*) FROM indicator_values")
echo "SELECT indicator_json(i, NULL) FROM indicators i ORDER BY i.id LIMIT 50;" >"$work/catalogue.sql"
k_tps=$(pgbench -n -M prepared -c "$connections" -j 2 -T "$duration" -f "$work/catalogue.sql" \
  "$PACTO_DATABASE_URL" 2>/dev/null | awk '/^tps/ { printf "%.0f", $3 }')

{
  echo "## Program data"
  echo
  echo "Written by \`bench/program.sh\` ($(date -u +%Y-%m-%dT%H:%M:%SZ)); $(nproc) cores, server and"
  echo "PostgreSQL 15 on the same machine, build: $build; the demo program of \`make run\`"
  echo "(the real IDEB, DATASUS and IBGE files loaded through the API)."
  echo
  echo "| scenario | p50 ms | p99 ms | req/s |"
  echo "|---|---:|---:|---:|"
  echo "| (f) focalization run, SAU-01 (infant mortality), 645 SP municipalities, $runs runs | $f_p50 | $f_p99 | |"
  echo "| (g) suggested targets recomputed, SAU-01, 645 municipalities, $runs runs | $g_p50 | $g_p99 | |"
  echo "| (h) public values of MORT-INF for SP, JSON, one page of $rows rows | | | $h_json |"
  echo "| (h) the same as CSV, the whole list ($csv_rows rows) | | | $h_csv |"
  echo "| (i) pgbench: the plain SELECT of (h)'s rows (tps) | | | $i_tps |"
  echo "| (j) public indicators catalogue, $indicators indicators over $value_rows values, JSON | | | $j_json |"
  echo "| (k) pgbench: (j)'s JSON built by indicator_json (tps) | | | $k_tps |"
  echo
  echo "- (f) and (g) are sequential requests (curl, one at a time) by the health secretariat;"
  echo "  each run persists the rule, every municipality's value, rank and verdict, and an"
  echo "  audit event, in one transaction."
  echo "- (h) and (j) are wrk -t2 -c$connections -d${duration}s, anonymous; (i) and (k) are"
  echo "  \`pgbench -n -M prepared -c $connections -j 2 -T $duration\` with the SELECT in this script."
} >"$work/section.md"
bench_section "Program data" "$work/section.md"
sed -n '/^## Program data/,/^## [^P]/p' bench/RESULTS.md
