-- The catalogue (lib/indicators, lib/challenges): indicators, the challenges
-- of a cycle and a challenge's indicators as resources. Each one's JSON, its
-- audit snapshot, its cross-field rules (judged on the row as it would be
-- stored), its list filters and its guard (who may change the row:
-- viewer_manages of the indicator's area or the challenge's responsible
-- area). No table changes: sql/014 holds them.

-- Whether any value row (of any status) exists for the indicator: from then
-- on its area and periodicity are fixed, and it cannot be deleted.
CREATE FUNCTION indicator_has_values(indicator bigint) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN EXISTS (SELECT 1 FROM indicator_values v WHERE v.indicator_id = indicator);

CREATE FUNCTION indicator_json(i indicators, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', i.id, 'code', i.code, 'name', i.name, 'description', i.description,
        'unit', i.unit, 'polarity', i.polarity, 'source', i.source,
        'periodicity', i.periodicity, 'first_period', i.first_period, 'decimals', i.decimals,
        'min_value', i.min_value, 'max_value', i.max_value, 'formula', i.formula,
        'area', i.area, 'publication_lag_months', i.publication_lag_months, 'scale', i.scale,
        'is_population', i.is_population, 'latest_period', indicator_latest_period(i),
        'has_values', indicator_has_values(i.id),
        'created_at', pacto_ts(i.created_at), 'updated_at', pacto_ts(i.updated_at));

-- What the audit log keeps: the stored fields (not the derived latest
-- period and has_values, which change with the values, not the indicator).
CREATE FUNCTION indicator_snapshot(i indicators) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN indicator_json(i, NULL)::jsonb - 'latest_period' - 'has_values';

-- The rules between fields, and those that need the stored row: on a patch
-- `i` carries the stored id, so the indicator as stored is still readable
-- (the write comes after the rules).
CREATE FUNCTION indicator_rules(i indicators) RETURNS TABLE (field text, message text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT r.field, r.message
          FROM (VALUES
                (1, 'first_period',
                 CASE i.periodicity WHEN 'monthly' THEN 'must be a month (YYYY-MM) from 1900'
                                    ELSE 'must be a year (YYYY) from 1900' END,
                 i.first_period IS NULL OR period_is_valid(i.periodicity, i.first_period)),
                (2, 'first_period', 'is required for a biennial indicator',
                 i.periodicity <> 'biennial' OR i.first_period IS NOT NULL),
                (3, 'max_value', 'must be greater than min_value',
                 i.min_value IS NULL OR i.max_value IS NULL OR i.min_value < i.max_value),
                (4, 'area', 'is fixed once the indicator has values',
                 i.id IS NULL OR NOT indicator_has_values(i.id)
                 OR i.area = (SELECT s.area FROM indicators s WHERE s.id = i.id)),
                (5, 'periodicity', 'is fixed once the indicator has values',
                 i.id IS NULL OR NOT indicator_has_values(i.id)
                 OR i.periodicity = (SELECT s.periodicity FROM indicators s WHERE s.id = i.id)))
               AS r (n, field, message, ok)
         WHERE NOT r.ok
         ORDER BY r.n;
    END;

-- GET /v1/indicators?area=&polarity=&periodicity=: the catalogue is public.
CREATE FUNCTION indicator_matches(i indicators, f jsonb, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (f->>'area' IS NULL OR i.area = f->>'area')
       AND (f->>'polarity' IS NULL OR i.polarity = f->>'polarity')
       AND (f->>'periodicity' IS NULL OR i.periodicity = f->>'periodicity');

-- The secretariat of the indicator's area, or the coordination.
CREATE FUNCTION indicator_guard(i indicators, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN viewer_manages(v, i.area);

-- What keeps an indicator: its values, or a challenge (or what hangs from
-- one: a focalization, a target) that uses it. NULL when nothing does.
CREATE FUNCTION indicator_in_use(indicator bigint) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE
        WHEN indicator_has_values(indicator) THEN 'The indicator has values.'
        WHEN EXISTS (SELECT 1 FROM challenge_indicators c WHERE c.indicator_id = indicator)
          OR EXISTS (SELECT 1 FROM state_targets t WHERE t.indicator_id = indicator)
          OR EXISTS (SELECT 1 FROM focalization_values f WHERE f.indicator_id = indicator)
        THEN 'The indicator is used by a challenge.'
    END;

-- A challenge's indicator as everyone sees it, with what a reader needs of
-- the indicator itself.
CREATE FUNCTION challenge_indicator_json(ci challenge_indicators, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT json_build_object(
                'challenge_id', ci.challenge_id, 'indicator_id', ci.indicator_id,
                'code', i.code, 'name', i.name, 'unit', i.unit, 'polarity', i.polarity,
                'role', ci.role, 'focal_rule', ci.focal_rule, 'focal_value', ci.focal_value,
                'focal_period', ci.focal_period,
                'focal_min_denominator', ci.focal_min_denominator,
                'created_at', pacto_ts(ci.created_at), 'updated_at', pacto_ts(ci.updated_at))
              FROM indicators i WHERE i.id = ci.indicator_id);

CREATE FUNCTION challenge_indicator_snapshot(ci challenge_indicators) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN challenge_indicator_json(ci, NULL)::jsonb;

-- A challenge as everyone sees it: its cycle's state, and its indicators,
-- main ones first, then by code.
CREATE FUNCTION challenge_json(c challenges, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', c.id, 'cycle_id', c.cycle_id,
        'state', (SELECT s.uf FROM cycles y JOIN states s ON s.code = y.state_code
                   WHERE y.id = c.cycle_id),
        'code', c.code, 'title', c.title, 'description', c.description, 'area', c.area,
        'responsible_area', c.responsible_area, 'focal_combine', c.focal_combine,
        'open_to_all', c.open_to_all,
        'indicators', coalesce(
            (SELECT json_agg(challenge_indicator_json(ci, v)
                             ORDER BY ci.role = 'main' DESC, i.code)
               FROM challenge_indicators ci JOIN indicators i ON i.id = ci.indicator_id
              WHERE ci.challenge_id = c.id), '[]'::json),
        'created_at', pacto_ts(c.created_at), 'updated_at', pacto_ts(c.updated_at));

-- The audit log keeps the challenge's own fields; its indicators are
-- audited as they change (entity challenge_indicator).
CREATE FUNCTION challenge_snapshot(c challenges) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN challenge_json(c, NULL)::jsonb - 'indicators';

-- GET /v1/cycles/{cycle_id}/challenges?area=&responsible_area=
CREATE FUNCTION challenge_matches(c challenges, f jsonb, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (f->>'area' IS NULL OR c.area = f->>'area')
       AND (f->>'responsible_area' IS NULL OR c.responsible_area = f->>'responsible_area');

-- The secretariat responsible for the challenge, or the coordination.
CREATE FUNCTION challenge_guard(c challenges, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN viewer_manages(v, c.responsible_area);

-- A challenge's indicators are the challenge's business: the same reach.
-- (A row whose challenge does not exist is refused by parent_exists first.)
CREATE FUNCTION challenge_indicator_guard(ci challenge_indicators, v pacto_viewer)
    RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce((SELECT viewer_manages(v, c.responsible_area) FROM challenges c
                      WHERE c.id = ci.challenge_id), false);

-- Whether the cycle of the challenge is closed: its challenges, and all
-- that hangs from them, are then read-only. Other parts (focalization,
-- targets) use it too.
CREATE FUNCTION challenge_cycle_closed(challenge bigint) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce((SELECT cycle_phase(y, now()) = 'closed'
                       FROM challenges c JOIN cycles y ON y.id = c.cycle_id
                      WHERE c.id = challenge), false);

CREATE FUNCTION cycle_is_closed(cycle bigint) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce((SELECT cycle_phase(y, now()) = 'closed' FROM cycles y WHERE y.id = cycle),
                    false);

-- What keeps a challenge: a focalization (runs, manual decisions) or state
-- targets, which deleting it would take with it. NULL when nothing does.
CREATE FUNCTION challenge_in_use(challenge bigint) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE
        WHEN EXISTS (SELECT 1 FROM focalization_runs r WHERE r.challenge_id = challenge)
          OR EXISTS (SELECT 1 FROM focal_overrides o WHERE o.challenge_id = challenge)
        THEN 'The challenge has a focalization.'
        WHEN EXISTS (SELECT 1 FROM state_targets t WHERE t.challenge_id = challenge)
        THEN 'The challenge has state targets.'
    END;

-- A challenge's indicator: the indicator exists; a rule only on a main
-- indicator, rule and value both or neither, the value fit for the rule
-- (a threshold within the indicator's valid range), the period one of the
-- indicator's periodicity.
CREATE FUNCTION challenge_indicator_rules(ci challenge_indicators)
    RETURNS TABLE (field text, message text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        WITH i AS (SELECT (SELECT i FROM indicators i WHERE i.id = ci.indicator_id) AS ind)
        SELECT r.field, r.message
          FROM i, LATERAL (VALUES
                (1, 'indicator_id', 'is not a known indicator', (i.ind).id IS NOT NULL),
                (2, 'focal_rule', 'is only for a main indicator',
                 ci.focal_rule IS NULL OR ci.role = 'main'),
                (3, 'focal_period', 'is only for a main indicator',
                 ci.focal_period IS NULL OR ci.role = 'main'),
                (4, 'focal_min_denominator', 'is only for a main indicator',
                 ci.focal_min_denominator IS NULL OR ci.role = 'main'),
                (5, 'focal_rule', 'is required with focal_value',
                 ci.focal_rule IS NOT NULL OR ci.focal_value IS NULL),
                (6, 'focal_value', 'is required with focal_rule',
                 ci.focal_rule IS NULL OR ci.focal_value IS NOT NULL),
                (7, 'focal_value', 'must be more than 0 and at most 100 for worst_percent',
                 ci.focal_rule IS DISTINCT FROM 'worst_percent'
                 OR ci.focal_value IS NULL OR (ci.focal_value > 0 AND ci.focal_value <= 100)),
                (8, 'focal_value', 'must be a whole number of at least 1 for worst_count',
                 ci.focal_rule IS DISTINCT FROM 'worst_count' OR ci.focal_value IS NULL
                 OR (ci.focal_value >= 1 AND ci.focal_value = trunc(ci.focal_value))),
                (9, 'focal_value', 'must be within the indicator''s valid range',
                 ci.focal_rule IS DISTINCT FROM 'threshold' OR ci.focal_value IS NULL
                 OR (((i.ind).min_value IS NULL OR ci.focal_value >= (i.ind).min_value)
                     AND ((i.ind).max_value IS NULL OR ci.focal_value <= (i.ind).max_value))),
                (10, 'focal_period',
                 CASE (i.ind).periodicity WHEN 'monthly' THEN 'must be a month (YYYY-MM) from 1900'
                                          ELSE 'must be a year (YYYY) from 1900' END,
                 ci.focal_period IS NULL OR (i.ind).id IS NULL
                 OR period_is_valid((i.ind).periodicity, ci.focal_period)))
               AS r (n, field, message, ok)
         WHERE NOT r.ok
         ORDER BY r.n;
    END;

-- The area a change needs that the viewer does not manage, or NULL when it
-- manages every one: the stored row's (`stored`, NULL on create) and the
-- one the change gives (`given`, NULL when it keeps the stored one). The
-- guards above say the same; this names the area for the caller's 403.
CREATE FUNCTION indicator_unmanaged_area(v pacto_viewer, stored bigint, given text)
    RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT a.area
              FROM (VALUES (1, (SELECT i.area FROM indicators i WHERE i.id = stored)),
                           (2, given)) AS a (n, area)
             WHERE a.area IS NOT NULL AND NOT viewer_manages(v, a.area)
             ORDER BY a.n LIMIT 1);

CREATE FUNCTION challenge_unmanaged_area(v pacto_viewer, stored bigint, given text)
    RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT a.area
              FROM (VALUES (1, (SELECT c.responsible_area FROM challenges c
                                 WHERE c.id = stored)),
                           (2, given)) AS a (n, area)
             WHERE a.area IS NOT NULL AND NOT viewer_manages(v, a.area)
             ORDER BY a.n LIMIT 1);
