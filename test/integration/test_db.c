/*
 * The database layer (lib/db) against the real PostgreSQL of the tests
 * (PACTO_DATABASE_URL), in this process:
 *   - one connection prepares and keeps any number of distinct statements.
 */
#include "suites.h"

#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

Suite *db_suite(void)
{
    Suite *s = suite_create("db");
    TCase *tc = tcase_create("statements");
    tcase_add_test(tc, a_connection_keeps_hundreds_of_prepared_statements);
    suite_add_tcase(s, tc);
    return s;
}
