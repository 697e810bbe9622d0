#!/usr/bin/env bash
# The shared-management forum, co-evaluation and training (Performance):
#   (n) a forum member records and replaces co-evaluations through the API
#       (PUT, the replacement with the ETag it was given): p50 and p99 of
#       PACTO_BENCH_RUNS (default 50) sequential requests each;
#   (o) one pact's co-evaluations beside the state's status (20 members):
#       p50/p99, sequential;
#   (p) the cycle's co-evaluations, 500 pacts rated by 19 members (9,500
#       rows, seeded by SQL) and the bench's own, each pact's status read from its target's
#       trajectory: one JSON page of 500, the disagreements only, and the
#       whole list as CSV, req/s with wrk;
#   (q) the cycle's dashboard with its training totals (50 courses, 5,000
#       attendances of 2,500 team members of 500 municipalities) and one
#       municipality's, req/s with wrk.
# Written to the "Forum and training" section of bench/RESULTS.md.
#   bench/forum.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
runs=${PACTO_BENCH_RUNS:-50}
duration=${PACTO_BENCH_SECONDS:-10}
connections=${PACTO_BENCH_CONNECTIONS:-32}
bench_start "${1:-build}" 55631
api=http://127.0.0.1:18310
password=bench-password-2026

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PACTO_DATABASE_URL" "$@"; }
add_user() { echo "$password" | "$build/pacto" user add "$@" >/dev/null; }
add_user --email coord@bench.pacto --name Coordenação --role secretariat --area coordination
add_user --email forum@bench.pacto --name Conselheira --role forum_member
bench_serve "${api#http://}"
forum=$(bench_login "$api" forum@bench.pacto "$password")

# A cycle of São Paulo past its pact window, its evaluation window open; 500
# adhered municipalities, each with a pacted plan and a pact on one target
# whose indicator has a baseline and a later value; a forum of 20 members
# (the first is the account above) who rated every pact; 50 courses and
# 5,000 attendances of 5 team members in each municipality.
psql_db <<'SQL'
INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at, pact_opens_at,
                    pact_closes_at, target_year, commitments, evaluation_opens_at,
                    evaluation_closes_at)
VALUES ('Parcerias Municipais (bench)', 35, now() - interval '300 days',
        now() - interval '290 days', now() - interval '200 days', now() - interval '100 days',
        2027, '[]', now() - interval '1 day', now() + interval '30 days');
INSERT INTO indicators (code, name, unit, polarity, source, periodicity, area)
VALUES ('TMI', 'Mortalidade infantil', 'por mil', 'lower_is_better', 'DATASUS', 'annual',
        'health');
INSERT INTO challenges (cycle_id, code, title, area, responsible_area)
SELECT id, 'SAU-01', 'Mortalidade infantil', 'health', 'health' FROM cycles;
CREATE TEMP TABLE m AS
SELECT ibge_code, row_number() OVER (ORDER BY ibge_code) AS i
  FROM municipalities WHERE state_code = 35 ORDER BY 1 LIMIT 500;
INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)
SELECT (SELECT id FROM cycles), ibge_code, 'SP-BENCH-' || ibge_code, (SELECT min(id) FROM users),
       '[]' FROM m;
INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id, status, versions,
                          created_by, submitted_at, approved_at)
SELECT (SELECT id FROM challenges), a.cycle_id, a.municipality_id, a.id, 'pacted', 1,
       (SELECT min(id) FROM users), now(), now()
  FROM adhesions a;
INSERT INTO pacts (plan_id, plan_version, cycle_id, challenge_id, municipality_id, adhesion_id,
                   protocol, signed_by)
SELECT p.id, 1, p.cycle_id, p.challenge_id, p.municipality_id, p.adhesion_id,
       'SP-PACT-' || p.municipality_id, p.created_by
  FROM action_plans p;
INSERT INTO pact_targets (pact_id, indicator_id, target_value, target_year, baseline_value,
                          baseline_period)
SELECT k.id, (SELECT id FROM indicators), 12, 2027, 15, '2023' FROM pacts k;
INSERT INTO indicator_values (indicator_id, municipality_id, period, value)
SELECT (SELECT id FROM indicators), m.ibge_code, '2025', 10 + m.i % 7 FROM m;
INSERT INTO forum_members (cycle_id, name, organization, sector, mandate_starts_on,
                           mandate_ends_on, user_id)
SELECT (SELECT id FROM cycles), 'Membro ' || n, 'Organização ' || n,
       (ARRAY['government', 'civil_society', 'academia', 'private'])[1 + n % 4],
       current_date - 30, make_date(2027, 12, 31),
       CASE WHEN n = 1 THEN (SELECT id FROM users WHERE role = 'forum_member') END
  FROM generate_series(1, 20) n;
INSERT INTO co_evaluations (pact_id, member_id, rating, justification)
SELECT k.id, f.id, (ARRAY['achieved', 'partially', 'not_achieved'])[1 + (k.id + f.id) % 3],
       'Avaliação do membro ' || f.id || ' sobre o pacto ' || k.protocol
  FROM pacts k, forum_members f WHERE f.user_id IS NULL;
INSERT INTO team_members (municipality_id, name, type)
SELECT m.ibge_code, 'Servidor ' || n, 'servant' FROM m, generate_series(1, 5) n;
INSERT INTO courses (cycle_id, title, area, starts_on, ends_on, hours)
SELECT (SELECT id FROM cycles), 'Curso ' || n, 'health', current_date, current_date, 8
  FROM generate_series(1, 50) n;
INSERT INTO course_attendance (course_id, team_member_id, municipality_id)
SELECT c.id, t.id, t.municipality_id
  FROM team_members t
  JOIN LATERAL (SELECT id FROM courses ORDER BY (id + t.id) % 50 LIMIT 2) c ON true;
VACUUM ANALYZE cycles, pacts, pact_targets, indicator_values, forum_members, co_evaluations,
               team_members, courses, course_attendance;
SQL
cycle=$(psql_db -c "SELECT id FROM cycles")
pacts=$(psql_db -c "SELECT id FROM pacts ORDER BY id LIMIT $runs")
one_pact=$(psql_db -c "SELECT min(id) FROM pacts")
own=$(psql_db -c "SELECT min(municipality_id) FROM adhesions")

# timed PATH METHOD [BODY_FILE] [IF_MATCH]: one request, its time in ms on
# stdout, its headers in $work/h; fails on an error status.
timed() {
  local args=(-fsS -D "$work/h" -o "$work/b" -w '%{time_total}\n' -X "$2"
    -H "Authorization: Bearer $forum")
  if [ -n "${3:-}" ]; then args+=(-H 'Content-Type: application/json' --data-binary "@$3"); fi
  if [ -n "${4:-}" ]; then args+=(-H "If-Match: $4"); fi
  curl "${args[@]}" "$api$1" | awk '{ printf "%.3f\n", $1 * 1000 }' ||
    { echo "bench: $2 $1 failed: $(cat "$work/b" 2>/dev/null)" >&2; exit 1; }
}
etag() { sed -n 's/^ETag: *\(.*\)\r$/\1/Ip' "$work/h"; }
p50p99() { sort -n "$1" | awk '{ t[NR] = $1 } END { printf "%.1f %.1f\n", t[int(NR * 0.5 + 0.5)], t[int(NR * 0.99 + 0.5)] }'; }

echo '{"rating":"partially","justification":"A meta caminha, mas as entregas atrasaram."}' \
  > "$work/put.json"
echo '{"rating":"achieved","justification":"Revista: a meta foi atingida."}' > "$work/put2.json"
: > "$work/create.ms"
: > "$work/replace.ms"
for pact in $pacts; do
  timed "/v1/pacts/$pact/co-evaluation" PUT "$work/put.json" >> "$work/create.ms"
  tag=$(etag)
  timed "/v1/pacts/$pact/co-evaluation" PUT "$work/put2.json" "$tag" >> "$work/replace.ms"
done
for _ in $(seq "$runs"); do timed "/v1/pacts/$one_pact/co-evaluations" GET; done > "$work/pact.ms"

rate() { # rate PATH [ACCEPT]: req/s of wrk on PATH, anonymous
  local header=()
  if [ -n "${2:-}" ]; then header=(-H "Accept: $2"); fi
  wrk -t2 -c"$connections" -d"${duration}s" "${header[@]}" "$api$1" |
    awk '/Requests\/sec/ { printf "%.0f", $2 }'
}
list="/v1/cycles/$cycle/co-evaluations"
json_rps=$(rate "$list?limit=500")
disagree_rps=$(rate "$list?disagreement=true&limit=500")
csv_rps=$(rate "$list" text/csv)
csv_bytes=$(curl -fsS -H 'Accept: text/csv' "$api$list" | wc -c)
csv_rows=$(psql_db -c "SELECT count(*) FROM co_evaluations")
dashboard_rps=$(rate "/v1/cycles/$cycle/dashboard")
municipality_rps=$(rate "/v1/municipalities/$own/dashboard?cycle_id=$cycle")
training=$(curl -fsS "$api/v1/cycles/$cycle/dashboard" | jq -c .training)

read -r c50 c99 < <(p50p99 "$work/create.ms")
read -r r50 r99 < <(p50p99 "$work/replace.ms")
read -r g50 g99 < <(p50p99 "$work/pact.ms")
cpus=$(nproc)
section=$(mktemp)
cat > "$section" <<EOF
## Forum and training

\`bench/forum.sh\` on $cpus CPUs ($(date -u +%Y-%m-%d)), one server, $runs sequential requests
per figure for (n) and (o); wrk with $connections connections for ${duration} s for (p) and (q).
A cycle of 500 pacts, each rated by 19 members seeded by SQL (9,500 co-evaluations) and by the
bench's own member through the API; 50 courses, 5,000 attendances of 2,500 team members.

| figure | p50 ms | p99 ms |
|---|---|---|
| (n) PUT a co-evaluation, first | $c50 | $c99 |
| (n) PUT a co-evaluation, replaced with If-Match | $r50 | $r99 |
| (o) GET a pact's 20 co-evaluations | $g50 | $g99 |

| figure | req/s |
|---|---|
| (p) GET the cycle's co-evaluations, a JSON page of 500 | $json_rps |
| (p) the same, disagreements only | $disagree_rps |
| (p) the whole list as CSV ($csv_rows rows, $csv_bytes bytes) | $csv_rps |
| (q) GET the cycle's dashboard, with training | $dashboard_rps |
| (q) GET a municipality's dashboard, with trained_people | $municipality_rps |

The cycle's training totals: \`$training\`.
EOF
bench_section "Forum and training" "$section"
cat "$section"
