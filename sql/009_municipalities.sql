-- States, municipalities and the municipal representative declared once
-- (lib/municipalities, lib/representatives): each one's JSON per viewer, its
-- audit snapshot, the rows its list shows and the rules of its writes.

-- The members of object a, then those of object b, in that order. json keeps
-- the text it was built from, so the members stay in the order the API has
-- always shown them (jsonb's || would reorder them). Both must be non-empty
-- objects as json_build_object writes them.
CREATE FUNCTION pacto_json_extend(a json, b json) RETURNS json
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN (left(a::text, -1) || ', ' || substr(b::text, 2))::json;

-- The list filter state=<UF>, one definition for every list that has one: true
-- when the filters f name no state, or name state s.
CREATE FUNCTION state_filter(s states, f jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN f->>'state' IS NULL OR s.uf = f->>'state';

-- States: public, the same for everyone.
CREATE FUNCTION state_json(s states, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object('code', s.code, 'uf', s.uf, 'name', s.name, 'region', s.region);

CREATE FUNCTION state_snapshot(s states) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN state_json(s, NULL)::jsonb;

-- The representative of municipality `code` as viewer v sees them: anyone
-- sees the name and position; the municipality's own mayor and
-- representative and the secretariat see the contact data too, the CPF
-- masked unless it is the viewer's own.
CREATE FUNCTION representative_json(u users, code text, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE
        WHEN viewer_is_secretariat(v) OR viewer_is_municipal(v, code) THEN json_build_object(
            'user_id', u.id, 'name', u.name, 'email', u.email, 'phone', u.phone,
            'position', u.position,
            'cpf', CASE WHEN u.id = v.user_id THEN u.cpf ELSE pacto_mask_cpf(u.cpf) END,
            'active', u.active, 'invitation_pending', u.invitation_hash IS NOT NULL)
        ELSE json_build_object('name', u.name, 'position', u.position)
    END;

-- What anyone sees of a municipality m of state s: all a list shows.
CREATE FUNCTION municipality_public_json(m municipalities, s states) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'ibge_code', m.ibge_code, 'name', m.name, 'state', s.uf, 'state_code', s.code,
        'region', s.region, 'latitude', m.latitude, 'longitude', m.longitude,
        'capital', m.capital, 'created_at', pacto_ts(m.created_at),
        'updated_at', pacto_ts(m.updated_at));

-- One municipality as viewer v sees it (GET, and the answers of create and
-- patch). Anyone: the public fields, the representative as the public sees
-- them, and for every cycle of its state whether it adhered (SPEC 4). The
-- secretariat and the municipality's own mayor and representative also see
-- the mayor's name and CPF, the CPF masked unless it is the viewer's own.
--
-- PL/pgSQL, with one generic plan, because it is read on every cache miss of
-- GET /v1/municipalities/{code}: a SQL function with subqueries is planned
-- again on every call (PostgreSQL 15), which made that read ten times slower;
-- PL/pgSQL keeps the plan for the session.
CREATE FUNCTION municipality_json(m municipalities, v pacto_viewer) RETURNS json
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    RETURN (SELECT CASE
               WHEN viewer_is_secretariat(v) OR viewer_is_municipal(v, m.ibge_code)
               THEN pacto_json_extend(d.detail, json_build_object(
                   'mayor_name', m.mayor_name,
                   'mayor_cpf', CASE WHEN m.mayor_cpf = v.cpf THEN m.mayor_cpf
                                     ELSE pacto_mask_cpf(m.mayor_cpf) END))
               ELSE d.detail
           END
      FROM (SELECT pacto_json_extend(municipality_public_json(m, s), json_build_object(
                       'representative',
                       (SELECT representative_json(u, m.ibge_code, NULL)
                          FROM users u WHERE u.id = m.representative_id),
                       'adhesions',
                       (SELECT coalesce(json_agg(json_build_object(
                                   'cycle_id', c.id, 'cycle_name', c.name,
                                   'status', coalesce(a.status, 'none'), 'protocol', a.protocol,
                                   'signed_at', pacto_ts(a.signed_at)) ORDER BY c.id), '[]')
                          FROM cycles c
                          LEFT JOIN LATERAL (SELECT a.status, a.protocol, a.signed_at
                                               FROM adhesions a
                                              WHERE a.cycle_id = c.id
                                                AND a.municipality_id = m.ibge_code
                                              ORDER BY a.status = 'active' DESC,
                                                       a.signed_at DESC
                                              LIMIT 1) a ON true
                         WHERE c.state_code = m.state_code))) AS detail
              FROM states s WHERE s.code = m.state_code) d);
END $$;

-- What the audit log keeps of a municipality: everything, the CPF masked. The
-- two-argument form is for statements that join the state already.
CREATE FUNCTION municipality_snapshot(m municipalities, s states) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN municipality_public_json(m, s)::jsonb
        || jsonb_build_object('mayor_name', m.mayor_name,
                              'mayor_cpf', pacto_mask_cpf(m.mayor_cpf));

CREATE FUNCTION municipality_snapshot(m municipalities) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT municipality_snapshot(m, s) FROM states s WHERE s.code = m.state_code);

-- The rows GET /v1/municipalities shows, with their JSON: the same for every
-- viewer, never the mayor's data. Filters (f): state (UF), region, q (the
-- name, ignoring case and accents), and cycle_id with adhered (an active
-- adhesion to that cycle or not; an unknown cycle matches nothing).
CREATE FUNCTION municipality_rows(v pacto_viewer, f jsonb) RETURNS TABLE (k text, j json)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT m.ibge_code, municipality_public_json(m, s)
      FROM municipalities m JOIN states s ON s.code = m.state_code
     WHERE state_filter(s, f)
       AND (f->>'region' IS NULL OR s.region = f->>'region')
       AND (f->>'q' IS NULL OR strpos(m.name_folded, pacto_fold(f->>'q')) > 0)
       AND (f->>'cycle_id' IS NULL
            OR (EXISTS (SELECT 1 FROM cycles c WHERE c.id = (f->>'cycle_id')::bigint)
                AND EXISTS (SELECT 1 FROM adhesions a
                             WHERE a.cycle_id = (f->>'cycle_id')::bigint
                               AND a.municipality_id = m.ibge_code AND a.status = 'active')
                    = (f->>'adhered')::boolean));
END;

-- Rules of a municipality as it would be stored: its code starts with its
-- state's code.
CREATE FUNCTION municipality_rules(m municipalities) RETURNS TABLE (field text, message text)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT 'ibge_code', 'does not start with the state''s IBGE code'
     WHERE substr(m.ibge_code, 1, 2)::smallint <> m.state_code;
END;
