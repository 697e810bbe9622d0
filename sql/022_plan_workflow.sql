-- An action plan's review workflow: what a submission must satisfy, the
-- transition log and a return's comments as callers see them, and the
-- frozen versions. The statements that move a plan from one status to the
-- next live beside their handlers (lib/plans/workflow.c); the comparison of
-- two versions is C (lib/plans/diff.c).

-- Every rule a plan breaks on submit, at once, each naming its field with
-- 0-based indexes as the plan document does (actions[2].deliveries[0].due_date):
-- at least one action, each with deliveries, each delivery with a due date;
-- dates inside the cycle; a target for every main indicator of the challenge
-- with a state target; a justification for a target less ambitious than the
-- municipality's suggested one; initiatives still published.
CREATE FUNCTION plan_submit_problems(p action_plans) RETURNS TABLE (field text, message text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        WITH c AS (SELECT cycle_starts_on(cy) AS starts, cycle_ends_on(cy) AS ends
                     FROM cycles cy WHERE cy.id = p.cycle_id),
             a AS (SELECT x.*, (row_number() OVER (ORDER BY x.position) - 1) AS i
                     FROM plan_actions x WHERE x.plan_id = p.id),
             d AS (SELECT y.*, a.i,
                          (row_number() OVER (PARTITION BY y.action_id ORDER BY y.position) - 1)
                              AS j
                     FROM plan_deliveries y JOIN a ON a.id = y.action_id),
             t AS (SELECT z.*, (row_number() OVER (ORDER BY z.indicator_id) - 1) AS k
                     FROM plan_targets z WHERE z.plan_id = p.id),
             problems (n, i, j, field, message) AS (
                 SELECT 0, 0, 0, 'actions', 'a plan needs at least one action'
                  WHERE NOT EXISTS (SELECT 1 FROM a)
                 UNION ALL
                 SELECT 1, a.i, 0, format('actions[%s].deliveries', a.i),
                        'an action needs at least one delivery'
                   FROM a WHERE NOT EXISTS (SELECT 1 FROM d WHERE d.action_id = a.id)
                 UNION ALL
                 SELECT 1, a.i, -1, format('actions[%s].initiative_id', a.i),
                        'the initiative is no longer published in the portfolio'
                   FROM a JOIN initiatives n ON n.id = a.initiative_id WHERE NOT n.published
                 UNION ALL
                 SELECT 1, a.i, -3, format('actions[%s].start_date', a.i),
                        format('must be between %s and %s (the cycle)', c.starts, c.ends)
                   FROM a, c WHERE a.start_date NOT BETWEEN c.starts AND c.ends
                 UNION ALL
                 SELECT 1, a.i, -2, format('actions[%s].end_date', a.i),
                        format('must be between %s and %s (the cycle)', c.starts, c.ends)
                   FROM a, c WHERE a.end_date NOT BETWEEN c.starts AND c.ends
                 UNION ALL
                 SELECT 1, d.i, d.j, format('actions[%s].deliveries[%s].due_date', d.i, d.j),
                        CASE WHEN d.due_date IS NULL THEN 'is required to submit the plan'
                             ELSE format('must be between %s and %s (the cycle)', c.starts,
                                         c.ends) END
                   FROM d, c WHERE d.due_date IS NULL OR d.due_date NOT BETWEEN c.starts AND c.ends
                 UNION ALL
                 SELECT 2, 0, 0, 'targets',
                        format('needs a target for the main indicator %s', i.code)
                   FROM challenge_indicators ci
                   JOIN state_targets st ON st.challenge_id = ci.challenge_id
                                        AND st.indicator_id = ci.indicator_id
                   JOIN indicators i ON i.id = ci.indicator_id
                  WHERE ci.challenge_id = p.challenge_id AND ci.role = 'main'
                    AND NOT EXISTS (SELECT 1 FROM t WHERE t.indicator_id = ci.indicator_id)
                 UNION ALL
                 SELECT 3, t.k, 0, format('targets[%s].justification', t.k),
                        format('is required: the target is less ambitious than the suggested %s',
                               s.suggested_value)
                   FROM t JOIN indicators i ON i.id = t.indicator_id
                   JOIN suggested_targets s ON s.challenge_id = p.challenge_id
                                           AND s.indicator_id = t.indicator_id
                                           AND s.municipality_id = p.municipality_id
                  WHERE t.justification IS NULL AND s.suggested_value IS NOT NULL
                    AND CASE WHEN i.polarity = 'higher_is_better'
                             THEN t.target_value < s.suggested_value
                             ELSE t.target_value > s.suggested_value END)
        SELECT problems.field, problems.message FROM problems
         ORDER BY problems.n, problems.i, problems.j, problems.field;
    END;

-- One transition of a plan's log as the viewer sees it: who made it is a
-- role for everyone, a name only for the municipality and the state (the
-- people of a plan are personal data, as in plan_shows_people).
CREATE FUNCTION plan_transition_json(t plan_transitions, p action_plans, v pacto_viewer)
    RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT json_build_object(
                'id', t.id, 'action', t.action, 'from_status', t.from_status,
                'to_status', t.to_status, 'reason', t.reason, 'version', t.version,
                'at', pacto_ts(t.at), 'by_role', u.role,
                'by_name', CASE WHEN plan_shows_people(p, v) THEN u.name END)
              FROM users u WHERE u.id = t.user_id);

-- A return's comment (shown to the municipality and the state only).
CREATE FUNCTION plan_comment_json(c plan_comments) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', c.id, 'plan_id', c.plan_id, 'transition_id', c.transition_id,
        'action_id', c.action_id, 'text', c.text, 'answered', c.answered_at IS NOT NULL,
        'answer', c.answer, 'answered_at', pacto_ts(c.answered_at));

-- What the audit log keeps of a comment.
CREATE FUNCTION plan_comment_snapshot(c plan_comments) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN to_jsonb(c);

-- A frozen version in a plan's list: its number, when, and its size.
CREATE FUNCTION plan_version_summary_json(pv plan_versions) RETURNS json
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN json_build_object(
        'number', pv.number, 'submitted_at', pacto_ts(pv.submitted_at),
        'actions', jsonb_array_length(pv.content->'actions'),
        'deliveries', (SELECT coalesce(sum(jsonb_array_length(a->'deliveries')), 0)
                         FROM jsonb_array_elements(pv.content->'actions') a));

-- A frozen version whole, as the viewer may see it (plan_content_for: the
-- public never sees the people named in it).
CREATE FUNCTION plan_version_json(pv plan_versions, p action_plans, v pacto_viewer) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object('plan_id', pv.plan_id, 'number', pv.number,
                              'submitted_at', pacto_ts(pv.submitted_at))
           || plan_content_for(pv.content, p, v);
