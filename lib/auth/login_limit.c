/*
 * Failed-login throttling in PostgreSQL (see login_limit.h).
 *
 * Each key's row counts failures in a fixed window that starts at its first
 * failure; once the window has passed, the row counts as empty and its next
 * failure starts a new window. The check and the failure are one statement
 * each (the failure an upsert of both keys), so two servers that fail the
 * same account at once both count. Where the state was once a table in each
 * server's memory, an attacker spread over N servers by the load balancer
 * got N times the tries; now every server reads one count.
 */
#include "auth/login_limit.h"

#include "db/db.h"

#include <stdlib.h>

#define STR_(x) #x
#define STR(x)  STR_(x)
#define WINDOW  "interval '" STR(LOGIN_LIMIT_WINDOW) " seconds'"

/* The longest wait of the two keys' locks: a lock lasts until its window
 * ends, and never longer than one window (a clock stepped backwards). */
static const struct db_stmt STMT_LIMIT_CHECK =
    {
        .name = "login_limit_check",
        .sql =
            "SELECT coalesce(max(least(" STR(
                LOGIN_LIMIT_WINDOW) ", greatest(1, ceil(extract("
                                    "         epoch FROM t.window_start + " WINDOW
                                    " - now())))))::int, 0)"
                                    "  FROM login_throttle t"
                                    " WHERE t.key IN ('a:' || lower($1::text), 'i:' || $2::text)"
                                    "   AND t.window_start > now() - " WINDOW
                                    "   AND t.failures >= CASE WHEN left(t.key, 2) = 'a:'"
                                    "                          THEN " STR(
                                        LOGIN_LIMIT_PER_ACCOUNT) "                          "
                                                                 "ELSE " STR(LOGIN_LIMIT_PER_ADDRESS) " END",
};

/* The expired keys removed are never the ones counted now: a row the same
 * statement deletes and upserts would be ambiguous. */
static const struct db_stmt STMT_LIMIT_FAIL = {
    .name = "login_limit_fail",
    .sql = "WITH keys AS ("
           "  SELECT k FROM unnest(ARRAY['a:' || lower($1::text), 'i:' || $2::text]) AS k"
           "   WHERE k IS NOT NULL),"
           " expired AS ("
           "  DELETE FROM login_throttle WHERE key IN ("
           "    SELECT key FROM login_throttle"
           "     WHERE window_start <= now() - " WINDOW " AND key NOT IN (SELECT k FROM keys)"
           "     LIMIT 64 FOR UPDATE SKIP LOCKED))"
           "INSERT INTO login_throttle AS t (key, failures, window_start)"
           "SELECT k, 1, now() FROM keys "
           "ON CONFLICT (key) DO UPDATE"
           "   SET failures = CASE WHEN t.window_start <= now() - " WINDOW " THEN 1"
           "                       ELSE least(t.failures, 1000000) + 1 END,"
           "       window_start = CASE WHEN t.window_start <= now() - " WINDOW " THEN now()"
           "                           ELSE t.window_start END",
};

static const struct db_stmt STMT_LIMIT_SUCCESS = {
    .name = "login_limit_success",
    .sql = "DELETE FROM login_throttle WHERE key = 'a:' || lower($1::text)",
};

bool login_limit_check(struct db_conn *db, const char *account, const char *address,
                       int *retry_after)
{
    const char *params[] = {account, address};
    PGresult *r = db_exec(db, &STMT_LIMIT_CHECK, 2, params);
    if (!r)
        return false;
    *retry_after = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return true;
}

/* A write in a transaction of its own: on a connection just acquired, the
 * first statement must be one that may be sent twice (db_exec), and BEGIN
 * is. */
static bool write_alone(struct db_conn *db, const struct db_stmt *s, int nparams,
                        const char *const *params)
{
    if (!db_begin(db))
        return false;
    PGresult *r = db_exec(db, s, nparams, params);
    PQclear(r);
    if (r && db_commit(db))
        return true;
    db_rollback(db);
    return false;
}

bool login_limit_fail(struct db_conn *db, const char *account, const char *address)
{
    const char *params[] = {account, address};
    return write_alone(db, &STMT_LIMIT_FAIL, 2, params);
}

bool login_limit_success(struct db_conn *db, const char *account)
{
    const char *params[] = {account};
    return write_alone(db, &STMT_LIMIT_SUCCESS, 1, params);
}
