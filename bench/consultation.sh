#!/usr/bin/env bash
# Public consultations (Performance): a consultation under a burst.
#   (a) 2,000 comments in one minute from 200 client addresses, each within
#       its hourly limit (10 each, the limit being 20): anonymous POSTs
#       through the server as behind a trusted proxy (X-Forwarded-For), sent
#       in 60 one-second waves of about 34 at once, each with its own
#       Idempotency-Key; p50 and p99 of the answers, and the rows counted
#       afterwards: 0 lost is 2,000 answers 201, 2,000 comments and 2,000
#       audit events;
#   (b) the same 2,000 comments (on another consultation, from 200 other
#       addresses) at once, 64 in flight: what the server sustains;
#   (c) the ceiling in the same run: pgbench inserting the same 2,000 rows
#       (the comment with its address hash, and its audit event) straight
#       into PostgreSQL, 20 clients.
# Written to the "Public consultations" section of bench/RESULTS.md.
#   bench/consultation.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
addresses=200
per_address=10
waves=60
bench_start "${1:-build}" 55498
api=http://127.0.0.1:18110
password=bench-password-2026

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PACTO_DATABASE_URL" "$@"; }

echo "$password" | "$build/pacto" user add --email coord@bench.pacto --name Coordenação \
  --role secretariat --area coordination >/dev/null
PACTO_TRUSTED_PROXIES=127.0.0.1 bench_serve "${api#http://}"
coord=$(bench_login "$api" coord@bench.pacto "$password")
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
post() { # post TOKEN PATH BODY: prints the answer, fails on an error status
  curl -fsS -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -d "$3" "$api$2"
}
cycle=$(post "$coord" /v1/cycles "{\"name\":\"Parcerias Municipais (bench)\",\"state\":\"SP\",
  \"adhesion_opens_at\":\"$(at '-7 days')\",\"adhesion_closes_at\":\"$(at '+7 days')\",
  \"pact_opens_at\":\"$(at '+30 days')\",\"pact_closes_at\":\"$(at '+60 days')\",
  \"target_year\":2028}" | jq -r .id)
consultation() {
  post "$coord" /v1/consultations "{\"subject_type\":\"cycle\",\"subject_id\":$cycle,
    \"title\":\"$1\",\"opens_at\":\"$(at '-1 hour')\",\"closes_at\":\"$(at '+1 day')\"}" |
    jq -r .id
}
burst=$(consultation "Consulta do ciclo (rajada)")
flood=$(consultation "Consulta do ciclo (de uma vez)")
ceiling=$(consultation "Consulta do ciclo (teto)")

# comment_config CONSULTATION SUBNET I: the curl -K section of comment I, from
# address number I % addresses (10.0.SUBNET.1 on), so each address sends
# per_address comments.
comment_config() {
  local a=$(($3 % addresses))
  echo next
  printf 'url = "%s/v1/consultations/%s/comments"\n' "$api" "$1"
  printf 'header = "X-Forwarded-For: 10.0.%d.%d"\n' "$2" $((a + 1))
  printf 'header = "Idempotency-Key: burst-%d-%d"\nheader = "Content-Type: application/json"\n' \
    "$2" "$3"
  printf 'data = "{\\"author_name\\":\\"Cidadã %d\\",\\"text\\":\\"Comentário %d sobre o ciclo: mais agentes de saúde no bairro %d.\\"}"\n' \
    "$a" "$3" "$a"
  printf 'output = "/dev/null"\nwrite-out = "%d %%{http_code} %%{time_total}\\n"\n' "$3"
}

# (a) the minute: comment i in wave i * waves / total.
total=$((addresses * per_address))
mkdir -p "$work/waves"
for ((i = 0; i < total; i++)); do
  comment_config "$burst" 0 "$i" >> "$work/waves/$((i * waves / total)).curl"
done
started=$(date +%s.%N)
wave_pids=()
for ((w = 0; w < waves; w++)); do
  tail -n +2 "$work/waves/$w.curl" > "$work/waves/$w.k"
  curl -sS --no-progress-meter -Z --parallel-max 64 -K "$work/waves/$w.k" \
    > "$work/waves/$w.out" 2>"$work/waves/$w.err" &
  wave_pids+=("$!")
  # the next wave one second after this one started
  sleep "$(awk -v s="$started" -v w="$w" -v now="$(date +%s.%N)" \
    'BEGIN { d = s + w + 1 - now; printf "%.3f", (d > 0 ? d : 0) }')"
done
wait "${wave_pids[@]}" # not the server's
finished=$(date +%s.%N)
cat "$work"/waves/*.out > "$work/burst.out"
read -r sent ok p50 p99 < <(sort -k3 -g "$work/burst.out" | awk '
  { t[NR] = $3 * 1000; if ($2 == 201) ok++ }
  END { printf "%d %d %.1f %.1f\n", NR, ok, t[int(NR * 0.50 + 0.5)], t[int(NR * 0.99 + 0.5)] }')
seconds=$(awk -v a="$started" -v b="$finished" 'BEGIN { printf "%.1f", b - a }')
read -r rows distinct audited < <(psql_db -F ' ' -c "
  SELECT count(*), count(DISTINCT client_hash),
         (SELECT count(*) FROM audit_events e JOIN consultation_comments k
             ON e.entity = 'consultation_comment' AND e.entity_id = k.id::text
          WHERE k.consultation_id = $burst AND e.action = 'create')
    FROM consultation_comments WHERE consultation_id = $burst")
verdict=ok
for v in "$sent" "$ok" "$rows" "$audited"; do
  if [ "$v" != "$total" ]; then verdict=FAILED; fi
done
if [ "$distinct" != "$addresses" ]; then verdict=FAILED; fi

# (b) the same at once (bench_burst: sent, ok, p50, p99, rate, seconds).
read -r a_sent a_ok a_p50 a_p99 a_seconds <<<"$sent $ok $p50 $p99 $seconds"
a_rate=$(awk -v n="$a_sent" -v s="$a_seconds" 'BEGIN { printf "%.0f", n / s }')
for ((i = 0; i < total; i++)); do comment_config "$flood" 1 "$i"; done | tail -n +2 > "$work/flood.curl"
bench_burst flood "$work/flood.curl" 64
b_rows=$(psql_db -c "SELECT count(*) FROM consultation_comments WHERE consultation_id = $flood")
if [ "$ok" != "$total" ] || [ "$b_rows" != "$total" ]; then verdict=FAILED; fi

# (c) the ceiling: the same rows, straight into PostgreSQL.
cat > "$work/insert.sql" <<SQL
\set a random(0, $((addresses - 1)))
\set n random(1, 1000000000)
WITH k AS (INSERT INTO consultation_comments (consultation_id, author_name, text, client_hash,
                                              status)
           VALUES ($ceiling, 'Cidadã ' || :a,
                   'Comentário ' || :n || ' sobre o ciclo: mais agentes de saúde no bairro ' || :a,
                   client_hash('10.0.0.' || :a), 'pending') RETURNING *)
INSERT INTO audit_events (action, entity, entity_id, after, request_id)
SELECT 'create', 'consultation_comment', k.id::text, consultation_comment_snapshot(k), 'bench'
  FROM k;
SQL
clients=20
read -r c_tps c_latency < <(pgbench -n -M prepared -c "$clients" -j 2 -t $((total / clients)) \
  -f "$work/insert.sql" "$PACTO_DATABASE_URL" 2>/dev/null |
  awk '/^latency average/ { l = $4 } /^tps/ { t = $3 } END { printf "%.0f %.1f\n", t, l }')
c_rows=$(psql_db -c "SELECT count(*) FROM consultation_comments WHERE consultation_id = $ceiling")

{
  echo "## Public consultations"
  echo
  echo "Written by \`bench/consultation.sh\` ($(date -u +%Y-%m-%dT%H:%M:%SZ)); $(nproc) cores, server and"
  echo "PostgreSQL 15 on the same machine, build: $build. One consultation under a burst:"
  echo "$total anonymous comments in one minute from $addresses client addresses ($per_address each; the"
  echo "hourly limit is 20), forwarded by a trusted proxy, sent in $waves one-second waves of about"
  echo "$((total / waves)) at once (curl --parallel), each with its own Idempotency-Key."
  echo
  echo "| burst | comments | seconds | comments/s | p50 ms | p99 ms | 201 answers | rows | distinct address hashes | audit events |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  echo "| (a) in one minute | $a_sent | $a_seconds | $a_rate | $a_p50 | $a_p99 | $a_ok | $rows | $distinct | $audited |"
  echo "| (b) at once, 64 in flight | $sent | $seconds | $rate | $p50 | $p99 | $ok | $b_rows | | |"
  echo
  echo "| (c) ceiling | rows | tps | mean latency ms |"
  echo "|---|---:|---:|---:|"
  echo "| pgbench: the same insert and audit event, $clients clients | $c_rows | $c_tps | $c_latency |"
  echo
  echo "Verdict (every comment answered 201 and stored, none lost): $verdict."
  echo
  echo "- Each comment is one transaction: the consultation read FOR SHARE, the window against the"
  echo "  database clock, the address's hourly count (an advisory lock per address, its row in"
  echo "  public_writes), the duplicate check over the address's last 24 hours, the insert, its"
  echo "  audit event and the stored answer of its Idempotency-Key. The ceiling does only the"
  echo "  insert and the audit event."
} > "$work/section.md"
bench_section "Public consultations" "$work/section.md"
sed -n '/^## Public consultations/,/^## [^P]/p' bench/RESULTS.md
if [ "$verdict" != ok ]; then
  echo "bench: a burst did not end with $total comments; answers other than 201:"
  awk '$2 != 201' "$work/burst.out" "$work/flood.out" | head
  exit 1
fi
