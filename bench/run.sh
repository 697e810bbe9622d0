#!/usr/bin/env bash
# Benchmarks on this machine, all in one run, written to bench/RESULTS.md:
#   (a) bench_bare: civetweb with pacto's settings answering a constant JSON
#       body of the size of (b)'s in one write (the HTTP ceiling),
#   (b) pacto: authenticated GET /v1/municipalities/{code} on random codes,
#   (c) the peer (bench/peer: Fastify, node-postgres, fast-jwt, one node
#       process per core) doing the same work as (b), with the same token,
#   (d) pacto: the public list page GET /v1/municipalities?state=SP&limit=50,
#   (e) pgbench running the plain SELECT of (d)'s rows (bench/list_page.sql):
#       the ceiling of (d), as many clients as wrk has connections,
# then bench/values.sh (the values import against psql \copy; its own section).
# Ratios against the goals: (b)/(a), (b)/(c) and (d)/(e). With
# PACTO_BENCH_STRACE=1 it also counts pacto's (and bench_bare's) system calls
# per request under strace; without it, the previous counts are kept.
# It starts its own PostgreSQL, imports the real IBGE lists (data/, through the
# build), installs the peer's npm packages when they are missing, and stops
# everything it started when done or on failure. usage: bench/run.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
duration=${PACTO_BENCH_SECONDS:-15}
connections=${PACTO_BENCH_CONNECTIONS:-32}
threads=${PACTO_THREADS:-64}
strace_on=${PACTO_BENCH_STRACE:-0}
for tool in wrk pgbench node npm; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not installed"; exit 1; }
done
if [ "$strace_on" = 1 ]; then
  command -v strace >/dev/null || { echo "bench: strace is not installed"; exit 1; }
fi
peer_dir="$(dirname "$0")/peer"
if [ ! -d "$peer_dir/node_modules" ]; then
  npm ci --prefix "$peer_dir" --silent --no-audit --no-fund
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
bench_start "${1:-build}" 55480
export PACTO_THREADS=$threads
echo "bench-password-2026" | "$build/pacto" user add --email bench@bench.pacto --name Bench \
  --role secretariat --area health >/dev/null
cut -d, -f1 "$data/ibge-municipios.csv" | tail -n +2 > "$work/codes"

# run_wrk [wrk args...] URL: prints "req/s p50_ms p99_ms non2xx"
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

# warm URL: the first read of each municipality and account goes to
# PostgreSQL and fills the caches, and the measured run is the steady state.
# Two connections walk every code once each (so that both of the peer's
# processes, which keep one cache each, get all of them; the peer's primary
# hands connections out round robin), then 5 s of the measured load.
warm() {
  local walker pids=()
  sed "s|^|url = \"$1/v1/municipalities/|; s|\$|\"\noutput = \"/dev/null\"|" "$work/codes" \
    > "$work/walk.curl"
  for walker in 1 2; do
    curl -sS -H "Authorization: Bearer $token" -w '%{http_code}\n' -K "$work/walk.curl" \
      > "$work/walk-$walker.out" &
    pids+=($!)
  done
  for walker in "${pids[@]}"; do wait "$walker"; done
  if [ "$(sort -u "$work"/walk-*.out)" != 200 ]; then
    echo "bench: warm-up of $1 got answers other than 200:"
    sort "$work"/walk-*.out | uniq -c
    exit 1
  fi
  wrk -t2 -c"$connections" -d5s -s bench/random_municipality.lua "$1" >/dev/null
}

# (a) the ceiling.
"$build/bench_bare" 127.0.0.1:18090 "$threads" & bare_pid=$!
bench_pids+=("$bare_pid")
wait_http http://127.0.0.1:18090/
read -r a_rps a_p50 a_p99 a_err < <(run_wrk http://127.0.0.1:18090/)

# (b) pacto.
bench_serve 127.0.0.1:18091
token=$(bench_login http://127.0.0.1:18091 bench@bench.pacto bench-password-2026)
export PACTO_BENCH_TOKEN=$token PACTO_BENCH_CODES=$work/codes
warm http://127.0.0.1:18091
read -r b_rps b_p50 b_p99 b_err < <(run_wrk -s bench/random_municipality.lua http://127.0.0.1:18091)

# (c) the peer, with the token pacto issued, against the same database; it is
# stopped after its run so that it takes no CPU from the others.
PEER_LISTEN=127.0.0.1:18092 node "$peer_dir/server.mjs" >"$work/peer.log" 2>&1 & peer_pid=$!
bench_pids+=("$peer_pid")
for _ in $(seq 100); do grep -q '^peer: .* workers listening' "$work/peer.log" && break; sleep 0.1; done
grep -q '^peer: .* workers listening' "$work/peer.log" || { cat "$work/peer.log"; exit 1; }
wait_http http://127.0.0.1:18092/readyz
peer_workers=$(sed -n 's/^peer: \([0-9]*\) workers listening.*/\1/p' "$work/peer.log")
warm http://127.0.0.1:18092
kill -USR2 "$peer_pid"
read -r c_rps c_p50 c_p99 c_err < <(run_wrk -s bench/random_municipality.lua http://127.0.0.1:18092)
kill -USR2 "$peer_pid"
sleep 0.5
# The database reads of the measured run: per worker, its last count less the one before.
read -r c_account_reads c_municipality_reads < <(awk '/^peer-reads / {
    before_a[$2] = last_a[$2]; before_m[$2] = last_m[$2]; last_a[$2] = $3; last_m[$2] = $4 }
  END { for (p in last_a) { a += last_a[p] - before_a[p]; m += last_m[p] - before_m[p] }
        printf "%d %d\n", a, m }' "$work/peer.log")
bench_stop "$peer_pid"

# (d) pacto's public list page, then (e) PostgreSQL's bare rows for it.
read -r d_rps d_p50 d_p99 d_err < <(run_wrk "http://127.0.0.1:18091/v1/municipalities?state=SP&limit=50")
d_bytes=$(curl -fsS "http://127.0.0.1:18091/v1/municipalities?state=SP&limit=50" | wc -c)
pgbench -n -M prepared -c "$connections" -j 2 -T "$duration" -f bench/list_page.sql \
  -l --log-prefix="$work/pgbench" "$PACTO_DATABASE_URL" > "$work/pgbench.out" 2>&1 ||
  { cat "$work/pgbench.out"; exit 1; }
e_tps=$(awk '/^tps = / { printf "%.0f", $3 }' "$work/pgbench.out")
e_failed=$(awk '/^number of failed transactions:/ { print $5 }' "$work/pgbench.out")
read -r e_p50 e_p99 < <(cat "$work"/pgbench.[0-9]* | awk '{ print $3 }' | sort -n | awk '
  { t[NR] = $1 / 1000 } END { printf "%.2f %.2f\n", t[int(NR * 0.50 + 0.5)], t[int(NR * 0.99 + 0.5)] }')
rss_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$server_pid/status")

# System calls per request: strace -c on every thread of the server during
# 3 s of wrk on one connection; counts divided by the requests wrk made.
# syscalls NAME PID [wrk args...] URL writes "requests sendto recvfrom
# newfstatat newfstatat_failed all others..." to $work/syscalls-NAME, where
# others lists the other calls made at least once every 20 requests.
syscalls() {
  local name=$1 pid=$2 st requests
  shift 2
  strace -c -f -p "$pid" -o "$work/strace-$name.txt" 2>/dev/null & st=$!
  bench_pids+=("$st")
  # Every thread of the server traced before wrk starts.
  for _ in $(seq 100); do
    ! grep -q '^TracerPid:[[:space:]]*0$' /proc/"$pid"/task/*/status && break
    sleep 0.1
  done
  wrk -t1 -c1 -d3s "$@" > "$work/wrk-strace-$name.txt"
  bench_stop "$st" INT
  requests=$(awk '/requests in/ { print $1 }' "$work/wrk-strace-$name.txt")
  awk -v n="$requests" '
    /^-/ || /syscall$/ || NF < 5 { next }
    { calls[$NF] = $4; errors[$NF] = (NF == 6 ? $5 : 0); order[++k] = $NF }
    END {
      for (i = 1; i <= k; i++) {
        c = order[i]
        if (c !~ /^(sendto|recvfrom|newfstatat|total)$/ && calls[c] / n >= 0.05)
          others = others (others == "" ? "" : ", ") sprintf("%s %.2f", c, calls[c] / n)
      }
      printf "%d %.2f %.2f %.2f %.2f %.1f %s\n", n, calls["sendto"] / n, calls["recvfrom"] / n,
        calls["newfstatat"] / n, errors["newfstatat"] / n, calls["total"] / n,
        others == "" ? "none" : others
    }' "$work/strace-$name.txt" > "$work/syscalls-$name"
}
if [ "$strace_on" = 1 ]; then
  syscalls pacto "$server_pid" -s bench/random_municipality.lua http://127.0.0.1:18091
  syscalls bare "$bare_pid" http://127.0.0.1:18090/
  read -r sb_n sb_send sb_recv sb_stat sb_stat_err sb_all sb_other < "$work/syscalls-pacto"
  read -r sa_n sa_send sa_recv sa_stat sa_stat_err sa_all sa_other < "$work/syscalls-bare"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

ratio() { awk -v x="$1" -v y="$2" -v f="$3" 'BEGIN { printf f, x / y }'; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
# The system-call counts of an earlier run, when not made now, and the sections
# the other benchmarks write after it (bench_section): keep them.
syscalls_kept=$(awk '/^## / { keep = ($0 == "## System calls per request") } keep' bench/RESULTS.md 2>/dev/null || true)
kept_sections=$(awk '/^## / { keep = ($0 != "## System calls per request") } keep' bench/RESULTS.md 2>/dev/null || true)
b_of_a=$(awk -v b="$b_rps" -v a="$a_rps" 'BEGIN { printf "%.0f", 100 * b / a }')
b_over_c=$(ratio "$b_rps" "$c_rps" '%.2f')
d_over_e=$(ratio "$d_rps" "$e_tps" '%.2f')
{
  echo "# Benchmark results"
  echo
  echo "Written by \`bench/run.sh\` ($(date -u +%Y-%m-%dT%H:%M:%SZ)); $(nproc) cores ($cpu),"
  echo "wrk -t2 -c$connections -d${duration}s on loopback; every server, PostgreSQL 15, wrk and pgbench"
  echo "on the same machine; the real 5,570 IBGE municipalities loaded. Build: $build."
  echo "Load average (1, 5, 15 min) before the run: $load_before; after it: $load_after."
  echo
  echo "| scenario | req/s | p50 ms | p99 ms | non-2xx |"
  echo "|---|---:|---:|---:|---:|"
  echo "| (a) bare civetweb, pacto's settings, constant JSON in one write | $a_rps | $a_p50 | $a_p99 | $a_err |"
  echo "| (b) pacto: GET /v1/municipalities/{code}, authenticated, random codes | $b_rps | $b_p50 | $b_p99 | $b_err |"
  echo "| (c) peer, Fastify + node-postgres + fast-jwt: the same as (b) | $c_rps | $c_p50 | $c_p99 | $c_err |"
  echo "| (d) pacto: GET /v1/municipalities?state=SP&limit=50, public | $d_rps | $d_p50 | $d_p99 | $d_err |"
  echo "| (e) pgbench: the plain SELECT of (d)'s rows (tps; failed transactions) | $e_tps | $e_p50 | $e_p99 | $e_failed |"
  echo
  echo "- (b) is ${b_of_a}% of (a) (goal: at least 60%)."
  echo "- (b) is ${b_over_c}× (c) (goal: at least 3×)."
  echo "- (d) is ${d_over_e}× (e) (goal: at least 1.0)."
  echo "- pacto's peak RSS (VmHWM) over the run: $((rss_kb / 1024)) MiB (goal: under 64 MB)."
  echo "- (a) is civetweb with the options of pacto's server ($threads threads, keep-alive,"
  echo "  tcp_nodelay, the same no-op authorization handler) and one handler: status line, Date,"
  echo "  Content-Type, Content-Length, a new 32-hex-digit X-Request-Id, X-Content-Type-Options"
  echo "  and a constant 332-byte JSON body (São Paulo as (b) answers it) in one buffer, one"
  echo "  mg_write, as pacto's send_response does. No routing, no token, no database."
  echo "- (b) does per request: JWT verification (HS256; a token's verification is remembered"
  echo "  until it expires, so after its first request only its bytes are compared), the account"
  echo "  check (is the user still"
  echo "  active, does the token still match its role) and the municipality read. Accounts and"
  echo "  municipalities are cached in memory and evicted by PostgreSQL NOTIFY on change. (b) and"
  echo "  (c) are measured after a warm-up: two connections each read every code once, then 5 s"
  echo "  of the measured load."
  echo "- (c) is bench/peer/server.mjs (versions pinned by its package-lock.json) on Node.js"
  echo "  $(node --version), $peer_workers worker processes (node cluster, one per core; the primary"
  echo "  hands connections out round robin), verifying the very token pacto issued. It does"
  echo "  what (b) does: fast-jwt HS256 verification with the same secret, issuer and audience"
  echo "  (its token cache on, as pacto remembers verified tokens), pacto's account query and checks, pacto's municipality"
  echo "  statement (JSON built by PostgreSQL) and pacto's rendering for a secretariat caller"
  echo "  (mayor_name, masked mayor_cpf). Accounts and municipalities are cached like pacto's"
  echo "  (bounded Maps, cleared when full) but one cache per process and with no NOTIFY"
  echo "  eviction, which pacto pays for and the peer does not. Database reads during its"
  echo "  measured run: $c_account_reads accounts, $c_municipality_reads municipalities."
  echo "- (d): the first request of a page reads PostgreSQL through pacto's pool of"
  echo "  ${PACTO_DB_POOL:-8} connections (PostgreSQL builds each row's JSON); the page is then kept,"
  echo "  per viewer and query, until a change to what it shows is notified, as an ETag'd public"
  echo "  GET that nginx or a CDN could also keep. $d_bytes bytes per answer."
  echo "- (e) is \`pgbench -n -M prepared -c $connections -j 2 -T $duration -f bench/list_page.sql\`:"
  echo "  the plain SELECT of the columns the list shows (ibge_code, name, state, region,"
  echo "  latitude, longitude, capital, created_at, updated_at) of SP's first 51 municipalities,"
  echo "  with $connections database connections; p50/p99 from its per-transaction log."
  if [ "$strace_on" = 1 ]; then
    echo
    echo "## System calls per request"
    echo
    echo "Written by \`PACTO_BENCH_STRACE=1 bench/run.sh\` ($(date -u +%Y-%m-%dT%H:%M:%SZ)): \`strace -c -f\`"
    echo "attached to every thread of the server during \`wrk -t1 -c1 -d3s\` (one keep-alive"
    echo "connection); each count divided by the requests wrk made. strace slows the server"
    echo "down, so the request counts say nothing about speed."
    echo
    echo "| server | requests | sendto | recvfrom | newfstatat (failed) | all system calls | of which others, ≥ 0.05 |"
    echo "|---|---:|---:|---:|---:|---:|---|"
    echo "| (b) pacto, GET /v1/municipalities/{code}, authenticated | $sb_n | $sb_send | $sb_recv | $sb_stat ($sb_stat_err) | $sb_all | $sb_other |"
    echo "| (a) bare civetweb | $sa_n | $sa_send | $sa_recv | $sa_stat ($sa_stat_err) | $sa_all | $sa_other |"
    echo
    echo "- Before every response was one write, pacto made 12 sendto calls per request, and one"
    echo "  failing newfstatat (civetweb looking for a .htpasswd file)."
  elif [ -n "$syscalls_kept" ]; then
    printf '\n%s\n' "$syscalls_kept"
  fi
  if [ -n "$kept_sections" ]; then printf '\n%s\n' "$kept_sections"; fi
} > "$work/RESULTS.md"
mv "$work/RESULTS.md" bench/RESULTS.md
# indicator values: the values import, on its own PostgreSQL and
# server; it replaces its own section of RESULTS.md.
bash "$root/bench/values.sh" "$build" >/dev/null
cat bench/RESULTS.md
