#!/usr/bin/env bash
# Trajectories and alerts (issue 10, Performance): a cycle of São Paulo's 645
# municipalities, 600 of them pacted on a health challenge with two targets
# each (TMI, VAC: baseline 2023, target 2028), 2024 and 2025 values for every
# municipality (so the statuses mix), 10,200 deliveries (17 per plan, a third
# already past due) and 1,200 evidence awaiting review (half for more than 7
# days). Trajectories are computed when read, so every figure is the cost of
# computing them: p50 and p99 of PACTO_BENCH_RUNS (default 50) sequential
# requests of one pact's trajectory, a JSON page of 50 of the cycle's
# trajectories and of its alerts (as the health secretariat), and the
# seconds of the whole CSV of each (1,200 trajectories; every alert).
# Everything is seeded by SQL as the routes that make it store it.
# Written to the "Trajectories and alerts" section of bench/RESULTS.md.
#   bench/trajectories.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
runs=${PACTO_BENCH_RUNS:-50}
bench_start "${1:-build}" 55496
api=http://127.0.0.1:18126
password=bench-password-2026

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PACTO_DATABASE_URL" "$@"; }
echo "$password" | "$build/pacto" user add --email saude@bench.pacto --name Saúde \
  --role secretariat --area health >/dev/null

psql_db <<'SQL'
INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at, pact_opens_at,
                    pact_closes_at, target_year, commitments)
VALUES ('Parcerias Municipais (bench)', 35, now() - interval '400 days',
        now() - interval '370 days', now() - interval '365 days', now() - interval '300 days',
        2028, '["Pactuar metas"]');
INSERT INTO indicators (code, name, unit, polarity, source, periodicity, decimals, min_value,
                        area, scale)
VALUES ('TMI', 'Mortalidade infantil', 'per 1,000 live births', 'lower_is_better',
        'DATASUS – SIM/SINASC', 'annual', 1, 0, 'health', 1000),
       ('VAC', 'Cobertura vacinal', '%', 'higher_is_better', 'DATASUS – SI-PNI', 'annual', 1,
        0, 'health', NULL);
INSERT INTO challenges (cycle_id, code, title, area, responsible_area)
SELECT id, 'SAU-01', 'Saúde da criança', 'health', 'health' FROM cycles;
INSERT INTO challenge_indicators (challenge_id, indicator_id, role)
SELECT ch.id, i.id, 'main' FROM challenges ch, indicators i;
CREATE TEMP TABLE m AS
SELECT ibge_code, row_number() OVER (ORDER BY ibge_code) AS i
  FROM municipalities WHERE state_code = 35;
INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)
SELECT c.id, m.ibge_code, 'SP-BENCH-' || m.ibge_code, (SELECT min(id) FROM users), '[]'
  FROM cycles c, m WHERE m.i <= 600;
INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id, status, summary,
                          versions, created_by, submitted_at, approved_at)
SELECT ch.id, ch.cycle_id, a.municipality_id, a.id, 'pacted', 'Plano', 1, a.signed_by,
       now() - interval '330 days', now() - interval '320 days'
  FROM challenges ch JOIN adhesions a ON a.cycle_id = ch.cycle_id;
INSERT INTO pacts (plan_id, plan_version, cycle_id, challenge_id, municipality_id, adhesion_id,
                   protocol, signed_by, signed_at)
SELECT p.id, 1, p.cycle_id, p.challenge_id, p.municipality_id, p.adhesion_id,
       pact_next_protocol('SP'), p.created_by, now() - interval '310 days' + p.id * interval '1 s'
  FROM action_plans p;
INSERT INTO pact_targets (pact_id, indicator_id, target_value, target_year, baseline_value,
                          baseline_period)
SELECT k.id, i.id, CASE i.code WHEN 'TMI' THEN 9 ELSE 95 END, 2028,
       CASE i.code WHEN 'TMI' THEN 14 ELSE 80 END, '2023'
  FROM pacts k, indicators i;
INSERT INTO indicator_values (indicator_id, municipality_id, period, value)
SELECT i.id, m.ibge_code, y::text,
       CASE i.code WHEN 'TMI' THEN 14 - (y - 2023) * (m.i % 4) * 0.4
                   ELSE 80 + (y - 2023) * (m.i % 4) * 1.5 END
  FROM indicators i, m, generate_series(2023, 2025) y;
INSERT INTO plan_actions (plan_id, position, title)
SELECT p.id, n, 'Ação ' || n FROM action_plans p, generate_series(0, 16) n;
INSERT INTO plan_deliveries (action_id, plan_id, position, title, due_date)
SELECT a.id, a.plan_id, 0, 'Entrega ' || a.position,
       current_date + (a.position - 6) * 30 FROM plan_actions a;
INSERT INTO evidence (delivery_id, plan_id, description, submitted_by, submitted_at)
SELECT d.id, d.plan_id, 'Relatório', (SELECT min(id) FROM users),
       now() - (d.plan_id % 14) * interval '1 day' - interval '1 hour'
  FROM plan_deliveries d JOIN plan_actions a ON a.id = d.action_id
 WHERE a.position IN (8, 9);
VACUUM ANALYZE pacts, pact_targets, indicator_values, action_plans, plan_actions,
               plan_deliveries, evidence;
SQL

bench_serve "${api#http://}"
health=$(bench_login "$api" saude@bench.pacto "$password")
cycle=$(psql_db -c "SELECT id FROM cycles")
pact=$(psql_db -c "SELECT min(id) FROM pacts")

# timed TOKEN PATH [ACCEPT]: one GET (anonymous when TOKEN is empty), its time in
# ms; the body in $work/b.
timed() {
  local auth=()
  if [ -n "$1" ]; then auth=(-H "Authorization: Bearer $1"); fi
  curl -fsS -o "$work/b" -w '%{time_total}\n' "${auth[@]}" \
    -H "Accept: ${3:-application/json}" "$api$2" | awk '{ printf "%.3f\n", $1 * 1000 }'
}
p50p99() { sort -n "$1" | awk '{ t[NR] = $1 } END { printf "%.1f %.1f\n", t[int(NR * 0.5 + 0.5)], t[int(NR * 0.99 + 0.5)] }'; }
series() { # series NAME TOKEN PATH: $runs timings in $work/NAME.ms
  for _ in $(seq "$runs"); do timed "$2" "$3"; done > "$work/$1.ms"
}
series trajectory "" "/v1/pacts/$pact/trajectory"
series page "" "/v1/cycles/$cycle/trajectories?limit=50"
series alerts "$health" "/v1/cycles/$cycle/alerts?limit=50"
read -r t_p50 t_p99 < <(p50p99 "$work/trajectory.ms")
read -r l_p50 l_p99 < <(p50p99 "$work/page.ms")
read -r a_p50 a_p99 < <(p50p99 "$work/alerts.ms")
csv_ms=$(timed "" "/v1/cycles/$cycle/trajectories" text/csv)
csv_rows=$(($(wc -l < "$work/b") - 1))
statuses=$(tail -n +2 "$work/b" | awk -F, '{ n[$NF]++ } END { for (s in n) printf "%s %d, ", s, n[s] }' | tr -d '\r')
alerts_ms=$(timed "$health" "/v1/cycles/$cycle/alerts" text/csv)
alerts_rows=$(($(wc -l < "$work/b") - 1))
kinds=$(tail -n +2 "$work/b" | cut -d, -f1 | sort | uniq -c | awk '{ printf "%s %d, ", $2, $1 }')
# The ceiling of the two CSVs: the same rows' JSON written by PostgreSQL's
# COPY, without HTTP (seconds).
copied() {
  local start
  start=$(date +%s.%N)
  psql_db -c "\\copy (SELECT r.j FROM $1 r ORDER BY r.k) TO '/dev/null'"
  awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
}
copy_traj=$(copied "pact_trajectory_rows(NULL, '{}', $cycle)")
copy_alerts=$(copied "alert_rows($cycle, '{}', 7)")

{
  echo "## Trajectories and alerts"
  echo
  echo "Written by \`bench/trajectories.sh\` ($(date -u +%Y-%m-%dT%H:%M:%SZ)); $(nproc) cores, server"
  echo "and PostgreSQL 15 on the same machine, build: $build. 600 of São Paulo's 645 municipalities"
  echo "pacted, two targets each, three years of values for every municipality, 10,200 deliveries"
  echo "and 1,200 evidence awaiting review. Computed when read: no cache, no job."
  echo
  echo "| request | p50 ms | p99 ms | rows | seconds |"
  echo "|---|---:|---:|---:|---:|"
  echo "| one pact's trajectory, $runs runs | $t_p50 | $t_p99 | 2 | |"
  echo "| a page of 50 of the cycle's trajectories, $runs runs | $l_p50 | $l_p99 | 50 | |"
  echo "| a page of 50 alerts, $runs runs | $a_p50 | $a_p99 | 50 | |"
  echo "| every trajectory as CSV | | | $csv_rows | $(awk -v m="$csv_ms" 'BEGIN { printf "%.2f", m / 1000 }') |"
  echo "| every alert as CSV | | | $alerts_rows | $(awk -v m="$alerts_ms" 'BEGIN { printf "%.2f", m / 1000 }') |"
  echo "| ceiling: COPY of the trajectories' rows by psql | | | $csv_rows | $copy_traj |"
  echo "| ceiling: COPY of the alerts' rows by psql | | | $alerts_rows | $copy_alerts |"
  echo
  echo "- Statuses: ${statuses%, }. Alerts: ${kinds%, }."
} > "$work/section.md"
bench_section "Trajectories and alerts" "$work/section.md"
sed -n '/^## Trajectories and alerts/,/^## [^T]/p' bench/RESULTS.md
