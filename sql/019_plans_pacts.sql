-- The portfolio, action plans and pacts (SPEC 1, steps 6-8): the tables, and
-- what every part reads of a plan (its JSON, its content as a version keeps
-- it, who may see it and what the caller may do with it next). Each
-- resource's own rules and statements live in the migrations that follow.

-- The plan-submission deadline of a cycle (São Paulo ran separate deadlines
-- for plans, revisions and financial data). NULL: until the pact window
-- closes, after which no plan can be pacted anyway.
ALTER TABLE cycles ADD COLUMN plans_due_at timestamptz,
    ADD CHECK (plans_due_at > adhesion_opens_at AND plans_due_at <= pact_closes_at);

-- When a cycle's plans may still be submitted.
CREATE FUNCTION cycle_plans_due_at(c cycles) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(c.plans_due_at, c.pact_closes_at);

-- The dates a plan's actions and deliveries must fall in: from the day the
-- adhesion window opens (UTC) to the end of the cycle's target year.
CREATE FUNCTION cycle_starts_on(c cycles) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (c.adhesion_opens_at AT TIME ZONE 'UTC')::date;
CREATE FUNCTION cycle_ends_on(c cycles) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN make_date(c.target_year, 12, 31);

CREATE OR REPLACE FUNCTION cycle_json(c cycles, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', c.id, 'name', c.name, 'state', (SELECT s.uf FROM states s WHERE s.code = c.state_code),
        'adhesion_opens_at', pacto_ts(c.adhesion_opens_at),
        'adhesion_closes_at', pacto_ts(c.adhesion_closes_at),
        'pact_opens_at', pacto_ts(c.pact_opens_at), 'pact_closes_at', pacto_ts(c.pact_closes_at),
        'plans_due_at', pacto_ts(c.plans_due_at),
        'target_year', c.target_year, 'commitments', c.commitments,
        'created_at', pacto_ts(c.created_at), 'updated_at', pacto_ts(c.updated_at),
        'phase', cycle_phase(c, now()));

CREATE OR REPLACE FUNCTION cycle_rules(c cycles) RETURNS TABLE (field text, message text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT r.field, r.message
          FROM (VALUES (1, 'adhesion_closes_at', 'must be after adhesion_opens_at',
                        c.adhesion_closes_at > c.adhesion_opens_at),
                       (2, 'pact_closes_at', 'must be after pact_opens_at',
                        c.pact_closes_at > c.pact_opens_at),
                       (3, 'pact_opens_at', 'must not be before adhesion_opens_at',
                        c.pact_opens_at >= c.adhesion_opens_at),
                       (4, 'plans_due_at',
                        'must be after adhesion_opens_at and not after pact_closes_at',
                        c.plans_due_at IS NULL OR (c.plans_due_at > c.adhesion_opens_at
                                                   AND c.plans_due_at <= c.pact_closes_at)))
               AS r (n, field, message, ok)
         WHERE NOT r.ok
         ORDER BY r.n;
    END;

-- The portfolio (cardápio) of a challenge: initiatives a municipality may
-- adopt in its plan. Drafts are seen by the state only.
CREATE TABLE initiatives (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    challenge_id bigint NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description  text CHECK (length(description) BETWEEN 1 AND 4000),
    -- The secretariat that runs it (may differ from the challenge's).
    area         text NOT NULL CHECK (pacto_is_secretariat_area(area)),
    type         text NOT NULL CHECK (type IN ('program', 'training', 'technical_assistance',
                                               'funding', 'other')),
    -- [{title, evidence_expected}]: what a plan's action usually delivers.
    deliveries   jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(deliveries) = 'array'),
    links        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(links) = 'array'),
    published    boolean NOT NULL DEFAULT false,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX initiatives_challenge_idx ON initiatives (challenge_id, id);

-- What a municipality gets for a pact on the challenge (seed 000): money
-- (amount_cents from a source) or not (training, technical assistance,
-- priority in a state programme).
CREATE TABLE incentives (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    challenge_id bigint NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description  text CHECK (length(description) BETWEEN 1 AND 4000),
    type         text NOT NULL CHECK (type IN ('financial', 'training', 'technical_assistance',
                                               'program_priority', 'other')),
    amount_cents bigint CHECK (amount_cents > 0),
    source       text CHECK (length(source) BETWEEN 1 AND 200),
    -- What grants it; today one condition: a pact on the challenge.
    condition    text NOT NULL DEFAULT 'pact' CHECK (condition IN ('pact')),
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((type = 'financial') = (amount_cents IS NOT NULL))
);
CREATE INDEX incentives_challenge_idx ON incentives (challenge_id, id);

CREATE TABLE action_plans (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    challenge_id    bigint NOT NULL REFERENCES challenges (id),
    cycle_id        bigint NOT NULL REFERENCES cycles (id), -- the challenge's, for lists
    municipality_id text NOT NULL REFERENCES municipalities (ibge_code),
    adhesion_id     bigint NOT NULL REFERENCES adhesions (id),
    status          text NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'submitted', 'returned', 'approved', 'pacted',
                                      'under_revision', 'closed')),
    summary         text CHECK (length(summary) BETWEEN 1 AND 4000),
    -- The number of the last frozen version (each submission freezes one).
    versions        integer NOT NULL DEFAULT 0,
    -- What the public list shows of the content, kept by the one function
    -- that writes it (plan_write_document), so the list reads no other table.
    actions_count      integer NOT NULL DEFAULT 0,
    deliveries_count   integer NOT NULL DEFAULT 0,
    total_amount_cents bigint NOT NULL DEFAULT 0,
    version         integer NOT NULL DEFAULT 1, -- the ETag: any change to the plan bumps it
    created_by      bigint NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    submitted_at    timestamptz,
    approved_at     timestamptz,
    UNIQUE (municipality_id, challenge_id)
);
CREATE INDEX action_plans_cycle_idx ON action_plans (cycle_id, id);
CREATE INDEX action_plans_challenge_idx ON action_plans (challenge_id, id);

-- The committed target per main indicator of the challenge.
CREATE TABLE plan_targets (
    plan_id       bigint NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
    indicator_id  bigint NOT NULL REFERENCES indicators (id),
    target_value  numeric NOT NULL,
    justification text CHECK (length(justification) BETWEEN 1 AND 2000),
    PRIMARY KEY (plan_id, indicator_id)
);

-- Actions keep their id across edits (a client sends it back), so versions
-- can be compared action by action and deliveries can carry evidence.
CREATE TABLE plan_actions (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id            bigint NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
    position           smallint NOT NULL CHECK (position >= 0),
    initiative_id      bigint REFERENCES initiatives (id),
    title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description        text CHECK (length(description) BETWEEN 1 AND 4000),
    responsible_person text CHECK (length(responsible_person) BETWEEN 1 AND 200),
    responsible_unit   text CHECK (length(responsible_unit) BETWEEN 1 AND 200),
    start_date         date,
    end_date           date,
    CHECK (end_date >= start_date)
);
CREATE INDEX plan_actions_plan_idx ON plan_actions (plan_id, position);

CREATE TABLE plan_resources (
    action_id    bigint NOT NULL REFERENCES plan_actions (id) ON DELETE CASCADE,
    position     smallint NOT NULL CHECK (position >= 0),
    amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
    source       text NOT NULL CHECK (source IN ('municipal', 'state', 'federal', 'other')),
    description  text CHECK (length(description) BETWEEN 1 AND 500),
    PRIMARY KEY (action_id, position)
);

CREATE TABLE plan_deliveries (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action_id         bigint NOT NULL REFERENCES plan_actions (id) ON DELETE CASCADE,
    plan_id           bigint NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
    position          smallint NOT NULL CHECK (position >= 0),
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    due_date          date,
    evidence_expected text CHECK (length(evidence_expected) BETWEEN 1 AND 1000),
    -- Progress rolls up as the mean of the deliveries weighted by this (a
    -- missing weight counts as 1, so no weights at all is the plain mean).
    weight            numeric CHECK (weight > 0 AND weight <= 1000)
);
CREATE INDEX plan_deliveries_action_idx ON plan_deliveries (action_id, position);
CREATE INDEX plan_deliveries_plan_idx ON plan_deliveries (plan_id);

-- Each submission freezes the plan's content (plan_content) under a number.
CREATE TABLE plan_versions (
    plan_id      bigint NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
    number       integer NOT NULL CHECK (number >= 1),
    content      jsonb NOT NULL,
    submitted_by bigint NOT NULL REFERENCES users (id),
    submitted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plan_id, number)
);

-- Every change of a plan's status: from, to, who, when, why.
CREATE TABLE plan_transitions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id     bigint NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
    action      text NOT NULL CHECK (action IN ('submit', 'return', 'reopen', 'approve', 'pact',
                                                'revise', 'close')),
    from_status text NOT NULL,
    to_status   text NOT NULL,
    reason      text CHECK (length(reason) BETWEEN 1 AND 2000),
    version     integer, -- the frozen version it concerns, when one
    user_id     bigint NOT NULL REFERENCES users (id),
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plan_transitions_plan_idx ON plan_transitions (plan_id, id);

-- A return's comments, on the plan or one of its actions: items the
-- municipality marks as answered.
CREATE TABLE plan_comments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id       bigint NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
    transition_id bigint NOT NULL REFERENCES plan_transitions (id),
    action_id     bigint REFERENCES plan_actions (id) ON DELETE SET NULL,
    text          text NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    answer        text CHECK (length(answer) BETWEEN 1 AND 2000),
    answered_at   timestamptz,
    answered_by   bigint REFERENCES users (id),
    CHECK ((answered_at IS NULL) = (answered_by IS NULL))
);
CREATE INDEX plan_comments_plan_idx ON plan_comments (plan_id, id);

-- Readable, unique protocol numbers: <UF>-P-<year signed>-<number>.
CREATE SEQUENCE pact_protocol_seq;

-- A signed pact: the plan's version and targets the mayor signed. A revised
-- plan whose target changed is signed again (a new pact on a new version).
CREATE TABLE pacts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id         bigint NOT NULL REFERENCES action_plans (id),
    plan_version    integer NOT NULL,
    cycle_id        bigint NOT NULL REFERENCES cycles (id),
    challenge_id    bigint NOT NULL REFERENCES challenges (id),
    municipality_id text NOT NULL REFERENCES municipalities (ibge_code),
    adhesion_id     bigint NOT NULL REFERENCES adhesions (id),
    protocol        text NOT NULL UNIQUE,
    signed_by       bigint NOT NULL REFERENCES users (id),
    signed_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (plan_id, plan_version)
);
CREATE INDEX pacts_cycle_idx ON pacts (cycle_id, id);
CREATE INDEX pacts_adhesion_idx ON pacts (adhesion_id);

-- The pacted target per indicator, with the baseline it is measured from.
CREATE TABLE pact_targets (
    pact_id         bigint NOT NULL REFERENCES pacts (id) ON DELETE CASCADE,
    indicator_id    bigint NOT NULL REFERENCES indicators (id),
    target_value    numeric NOT NULL,
    target_year     integer NOT NULL,
    baseline_value  numeric,
    baseline_period text,
    PRIMARY KEY (pact_id, indicator_id)
);

-- An incentive a pact granted a municipality: once per incentive.
CREATE TABLE incentive_grants (
    incentive_id    bigint NOT NULL REFERENCES incentives (id),
    municipality_id text NOT NULL REFERENCES municipalities (ibge_code),
    pact_id         bigint NOT NULL REFERENCES pacts (id),
    granted_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (incentive_id, municipality_id)
);
CREATE INDEX incentive_grants_municipality_idx ON incentive_grants (municipality_id);

-- Drafts and returned plans are private to the municipality and the state;
-- every later status is public (seed 003: what is agreed is transparent).
CREATE FUNCTION plan_visible(p action_plans, v pacto_viewer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN p.status NOT IN ('draft', 'returned') OR viewer_is_secretariat(v)
        OR viewer_is_municipal(v, p.municipality_id);

-- Who may see the people named in a plan (an action's responsible person):
-- the municipality and the state, not the public.
CREATE FUNCTION plan_shows_people(p action_plans, v pacto_viewer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN viewer_is_secretariat(v) OR viewer_is_municipal(v, p.municipality_id);

-- A plan's content as the municipality wrote it, as a version freezes it and
-- the plan's JSON shows it: summary, targets and actions in order, with
-- their resources and deliveries.
CREATE FUNCTION plan_content(p action_plans) RETURNS jsonb
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
                       'id', a.id, 'initiative_id', a.initiative_id, 'title', a.title,
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

-- Content as a viewer may see it: without the people's names for the public.
CREATE FUNCTION plan_content_for(content jsonb, p action_plans, v pacto_viewer) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN plan_shows_people(p, v) THEN content
           ELSE jsonb_set(content, '{actions}', coalesce((
                    SELECT jsonb_agg(jsonb_set(a, '{responsible_person}', 'null') ORDER BY n)
                      FROM jsonb_array_elements(content->'actions') WITH ORDINALITY AS x (a, n)),
                    '[]'))
           END;

-- The transitions the viewer may make on the plan now, so a client never
-- guesses (and the handlers refuse what is not listed): edit, submit,
-- return, approve, pact. The municipality's own need its adhesion active
-- (SPEC 5: plans and pacts require one). Who may is the route's policy and this; what the
-- status allows is this alone.
CREATE FUNCTION plan_allowed_actions(p action_plans, v pacto_viewer) RETURNS text[]
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
                                   AND cycle_phase(c, now()) = 'pact_open'
                                   AND a.status = 'active'))
                       AS x (n, action, ok)
             WHERE ch.id = p.challenge_id AND x.ok);

-- A plan as the viewer sees it (call only when plan_visible).
CREATE FUNCTION plan_json(p action_plans, v pacto_viewer) RETURNS json
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
                'submitted_at', pacto_ts(p.submitted_at), 'approved_at', pacto_ts(p.approved_at),
                'created_at', pacto_ts(p.created_at), 'updated_at', pacto_ts(p.updated_at),
                'version', p.version)
              FROM challenges ch, municipalities m,
                   plan_content_for(plan_content(p), p, v) AS content
             WHERE ch.id = p.challenge_id AND m.ibge_code = p.municipality_id);

-- What the audit log keeps of a plan: its row and content, no viewer.
CREATE FUNCTION plan_snapshot(p action_plans) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object('id', p.id, 'challenge_id', p.challenge_id,
                              'municipality_id', p.municipality_id, 'status', p.status,
                              'versions', p.versions, 'version', p.version)
           || plan_content(p);
