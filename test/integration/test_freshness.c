/*
 * Caches stay fresh by construction: every table that a cached entry is made
 * of notifies its changes (lib/api/changes.c evicts on them). The tables are
 * found by running each cache's source query (changes_sources) and reading
 * which tables the transaction scanned, so a view that starts reading a new
 * table fails here until that table has its trigger.
 */
#include "suites.h"

#include "api/changes.h"
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs sql on a session of its own (whose statistics hold nothing else)
 * and writes the tables it read, space-separated. */
static void tables_read(const char *sql, char *out, size_t n)
{
    PGconn *c = PQconnectdb(getenv("PACTO_DATABASE_URL"));
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
    PQclear(PQexec(c, "BEGIN"));
    PGresult *r = PQexec(c, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(r));
    ck_assert_msg(PQntuples(r) > 0, "%s read no rows: the check would prove nothing", sql);
    PQclear(r);
    r = PQexec(c, "SELECT string_agg(relname, ' ' ORDER BY relname)"
                  "  FROM pg_stat_xact_user_tables"
                  " WHERE coalesce(seq_scan, 0) + coalesce(idx_scan, 0) > 0");
    ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
    snprintf(out, n, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    PQfinish(c);
}

/* True when triggers on table that call the pacto_notify functions fire on
 * INSERT, UPDATE and DELETE alike (pg_trigger.tgtype bits 4, 16 and 8): a new
 * row changes a cached list as much as a changed one. */
static bool notifies(const char *table)
{
    return fixture_longf("SELECT coalesce(bit_or(t.tgtype::int) & 28, 0) FROM pg_trigger t"
                         "  JOIN pg_proc p ON p.oid = t.tgfoid"
                         " WHERE t.tgrelid = '%s'::regclass AND NOT t.tgisinternal"
                         "   AND p.proname LIKE 'pacto\\_notify%%'",
                         table) == 28;
}

START_TEST(every_table_a_cache_reads_notifies_its_changes)
{
    /* Data for every part of a municipality's view to be read: a
     * representative, a cycle of its state and an adhesion. */
    fixture_exec("UPDATE municipalities SET representative_id ="
                 " (SELECT id FROM users WHERE email = 'rep.cg@test.pacto')"
                 " WHERE ibge_code = '" CG "'");
    fixture_exec("INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
                 "                    pact_opens_at, pact_closes_at, target_year, commitments)"
                 " VALUES ('Ciclo', 50, now(), now() + interval '1 day', now(),"
                 "         now() + interval '2 days', 2027, '[\"Acompanhar\"]')");
    /* focalization: a challenge of that cycle whose run made
     * Campo Grande focal and a manual decision on Dourados, so that the focal
     * challenges of the views and the focal_challenge filter read their
     * tables (indicators and challenges are seeded). */
    fixture_exec("INSERT INTO challenges (cycle_id, code, title, area, responsible_area)"
                 " SELECT max(id), 'SAU-01', 'Saúde', 'health', 'health' FROM cycles");
    fixture_exec("INSERT INTO focalization_runs (challenge_id, rule, focal_count)"
                 " SELECT max(id), '{}', 1 FROM challenges");
    fixture_exec("INSERT INTO focalization_results (run_id, municipality_id, status, reason)"
                 " SELECT max(id), '" CG "', 'focal', 'Focal' FROM focalization_runs");
    fixture_exec("INSERT INTO focal_overrides (challenge_id, municipality_id, focal, reason)"
                 " SELECT max(id), '" DOURADOS "', false, 'Revised' FROM challenges");
    char all[1024] = "";
    for (int i = 0; i < changes_sources_count; i++) {
        char tables[512];
        tables_read(changes_sources[i].sql, tables, sizeof tables);
        char copy[512];
        snprintf(copy, sizeof copy, "%s", tables);
        for (char *t = strtok(copy, " "); t; t = strtok(NULL, " "))
            ck_assert_msg(notifies(t), "the %s cache reads %s, which notifies no change",
                          changes_sources[i].cache, t);
        strncat(all, tables, sizeof all - strlen(all) - 2);
        strcat(all, " ");
    }
    /* The check sees what the views really read. */
    const char *expected[] = {"users",
                              "municipalities",
                              "states",
                              "cycles",
                              "adhesions",
                              "challenges",
                              "focalization_runs",
                              "focalization_results",
                              "focal_overrides"};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        ck_assert_msg(strstr(all, expected[i]), "%s not seen among %s", expected[i], all);
    /* A table without a trigger is caught. */
    ck_assert(!notifies("audit_events"));
}
END_TEST

Suite *freshness_suite(void)
{
    Suite *s = suite_create("freshness");
    TCase *tc = tcase_create("freshness");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, every_table_a_cache_reads_notifies_its_changes);
    suite_add_tcase(s, tc);
    return s;
}
