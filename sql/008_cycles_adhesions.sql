-- Cycles and adhesions declared as resources (lib/resource): their JSON per
-- viewer, their audit snapshots, the cycle's window rules, the lists'
-- filters, and the protocol number an adhesion is signed under.

-- A cycle as every caller sees it; the phase depends on when it is asked.
CREATE FUNCTION cycle_json(c cycles, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', c.id, 'name', c.name, 'state', (SELECT s.uf FROM states s WHERE s.code = c.state_code),
        'adhesion_opens_at', pacto_ts(c.adhesion_opens_at),
        'adhesion_closes_at', pacto_ts(c.adhesion_closes_at),
        'pact_opens_at', pacto_ts(c.pact_opens_at), 'pact_closes_at', pacto_ts(c.pact_closes_at),
        'target_year', c.target_year, 'commitments', c.commitments,
        'created_at', pacto_ts(c.created_at), 'updated_at', pacto_ts(c.updated_at),
        'phase', cycle_phase(c, now()));

-- What the audit log keeps of a cycle: all but the phase, which is not stored.
CREATE FUNCTION cycle_snapshot(c cycles) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN cycle_json(c, NULL)::jsonb - 'phase';

-- The window rules, judged on the cycle as it would be stored (a PATCH on
-- the merged cycle); the table's CHECK constraints repeat them as the last
-- line of defence.
CREATE FUNCTION cycle_rules(c cycles) RETURNS TABLE (field text, message text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT r.field, r.message
          FROM (VALUES (1, 'adhesion_closes_at', 'must be after adhesion_opens_at',
                        c.adhesion_closes_at > c.adhesion_opens_at),
                       (2, 'pact_closes_at', 'must be after pact_opens_at',
                        c.pact_closes_at > c.pact_opens_at),
                       (3, 'pact_opens_at', 'must not be before adhesion_opens_at',
                        c.pact_opens_at >= c.adhesion_opens_at)) AS r (n, field, message, ok)
         WHERE NOT r.ok
         ORDER BY r.n;
    END;

-- GET /v1/cycles?state=&phase=: cycles are public, so only the filters count.
CREATE FUNCTION cycle_matches(c cycles, f jsonb, v pacto_viewer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (f->>'state' IS NULL
            OR c.state_code = (SELECT s.code FROM states s WHERE s.uf = f->>'state'))
       AND (f->>'phase' IS NULL OR cycle_phase(c, now()) = f->>'phase');

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
