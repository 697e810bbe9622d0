-- Accounts and the audit log declared as resources (lib/users/users.c,
-- lib/audit/audit.c): what each viewer sees of them, what the audit log
-- keeps of an account, the rules of a new account and the lists' filters.
-- user_json (005_people.sql) stays the one definition of an account's JSON.

-- An account as viewer `v` sees it: the CPF unmasked only for its owner.
CREATE FUNCTION user_view(u users, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE
    RETURN user_json(u, coalesce(u.id = v.user_id, false));

-- What the audit log keeps of an account: its CPF masked.
CREATE FUNCTION user_snapshot(u users) RETURNS jsonb
    LANGUAGE sql STABLE
    RETURN user_json(u, false)::jsonb;

-- The rules a new account breaks, judged on the row as it would be stored,
-- after each field's own checks: what its role requires and forbids, and the
-- municipality it names (which must exist, and whose registered mayor a
-- mayor must be).
CREATE FUNCTION user_rules(u users) RETURNS TABLE (field text, message text)
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
        (5, 'municipality_id', 'must be the IBGE code of the user''s municipality',
            u.role <> 'secretariat' AND u.municipality_id IS NULL),
        (6, 'municipality_id', 'is not a registered municipality',
            u.role <> 'secretariat' AND u.municipality_id IS NOT NULL
            AND NOT EXISTS (SELECT FROM municipalities m WHERE m.ibge_code = u.municipality_id)),
        (7, 'cpf', 'is required for a mayor', u.role = 'mayor' AND u.cpf IS NULL),
        (8, 'cpf', 'must be the municipality''s registered mayor CPF',
            u.role = 'mayor'
            AND EXISTS (SELECT FROM municipalities m
                         WHERE m.ibge_code = u.municipality_id AND m.mayor_cpf <> u.cpf))
    ) AS r (n, field, message, broken)
    WHERE r.broken
    ORDER BY r.n
$$;

-- Creates an account from its validated document `d` (the fields of
-- lib/users/users.c): active with a password (its Argon2 hash, made before
-- any transaction), or inactive with an invitation (its SHA-256), which
-- expires after invitation_expiry().
CREATE FUNCTION user_insert(d jsonb, new_password_hash text, new_invitation_hash text)
    RETURNS users LANGUAGE sql VOLATILE
AS $$
    INSERT INTO users AS u (name, email, cpf, phone, position, role, municipality_id,
                            secretariat_area, password_hash, active, invitation_hash,
                            invitation_expires_at)
    SELECT r.name, r.email, r.cpf, r.phone, r.position, r.role, r.municipality_id,
           r.secretariat_area, new_password_hash, new_invitation_hash IS NULL,
           new_invitation_hash,
           CASE WHEN new_invitation_hash IS NOT NULL THEN invitation_expiry(now()) END
      FROM jsonb_populate_record(NULL::users, d) r
    RETURNING u.*
$$;

-- GET /v1/users: the filters role, municipality_id, secretariat_area and
-- active (a JSON boolean). The route is the coordination's: no row is hidden.
CREATE FUNCTION user_matches(u users, f jsonb, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (f->>'role' IS NULL OR u.role = f->>'role')
       AND (f->>'municipality_id' IS NULL OR u.municipality_id = f->>'municipality_id')
       AND (f->>'secretariat_area' IS NULL OR u.secretariat_area = f->>'secretariat_area')
       AND (f->'active' IS NULL OR u.active = (f->'active')::boolean);

-- An audit event, the same for everyone who may read the log (the route's
-- policy decides who that is). CPFs in before and after were masked when the
-- event was written.
CREATE FUNCTION audit_event_json(e audit_events, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', e.id, 'at', pacto_ts(e.at), 'actor_id', e.actor_id, 'actor_role', e.actor_role,
        'action', e.action, 'entity', e.entity, 'entity_id', e.entity_id, 'before', e.before,
        'after', e.after, 'request_id', e.request_id);

-- GET /v1/audit: the filters entity, entity_id, actor_id, since (at or after)
-- and until (before), checked by lib/audit/audit.c.
CREATE FUNCTION audit_matches(e audit_events, f jsonb, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (f->>'entity' IS NULL OR e.entity = f->>'entity')
       AND (f->>'entity_id' IS NULL OR e.entity_id = f->>'entity_id')
       AND (f->>'actor_id' IS NULL OR e.actor_id = (f->>'actor_id')::bigint)
       AND (f->>'since' IS NULL OR e.at >= (f->>'since')::timestamptz)
       AND (f->>'until' IS NULL OR e.at < (f->>'until')::timestamptz);
