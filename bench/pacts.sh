#!/usr/bin/env bash
# The pact deadline (issue 9, Performance): 472 municipalities of São Paulo
# (as many as wrote plans in its second cycle) pact at once in the last hour of
# the pact window, each mayor with their own token and Idempotency-Key, every
# request sent exactly once (one curl process, PACTO_BENCH_CONNECTIONS
# transfers in flight on keep-alive connections). Then the same 472 requests
# again, as clients retrying after a timeout would: each must be the first
# answer replayed. Then checks by SQL: 472 pacts, none twice, every plan
# pacted, every incentive of the challenge granted exactly once to each
# municipality, one audit event per pact. Reports pacts/s, p50 and p99 in the
# "Pact deadline" section of bench/RESULTS.md (the rest is left as it is).
#
# Set-up: its own PostgreSQL with the real IBGE lists. What other routes make
# (the cycle, the adhesions, the challenge with its indicators, state and
# suggested targets and incentives, the approved plans) is seeded by SQL as
# they store it; each mayor gets a registered CPF and an account (one Argon2
# hash made by `pacto user add`, copied to the others by SQL) and logs in
# through POST /v1/auth/token.   usage: bench/pacts.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
concurrency=${PACTO_BENCH_CONNECTIONS:-32}
municipalities=472
bench_start "${1:-build}" 55486
api=http://127.0.0.1:18098
password=bench-password-2026

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PACTO_DATABASE_URL" "$@"; }

# The first 472 SP municipalities by IBGE code (table bench_mayors), each
# with a registered mayor CPF and a mayor account.
bench_mayors 35 "$municipalities" 300000000 "$password"
psql_db <<'SQL'
-- The cycle, its pact window closing in an hour; every municipality adhered.
INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at, pact_opens_at,
                    pact_closes_at, target_year, commitments)
VALUES ('Parcerias Municipais (bench)', 35, now() - interval '60 days',
        now() - interval '30 days', now() - interval '7 days', now() + interval '1 hour', 2028,
        '["Pactuar metas"]');
INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)
SELECT c.id, u.municipality_id, 'SP-2026-' || lpad(u.id::text, 6, '0'), u.id, c.commitments
  FROM users u, cycles c WHERE u.role = 'mayor';
-- The challenge: two main indicators with state targets, a suggested target
-- (with its baseline) for each municipality, and three incentives.
INSERT INTO indicators (code, name, unit, polarity, source, periodicity, decimals, min_value,
                        area, scale)
VALUES ('TMI', 'Mortalidade infantil', 'per 1,000 live births', 'lower_is_better',
        'DATASUS – SIM/SINASC', 'annual', 1, 0, 'health', 1000),
       ('VAC', 'Cobertura vacinal', '%', 'higher_is_better', 'DATASUS – SI-PNI', 'annual', 1,
        0, 'health', NULL);
INSERT INTO challenges (cycle_id, code, title, area, responsible_area)
SELECT id, 'SAU-01', 'Saúde da criança', 'health', 'health' FROM cycles;
INSERT INTO challenge_indicators (challenge_id, indicator_id, role)
SELECT ch.id, i.id, 'main' FROM challenges ch, indicators i;
INSERT INTO state_targets (challenge_id, indicator_id, target_value, target_year, rule,
                           rule_value)
SELECT ch.id, i.id, CASE i.code WHEN 'TMI' THEN 9 ELSE 95 END, 2028, 'gap_closure', 0.5
  FROM challenges ch, indicators i;
INSERT INTO suggested_targets (challenge_id, indicator_id, municipality_id, baseline_value,
                               baseline_period, suggested_value, status)
SELECT t.challenge_id, t.indicator_id, b.ibge_code, 12 + b.i % 7, '2024',
       (12 + b.i % 7 + t.target_value) / 2, 'suggested'
  FROM state_targets t, bench_mayors b;
INSERT INTO incentives (challenge_id, title, type, amount_cents, source)
SELECT ch.id, x.title, x.type, x.amount, x.source FROM challenges ch,
       (VALUES ('Repasse fundo a fundo', 'financial', 50000000, 'Fundo Estadual de Saúde'),
               ('Capacitação de equipes', 'training', NULL, NULL),
               ('Prioridade no programa estadual', 'program_priority', NULL, NULL))
       AS x (title, type, amount, source);
-- The approved plans, as submit and approve leave them, with the
-- suggested targets committed.
INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id, status, summary,
                          versions, created_by, submitted_at, approved_at)
SELECT ch.id, ch.cycle_id, a.municipality_id, a.id, 'approved', 'Plano', 1, a.signed_by,
       now() - interval '3 days', now() - interval '1 day'
  FROM challenges ch JOIN adhesions a ON a.cycle_id = ch.cycle_id;
INSERT INTO plan_targets (plan_id, indicator_id, target_value)
SELECT p.id, s.indicator_id, s.suggested_value
  FROM action_plans p JOIN suggested_targets s
    ON s.challenge_id = p.challenge_id AND s.municipality_id = p.municipality_id;
ANALYZE action_plans, plan_targets, adhesions, suggested_targets, incentives, users,
        municipalities;
SQL

bench_serve "${api#http://}"

psql_db -F ' ' -c "SELECT u.municipality_id, u.cpf, p.id FROM users u
                     JOIN action_plans p ON p.municipality_id = u.municipality_id
                    WHERE u.role = 'mayor' ORDER BY 1" > "$work/mayors"
bench_logins "$api" "$work/mayors" "$password"

# The deadline: one POST per plan, each with its mayor's token and key.
while read -r code cpf plan; do
  echo next
  printf 'url = "%s/v1/action-plans/%s/pact"\n' "$api" "$plan"
  printf 'header = "Authorization: Bearer %s"\n' "$(bench_token "$code")"
  printf 'header = "Idempotency-Key: pact-%s"\nheader = "Content-Type: application/json"\n' "$code"
  printf 'data = "{\\"mayor_cpf\\":\\"%s\\"}"\n' "$cpf"
  printf 'output = "/dev/null"\nwrite-out = "%s %%{http_code} %%{time_total}\\n"\n' "$code"
done < "$work/mayors" | tail -n +2 > "$work/pacts.curl"
mayors=$(wc -l < "$work/mayors")
bench_burst pacts "$work/pacts.curl" "$concurrency"
read -r sent1 ok1 p50_1 p99_1 rate1 seconds1 <<<"$sent $ok $p50 $p99 $rate $seconds"
bench_burst retries "$work/pacts.curl" "$concurrency"
read -r sent2 ok2 p50_2 p99_2 rate2 seconds2 <<<"$sent $ok $p50 $p99 $rate $seconds"

read -r pacts plans_signed duplicates pacted grants grants_per_municipality audited < <(psql_db -F ' ' -c "
  SELECT count(*), count(DISTINCT plan_id), count(*) - count(DISTINCT municipality_id),
         (SELECT count(*) FROM action_plans WHERE status = 'pacted'),
         (SELECT count(*) FROM incentive_grants),
         (SELECT count(*) FROM (SELECT municipality_id FROM incentive_grants
                                 GROUP BY municipality_id
                                HAVING count(*) = (SELECT count(*) FROM incentives)
                                   AND count(DISTINCT incentive_id) = count(*)) x),
         (SELECT count(*) FROM audit_events WHERE entity = 'pact' AND action = 'create')
    FROM pacts")
incentives=$(psql_db -c "SELECT count(*) FROM incentives")
verdict=ok
for v in "$sent1" "$ok1" "$sent2" "$ok2" "$pacts" "$plans_signed" "$pacted" \
         "$grants_per_municipality" "$audited"; do
  if [ "$v" != "$mayors" ]; then verdict=FAILED; fi
done
if [ "$duplicates" != 0 ] || [ "$grants" != $((mayors * incentives)) ] ||
   [ "$mayors" != "$municipalities" ]; then
  verdict=FAILED
fi

# This script's section of RESULTS.md (bench_section keeps the others).
{
  echo "## Pact deadline"
  echo
  echo "Written by \`bench/pacts.sh\` ($(date -u +%Y-%m-%dT%H:%M:%SZ)); $(nproc) cores, server and"
  echo "PostgreSQL 15 on the same machine, build: $build. $mayors municipalities of São Paulo, each"
  echo "with an approved plan (two targets) on a challenge with $incentives incentives, pact in the"
  echo "last hour of the pact window: one POST each, with its own mayor token and Idempotency-Key,"
  echo "$concurrency in flight (curl --parallel, keep-alive). Then every request once more with the"
  echo "same key (a client retrying): each is the first answer, replayed."
  echo
  echo "| run | requests | seconds | req/s | p50 ms | p99 ms | 201 answers |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  echo "| pacts | $sent1 | $seconds1 | $rate1 | $p50_1 | $p99_1 | $ok1 |"
  echo "| retries (replayed) | $sent2 | $seconds2 | $rate2 | $p50_2 | $p99_2 | $ok2 |"
  echo
  echo "| pacts | plans signed | duplicate pacts | plans pacted | grants | municipalities with each incentive once | audit events | verdict |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---|"
  echo "| $pacts | $plans_signed | $duplicates | $pacted | $grants | $grants_per_municipality | $audited | $verdict |"
  echo
  echo "- Each pact is one transaction: the plan locked FOR UPDATE, its cycle, municipality and"
  echo "  adhesion FOR SHARE, the window checked against the database clock, the CPF compared; then"
  echo "  one statement inserts the pact (protocol from a sequence) and its targets, moves the plan"
  echo "  to pacted with its transition and grants the incentives; its audit event, and the stored"
  echo "  answer of its Idempotency-Key."
} > "$work/section.md"
bench_section "Pact deadline" "$work/section.md"
sed -n '/^## Pact deadline/,/^## [^P]/p' bench/RESULTS.md
if [ "$verdict" != ok ]; then
  echo "bench: the deadline did not end with $municipalities pacts, each incentive granted once;"
  echo "answers other than 201:"
  awk '$2 != 201' "$work/pacts.out" "$work/retries.out" | head
  exit 1
fi
