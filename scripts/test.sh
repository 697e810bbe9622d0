#!/usr/bin/env bash
# Runs every test stage against a throwaway PostgreSQL cluster:
#   unit         BUILD_DIR/test_unit, while the database is set up
#   integration  BUILD_DIR/test_integration, over HTTP against `pacto serve`.
#                Each suite runs in a process of its own, against a server of
#                its own, on a database of its own: a copy (CREATE DATABASE
#                ... TEMPLATE) of database pacto, which is migrated and holds
#                the fixture. PACTO_TEST_JOBS suites (default 4) run at a
#                time; then, one by one and with nothing else using
#                PostgreSQL, the suites that must run alone (they restart it).
#   server-exit  every server stops on SIGTERM with status 0 (under ASan: no
#                errors, no leaks)
#   contract     every response the integration suites received, checked
#                against api/openapi.yaml (scripts/contract-check.sh)
#   lint         scripts/lint.sh, once the suites that run together are done
# and ends with the line "N passed, N failed". Each suite's output is printed
# when it ends, each background stage's when it is reported.
#   scripts/test.sh BUILD_DIR [SUITE...]   (SUITE...: only these integration suites)
# Needs bash 5.1 (wait -n -p).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:?usage: scripts/test.sh BUILD_DIR [SUITE...]}")
shift
only=("$@")
pg=$root/scripts/pg.sh
pgbin=/usr/lib/postgresql/15/bin
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Check gives each test 4 s by default: too little for a database restart under ASan.
export CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-30}
jobs=${PACTO_TEST_JOBS:-4}
if ! [[ $jobs =~ ^[1-9][0-9]*$ ]]; then
  echo "test.sh: PACTO_TEST_JOBS must be a positive number, not $jobs" >&2
  exit 2
fi
# A server takes about 2 s to stop (civetweb's accept loop wakes every 2 s),
# so the servers of ended suites are left stopping while the next suites run. Each server holds up to 9 connections (PACTO_DB_POOL 8 and its
# listener) and its suite one more: the cluster is given room for this many
# servers at once, with some to spare for the identity-provider suite's own.
max_servers=24

tmp=$(mktemp -d /tmp/pacto-test.XXXXXX)
chmod 0711 "$tmp" # as root, pg.sh runs PostgreSQL as postgres, who must get through
pgdir=$tmp/pg
# The process group of every suite (its test process, its server and any
# server a test starts) and of every stage run in the background.
groups=()
cleanup() {
  local g
  for g in "${groups[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
  "$pg" stop "$pgdir" || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

declare -A taken_ports=()
# take_port BASE: sets $port to a random port in BASE..BASE+999 that nothing
# listens on and that this run has not handed out yet.
take_port() {
  local p
  for _ in {1..100}; do
    p=$(($1 + RANDOM % 1000))
    if [ -z "${taken_ports[$p]:-}" ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      taken_ports[$p]=1
      port=$p
      return 0
    fi
  done
  echo "test.sh: no free port in $1..$(($1 + 999))" >&2
  return 1
}

# since START: the seconds, to a tenth, since START (an $EPOCHREALTIME).
since() {
  local us=$((${EPOCHREALTIME//[.,]/} - ${1//[.,]/}))
  printf '%d.%d' $((us / 1000000)) $((us / 100000 % 10))
}

# db_url ROLE DATABASE: the libpq URL of DATABASE on the test cluster.
db_url() { echo "postgresql://$1@/$2?${template_url#*\?}"; }

# admin_sql SQL: runs SQL as the cluster's superuser.
admin_sql() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -d "$(db_url postgres postgres)" -c "$1"; }

# start_database: starts the cluster with room for max_servers servers, and
# fills database pacto, the template of the suites' own: migrated, with the
# fixture.
start_database() {
  PACTO_PG_NOSYNC=1 "$pg" start "$pgdir" "$pgport" &&
    admin_sql "ALTER SYSTEM SET max_connections = $((max_servers * 10 + 30))" &&
    "$pg" stop "$pgdir" && "$pg" start "$pgdir" "$pgport" &&
    "$build/pacto" migrate && "$build/test_integration" --load-fixture
}

# start_server DIR: starts `pacto serve` with the environment as it is, its
# output in DIR/server.log. DIR/server.pid gets its pid and, once it has
# exited, DIR/server.rc its exit status. Returns once /healthz answers; on
# failure the server, if it still runs, is asked to stop.
start_server() {
  local dir=$1
  (
    "$build/pacto" serve >"$dir/server.log" 2>&1 </dev/null &
    echo $! >"$dir/server.pid.new" && mv "$dir/server.pid.new" "$dir/server.pid"
    rc=0
    wait $! || rc=$?
    echo "$rc" >"$dir/server.rc.new" && mv "$dir/server.rc.new" "$dir/server.rc"
  ) &
  local deadline=$((SECONDS + 15))
  while [ ! -e "$dir/server.pid" ]; do sleep 0.01; done
  while [ "$SECONDS" -lt "$deadline" ]; do
    if curl -fsS --max-time 1 -o /dev/null "$PACTO_TEST_URL/healthz" 2>/dev/null; then return 0; fi
    if [ -e "$dir/server.rc" ]; then
      echo "test.sh: the server exited during start-up"
      return 1
    fi
    sleep 0.02
  done
  echo "test.sh: /healthz did not answer within 15 s"
  stop_server "$dir"
  return 1
}

# stop_server DIR: sends the server SIGTERM and notes when; await_servers
# waits for it to exit.
stop_server() {
  echo "$EPOCHSECONDS" >"$1/server.stopping"
  kill -TERM "$(cat "$1/server.pid")" 2>/dev/null || true
}

# run_suite NAME: runs one suite in $tmp/suites/NAME, on its own copy of the
# template and its own server (PACTO_LISTEN, PACTO_TEST_URL and
# PACTO_TEST_IDP_PORT are set). Returns the suite's status, leaving the server
# stopping.
run_suite() {
  local name=$1 dir=$tmp/suites/$1 rc=0
  echo "database pacto_$name, a copy of pacto; server on $PACTO_TEST_URL"
  admin_sql "CREATE DATABASE pacto_$name OWNER pacto TEMPLATE pacto" || return 1
  PACTO_DATABASE_URL=$(db_url pacto "pacto_$name")
  export PACTO_DATABASE_URL PACTO_TEST_FRESH_DATABASE=1
  start_server "$dir" || return 1
  "$build/test_integration" "$name" </dev/null || rc=$?
  stop_server "$dir"
  return "$rc"
}

declare -A job_suite=() suite_started=()
suites_run=0
suites_failed=()
checks=0
check_failures=0
check_errors=0

# launch_suite NAME: starts run_suite NAME in the background, in a process
# group of its own, its output in $tmp/suites/NAME/out.log.
launch_suite() {
  local name=$1 dir=$tmp/suites/$1 port server_port idp_port
  mkdir -p "$dir"
  take_port 21000 || return 1
  server_port=$port
  # The identity-provider suite starts a second server of its own on this port.
  take_port 22000 || return 1
  idp_port=$port
  suite_started[$name]=$EPOCHREALTIME
  set -m
  (
    export PACTO_LISTEN=127.0.0.1:$server_port PACTO_TEST_URL=http://127.0.0.1:$server_port
    export PACTO_TEST_IDP_PORT=$idp_port
    run_suite "$name"
  ) >"$dir/out.log" 2>&1 </dev/null &
  set +m
  job_suite[$!]=$name
  groups+=("$!")
}

# reap_suite: waits for a suite launched by launch_suite to end, then prints
# its output and counts its result.
reap_suite() {
  local pid rc=0 line counted=0
  wait -n -p pid "${!job_suite[@]}" || rc=$?
  local name=${job_suite[$pid]}
  unset "job_suite[$pid]"
  cat "$tmp/suites/$name/out.log"
  while IFS= read -r line; do
    if [[ $line =~ ^[0-9]+%:\ Checks:\ ([0-9]+),\ Failures:\ ([0-9]+),\ Errors:\ ([0-9]+)$ ]]; then
      checks=$((checks + BASH_REMATCH[1]))
      check_failures=$((check_failures + BASH_REMATCH[2]))
      check_errors=$((check_errors + BASH_REMATCH[3]))
      counted=1
    fi
  done <"$tmp/suites/$name/out.log"
  suites_run=$((suites_run + 1))
  local took
  took=$(since "${suite_started[$name]}")
  if [ "$rc" -eq 0 ] && [ "$counted" = 1 ]; then
    echo "--- suite $name: passed (${took} s)"
  else
    echo "--- suite $name: FAILED (status $rc, ${took} s)"
    suites_failed+=("$name")
  fi
}

# servers_alive: how many servers run or are about to (one per suite not yet
# reaped) or are stopping.
servers_alive() {
  local n=${#job_suite[@]} dir
  for dir in "$tmp"/suites/*/; do
    if [ -e "$dir/server.stopping" ] && [ ! -e "$dir/server.rc" ]; then n=$((n + 1)); fi
  done
  echo "$n"
}

# await_servers: waits until every server has exited; one that still runs 20 s
# after SIGTERM is killed.
await_servers() {
  local dir waiting=1
  while [ "$waiting" = 1 ]; do
    waiting=0
    for dir in "$tmp"/suites/*/; do
      if [ -e "$dir/server.pid" ] && [ ! -e "$dir/server.rc" ]; then
        waiting=1
        if [ -e "$dir/server.stopping" ] && [ $((EPOCHSECONDS - $(cat "$dir/server.stopping"))) -gt 20 ]; then
          echo "test.sh: the server of suite $(basename "$dir") still runs 20 s after SIGTERM; killing it"
          kill -KILL "$(cat "$dir/server.pid")" 2>/dev/null || true
        fi
      fi
    done
    if [ "$waiting" = 1 ]; then sleep 0.05; fi
  done
}

# integration [COMMAND...]: every suite as the top says, running COMMAND
# once the suites that run together are done; passes when every suite passed
# and at least one check ran.
integration() {
  local list name mode together=() alone=() started=$EPOCHREALTIME ok=1
  list=$("$build/test_integration" --list) || return 1
  while read -r name mode; do
    if ! [[ $name =~ ^[a-z0-9_]+$ ]]; then
      echo "test.sh: suite name \"$name\" is not a database name; use a-z, 0-9 and _"
      return 1
    fi
    if [ "${#only[@]}" -gt 0 ] && ! [[ " ${only[*]} " == *" $name "* ]]; then continue; fi
    if [ "$mode" = alone ]; then alone+=("$name"); else together+=("$name"); fi
  done <<<"$list"
  for name in "${only[@]}"; do
    if ! [[ $'\n'$list$'\n' =~ $'\n'$name($'\n'|\ ) ]]; then
      echo "test.sh: no suite named $name (see $build/test_integration --list)"
      return 1
    fi
  done
  echo "${#together[@]} suites, $jobs at a time; then alone: ${alone[*]:-none}"
  for name in "${together[@]}"; do
    while [ "${#job_suite[@]}" -ge "$jobs" ]; do reap_suite; done
    while [ "$(servers_alive)" -ge "$max_servers" ]; do sleep 0.05; done
    launch_suite "$name" || { ok=0; break; }
  done
  while [ "${#job_suite[@]}" -gt 0 ]; do reap_suite; done
  "$@"
  for name in "${alone[@]}"; do
    [ "$ok" = 1 ] || break
    await_servers # nothing else may use PostgreSQL
    launch_suite "$name" || { ok=0; break; }
    reap_suite
  done
  echo "integration: $checks checks in $suites_run suites, $check_failures failures," \
    "$check_errors errors ($(since "$started") s)"
  if [ "${#suites_failed[@]}" -gt 0 ]; then echo "failed: ${suites_failed[*]}"; fi
  [ "$ok" = 1 ] && [ "${#suites_failed[@]}" -eq 0 ] && [ "$checks" -gt 0 ]
}

# server_exit: every server that was started exited 0 after SIGTERM.
servers_failed=()
server_exit() {
  local dir rc
  await_servers
  for dir in "$tmp"/suites/*/; do
    if [ -e "$dir/server.rc" ]; then
      rc=$(cat "$dir/server.rc")
      if [ "$rc" -ne 0 ]; then
        echo "test.sh: the server of suite $(basename "$dir") exited with status $rc"
        servers_failed+=("$(basename "$dir")")
      fi
    fi
  done
  [ "${#servers_failed[@]}" -eq 0 ] && [ "$suites_run" -gt 0 ]
}

passed=0
failed=0
# stage NAME COMMAND...: runs one counted test stage.
stage() {
  local name=$1
  shift
  echo "=== $name"
  if "$@"; then
    passed=$((passed + 1))
    echo "=== $name: passed"
  else
    failed=$((failed + 1))
    echo "=== $name: FAILED"
  fi
}

declare -A background=()
# stage_start NAME COMMAND...: starts a stage that needs no database in the
# background, in a process group of its own; stage_end reports it.
stage_start() {
  local name=$1
  shift
  set -m
  "$@" >"$tmp/stage-$name.log" 2>&1 </dev/null &
  set +m
  background[$name]=$!
  groups+=("$!")
}

# stage_end NAME COMMAND...: waits for the stage stage_start started and
# prints its output; runs it now if it was not started.
stage_end() {
  local name=$1
  if [ -z "${background[$name]:-}" ]; then stage_start "$@"; fi
  stage "$name" report_background "$name"
}

# report_background NAME: the output and the status of stage NAME.
report_background() {
  local rc=0
  wait "${background[$1]}" || rc=$?
  cat "$tmp/stage-$1.log"
  return "$rc"
}

take_port 55432
pgport=$port
template_url=$("$pg" url "$pgdir" "$pgport")
if [[ $template_url != postgresql://pacto@/pacto\?* ]]; then
  echo "test.sh: unexpected URL from pg.sh: $template_url" >&2
  exit 1
fi
PACTO_DATABASE_URL=$template_url
PACTO_JWT_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
printf -v PACTO_TEST_PG_STOP '%q stop %q' "$pg" "$pgdir"
printf -v PACTO_TEST_PG_START '%q start %q %q' "$pg" "$pgdir" "$pgport"
export PACTO_DATABASE_URL PACTO_JWT_SECRET PACTO_TEST_PG_STOP PACTO_TEST_PG_START
export PACTO_TEST_BINARY=$build/pacto
export PACTO_JWT_ISSUER=pacto-test PACTO_JWT_AUDIENCE=pacto-test-api
export PACTO_CORS_ORIGINS=https://app.example.test PACTO_THREADS=16 PACTO_LOG_LEVEL=info

stage_start unit "$build/test_unit"
db_ready=0
echo "=== database on $pgdir (port $pgport): start, migrate, load the fixture"
if start_database; then db_ready=1; fi

if [ "$db_ready" = 1 ]; then
  # Every suite's client appends each exchange to one file (one write a line).
  export PACTO_TEST_RECORD=$tmp/responses.jsonl
  # Lint starts once the suites that run together are done: it fills the
  # wait for their servers to stop and the suites that run alone.
  stage integration integration stage_start lint "$root/scripts/lint.sh"
  stage server-exit server_exit
  stage contract "$root/scripts/contract-check.sh" "$PACTO_TEST_RECORD"
else
  echo "=== integration, server-exit, contract: FAILED (no database)"
  failed=$((failed + 3))
fi
stage_end unit "$build/test_unit"
stage_end lint "$root/scripts/lint.sh"

for name in $(printf '%s\n' "${suites_failed[@]}" "${servers_failed[@]}" | sort -u); do
  if [ -s "$tmp/suites/$name/server.log" ]; then
    echo "--- last 50 lines of the server log of suite $name"
    tail -n 50 "$tmp/suites/$name/server.log"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
