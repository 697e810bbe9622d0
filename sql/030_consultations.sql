-- Public consultations (seed 003, co-creation): a cycle, a challenge's
-- portfolio or a municipality's submitted plan opens a window in which anyone
-- may comment; the state moderates, the subject's responsible answers
-- (lib/consultations). Citizens' personal data — the name or pseudonym they
-- signed with, their e-mail, their address hash — lives only in the columns
-- marked so below, which the coordination sets NULL on request; no view, no
-- snapshot and no audit event carries the e-mail or the hash.

CREATE TABLE consultations (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_type          text NOT NULL CHECK (subject_type IN ('cycle', 'portfolio', 'plan')),
    -- A cycle's id, a challenge's id (its portfolio) or a plan's id.
    subject_id            bigint NOT NULL,
    -- The subject's cycle, for the list's filter and the closed-cycle rule.
    cycle_id              bigint NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    title                 text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description           text CHECK (length(description) BETWEEN 1 AND 4000),
    opens_at              timestamptz NOT NULL,
    closes_at             timestamptz NOT NULL,
    requires_confirmation boolean NOT NULL DEFAULT false,
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (closes_at > opens_at)
);
CREATE INDEX consultations_cycle_idx ON consultations (cycle_id, id);
CREATE INDEX consultations_subject_idx ON consultations (subject_type, subject_id);

CREATE TABLE consultation_comments (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id  bigint NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    -- Personal data: NULL once erased.
    author_name      text CHECK (length(author_name) BETWEEN 1 AND 120),
    email            text,
    client_hash      text,
    municipality_id  text REFERENCES municipalities (ibge_code),
    text             text NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    -- unconfirmed (awaiting the e-mailed link) -> pending (awaiting
    -- moderation) -> published | hidden; hidden <-> published.
    status           text NOT NULL CHECK (status IN ('unconfirmed', 'pending', 'published',
                                                     'hidden')),
    hidden_reason    text CHECK (length(hidden_reason) BETWEEN 1 AND 2000),
    -- The confirmation link's token, as its SHA-256 (hex) only: kept after
    -- use, so that a second use is told apart from a wrong token.
    token_sha256     text,
    token_expires_at timestamptz,
    confirmed_at     timestamptz,
    moderated_by     bigint REFERENCES users (id),
    moderated_at     timestamptz,
    -- The answer: the municipality (a plan's consultation) or the area.
    answer           text CHECK (length(answer) BETWEEN 1 AND 2000),
    answered_at      timestamptz,
    answered_by      bigint REFERENCES users (id),
    answered_by_municipality_id text REFERENCES municipalities (ibge_code),
    answered_by_area text,
    author_erased_at timestamptz,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'hidden') = (hidden_reason IS NOT NULL)),
    CHECK ((answer IS NULL) = (answered_at IS NULL))
);
CREATE INDEX consultation_comments_list_idx ON consultation_comments (consultation_id, id);
-- The duplicate check: one address's comments on one consultation of the last day.
CREATE INDEX consultation_comments_client_idx
    ON consultation_comments (consultation_id, client_hash, created_at)
    WHERE client_hash IS NOT NULL;

-- Mail waiting to be sent, written in the transaction of what it is about;
-- the server's sender delivers it (lib/mail). The recipient is removed once
-- the message is sent (and the body, which may carry a one-time token), or
-- when its comment's author is erased.
CREATE TABLE mail_outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    comment_id bigint REFERENCES consultation_comments (id) ON DELETE SET NULL,
    recipient  text,
    subject    text NOT NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    attempts   integer NOT NULL DEFAULT 0,
    last_error text,
    -- When the sender may try again (later after each failure).
    next_attempt_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_outbox_unsent_idx ON mail_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND recipient IS NOT NULL;

-- scheduled | open | closed at time t.
CREATE FUNCTION consultation_status(c consultations, t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN t < c.opens_at THEN 'scheduled' WHEN t < c.closes_at THEN 'open'
                ELSE 'closed' END;

-- The subject's responsible area: the coordination for a cycle, the
-- challenge's area for its portfolio or for a plan on it.
CREATE FUNCTION consultation_area(c consultations) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE c.subject_type
        WHEN 'cycle' THEN 'coordination'
        WHEN 'portfolio' THEN (SELECT ch.responsible_area FROM challenges ch
                                WHERE ch.id = c.subject_id)
        ELSE (SELECT ch.responsible_area FROM action_plans p
                JOIN challenges ch ON ch.id = p.challenge_id WHERE p.id = c.subject_id) END;

-- The municipality whose plan the consultation is on, else NULL.
CREATE FUNCTION consultation_municipality(c consultations) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN c.subject_type = 'plan'
                THEN (SELECT p.municipality_id FROM action_plans p WHERE p.id = c.subject_id) END;

-- Who may open, move or end a consultation: the subject's responsible area
-- secretariat (or the coordination), and for a plan its municipality too.
CREATE FUNCTION consultation_guard(c consultations, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce(viewer_manages(v, consultation_area(c)), false)
        OR coalesce(viewer_is_municipal(v, consultation_municipality(c)), false);

-- Who sees the comments not yet public (pending, unconfirmed): the state,
-- and the municipality of the plan consulted on.
CREATE FUNCTION consultation_sees_unpublished(c consultations, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN viewer_is_secretariat(v)
        OR coalesce(viewer_is_municipal(v, consultation_municipality(c)), false);

-- The public counts of a consultation's comments. received: every comment
-- that reached moderation (all but the unconfirmed); answered: published
-- and answered.
CREATE FUNCTION consultation_counts(consultation bigint) RETURNS TABLE (
    received bigint, published bigint, hidden bigint, answered bigint, pending bigint)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT count(*) FILTER (WHERE k.status <> 'unconfirmed'),
               count(*) FILTER (WHERE k.status = 'published'),
               count(*) FILTER (WHERE k.status = 'hidden'),
               count(*) FILTER (WHERE k.status = 'published' AND k.answer IS NOT NULL),
               count(*) FILTER (WHERE k.status = 'pending')
          FROM consultation_comments k WHERE k.consultation_id = consultation;
    END;

CREATE FUNCTION consultation_json(c consultations, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT json_build_object(
        'id', c.id, 'subject_type', c.subject_type, 'subject_id', c.subject_id,
        'cycle_id', c.cycle_id, 'title', c.title, 'description', c.description,
        'opens_at', pacto_ts(c.opens_at), 'closes_at', pacto_ts(c.closes_at),
        'requires_confirmation', c.requires_confirmation,
        'status', consultation_status(c, now()),
        'comments_received', n.received, 'comments_published', n.published,
        'comments_hidden', n.hidden, 'comments_answered', n.answered,
        'comments_pending', n.pending,
        'created_at', pacto_ts(c.created_at), 'updated_at', pacto_ts(c.updated_at))
      FROM consultation_counts(c.id) n);

-- What the audit log keeps: the stored row (no counts, no status).
CREATE FUNCTION consultation_snapshot(c consultations) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN to_jsonb(c);

-- The window rule, judged on the consultation as it would be stored.
CREATE FUNCTION consultation_rules(c consultations) RETURNS TABLE (field text, message text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT 'closes_at', 'must be after opens_at' WHERE NOT c.closes_at > c.opens_at;
    END;

-- GET /v1/consultations?subject_type=&cycle_id=&status=: all are public.
CREATE FUNCTION consultation_matches(c consultations, f jsonb, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (f->>'subject_type' IS NULL OR c.subject_type = f->>'subject_type')
       AND (f->>'cycle_id' IS NULL OR c.cycle_id = (f->>'cycle_id')::bigint)
       AND (f->>'status' IS NULL OR consultation_status(c, now()) = f->>'status');

-- The subject of a consultation about to be opened, as viewer v may know of
-- it: no row when there is none or v may not know of it (another
-- municipality's draft plan); else its cycle, whether that cycle is closed,
-- the plan's status when it is not yet submitted, the responsible area and
-- municipality, and whether v is that responsible.
CREATE FUNCTION consultation_subject(kind text, subject bigint, v pacto_viewer)
    RETURNS TABLE (cycle_id bigint, cycle_closed boolean, draft_status text, area text,
                   municipality_id text, may boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT y.id, cycle_phase(y, now()) = 'closed', NULL::text, 'coordination', NULL::text,
               viewer_is_coordination(v)
          FROM cycles y WHERE kind = 'cycle' AND y.id = subject
        UNION ALL
        SELECT y.id, cycle_phase(y, now()) = 'closed', NULL, ch.responsible_area, NULL,
               viewer_manages(v, ch.responsible_area)
          FROM challenges ch JOIN cycles y ON y.id = ch.cycle_id
         WHERE kind = 'portfolio' AND ch.id = subject
        UNION ALL
        SELECT y.id, cycle_phase(y, now()) = 'closed',
               CASE WHEN p.status IN ('draft', 'returned') THEN p.status END,
               ch.responsible_area, p.municipality_id,
               viewer_manages(v, ch.responsible_area) OR viewer_is_municipal(v, p.municipality_id)
          FROM action_plans p JOIN challenges ch ON ch.id = p.challenge_id
          JOIN cycles y ON y.id = p.cycle_id
         WHERE kind = 'plan' AND p.id = subject AND plan_visible(p, v);
    END;

-- A comment as viewer v sees it. Published: in full but for the author, whose
-- name or pseudonym (null once erased) only the state's secretariats see —
-- a citizen's personal data is never public — and whose e-mail and address
-- hash nobody sees. Hidden: {id, status, hidden_reason, created_at} only, but
-- to the state in full. Pending and unconfirmed: in full to those who see
-- them (consultation_sees_unpublished; call only for them).
CREATE FUNCTION consultation_comment_json(k consultation_comments, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN k.status = 'hidden' AND NOT viewer_is_secretariat(v)
        THEN json_build_object('id', k.id, 'status', k.status, 'hidden_reason', k.hidden_reason,
                               'created_at', pacto_ts(k.created_at))
        ELSE (jsonb_build_object(
            'id', k.id, 'consultation_id', k.consultation_id, 'status', k.status,
            'municipality_id', k.municipality_id,
            'text', k.text, 'hidden_reason', k.hidden_reason,
            'created_at', pacto_ts(k.created_at),
            'answer', k.answer, 'answered_at', pacto_ts(k.answered_at),
            'answered_by_municipality_id', k.answered_by_municipality_id,
            'answered_by_area', k.answered_by_area)
            || CASE WHEN viewer_is_secretariat(v)
                    THEN jsonb_build_object('author_name', k.author_name) ELSE '{}' END)::json END;

-- What the audit log keeps of a comment: never the personal data (author's
-- name, e-mail, address hash) nor the token, so an erasure leaves none of it
-- behind in the log either.
CREATE FUNCTION consultation_comment_snapshot(k consultation_comments) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN to_jsonb(k) - 'author_name' - 'email' - 'client_hash' - 'token_sha256';

-- GET /v1/consultations/{consultation_id}/comments?status=&answered=: the
-- published and hidden comments, and the unpublished ones to those who see
-- them.
CREATE FUNCTION consultation_comment_rows(v pacto_viewer, f jsonb, consultation bigint)
    RETURNS TABLE (k bigint, j json)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT k.id, consultation_comment_json(k, v)
          FROM consultations c JOIN consultation_comments k ON k.consultation_id = c.id
         WHERE c.id = consultation
           AND (k.status IN ('published', 'hidden') OR consultation_sees_unpublished(c, v))
           AND (f->>'status' IS NULL OR k.status = f->>'status')
           AND (f->>'answered' IS NULL
                OR (k.status = 'published' AND k.answer IS NOT NULL) = (f->>'answered')::boolean);
    END;

-- The key of a text for the duplicate check: letter case and runs of white
-- space do not make another comment.
CREATE FUNCTION consultation_text_key(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN md5(lower(regexp_replace(btrim(t), '\s+', ' ', 'g')));
