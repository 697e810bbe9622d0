-- Resources declared once (lib/resource): each table's JSON as a caller sees
-- it, its audit snapshot, and the viewer every row-level rule is fed with.

-- The caller, as lib/authz/policy.c writes it: one parameter for every rule.
CREATE TYPE pacto_viewer AS (
    user_id          bigint,
    role             text,
    municipality_id  text,
    secretariat_area text,
    cpf              text
);

CREATE FUNCTION viewer_is_coordination(v pacto_viewer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(v.role = 'secretariat' AND v.secretariat_area = 'coordination', false);

CREATE FUNCTION viewer_is_secretariat(v pacto_viewer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(v.role = 'secretariat', false);

-- A mayor or representative of municipality `code`.
CREATE FUNCTION viewer_is_municipal(v pacto_viewer, code text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(v.role IN ('mayor', 'representative') AND v.municipality_id = code, false);

-- Technical team members: the same for everyone who may see them (the route's
-- policy decides who that is).
CREATE FUNCTION team_member_json(t team_members, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', t.id, 'municipality_id', t.municipality_id, 'name', t.name,
        'program_role', t.program_role, 'organization', t.organization, 'type', t.type,
        'email', t.email, 'created_at', pacto_ts(t.created_at),
        'updated_at', pacto_ts(t.updated_at));

CREATE FUNCTION team_member_snapshot(t team_members) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN team_member_json(t, NULL)::jsonb;
