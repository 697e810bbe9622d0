-- State targets and suggested municipal targets: the
-- state target's JSON, snapshot and rules, its baseline computed from
-- the values, and the public list of suggestions. The tables are in
-- 014_indicators_challenges.sql; the arithmetic of a suggestion is C
-- (lib/targets/rule.c).

-- The state baseline of an indicator: its period (p, or when NULL the
-- indicator's latest period) and the state figure there (Σnumerator ÷
-- Σdenominator × scale for a rate, else the mean), rounded to the
-- indicator's decimals. value is NULL when the state has none.
CREATE FUNCTION state_target_baseline(ind indicators, state smallint, p text)
    RETURNS TABLE (period text, value numeric)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        -- MATERIALIZED: the period is found once, not again for every value
        -- the aggregate reads (the planner would otherwise push it down).
        WITH x AS MATERIALIZED (SELECT coalesce(p, indicator_latest_period(ind, state)) AS period)
        SELECT x.period,
               (SELECT round(a.value, ind.decimals)
                  FROM indicator_state_aggregate(ind, state, x.period) a)
          FROM x;
    END;

CREATE FUNCTION state_target_json(t state_targets, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT json_build_object(
                'challenge_id', t.challenge_id, 'indicator_id', t.indicator_id,
                'indicator_code', i.code, 'indicator_name', i.name, 'unit', i.unit,
                'polarity', i.polarity, 'decimals', i.decimals,
                'baseline', json_build_object('value', t.baseline_value,
                                              'period', t.baseline_period),
                'target_value', t.target_value, 'target_year', t.target_year, 'rule', t.rule,
                'rule_value', t.rule_value, 'min_improvement', t.min_improvement,
                'computed_at', pacto_ts(t.computed_at), 'version', t.version,
                'created_at', pacto_ts(t.created_at), 'updated_at', pacto_ts(t.updated_at))
              FROM indicators i WHERE i.id = t.indicator_id);

CREATE FUNCTION state_target_snapshot(t state_targets) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN state_target_json(t, NULL)::jsonb;

-- The rules of a state target, judged on the row as it would be stored (a
-- PATCH on the merged row; baseline_period NULL is the indicator's latest).
CREATE FUNCTION state_target_rules(t state_targets) RETURNS TABLE (field text, message text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        WITH main AS (SELECT ind FROM indicators ind
                        JOIN challenge_indicators ci
                          ON ci.indicator_id = ind.id AND ci.challenge_id = t.challenge_id
                         AND ci.role = 'main'
                       WHERE ind.id = t.indicator_id),
             period_ok AS (SELECT t.baseline_period IS NULL
                                  OR period_is_valid((main.ind).periodicity, t.baseline_period)
                                  AS ok FROM main),
             base AS (SELECT b.value FROM main, challenges c JOIN cycles cy ON cy.id = c.cycle_id,
                             state_target_baseline(main.ind, cy.state_code, t.baseline_period) b
                       WHERE c.id = t.challenge_id)
        SELECT r.field, r.message
          FROM (VALUES
                (1, 'indicator_id', 'must be a main indicator of the challenge',
                 EXISTS (SELECT 1 FROM main)),
                (2, 'target_value',
                 (SELECT 'must be within the indicator''s valid range ('
                         || coalesce((main.ind).min_value::text, '-∞') || ' to '
                         || coalesce((main.ind).max_value::text, '∞') || ')' FROM main),
                 NOT EXISTS (SELECT 1 FROM main
                              WHERE t.target_value < (main.ind).min_value
                                 OR t.target_value > (main.ind).max_value)),
                (3, 'rule_value', 'must be more than 0 and at most 1 for gap_closure',
                 t.rule <> 'gap_closure' OR (t.rule_value > 0 AND t.rule_value <= 1)),
                (4, 'rule_value',
                 'must be more than 0 and at most 100 (percent) for relative_improvement',
                 t.rule <> 'relative_improvement' OR (t.rule_value > 0 AND t.rule_value <= 100)),
                (5, 'baseline_period',
                 (SELECT CASE (main.ind).periodicity WHEN 'monthly' THEN 'must be a month (YYYY-MM)'
                         ELSE 'must be a year (YYYY)' END
                         || ' of this ' || (main.ind).periodicity || ' indicator' FROM main),
                 coalesce((SELECT ok FROM period_ok), true)),
                (6, 'baseline_period',
                 CASE WHEN t.baseline_period IS NULL
                      THEN 'has no default: the indicator has no values yet'
                      ELSE 'has no state value of the indicator: there is no baseline' END,
                 NOT coalesce((SELECT ok FROM period_ok), false)
                 OR EXISTS (SELECT 1 FROM base WHERE base.value IS NOT NULL)))
               AS r (n, field, message, ok)
         WHERE NOT r.ok
         ORDER BY r.n;
    END;

-- GET /v1/challenges/{challenge_id}/suggested-targets: per municipality
-- (focal ones, or every one with f.municipalities = 'all') and state target,
-- the last computed suggestion, values rounded to the indicator's decimals.
-- k orders by municipality, then indicator.
CREATE FUNCTION suggested_target_rows(challenge bigint, f jsonb)
    RETURNS TABLE (k text, j json, municipality_id text, municipality_name text,
                   indicator_id bigint, indicator_code text, baseline_value numeric,
                   baseline_period text, suggested_value numeric, status text,
                   state_target numeric, target_year integer, focal boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT x.k,
               json_build_object('municipality_id', x.municipality_id,
                                 'municipality_name', x.municipality_name,
                                 'indicator_id', x.indicator_id,
                                 'indicator_code', x.indicator_code,
                                 'baseline_value', x.baseline_value,
                                 'baseline_period', x.baseline_period,
                                 'suggested_value', x.suggested_value, 'status', x.status,
                                 'state_target', x.state_target, 'target_year', x.target_year,
                                 'focal', x.focal),
               x.municipality_id, x.municipality_name, x.indicator_id, x.indicator_code,
               x.baseline_value, x.baseline_period, x.suggested_value, x.status,
               x.state_target, x.target_year, x.focal
          FROM (SELECT s.municipality_id || '/' || lpad(s.indicator_id::text, 19, '0') AS k,
                       s.municipality_id, m.name AS municipality_name, s.indicator_id,
                       i.code AS indicator_code, round(s.baseline_value, i.decimals)
                       AS baseline_value, s.baseline_period,
                       round(s.suggested_value, i.decimals) AS suggested_value, s.status,
                       t.target_value AS state_target, t.target_year,
                       fm.municipality_id IS NOT NULL AS focal
                  FROM suggested_targets s
                  JOIN state_targets t ON t.challenge_id = s.challenge_id
                                      AND t.indicator_id = s.indicator_id
                  JOIN indicators i ON i.id = s.indicator_id
                  JOIN municipalities m ON m.ibge_code = s.municipality_id
                  LEFT JOIN (SELECT DISTINCT c.municipality_id
                               FROM challenge_focal_municipalities(challenge) c) fm
                         ON fm.municipality_id = s.municipality_id
                 WHERE s.challenge_id = challenge
                   AND (f->>'indicator_id' IS NULL OR s.indicator_id = (f->>'indicator_id')::bigint)
                   AND (f->>'status' IS NULL OR s.status = f->>'status')
                   AND (fm.municipality_id IS NOT NULL
                        OR f->>'municipalities' = 'all')) x;
    END;
