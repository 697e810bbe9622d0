-- Trajectories and alerts (SPEC 1, steps 9-11): what a pact's targets show
-- of their trajectory (pact_target_trajectory, sql/024: computed when read,
-- so never stale after an import of values), the public list of a cycle's
-- trajectories, and the state's alerts of a cycle. The challenge's
-- trajectory_tolerance (sql/024) becomes a field of its JSON.

CREATE OR REPLACE FUNCTION challenge_json(c challenges, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', c.id, 'cycle_id', c.cycle_id,
        'state', (SELECT s.uf FROM cycles y JOIN states s ON s.code = y.state_code
                   WHERE y.id = c.cycle_id),
        'code', c.code, 'title', c.title, 'description', c.description, 'area', c.area,
        'responsible_area', c.responsible_area, 'focal_combine', c.focal_combine,
        'open_to_all', c.open_to_all, 'trajectory_tolerance', c.trajectory_tolerance,
        'indicators', coalesce(
            (SELECT json_agg(challenge_indicator_json(ci, v)
                             ORDER BY ci.role = 'main' DESC, i.code)
               FROM challenge_indicators ci JOIN indicators i ON i.id = ci.indicator_id
              WHERE ci.challenge_id = c.id), '[]'::json),
        'created_at', pacto_ts(c.created_at), 'updated_at', pacto_ts(c.updated_at));

-- Whether a pact is its plan's newest: a plan revised and signed again is
-- followed by the new pact's targets, not the old one's.
CREATE FUNCTION pact_is_current(k pacts) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN NOT EXISTS (SELECT 1 FROM pacts n
                        WHERE n.plan_id = k.plan_id AND n.plan_version > k.plan_version);

-- One pact target's trajectory as JSON: its indicator, then every column of
-- pact_target_trajectory.
CREATE FUNCTION pact_target_trajectory_json(t pact_targets) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT json_build_object(
                'indicator_id', i.id, 'indicator_code', i.code, 'indicator_name', i.name,
                'unit', i.unit, 'polarity', i.polarity,
                'baseline_value', tr.baseline_value, 'baseline_period', tr.baseline_period,
                'target_value', tr.target_value, 'target_year', tr.target_year,
                'latest_value', tr.latest_value, 'latest_period', tr.latest_period,
                'preliminary_value', tr.preliminary_value,
                'preliminary_period', tr.preliminary_period, 'elapsed', tr.elapsed,
                'expected_value', tr.expected_value, 'progress', tr.progress,
                'status', tr.status)
              FROM indicators i, pact_target_trajectory(t) tr
             WHERE i.id = t.indicator_id);

-- GET /v1/pacts/{pact_id}/trajectory: the pact, its challenge's tolerance
-- and each target's trajectory, in indicator order. Public.
CREATE FUNCTION pact_trajectory_json(k pacts) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT json_build_object(
                'pact_id', k.id, 'protocol', k.protocol, 'plan_id', k.plan_id,
                'cycle_id', k.cycle_id, 'challenge_id', k.challenge_id,
                'challenge_code', ch.code, 'municipality_id', k.municipality_id,
                'municipality_name', m.name, 'current', pact_is_current(k),
                'trajectory_tolerance', ch.trajectory_tolerance,
                'targets', coalesce((SELECT json_agg(pact_target_trajectory_json(t)
                                                     ORDER BY t.indicator_id)
                                       FROM pact_targets t WHERE t.pact_id = k.id), '[]'))
              FROM challenges ch, municipalities m
             WHERE ch.id = k.challenge_id AND m.ibge_code = k.municipality_id);

-- GET /v1/cycles/{cycle_id}/trajectories?challenge_id=&municipality_id=&status=:
-- one row per target of the cycle's current pacts, keyed (and ordered) by
-- pact, then indicator. Public: the viewer changes nothing.
CREATE FUNCTION pact_trajectory_rows(v pacto_viewer, f jsonb, cycle bigint)
    RETURNS TABLE (k text, j json)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT lpad(p.id::text, 19, '0') || '/' || lpad(t.indicator_id::text, 19, '0'),
               json_build_object(
                   'pact_id', p.id, 'protocol', p.protocol,
                   'municipality_id', p.municipality_id, 'municipality_name', m.name,
                   'challenge_id', p.challenge_id, 'challenge_code', ch.code,
                   'indicator_id', i.id, 'indicator_code', i.code, 'polarity', i.polarity,
                   'baseline_value', tr.baseline_value, 'baseline_period', tr.baseline_period,
                   'target_value', tr.target_value, 'target_year', tr.target_year,
                   'latest_value', tr.latest_value, 'latest_period', tr.latest_period,
                   'preliminary_value', tr.preliminary_value,
                   'preliminary_period', tr.preliminary_period, 'elapsed', tr.elapsed,
                   'expected_value', tr.expected_value, 'progress', tr.progress,
                   'status', tr.status)
          FROM pacts p
          JOIN municipalities m ON m.ibge_code = p.municipality_id
          JOIN challenges ch ON ch.id = p.challenge_id
          JOIN pact_targets t ON t.pact_id = p.id
          JOIN indicators i ON i.id = t.indicator_id
          CROSS JOIN LATERAL pact_target_trajectory(t) tr
         WHERE p.cycle_id = cycle AND pact_is_current(p)
           AND (f->>'challenge_id' IS NULL OR p.challenge_id = (f->>'challenge_id')::bigint)
           AND (f->>'municipality_id' IS NULL OR p.municipality_id = f->>'municipality_id')
           AND (f->>'status' IS NULL OR tr.status = f->>'status');
    END;

-- An alert as JSON and CSV: every kind has the same members, those of
-- other kinds null.
CREATE FUNCTION alert_json(kind text, municipality_id text, municipality_name text,
                           challenge_id bigint, challenge_code text, area text, plan_id bigint,
                           pact_id bigint, protocol text, indicator_id bigint,
                           indicator_code text, latest_value numeric, latest_period text,
                           expected_value numeric, delivery_id bigint, delivery_title text,
                           due_date date, days_late integer, evidence_id bigint,
                           submitted_at timestamptz, days_waiting integer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'kind', kind, 'municipality_id', municipality_id, 'municipality_name', municipality_name,
        'challenge_id', challenge_id, 'challenge_code', challenge_code, 'area', area,
        'plan_id', plan_id, 'pact_id', pact_id, 'protocol', protocol,
        'indicator_id', indicator_id, 'indicator_code', indicator_code,
        'latest_value', latest_value, 'latest_period', latest_period,
        'expected_value', expected_value, 'delivery_id', delivery_id,
        'delivery_title', delivery_title, 'due_date', due_date, 'days_late', days_late,
        'evidence_id', evidence_id, 'submitted_at', pacto_ts(submitted_at),
        'days_waiting', days_waiting);

-- GET /v1/cycles/{cycle_id}/alerts?area=&municipality_id=&kind=: what the
-- state must act on in the cycle, by kind (pact_off_track, delivery_late,
-- evidence_waiting), then the oldest first (a pact by its signature, a
-- delivery by its due date, an evidence by its submission), which the key
-- orders: a target of a current pact off track; a late delivery of a pacted
-- plan (delivery_status); an evidence awaiting review for more than
-- `review_days` days. area is the challenge's responsible secretariat.
CREATE FUNCTION alert_rows(cycle bigint, f jsonb, review_days integer)
    RETURNS TABLE (k text, j json)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT a.k, a.j FROM (
            SELECT '1/' || to_char(p.signed_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS') || '/'
                   || lpad(p.id::text, 19, '0') || '/' || lpad(t.indicator_id::text, 19, '0')
                   AS k,
                   alert_json('pact_off_track', p.municipality_id, m.name, ch.id, ch.code,
                              ch.responsible_area, p.plan_id, p.id, p.protocol, i.id, i.code,
                              tr.latest_value, tr.latest_period, tr.expected_value, NULL, NULL,
                              NULL, NULL, NULL, NULL, NULL) AS j,
                   'pact_off_track' AS kind, ch.responsible_area AS area,
                   p.municipality_id
              FROM pacts p
              JOIN municipalities m ON m.ibge_code = p.municipality_id
              JOIN challenges ch ON ch.id = p.challenge_id
              JOIN pact_targets t ON t.pact_id = p.id
              JOIN indicators i ON i.id = t.indicator_id
              CROSS JOIN LATERAL pact_target_trajectory(t) tr
             WHERE p.cycle_id = cycle AND pact_is_current(p) AND tr.status = 'off_track'
            UNION ALL
            SELECT '2/' || to_char(d.due_date, 'YYYYMMDD') || '/' || lpad(d.id::text, 19, '0'),
                   alert_json('delivery_late', pl.municipality_id, m.name, ch.id, ch.code,
                              ch.responsible_area, pl.id, NULL, NULL, NULL, NULL, NULL, NULL,
                              NULL, d.id, d.title, d.due_date, current_date - d.due_date, NULL,
                              NULL, NULL),
                   'delivery_late', ch.responsible_area, pl.municipality_id
              FROM action_plans pl
              JOIN plan_deliveries d ON d.plan_id = pl.id
              JOIN municipalities m ON m.ibge_code = pl.municipality_id
              JOIN challenges ch ON ch.id = pl.challenge_id
             WHERE pl.cycle_id = cycle AND pl.status = 'pacted'
               -- only a delivery past due can be late: its status is read for those alone
               AND d.due_date < current_date AND delivery_status(d) = 'late'
            UNION ALL
            SELECT '3/' || to_char(e.submitted_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS')
                   || '/' || lpad(e.id::text, 19, '0'),
                   alert_json('evidence_waiting', pl.municipality_id, m.name, ch.id, ch.code,
                              ch.responsible_area, pl.id, NULL, NULL, NULL, NULL, NULL, NULL,
                              NULL, d.id, d.title, d.due_date, NULL, e.id, e.submitted_at,
                              floor(extract(epoch FROM now() - e.submitted_at) / 86400)::integer),
                   'evidence_waiting', ch.responsible_area, pl.municipality_id
              FROM evidence e
              JOIN plan_deliveries d ON d.id = e.delivery_id
              JOIN action_plans pl ON pl.id = e.plan_id
              JOIN municipalities m ON m.ibge_code = pl.municipality_id
              JOIN challenges ch ON ch.id = pl.challenge_id
             WHERE pl.cycle_id = cycle AND e.status = 'submitted'
               AND e.submitted_at < now() - make_interval(days => review_days)) a
         WHERE (f->>'kind' IS NULL OR a.kind = f->>'kind')
           AND (f->>'area' IS NULL OR a.area = f->>'area')
           AND (f->>'municipality_id' IS NULL OR a.municipality_id = f->>'municipality_id');
    END;
