#!/usr/bin/env bash
# Dashboards (Performance): a cycle of São Paulo with its 645 municipalities
# adhered, 645 plans of the health challenge SAU-01 (600 pacted, two targets
# each with indicator values putting them on and off track; 45 submitted),
# 10,000 deliveries of the pacted plans with evidence in mixed statuses
# (none, awaiting review, accepted on time or late, rejected), one incentive
# granted per pact, all seeded by SQL; then the cycle's dashboard and
# SAU-01's, each p50 and p99 of PACTO_BENCH_RUNS (default 50) sequential
# anonymous requests, in JSON and in CSV.
# Written to the "Dashboards" section of bench/RESULTS.md.
#   bench/dashboards.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
runs=${PACTO_BENCH_RUNS:-50}
bench_start "${1:-build}" 55494
api=http://127.0.0.1:18106

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PACTO_DATABASE_URL" "$@"; }
echo bench-password-2026 | "$build/pacto" user add --email coord@bench.pacto --name Coordenação \
  --role secretariat --area coordination >/dev/null

cycle=$(psql_db -c "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,
  pact_opens_at, pact_closes_at, target_year, commitments) VALUES ('Parcerias (bench)', 35,
  now() - interval '300 days', now() - interval '290 days', now() - interval '280 days',
  now() + interval '30 days', 2027, '[]') RETURNING id")
psql_db <<SQL
INSERT INTO indicators (code, name, unit, polarity, source, periodicity, decimals, min_value, area)
VALUES ('TMI', 'Mortalidade infantil', 'por mil', 'lower_is_better', 'SIM', 'annual', 1, 0, 'health'),
       ('VAC', 'Cobertura vacinal', '%', 'higher_is_better', 'SI-PNI', 'annual', 1, 0, 'health');
INSERT INTO challenges (cycle_id, code, title, area, responsible_area, open_to_all)
VALUES ($cycle, 'SAU-01', 'Saúde da criança', 'health', 'health', true),
       ($cycle, 'EDU-01', 'Alfabetização', 'education', 'education', true);
INSERT INTO incentives (challenge_id, title, type, amount_cents, source)
SELECT id, 'Repasse fundo a fundo', 'financial', 50000000, 'Fundo Estadual de Saúde'
  FROM challenges WHERE code = 'SAU-01';
INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)
SELECT $cycle, ibge_code, 'SP-BENCH-' || ibge_code, (SELECT min(id) FROM users), '[]'
  FROM municipalities WHERE state_code = 35;
INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id, status, summary,
                          versions, created_by, submitted_at, approved_at)
SELECT (SELECT id FROM challenges WHERE code = 'SAU-01'), $cycle, a.municipality_id, a.id,
       CASE WHEN row_number() OVER (ORDER BY a.municipality_id) <= 600 THEN 'pacted'
            ELSE 'submitted' END,
       'Plano de ' || a.municipality_id, 1, (SELECT min(id) FROM users), now(), now()
  FROM adhesions a WHERE a.cycle_id = $cycle;
INSERT INTO plan_actions (plan_id, position, title)
SELECT id, 0, 'Ação' FROM action_plans WHERE status = 'pacted';
-- 10,000 deliveries: 17 per pacted plan, the last plans' fewer; due dates
-- spread over the 90 days before and after today.
INSERT INTO plan_deliveries (action_id, plan_id, position, title, due_date, weight)
SELECT a.id, a.plan_id, n, 'Entrega ' || n, current_date + ((a.plan_id * 7 + n * 13) % 180 - 90)::int,
       CASE WHEN n % 4 = 0 THEN 2 END
  FROM (SELECT a.*, row_number() OVER (ORDER BY a.plan_id) AS rn FROM plan_actions a) a,
       generate_series(0, 16) n
 WHERE (a.rn - 1) * 17 + n < 10000;
-- Evidence by delivery id mod 5: none, accepted (on time or late),
-- awaiting review, rejected, none.
INSERT INTO evidence (delivery_id, plan_id, description, status, submitted_by, submitted_at,
                      reviewed_by, reviewed_at, review_reason)
SELECT d.id, d.plan_id, 'Evidência', s.status, (SELECT min(id) FROM users),
       now() - interval '100 days',
       CASE WHEN s.status <> 'submitted' THEN (SELECT min(id) FROM users) END,
       CASE WHEN s.status <> 'submitted'
            THEN least(now(), (d.due_date + (d.id % 7 - 3)::int)::timestamptz) END,
       CASE WHEN s.status = 'rejected' THEN 'Incompleta' END
  FROM plan_deliveries d
  JOIN (VALUES (1, 'accepted'), (2, 'submitted'), (3, 'rejected')) s (k, status)
    ON s.k = d.id % 5;
INSERT INTO pacts (plan_id, plan_version, cycle_id, challenge_id, municipality_id, adhesion_id,
                   protocol, signed_by)
SELECT id, 1, cycle_id, challenge_id, municipality_id, adhesion_id,
       'SP-P-BENCH-' || municipality_id, created_by
  FROM action_plans WHERE status = 'pacted';
INSERT INTO pact_targets (pact_id, indicator_id, target_value, target_year, baseline_value,
                          baseline_period)
SELECT k.id, i.id, CASE i.code WHEN 'TMI' THEN 10 ELSE 95 END, 2027,
       CASE i.code WHEN 'TMI' THEN 15 ELSE 80 END, '2023'
  FROM pacts k, indicators i;
-- 2025's final values: from no progress to past the target; every tenth
-- municipality has none (no data).
INSERT INTO indicator_values (indicator_id, municipality_id, period, value)
SELECT i.id, k.municipality_id, '2025',
       CASE i.code WHEN 'TMI' THEN 15 - (k.id % 7) ELSE 80 + (k.id % 17) END
  FROM pacts k, indicators i WHERE k.id % 10 <> 0;
INSERT INTO incentive_grants (incentive_id, municipality_id, pact_id)
SELECT i.id, k.municipality_id, k.id FROM pacts k, incentives i;
VACUUM ANALYZE adhesions, action_plans, plan_actions, plan_deliveries, evidence, pacts,
               pact_targets, indicator_values, incentive_grants;
SQL
challenge=$(psql_db -c "SELECT id FROM challenges WHERE code = 'SAU-01'")
bench_serve "${api#http://}"

# timed ACCEPT PATH: one anonymous request, its time in ms; fails on an error.
timed() {
  curl -fsS -o "$work/b" -w '%{time_total}\n' -H "Accept: $1" "$api$2" |
    awk '{ printf "%.3f\n", $1 * 1000 }' || { echo "bench: GET $2 failed" >&2; exit 1; }
}
p50p99() { sort -n "$1" | awk '{ t[NR] = $1 } END { printf "%.1f %.1f\n", t[int(NR * 0.5 + 0.5)], t[int(NR * 0.99 + 0.5)] }'; }
measure() { # measure ACCEPT PATH: prints "| p50 | p99 | body KiB |"
  for _ in $(seq "$runs"); do timed "$1" "$2"; done > "$work/runs.ms"
  read -r p50 p99 < <(p50p99 "$work/runs.ms")
  echo "| $p50 | $p99 | $(wc -c < "$work/b" | awk '{ printf "%.1f", $1 / 1024 }') |"
}
cycle_json=$(measure application/json "/v1/cycles/$cycle/dashboard")
cycle_csv=$(measure text/csv "/v1/cycles/$cycle/dashboard")
challenge_json=$(measure application/json "/v1/challenges/$challenge/dashboard")
challenge_csv=$(measure text/csv "/v1/challenges/$challenge/dashboard")
totals=$(curl -fsS "$api/v1/cycles/$cycle/dashboard" | jq -c '.totals | {pacts,
  deliveries: .deliveries_by_status, on_time_rate, trajectories: .pacts_by_trajectory}')
# The ceiling: the cycle's JSON as PostgreSQL builds it, without HTTP.
db_ms=$(psql_db -c '\timing on' -c "SELECT length(dashboard_cycle_json($cycle)::text)" |
  awk '/^Time:/ { printf "%.1f", $2 }')

{
  echo "## Dashboards"
  echo
  echo "Written by \`bench/dashboards.sh\` ($(date -u +%Y-%m-%dT%H:%M:%SZ)); $(nproc) cores, server and"
  echo "PostgreSQL 15 on the same machine, build: $build."
  echo
  echo "| scenario ($runs sequential anonymous requests) | p50 ms | p99 ms | body KiB |"
  echo "|---|---:|---:|---:|"
  echo "| cycle dashboard, JSON $cycle_json"
  echo "| cycle dashboard, CSV $cycle_csv"
  echo "| challenge dashboard (645 plans listed: 600 pacted, 45 submitted), JSON $challenge_json"
  echo "| challenge dashboard, CSV $challenge_csv"
  echo
  echo "- The cycle: São Paulo's 645 municipalities adhered, two challenges, 645 plans (600 pacted,"
  echo "  two targets each, final values for 9 in 10), 10,000 deliveries, evidence on 3 in 5."
  echo "- Totals: \`$totals\`."
  echo "- The cycle's JSON built by PostgreSQL alone (psql \\timing, one run): $db_ms ms. Every"
  echo "  request counts again (no cache): the figures are never stale, and If-None-Match saves"
  echo "  only the transfer."
} > "$work/section.md"
bench_section "Dashboards" "$work/section.md"
sed -n '/^## Dashboards/,/^## [^D]/p' bench/RESULTS.md
