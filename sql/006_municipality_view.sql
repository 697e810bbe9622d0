-- A municipality's view lists every cycle of its state: creating, renaming
-- or removing a cycle changes the cached views of all of them.
CREATE TRIGGER cycles_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cycles
    FOR EACH STATEMENT EXECUTE FUNCTION pacto_notify_table();
