-- The portfolio (cardápio) of a challenge (lib/portfolio): its initiatives
-- and incentives as resources. Each one's JSON, audit snapshot, list
-- filters, guard (viewer_manages of the challenge's responsible area: who
-- keeps a challenge keeps its portfolio) and what keeps a row from being
-- deleted. No table changes: sql/019 holds them.

-- An initiative as a viewer sees it (call only when initiative_visible).
CREATE FUNCTION initiative_json(i initiatives, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', i.id, 'challenge_id', i.challenge_id, 'title', i.title,
        'description', i.description, 'area', i.area, 'type', i.type,
        'deliveries', i.deliveries, 'links', i.links, 'published', i.published,
        'created_at', pacto_ts(i.created_at), 'updated_at', pacto_ts(i.updated_at));

CREATE FUNCTION initiative_snapshot(i initiatives) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN initiative_json(i, NULL)::jsonb;

-- Published initiatives are public; drafts are the state's own work.
CREATE FUNCTION initiative_visible(i initiatives, v pacto_viewer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN i.published OR viewer_is_secretariat(v);

-- GET /v1/challenges/{challenge_id}/initiatives?type=&published=
CREATE FUNCTION initiative_matches(i initiatives, f jsonb, v pacto_viewer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (f->>'type' IS NULL OR i.type = f->>'type')
       AND (f->>'published' IS NULL OR i.published = (f->>'published')::boolean);

-- The challenge's responsible secretariat, or the coordination.
CREATE FUNCTION initiative_guard(i initiatives, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce((SELECT viewer_manages(v, c.responsible_area) FROM challenges c
                      WHERE c.id = i.challenge_id), false);

-- What keeps an initiative: a plan's action that adopted it. NULL when
-- nothing does.
CREATE FUNCTION initiative_in_use(initiative bigint) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN EXISTS (SELECT 1 FROM plan_actions a WHERE a.initiative_id = initiative)
                THEN 'An action plan''s action adopts the initiative.' END;

CREATE FUNCTION incentive_json(i incentives, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', i.id, 'challenge_id', i.challenge_id, 'title', i.title,
        'description', i.description, 'type', i.type, 'amount_cents', i.amount_cents,
        'source', i.source, 'condition', i.condition,
        'created_at', pacto_ts(i.created_at), 'updated_at', pacto_ts(i.updated_at));

CREATE FUNCTION incentive_snapshot(i incentives) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN incentive_json(i, NULL)::jsonb;

-- GET /v1/challenges/{challenge_id}/incentives?type=
CREATE FUNCTION incentive_matches(i incentives, f jsonb, v pacto_viewer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN f->>'type' IS NULL OR i.type = f->>'type';

CREATE FUNCTION incentive_guard(i incentives, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce((SELECT viewer_manages(v, c.responsible_area) FROM challenges c
                      WHERE c.id = i.challenge_id), false);

-- An amount exactly when the incentive is money, judged on the row as it
-- would be stored: a patch that changes the type is judged too (the
-- table's CHECK says the same; this names the field).
CREATE FUNCTION incentive_rules(i incentives) RETURNS TABLE (field text, message text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT r.field, r.message
          FROM (VALUES
                (1, 'amount_cents', 'is required for a financial incentive',
                 i.type IS DISTINCT FROM 'financial' OR i.amount_cents IS NOT NULL),
                (2, 'amount_cents', 'is only for a financial incentive',
                 i.type = 'financial' OR i.amount_cents IS NULL))
               AS r (n, field, message, ok)
         WHERE NOT r.ok
         ORDER BY r.n;
    END;

-- What keeps an incentive: a pact granted it. NULL when nothing does.
CREATE FUNCTION incentive_in_use(incentive bigint) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN EXISTS (SELECT 1 FROM incentive_grants g WHERE g.incentive_id = incentive)
                THEN 'A pact has granted the incentive.' END;
