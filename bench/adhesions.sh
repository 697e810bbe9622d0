#!/usr/bin/env bash
# The adhesion storm (issue 3, Performance): the 645 municipalities of São Paulo
# adhere at once in the last hour of the adhesion window, each mayor with their
# own token and Idempotency-Key, every request sent exactly once (one curl
# process, PACTO_BENCH_CONNECTIONS transfers in flight on keep-alive
# connections). Then checks: every answer 201, exactly 645 active adhesions,
# none twice, 645 distinct protocols, one audit event each. Reports
# adhesions/s, p50 and p99 in the "Adhesion storm" section of bench/RESULTS.md
# (the rest of the file is left as it is).
#
# Set-up: its own PostgreSQL with the real IBGE lists; a coordination account
# opens the cycle through the API; each SP municipality gets a registered mayor
# CPF (valid check digits, made by a SQL function) and a mayor account (one
# Argon2 hash made by `pacto user add`, copied to the other 644 by SQL); each
# mayor logs in through POST /v1/auth/token. usage: bench/adhesions.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
concurrency=${PACTO_BENCH_CONNECTIONS:-32}
bench_start "${1:-build}" 55481
api=http://127.0.0.1:18093
password=bench-password-2026

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PACTO_DATABASE_URL" "$@"; }

# A registered mayor CPF and a mayor account for every SP municipality.
bench_mayors 35 0 200000000 "$password"
echo "$password" | "$build/pacto" user add --email coord@bench.pacto --name Coordenação \
  --role secretariat --area coordination >/dev/null

bench_serve "${api#http://}"

# The cycle, opened through the API: its adhesion window ends in an hour.
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
coord=$(bench_login "$api" coord@bench.pacto "$password")
cycle=$(curl -fsS -H "Authorization: Bearer $coord" -H 'Content-Type: application/json' \
  -d "{\"name\":\"Parcerias Municipais (bench)\",\"state\":\"SP\",
       \"adhesion_opens_at\":\"$(at '-7 days')\",\"adhesion_closes_at\":\"$(at '+1 hour')\",
       \"pact_opens_at\":\"$(at '+30 days')\",\"pact_closes_at\":\"$(at '+60 days')\",
       \"target_year\":2028}" "$api/v1/cycles" | sed 's/^{"id" : \([0-9]*\),.*/\1/')

psql_db -F ' ' -c "SELECT municipality_id, cpf FROM users WHERE role = 'mayor' ORDER BY 1" \
  > "$work/mayors"
bench_logins "$api" "$work/mayors" "$password"

# The storm: one POST per municipality, each with its mayor's token and key.
while read -r code cpf; do
  echo next
  printf 'url = "%s/v1/cycles/%s/adhesions"\n' "$api" "$cycle"
  printf 'header = "Authorization: Bearer %s"\n' "$(bench_token "$code")"
  printf 'header = "Idempotency-Key: storm-%s"\nheader = "Content-Type: application/json"\n' "$code"
  printf 'data = "{\\"mayor_cpf\\":\\"%s\\",\\"accepted_commitments\\":true}"\n' "$cpf"
  printf 'output = "/dev/null"\nwrite-out = "%s %%{http_code} %%{time_total}\\n"\n' "$code"
done < "$work/mayors" | tail -n +2 > "$work/storm.curl"
mayors=$(wc -l < "$work/mayors")
bench_burst storm "$work/storm.curl" "$concurrency"
created=$ok
read -r active distinct_municipalities protocols audited < <(psql_db -F ' ' -c "
  SELECT count(*) FILTER (WHERE status = 'active'), count(DISTINCT municipality_id),
         count(DISTINCT protocol),
         (SELECT count(*) FROM audit_events WHERE entity = 'adhesion' AND action = 'create')
    FROM adhesions WHERE cycle_id = $cycle")
verdict=ok
for v in "$sent" "$created" "$active" "$distinct_municipalities" "$protocols" "$audited"; do
  if [ "$v" != "$mayors" ]; then verdict=FAILED; fi
done

# This script's section of RESULTS.md (bench_section keeps the others).
{
  echo "## Adhesion storm"
  echo
  echo "Written by \`bench/adhesions.sh\` ($(date -u +%Y-%m-%dT%H:%M:%SZ)); $(nproc) cores, server and"
  echo "PostgreSQL 15 on the same machine, build: $build. The $mayors municipalities of São Paulo"
  echo "adhere to one cycle in the last hour of its adhesion window: one POST each, with its own"
  echo "mayor token and Idempotency-Key, $concurrency in flight (curl --parallel, keep-alive)."
  echo
  echo "| adhesions | seconds | adhesions/s | p50 ms | p99 ms | 201 answers | active | distinct municipalities | distinct protocols | audit events | verdict |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  echo "| $sent | $seconds | $rate | $p50 | $p99 | $created | $active | $distinct_municipalities | $protocols | $audited | $verdict |"
  echo
  echo "- Each adhesion is one transaction: the cycle and the municipality read FOR SHARE, the window"
  echo "  checked against the database clock, the CPF compared, the insert (protocol from a"
  echo "  sequence), its audit event, and the stored answer of its Idempotency-Key."
} > "$work/section.md"
bench_section "Adhesion storm" "$work/section.md"
sed -n '/^## Adhesion storm/,/^## [^A]/p' bench/RESULTS.md
if [ "$verdict" != ok ]; then
  echo "bench: the storm did not end with $mayors adhesions; answers other than 201:"
  awk '$2 != 201' "$work/storm.out" | head
  exit 1
fi
