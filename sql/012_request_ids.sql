-- Audit events keep the server's own request id, which a client cannot
-- choose, and beside it the X-Request-Id the client sent, for correlation.
ALTER TABLE audit_events ADD COLUMN client_request_id text;

CREATE OR REPLACE FUNCTION audit_event_json(e audit_events, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', e.id, 'at', pacto_ts(e.at), 'actor_id', e.actor_id, 'actor_role', e.actor_role,
        'action', e.action, 'entity', e.entity, 'entity_id', e.entity_id, 'before', e.before,
        'after', e.after, 'request_id', e.request_id,
        'client_request_id', e.client_request_id);
