-- Public questions with an answer deadline (seed 003: "Governos devem
-- justificar suas ações, responder a questionamentos") and technical
-- assistance requests from municipalities to an area (seed 002: "um serviço
-- de assessoramento técnico permanente"), both shown in the state's alerts.

-- A question anyone asked about a cycle, a challenge, a plan or a pact. The
-- subject's cycle, challenge and municipality are resolved when it is asked
-- (question_subject), so lists, counts and alerts read this row alone. The
-- asker's name, e-mail and address hash are personal data: never public,
-- never in the audit log (question_snapshot), and set NULL on request.
CREATE TABLE questions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_type    text NOT NULL CHECK (subject_type IN ('cycle', 'challenge', 'plan', 'pact')),
    subject_id      bigint NOT NULL,
    cycle_id        bigint NOT NULL REFERENCES cycles (id),
    challenge_id    bigint REFERENCES challenges (id), -- keeps it (challenge_in_use)
    municipality_id text REFERENCES municipalities (ibge_code),
    text            text NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    -- What a duplicate is judged on: case and runs of white space ignored.
    normalized      text NOT NULL GENERATED ALWAYS AS
                        (lower(regexp_replace(btrim(text), '\s+', ' ', 'g'))) STORED,
    asker_name      text CHECK (length(asker_name) BETWEEN 1 AND 120),
    email           text CHECK (length(email) BETWEEN 3 AND 254),
    client_hash     text CHECK (client_hash ~ '^[0-9a-f]{64}$'),
    asked_at        timestamptz NOT NULL DEFAULT now(),
    due_at          timestamptz NOT NULL,
    answer_text     text CHECK (length(answer_text) BETWEEN 1 AND 2000),
    answered_at     timestamptz,
    answered_by     bigint REFERENCES users (id),
    hidden_reason   text CHECK (length(hidden_reason) BETWEEN 1 AND 500),
    hidden_at       timestamptz,
    hidden_by       bigint REFERENCES users (id),
    version         integer NOT NULL DEFAULT 1,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((answer_text IS NULL) = (answered_at IS NULL)),
    CHECK ((hidden_reason IS NULL) = (hidden_at IS NULL)),
    CHECK (due_at > asked_at)
);
CREATE INDEX questions_cycle_idx ON questions (cycle_id, id);
CREATE INDEX questions_subject_idx ON questions (subject_type, subject_id, id);
CREATE INDEX questions_client_idx ON questions (client_hash, asked_at);
CREATE INDEX questions_unanswered_idx ON questions (cycle_id, due_at)
    WHERE answered_at IS NULL AND hidden_at IS NULL;

-- What keeps a challenge (sql/015), and now its public questions too: a
-- question asked is a public record, never deleted with its subject.
CREATE OR REPLACE FUNCTION challenge_in_use(challenge bigint) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE
        WHEN EXISTS (SELECT 1 FROM focalization_runs r WHERE r.challenge_id = challenge)
          OR EXISTS (SELECT 1 FROM focal_overrides o WHERE o.challenge_id = challenge)
        THEN 'The challenge has a focalization.'
        WHEN EXISTS (SELECT 1 FROM state_targets t WHERE t.challenge_id = challenge)
        THEN 'The challenge has state targets.'
        WHEN EXISTS (SELECT 1 FROM questions q WHERE q.challenge_id = challenge)
        THEN 'The challenge has public questions.'
    END;

-- The subject of a question when it exists and is public (a draft or
-- returned plan is the municipality's and the state's only): its cycle, its
-- challenge (none for a cycle) and its municipality (plans and pacts).
CREATE FUNCTION question_subject(kind text, subject bigint)
    RETURNS TABLE (cycle_id bigint, challenge_id bigint, municipality_id text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT c.id, NULL::bigint, NULL::text FROM cycles c
         WHERE kind = 'cycle' AND c.id = subject
        UNION ALL
        SELECT ch.cycle_id, ch.id, NULL FROM challenges ch
         WHERE kind = 'challenge' AND ch.id = subject
        UNION ALL
        SELECT p.cycle_id, p.challenge_id, p.municipality_id FROM action_plans p
         WHERE kind = 'plan' AND p.id = subject
           AND plan_visible(p, ROW(NULL, NULL, NULL, NULL, NULL)::pacto_viewer)
        UNION ALL
        SELECT k.cycle_id, k.challenge_id, k.municipality_id FROM pacts k
         WHERE kind = 'pact' AND k.id = subject;
    END;

-- Who answers a question: the challenge's responsible secretariat for a
-- challenge, a plan or a pact; the coordination for a cycle.
CREATE FUNCTION question_area(q questions) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce((SELECT ch.responsible_area FROM challenges ch WHERE ch.id = q.challenge_id),
                    'coordination');

-- open (waiting, before its due time), answered, overdue (past due_at
-- without an answer) or hidden (abusive: out of every count of answers).
CREATE FUNCTION question_status(q questions) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN q.hidden_at IS NOT NULL THEN 'hidden'
                WHEN q.answered_at IS NOT NULL THEN 'answered'
                WHEN now() > q.due_at THEN 'overdue'
                ELSE 'open' END;

-- A question as the viewer sees it. A hidden one is, publicly, its id, its
-- status and the reason alone; the state sees it whole. Only the state sees
-- the asker's name; nobody sees the e-mail or the address hash.
CREATE FUNCTION question_json(q questions, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE
        WHEN q.hidden_at IS NOT NULL AND NOT viewer_is_secretariat(v) THEN
            json_build_object('id', q.id, 'status', 'hidden', 'hidden_reason', q.hidden_reason)
        ELSE (jsonb_build_object(
                  'id', q.id, 'subject_type', q.subject_type, 'subject_id', q.subject_id,
                  'cycle_id', q.cycle_id, 'challenge_id', q.challenge_id,
                  'municipality_id', q.municipality_id, 'area', question_area(q),
                  'text', q.text, 'status', question_status(q),
                  'asked_at', pacto_ts(q.asked_at), 'due_at', pacto_ts(q.due_at),
                  'answered_late', coalesce(q.answered_at > q.due_at, false),
                  'answer', CASE WHEN q.answered_at IS NOT NULL THEN json_build_object(
                                'text', q.answer_text, 'answered_at', pacto_ts(q.answered_at))
                                END,
                  'hidden_reason', q.hidden_reason)
              || CASE WHEN viewer_is_secretariat(v)
                      THEN jsonb_build_object('asker_name', q.asker_name) ELSE '{}' END)::json
        END;

-- What the audit log keeps of a question: never the personal columns, so
-- an erasure leaves nothing of them anywhere.
CREATE FUNCTION question_snapshot(q questions) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (to_jsonb(q) - 'asker_name' - 'email' - 'client_hash' - 'normalized')
        || jsonb_build_object('asker_erased', q.asker_name IS NULL AND q.email IS NULL
                                              AND q.client_hash IS NULL);

-- GET /v1/questions?subject_type=&subject_id=&cycle_id=&area=&status=:
-- every question (hidden ones as their placeholder), oldest first, with the
-- cells of its CSV row (public columns only, for everyone).
CREATE FUNCTION question_rows(v pacto_viewer, f jsonb)
    RETURNS TABLE (k text, j json, id bigint, subject_type text, subject_id bigint,
                   cycle_id bigint, challenge_id bigint, municipality_id text, area text,
                   status text, asked_at text, due_at text, text text, answer_text text,
                   answered_at text, answered_late text, hidden_reason text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT lpad(q.id::text, 19, '0'), question_json(q, v), q.id,
               CASE WHEN s.shown THEN q.subject_type END,
               CASE WHEN s.shown THEN q.subject_id END,
               CASE WHEN s.shown THEN q.cycle_id END,
               CASE WHEN s.shown THEN q.challenge_id END,
               CASE WHEN s.shown THEN q.municipality_id END,
               CASE WHEN s.shown THEN question_area(q) END,
               question_status(q),
               CASE WHEN s.shown THEN pacto_ts(q.asked_at) END,
               CASE WHEN s.shown THEN pacto_ts(q.due_at) END,
               CASE WHEN s.shown THEN q.text END,
               CASE WHEN s.shown THEN q.answer_text END,
               CASE WHEN s.shown THEN pacto_ts(q.answered_at) END,
               CASE WHEN s.shown THEN coalesce(q.answered_at > q.due_at, false)::text END,
               q.hidden_reason
          FROM questions q
         CROSS JOIN LATERAL (SELECT q.hidden_at IS NULL AS shown) s
         WHERE (f->>'subject_type' IS NULL OR q.subject_type = f->>'subject_type')
           AND (f->>'subject_id' IS NULL OR q.subject_id = (f->>'subject_id')::bigint)
           AND (f->>'cycle_id' IS NULL OR q.cycle_id = (f->>'cycle_id')::bigint)
           AND (f->>'area' IS NULL OR question_area(q) = f->>'area')
           AND (f->>'status' IS NULL OR question_status(q) = f->>'status');
    END;

-- GET /v1/cycles/{cycle_id}/question-counts: per secretariat area, every
-- area listed, in pacto_is_secretariat_area's order. Hidden questions are
-- counted as asked and hidden, and in nothing else; median_days_to_answer
-- is over the answered ones, in days to one decimal.
CREATE FUNCTION question_count_rows(cycle bigint)
    RETURNS TABLE (k text, j json, area text, asked bigint, hidden bigint, answered bigint,
                   answered_late bigint, open bigint, overdue bigint,
                   median_days_to_answer numeric)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        WITH a(n, area) AS (VALUES (1, 'coordination'), (2, 'health'), (3, 'education'),
                                   (4, 'security'), (5, 'economy')),
             c AS (SELECT a.n, a.area, count(q.id) AS asked,
                          count(q.id) FILTER (WHERE q.hidden_at IS NOT NULL) AS hidden,
                          count(q.id) FILTER (WHERE question_status(q) = 'answered') AS answered,
                          count(q.id) FILTER (WHERE question_status(q) = 'answered'
                                                AND q.answered_at > q.due_at) AS answered_late,
                          count(q.id) FILTER (WHERE question_status(q) = 'open') AS open,
                          count(q.id) FILTER (WHERE question_status(q) = 'overdue') AS overdue,
                          round((percentile_cont(0.5) WITHIN GROUP (
                                     ORDER BY extract(epoch FROM q.answered_at - q.asked_at))
                                     FILTER (WHERE question_status(q) = 'answered')
                                 / 86400)::numeric, 1) AS median
                     FROM a LEFT JOIN questions q
                       ON q.cycle_id = cycle AND question_area(q) = a.area
                    GROUP BY a.n, a.area)
        SELECT c.n::text,
               json_build_object('area', c.area, 'asked', c.asked, 'hidden', c.hidden,
                                 'answered', c.answered, 'answered_late', c.answered_late,
                                 'open', c.open, 'overdue', c.overdue,
                                 'median_days_to_answer', c.median),
               c.area, c.asked, c.hidden, c.answered, c.answered_late, c.open, c.overdue,
               c.median
          FROM c;
    END;

-- A municipality's request for technical assistance on its plan (or one of
-- its actions), addressed to the area of the plan's challenge: open →
-- assigned (to a technician of that area) → answered → closed, or withdrawn
-- by the municipality before an answer. Private: the municipality and the
-- area (with the coordination) only.
CREATE TABLE assistance_requests (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id         bigint NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
    action_id       bigint REFERENCES plan_actions (id) ON DELETE SET NULL,
    cycle_id        bigint NOT NULL REFERENCES cycles (id),
    municipality_id text NOT NULL REFERENCES municipalities (ibge_code),
    area            text NOT NULL CHECK (pacto_is_secretariat_area(area)),
    topic           text NOT NULL
                    CHECK (topic IN ('planning', 'indicators', 'evidence', 'budget', 'legal',
                                     'other')),
    description     text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    status          text NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'assigned', 'answered', 'closed', 'withdrawn')),
    technician_id   bigint REFERENCES users (id),
    answer          text CHECK (length(answer) BETWEEN 1 AND 2000),
    answered_at     timestamptz,
    created_by      bigint NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         integer NOT NULL DEFAULT 1,
    -- answered (and closed after it) only once assigned
    CHECK (status IN ('open', 'withdrawn') OR technician_id IS NOT NULL),
    CHECK ((answer IS NULL) = (answered_at IS NULL))
);
CREATE INDEX assistance_requests_plan_idx ON assistance_requests (plan_id, id);
CREATE INDEX assistance_requests_area_idx ON assistance_requests (area, id);
CREATE INDEX assistance_requests_municipality_idx ON assistance_requests (municipality_id, id);
CREATE INDEX assistance_requests_pending_idx ON assistance_requests (cycle_id, created_at)
    WHERE status IN ('open', 'assigned');

-- Each change of a request, by whom (their role and, through user_id,
-- their name), from which status to which, with its note.
CREATE TABLE assistance_transitions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id  bigint NOT NULL REFERENCES assistance_requests (id) ON DELETE CASCADE,
    action      text NOT NULL CHECK (action IN ('request', 'assign', 'answer', 'close',
                                                'withdraw')),
    from_status text,
    to_status   text NOT NULL,
    note        text CHECK (length(note) BETWEEN 1 AND 2000),
    user_id     bigint NOT NULL REFERENCES users (id),
    role        text NOT NULL,
    area        text,
    at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX assistance_transitions_request_idx ON assistance_transitions (request_id, id);

-- Who may know of a request: its municipality, its area and the coordination.
CREATE FUNCTION assistance_visible(r assistance_requests, v pacto_viewer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN viewer_manages(v, r.area) OR viewer_is_municipal(v, r.municipality_id);

-- A user as a request's JSON names them: id, name, role and area.
CREATE FUNCTION assistance_person_json(u bigint) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT json_build_object('id', x.id, 'name', x.name, 'role', x.role,
                                     'area', x.secretariat_area)
              FROM users x WHERE x.id = u);

-- A request with its history, oldest change first (only those who may see
-- the request see it: the history names people).
CREATE FUNCTION assistance_json(r assistance_requests, with_history boolean) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (jsonb_build_object(
        'id', r.id, 'plan_id', r.plan_id, 'action_id', r.action_id, 'cycle_id', r.cycle_id,
        'municipality_id', r.municipality_id,
        'municipality_name', (SELECT m.name FROM municipalities m
                               WHERE m.ibge_code = r.municipality_id),
        'area', r.area, 'topic', r.topic, 'description', r.description, 'status', r.status,
        'technician', assistance_person_json(r.technician_id),
        'answer', r.answer, 'answered_at', pacto_ts(r.answered_at),
        'created_at', pacto_ts(r.created_at), 'updated_at', pacto_ts(r.updated_at),
        'days_pending', CASE WHEN r.status IN ('open', 'assigned')
                             THEN floor(extract(epoch FROM now() - r.created_at) / 86400)::integer
                             END)
        || CASE WHEN with_history THEN jsonb_build_object('history', (
               SELECT coalesce(jsonb_agg(jsonb_build_object(
                          'action', t.action, 'from_status', t.from_status,
                          'to_status', t.to_status, 'note', t.note, 'at', pacto_ts(t.at),
                          'by_role', t.role, 'by_area', t.area,
                          'by_name', (SELECT u.name FROM users u WHERE u.id = t.user_id))
                          ORDER BY t.id), '[]')
                 FROM assistance_transitions t WHERE t.request_id = r.id))
           ELSE '{}' END)::json;

-- What the audit log keeps of a request: the row.
CREATE FUNCTION assistance_snapshot(r assistance_requests) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN to_jsonb(r);

-- GET /v1/assistance-requests?status=&area=&municipality_id=&plan_id=: the
-- requests the viewer may see, oldest first, with their CSV cells.
CREATE FUNCTION assistance_rows(v pacto_viewer, f jsonb)
    RETURNS TABLE (k text, j json, id bigint, plan_id bigint, action_id bigint,
                   municipality_id text, area text, topic text, status text,
                   technician_id bigint, created_at text, answered_at text, description text,
                   answer text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT lpad(r.id::text, 19, '0'), assistance_json(r, false), r.id, r.plan_id,
               r.action_id, r.municipality_id, r.area, r.topic, r.status, r.technician_id,
               pacto_ts(r.created_at), pacto_ts(r.answered_at), r.description, r.answer
          FROM assistance_requests r
         WHERE assistance_visible(r, v)
           AND (f->>'status' IS NULL OR r.status = f->>'status')
           AND (f->>'area' IS NULL OR r.area = f->>'area')
           AND (f->>'municipality_id' IS NULL OR r.municipality_id = f->>'municipality_id')
           AND (f->>'plan_id' IS NULL OR r.plan_id = (f->>'plan_id')::bigint);
    END;

-- The alerts gain two kinds, with members of their own (null in the other
-- kinds, as theirs are in these): question_overdue, a question about the
-- cycle's things past its due time without an answer (hidden ones are not
-- overdue); assistance_pending, a request open or assigned for more than
-- the review days (the same PACTO_ALERT_REVIEW_DAYS evidence waits), with
-- its age in days_waiting.
CREATE FUNCTION alert_json(kind text, municipality_id text, municipality_name text,
                           challenge_id bigint, challenge_code text, area text, plan_id bigint,
                           pact_id bigint, protocol text, indicator_id bigint,
                           indicator_code text, latest_value numeric, latest_period text,
                           expected_value numeric, delivery_id bigint, delivery_title text,
                           due_date date, days_late integer, evidence_id bigint,
                           submitted_at timestamptz, days_waiting integer, question_id bigint,
                           subject_type text, subject_id bigint, due_at timestamptz,
                           days_overdue integer, assistance_request_id bigint, topic text,
                           request_status text) RETURNS json
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
        'days_waiting', days_waiting, 'question_id', question_id,
        'subject_type', subject_type, 'subject_id', subject_id, 'due_at', pacto_ts(due_at),
        'days_overdue', days_overdue, 'assistance_request_id', assistance_request_id,
        'topic', topic, 'request_status', request_status);

-- GET /v1/cycles/{cycle_id}/alerts?area=&municipality_id=&kind=: as in
-- sql/026, with the two kinds above after the three there, oldest first
-- (a question by its due time, a request by when it was made).
CREATE OR REPLACE FUNCTION alert_rows(cycle bigint, f jsonb, review_days integer)
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
                              NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                              NULL, NULL) AS j,
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
                              NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
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
                              floor(extract(epoch FROM now() - e.submitted_at) / 86400)::integer,
                              NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                   'evidence_waiting', ch.responsible_area, pl.municipality_id
              FROM evidence e
              JOIN plan_deliveries d ON d.id = e.delivery_id
              JOIN action_plans pl ON pl.id = e.plan_id
              JOIN municipalities m ON m.ibge_code = pl.municipality_id
              JOIN challenges ch ON ch.id = pl.challenge_id
             WHERE pl.cycle_id = cycle AND e.status = 'submitted'
               AND e.submitted_at < now() - make_interval(days => review_days)
            UNION ALL
            SELECT '4/' || to_char(q.due_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS')
                   || '/' || lpad(q.id::text, 19, '0'),
                   alert_json('question_overdue', q.municipality_id, m.name, ch.id, ch.code,
                              question_area(q), pl.plan_id, pl.pact_id, NULL, NULL, NULL, NULL,
                              NULL, NULL, NULL, NULL, NULL, NULL, NULL, q.asked_at, NULL, q.id,
                              q.subject_type, q.subject_id, q.due_at,
                              floor(extract(epoch FROM now() - q.due_at) / 86400)::integer,
                              NULL, NULL, NULL),
                   'question_overdue', question_area(q), q.municipality_id
              FROM questions q
              LEFT JOIN municipalities m ON m.ibge_code = q.municipality_id
              LEFT JOIN challenges ch ON ch.id = q.challenge_id
              CROSS JOIN LATERAL (
                  SELECT CASE q.subject_type WHEN 'plan' THEN q.subject_id
                              WHEN 'pact' THEN (SELECT k.plan_id FROM pacts k
                                                 WHERE k.id = q.subject_id) END AS plan_id,
                         CASE WHEN q.subject_type = 'pact' THEN q.subject_id END AS pact_id) pl
             WHERE q.cycle_id = cycle AND q.answered_at IS NULL AND q.hidden_at IS NULL
               AND q.due_at < now()
            UNION ALL
            SELECT '5/' || to_char(r.created_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS')
                   || '/' || lpad(r.id::text, 19, '0'),
                   alert_json('assistance_pending', r.municipality_id, m.name, ch.id, ch.code,
                              r.area, r.plan_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                              NULL, NULL, NULL, NULL, r.created_at,
                              floor(extract(epoch FROM now() - r.created_at) / 86400)::integer,
                              NULL, NULL, NULL, NULL, NULL, r.id, r.topic, r.status),
                   'assistance_pending', r.area, r.municipality_id
              FROM assistance_requests r
              JOIN municipalities m ON m.ibge_code = r.municipality_id
              JOIN action_plans pl ON pl.id = r.plan_id
              JOIN challenges ch ON ch.id = pl.challenge_id
             WHERE r.cycle_id = cycle AND r.status IN ('open', 'assigned')
               AND r.created_at < now() - make_interval(days => review_days)) a
         WHERE (f->>'kind' IS NULL OR a.kind = f->>'kind')
           AND (f->>'area' IS NULL OR a.area = f->>'area')
           AND (f->>'municipality_id' IS NULL OR a.municipality_id = f->>'municipality_id');
    END;

-- sql/026's alert_json, used by nothing now.
DROP FUNCTION alert_json(text, text, text, bigint, text, text, bigint, bigint, text, bigint, text,
                         numeric, text, numeric, bigint, text, date, integer, bigint, timestamptz,
                         integer);
