#!/usr/bin/env bash
# Deliveries open data (Performance): a cycle of São Paulo's 645
# municipalities, all adhered, 600 of them with a pacted plan of 4 actions,
# 10,000 deliveries in all (seeded by SQL, as the plans' and pacts' routes
# store them), a third with evidence — accepted, awaiting review or
# rejected — and a fifth past their due date; then the CSV of every delivery
# of the cycle (GET /v1/cycles/{cycle_id}/deliveries, Accept: text/csv,
# anonymous, streamed): time to first byte and total seconds, p50 of
# PACTO_BENCH_RUNS (default 10) sequential downloads; and the JSON page of
# 100. Prints the plan PostgreSQL runs for the list (EXPLAIN ANALYZE).
# Written to the "Deliveries open data" section of bench/RESULTS.md.
#   bench/deliveries.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
runs=${PACTO_BENCH_RUNS:-10}
bench_start "${1:-build}" 55492
api=http://127.0.0.1:18104
password=bench-password-2026

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PACTO_DATABASE_URL" "$@"; }
echo "$password" | "$build/pacto" user add --email coord@bench.pacto --name Coordenação \
  --role secretariat --area coordination >/dev/null
bench_serve "${api#http://}"

at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
coord=$(bench_login "$api" coord@bench.pacto "$password")
post() { # post TOKEN PATH BODY: prints the answer, fails on an error status
  curl -fsS -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -d "$3" "$api$2"
}
cycle=$(post "$coord" /v1/cycles "{\"name\":\"Parcerias Municipais (bench)\",\"state\":\"SP\",
  \"adhesion_opens_at\":\"$(at '-60 days')\",\"adhesion_closes_at\":\"$(at '-50 days')\",
  \"pact_opens_at\":\"$(at '-40 days')\",\"pact_closes_at\":\"$(at '+30 days')\",
  \"target_year\":2028}" | jq -r .id)
challenge=$(post "$coord" "/v1/cycles/$cycle/challenges" '{"code":"SAU-01",
  "title":"Reduzir a mortalidade infantil","area":"health","responsible_area":"health",
  "open_to_all":true}' | jq -r .id)

psql_db <<SQL
INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)
SELECT $cycle, ibge_code, 'SP-BENCH-' || ibge_code, (SELECT min(id) FROM users), '[]'
  FROM municipalities WHERE state_code = 35;
INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id, status, summary,
                          versions, created_by, submitted_at, approved_at)
SELECT $challenge, $cycle, a.municipality_id, a.id, 'pacted', 'Plano de ' || a.municipality_id,
       1, (SELECT min(id) FROM users), now() - interval '30 days', now() - interval '20 days'
  FROM (SELECT * FROM adhesions WHERE cycle_id = $cycle ORDER BY municipality_id LIMIT 600) a;
INSERT INTO plan_actions (plan_id, position, title, responsible_unit)
SELECT p.id, n, 'Ação ' || (n + 1), 'Secretaria Municipal de Saúde'
  FROM action_plans p, generate_series(0, 3) n WHERE p.cycle_id = $cycle;
-- 10,000 deliveries spread over the 2,400 actions; one in five past due.
WITH a AS (SELECT id, plan_id, row_number() OVER (ORDER BY id) - 1 AS i FROM plan_actions),
     n AS (SELECT g, (g - 1) % (SELECT count(*) FROM a) AS i, (g - 1) / (SELECT count(*) FROM a) AS pos
             FROM generate_series(1, 10000) g)
INSERT INTO plan_deliveries (action_id, plan_id, position, title, due_date, evidence_expected,
                             weight)
SELECT a.id, a.plan_id, n.pos, 'Entrega ' || n.g,
       CASE WHEN n.g % 5 = 0 THEN current_date - 10 ELSE date '2027-06-30' END,
       'Relatório com fotos', 1 + n.g % 3
  FROM n JOIN a USING (i);
-- Evidence: accepted for 2 in 10, awaiting review for 1 in 10, rejected for
-- 1 in 30 (of the rest).
INSERT INTO evidence (delivery_id, plan_id, description, status, submitted_by, submitted_at,
                      reviewed_by, reviewed_at, review_reason)
SELECT d.id, d.plan_id, 'Relatório entregue',
       CASE WHEN d.id % 10 IN (0, 1) THEN 'accepted' WHEN d.id % 10 = 2 THEN 'submitted'
            ELSE 'rejected' END,
       u.id, now() - interval '5 days',
       CASE WHEN d.id % 10 <> 2 THEN u.id END,
       CASE WHEN d.id % 10 <> 2 THEN now() - interval '2 days' END,
       CASE WHEN d.id % 10 NOT IN (0, 1, 2) THEN 'Faltam fotos' END
  FROM plan_deliveries d, (SELECT min(id) AS id FROM users) u
 WHERE d.id % 10 IN (0, 1, 2) OR d.id % 30 = 3;
UPDATE action_plans p SET actions_count = 4,
       deliveries_count = (SELECT count(*) FROM plan_deliveries d WHERE d.plan_id = p.id);
VACUUM ANALYZE adhesions, action_plans, plan_actions, plan_deliveries, evidence;
SQL

list="/v1/cycles/$cycle/deliveries"
deliveries=$(psql_db -c "SELECT count(*) FROM plan_deliveries")
evidence=$(psql_db -c "SELECT count(*) FROM evidence")
echo "bench: the plan of the list's query (the CSV reads it whole):"
psql_db -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF)
  SELECT r.k, r.j FROM cycle_delivery_rows(NULL, '{}', $cycle) r ORDER BY r.k"

# One download: time to first byte and total, in seconds.
download() {
  curl -fsS -o "$work/csv" -H 'Accept: text/csv' -w '%{time_starttransfer} %{time_total}\n' \
    "$api$list"
}
download >/dev/null # warm
for _ in $(seq "$runs"); do download; done > "$work/times"
csv_rows=$(tail -n +2 "$work/csv" | wc -l)
csv_mib=$(wc -c < "$work/csv" | awk '{ printf "%.1f", $1 / 1048576 }')
p50() { sort -n | awk '{ t[NR] = $1 } END { printf "%.3f", t[int(NR * 0.5 + 0.5)] }'; }
ttfb=$(awk '{ print $1 }' "$work/times" | p50)
total=$(awk '{ print $2 }' "$work/times" | p50)
# The ceiling: the same rows written by PostgreSQL's COPY, without HTTP or
# the CSV's columns taken apart.
for _ in $(seq "$runs"); do
  start=$(date +%s.%N)
  psql_db -c "\\copy (SELECT r.j FROM cycle_delivery_rows(NULL, '{}', $cycle) r ORDER BY r.k) TO '/dev/null'"
  awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f\n", b - a }'
done > "$work/copy"
copy_s=$(p50 < "$work/copy")
for _ in $(seq "$runs"); do
  curl -fsS -o /dev/null -w '%{time_total}\n' "$api$list?limit=100"
done > "$work/page"
page_ms=$(p50 < "$work/page" | awk '{ printf "%.1f", $1 * 1000 }')
statuses=$(curl -fsS -H 'Accept: text/csv' "$api$list" | tail -n +2 |
  awk -F, '{ c[$(NF - 1)]++ } END { for (s in c) printf "%s %d, ", s, c[s] }' | sed 's/, $//')

{
  echo "## Deliveries open data"
  echo
  echo "Written by \`bench/deliveries.sh\` ($(date -u +%Y-%m-%dT%H:%M:%SZ)); $(nproc) cores, server"
  echo "and PostgreSQL 15 on the same machine, build: $build."
  echo
  echo "| scenario | p50 |"
  echo "|---|---:|"
  echo "| CSV of every delivery of the cycle ($csv_rows rows, $csv_mib MiB): time to first byte, s | $ttfb |"
  echo "| the same: total, s | $total |"
  echo "| ceiling: COPY of the same rows' JSON by psql, total, s | $copy_s |"
  echo "| JSON page of 100, ms | $page_ms |"
  echo
  echo "- A cycle of São Paulo's 645 municipalities, 600 pacted plans of 4 actions, $deliveries"
  echo "  deliveries, $evidence evidence rows (by SQL); statuses: $statuses."
  echo "- $runs sequential anonymous downloads with curl (\`%{time_starttransfer} %{time_total}\`),"
  echo "  after one to warm up; each delivery's status is one indexed lookup of its latest"
  echo "  evidence (evidence_delivery_idx)."
} > "$work/section.md"
bench_section "Deliveries open data" "$work/section.md"
sed -n '/^## Deliveries open data/,/^## [^D]/p' bench/RESULTS.md
