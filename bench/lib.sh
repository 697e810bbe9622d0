#!/usr/bin/env bash
# Shared pieces of the benchmarks (sourced by bench/run.sh and bench/adhesions.sh):
# a private PostgreSQL loaded with the real IBGE lists, pacto servers, logins,
# and cleaning up everything they started.
#   bench_start BUILD_DIR PG_PORT   checks the data, starts PostgreSQL, migrates,
#                                   imports states and municipalities; sets
#                                   root, build, data, work and exports PACTO_*
#   bench_serve HOST:PORT           starts `pacto serve` there; sets server_pid
#   bench_login URL EMAIL PASSWORD  prints an access token
#   wait_http URL                   waits until URL answers 2xx
#   bench_stop PID [SIGNAL]         stops a process started here (SIGTERM unless
#                                   told) and waits for it
# The IBGE lists are the build's plain copies of data/ (made by cmake in
# BUILD_DIR/data); a build without them stops the benchmark with an error.

bench_pids=()
bench_pg_dir=

bench_cleanup() {
  local status=$?
  if [ "$status" != 0 ] && [ -n "${work:-}" ]; then
    for log in "$work"/serve-*.log; do
      [ -f "$log" ] && { echo "bench: the end of $log:"; tail -n 20 "$log"; }
    done
  fi
  for pid in "${bench_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$bench_pg_dir" ]; then
    bash "$root/scripts/pg.sh" stop "$bench_pg_dir" >/dev/null 2>&1 || true
  fi
  if [ -n "${work:-}" ]; then rm -rf "$work"; fi
}

bench_start() {
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  cd "$root" || exit 1
  build=$1
  data="$build/data"
  if [[ ! -f "$data/ibge-municipios.csv" || ! -f "$data/ibge-estados.csv" ]]; then
    echo "bench: $data/ibge-*.csv not found; configure the build with cmake first."
    exit 1
  fi
  work=$(mktemp -d /tmp/pacto-bench.XXXXXX)
  chmod 755 "$work"
  bench_pg_dir="$work/pg"
  trap bench_cleanup EXIT
  bash scripts/pg.sh start "$bench_pg_dir" "$2" >/dev/null
  PACTO_DATABASE_URL=$(bash scripts/pg.sh url "$bench_pg_dir" "$2")
  PACTO_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  export PACTO_DATABASE_URL PACTO_JWT_SECRET PACTO_LOG_LEVEL=warn
  "$build/pacto" migrate >/dev/null
  "$build/pacto" import-states "$data/ibge-estados.csv" >/dev/null
  "$build/pacto" import-municipalities "$data/ibge-municipios.csv" >/dev/null
}

wait_http() {
  for _ in $(seq 100); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "bench: $1 did not come up"
  exit 1
}

bench_stop() {
  local pid=$1 others=() p
  kill -s "${2:-TERM}" "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${bench_pids[@]}"; do [ "$p" = "$pid" ] || others+=("$p"); done
  bench_pids=("${others[@]}")
}

bench_serve() {
  PACTO_LISTEN=$1 "$build/pacto" serve >"$work/serve-${1##*:}.log" 2>&1 &
  server_pid=$!
  bench_pids+=("$server_pid")
  wait_http "http://$1/readyz"
}

bench_login() {
  curl -fsS -H 'Content-Type: application/json' \
    -d "{\"email\":\"$2\",\"password\":\"$3\"}" "$1/v1/auth/token" |
    sed 's/.*"access_token":"\([^"]*\)".*/\1/'
}

# bench_section TITLE FILE: makes FILE (markdown, on stdin's side: the new
# section's body, starting with its "## TITLE" line) the section TITLE of
# bench/RESULTS.md, in place of the old one or at the end; every other section
# is kept as it was.
bench_section() {
  local title=$1 new=$2 out
  out=$(mktemp)
  awk -v title="## $title" -v new="$new" '
    function put(  line) { while ((getline line < new) > 0) print line; close(new); done = 1 }
    /^## / { if (skip) skip = 0; if ($0 == title) { put(); skip = 1; next } }
    !skip { print }
    END { if (!done) { print ""; put() } }' bench/RESULTS.md > "$out"
  mv "$out" bench/RESULTS.md
}
