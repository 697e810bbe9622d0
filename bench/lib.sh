#!/usr/bin/env bash
# Shared pieces of the benchmarks (sourced by every bench/*.sh):
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
#   bench_mayors, bench_logins, bench_token, bench_burst
#                                   many mayors at once: accounts, tokens, and a
#                                   burst of requests (see each below)
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
    /^## / { if (skip) { skip = 0; print "" } if ($0 == title) { put(); skip = 1; next } }
    !skip { print }
    END { if (!done) { print ""; put() } }' bench/RESULTS.md > "$out"
  mv "$out" bench/RESULTS.md
}

# bench_mayors STATE_CODE N CPF_BASE PASSWORD: the first N municipalities of
# the state by IBGE code (all of them when N is 0), listed in table
# bench_mayors (ibge_code, i), each with a registered mayor CPF (9 digits
# from CPF_BASE + 1 on, in IBGE code order, then the two check digits) and a
# mayor account mayor-<ibge>@bench.pacto with PASSWORD: one made by `pacto
# user add` (one Argon2 hash), the others with a copy of its hash by SQL.
bench_mayors() {
  local state=$1 n=$2 base=$3 password=$4 first first_cpf
  psql -X -q -v ON_ERROR_STOP=1 "$PACTO_DATABASE_URL" -v state="$state" -v n="$n" \
    -v base="$base" <<'SQL'
CREATE FUNCTION pg_temp.bench_cpf(base bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    digits text := lpad(base::text, 9, '0');
    s int;
BEGIN
    FOR k IN 1..2 LOOP
        s := 0;
        FOR i IN 1..length(digits) LOOP
            s := s + substr(digits, i, 1)::int * (length(digits) + 2 - i);
        END LOOP;
        digits := digits || CASE WHEN s % 11 < 2 THEN 0 ELSE 11 - s % 11 END;
    END LOOP;
    RETURN digits;
END $$;
CREATE TABLE bench_mayors AS
SELECT ibge_code, row_number() OVER (ORDER BY ibge_code) AS i
  FROM municipalities WHERE state_code = :state ORDER BY ibge_code
 LIMIT CASE WHEN :n = 0 THEN NULL ELSE :n END;
UPDATE municipalities m
   SET mayor_name = 'Prefeito(a) de ' || m.name, mayor_cpf = pg_temp.bench_cpf(:base + b.i)
  FROM bench_mayors b
 WHERE m.ibge_code = b.ibge_code;
SQL
  read -r first first_cpf < <(psql -X -At -F ' ' "$PACTO_DATABASE_URL" -c \
    "SELECT m.ibge_code, m.mayor_cpf FROM bench_mayors b JOIN municipalities m USING (ibge_code)
      ORDER BY 1 LIMIT 1")
  echo "$password" | "$build/pacto" user add --email "mayor-$first@bench.pacto" \
    --name "Prefeito(a) $first" --role mayor --municipality "$first" --cpf "$first_cpf" >/dev/null
  psql -X -q -v ON_ERROR_STOP=1 "$PACTO_DATABASE_URL" <<'SQL'
INSERT INTO users (name, email, cpf, role, municipality_id, password_hash)
SELECT m.mayor_name, 'mayor-' || m.ibge_code || '@bench.pacto', m.mayor_cpf, 'mayor', m.ibge_code,
       (SELECT password_hash FROM users WHERE role = 'mayor' LIMIT 1)
  FROM bench_mayors b JOIN municipalities m USING (ibge_code)
 WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.municipality_id = m.ibge_code);
SQL
}

# bench_logins URL FILE PASSWORD: every mayor of FILE (whose lines start
# with an IBGE code) logs in through POST /v1/auth/token, 4 at a time
# (Argon2 on the server); the answers are in $work/tokens/<ibge>, read by
# bench_token.
bench_logins() {
  local code rest
  mkdir -p "$work/tokens"
  # curl -K files: one section per request, separated by "next".
  while read -r code rest; do
    echo next
    printf 'url = "%s/v1/auth/token"\nheader = "Content-Type: application/json"\n' "$1"
    printf 'data = "{\\"email\\":\\"mayor-%s@bench.pacto\\",\\"password\\":\\"%s\\"}"\n' \
      "$code" "$3"
    printf 'output = "%s/tokens/%s"\n' "$work" "$code"
    : "$rest"
  done < "$2" | tail -n +2 > "$work/logins.curl"
  curl -sS --no-progress-meter -Z --parallel-max 4 -K "$work/logins.curl" 2>"$work/logins.err" ||
    { cat "$work/logins.err"; exit 1; }
}
bench_token() { sed 's/.*"access_token":"\([^"]*\)".*/\1/' "$work/tokens/$1"; }

# bench_burst NAME FILE CONCURRENCY: sends the requests of the curl -K FILE
# (each writing "<label> <status> <seconds>") at once, CONCURRENCY in flight
# on keep-alive connections; their lines are in $work/NAME.out. Sets sent, ok
# (201 answers), p50 and p99 (ms), rate (requests/s) and seconds.
# shellcheck disable=SC2034 # the results are for the caller
bench_burst() {
  local started finished
  started=$(date +%s.%N)
  curl -sS --no-progress-meter -Z --parallel-max "$3" -K "$2" > "$work/$1.out" 2>"$work/$1.err"
  finished=$(date +%s.%N)
  read -r sent ok p50 p99 < <(sort -k3 -g "$work/$1.out" | awk '
    { t[NR] = $3 * 1000; if ($2 == 201) ok++ }
    END { printf "%d %d %.1f %.1f\n", NR, ok, t[int(NR * 0.50 + 0.5)], t[int(NR * 0.99 + 0.5)] }')
  rate=$(awk -v n="$sent" -v a="$started" -v b="$finished" 'BEGIN { printf "%.0f", n / (b - a) }')
  seconds=$(awk -v a="$started" -v b="$finished" 'BEGIN { printf "%.2f", b - a }')
}
