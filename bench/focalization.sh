#!/usr/bin/env bash
# A focalization run over every municipality of São Paulo (issue 8,
# Performance): 50 runs of POST /v1/challenges/{id}/focalization/runs, one
# after another, each reading the 645 values of two main indicators, ranking
# them and writing 645 results, 1,290 values and one audit event. Prints
# p50 and p99 of the runs' times as curl sees them (the lead copies the
# figures into bench/RESULTS.md), and checks that each answer is 201 with 645
# municipalities.
#
# Set-up: its own PostgreSQL with the real IBGE lists (bench/lib.sh); a
# health secretariat account logs in through the API; the cycle, the
# indicators, their synthetic values (one municipality in twenty without a
# value, every tenth with a denominator below the rule's minimum) and the
# challenge with its rules are inserted with SQL, their endpoints being other
# parts of issue 8. usage: bench/focalization.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
runs=${PACTO_BENCH_RUNS:-50}
bench_start "${1:-build}" 55493
api=http://127.0.0.1:18123
password=bench-password-2026

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PACTO_DATABASE_URL" "$@"; }

echo "$password" | "$build/pacto" user add --email health@bench.pacto --name Saúde \
  --role secretariat --area health >/dev/null
challenge=$(psql_db <<'SQL'
INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at, pact_opens_at,
                    pact_closes_at, target_year, commitments)
VALUES ('Ciclo SP', 35, now() - interval '1 day', now() + interval '1 day',
        now() + interval '2 days', now() + interval '30 days', 2027, '["Acompanhar"]');
INSERT INTO indicators (code, name, unit, polarity, source, periodicity, area, decimals, scale)
VALUES ('MORT-INF', 'Mortalidade infantil', 'per 1,000 live births', 'lower_is_better',
        'DATASUS', 'annual', 'health', 1, 1000),
       ('IDEB-AI', 'IDEB anos iniciais', 'score 0-10', 'higher_is_better', 'INEP',
        'biennial', 'education', 1, NULL);
INSERT INTO indicator_values (indicator_id, municipality_id, period, value, numerator,
                              denominator)
SELECT i.id, m.ibge_code, '2021',
       CASE WHEN i.code = 'MORT-INF' THEN round((5 + random() * 20)::numeric, 2)
            ELSE round((3 + random() * 4)::numeric, 1) END,
       NULL,
       CASE WHEN i.code = 'MORT-INF'
            THEN CASE WHEN n.k % 10 = 0 THEN 40 ELSE 200 + n.k END END
  FROM indicators i
 CROSS JOIN (SELECT ibge_code, row_number() OVER (ORDER BY ibge_code) AS k
               FROM municipalities WHERE state_code = 35) n
  JOIN municipalities m ON m.ibge_code = n.ibge_code
 WHERE n.k % 20 <> 0;
INSERT INTO challenges (cycle_id, code, title, area, responsible_area, focal_combine)
SELECT max(id), 'SAU-01', 'Mortalidade infantil e aprendizagem', 'health', 'health', 'any'
  FROM cycles;
INSERT INTO challenge_indicators (challenge_id, indicator_id, role, focal_rule, focal_value,
                                  focal_period, focal_min_denominator)
SELECT (SELECT max(id) FROM challenges), id, 'main',
       CASE code WHEN 'MORT-INF' THEN 'worst_percent' ELSE 'threshold' END,
       CASE code WHEN 'MORT-INF' THEN 10 ELSE 4.5 END, '2021',
       CASE code WHEN 'MORT-INF' THEN 100 END
  FROM indicators;
SELECT max(id) FROM challenges;
SQL
)
# Another server on the port would answer in its place.
if curl -s -o /dev/null "$api/healthz"; then
  echo "bench: something already listens on ${api#http://}"; exit 1
fi
bench_serve 127.0.0.1:18123
token=$(bench_login "$api" health@bench.pacto "$password")

# Two warm-up runs (prepared statements, plans), then the measured ones.
for _ in 1 2; do
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{}' "$api/v1/challenges/$challenge/focalization/runs"
done
: > "$work/times"
for _ in $(seq "$runs"); do
  curl -sS -o "$work/run.json" -w '%{http_code} %{time_total}\n' \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{}' \
    "$api/v1/challenges/$challenge/focalization/runs" >> "$work/times"
  grep -q '"municipalities" *: *645' "$work/run.json" || {
    echo "bench: a run did not judge 645 municipalities:"; cat "$work/run.json"; exit 1; }
done
if [ "$(cut -d' ' -f1 "$work/times" | sort -u)" != 201 ]; then
  echo "bench: runs answered other than 201:"; cut -d' ' -f1 "$work/times" | sort | uniq -c
  exit 1
fi
stored=$(psql_db -c "SELECT count(*) FROM focalization_runs")
audited=$(psql_db -c "SELECT count(*) FROM audit_events WHERE entity = 'focalization_run'")
if [ "$stored" != $((runs + 2)) ] || [ "$audited" != "$stored" ]; then
  echo "bench: $stored runs stored, $audited audited; expected $((runs + 2)) of each"
  exit 1
fi
focal=$(sed 's/.*"focal_count" *: *\([0-9]*\).*/\1/' "$work/run.json")
cut -d' ' -f2 "$work/times" | sort -n | awk -v runs="$runs" -v focal="$focal" '
  { t[NR] = $1 * 1000 }
  END {
    p50 = t[int((NR + 1) / 2)]; i99 = int(NR * 0.99 + 0.999); if (i99 > NR) i99 = NR
    printf "focalization run, 645 SP municipalities x 2 main indicators (%d focal): " \
           "%d runs, p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", focal, runs, p50, t[i99], t[NR]
  }'
echo "machine load before/after: $(cut -d' ' -f1-3 /proc/loadavg)"
