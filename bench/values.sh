#!/usr/bin/env bash
# The values import (Performance): 10 indicators × 5,570 municipalities
# × 20 periods (1.1 M rows) loaded through POST /v1/indicators/{id}/values as
# CSV, one file per indicator, against `psql \copy` of the same files into
# staging copies of indicator_values (CREATE TABLE ... (LIKE indicator_values
# INCLUDING ALL): its primary key, index and checks; with and without its
# foreign keys) in the same run; then the same files again through the API
# (every row unchanged: the merge alone). Reports rows/s, the
# ratio to \copy (goal: at least 0.5) and the server's peak RSS (VmHWM) before
# and after the imports (streaming: it must not grow with the files) in the
# "Values import" section of bench/RESULTS.md (the rest of the file is left as
# it is). usage: bench/values.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
indicators=${PACTO_BENCH_INDICATORS:-10}
periods=20
bench_start "${1:-build}" 55482
api=http://127.0.0.1:18094
password=bench-password-2026

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PACTO_DATABASE_URL" "$@"; }
now() { date +%s.%N; }
rows_per_s() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
rss() { awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$server_pid/status"; }

echo "$password" | "$build/pacto" user add --email health@bench.pacto --name Health \
  --role secretariat --area health >/dev/null
bench_serve 127.0.0.1:18094
token=$(bench_login "$api" health@bench.pacto "$password")

# The indicators (the catalogue's API is not needed to measure values), and
# one CSV per indicator: every municipality, every period, a value with one
# decimal.
cut -d, -f1 "$data/ibge-municipios.csv" | tail -n +2 > "$work/codes"
municipalities=$(wc -l < "$work/codes")
ids=()
for i in $(seq "$indicators"); do
  ids+=("$(psql_db -c "INSERT INTO indicators (code, name, unit, polarity, source, periodicity,
      first_period, decimals, min_value, max_value, area)
    VALUES ('BENCH-$i', 'Bench $i', '%', 'higher_is_better', 'bench', 'annual', '2000', 1, 0, 100,
      'health') RETURNING id")")
  awk -v seed="$i" -v periods="$periods" 'BEGIN { srand(seed); print "ibge_code,period,value" }
    { for (p = 0; p < periods; p++) printf "%s,%d,%.1f\n", $1, 2000 + p, rand() * 100 }' \
    "$work/codes" > "$work/values-$i.csv"
done
rows=$((indicators * municipalities * periods))
bytes=$(cat "$work"/values-*.csv | wc -c)

# A first request of each kind before measuring, so the statements are
# prepared and the peak RSS before is the server's working size.
curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: text/csv' \
  --data-binary $'ibge_code,period,value\n3550308,2000,1\n' \
  "$api/v1/indicators/${ids[0]}/values?dry_run=true"
rss_before=$(rss)

# import PASS: posts every file once; prints the seconds taken. Fails on any
# answer but 200.
import_all() {
  local i start end
  start=$(now)
  for i in $(seq "$indicators"); do
    curl -fsS -o "$work/answer-$1-$i.json" -H "Authorization: Bearer $token" \
      -H 'Content-Type: text/csv' --data-binary "@$work/values-$i.csv" \
      "$api/v1/indicators/${ids[$((i - 1))]}/values" ||
      { echo "bench: import of file $i failed"; cat "$work/answer-$1-$i.json"; exit 1; }
  done
  end=$(now)
  echo "$start $end"
}
read -r api_start api_end < <(import_all first)
rss_after_first=$(rss)
read -r again_start again_end < <(import_all again)
rss_after=$(rss)
# sum_of FIELD FILES...: the field summed over the answers.
sum_of() {
  local f=$1
  shift
  cat "$@" | grep -o "\"$f\":[0-9]*" | cut -d: -f2 | paste -sd+ | bc
}
inserted=$(sum_of inserted "$work"/answer-first-*.json)
unchanged=$(sum_of unchanged "$work"/answer-again-*.json)
stored=$(psql_db -c "SELECT count(*) FROM indicator_values")

# psql \copy of the same files into two staging copies of the table: with its
# primary key, index, checks and foreign keys (the same table definition), and
# without the foreign keys.
psql_db -c "CREATE TABLE bench_values_fk (LIKE indicator_values INCLUDING ALL,
    FOREIGN KEY (indicator_id) REFERENCES indicators (id),
    FOREIGN KEY (municipality_id) REFERENCES municipalities (ibge_code))" \
  -c "CREATE TABLE bench_values_bare (LIKE indicator_values INCLUDING ALL)"
# copy_all TABLE: \copy every file into it; prints the start and end times.
copy_all() {
  local i start end
  start=$(now)
  for i in $(seq "$indicators"); do
    psql_db -c "ALTER TABLE $1 ALTER indicator_id SET DEFAULT ${ids[$((i - 1))]}" \
      -c "\\copy $1 (municipality_id, period, value) FROM '$work/values-$i.csv' WITH (FORMAT csv, HEADER)"
  done
  end=$(now)
  echo "$start $end"
}
read -r copy_start copy_end < <(copy_all bench_values_fk)
read -r bare_start bare_end < <(copy_all bench_values_bare)
copied=$(psql_db -c "SELECT (SELECT count(*) FROM bench_values_fk) + (SELECT count(*) FROM bench_values_bare)")
copied=$((copied / 2))

api_rate=$(rows_per_s "$rows" "$api_start" "$api_end")
again_rate=$(rows_per_s "$rows" "$again_start" "$again_end")
copy_rate=$(rows_per_s "$rows" "$copy_start" "$copy_end")
bare_rate=$(rows_per_s "$rows" "$bare_start" "$bare_end")
api_s=$(awk -v a="$api_start" -v b="$api_end" 'BEGIN { printf "%.1f", b - a }')
again_s=$(awk -v a="$again_start" -v b="$again_end" 'BEGIN { printf "%.1f", b - a }')
copy_s=$(awk -v a="$copy_start" -v b="$copy_end" 'BEGIN { printf "%.1f", b - a }')
bare_s=$(awk -v a="$bare_start" -v b="$bare_end" 'BEGIN { printf "%.1f", b - a }')
ratio=$(awk -v x="$api_rate" -v y="$copy_rate" 'BEGIN { printf "%.2f", x / y }')
bare_ratio=$(awk -v x="$api_rate" -v y="$bare_rate" 'BEGIN { printf "%.2f", x / y }')
verdict=ok
for v in "$inserted" "$unchanged" "$stored" "$copied"; do
  if [ "$v" != "$rows" ]; then verdict=FAILED; fi
done

# This script's section of RESULTS.md (bench_section keeps the others).
{
  echo "## Values import"
  echo
  echo "Written by \`bench/values.sh\` ($(date -u +%Y-%m-%dT%H:%M:%SZ)); $(nproc) cores, server, curl and"
  echo "PostgreSQL 15 on the same machine, build: $build. $indicators indicators × $municipalities"
  echo "municipalities × $periods periods = $rows rows in $indicators CSV files ($((bytes / 1048576)) MiB),"
  echo "each posted once with curl (POST /v1/indicators/{id}/values, text/csv), one after the other."
  echo
  echo "| run | rows | seconds | rows/s |"
  echo "|---|---:|---:|---:|"
  echo "| API import, new rows (inserted: $inserted) | $rows | $api_s | $api_rate |"
  echo "| API import, the same files again (unchanged: $unchanged) | $rows | $again_s | $again_rate |"
  echo "| \`psql \\copy\` of the same files into a staging copy of indicator_values, its foreign keys included | $rows | $copy_s | $copy_rate |"
  echo "| \`psql \\copy\` of the same files into a staging copy without the foreign keys | $rows | $bare_s | $bare_rate |"
  echo
  echo "- The API import is ${ratio}× \`psql \\copy\` into the same table definition (goal: at least"
  echo "  0.5), ${bare_ratio}× \`\\copy\` into a copy without foreign keys. Counts: $verdict."
  echo "- Server peak RSS (VmHWM): $rss_before MiB before the imports, $rss_after_first MiB after"
  echo "  the first $rows rows, $rss_after MiB after the second pass: the body is streamed"
  echo "  (64 KiB pieces, one line at a time to COPY), so memory does not grow with the file."
  echo "- Each API import is one transaction: the body parsed and checked line by line in C and"
  echo "  sent as it arrives to a temporary table (COPY FROM STDIN), then the codes resolved by a"
  echo "  join, duplicates and unknown municipalities found by joins, the merge with what is"
  echo "  stored (history rows for changed values), the insert or update, the value_imports row"
  echo "  and one audit event. \`\\copy\` only appends rows (no history, no audit, no checks of the"
  echo "  values); a foreign key costs a lookup and a row lock per row, for \`\\copy\` as for the"
  echo "  import's insert into indicator_values, which has two (and import_id)."
} > "$work/section.md"
bench_section "Values import" "$work/section.md"
sed -n '/^## Values import/,/^## [^V]/p' bench/RESULTS.md
if [ "$verdict" != ok ]; then
  echo "bench: counts differ from $rows: inserted $inserted, unchanged $unchanged, stored $stored, copied $copied"
  exit 1
fi
