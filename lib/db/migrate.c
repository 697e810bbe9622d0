/*
 * Applying the embedded migrations (see migrate.h).
 */
#include "db/migrate.h"

#include "core/embedded.h"
#include "log/log.h"

#include <stdio.h>
#include <string.h>

/* Any constant works; it only has to be the same for every pacto process. */
#define MIGRATION_LOCK_KEY "7361626"

static const struct db_stmt STMT_MIGRATION_LOCK = {
    .name = "migration_lock",
    .sql = "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")",
};
static const struct db_stmt STMT_MIGRATION_UNLOCK = {
    .name = "migration_unlock",
    .sql = "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")",
};
static const struct db_stmt STMT_MIGRATION_TABLE = {
    .name = "migration_table",
    .sql = "CREATE TABLE IF NOT EXISTS schema_migrations ("
           " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
};
static const struct db_stmt STMT_MIGRATION_DONE = {
    .name = "migration_done",
    .sql = "SELECT 1 FROM schema_migrations WHERE version = $1",
};
static const struct db_stmt STMT_MIGRATION_RECORD = {
    .name = "migration_record",
    .sql = "INSERT INTO schema_migrations (version) VALUES ($1)",
};
static const struct db_stmt STMT_MIGRATION_LATEST = {
    .name = "migration_latest",
    .sql = "SELECT coalesce(max(version), '') FROM schema_migrations",
};

static bool ok(PGresult *r)
{
    PQclear(r);
    return r != NULL;
}

static bool apply_one(struct db_conn *c, const struct embedded_migration *m)
{
    const char *params[] = {m->name};
    PGresult *done = db_exec(c, &STMT_MIGRATION_DONE, 1, params);
    if (!done)
        return false;
    bool applied = PQntuples(done) > 0;
    PQclear(done);
    if (applied)
        return true;
    if (!db_begin(c))
        return false;
    if (!ok(db_exec_sql(c, m->sql)) || !ok(db_exec(c, &STMT_MIGRATION_RECORD, 1, params)) ||
        !db_commit(c)) {
        db_rollback(c);
        log_msg(LOG_ERROR, "migration %s failed; it was rolled back", m->name);
        return false;
    }
    log_msg(LOG_INFO, "applied migration %s", m->name);
    return true;
}

bool migrate_run(struct db_conn *c)
{
    if (!ok(db_exec(c, &STMT_MIGRATION_LOCK, 0, NULL)))
        return false;
    bool good = ok(db_exec(c, &STMT_MIGRATION_TABLE, 0, NULL));
    for (size_t i = 0; good && i < embedded_migrations_count; i++)
        good = apply_one(c, &embedded_migrations[i]);
    ok(db_exec(c, &STMT_MIGRATION_UNLOCK, 0, NULL));
    return good;
}

const char *migrate_latest(void)
{
    return embedded_migrations_count ? embedded_migrations[embedded_migrations_count - 1].name : "";
}

bool migrate_applied(struct db_conn *c, char *out, size_t outlen)
{
    PGresult *r = db_exec(c, &STMT_MIGRATION_LATEST, 0, NULL);
    if (!r)
        return false;
    snprintf(out, outlen, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return true;
}
