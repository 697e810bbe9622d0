#!/usr/bin/env bash
# Evidence files (Performance):
#   (n) upload of a 5 MiB PDF to evidence of a pacted plan's delivery, by the
#       municipality's representative, and its download: MB/s of
#       PACTO_BENCH_RUNS (default 10) sequential requests each (a different
#       file per upload, so that none is a stored file reused);
#   (o) the server's peak RSS (VmHWM, /proc) while 16 uploads of 5 MiB run at
#       once (curl --parallel), on a server started for it, beside its RSS
#       idle: the file must not be held whole twice per upload.
# Written to the "Evidence files" section of bench/RESULTS.md.
#   bench/evidence.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
runs=${PACTO_BENCH_RUNS:-10}
parallel=16
mib=5
bench_start "${1:-build}" 55490
api=http://127.0.0.1:18102
password=bench-password-2026

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PACTO_DATABASE_URL" "$@"; }

own=$(psql_db -c "SELECT ibge_code FROM municipalities WHERE state_code = 50 ORDER BY 1 LIMIT 1")
add_user() { echo "$password" | "$build/pacto" user add "$@" >/dev/null; }
add_user --email rep@bench.pacto --name Representante --role representative --municipality "$own"

# A pacted plan of the municipality with one delivery per upload, each with
# evidence awaiting review (as POST .../evidence stores it), by SQL: the
# plan's editing, review and pact have benchmarks of their own.
deliveries=$((runs + parallel))
psql_db <<SQL
INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at, pact_opens_at,
                    pact_closes_at, target_year, commitments)
VALUES ('Parcerias (bench)', 50, now() - interval '40 days', now() - interval '30 days',
        now() - interval '20 days', now() - interval '10 days', 2027, '[]');
INSERT INTO challenges (cycle_id, code, title, area, responsible_area)
SELECT max(id), 'SAU-01', 'Saúde', 'health', 'health' FROM cycles;
INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)
SELECT max(id), '$own', 'MS-BENCH-1', (SELECT min(id) FROM users), '[]' FROM cycles;
INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id, status, summary,
                          versions, created_by, submitted_at, approved_at)
SELECT ch.id, ch.cycle_id, '$own', a.id, 'pacted', 'Plano', 1, (SELECT min(id) FROM users),
       now(), now()
  FROM challenges ch JOIN adhesions a ON a.cycle_id = ch.cycle_id;
INSERT INTO plan_actions (plan_id, position, title) SELECT id, 0, 'Ação' FROM action_plans;
INSERT INTO plan_deliveries (action_id, plan_id, position, title, due_date)
SELECT a.id, a.plan_id, n, 'Entrega ' || n, current_date + 30
  FROM plan_actions a, generate_series(0, $deliveries - 1) n;
INSERT INTO evidence (delivery_id, plan_id, description, submitted_by)
SELECT d.id, d.plan_id, 'Relatório', (SELECT id FROM users WHERE email = 'rep@bench.pacto')
  FROM plan_deliveries d ORDER BY d.id;
SQL
mapfile -t evidence < <(psql_db -c "SELECT id FROM evidence ORDER BY id")

# Distinct 5 MiB PDFs: a header, random bytes, the number of the file.
mkdir -p "$work/files"
for i in $(seq 0 $((deliveries - 1))); do
  { printf '%%PDF-1.7\n'; head -c $((mib * 1048576 - 32)) /dev/urandom; printf '\n%%%%EOF %06d\n' "$i"; } \
    > "$work/files/$i.pdf"
done
bytes=$(stat -c %s "$work/files/0.pdf")

bench_serve "${api#http://}"
rep=$(bench_login "$api" rep@bench.pacto "$password")

upload() { # upload FILE EVIDENCE: prints seconds; fails on an error status
  curl -fsS -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $rep" \
    -H 'Content-Type: application/pdf' --data-binary "@$1" "$api/v1/evidence/$2/files"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
rate() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.0f", b / 1048576 / s }'; }

: > "$work/up.txt"
for i in $(seq 0 $((runs - 1))); do upload "$work/files/$i.pdf" "${evidence[$i]}" >> "$work/up.txt"; done
file=$(psql_db -c "SELECT min(id) FROM evidence_files")
: > "$work/down.txt"
for _ in $(seq "$runs"); do
  curl -fsS -o "$work/down.pdf" -w '%{time_total}\n' -H "Authorization: Bearer $rep" \
    "$api/v1/evidence/${evidence[0]}/files/$file" >> "$work/down.txt"
done
cmp -s "$work/down.pdf" "$work/files/0.pdf" || { echo "bench: the download is not the upload"; exit 1; }
up_s=$(median < "$work/up.txt")
down_s=$(median < "$work/down.txt")

# (o) a server of its own, so that VmHWM is this burst's peak.
bench_stop "$server_pid"
bench_serve "${api#http://}"
rss_kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$server_pid/status"; }
idle_rss=$(rss_kib VmRSS)
idle_hwm=$(rss_kib VmHWM)
args=()
for i in $(seq "$runs" $((deliveries - 1))); do
  args+=(-o /dev/null -H "Authorization: Bearer $rep" -H 'Content-Type: application/pdf'
    --data-binary "@$work/files/$i.pdf" "$api/v1/evidence/${evidence[$i]}/files")
  [ "$i" -lt $((deliveries - 1)) ] && args+=(--next)
done
started=$(date +%s.%N)
curl -fsS --parallel --parallel-immediate --parallel-max "$parallel" "${args[@]}"
burst_s=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
peak_hwm=$(rss_kib VmHWM)
stored=$(psql_db -c "SELECT count(*) FROM evidence_files")
[ "$stored" = "$deliveries" ] || { echo "bench: $stored files stored, not $deliveries"; exit 1; }

mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
{
  echo "## Evidence files"
  echo
  echo "Written by \`bench/evidence.sh\` ($(date -u +%Y-%m-%dT%H:%M:%SZ)); 2 cores, server and"
  echo "PostgreSQL 15 on the same machine, build: $(basename "$build")."
  echo
  echo "| scenario | median s | MB/s | peak RSS MiB |"
  echo "|---|---:|---:|---:|"
  echo "| (n) upload of a $mib MiB PDF, $runs sequential runs | $up_s | $(rate "$up_s") | |"
  echo "| (n) download of it, $runs sequential runs | $down_s | $(rate "$down_s") | |"
  echo "| (o) server idle, fresh (VmRSS / VmHWM) | | | $(mb "$idle_rss") / $(mb "$idle_hwm") |"
  echo "| (o) $parallel uploads of $mib MiB at once ($burst_s s in all): VmHWM | | | $(mb "$peak_hwm") |"
  echo
  echo "- (n) is curl, one request at a time, by the municipality's representative; each upload"
  echo "  is a different file (stored, SHA-256 computed, attached, audited in one transaction);"
  echo "  MB/s is MiB per second of the median run."
  echo "- (o) is \`curl --parallel --parallel-max $parallel\`; VmHWM is the server's resident peak"
  echo "  since it started. Each upload is read once into a buffer of its Content-Length and"
  echo "  sent from there as a binary parameter; libpq copies it once more into its output"
  echo "  buffer while sending, so up to two copies per upload in flight (PACTO_DB_POOL"
  echo "  connections send at once; the others wait for a connection with one copy)."
} > "$work/section.md"
bench_section "Evidence files" "$work/section.md"
sed -n '/^## Evidence files/,/^## [^E]/p' bench/RESULTS.md
