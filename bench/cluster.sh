#!/usr/bin/env bash
# Scale-out (docs/SCALING.md): on the local cluster of scripts/cluster.sh,
#   (s) the CPU each request costs, on the three API servers together, on
#       pgbouncer and on PostgreSQL (primary and replica, every backend),
#       for the main operations: an authenticated GET (a municipality, by a
#       mayor's token), the public list page (cached by the servers), a
#       public list read from the replica (indicators), a CSV download (São
#       Paulo's 645 municipalities), a values import (5,570 rows), a plan
#       submit and a pact. Each is CPU time from /proc/<pid>/stat (utime +
#       stime, and cutime + cstime of the postmasters for the backends that
#       ended) before and after a wrk run or a burst of curl requests,
#       divided by the requests answered;
#   (t) the throughput of the authenticated GET and of the public list
#       through nginx in front of 1, 2 and 3 servers, beside one server
#       reached directly: on this machine's cores, which every process shares.
# Starts the cluster when it is not running (and stops it after); its data
# seeded once (200 mayors of São Paulo, a cycle, their adhesions), and each
# run adds two challenges with a plan per mayor (to submit, to pact).
# Written to the "Scale-out cluster" section of bench/RESULTS.md.
#   bench/cluster.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=$(realpath "${1:-build}")
data=$build/data
duration=${PACTO_BENCH_SECONDS:-10}
connections=${PACTO_BENCH_CONNECTIONS:-32}
mayors=${PACTO_BENCH_MAYORS:-200}
password=bench-password-2026
cluster=scripts/cluster.sh
work=$(mktemp -d /tmp/pacto-bench-cluster.XXXXXX)
started_here=0
if ! "$cluster" status >/dev/null; then
  started_here=1
  "$cluster" up "$build" >/dev/null
fi
finish() {
  PACTO_CLUSTER_SERVERS=3 "$cluster" up "$build" >/dev/null 2>&1 || true # nginx: all three again
  if [ "$started_here" = 1 ]; then "$cluster" down >/dev/null || true; fi
  rm -rf "$work"
}
trap finish EXIT
eval "$("$cluster" env)"
read -r -a servers <<<"$PACTO_CLUSTER_SERVERS_URLS"
nginx=$PACTO_CLUSTER_URL
export PACTO_DATABASE_URL=$PACTO_CLUSTER_PRIMARY_URL
psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PACTO_DATABASE_URL" "$@"; }
dir=${PACTO_CLUSTER_DIR:-$root/var/cluster}

# --- the data, once ----------------------------------------------------------
if [ "$(psql_db -c "SELECT to_regclass('bench_mayors') IS NULL")" = t ]; then
  echo "bench: seeding $mayors mayors of São Paulo, a cycle, two challenges and their plans"
  bench_mayors 35 "$mayors" 400000000 "$password"
  psql_db <<'SQL'
INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at, pact_opens_at,
                    pact_closes_at, target_year, commitments)
VALUES ('Parcerias Municipais (bench cluster)', 35, now() - interval '60 days',
        now() - interval '30 days', now() - interval '7 days', now() + interval '30 days', 2028,
        '["Pactuar metas"]');
INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)
SELECT c.id, u.municipality_id, 'SP-BENCH-' || u.municipality_id, u.id, c.commitments
  FROM users u JOIN bench_mayors b ON b.ibge_code = u.municipality_id,
       (SELECT * FROM cycles WHERE name = 'Parcerias Municipais (bench cluster)') c
 WHERE u.role = 'mayor';
INSERT INTO indicators (code, name, unit, polarity, source, periodicity, decimals, min_value,
                        area, first_period)
VALUES ('BENCH-TMI', 'Mortalidade infantil', 'per 1,000', 'lower_is_better', 'bench', 'annual',
        1, 0, 'health', '2000'),
       ('BENCH-IMPORT', 'Importação', '%', 'higher_is_better', 'bench', 'annual', 1, 0,
        'health', '2000');
SQL
fi
# Each run its own two challenges: drafts with three actions of two
# deliveries each (to submit), and approved plans (to pact).
run=$(date +%s)
psql_db -v sub="BS-$run" -v pact="BP-$run" <<'SQL'
INSERT INTO challenges (cycle_id, code, title, area, responsible_area)
SELECT c.id, x.code, x.title, 'health', 'health'
  FROM cycles c, (VALUES (:'sub', 'Plans to submit'), (:'pact', 'Plans to pact')) AS x (code, title)
 WHERE c.name = 'Parcerias Municipais (bench cluster)';
INSERT INTO challenge_indicators (challenge_id, indicator_id, role)
SELECT ch.id, i.id, 'main' FROM challenges ch, indicators i
 WHERE ch.code IN (:'sub', :'pact') AND i.code = 'BENCH-TMI';
INSERT INTO state_targets (challenge_id, indicator_id, target_value, target_year, rule, rule_value)
SELECT ch.id, i.id, 9, 2028, 'gap_closure', 0.5 FROM challenges ch, indicators i
 WHERE ch.code IN (:'sub', :'pact') AND i.code = 'BENCH-TMI';
INSERT INTO suggested_targets (challenge_id, indicator_id, municipality_id, baseline_value,
                               baseline_period, suggested_value, status)
SELECT t.challenge_id, t.indicator_id, b.ibge_code, 12 + b.i % 7, '2024', 10, 'suggested'
  FROM state_targets t JOIN challenges ch ON ch.id = t.challenge_id, bench_mayors b
 WHERE ch.code IN (:'sub', :'pact');
INSERT INTO incentives (challenge_id, title, type, amount_cents, source)
SELECT id, 'Repasse fundo a fundo', 'financial', 50000000, 'Fundo Estadual de Saúde'
  FROM challenges WHERE code = :'pact';
-- Drafts with three actions of two deliveries each (to submit), and
-- approved plans (to pact).
INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id, status, summary,
                          versions, created_by, submitted_at, approved_at)
SELECT ch.id, ch.cycle_id, a.municipality_id, a.id,
       CASE ch.code WHEN :'sub' THEN 'draft' ELSE 'approved' END, 'Plano',
       CASE ch.code WHEN :'sub' THEN 0 ELSE 1 END, a.signed_by,
       CASE ch.code WHEN :'sub' THEN NULL ELSE now() - interval '3 days' END,
       CASE ch.code WHEN :'sub' THEN NULL ELSE now() - interval '1 day' END
  FROM challenges ch JOIN adhesions a ON a.cycle_id = ch.cycle_id
 WHERE ch.code IN (:'sub', :'pact');
INSERT INTO plan_targets (plan_id, indicator_id, target_value)
SELECT p.id, s.indicator_id, s.suggested_value
  FROM action_plans p JOIN suggested_targets s
    ON s.challenge_id = p.challenge_id AND s.municipality_id = p.municipality_id
  JOIN challenges ch ON ch.id = p.challenge_id
 WHERE ch.code IN (:'sub', :'pact');
INSERT INTO plan_actions (plan_id, position, title, description, responsible_unit, start_date,
                          end_date)
SELECT p.id, n, 'Ação ' || n, 'Descrição da ação ' || n, 'Secretaria Municipal de Saúde',
       '2027-01-01', '2027-12-31'
  FROM action_plans p JOIN challenges ch ON ch.id = p.challenge_id, generate_series(0, 2) n
 WHERE ch.code = :'sub';
INSERT INTO plan_resources (action_id, position, amount_cents, source)
SELECT a.id, 0, 100000, 'municipal' FROM plan_actions a
  JOIN action_plans p ON p.id = a.plan_id JOIN challenges ch ON ch.id = p.challenge_id
 WHERE ch.code = :'sub';
INSERT INTO plan_deliveries (action_id, plan_id, position, title, due_date)
SELECT a.id, a.plan_id, n, 'Entrega ' || n, '2027-06-30'
  FROM plan_actions a JOIN action_plans p ON p.id = a.plan_id
  JOIN challenges ch ON ch.id = p.challenge_id, generate_series(0, 1) n
 WHERE ch.code = :'sub';
UPDATE action_plans p SET actions_count = 3, deliveries_count = 6, total_amount_cents = 300000
  FROM challenges ch WHERE ch.id = p.challenge_id AND ch.code = :'sub';
VACUUM ANALYZE action_plans, plan_actions, plan_resources, plan_deliveries, adhesions, users;
SQL
echo "bench-password-2026" | "$build/pacto" user add --email health@bench.pacto --name Saúde \
  --role secretariat --area health >/dev/null 2>&1 || true
# bench_mayors copies the hash of "a" mayor: the demo's mayors are mayors too.
# Every bench account gets the first one's; failures of earlier runs are forgotten.
psql_db <<'SQL'
UPDATE users SET password_hash = (SELECT u.password_hash FROM users u
                                    JOIN bench_mayors b ON u.municipality_id = b.ibge_code
                                   WHERE u.email LIKE 'mayor-%@bench.pacto' AND b.i = 1)
 WHERE email LIKE 'mayor-%@bench.pacto';
DELETE FROM login_throttle;
SQL

# --- CPU accounting ------------------------------------------------------------
hz=$(getconf CLK_TCK)
# ticks PID...: utime + stime of each (and cutime + cstime: children it reaped).
ticks() {
  local p sum=0 f
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    read -r -a f < <(sed 's/^.*) //' "/proc/$p/stat")
    sum=$((sum + f[11] + f[12] + f[13] + f[14]))
  done
  echo "$sum"
}
postmaster() { as_pg head -n 1 "$dir/$1/data/postmaster.pid"; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
server_pids() { cat "$dir"/servers/server-*.pid; }
pg_pids() {
  local pm
  for node in primary replica; do
    pm=$(postmaster "$node")
    echo "$pm"
    pgrep -P "$pm" || true
  done
}
sample() {
  # shellcheck disable=SC2046 # word splitting of pid lists is intended
  echo "$(ticks $(server_pids)) $(ticks "$(cat "$dir/pgbouncer/pgbouncer.pid")") $(ticks $(pg_pids))"
}
# cost BEFORE AFTER REQUESTS: "servers pgbouncer postgres" in ms of CPU per request.
cost() {
  awk -v a="$1" -v b="$2" -v n="$3" -v hz="$hz" 'BEGIN {
    split(a, x, " "); split(b, y, " ")
    printf "%.2f %.2f %.2f\n", (y[1] - x[1]) * 1000 / hz / n, (y[2] - x[2]) * 1000 / hz / n,
                               (y[3] - x[3]) * 1000 / hz / n }'
}

# wrk_count [wrk args...] URL: "requests req/s p50_ms p99_ms non2xx".
wrk_count() {
  wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" | awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
      return v
    }
    /requests in/ { n = $1 } /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /Requests\/sec/ { rps = $2 } /Non-2xx/ { errors = $NF }
    END { printf "%d %.0f %.2f %.2f %d\n", n, rps, p50, p99, errors + 0 }'
}

rows=()
# measure LABEL COMMAND...: runs the command (which prints "requests ..."), records the cost.
measure() {
  local label=$1 before after out n
  shift
  before=$(sample)
  out=$("$@")
  after=$(sample)
  n=${out%% *}
  [ "$n" -gt 0 ] || { echo "bench: $label answered nothing"; exit 1; }
  read -r cs cb cp < <(cost "$before" "$after" "$n")
  rows+=("| $label | $n | $cs | $cb | $cp |")
  echo "bench: $label: $out; CPU ms/request servers $cs, pgbouncer $cb, PostgreSQL $cp"
}

# --- (s) the operations ---------------------------------------------------------
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
psql_db -c "SELECT m.ibge_code FROM bench_mayors b JOIN municipalities m USING (ibge_code)" \
  >"$work/codes"
first=$(head -n 1 "$work/codes")
mayor_token=$(bench_login "${servers[0]}" "mayor-$first@bench.pacto" "$password")
health=$(bench_login "${servers[0]}" health@bench.pacto "$password")
export PACTO_BENCH_CODES=$work/codes PACTO_BENCH_TOKEN=$mayor_token
# Warm every server's caches (accounts, municipalities), as in production.
wrk -t2 -c"$connections" -d3s -s bench/random_municipality.lua "$nginx" >/dev/null

measure "authenticated GET /v1/municipalities/{code}" \
  wrk_count -s bench/random_municipality.lua "$nginx"
measure "public list GET /v1/municipalities?state=SP&limit=50 (cached)" \
  wrk_count "$nginx/v1/municipalities?state=SP&limit=50"
measure "public list GET /v1/indicators?limit=50 (replica)" \
  wrk_count "$nginx/v1/indicators?limit=50"
measure "CSV GET /v1/municipalities?state=SP (645 rows, replica)" \
  wrk_count -H 'Accept: text/csv' "$nginx/v1/municipalities?state=SP"

# imports N: N imports of every municipality's value for one period, one at a time.
import_id=$(psql_db -c "SELECT id FROM indicators WHERE code = 'BENCH-IMPORT'")
imports() {
  local i ok=0
  for i in $(seq "$1"); do
    awk -v p=$((2000 + i)) 'BEGIN { print "ibge_code,period,value" } NR > 1 { printf "%s,%d,%.1f\n", $1, p, NR % 100 }' \
      FS=, "$data/ibge-municipios.csv" >"$work/import.csv"
    curl -fsS -o /dev/null -H "Authorization: Bearer $health" -H 'Content-Type: text/csv' \
      --data-binary "@$work/import.csv" "$nginx/v1/indicators/$import_id/values" && ok=$((ok + 1))
  done
  echo "$ok"
}
measure "import POST /v1/indicators/{id}/values (5,570 rows)" imports 10

# The mayors log in (4 at a time), then every plan is submitted and every
# approved plan pacted, in bursts over nginx.
psql_db -F ' ' -c "SELECT u.municipality_id, u.cpf, s.id, p.id FROM users u
    JOIN action_plans s ON s.municipality_id = u.municipality_id
    JOIN challenges cs ON cs.id = s.challenge_id AND cs.code = 'BS-$run' AND s.status = 'draft'
    JOIN action_plans p ON p.municipality_id = u.municipality_id
    JOIN challenges cp ON cp.id = p.challenge_id AND cp.code = 'BP-$run' AND p.status = 'approved'
   WHERE u.role = 'mayor' ORDER BY 1" >"$work/mayors"
[ -s "$work/mayors" ] || { echo "bench: no plans to submit and pact"; exit 1; }
# Directly on a server: nginx lets 10 logins a minute through per address.
bench_logins "${servers[0]}" "$work/mayors" "$password"
while read -r code cpf sub pact; do
  echo next
  printf 'url = "%s/v1/action-plans/%s/submit"\nrequest = "POST"\n' "$nginx" "$sub"
  printf 'header = "Authorization: Bearer %s"\n' "$(bench_token "$code")"
  printf 'output = "/dev/null"\nwrite-out = "%s %%{http_code} %%{time_total}\\n"\n' "$code"
  : "$cpf $pact"
done <"$work/mayors" | tail -n +2 >"$work/submit.curl"
while read -r code cpf sub pact; do
  echo next
  printf 'url = "%s/v1/action-plans/%s/pact"\n' "$nginx" "$pact"
  printf 'header = "Authorization: Bearer %s"\n' "$(bench_token "$code")"
  printf 'header = "Idempotency-Key: pact-%s-%s"\nheader = "Content-Type: application/json"\n' "$run" "$code"
  printf 'data = "{\\"mayor_cpf\\":\\"%s\\"}"\n' "$cpf"
  printf 'output = "/dev/null"\nwrite-out = "%s %%{http_code} %%{time_total}\\n"\n' "$code"
  : "$sub"
done <"$work/mayors" | tail -n +2 >"$work/pact.curl"
# shellcheck disable=SC2154 # sent, rate, p50, p99: set by bench_burst
burst() {
  bench_burst "$1" "$work/$1.curl" "$connections"
  local good
  good=$(awk '$2 == 200 || $2 == 201' "$work/$1.out" | wc -l)
  [ "$good" = "$sent" ] || { echo "bench: $1: $good of $sent answered 2xx:" >&2; awk '$2 >= 300' "$work/$1.out" | head -3 >&2; }
  echo "$good $rate req/s p50 $p50 ms p99 $p99 ms"
}
measure "plan submit POST /v1/action-plans/{id}/submit" burst submit
measure "pact POST /v1/action-plans/{id}/pact" burst pact

# --- (t) throughput: 1, 2, 3 servers behind nginx, and one directly ----------
tput=()
read -r _ d_auth _ _ _ < <(wrk_count -s bench/random_municipality.lua "${servers[0]}")
read -r _ d_list _ _ _ < <(wrk_count "${servers[0]}/v1/municipalities?state=SP&limit=50")
tput+=("| one server, directly | $d_auth | $d_list | $(cut -d' ' -f1 /proc/loadavg) |")
for k in 1 2 3; do
  PACTO_CLUSTER_SERVERS=$k "$cluster" up "$build" >/dev/null
  sleep 1
  read -r _ a _ _ _ < <(wrk_count -s bench/random_municipality.lua "$nginx")
  read -r _ l _ _ _ < <(wrk_count "$nginx/v1/municipalities?state=SP&limit=50")
  tput+=("| nginx → $k server$([ "$k" = 1 ] || echo s) | $a | $l | $(cut -d' ' -f1 /proc/loadavg) |")
  echo "bench: nginx in front of $k: authenticated GET $a req/s, public list $l req/s"
done

{
  echo "## Scale-out cluster"
  echo
  echo "Written by \`bench/cluster.sh\` ($(date -u +%Y-%m-%dT%H:%M:%SZ)); $(nproc) cores shared by every"
  echo "process below, build: $build. The local cluster of \`scripts/cluster.sh\`: nginx, three"
  echo "\`pacto serve\` (PACTO_DB_POOLER=transaction), pgbouncer 1.18 in transaction mode before the"
  echo "primary, a streaming replica read directly, all PostgreSQL 15 on this machine; the IBGE"
  echo "lists, $mayors mayors of São Paulo with plans. Load: wrk -t2 -c$connections for ${duration} s"
  echo "through nginx, or bursts of curl --parallel $connections (submit, pact), or one import at a time."
  echo
  echo "CPU per request, in milliseconds: user + system time of the processes (/proc/<pid>/stat,"
  echo "the postmasters' reaped children included) over the run, divided by the requests answered."
  echo "nginx and the load generator are not counted. Load average (1, 5, 15 min) before the"
  echo "run: $load_before; the machine is shared, so figures move from run to run."
  echo
  echo "| operation | requests | API servers | pgbouncer | PostgreSQL (primary + replica) |"
  echo "|---|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Throughput (req/s) through nginx in front of 1, 2 and 3 servers, beside one server reached"
  echo "directly. Two cores run wrk, nginx, the servers and PostgreSQL together: more servers add"
  echo "no cores here, so these figures show what the hop through nginx and more processes"
  echo "contending for the same cores cost, not the scaling a machine per server would give."
  echo
  echo "| topology | authenticated GET | public list (cached) | load average after |"
  echo "|---|---:|---:|---:|"
  printf '%s\n' "${tput[@]}"
} >"$work/section.md"
bench_section "Scale-out cluster" "$work/section.md"
sed -n '/^## Scale-out cluster/,$p' bench/RESULTS.md
