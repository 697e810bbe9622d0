#!/usr/bin/env bash
# Benchmarks on this machine, all in one run, written to bench/RESULTS.md:
#   (a) bench_bare: civetweb answering a constant JSON body (the HTTP ceiling),
#   (b) pacto: authenticated GET /v1/municipalities/{code} on random codes,
#   (c) pacto: public list page of 50 municipalities.
# It starts its own PostgreSQL, imports the real IBGE lists (data/, through the build),
# and stops everything when done. usage: bench/run.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
duration=${PACTO_BENCH_SECONDS:-15}
connections=${PACTO_BENCH_CONNECTIONS:-32}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)"; exit 1; }
bench_start "${1:-build}" 55480
echo "bench-password-2026" | "$build/pacto" user add --email bench@bench.pacto --name Bench \
  --role secretariat --area health >/dev/null
cut -d, -f1 "$data/ibge-municipios.csv" | tail -n +2 > "$work/codes"

# run NAME URL [wrk args...]: prints "req/s p50_ms p99_ms"
run_wrk() {
  local out
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$@")
  echo "$out" > "$work/wrk-$RANDOM.txt"
  echo "$out" | awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
      return v
    }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /Requests\/sec/ { rps = $2 } /Non-2xx/ { errors = $NF }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, errors + 0 }'
}

"$build/bench_bare" 127.0.0.1:18090 64 & bench_pids+=($!)
wait_http http://127.0.0.1:18090/
read -r a_rps a_p50 a_p99 a_err < <(run_wrk http://127.0.0.1:18090/)

bench_serve 127.0.0.1:18091
token=$(bench_login http://127.0.0.1:18091 bench@bench.pacto bench-password-2026)
export PACTO_BENCH_TOKEN=$token PACTO_BENCH_CODES=$work/codes
# Warm-up: the first read of each municipality and account goes to PostgreSQL
# and fills the cache; the measured run is the steady state.
wrk -t2 -c"$connections" -d5s -s bench/random_municipality.lua http://127.0.0.1:18091 >/dev/null
read -r b_rps b_p50 b_p99 b_err < <(run_wrk -s bench/random_municipality.lua http://127.0.0.1:18091)
read -r c_rps c_p50 c_p99 c_err < <(run_wrk "http://127.0.0.1:18091/v1/municipalities?limit=50")
rss_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$server_pid/status")

ratio=$(awk -v a="$a_rps" -v b="$b_rps" 'BEGIN { printf "%.0f", 100 * b / a }')
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
# bench/adhesions.sh writes its own section at the end: keep it.
storm=$(sed -n '/^## Adhesion storm/,$p' bench/RESULTS.md 2>/dev/null || true)
{
  echo "# Benchmark results"
  echo
  echo "Written by \`bench/run.sh\` ($(date -u +%Y-%m-%dT%H:%M:%SZ)); $(nproc) cores ($cpu),"
  echo "wrk -t2 -c$connections -d${duration}s on loopback, server and PostgreSQL 15 on the same"
  echo "machine, the real 5,570 IBGE municipalities loaded. Build: $build."
  echo
  echo "| scenario | req/s | p50 ms | p99 ms | non-2xx |"
  echo "|---|---:|---:|---:|---:|"
  echo "| (a) bare civetweb, constant JSON | $a_rps | $a_p50 | $a_p99 | $a_err |"
  echo "| (b) GET /v1/municipalities/{code}, authenticated, random codes | $b_rps | $b_p50 | $b_p99 | $b_err |"
  echo "| (c) GET /v1/municipalities?limit=50, public | $c_rps | $c_p50 | $c_p99 | $c_err |"
  echo
  echo "- (b) is ${ratio}% of (a) (goal: at least 45%)."
  echo "- pacto's peak RSS (VmHWM) over the run: $((rss_kb / 1024)) MiB (goal: under 64 MB)."
  echo "- (b) does per request: JWT verification (HS256), the account check (is the user still"
  echo "  active, does the token still match its role) and the municipality read. Accounts and"
  echo "  municipalities are cached in memory and evicted by PostgreSQL NOTIFY on change; (b) is"
  echo "  measured after a 5 s warm-up that reads every code through the database once."
  echo "- (c) reads PostgreSQL on every request (lists are not cached)."
  if [ -n "$storm" ]; then printf '\n%s\n' "$storm"; fi
} > bench/RESULTS.md
cat bench/RESULTS.md
