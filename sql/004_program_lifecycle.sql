-- Program lifecycle (SPEC 1, steps 1-3): cycles, adhesions signed by the
-- mayor, invitations for accounts made by someone else, the municipal
-- representative and the technical team.

CREATE TABLE cycles (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    state_code         smallint NOT NULL REFERENCES states (code),
    adhesion_opens_at  timestamptz NOT NULL,
    adhesion_closes_at timestamptz NOT NULL,
    pact_opens_at      timestamptz NOT NULL,
    pact_closes_at     timestamptz NOT NULL,
    target_year        integer NOT NULL CHECK (target_year BETWEEN 2000 AND 2100),
    commitments        jsonb NOT NULL CHECK (jsonb_typeof(commitments) = 'array'),
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (adhesion_closes_at > adhesion_opens_at),
    CHECK (pact_closes_at > pact_opens_at),
    CHECK (pact_opens_at >= adhesion_opens_at)
);
CREATE INDEX cycles_state_idx ON cycles (state_code, id);

-- The phase of a cycle at time t: the pact window wins over the adhesion
-- window where they overlap.
CREATE FUNCTION cycle_phase(c cycles, t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE
        WHEN t >= c.pact_closes_at THEN 'closed'
        WHEN t >= c.pact_opens_at THEN 'pact_open'
        WHEN t >= c.adhesion_closes_at THEN 'adhesion_closed'
        WHEN t >= c.adhesion_opens_at THEN 'adhesion_open'
        ELSE 'upcoming'
    END;

-- Readable, unique protocol numbers: <UF>-<year signed>-<number>.
CREATE SEQUENCE adhesion_protocol_seq;

CREATE TABLE adhesions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id        bigint NOT NULL REFERENCES cycles (id),
    municipality_id text NOT NULL REFERENCES municipalities (ibge_code),
    protocol        text NOT NULL UNIQUE,
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    signed_at       timestamptz NOT NULL DEFAULT now(),
    signed_by       bigint NOT NULL REFERENCES users (id),
    commitments     jsonb NOT NULL CHECK (jsonb_typeof(commitments) = 'array'),
    withdrawn_at    timestamptz,
    withdrawn_by    bigint REFERENCES users (id),
    CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL))
);
-- One active adhesion per municipality and cycle (SPEC 5).
CREATE UNIQUE INDEX adhesions_one_active ON adhesions (cycle_id, municipality_id)
    WHERE status = 'active';
CREATE INDEX adhesions_municipality_idx ON adhesions (municipality_id, cycle_id);

-- Accounts created by someone else start inactive with a one-time invitation;
-- only its SHA-256 is stored.
ALTER TABLE users
    ADD COLUMN invitation_hash text UNIQUE,
    ADD COLUMN invitation_expires_at timestamptz,
    ADD COLUMN position text CHECK (length(position) BETWEEN 1 AND 200),
    ADD CHECK ((invitation_hash IS NULL) = (invitation_expires_at IS NULL));

-- The municipality's current representative (SPEC 1, step 3).
ALTER TABLE municipalities ADD COLUMN representative_id bigint REFERENCES users (id);

CREATE TABLE team_members (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    municipality_id text NOT NULL REFERENCES municipalities (ibge_code),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    program_role    text CHECK (length(program_role) BETWEEN 1 AND 200),
    organization    text CHECK (length(organization) BETWEEN 1 AND 200),
    type            text NOT NULL CHECK (type IN ('servant', 'council', 'city_council', 'other')),
    email           text CHECK (length(email) BETWEEN 3 AND 254),
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX team_members_municipality_idx ON team_members (municipality_id, id);

-- A municipality's cached view shows its adhesions and its representative's
-- name and position: changes to either evict it (see 002_change_notify.sql).
CREATE FUNCTION pacto_notify_municipality() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        IF coalesce(NEW.role, OLD.role) <> 'representative' THEN
            RETURN NULL;
        END IF;
    END IF;
    PERFORM pg_notify('pacto_changes',
                      'municipalities:' || coalesce(NEW.municipality_id, OLD.municipality_id));
    RETURN NULL;
END $$;

CREATE TRIGGER adhesions_changed AFTER INSERT OR UPDATE OR DELETE ON adhesions
    FOR EACH ROW EXECUTE FUNCTION pacto_notify_municipality();
CREATE TRIGGER representatives_changed AFTER UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION pacto_notify_municipality();
CREATE TRIGGER adhesions_truncated AFTER TRUNCATE ON adhesions
    FOR EACH STATEMENT EXECUTE FUNCTION pacto_notify_table();
