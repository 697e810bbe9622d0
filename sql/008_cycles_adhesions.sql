-- Adhesions declared as a resource (lib/resource): their JSON per viewer,
-- their audit snapshot, the list's filters, and the protocol number an
-- adhesion is signed under.

-- An adhesion, with who signed and who withdrew it when `people`. There is
-- never a CPF in it.
CREATE FUNCTION adhesion_build(a adhesions, people boolean) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (
        SELECT CASE WHEN people THEN json_build_object(
                   'id', a.id, 'cycle_id', a.cycle_id, 'municipality_id', a.municipality_id,
                   'municipality_name', m.name, 'state', s.uf, 'protocol', a.protocol,
                   'status', a.status, 'signed_at', pacto_ts(a.signed_at),
                   'withdrawn_at', pacto_ts(a.withdrawn_at), 'commitments', a.commitments,
                   'signer', json_build_object('user_id', u.id, 'name', u.name),
                   'withdrawn_by', CASE WHEN w.id IS NOT NULL
                                   THEN json_build_object('user_id', w.id, 'name', w.name) END)
               ELSE json_build_object(
                   'id', a.id, 'cycle_id', a.cycle_id, 'municipality_id', a.municipality_id,
                   'municipality_name', m.name, 'state', s.uf, 'protocol', a.protocol,
                   'status', a.status, 'signed_at', pacto_ts(a.signed_at),
                   'withdrawn_at', pacto_ts(a.withdrawn_at), 'commitments', a.commitments)
               END
          FROM municipalities m
          JOIN states s ON s.code = m.state_code
          JOIN users u ON u.id = a.signed_by
          LEFT JOIN users w ON w.id = a.withdrawn_by
         WHERE m.ibge_code = a.municipality_id);

-- Adhesions are public; who signed and who withdrew is shown only to the
-- coordination and to the municipality's own mayor and representative.
CREATE FUNCTION adhesion_json(a adhesions, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN adhesion_build(a, viewer_is_coordination(v)
                             OR viewer_is_municipal(v, a.municipality_id));

CREATE FUNCTION adhesion_snapshot(a adhesions) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN adhesion_build(a, true)::jsonb;

-- GET /v1/cycles/{cycle_id}/adhesions?state=&status= (the state is the
-- municipality's).
CREATE FUNCTION adhesion_matches(a adhesions, f jsonb, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (f->>'state' IS NULL
            OR (SELECT s.uf FROM municipalities m JOIN states s ON s.code = m.state_code
                 WHERE m.ibge_code = a.municipality_id) = f->>'state')
       AND (f->>'status' IS NULL OR a.status = f->>'status');

-- The next protocol number of a signature in state `uf`:
-- <UF>-<year signed, UTC>-<at least 6 digits>, e.g. SP-2026-000123.
CREATE FUNCTION adhesion_next_protocol(uf text) RETURNS text
    LANGUAGE sql VOLATILE
    RETURN (SELECT uf || '-' || to_char(now() AT TIME ZONE 'UTC', 'YYYY') || '-'
                   || lpad(n.v::text, greatest(6, length(n.v::text)), '0')
              FROM nextval('adhesion_protocol_seq') AS n (v));
