-- Foundation: states, municipalities, users and the audit log.
-- Applied by `pacto migrate` in one transaction; see lib/db/migrate.c.

CREATE EXTENSION IF NOT EXISTS unaccent;

-- Case- and accent-insensitive form of a name, for search ("sao" finds "São").
-- unaccent() is only STABLE; pinning the dictionary makes this safe to mark
-- IMMUTABLE and so usable in a generated column.
CREATE FUNCTION pacto_fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, t));

-- RFC 3339 UTC timestamp text, as every response shows it.
CREATE FUNCTION pacto_ts(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');

-- "12345678909" -> "***.456.789-**": how secretariat users see a CPF.
CREATE FUNCTION pacto_mask_cpf(c text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN '***.' || substr(c, 4, 3) || '.' || substr(c, 7, 3) || '-**';

CREATE TABLE states (
    code        smallint PRIMARY KEY CHECK (code BETWEEN 11 AND 53),
    uf          text NOT NULL UNIQUE CHECK (uf ~ '^[A-Z]{2}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    region      text NOT NULL
                CHECK (region IN ('norte', 'nordeste', 'sudeste', 'sul', 'centro_oeste')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE municipalities (
    ibge_code   text PRIMARY KEY CHECK (ibge_code ~ '^[0-9]{7}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    name_folded text GENERATED ALWAYS AS (pacto_fold(name)) STORED,
    state_code  smallint NOT NULL REFERENCES states (code),
    latitude    double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude   double precision CHECK (longitude BETWEEN -180 AND 180),
    capital     boolean NOT NULL DEFAULT false,
    mayor_name  text CHECK (length(mayor_name) BETWEEN 1 AND 200),
    mayor_cpf   text CHECK (mayor_cpf ~ '^[0-9]{11}$'),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (substr(ibge_code, 1, 2)::smallint = state_code)
);
CREATE INDEX municipalities_state_idx ON municipalities (state_code, ibge_code);

CREATE TABLE users (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email            text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    cpf              text CHECK (cpf ~ '^[0-9]{11}$'),
    phone            text CHECK (length(phone) BETWEEN 1 AND 40),
    role             text NOT NULL CHECK (role IN ('mayor', 'representative', 'secretariat')),
    municipality_id  text REFERENCES municipalities (ibge_code),
    secretariat_area text
        CHECK (secretariat_area IN ('coordination', 'health', 'education', 'security', 'economy')),
    password_hash    text,
    active           boolean NOT NULL DEFAULT true,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'secretariat') = (secretariat_area IS NOT NULL)),
    CHECK ((role <> 'secretariat') = (municipality_id IS NOT NULL)),
    CHECK (role <> 'mayor' OR cpf IS NOT NULL)
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_municipality_idx ON users (municipality_id) WHERE municipality_id IS NOT NULL;

-- A user as the API shows it; the CPF is masked unless show_cpf.
CREATE FUNCTION user_json(u users, show_cpf boolean) RETURNS json LANGUAGE sql STABLE
    RETURN json_build_object(
        'id', u.id, 'name', u.name, 'email', u.email,
        'cpf', CASE WHEN show_cpf THEN u.cpf ELSE pacto_mask_cpf(u.cpf) END,
        'phone', u.phone, 'role', u.role, 'municipality_id', u.municipality_id,
        'secretariat_area', u.secretariat_area, 'active', u.active,
        'created_at', pacto_ts(u.created_at), 'updated_at', pacto_ts(u.updated_at));

-- Append-only: every change through the API writes one row here in the same
-- transaction. CPFs in before/after are masked.
CREATE TABLE audit_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_id    bigint REFERENCES users (id),
    actor_role  text,
    action      text NOT NULL,
    entity      text NOT NULL,
    entity_id   text,
    before      jsonb,
    after       jsonb,
    request_id  text
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity, entity_id, id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, id);
CREATE INDEX audit_events_at_idx ON audit_events (at);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
