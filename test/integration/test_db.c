/*
 * The database layer (lib/db) against the real PostgreSQL of the tests
 * (PACTO_DATABASE_URL), in this process:
 *   - one connection prepares and keeps any number of distinct statements;
 *   - a pooled connection whose server session died is replaced silently for
 *     a first statement that reads or is BEGIN, and never for one that could
 *     write (debug builds stop at such a statement instead, by assert).
 */
#include "suites.h"

#include "db/db.h"
#include "fixture.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MANY_STATEMENTS 300

static const char *database_url(void)
{
    const char *url = getenv("PACTO_DATABASE_URL");
    ck_assert_msg(url && *url, "PACTO_DATABASE_URL is not set: run through scripts/test.sh");
    return url;
}

START_TEST(a_connection_keeps_hundreds_of_prepared_statements)
{
    static char names[MANY_STATEMENTS][32], sqls[MANY_STATEMENTS][48];
    static struct db_stmt stmts[MANY_STATEMENTS];
    for (int i = 0; i < MANY_STATEMENTS; i++) {
        snprintf(names[i], sizeof names[i], "test_many_%d", i);
        snprintf(sqls[i], sizeof sqls[i], "SELECT $1::int + %d", i);
        stmts[i] = (struct db_stmt){.name = names[i], .sql = sqls[i]};
    }
    struct db_conn *c = db_open(database_url());
    ck_assert_ptr_nonnull(c);
    const char *one[] = {"1"};
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < MANY_STATEMENTS; i++) {
            PGresult *r = db_exec(c, &stmts[i], 1, one);
            ck_assert_msg(r != NULL, "round %d, statement %d failed", round, i);
            ck_assert_int_eq(atoi(PQgetvalue(r, 0, 0)), i + 1);
            PQclear(r);
        }
    }
    /* Each was prepared once: none twice, none forgotten and redone. */
    PGresult *r = db_exec_sql(
        c, "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'test\\_many\\_%'");
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(atoi(PQgetvalue(r, 0, 0)), MANY_STATEMENTS);
    PQclear(r);
    db_close(c);
}
END_TEST

/* Kills the PostgreSQL session behind c from the connection `killer`, and
 * waits until it is gone, as a database restart would leave a pooled
 * connection: libpq only notices on the next use. */
static bool kill_session(PGconn *killer, struct db_conn *c)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d, 10000)", PQbackendPID(db_pg(c)));
    PGresult *r = PQexec(killer, sql);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    if (!ok)
        fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

/* Makes a pool of one whose only connection has been used once, then lost
 * its session while it was idle in the pool. Returns that connection,
 * acquired again, with its old backend pid in *old_pid; NULL on failure.
 * No test assertions: a forked child runs it too. */
static struct db_conn *acquire_dead(PGconn *killer, int *old_pid)
{
    if (!db_pool_init(database_url(), 1, 0))
        return NULL;
    struct db_conn *c = db_acquire(1000);
    PGresult *r = c ? db_exec_sql(c, "SELECT 1") : NULL;
    if (!r) {
        db_release(c);
        return NULL;
    }
    PQclear(r);
    *old_pid = PQbackendPID(db_pg(c));
    db_release(c);
    c = db_acquire(1000);
    if (c && (PQbackendPID(db_pg(c)) != *old_pid || !kill_session(killer, c))) {
        db_release(c);
        c = NULL;
    }
    return c;
}

static const struct db_stmt STMT_TEST_READ = {
    .name = "test_retry_read",
    .sql = "SELECT count(*) FROM states",
};

START_TEST(a_first_read_survives_a_lost_session)
{
    int old_pid;
    struct db_conn *c = acquire_dead(fixture_db(), &old_pid);
    ck_assert_ptr_nonnull(c);
    PGresult *r = db_exec(c, &STMT_TEST_READ, 0, NULL);
    ck_assert_msg(r != NULL, "the read was not retried on a new session");
    PQclear(r);
    ck_assert_int_ne(PQbackendPID(db_pg(c)), old_pid);
    db_release(c);
    db_pool_shutdown();
}
END_TEST

START_TEST(a_first_begin_survives_a_lost_session)
{
    int old_pid;
    struct db_conn *c = acquire_dead(fixture_db(), &old_pid);
    ck_assert_ptr_nonnull(c);
    ck_assert_msg(db_begin(c), "BEGIN was not retried on a new session");
    ck_assert_int_ne(PQbackendPID(db_pg(c)), old_pid);
    PGresult *r = db_exec(c, &STMT_TEST_READ, 0, NULL);
    ck_assert_ptr_nonnull(r);
    PQclear(r);
    db_rollback(c);
    db_release(c);
    db_pool_shutdown();
}
END_TEST

/* The child's part of a_first_write_is_never_retried: exits 0 when the write
 * failed as unavailable without a retry, 1 otherwise (or aborts at the
 * assertion of a debug build). It runs in a child because it has to break
 * the rule that debug builds assert. */
static void first_write_in_child(void)
{
    PGconn *killer = PQconnectdb(database_url());
    if (PQstatus(killer) != CONNECTION_OK)
        _exit(2);
    int old_pid;
    struct db_conn *c = acquire_dead(killer, &old_pid);
    if (!c)
        _exit(2);
    /* A write that changes nothing, so a wrong retry would do no harm here. */
    PGresult *r = db_exec_sql(c, "UPDATE states SET name = name WHERE false");
    bool refused = r == NULL && db_last_error(c) == DB_UNAVAILABLE;
    PQclear(r);
    db_release(c);
    /* The pool recovers on the next acquire. */
    c = db_acquire(1000);
    bool recovered = c && (r = db_exec_sql(c, "SELECT 1")) != NULL;
    PQclear(r);
    db_release(c);
    db_pool_shutdown();
    PQfinish(killer);
    _exit(refused && recovered ? 0 : 1);
}

START_TEST(a_first_write_is_never_retried)
{
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        first_write_in_child();
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
#ifdef NDEBUG
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the first write was retried or did not fail as unavailable (status %d)", status);
#else
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
                  "a first statement that writes passed the debug assertion (status %d)", status);
#endif
}
END_TEST

Suite *db_suite(void)
{
    Suite *s = suite_create("db");
    TCase *tc = tcase_create("statements");
    tcase_add_test(tc, a_connection_keeps_hundreds_of_prepared_statements);
    suite_add_tcase(s, tc);
    tc = tcase_create("first statement retry");
    tcase_add_test(tc, a_first_read_survives_a_lost_session);
    tcase_add_test(tc, a_first_begin_survives_a_lost_session);
    tcase_add_test(tc, a_first_write_is_never_retried);
    suite_add_tcase(s, tc);
    return s;
}
