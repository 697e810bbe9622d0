-- Change notifications: the servers cache accounts and municipalities in
-- memory and evict an entry when PostgreSQL tells them its row changed.
-- NOTIFY is transactional: listeners hear of a change only once it commits.
-- Payload: '<table>:<key>', or '<table>:*' when every row may have changed.

CREATE FUNCTION pacto_notify_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    key text;
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        key := coalesce(OLD.id, NEW.id)::text;
    ELSE
        key := coalesce(OLD.ibge_code, NEW.ibge_code);
    END IF;
    PERFORM pg_notify('pacto_changes', TG_TABLE_NAME || ':' || key);
    RETURN NULL;
END $$;

CREATE FUNCTION pacto_notify_table() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('pacto_changes', TG_TABLE_NAME || ':*');
    RETURN NULL;
END $$;

CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION pacto_notify_row();
CREATE TRIGGER users_truncated AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION pacto_notify_table();
CREATE TRIGGER municipalities_changed AFTER UPDATE OR DELETE ON municipalities
    FOR EACH ROW EXECUTE FUNCTION pacto_notify_row();
CREATE TRIGGER municipalities_truncated AFTER TRUNCATE ON municipalities
    FOR EACH STATEMENT EXECUTE FUNCTION pacto_notify_table();
-- A state's name or region is part of every one of its municipalities.
CREATE TRIGGER states_changed AFTER UPDATE OR DELETE OR TRUNCATE ON states
    FOR EACH STATEMENT EXECUTE FUNCTION pacto_notify_table();
