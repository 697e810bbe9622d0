-- Writing an action plan: what its document may name (judged against the
-- database, after lib/plans/content.c has judged its form), saving a
-- document into a plan, and the public list of a cycle's plans.
--
-- The document: {summary, targets: [{indicator_id, target_value,
-- justification}], actions: [{id, initiative_id, title, description,
-- responsible_person, responsible_unit, start_date, end_date, resources:
-- [{amount_cents, source, description}], deliveries: [{id, title, due_date,
-- evidence_expected, weight}]}]}. Numbers may arrive as 1e+15: they are
-- read through numeric.

-- The elements of a document's array member, 0-based; none when the member
-- is absent or null.
CREATE FUNCTION plan_document_items(d jsonb, member text)
    RETURNS TABLE (i integer, x jsonb)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT (e.n - 1)::integer, e.x
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(d->member) = 'array'
                                         THEN d->member ELSE '[]' END)
               WITH ORDINALITY AS e (x, n);
    END;

-- What a document names that is not there for the plan (`plan`, NULL for a
-- plan not yet created) of `challenge`: an initiative must be a published
-- one of the challenge's portfolio, an indicator a main indicator of the
-- challenge, an action id one of this plan's actions, a delivery id one of
-- that action's deliveries.
CREATE FUNCTION plan_document_problems(challenge bigint, plan bigint, d jsonb)
    RETURNS TABLE (field text, message text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT format('targets[%s].indicator_id', t.i), 'is not a main indicator of the challenge'
          FROM plan_document_items(d, 'targets') t
         WHERE NOT EXISTS (SELECT 1 FROM challenge_indicators ci
                            WHERE ci.challenge_id = challenge AND ci.role = 'main'
                              AND ci.indicator_id = (t.x->>'indicator_id')::numeric)
        UNION ALL
        SELECT format('actions[%s].initiative_id', a.i),
               'is not a published initiative of the challenge''s portfolio'
          FROM plan_document_items(d, 'actions') a
         WHERE a.x->>'initiative_id' IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM initiatives n
                            WHERE n.id = (a.x->>'initiative_id')::numeric
                              AND n.challenge_id = challenge AND n.published)
        UNION ALL
        SELECT format('actions[%s].id', a.i), 'is not an action of this plan'
          FROM plan_document_items(d, 'actions') a
         WHERE a.x->>'id' IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM plan_actions pa
                            WHERE pa.id = (a.x->>'id')::numeric AND pa.plan_id = plan)
        UNION ALL
        SELECT format('actions[%s].deliveries[%s].id', a.i, e.i), 'is not a delivery of this action'
          FROM plan_document_items(d, 'actions') a,
               plan_document_items(a.x, 'deliveries') e
         WHERE e.x->>'id' IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM plan_deliveries pd
                            WHERE pd.id = (e.x->>'id')::numeric AND pd.plan_id = plan
                              AND pd.action_id = (a.x->>'id')::numeric);
    END;

-- Writes the members d has into plan `plan`: summary; targets replaced;
-- actions upserted by id in the order given, the plan's others deleted (with
-- their resources and deliveries), new ones inserted; each action's
-- resources replaced and deliveries upserted by id likewise. A member that
-- is null empties it. Call only after plan_document_problems found nothing
-- (ids are the plan's, each delivery's under its own action). Does not bump
-- the plan's version: its callers do. A few set-based statements whatever
-- the size of the plan: once the actions are written, the document's action
-- i is the plan's action at position i (positions are unique in a plan, as
-- every action left is the document's).
CREATE FUNCTION plan_write_document(plan bigint, d jsonb) RETURNS void
    LANGUAGE plpgsql VOLATILE
    AS $$
BEGIN
    IF d ? 'summary' THEN
        UPDATE action_plans SET summary = d->>'summary' WHERE id = plan;
    END IF;
    IF d ? 'targets' THEN
        DELETE FROM plan_targets WHERE plan_id = plan;
        INSERT INTO plan_targets (plan_id, indicator_id, target_value, justification)
        SELECT plan, (t.x->>'indicator_id')::numeric, (t.x->>'target_value')::numeric,
               t.x->>'justification'
          FROM plan_document_items(d, 'targets') t;
    END IF;
    IF NOT d ? 'actions' THEN
        RETURN; -- the counts below are unchanged
    END IF;
    DELETE FROM plan_actions pa
     WHERE pa.plan_id = plan
       AND pa.id NOT IN (SELECT (a.x->>'id')::numeric FROM plan_document_items(d, 'actions') a
                          WHERE a.x->>'id' IS NOT NULL);
    UPDATE plan_actions pa
       SET position = a.i, initiative_id = (a.x->>'initiative_id')::numeric,
           title = a.x->>'title', description = a.x->>'description',
           responsible_person = a.x->>'responsible_person',
           responsible_unit = a.x->>'responsible_unit',
           start_date = (a.x->>'start_date')::date, end_date = (a.x->>'end_date')::date
      FROM plan_document_items(d, 'actions') a
     WHERE a.x->>'id' IS NOT NULL AND pa.id = (a.x->>'id')::numeric AND pa.plan_id = plan;
    INSERT INTO plan_actions (plan_id, position, initiative_id, title, description,
                              responsible_person, responsible_unit, start_date, end_date)
    SELECT plan, a.i, (a.x->>'initiative_id')::numeric, a.x->>'title', a.x->>'description',
           a.x->>'responsible_person', a.x->>'responsible_unit', (a.x->>'start_date')::date,
           (a.x->>'end_date')::date
      FROM plan_document_items(d, 'actions') a WHERE a.x->>'id' IS NULL ORDER BY a.i;

    -- Every action of the plan is now the document's, at its position.
    DELETE FROM plan_resources r USING plan_actions pa
     WHERE r.action_id = pa.id AND pa.plan_id = plan;
    INSERT INTO plan_resources (action_id, position, amount_cents, source, description)
    SELECT pa.id, r.i, (r.x->>'amount_cents')::numeric, r.x->>'source', r.x->>'description'
      FROM plan_document_items(d, 'actions') a
      JOIN plan_actions pa ON pa.plan_id = plan AND pa.position = a.i,
           plan_document_items(a.x, 'resources') r;

    DELETE FROM plan_deliveries pd
     WHERE pd.plan_id = plan
       AND pd.id NOT IN (SELECT (e.x->>'id')::numeric
                           FROM plan_document_items(d, 'actions') a,
                                plan_document_items(a.x, 'deliveries') e
                          WHERE e.x->>'id' IS NOT NULL);
    UPDATE plan_deliveries pd
       SET position = e.i, title = e.x->>'title', due_date = (e.x->>'due_date')::date,
           evidence_expected = e.x->>'evidence_expected', weight = (e.x->>'weight')::numeric
      FROM plan_document_items(d, 'actions') a, plan_document_items(a.x, 'deliveries') e
     WHERE e.x->>'id' IS NOT NULL AND pd.id = (e.x->>'id')::numeric AND pd.plan_id = plan;
    INSERT INTO plan_deliveries (action_id, plan_id, position, title, due_date,
                                 evidence_expected, weight)
    SELECT pa.id, plan, e.i, e.x->>'title', (e.x->>'due_date')::date, e.x->>'evidence_expected',
           (e.x->>'weight')::numeric
      FROM plan_document_items(d, 'actions') a
      JOIN plan_actions pa ON pa.plan_id = plan AND pa.position = a.i,
           plan_document_items(a.x, 'deliveries') e
     WHERE e.x->>'id' IS NULL ORDER BY a.i, e.i;

    UPDATE action_plans p
       SET actions_count = (SELECT count(*) FROM plan_actions x WHERE x.plan_id = plan),
           deliveries_count = (SELECT count(*) FROM plan_deliveries x WHERE x.plan_id = plan),
           total_amount_cents = (SELECT coalesce(sum(r.amount_cents), 0)
                                   FROM plan_actions x JOIN plan_resources r ON r.action_id = x.id
                                  WHERE x.plan_id = plan)
     WHERE p.id = plan;
END;
$$;

-- Creates the plan of the viewer's municipality for `challenge` under its
-- adhesion, from document d; without targets in d, with the municipality's
-- suggested targets for the challenge's main indicators. NULL when the
-- municipality already has a plan for the challenge.
CREATE FUNCTION plan_create(challenge bigint, adhesion bigint, v pacto_viewer, d jsonb)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    plan bigint;
BEGIN
    INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id, created_by)
    SELECT ch.id, ch.cycle_id, v.municipality_id, adhesion, v.user_id
      FROM challenges ch WHERE ch.id = challenge
    ON CONFLICT (municipality_id, challenge_id) DO NOTHING
    RETURNING id INTO plan;
    IF plan IS NULL THEN
        RETURN NULL;
    END IF;
    IF NOT d ? 'targets' THEN
        INSERT INTO plan_targets (plan_id, indicator_id, target_value)
        SELECT plan, s.indicator_id, s.suggested_value
          FROM suggested_targets s
          JOIN challenge_indicators ci ON ci.challenge_id = s.challenge_id
                                      AND ci.indicator_id = s.indicator_id AND ci.role = 'main'
         WHERE s.challenge_id = challenge AND s.municipality_id = v.municipality_id
           AND s.suggested_value IS NOT NULL;
    END IF;
    PERFORM plan_write_document(plan, d);
    RETURN plan;
END;
$$;

-- Saves document d into plan `plan` as the viewer edits it and bumps its
-- version. Editing a returned plan moves it back to draft, and the log
-- keeps that as a reopen.
CREATE FUNCTION plan_save(plan bigint, d jsonb, v pacto_viewer) RETURNS void
    LANGUAGE plpgsql VOLATILE
    AS $$
BEGIN
    PERFORM plan_write_document(plan, d);
    INSERT INTO plan_transitions (plan_id, action, from_status, to_status, version, user_id)
    SELECT p.id, 'reopen', p.status, 'draft', nullif(p.versions, 0), v.user_id
      FROM action_plans p WHERE p.id = plan AND p.status = 'returned';
    UPDATE action_plans
       SET status = CASE WHEN status = 'returned' THEN 'draft' ELSE status END,
           version = version + 1, updated_at = now()
     WHERE id = plan;
END;
$$;

-- GET /v1/cycles/{cycle_id}/action-plans: the cycle's plans the viewer may
-- see (plan_visible), as summaries, by id. Filters: challenge_id,
-- municipality_id, status. A plain SELECT, so PostgreSQL inlines it into
-- the list's query and walks action_plans_cycle_idx in key order; the
-- counts are the plan's own columns.
CREATE FUNCTION plan_summary_rows(v pacto_viewer, f jsonb, cycle bigint)
    RETURNS TABLE (k bigint, j json)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT p.id,
               json_build_object(
                   'id', p.id, 'challenge_id', p.challenge_id, 'challenge_code', ch.code,
                   'municipality_id', p.municipality_id, 'municipality_name', m.name,
                   'status', p.status,
                   'actions', p.actions_count, 'deliveries', p.deliveries_count,
                   'total_amount_cents', p.total_amount_cents,
                   'current_version', nullif(p.versions, 0),
                   'submitted_at', pacto_ts(p.submitted_at),
                   'approved_at', pacto_ts(p.approved_at), 'updated_at', pacto_ts(p.updated_at))
          FROM action_plans p
          JOIN challenges ch ON ch.id = p.challenge_id
          JOIN municipalities m ON m.ibge_code = p.municipality_id
         WHERE p.cycle_id = cycle AND plan_visible(p, v)
           AND (f->>'challenge_id' IS NULL OR p.challenge_id = (f->>'challenge_id')::bigint)
           AND (f->>'municipality_id' IS NULL OR p.municipality_id = f->>'municipality_id')
           AND (f->>'status' IS NULL OR p.status = f->>'status');
    END;
