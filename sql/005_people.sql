-- People of the program lifecycle (SPEC 1, step 3): accounts show their
-- position (the representative's role in the municipality), and invitations
-- expire a fixed time after they are issued.

CREATE OR REPLACE FUNCTION user_json(u users, show_cpf boolean) RETURNS json LANGUAGE sql STABLE
    RETURN json_build_object(
        'id', u.id, 'name', u.name, 'email', u.email,
        'cpf', CASE WHEN show_cpf THEN u.cpf ELSE pacto_mask_cpf(u.cpf) END,
        'phone', u.phone, 'position', u.position, 'role', u.role,
        'municipality_id', u.municipality_id, 'secretariat_area', u.secretariat_area,
        'active', u.active, 'created_at', pacto_ts(u.created_at),
        'updated_at', pacto_ts(u.updated_at));

-- When an invitation issued at t stops being usable: the one place that says
-- how long invitations last.
CREATE FUNCTION invitation_expiry(t timestamptz) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE STRICT
    RETURN t + interval '7 days';
