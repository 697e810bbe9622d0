-- Good practices (seed 004: a platform of good governance practices for
-- peer-to-peer learning, tied to the SDGs): a municipality proposes what
-- worked (the problem it solved, its results, the indicator values that
-- moved), the state curates and publishes it, anyone searches the published
-- ones in Portuguese without minding accents, and a plan's action cites the
-- practice it adopts. lib/practices holds the handlers.
--
-- Status: draft -> submitted -> published; the state returns a submitted
-- practice, or unpublishes a published one that no plan cites, with a
-- reason (returned); the municipality's next edit moves a returned practice
-- back to draft.

CREATE EXTENSION IF NOT EXISTS unaccent;

-- Portuguese stemming of words folded without accents, so that "saude"
-- finds "Saúde" and "vacinação" finds "vacinacao".
CREATE TEXT SEARCH CONFIGURATION pt_unaccent (COPY = portuguese);
ALTER TEXT SEARCH CONFIGURATION pt_unaccent
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, portuguese_stem;

CREATE TABLE practices (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    municipality_id text NOT NULL REFERENCES municipalities (ibge_code),
    challenge_id    bigint NOT NULL REFERENCES challenges (id),
    -- The municipality's plan the practice comes from, when it does.
    plan_id         bigint REFERENCES action_plans (id) ON DELETE SET NULL,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary         text NOT NULL CHECK (length(summary) BETWEEN 1 AND 2000),
    problem         text NOT NULL CHECK (length(problem) BETWEEN 1 AND 4000),
    results         text NOT NULL CHECK (length(results) BETWEEN 1 AND 4000),
    -- The UN's Sustainable Development Goals (ODS) 1-17 it serves.
    sdg_goals       smallint[] NOT NULL
                    CHECK (cardinality(sdg_goals) BETWEEN 1 AND 17
                           AND sdg_goals <@ '{1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17}'),
    -- What it cost, in BRL.
    cost_range      text NOT NULL
                    CHECK (cost_range IN ('none', 'up_to_50k', '50k_to_500k', 'over_500k')),
    -- Whom to ask: a role ("Secretaria Municipal de Saúde — coordenação da
    -- atenção básica"), never a person.
    contact_role    text NOT NULL CHECK (length(contact_role) BETWEEN 1 AND 200),
    status          text NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'submitted', 'published', 'returned')),
    return_reason   text CHECK (length(return_reason) BETWEEN 1 AND 2000),
    submitted_at    timestamptz,
    published_at    timestamptz,
    reviewed_by     bigint REFERENCES users (id),
    version         integer NOT NULL DEFAULT 1,
    created_by      bigint NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- The search: the title weighs most (A), then the summary (B), then the
    -- rest (C).
    search          tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector('pt_unaccent'::regconfig, title), 'A')
                        || setweight(to_tsvector('pt_unaccent'::regconfig, summary), 'B')
                        || setweight(to_tsvector('pt_unaccent'::regconfig,
                                                 problem || ' ' || results || ' '
                                                 || contact_role), 'C')) STORED,
    CHECK ((status = 'returned') = (return_reason IS NOT NULL))
);
CREATE INDEX practices_search_idx ON practices USING gin (search);
CREATE INDEX practices_municipality_idx ON practices (municipality_id, id);
CREATE INDEX practices_challenge_idx ON practices (challenge_id, id);

-- The plan's actions the practice is made of.
CREATE TABLE practice_actions (
    practice_id bigint NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    action_id   bigint NOT NULL REFERENCES plan_actions (id) ON DELETE CASCADE,
    position    smallint NOT NULL CHECK (position >= 0),
    PRIMARY KEY (practice_id, action_id)
);
CREATE INDEX practice_actions_action_idx ON practice_actions (action_id);

-- The indicator values that moved: the municipality's value of the
-- indicator from one period to a later one (both imported values).
CREATE TABLE practice_indicators (
    practice_id  bigint NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    position     smallint NOT NULL CHECK (position >= 0),
    indicator_id bigint NOT NULL REFERENCES indicators (id),
    from_period  text NOT NULL,
    to_period    text NOT NULL,
    PRIMARY KEY (practice_id, position)
);

-- Attachments: files stored as evidence files are (once per municipality
-- and digest, lib/evidence/store.h), attached in order.
CREATE TABLE practice_files (
    practice_id bigint NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    file_id     bigint NOT NULL REFERENCES evidence_files (id),
    position    smallint NOT NULL CHECK (position >= 0),
    PRIMARY KEY (practice_id, file_id)
);

-- Adoption: a plan's action cites the practice it adopts.
ALTER TABLE plan_actions ADD COLUMN practice_id bigint REFERENCES practices (id);
CREATE INDEX plan_actions_practice_idx ON plan_actions (practice_id) WHERE practice_id IS NOT NULL;

-- The newest population of a municipality (the indicator marked
-- is_population, status ok), as the focalization's peer bands read it
-- (state_populations, sql/017).
CREATE FUNCTION municipality_population(code text) RETURNS numeric
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT v.value FROM indicator_values v
             WHERE v.indicator_id = (SELECT i.id FROM indicators i WHERE i.is_population)
               AND v.municipality_id = code AND v.status = 'ok'
             ORDER BY v.period DESC LIMIT 1);

-- Who may know of a practice: everyone once published; the proposing
-- municipality always; the state once it was submitted (a draft is the
-- municipality's own work).
CREATE FUNCTION practice_visible(p practices, v pacto_viewer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN p.status = 'published' OR viewer_is_municipal(v, p.municipality_id)
        OR (viewer_is_secretariat(v) AND p.status <> 'draft');

-- Who curates it: the challenge's responsible secretariat, or the coordination.
CREATE FUNCTION practice_curates(p practices, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce((SELECT viewer_manages(v, c.responsible_area) FROM challenges c
                      WHERE c.id = p.challenge_id), false);

-- Whether a plan's action cites the practice (whatever the plan's status):
-- such a practice is neither deleted nor unpublished.
CREATE FUNCTION practice_cited(practice bigint) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN EXISTS (SELECT 1 FROM plan_actions a WHERE a.practice_id = practice);

-- How many other municipalities adopted it: distinct municipalities whose
-- plans, submitted or later (a draft does not count), cite it in an action.
CREATE FUNCTION practice_adopted_by(p practices) RETURNS integer
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT count(DISTINCT ap.municipality_id)::integer
              FROM plan_actions a JOIN action_plans ap ON ap.id = a.plan_id
             WHERE a.practice_id = p.id AND ap.status NOT IN ('draft', 'returned')
               AND ap.municipality_id <> p.municipality_id);

-- What the viewer may do with it now: edit, submit, delete (the
-- municipality), publish, return (the curating secretariat).
CREATE FUNCTION practice_allowed_actions(p practices, v pacto_viewer) RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT coalesce(array_agg(x.action ORDER BY x.n), '{}')
              FROM (VALUES
                  (1, 'edit', p.status IN ('draft', 'returned')
                              AND viewer_is_municipal(v, p.municipality_id)),
                  (2, 'submit', p.status IN ('draft', 'returned')
                                AND viewer_is_municipal(v, p.municipality_id)),
                  (3, 'delete', viewer_is_municipal(v, p.municipality_id)
                                AND NOT practice_cited(p.id)),
                  (4, 'publish', p.status = 'submitted' AND practice_curates(p, v)),
                  (5, 'return', (p.status = 'submitted'
                                 OR (p.status = 'published' AND NOT practice_cited(p.id)))
                                AND practice_curates(p, v)))
                   AS x (n, action, ok)
             WHERE x.ok);

-- The document a municipality writes, as it is stored: what a patch is
-- merged into before the merged document is judged and written.
CREATE FUNCTION practice_document(p practices) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object(
        'challenge_id', p.challenge_id, 'plan_id', p.plan_id, 'title', p.title,
        'summary', p.summary, 'problem', p.problem, 'results', p.results,
        'sdg_goals', to_jsonb(p.sdg_goals), 'cost_range', p.cost_range,
        'contact_role', p.contact_role,
        'action_ids', coalesce((SELECT jsonb_agg(a.action_id ORDER BY a.position)
                                  FROM practice_actions a WHERE a.practice_id = p.id), '[]'),
        'indicator_values', coalesce((
            SELECT jsonb_agg(jsonb_build_object('indicator_id', i.indicator_id,
                                                'from_period', i.from_period,
                                                'to_period', i.to_period) ORDER BY i.position)
              FROM practice_indicators i WHERE i.practice_id = p.id), '[]'));

-- What a whole document (lib/practices/input.c judged its form) names that
-- is not there for municipality `mun`: the challenge, the municipality's own
-- plan for that challenge, that plan's actions, the indicators and the
-- municipality's values of them in both periods.
CREATE FUNCTION practice_document_problems(mun text, d jsonb)
    RETURNS TABLE (field text, message text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT 'challenge_id', 'is not a challenge'
         WHERE NOT EXISTS (SELECT 1 FROM challenges c
                            WHERE c.id = (d->>'challenge_id')::numeric)
        UNION ALL
        SELECT 'plan_id', 'is not the municipality''s action plan for the challenge'
         WHERE d->>'plan_id' IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM action_plans p
                            WHERE p.id = (d->>'plan_id')::numeric AND p.municipality_id = mun
                              AND p.challenge_id = (d->>'challenge_id')::numeric)
        UNION ALL
        SELECT format('action_ids[%s]', a.n - 1),
               CASE WHEN d->>'plan_id' IS NULL THEN 'needs plan_id'
                    ELSE 'is not an action of the plan' END
          FROM jsonb_array_elements(coalesce(d->'action_ids', '[]')) WITH ORDINALITY a (x, n)
         WHERE NOT EXISTS (SELECT 1 FROM plan_actions pa
                            WHERE pa.id = (a.x #>> '{}')::numeric
                              AND pa.plan_id = (d->>'plan_id')::numeric)
        UNION ALL
        SELECT format('indicator_values[%s].%s', i.n - 1, w.member),
               CASE WHEN w.member = 'indicator_id' THEN 'is not an indicator'
                    ELSE 'has no value of the municipality for the indicator' END
          FROM jsonb_array_elements(coalesce(d->'indicator_values', '[]'))
               WITH ORDINALITY i (x, n),
               LATERAL (VALUES ('indicator_id', 1), ('from_period', 2), ('to_period', 3))
                   AS w (member, k)
         WHERE CASE WHEN w.member = 'indicator_id'
                    THEN NOT EXISTS (SELECT 1 FROM indicators ind
                                      WHERE ind.id = (i.x->>'indicator_id')::numeric)
                    ELSE EXISTS (SELECT 1 FROM indicators ind
                                  WHERE ind.id = (i.x->>'indicator_id')::numeric)
                         AND NOT EXISTS (SELECT 1 FROM indicator_values iv
                                          WHERE iv.indicator_id = (i.x->>'indicator_id')::numeric
                                            AND iv.municipality_id = mun
                                            AND iv.period = i.x->>w.member
                                            AND iv.status = 'ok')
               END
         ORDER BY 1;
    END;

-- Writes whole document d into practice `practice` (its lists replaced).
-- Call only after practice_document_problems found nothing. Does not bump
-- the version: its callers do.
CREATE FUNCTION practice_write(practice bigint, d jsonb) RETURNS void
    LANGUAGE plpgsql VOLATILE
    AS $$
BEGIN
    UPDATE practices
       SET challenge_id = (d->>'challenge_id')::numeric, plan_id = (d->>'plan_id')::numeric,
           title = d->>'title', summary = d->>'summary', problem = d->>'problem',
           results = d->>'results',
           sdg_goals = ARRAY(SELECT (g #>> '{}')::smallint
                               FROM jsonb_array_elements(d->'sdg_goals') g),
           cost_range = d->>'cost_range', contact_role = d->>'contact_role'
     WHERE id = practice;
    DELETE FROM practice_actions WHERE practice_id = practice;
    INSERT INTO practice_actions (practice_id, action_id, position)
    SELECT practice, (a.x #>> '{}')::numeric, a.n - 1
      FROM jsonb_array_elements(coalesce(d->'action_ids', '[]')) WITH ORDINALITY a (x, n);
    DELETE FROM practice_indicators WHERE practice_id = practice;
    INSERT INTO practice_indicators (practice_id, position, indicator_id, from_period, to_period)
    SELECT practice, i.n - 1, (i.x->>'indicator_id')::numeric, i.x->>'from_period',
           i.x->>'to_period'
      FROM jsonb_array_elements(coalesce(d->'indicator_values', '[]')) WITH ORDINALITY i (x, n);
END;
$$;

-- Creates the viewer's municipality's practice from document d (judged);
-- its id.
CREATE FUNCTION practice_create(v pacto_viewer, d jsonb) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    practice bigint;
BEGIN
    INSERT INTO practices (municipality_id, challenge_id, title, summary, problem, results,
                           sdg_goals, cost_range, contact_role, created_by)
    VALUES (v.municipality_id, (d->>'challenge_id')::numeric, d->>'title', d->>'summary',
            d->>'problem', d->>'results', '{1}', d->>'cost_range', d->>'contact_role', v.user_id)
    RETURNING id INTO practice;
    PERFORM practice_write(practice, d);
    RETURN practice;
END;
$$;

-- Saves whole document d into the practice as its municipality edits it:
-- a returned practice goes back to draft (its reason is kept in the log).
CREATE FUNCTION practice_save(practice bigint, d jsonb) RETURNS void
    LANGUAGE plpgsql VOLATILE
    AS $$
BEGIN
    PERFORM practice_write(practice, d);
    UPDATE practices
       SET status = 'draft', return_reason = NULL, version = version + 1, updated_at = now()
     WHERE id = practice;
END;
$$;

-- A practice's files, in the order they were attached.
CREATE FUNCTION practice_files_json(practice bigint) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT coalesce(json_agg(evidence_file_json(f) ORDER BY pf.position), '[]')
              FROM practice_files pf JOIN evidence_files f ON f.id = pf.file_id
             WHERE pf.practice_id = practice);

-- A practice as a viewer sees it (call only when practice_visible). The
-- reason of a return is the municipality's and the state's business.
CREATE FUNCTION practice_json(p practices, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT json_build_object(
                'id', p.id, 'municipality_id', p.municipality_id, 'municipality_name', m.name,
                'state', s.uf,
                'population_band', population_band(municipality_population(p.municipality_id)),
                'challenge_id', p.challenge_id, 'challenge_code', c.code,
                'challenge_title', c.title, 'plan_id', p.plan_id,
                'action_ids', d->'action_ids',
                'indicator_values', coalesce((
                    SELECT json_agg(json_build_object(
                               'indicator_id', i.indicator_id, 'indicator_code', ind.code,
                               'from_period', i.from_period, 'from_value', fv.value,
                               'to_period', i.to_period, 'to_value', tv.value)
                             ORDER BY i.position)
                      FROM practice_indicators i
                      JOIN indicators ind ON ind.id = i.indicator_id
                      LEFT JOIN indicator_values fv
                             ON fv.indicator_id = i.indicator_id AND fv.period = i.from_period
                            AND fv.municipality_id = p.municipality_id
                      LEFT JOIN indicator_values tv
                             ON tv.indicator_id = i.indicator_id AND tv.period = i.to_period
                            AND tv.municipality_id = p.municipality_id
                     WHERE i.practice_id = p.id), '[]'),
                'title', p.title, 'summary', p.summary, 'problem', p.problem,
                'results', p.results, 'sdg_goals', to_json(p.sdg_goals),
                'cost_range', p.cost_range, 'contact_role', p.contact_role,
                'status', p.status,
                'return_reason', CASE WHEN viewer_is_municipal(v, p.municipality_id)
                                        OR viewer_is_secretariat(v)
                                      THEN p.return_reason END,
                'files', practice_files_json(p.id),
                'adopted_by', practice_adopted_by(p),
                'allowed_actions', practice_allowed_actions(p, v),
                'submitted_at', pacto_ts(p.submitted_at),
                'published_at', pacto_ts(p.published_at),
                'created_at', pacto_ts(p.created_at), 'updated_at', pacto_ts(p.updated_at),
                'version', p.version)
              FROM municipalities m JOIN states s ON s.code = m.state_code,
                   challenges c, practice_document(p) d
             WHERE m.ibge_code = p.municipality_id AND c.id = p.challenge_id);

-- What the audit log keeps of a practice: the row without its search
-- vector, the document's lists and its files' digests.
CREATE FUNCTION practice_snapshot(p practices) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (to_jsonb(p) - 'search') || practice_document(p)
           || jsonb_build_object(
                  'files', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', f.id,
                                                                         'sha256', f.sha256)
                                                      ORDER BY pf.position), '[]')
                              FROM practice_files pf JOIN evidence_files f ON f.id = pf.file_id
                             WHERE pf.practice_id = p.id));

-- The municipalities whose newest population is in band `f_band`.
CREATE FUNCTION population_band_members(f_band integer) RETURNS TABLE (municipality_id text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT x.municipality_id
          FROM (SELECT DISTINCT ON (iv.municipality_id) iv.municipality_id, iv.value
                  FROM indicator_values iv
                 WHERE iv.indicator_id = (SELECT i.id FROM indicators i WHERE i.is_population)
                   AND iv.status = 'ok'
                 ORDER BY iv.municipality_id, iv.period DESC) x
         WHERE population_band(x.value) = f_band;
    END;

-- GET /v1/practices without q: the practices the viewer may see matching
-- the filters (f_*, each NULL when not given), every one ranked 0, so the list
-- is in id order. Inlined into the list's query; the filters are typed
-- parameters, so even a generic plan tests each once per row as a plain
-- value, and the state's code and the band's municipalities are sub-selects
-- computed once per query.
CREATE FUNCTION practice_rows(v pacto_viewer, f_challenge bigint, f_municipality text,
                              f_sdg smallint, f_status text, f_uf text, f_band integer)
    RETURNS TABLE (id bigint, rank real)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT p.id, 0::real
          FROM practices p
         WHERE practice_visible(p, v)
           AND (f_challenge IS NULL OR p.challenge_id = f_challenge)
           AND (f_municipality IS NULL OR p.municipality_id = f_municipality)
           AND (f_sdg IS NULL OR p.sdg_goals @> ARRAY[f_sdg])
           AND (f_status IS NULL OR p.status = f_status)
           AND (f_uf IS NULL OR substr(p.municipality_id, 1, 2)::smallint
                                = (SELECT s.code FROM states s WHERE s.uf = f_uf))
           AND (f_band IS NULL OR p.municipality_id IN (SELECT b.municipality_id
                                                          FROM population_band_members(f_band) b));
    END;

-- GET /v1/practices?q=: the same filters, and the search: f_q parsed by
-- websearch_to_tsquery (it never fails on a user's syntax: quotes, or, -
-- and stray signs are read as best they can be; stop words alone match
-- nothing), once per query as a sub-select, so the GIN index finds the
-- matches; each ranked by ts_rank with the weights of D, C, B, A
-- (normalization 32 keeps a rank below 1).
CREATE FUNCTION practice_search(v pacto_viewer, f_q text, f_challenge bigint,
                                f_municipality text, f_sdg smallint, f_status text, f_uf text,
                                f_band integer)
    RETURNS TABLE (id bigint, rank real)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT p.id, ts_rank('{0.1, 0.2, 0.4, 1.0}', p.search,
                             (SELECT websearch_to_tsquery('pt_unaccent', f_q)), 32)
          FROM practices p
         WHERE p.search @@ (SELECT websearch_to_tsquery('pt_unaccent', f_q))
           AND practice_visible(p, v)
           AND (f_challenge IS NULL OR p.challenge_id = f_challenge)
           AND (f_municipality IS NULL OR p.municipality_id = f_municipality)
           AND (f_sdg IS NULL OR p.sdg_goals @> ARRAY[f_sdg])
           AND (f_status IS NULL OR p.status = f_status)
           AND (f_uf IS NULL OR substr(p.municipality_id, 1, 2)::smallint
                                = (SELECT s.code FROM states s WHERE s.uf = f_uf))
           AND (f_band IS NULL OR p.municipality_id IN (SELECT b.municipality_id
                                                          FROM population_band_members(f_band) b));
    END;

-- A practice as a list shows it (GET /v1/practices: what a search shows of
-- each; GET of the item has the rest), with its CSV cells. A view, so that
-- the list's query joins it to its page of ids and PostgreSQL plans the
-- whole as one query, each row read by its key: no function call per row.
CREATE VIEW practice_summaries AS
SELECT p.id,
       json_build_object(
           'id', p.id, 'municipality_id', p.municipality_id,
           'municipality_name', m.name, 'state', st.uf,
           'population_band', population_band(pop.value),
           'challenge_id', p.challenge_id, 'challenge_code', c.code,
           'title', p.title, 'summary', p.summary, 'sdg_goals', to_json(p.sdg_goals),
           'cost_range', p.cost_range, 'contact_role', p.contact_role,
           'status', p.status, 'adopted_by', ad.n,
           'published_at', pacto_ts(p.published_at),
           'updated_at', pacto_ts(p.updated_at)) AS j,
       m.name AS municipality_name, st.uf AS state, c.code AS challenge_code,
       ad.n AS adopted_by
  FROM practices p
  JOIN municipalities m ON m.ibge_code = p.municipality_id
  JOIN states st ON st.code = m.state_code
  JOIN challenges c ON c.id = p.challenge_id
  LEFT JOIN LATERAL (
      SELECT v.value FROM indicator_values v
       WHERE v.indicator_id = (SELECT i.id FROM indicators i WHERE i.is_population)
         AND v.municipality_id = p.municipality_id AND v.status = 'ok'
       ORDER BY v.period DESC LIMIT 1) pop ON true
  CROSS JOIN LATERAL (
      SELECT count(DISTINCT ap.municipality_id)::integer AS n
        FROM plan_actions a JOIN action_plans ap ON ap.id = a.plan_id
       WHERE a.practice_id = p.id AND ap.status NOT IN ('draft', 'returned')
         AND ap.municipality_id <> p.municipality_id) ad;

-- Adoption in the plan document: actions[].practice_id, a published
-- practice. These replace sql/019's plan_content and sql/021's
-- plan_document_problems and plan_write_document with the same bodies plus
-- the practice (marked).
CREATE OR REPLACE FUNCTION plan_content(p action_plans) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object(
        'summary', p.summary,
        'targets', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'indicator_id', t.indicator_id, 'indicator_code', i.code,
                       'target_value', t.target_value, 'justification', t.justification)
                     ORDER BY t.indicator_id)
              FROM plan_targets t JOIN indicators i ON i.id = t.indicator_id
             WHERE t.plan_id = p.id), '[]'),
        'actions', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', a.id, 'initiative_id', a.initiative_id,
                       'practice_id', a.practice_id, -- good practices: adoption
                       'title', a.title,
                       'description', a.description,
                       'responsible_person', a.responsible_person,
                       'responsible_unit', a.responsible_unit,
                       'start_date', a.start_date, 'end_date', a.end_date,
                       'resources', coalesce((
                           SELECT jsonb_agg(jsonb_build_object(
                                      'amount_cents', r.amount_cents, 'source', r.source,
                                      'description', r.description) ORDER BY r.position)
                             FROM plan_resources r WHERE r.action_id = a.id), '[]'),
                       'deliveries', coalesce((
                           SELECT jsonb_agg(jsonb_build_object(
                                      'id', d.id, 'title', d.title, 'due_date', d.due_date,
                                      'evidence_expected', d.evidence_expected,
                                      'weight', d.weight) ORDER BY d.position)
                             FROM plan_deliveries d WHERE d.action_id = a.id), '[]'))
                     ORDER BY a.position)
              FROM plan_actions a WHERE a.plan_id = p.id), '[]'));

CREATE OR REPLACE FUNCTION plan_document_problems(challenge bigint, plan bigint, d jsonb)
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
        -- good practices: an action adopts a published practice
        SELECT format('actions[%s].practice_id', a.i), 'is not a published practice'
          FROM plan_document_items(d, 'actions') a
         WHERE a.x->>'practice_id' IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM practices pr
                            WHERE pr.id = (a.x->>'practice_id')::numeric
                              AND pr.status = 'published')
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

CREATE OR REPLACE FUNCTION plan_write_document(plan bigint, d jsonb) RETURNS void
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
           practice_id = (a.x->>'practice_id')::numeric, -- good practices: adoption
           title = a.x->>'title', description = a.x->>'description',
           responsible_person = a.x->>'responsible_person',
           responsible_unit = a.x->>'responsible_unit',
           start_date = (a.x->>'start_date')::date, end_date = (a.x->>'end_date')::date
      FROM plan_document_items(d, 'actions') a
     WHERE a.x->>'id' IS NOT NULL AND pa.id = (a.x->>'id')::numeric AND pa.plan_id = plan;
    INSERT INTO plan_actions (plan_id, position, initiative_id, practice_id, title, description,
                              responsible_person, responsible_unit, start_date, end_date)
    SELECT plan, a.i, (a.x->>'initiative_id')::numeric,
           (a.x->>'practice_id')::numeric, -- good practices: adoption
           a.x->>'title', a.x->>'description',
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
