-- Revisions of pacted plans, the public status of their deliveries and a
-- plan's progress (SPEC 1, steps 9-11).
--
-- A revision: the challenge's area secretariat moves a pacted plan to
-- under_revision with a reason (a `revise` transition); the municipality
-- edits and submits it again (a new numbered version, the plans deadline
-- does not apply); on approval the plan is pacted again when the targets it
-- holds are those of its latest pact, else it stays approved until the mayor
-- signs a new pact on the new version -- outside the pact window too, while
-- the cycle's target year lasts (plan_resigns).
--
-- Replaced here (CREATE OR REPLACE, the rest as sql/019 has them):
-- plan_allowed_actions gains `revise` and the re-signature of a revised
-- plan; plan_json gains `progress`.

-- Whether an approved plan of cycle c is a revised one the mayor may sign
-- again outside the pact window: it has a pact already and the cycle's
-- target year has not ended (by the database clock).
CREATE FUNCTION plan_resigns(p action_plans, c cycles) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN current_date <= cycle_ends_on(c)
        AND EXISTS (SELECT 1 FROM pacts k WHERE k.plan_id = p.id);

-- Whether the targets plan p holds now are those of its latest pact: the
-- same indicators with the same values (numerically: 12 is 12.0). False
-- when the plan has no pact.
CREATE FUNCTION plan_targets_as_pacted(plan bigint) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT coalesce(
                (SELECT NOT EXISTS (SELECT t.indicator_id, t.target_value FROM plan_targets t
                                     WHERE t.plan_id = plan
                                    EXCEPT
                                    SELECT pt.indicator_id, pt.target_value FROM pact_targets pt
                                     WHERE pt.pact_id = k.id)
                    AND NOT EXISTS (SELECT pt.indicator_id, pt.target_value FROM pact_targets pt
                                     WHERE pt.pact_id = k.id
                                    EXCEPT
                                    SELECT t.indicator_id, t.target_value FROM plan_targets t
                                     WHERE t.plan_id = plan)
                   FROM pacts k WHERE k.plan_id = plan
                  ORDER BY k.plan_version DESC LIMIT 1), false));

CREATE OR REPLACE FUNCTION plan_allowed_actions(p action_plans, v pacto_viewer) RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT coalesce(array_agg(x.action ORDER BY x.n), '{}')
              FROM challenges ch JOIN cycles c ON c.id = ch.cycle_id
              JOIN adhesions a ON a.id = p.adhesion_id,
                   LATERAL (VALUES
                       (1, 'edit', p.status IN ('draft', 'returned', 'under_revision')
                                   AND viewer_is_municipal(v, p.municipality_id)
                                   AND a.status = 'active'),
                       (2, 'submit', (p.status = 'under_revision'
                                      OR (p.status IN ('draft', 'returned')
                                          AND now() < cycle_plans_due_at(c)))
                                     AND viewer_is_municipal(v, p.municipality_id)
                                     AND a.status = 'active'),
                       (3, 'return', p.status = 'submitted'
                                     AND viewer_manages(v, ch.responsible_area)),
                       (4, 'approve', p.status = 'submitted'
                                      AND viewer_manages(v, ch.responsible_area)),
                       (5, 'pact', p.status = 'approved'
                                   AND coalesce(v.role = 'mayor', false)
                                   AND v.municipality_id = p.municipality_id
                                   AND (cycle_phase(c, now()) = 'pact_open'
                                        OR plan_resigns(p, c))
                                   AND a.status = 'active'),
                       (6, 'revise', p.status = 'pacted'
                                     AND viewer_manages(v, ch.responsible_area)))
                       AS x (n, action, ok)
             WHERE ch.id = p.challenge_id AND x.ok);

CREATE OR REPLACE FUNCTION plan_json(p action_plans, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT json_build_object(
                'id', p.id, 'challenge_id', p.challenge_id, 'challenge_code', ch.code,
                'cycle_id', p.cycle_id, 'municipality_id', p.municipality_id,
                'municipality_name', m.name, 'status', p.status,
                'summary', content->'summary', 'targets', content->'targets',
                'actions', content->'actions',
                'total_amount_cents', (SELECT coalesce(sum(r.amount_cents), 0)
                                         FROM plan_actions a
                                         JOIN plan_resources r ON r.action_id = a.id
                                        WHERE a.plan_id = p.id),
                'current_version', nullif(p.versions, 0),
                'open_comments', (SELECT count(*) FROM plan_comments pc
                                   WHERE pc.plan_id = p.id AND pc.answered_at IS NULL),
                'pact', (SELECT json_build_object('id', k.id, 'protocol', k.protocol,
                                                  'signed_at', pacto_ts(k.signed_at))
                           FROM pacts k WHERE k.plan_id = p.id
                          ORDER BY k.plan_version DESC LIMIT 1),
                'allowed_actions', plan_allowed_actions(p, v),
                'progress', plan_progress(p.id),
                'progress_by_action', (SELECT coalesce(json_agg(json_build_object(
                                                 'action_id', a.id,
                                                 'progress', action_progress(a.id))
                                               ORDER BY a.position), '[]')
                                         FROM plan_actions a WHERE a.plan_id = p.id),
                'submitted_at', pacto_ts(p.submitted_at), 'approved_at', pacto_ts(p.approved_at),
                'created_at', pacto_ts(p.created_at), 'updated_at', pacto_ts(p.updated_at),
                'version', p.version)
              FROM challenges ch, municipalities m,
                   plan_content_for(plan_content(p), p, v) AS content
             WHERE ch.id = p.challenge_id AND m.ibge_code = p.municipality_id);

-- When a delivery was done: the review time of its accepted evidence, else NULL.
CREATE FUNCTION delivery_done_at(d plan_deliveries) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT e.reviewed_at FROM evidence e
             WHERE e.delivery_id = d.id AND e.status = 'accepted');

-- What anyone may know of a delivery: its plan and action, its dates,
-- weight and status -- never its evidence, files or people.
CREATE FUNCTION delivery_public_json(d plan_deliveries, a plan_actions) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', d.id, 'action_id', a.id, 'action_title', a.title, 'title', d.title,
        'due_date', d.due_date, 'weight', d.weight, 'status', delivery_status(d),
        'done_at', pacto_ts(delivery_done_at(d)));

-- A delivery as anyone sees it, with its action (the view of the cycle's
-- delivery list, whose rows come from cycle_delivery_rows).
CREATE FUNCTION delivery_json(d plan_deliveries, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT delivery_public_json(d, a) FROM plan_actions a
             WHERE a.id = d.action_id);

-- GET /v1/action-plans/{plan_id}/deliveries: the plan's deliveries in the
-- plan's order (action, then delivery), when the viewer may see the plan;
-- f: {status}. No row when the viewer may not see the plan.
CREATE FUNCTION plan_deliveries_json(v pacto_viewer, plan bigint, f jsonb) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT json_build_object('items', coalesce((
                SELECT json_agg(x.j ORDER BY x.apos, x.dpos)
                  FROM (SELECT a.position AS apos, d.position AS dpos,
                               delivery_public_json(d, a) AS j, delivery_status(d) AS s
                          FROM plan_actions a JOIN plan_deliveries d ON d.action_id = a.id
                         WHERE a.plan_id = p.id) x
                 WHERE f->>'status' IS NULL OR x.s = f->>'status'), '[]'))
              FROM action_plans p WHERE p.id = plan AND plan_visible(p, v));

-- GET /v1/cycles/{cycle_id}/deliveries: every delivery of the cycle's plans
-- in execution (pacted, or under revision), by delivery id; f:
-- {challenge_id, municipality_id, status}. Those plans are public. A plain
-- SELECT, inlined into the list's query: one walk of the cycle's plans and
-- their deliveries (a cursor's page walks plan_deliveries_pkey), one indexed
-- lookup of the latest evidence per delivery (delivery_status) and one of
-- its accepted evidence (done_at).
CREATE FUNCTION cycle_delivery_rows(v pacto_viewer, f jsonb, cycle bigint)
    RETURNS TABLE (k bigint, j json)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT x.id, x.j
          FROM (SELECT d.id, st.s,
                       json_build_object(
                           'id', d.id, 'plan_id', p.id, 'challenge_id', p.challenge_id,
                           'challenge_code', ch.code, 'municipality_id', p.municipality_id,
                           'municipality_name', m.name, 'plan_status', p.status,
                           'action_id', a.id, 'action_title', a.title, 'title', d.title,
                           'due_date', d.due_date, 'weight', d.weight,
                           'status', st.s,
                           'done_at', pacto_ts(ea.reviewed_at)) AS j
                  FROM action_plans p
                  JOIN challenges ch ON ch.id = p.challenge_id
                  JOIN municipalities m ON m.ibge_code = p.municipality_id
                  JOIN plan_deliveries d ON d.plan_id = p.id
                  JOIN plan_actions a ON a.id = d.action_id
                  -- OFFSET 0: the status is computed once, not once per use.
                  CROSS JOIN LATERAL (SELECT delivery_status(d) AS s OFFSET 0) st
                  -- delivery_done_at as a join: the accepted evidence by
                  -- evidence_one_standing, not a function call per row.
                  LEFT JOIN evidence ea ON ea.delivery_id = d.id AND ea.status = 'accepted'
                 WHERE p.cycle_id = cycle AND p.status IN ('pacted', 'under_revision')
                   AND plan_visible(p, v)
                   AND (f->>'challenge_id' IS NULL
                        OR p.challenge_id = (f->>'challenge_id')::bigint)
                   AND (f->>'municipality_id' IS NULL
                        OR p.municipality_id = f->>'municipality_id')) x
         WHERE f->>'status' IS NULL OR x.s = f->>'status';
    END;
