#!/usr/bin/env bash
# Runs every test stage against a throwaway PostgreSQL cluster and server:
#   unit         BUILD_DIR/test_unit
#   integration  BUILD_DIR/test_integration, over HTTP against `pacto serve`
#   server-exit  the server stops on SIGTERM with status 0 (under ASan: no
#                errors, no leaks)
#   contract     every response the integration stage received, checked
#                against api/openapi.yaml (scripts/contract-check.sh)
#   lint         scripts/lint.sh
# and ends with the line "N passed, N failed".
#   scripts/test.sh BUILD_DIR
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:?usage: scripts/test.sh BUILD_DIR}")
pg=$root/scripts/pg.sh
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Check gives each test 4 s by default: too little for a database restart under ASan.
export CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-30}

tmp=$(mktemp -d /tmp/pacto-test.XXXXXX)
chmod 0711 "$tmp" # as root, pg.sh runs PostgreSQL as postgres, who must get through
pgdir=$tmp/pg
log=$tmp/server.log
server=
cleanup() {
  if [ -n "$server" ]; then kill -KILL "$server" 2>/dev/null || true; fi
  "$pg" stop "$pgdir" || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# free_port BASE: a random port in BASE..BASE+999 that nothing listens on.
free_port() {
  local port
  for _ in {1..100}; do
    port=$(($1 + RANDOM % 1000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "test.sh: no free port in $1..$(($1 + 999))" >&2
  return 1
}

start_server() {
  "$build/pacto" serve >"$log" 2>&1 &
  server=$!
  local deadline=$((SECONDS + 15))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if curl -fsS --max-time 1 -o /dev/null "$PACTO_TEST_URL/healthz" 2>/dev/null; then return 0; fi
    if ! kill -0 "$server" 2>/dev/null; then
      echo "test.sh: the server exited during start-up"
      return 1
    fi
    sleep 0.1
  done
  echo "test.sh: /healthz did not answer within 15 s"
  return 1
}

stop_server() {
  local rc=0 deadline=$((SECONDS + 20))
  kill -TERM "$server" 2>/dev/null || true
  while kill -0 "$server" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
  if kill -0 "$server" 2>/dev/null; then
    echo "test.sh: the server still runs 20 s after SIGTERM; killing it"
    kill -KILL "$server"
  fi
  wait "$server" || rc=$?
  server=
  if [ "$rc" -ne 0 ]; then echo "test.sh: the server exited with status $rc"; fi
  return "$rc"
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

pgport=$(free_port 55432)
# Below the ephemeral range (32768-60999), where outgoing connections could
# already hold the port.
port=$(free_port 21000)
PACTO_DATABASE_URL=$("$pg" url "$pgdir" "$pgport")
PACTO_JWT_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
printf -v PACTO_TEST_PG_STOP '%q stop %q' "$pg" "$pgdir"
printf -v PACTO_TEST_PG_START '%q start %q %q' "$pg" "$pgdir" "$pgport"
export PACTO_DATABASE_URL PACTO_JWT_SECRET PACTO_TEST_PG_STOP PACTO_TEST_PG_START
export PACTO_LISTEN=127.0.0.1:$port PACTO_TEST_URL=http://127.0.0.1:$port
# The identity-provider suite starts a second server of its own on this port.
PACTO_TEST_IDP_PORT=$(free_port 22000)
export PACTO_TEST_BINARY=$build/pacto PACTO_TEST_IDP_PORT
export PACTO_JWT_ISSUER=pacto-test PACTO_JWT_AUDIENCE=pacto-test-api
export PACTO_CORS_ORIGINS=https://app.example.test PACTO_THREADS=16 PACTO_LOG_LEVEL=info

db_ready=0
echo "=== database on $pgdir (port $pgport): start and migrate"
if PACTO_PG_NOSYNC=1 "$pg" start "$pgdir" "$pgport" && "$build/pacto" migrate; then db_ready=1; fi

stage unit "$build/test_unit"

if [ "$db_ready" = 1 ] && start_server; then
  PACTO_TEST_RECORD=$tmp/responses.jsonl stage integration "$build/test_integration"
  stage server-exit stop_server
  stage contract "$root/scripts/contract-check.sh" "$tmp/responses.jsonl"
else
  echo "=== integration, server-exit, contract: FAILED (no database or no server)"
  failed=$((failed + 3))
fi

server_stages_failed=$failed
stage lint "$root/scripts/lint.sh"

if [ "$server_stages_failed" -gt 0 ] && [ -s "$log" ]; then
  echo "--- last 50 lines of the server log"
  tail -n 50 "$log"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
