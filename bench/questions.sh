#!/usr/bin/env bash
# Public questions under a burst (issue 11, Performance): PACTO_BENCH_QUESTIONS
# questions (default 2,000) from PACTO_BENCH_ADDRESSES client addresses
# (default 200, so 10 each: within the hourly limit of 20), all anonymous,
# behind a trusted proxy (PACTO_TRUSTED_PROXIES=127.0.0.1, each request with
# its own X-Forwarded-For), each with its own Idempotency-Key, sent once by
# one curl process with PACTO_BENCH_CONNECTIONS transfers in flight. Then
# checks: every answer 201, as many rows and audit events, one address hash
# per address, none of the addresses stored. Then 30 questions at once from
# one more address: exactly the limit (20) is admitted, the rest 429. Beside
# it, pgbench inserting the same rows (the INSERT alone, with the address
# hash made by the database) for the ceiling. Reports p50/p99 and rates in
# the "Public questions" section of bench/RESULTS.md.
#   bench/questions.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
concurrency=${PACTO_BENCH_CONNECTIONS:-32}
questions=${PACTO_BENCH_QUESTIONS:-2000}
addresses=${PACTO_BENCH_ADDRESSES:-200}
duration=${PACTO_BENCH_SECONDS:-10}
bench_start "${1:-build}" 55563
api=http://127.0.0.1:18163
password=bench-password-2026

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PACTO_DATABASE_URL" "$@"; }

echo "$password" | "$build/pacto" user add --email coord@bench.pacto --name Coordenação \
  --role secretariat --area coordination >/dev/null
export PACTO_TRUSTED_PROXIES=127.0.0.1
bench_serve "${api#http://}"

at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
coord=$(bench_login "$api" coord@bench.pacto "$password")
cycle=$(curl -fsS -H "Authorization: Bearer $coord" -H 'Content-Type: application/json' \
  -d "{\"name\":\"Parcerias Municipais (bench)\",\"state\":\"SP\",
       \"adhesion_opens_at\":\"$(at '-7 days')\",\"adhesion_closes_at\":\"$(at '+7 days')\",
       \"pact_opens_at\":\"$(at '+30 days')\",\"pact_closes_at\":\"$(at '+60 days')\",
       \"target_year\":2028}" "$api/v1/cycles" | jq -r .id)

# address I: 10.I/256.I%256.1, one per citizen.
address() { echo "10.$(($1 / 256)).$(($1 % 256)).1"; }
# question_curl N ADDRESS LABEL: curl -K lines of one anonymous question.
question_curl() {
  echo next
  printf 'url = "%s/v1/questions"\n' "$api"
  printf 'header = "X-Forwarded-For: %s"\n' "$2"
  printf 'header = "Idempotency-Key: q-%s"\nheader = "Content-Type: application/json"\n' "$1"
  printf 'data = "{\\"subject_type\\":\\"cycle\\",\\"subject_id\\":%s,' "$cycle"
  printf '\\"text\\":\\"Pergunta %s: quando sai o resultado?\\",' "$1"
  printf '\\"asker_name\\":\\"Cidadã %s\\"}"\n' "$1"
  printf 'output = "/dev/null"\nwrite-out = "%s %%{http_code} %%{time_total}\\n"\n' "$3"
}

for i in $(seq 0 $((questions - 1))); do
  question_curl "$i" "$(address $((i % addresses)))" "$i"
done | tail -n +2 > "$work/burst.curl"
bench_burst burst "$work/burst.curl" "$concurrency"
burst_sent=$sent burst_ok=$ok burst_p50=$p50 burst_p99=$p99 burst_rate=$rate
burst_seconds=$seconds
read -r rows hashes events stored < <(psql_db -F ' ' -c "
  SELECT count(*), count(DISTINCT client_hash),
         (SELECT count(*) FROM audit_events WHERE entity = 'question' AND action = 'create'),
         (SELECT count(*) FROM questions WHERE client_hash !~ '^[0-9a-f]{64}\$')
         + (SELECT count(*) FROM audit_events WHERE after::text ~ '10\\.[0-9]+\\.[0-9]+\\.1')
    FROM questions")
verdict=ok
for v in "$burst_sent" "$burst_ok" "$rows" "$events"; do
  if [ "$v" != "$questions" ]; then verdict=FAILED; fi
done
if [ "$hashes" != "$addresses" ] || [ "$stored" != 0 ]; then verdict=FAILED; fi

# The limit under concurrency: 30 at once from one address.
for i in $(seq 0 29); do question_curl "limit-$i" 10.255.255.1 "limit-$i"; done |
  tail -n +2 > "$work/limit.curl"
bench_burst limit "$work/limit.curl" 30
limit_ok=$ok
limit_refused=$(awk '$2 == 429' "$work/limit.out" | wc -l)
if [ "$limit_ok" != 20 ] || [ "$limit_refused" != 10 ]; then verdict=FAILED; fi

# The ceiling: the same INSERT, by pgbench, with the address hash made by
# the database from a random address.
cat > "$work/insert.sql" <<SQL
\set n random(1, 1000000000)
INSERT INTO questions (subject_type, subject_id, cycle_id, text, asker_name, client_hash, due_at)
VALUES ('cycle', $cycle, $cycle, 'Pergunta ' || :n || ': quando sai o resultado?', 'Cidadã',
        client_hash('10.9.' || :n), now() + interval '20 days');
SQL
tps=$(pgbench -n -M prepared -c "$concurrency" -j 2 -T "$duration" -f "$work/insert.sql" \
  "$PACTO_DATABASE_URL" 2>/dev/null | awk '/^tps/ { printf "%.0f", $3 }')

{
  echo "## Public questions"
  echo
  echo "Written by \`bench/questions.sh\` ($(date -u +%Y-%m-%dT%H:%M:%SZ)); $(nproc) cores, server and"
  echo "PostgreSQL 15 on the same machine, build: $build. $questions anonymous questions from"
  echo "$addresses client addresses ($((questions / addresses)) each, within the hourly limit of 20), behind a"
  echo "trusted proxy (each with its X-Forwarded-For), each with its own Idempotency-Key,"
  echo "$concurrency in flight (curl --parallel, keep-alive)."
  echo
  echo "| questions | seconds | questions/s | p50 ms | p99 ms | 201 answers | rows | address hashes | audit events | addresses stored | verdict |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  echo "| $burst_sent | $burst_seconds | $burst_rate | $burst_p50 | $burst_p99 | $burst_ok | $rows | $hashes | $events | $stored | $verdict |"
  echo
  echo "- Then 30 questions at once from one address: $limit_ok admitted (201), $limit_refused refused (429)."
  echo "- pgbench inserting the same rows (\`-M prepared -c $concurrency -j 2 -T $duration\`, the INSERT"
  echo "  alone with the address hash made by the database): $tps rows/s, the ceiling."
  echo "- Each question is one transaction: the subject looked up, the address's advisory lock and"
  echo "  hourly count (public_writes), the duplicate check, the insert, its audit event, and the"
  echo "  stored answer of its Idempotency-Key."
} > "$work/section.md"
bench_section "Public questions" "$work/section.md"
sed -n '/^## Public questions/,/^## [^P]/p' bench/RESULTS.md
if [ "$verdict" != ok ]; then
  echo "bench: the burst did not end as expected; answers other than 201:"
  awk '$2 != 201' "$work/burst.out" | head
  exit 1
fi
