#!/usr/bin/env bash
# Action plans (Performance):
#   (j) one plan of 60 actions with 3 deliveries each, written through the
#       API by a municipality's representative: GET, PUT (If-Match, the whole
#       document sent back with its ids), submit (which freezes a numbered
#       version; the health secretariat returns the plan between two
#       submissions, untimed) and the diff of its first and last versions:
#       p50 and p99 of PACTO_BENCH_RUNS (default 50) sequential requests each;
#   (k) the public list of the cycle's 500 plans (this one and 499 seeded by
#       SQL with 20 actions of 3 deliveries each, as São Paulo's second cycle
#       had: 10,275 actions in 472 plans), one JSON page of 500 and the whole
#       list as CSV, req/s with wrk, beside (l) pgbench running the plain
#       SELECT of the same summaries, the ceiling, and (m) pgbench reading the
#       60-action plan's JSON as PostgreSQL builds it, the ceiling of (j)'s GET.
# Written to the "Action plans" section of bench/RESULTS.md.
#   bench/plans.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
runs=${PACTO_BENCH_RUNS:-50}
duration=${PACTO_BENCH_SECONDS:-10}
connections=${PACTO_BENCH_CONNECTIONS:-32}
bench_start "${1:-build}" 55488
api=http://127.0.0.1:18100
password=bench-password-2026

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PACTO_DATABASE_URL" "$@"; }

# The representative's municipality: the first of São Paulo's in IBGE order.
own=$(psql_db -c "SELECT ibge_code FROM municipalities WHERE state_code = 35 ORDER BY 1 LIMIT 1")
add_user() { echo "$password" | "$build/pacto" user add "$@" >/dev/null; }
add_user --email coord@bench.pacto --name Coordenação --role secretariat --area coordination
add_user --email saude@bench.pacto --name Saúde --role secretariat --area health
add_user --email rep@bench.pacto --name Representante --role representative --municipality "$own"
bench_serve "${api#http://}"

at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
coord=$(bench_login "$api" coord@bench.pacto "$password")
health=$(bench_login "$api" saude@bench.pacto "$password")
rep=$(bench_login "$api" rep@bench.pacto "$password")
post() { # post TOKEN PATH BODY: prints the answer, fails on an error status
  curl -fsS -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -d "$3" "$api$2"
}
cycle=$(post "$coord" /v1/cycles "{\"name\":\"Parcerias Municipais (bench)\",\"state\":\"SP\",
  \"adhesion_opens_at\":\"$(at '-7 days')\",\"adhesion_closes_at\":\"$(at '+7 days')\",
  \"pact_opens_at\":\"$(at '+30 days')\",\"pact_closes_at\":\"$(at '+60 days')\",
  \"target_year\":2028}" | jq -r .id)
challenge=$(post "$coord" "/v1/cycles/$cycle/challenges" '{"code":"SAU-01",
  "title":"Reduzir a mortalidade infantil","area":"health","responsible_area":"health",
  "open_to_all":true}' | jq -r .id)

# 500 adhered municipalities (signed by SQL: the adhesion storm has its own
# benchmark); 499 of them with a submitted plan of 20 actions of 3 deliveries.
psql_db <<SQL
INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)
SELECT $cycle, ibge_code, 'SP-BENCH-' || ibge_code, (SELECT min(id) FROM users), '[]'
  FROM (SELECT ibge_code FROM municipalities WHERE state_code = 35 ORDER BY 1 LIMIT 500) m;
INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id, status, summary,
                          versions, created_by, submitted_at)
SELECT $challenge, $cycle, a.municipality_id, a.id, 'submitted', 'Plano de ' || a.municipality_id,
       1, (SELECT min(id) FROM users), now()
  FROM adhesions a WHERE a.cycle_id = $cycle AND a.municipality_id <> '$own';
INSERT INTO plan_actions (plan_id, position, title, description, responsible_unit, start_date,
                          end_date)
SELECT p.id, n, 'Ação ' || n, 'Descrição da ação ' || n, 'Secretaria Municipal de Saúde',
       '2027-01-01', '2027-12-31'
  FROM action_plans p, generate_series(0, 19) n WHERE p.cycle_id = $cycle;
INSERT INTO plan_resources (action_id, position, amount_cents, source)
SELECT a.id, 0, 100000 * (a.position + 1), 'municipal' FROM plan_actions a;
INSERT INTO plan_deliveries (action_id, plan_id, position, title, due_date)
SELECT a.id, a.plan_id, n, 'Entrega ' || n, '2027-06-30' FROM plan_actions a, generate_series(0, 2) n;
-- The list's counts, as the plan's writes keep them.
UPDATE action_plans p SET actions_count = 20, deliveries_count = 60,
       total_amount_cents = (SELECT sum(r.amount_cents) FROM plan_actions a
                               JOIN plan_resources r ON r.action_id = a.id WHERE a.plan_id = p.id);
VACUUM ANALYZE action_plans, plan_actions, plan_resources, plan_deliveries, adhesions;
SQL

# The 60-action plan, created by the representative.
jq -n '{summary: "Plano municipal de redução da mortalidade infantil",
  actions: [range(60) as $i | {title: "Ação \($i + 1)", description: "Descrição da ação \($i + 1)",
    responsible_person: "Pessoa \($i + 1)", responsible_unit: "Secretaria Municipal de Saúde",
    start_date: "2027-01-01", end_date: "2027-12-31",
    resources: [{amount_cents: 1500000, source: "municipal"}, {amount_cents: 500000, source: "state"}],
    deliveries: [range(3) as $d | {title: "Entrega \($d + 1)", due_date: "2027-0\($d + 4)-30",
      evidence_expected: "Relatório", weight: ($d + 1)}]}]}' > "$work/plan.json"
plan=$(post "$rep" "/v1/challenges/$challenge/action-plans" "@$work/plan.json" | jq -r .id)

# timed_one TOKEN METHOD PATH [BODY_FILE] [IF_MATCH]: one request, its time in ms on
# stdout, its headers in $work/h and body in $work/b; fails on an error status.
timed_one() {
  local args=(-fsS -D "$work/h" -o "$work/b" -w '%{time_total}\n' -X "$2"
    -H "Authorization: Bearer $1")
  if [ -n "${4:-}" ]; then args+=(-H 'Content-Type: application/json' --data-binary "@$4"); fi
  if [ -n "${5:-}" ]; then args+=(-H "If-Match: $5"); fi
  curl "${args[@]}" "$api$3" | awk '{ printf "%.3f\n", $1 * 1000 }' ||
    { echo "bench: $2 $3 failed: $(cat "$work/b" 2>/dev/null)" >&2; exit 1; }
}
etag() { sed -n 's/^ETag: *\(.*\)\r$/\1/Ip' "$work/h"; }
p50p99() { sort -n "$1" | awk '{ t[NR] = $1 } END { printf "%.1f %.1f\n", t[int(NR * 0.5 + 0.5)], t[int(NR * 0.99 + 0.5)] }'; }

for _ in $(seq "$runs"); do timed_one "$rep" GET "/v1/action-plans/$plan"; done > "$work/get.ms"
# The document sent back as GET shows it: ids kept, read-only members left out.
to_document='{summary, targets: [.targets[] | {indicator_id, target_value, justification}],
  actions: .actions}'
timed_one "$rep" GET "/v1/action-plans/$plan" >/dev/null
for i in $(seq "$runs"); do
  tag=$(etag)
  jq "$to_document | .actions[0].title = \"Ação 1 (rev. $i)\"" "$work/b" > "$work/put.json"
  timed_one "$rep" PUT "/v1/action-plans/$plan" "$work/put.json" "$tag"
done > "$work/put.ms"
echo '{"reason":"Detalhar as entregas da ação 1."}' > "$work/return.json"
for i in $(seq "$runs"); do
  timed_one "$rep" POST "/v1/action-plans/$plan/submit" >> "$work/submit.ms"
  timed_one "$health" POST "/v1/action-plans/$plan/return" "$work/return.json" >/dev/null
  timed_one "$rep" GET "/v1/action-plans/$plan" >/dev/null
  jq "$to_document | .actions[$((i % 60))].deliveries[0].title = \"Entrega revista $i\"" \
    "$work/b" > "$work/put.json"
  timed_one "$rep" PUT "/v1/action-plans/$plan" "$work/put.json" "$(etag)" >/dev/null
done
# Submitted once more, so that the public list holds all 500 plans.
timed_one "$rep" POST "/v1/action-plans/$plan/submit" >/dev/null
versions=$((runs + 1))
for _ in $(seq "$runs"); do
  timed_one "$rep" GET "/v1/action-plans/$plan/diff?from=1&to=$versions"
done > "$work/diff.ms"
changes=$(jq -c '[.. | objects | select(has("from") and has("to"))] | length' "$work/b")
read -r get_p50 get_p99 < <(p50p99 "$work/get.ms")
read -r put_p50 put_p99 < <(p50p99 "$work/put.ms")
read -r sub_p50 sub_p99 < <(p50p99 "$work/submit.ms")
read -r diff_p50 diff_p99 < <(p50p99 "$work/diff.ms")
plan_kib=$(curl -fsS -H "Authorization: Bearer $rep" "$api/v1/action-plans/$plan" | wc -c |
  awk '{ printf "%.0f", $1 / 1024 }')

# (k) the public list: one page of 500, the whole list as CSV.
list="/v1/cycles/$cycle/action-plans"
rows=$(curl -fsS "$api$list?limit=500" | jq '.items | length')
csv_rows=$(curl -fsS -H 'Accept: text/csv' "$api$list" | tail -n +2 | wc -l)
rps() { wrk -t2 -c"$connections" -d"${duration}s" "$@" | awk '/Requests\/sec/ { printf "%.0f", $2 }'; }
k_json=$(rps "$api$list?limit=500")
k_csv=$(rps -H 'Accept: text/csv' "$api$list")

# (l) the ceiling of (k): the same summaries by a plain SELECT.
cat > "$work/list.sql" <<SQL
SELECT p.id, p.challenge_id, c.code, p.municipality_id, m.name, p.status, p.actions_count,
       p.deliveries_count, p.total_amount_cents, p.versions, p.submitted_at, p.approved_at,
       p.updated_at
  FROM action_plans p JOIN challenges c ON c.id = p.challenge_id
  JOIN municipalities m ON m.ibge_code = p.municipality_id
 WHERE p.cycle_id = $cycle ORDER BY p.id LIMIT 500;
SQL
pgb() { pgbench -n -M prepared -c "$connections" -j 2 -T "$duration" -f "$1" \
  "$PACTO_DATABASE_URL" 2>/dev/null | awk '/^tps/ { printf "%.0f", $3 }'; }
l_tps=$(pgb "$work/list.sql")
# (m) the ceiling of (j)'s GET: the plan's JSON as the database makes it.
echo "SELECT plan_json(p, NULL) FROM action_plans p WHERE p.id = $plan;" > "$work/get.sql"
m_tps=$(pgb "$work/get.sql")

{
  echo "## Action plans"
  echo
  echo "Written by \`bench/plans.sh\` ($(date -u +%Y-%m-%dT%H:%M:%SZ)); $(nproc) cores, server and"
  echo "PostgreSQL 15 on the same machine, build: $build."
  echo
  echo "| scenario | p50 ms | p99 ms | req/s |"
  echo "|---|---:|---:|---:|"
  echo "| (j) GET of a plan of 60 actions × 3 deliveries ($plan_kib KiB), $runs runs | $get_p50 | $get_p99 | |"
  echo "| (j) PUT of the whole plan with If-Match, $runs runs | $put_p50 | $put_p99 | |"
  echo "| (j) submit, freezing a numbered version, $runs runs | $sub_p50 | $sub_p99 | |"
  echo "| (j) diff of versions 1 and $versions ($changes changed fields), $runs runs | $diff_p50 | $diff_p99 | |"
  echo "| (k) public list of the cycle's plans, JSON, one page of $rows | | | $k_json |"
  echo "| (k) the same as CSV, the whole list ($csv_rows rows) | | | $k_csv |"
  echo "| (l) pgbench: the plain SELECT of (k)'s summaries (tps) | | | $l_tps |"
  echo "| (m) pgbench: the 60-action plan's JSON built by PostgreSQL (tps) | | | $m_tps |"
  echo
  echo "- (j) are sequential requests (curl, one at a time) by the plan's representative; a PUT"
  echo "  rewrites the targets, the 60 actions (kept by id), their resources and 180 deliveries,"
  echo "  with the audit event, in one transaction; a submit also checks every submission rule."
  echo "- (k) is wrk -t2 -c$connections -d${duration}s, anonymous; (l) and (m) are \`pgbench -n -M"
  echo "  prepared -c $connections -j 2 -T $duration\` with the SELECTs in this script."
} > "$work/section.md"
bench_section "Action plans" "$work/section.md"
sed -n '/^## Action plans/,/^## [^A]/p' bench/RESULTS.md
