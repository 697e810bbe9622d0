-- The shared-management forum and co-evaluation (seed 003: a "Fórum de
-- Gestão Compartilhada" renewed for each plan, whose members co-evaluate it)
-- and training (seed 002: "cursos de aperfeiçoamento em serviço"), with the
-- role forum_member and the training counts of the dashboards.
--
-- Replaced here (CREATE OR REPLACE): user_rules (sql/010), cycle_json and
-- cycle_rules (sql/019), dashboard_cycle_json and dashboard_municipality_json
-- (sql/028). Constraints replaced: users_role_check and users_check1
-- (sql/001), which named the three roles there were.

-- The role forum_member: an account bound to no municipality and no area;
-- which forum it sits in is its forum_members row (one per cycle it serves).
ALTER TABLE users
    DROP CONSTRAINT users_role_check,
    ADD CONSTRAINT users_role_check
        CHECK (role IN ('mayor', 'representative', 'secretariat', 'forum_member')),
    DROP CONSTRAINT users_check1,
    ADD CONSTRAINT users_municipality_check
        CHECK ((role IN ('mayor', 'representative')) = (municipality_id IS NOT NULL));

CREATE OR REPLACE FUNCTION user_rules(u users) RETURNS TABLE (field text, message text)
    LANGUAGE sql STABLE
AS $$
    SELECT r.field, r.message FROM (VALUES
        (1, 'position', 'is only for representatives',
            u.position IS NOT NULL AND u.role <> 'representative'),
        (2, 'secretariat_area', 'is required for secretariat users',
            u.role = 'secretariat' AND u.secretariat_area IS NULL),
        (3, 'secretariat_area', 'is only for secretariat users',
            u.role <> 'secretariat' AND u.secretariat_area IS NOT NULL),
        (4, 'municipality_id', 'is not for secretariat users',
            u.role = 'secretariat' AND u.municipality_id IS NOT NULL),
        (5, 'municipality_id', 'is not for forum members',
            u.role = 'forum_member' AND u.municipality_id IS NOT NULL),
        (6, 'municipality_id', 'must be the IBGE code of the user''s municipality',
            u.role IN ('mayor', 'representative') AND u.municipality_id IS NULL),
        (7, 'municipality_id', 'is not a registered municipality',
            u.role IN ('mayor', 'representative') AND u.municipality_id IS NOT NULL
            AND NOT EXISTS (SELECT FROM municipalities m WHERE m.ibge_code = u.municipality_id)),
        (8, 'cpf', 'is required for a mayor', u.role = 'mayor' AND u.cpf IS NULL),
        (9, 'cpf', 'must be the municipality''s registered mayor CPF',
            u.role = 'mayor'
            AND EXISTS (SELECT FROM municipalities m
                         WHERE m.ibge_code = u.municipality_id AND m.mayor_cpf <> u.cpf))
    ) AS r (n, field, message, broken)
    WHERE r.broken
    ORDER BY r.n
$$;

-- The cycle's evaluation window: when its forum co-evaluates the pacts.
-- Both or neither; it opens once the pact window has (there is nothing to
-- evaluate before a pact), and may run past the cycle's end.
ALTER TABLE cycles
    ADD COLUMN evaluation_opens_at timestamptz,
    ADD COLUMN evaluation_closes_at timestamptz,
    ADD CHECK ((evaluation_opens_at IS NULL) = (evaluation_closes_at IS NULL)),
    ADD CHECK (evaluation_closes_at > evaluation_opens_at),
    ADD CHECK (evaluation_opens_at >= pact_opens_at);

CREATE OR REPLACE FUNCTION cycle_json(c cycles, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', c.id, 'name', c.name, 'state', (SELECT s.uf FROM states s WHERE s.code = c.state_code),
        'adhesion_opens_at', pacto_ts(c.adhesion_opens_at),
        'adhesion_closes_at', pacto_ts(c.adhesion_closes_at),
        'pact_opens_at', pacto_ts(c.pact_opens_at), 'pact_closes_at', pacto_ts(c.pact_closes_at),
        'plans_due_at', pacto_ts(c.plans_due_at),
        'evaluation_opens_at', pacto_ts(c.evaluation_opens_at),
        'evaluation_closes_at', pacto_ts(c.evaluation_closes_at),
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
                                                   AND c.plans_due_at <= c.pact_closes_at)),
                       (5, 'evaluation_closes_at', 'is required with evaluation_opens_at',
                        c.evaluation_opens_at IS NULL OR c.evaluation_closes_at IS NOT NULL),
                       (6, 'evaluation_opens_at', 'is required with evaluation_closes_at',
                        c.evaluation_closes_at IS NULL OR c.evaluation_opens_at IS NOT NULL),
                       (7, 'evaluation_opens_at', 'must not be before pact_opens_at',
                        c.evaluation_opens_at IS NULL
                        OR c.evaluation_opens_at >= c.pact_opens_at),
                       (8, 'evaluation_closes_at', 'must be after evaluation_opens_at',
                        c.evaluation_opens_at IS NULL OR c.evaluation_closes_at IS NULL
                        OR c.evaluation_closes_at > c.evaluation_opens_at))
               AS r (n, field, message, ok)
         WHERE NOT r.ok
         ORDER BY r.n;
    END;

-- The last day a cycle's forum mandates may run: the end of its target
-- year, or the day its evaluation window closes when that is later.
CREATE FUNCTION cycle_forum_ends_on(c cycles) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN greatest(cycle_ends_on(c), (c.evaluation_closes_at AT TIME ZONE 'UTC')::date);

-- A cycle's shared-management forum: public, without contact data (the
-- e-mail of a member with an account is the account's, never shown here).
CREATE TABLE forum_members (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id          bigint NOT NULL REFERENCES cycles (id),
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    organization      text NOT NULL CHECK (length(organization) BETWEEN 1 AND 200),
    sector            text NOT NULL
                      CHECK (sector IN ('government', 'civil_society', 'academia', 'private')),
    mandate_starts_on date NOT NULL,
    mandate_ends_on   date NOT NULL,
    -- The member's account (role forum_member), when it has one: one seat
    -- per forum.
    user_id           bigint REFERENCES users (id),
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (mandate_ends_on >= mandate_starts_on),
    UNIQUE (cycle_id, user_id)
);
CREATE INDEX forum_members_cycle_idx ON forum_members (cycle_id, id);
CREATE INDEX forum_members_user_idx ON forum_members (user_id) WHERE user_id IS NOT NULL;

-- A member as everyone sees it; user_id (to manage the account) only for
-- the coordination.
CREATE FUNCTION forum_member_json(m forum_members, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', m.id, 'cycle_id', m.cycle_id, 'name', m.name, 'organization', m.organization,
        'sector', m.sector, 'mandate_starts_on', m.mandate_starts_on,
        'mandate_ends_on', m.mandate_ends_on,
        'in_office', current_date BETWEEN m.mandate_starts_on AND m.mandate_ends_on,
        'has_account', m.user_id IS NOT NULL,
        'user_id', CASE WHEN viewer_is_coordination(v) THEN m.user_id END,
        'created_at', pacto_ts(m.created_at), 'updated_at', pacto_ts(m.updated_at));

CREATE FUNCTION forum_member_snapshot(m forum_members) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (forum_member_json(m, NULL)::jsonb - 'in_office')
           || jsonb_build_object('user_id', m.user_id);

-- GET /v1/cycles/{cycle_id}/forum-members?sector=&in_office=
CREATE FUNCTION forum_member_matches(m forum_members, f jsonb, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (f->>'sector' IS NULL OR m.sector = f->>'sector')
       AND (f->'in_office' IS NULL
            OR (current_date BETWEEN m.mandate_starts_on AND m.mandate_ends_on)
               = (f->'in_office')::boolean);

-- A mandate lies within its cycle: from the cycle's first day (its adhesion
-- window opening) to cycle_forum_ends_on, and ends on or after it starts.
CREATE FUNCTION forum_member_rules(m forum_members) RETURNS TABLE (field text, message text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT r.field, r.message
          FROM cycles c,
               LATERAL (VALUES
                   (1, 'mandate_ends_on', 'must not be before mandate_starts_on',
                    m.mandate_ends_on >= m.mandate_starts_on),
                   (2, 'mandate_starts_on',
                    'must not be before the cycle starts (' || cycle_starts_on(c) || ')',
                    m.mandate_starts_on >= cycle_starts_on(c)),
                   (3, 'mandate_ends_on',
                    'must not be after the cycle''s target year and evaluation window end ('
                    || cycle_forum_ends_on(c) || ')',
                    m.mandate_ends_on <= cycle_forum_ends_on(c)))
               AS r (n, field, message, ok)
         WHERE c.id = m.cycle_id AND NOT r.ok
         ORDER BY r.n;
    END;

-- A forum member's co-evaluation of a pact (one per member and pact).
CREATE TABLE co_evaluations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pact_id       bigint NOT NULL REFERENCES pacts (id),
    member_id     bigint NOT NULL REFERENCES forum_members (id),
    rating        text NOT NULL CHECK (rating IN ('achieved', 'partially', 'not_achieved')),
    justification text NOT NULL CHECK (length(justification) BETWEEN 1 AND 4000),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (pact_id, member_id)
);
CREATE INDEX co_evaluations_member_idx ON co_evaluations (member_id);

-- What keeps a member: the co-evaluations they recorded, which are the
-- forum's public record. NULL when nothing does.
CREATE FUNCTION forum_member_in_use(member bigint) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN EXISTS (SELECT 1 FROM co_evaluations e WHERE e.member_id = member)
                THEN 'The member has recorded co-evaluations; end the mandate instead'
                     ' (PATCH mandate_ends_on).' END;

-- The rating the state's status stands for: achieved -> achieved, on_track
-- -> partially (moving as planned, not there yet), off_track ->
-- not_achieved; no_data -> NULL (nothing to compare with).
CREATE FUNCTION co_evaluation_state_rating(status text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE status WHEN 'achieved' THEN 'achieved' WHEN 'on_track' THEN 'partially'
                       WHEN 'off_track' THEN 'not_achieved' END;

-- A disagreement: the member's rating differs from the state's rating
-- (never when the state has no data).
CREATE FUNCTION co_evaluation_disagrees(rating text, status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(rating <> co_evaluation_state_rating(status), false);

-- The state's monitoring status of pacts: each one's worst target's, in the
-- order off_track < no_data < on_track < achieved; no_data without targets
-- (the dashboards' rule, sql/028, read in one join as they read it). The
-- pacts of `cycle` that have co-evaluations, or only `pact` when not null.
CREATE FUNCTION co_evaluation_pacts(cycle bigint, pact bigint, municipality text)
    RETURNS TABLE (id bigint, protocol text, cycle_id bigint, municipality_id text,
                   challenge_id bigint, status text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT k.id, k.protocol, k.cycle_id, k.municipality_id, k.challenge_id,
               (ARRAY['off_track', 'no_data', 'on_track', 'achieved'])[
                   coalesce(min(array_position(ARRAY['off_track', 'no_data', 'on_track',
                                                     'achieved'], tt.status)), 2)]
          FROM pacts k
          LEFT JOIN pact_targets t ON t.pact_id = k.id
          LEFT JOIN LATERAL pact_target_trajectory(t) tt ON t.pact_id IS NOT NULL
         WHERE (cycle IS NULL OR k.cycle_id = cycle)
           AND (pact IS NULL OR k.id = pact)
           AND (municipality IS NULL OR k.municipality_id = municipality)
           AND (pact IS NOT NULL OR EXISTS (SELECT 1 FROM co_evaluations e WHERE e.pact_id = k.id))
         GROUP BY k.id;
    END;

-- A co-evaluation as anyone sees it: with its member `m`, its pact's
-- protocol, municipality and challenge, and the state's status beside it
-- (`status`: co_evaluation_pacts' of its pact). A plain expression, so that
-- PostgreSQL inlines it into the lists' joins.
CREATE FUNCTION co_evaluation_object(e co_evaluations, m forum_members, protocol text,
                                     municipality text, challenge bigint, status text)
    RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', e.id, 'pact_id', e.pact_id, 'protocol', protocol,
        'municipality_id', municipality, 'challenge_id', challenge, 'member_id', m.id,
        'member_name', m.name, 'organization', m.organization, 'sector', m.sector,
        'rating', e.rating,
        'justification', e.justification, 'monitoring_status', status,
        'state_rating', co_evaluation_state_rating(status),
        'disagreement', co_evaluation_disagrees(e.rating, status),
        'created_at', pacto_ts(e.created_at), 'updated_at', pacto_ts(e.updated_at));

CREATE FUNCTION co_evaluation_json(e co_evaluations, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT co_evaluation_object(e, m, k.protocol, k.municipality_id, k.challenge_id,
                                        k.status)
              FROM forum_members m, co_evaluation_pacts(NULL, e.pact_id, NULL) k
             WHERE m.id = e.member_id);

-- What the audit log keeps: the evaluation itself, not the state's status
-- of the moment.
CREATE FUNCTION co_evaluation_snapshot(e co_evaluations) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object('id', e.id, 'pact_id', e.pact_id, 'member_id', e.member_id,
                              'rating', e.rating, 'justification', e.justification);

-- GET /v1/pacts/{pact_id}/co-evaluations: the pact, the state's status and
-- the rating it stands for, the members' ratings counted, the disagreements,
-- and every co-evaluation (oldest first). NULL when there is no such pact.
CREATE FUNCTION co_evaluation_pact_json(pact bigint) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        WITH k AS MATERIALIZED (SELECT * FROM co_evaluation_pacts(NULL, pact, NULL))
        SELECT json_build_object(
                   'pact_id', k.id, 'protocol', k.protocol, 'cycle_id', k.cycle_id,
                   'municipality_id', k.municipality_id, 'challenge_id', k.challenge_id,
                   'monitoring_status', k.status,
                   'state_rating', co_evaluation_state_rating(k.status),
                   'ratings', json_build_object(
                       'achieved', count(e.id) FILTER (WHERE e.rating = 'achieved'),
                       'partially', count(e.id) FILTER (WHERE e.rating = 'partially'),
                       'not_achieved', count(e.id) FILTER (WHERE e.rating = 'not_achieved')),
                   'disagreements',
                       count(e.id) FILTER (WHERE co_evaluation_disagrees(e.rating, k.status)),
                   'co_evaluations', coalesce(json_agg(co_evaluation_object(
                                                           e, m, k.protocol, k.municipality_id,
                                                           k.challenge_id, k.status)
                                                       ORDER BY e.id)
                                                  FILTER (WHERE e.id IS NOT NULL), '[]'::json))
          FROM k LEFT JOIN co_evaluations e ON e.pact_id = k.id
          LEFT JOIN forum_members m ON m.id = e.member_id
         GROUP BY k.id, k.protocol, k.cycle_id, k.municipality_id, k.challenge_id, k.status;
    END;

-- GET /v1/cycles/{cycle_id}/co-evaluations?disagreement=&pact_id=&municipality_id=&rating=
-- Each pact's status read once. One flat query, so that PostgreSQL, which
-- inlines it into the list's, walks the co-evaluations in key order and
-- builds the JSON of the page's rows only.
CREATE FUNCTION co_evaluation_rows(v pacto_viewer, f jsonb, cycle text)
    RETURNS TABLE (k bigint, j json)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT e.id,
               co_evaluation_object(e, m, p.protocol, p.municipality_id, p.challenge_id,
                                    p.status)
          FROM co_evaluations e
          JOIN co_evaluation_pacts(cycle::bigint, (f->>'pact_id')::bigint,
                                   f->>'municipality_id') p ON p.id = e.pact_id
          JOIN forum_members m ON m.id = e.member_id
         WHERE (f->>'rating' IS NULL OR e.rating = f->>'rating')
           AND (f->'disagreement' IS NULL
                OR co_evaluation_disagrees(e.rating, p.status) = (f->'disagreement')::boolean);
    END;

-- Training: a cycle's courses, given by an area's secretariat.
CREATE TABLE courses (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id   bigint NOT NULL REFERENCES cycles (id),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    area       text NOT NULL
               CHECK (area IN ('coordination', 'health', 'education', 'security', 'economy')),
    starts_on  date NOT NULL,
    ends_on    date NOT NULL,
    hours      integer NOT NULL CHECK (hours BETWEEN 1 AND 2000),
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on >= starts_on)
);
CREATE INDEX courses_cycle_idx ON courses (cycle_id, id);

-- Who attended a course: a member of a municipality's technical team. The
-- municipality is kept with the row, so that a member who later leaves the
-- team (the row loses its team_member_id) still counts as trained there.
CREATE TABLE course_attendance (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    course_id       bigint NOT NULL REFERENCES courses (id),
    team_member_id  bigint REFERENCES team_members (id) ON DELETE SET NULL,
    municipality_id text NOT NULL REFERENCES municipalities (ibge_code),
    recorded_by     bigint REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (course_id, team_member_id)
);
CREATE INDEX course_attendance_municipality_idx ON course_attendance (municipality_id);
CREATE INDEX course_attendance_member_idx ON course_attendance (team_member_id);

-- A course as anyone sees it: the attendance as counts only (names are the
-- state's and the municipality's: GET .../attendance).
CREATE FUNCTION course_json(c courses, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', c.id, 'cycle_id', c.cycle_id, 'title', c.title, 'area', c.area,
        'starts_on', c.starts_on, 'ends_on', c.ends_on, 'hours', c.hours,
        'attendees', (SELECT count(*) FROM course_attendance a WHERE a.course_id = c.id),
        'municipalities', (SELECT count(DISTINCT a.municipality_id) FROM course_attendance a
                            WHERE a.course_id = c.id),
        'created_at', pacto_ts(c.created_at), 'updated_at', pacto_ts(c.updated_at));

CREATE FUNCTION course_snapshot(c courses) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN course_json(c, NULL)::jsonb - 'attendees' - 'municipalities';

-- GET /v1/cycles/{cycle_id}/courses?area=
CREATE FUNCTION course_matches(c courses, f jsonb, v pacto_viewer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN f->>'area' IS NULL OR c.area = f->>'area';

-- The course's area secretariat, or the coordination.
CREATE FUNCTION course_guard(c courses, v pacto_viewer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN viewer_manages(v, c.area);

-- A course lies within its cycle: from its first day to the end of its
-- target year (cycle_starts_on, cycle_ends_on).
CREATE FUNCTION course_rules(c courses) RETURNS TABLE (field text, message text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT r.field, r.message
          FROM cycles y,
               LATERAL (VALUES
                   (1, 'ends_on', 'must not be before starts_on', c.ends_on >= c.starts_on),
                   (2, 'starts_on', 'must not be before the cycle starts ('
                                    || cycle_starts_on(y) || ')',
                    c.starts_on >= cycle_starts_on(y)),
                   (3, 'ends_on', 'must not be after the cycle''s target year ('
                                  || cycle_ends_on(y) || ')',
                    c.ends_on <= cycle_ends_on(y)))
               AS r (n, field, message, ok)
         WHERE y.id = c.cycle_id AND NOT r.ok
         ORDER BY r.n;
    END;

-- What keeps a course: its attendance. NULL when nothing does.
CREATE FUNCTION course_in_use(course bigint) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN EXISTS (SELECT 1 FROM course_attendance a WHERE a.course_id = course)
                THEN 'The course has attendance recorded.' END;

-- An attendance: the member's name and role are private (see
-- attendance_visible).
CREATE FUNCTION attendance_json(a course_attendance, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT json_build_object(
                       'course_id', a.course_id, 'team_member_id', a.team_member_id,
                       'municipality_id', a.municipality_id, 'municipality_name', m.name,
                       'name', t.name, 'program_role', t.program_role,
                       'created_at', pacto_ts(a.created_at))
              FROM municipalities m LEFT JOIN team_members t ON t.id = a.team_member_id
             WHERE m.ibge_code = a.municipality_id);

CREATE FUNCTION attendance_snapshot(a course_attendance) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object('course_id', a.course_id, 'team_member_id', a.team_member_id,
                              'municipality_id', a.municipality_id);

-- The state sees every attendance; a municipality its own members'. The
-- attendance of a member who left the team names no one and is only counted.
CREATE FUNCTION attendance_visible(a course_attendance, v pacto_viewer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN a.team_member_id IS NOT NULL
       AND (viewer_is_secretariat(v) OR viewer_is_municipal(v, a.municipality_id));

-- GET /v1/courses/{course_id}/attendance?municipality_id=
CREATE FUNCTION attendance_matches(a course_attendance, f jsonb, v pacto_viewer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN f->>'municipality_id' IS NULL OR a.municipality_id = f->>'municipality_id';

CREATE FUNCTION attendance_guard(a course_attendance, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce((SELECT viewer_manages(v, c.area) FROM courses c WHERE c.id = a.course_id),
                    false);

-- An attendance is of a team member of a municipality with an active
-- adhesion to the course's cycle: the program trains the teams it works
-- with.
CREATE FUNCTION attendance_rules(a course_attendance) RETURNS TABLE (field text, message text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT 'team_member_id', 'is not a member of the technical team of a municipality'
                                 ' that adhered to the course''s cycle'
         WHERE NOT EXISTS (SELECT 1 FROM team_members t
                             JOIN courses c ON c.id = a.course_id
                             JOIN adhesions ad ON ad.municipality_id = t.municipality_id
                                              AND ad.cycle_id = c.cycle_id
                                              AND ad.status = 'active'
                            WHERE t.id = a.team_member_id);
    END;

-- The people a cycle's courses trained, per municipality: distinct team
-- members, each departed member's attendances counted as one person each
-- (their identity left with their team row).
CREATE FUNCTION training_trained_people(cycle bigint, municipality text) RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT count(DISTINCT coalesce(a.team_member_id, -a.id))
              FROM course_attendance a JOIN courses c ON c.id = a.course_id
             WHERE c.cycle_id = cycle
               AND (municipality IS NULL OR a.municipality_id = municipality));

-- A cycle's training totals.
CREATE FUNCTION training_cycle_json(cycle bigint) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT jsonb_build_object(
                       'courses', (SELECT count(*) FROM courses c WHERE c.cycle_id = cycle),
                       'course_hours', (SELECT coalesce(sum(c.hours), 0) FROM courses c
                                         WHERE c.cycle_id = cycle),
                       'attendances', count(a.id),
                       'trained_people', training_trained_people(cycle, NULL),
                       'municipalities_trained', count(DISTINCT a.municipality_id))
              FROM course_attendance a JOIN courses c ON c.id = a.course_id
             WHERE c.cycle_id = cycle);

CREATE OR REPLACE FUNCTION dashboard_cycle_json(cycle bigint) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        WITH m AS MATERIALIZED (SELECT * FROM dashboard_metrics(cycle, NULL))
        SELECT jsonb_build_object(
                   'cycle_id', c.id, 'cycle_name', c.name, 'state', s.uf,
                   'totals', (SELECT m.metrics FROM m WHERE m.is_total),
                   'training', training_cycle_json(c.id),
                   'challenges', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                               'challenge_id', ch.id, 'code', ch.code,
                                               'title', ch.title, 'metrics', m.metrics)
                                               ORDER BY ch.code)
                                             FROM challenges ch
                                             JOIN m ON m.challenge_id = ch.id AND NOT m.is_total),
                                          '[]'::jsonb))
          FROM cycles c JOIN states s ON s.code = c.state_code WHERE c.id = cycle;
    END;

CREATE OR REPLACE FUNCTION dashboard_municipality_json(municipality text, cycle bigint)
    RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT jsonb_build_object(
                       'municipality_id', m.ibge_code, 'municipality_name', m.name,
                       'cycle_id', c.id, 'adhered', ad.protocol IS NOT NULL,
                       'adhesion_protocol', ad.protocol,
                       'trained_people', training_trained_people(c.id, m.ibge_code),
                       'challenges', coalesce((SELECT jsonb_agg(jsonb_build_object(
                           'challenge_id', e.challenge_id, 'code', e.challenge_code,
                           'title', e.challenge_title, 'plan_id', e.plan_id,
                           'plan_status', e.plan_status, 'progress', e.progress,
                           'pact_id', e.pact_id, 'pact_protocol', e.pact_protocol,
                           'trajectory_status', e.trajectory_status,
                           'deliveries_by_status', dashboard_deliveries_json(
                               e.d_pending, e.d_late, e.d_submitted, e.d_done, e.d_rejected),
                           'incentives_granted', jsonb_build_object(
                               'count', e.grants, 'amount_cents', e.grants_cents))
                           ORDER BY e.challenge_code)
                         FROM dashboard_municipality_entries(m.ibge_code, c.id) e), '[]'::jsonb))
              FROM municipalities m JOIN cycles c ON c.id = cycle
              LEFT JOIN adhesions ad ON ad.cycle_id = c.id AND ad.municipality_id = m.ibge_code
                                    AND ad.status = 'active'
             WHERE m.ibge_code = municipality);
