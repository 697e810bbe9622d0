-- Lists are cached too (lib/api/changes.c): a new row changes a list as much
-- as a changed one, so inserts notify like updates and deletes.
CREATE TRIGGER users_inserted AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION pacto_notify_row();
CREATE TRIGGER municipalities_inserted AFTER INSERT ON municipalities
    FOR EACH ROW EXECUTE FUNCTION pacto_notify_row();
CREATE TRIGGER states_inserted AFTER INSERT ON states
    FOR EACH STATEMENT EXECUTE FUNCTION pacto_notify_table();
