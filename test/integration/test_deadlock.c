/*
 * A request whose transaction PostgreSQL rolls back to break a deadlock is
 * run once more inside the server, so the client gets its answer instead of
 * a 503. The deadlock is made on purpose: another session holds the account
 * an appointment will lock, waits until the appointment waits for it, then
 * asks for the municipality the appointment holds. PostgreSQL's check runs in
 * the session that has waited longest, the server's, and rolls it back.
 */
#include "suites.h"

#include "fixture.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REP_EMAIL "rep.cg@test.pacto" /* the fixture's representative of Campo Grande */
#define APPOINTMENT                                                                                \
    "{\"name\":\"Rita Reconduzida\",\"cpf\":\"390.533.447-05\",\"email\":\"" REP_EMAIL "\","       \
    "\"position\":\"Secretária de Governo\"}"

struct call {
    pthread_t thread;
    struct http_response response;
};

static void *appoint(void *arg)
{
    struct call *c = arg;
    c->response = http_do(&(struct http_request){.method = "PUT",
                                                 .path = "/v1/municipalities/" CG "/representative",
                                                 .token = fixture_token(U_MAYOR_CG),
                                                 .body = APPOINTMENT});
    return NULL;
}

static PGconn *session(void)
{
    PGconn *c = PQconnectdb(getenv("PACTO_DATABASE_URL"));
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
    return c;
}

static void run(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
                  "%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
}

START_TEST(a_deadlocked_request_is_run_again)
{
    /* The appointment needs an adhesion. */
    fixture_exec("INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
                 "                    pact_opens_at, pact_closes_at, target_year, commitments)"
                 " VALUES ('Ciclo', 50, now() - interval '1 day', now() + interval '9 days',"
                 "         now() + interval '30 days', now() + interval '60 days', 2028, '[]')");
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
             " SELECT id, '" CG "', 'MS-2026-000001', %s, '[]' FROM cycles",
             fixture_user_id(U_MAYOR_CG));
    fixture_exec(sql);
    long audit_before = fixture_count("audit_events");

    PGconn *other = session();
    run(other, "BEGIN");
    run(other, "SELECT 1 FROM users WHERE lower(email) = '" REP_EMAIL "' FOR UPDATE");
    struct call c = {0};
    ck_assert_int_eq(pthread_create(&c.thread, NULL, appoint, &c), 0);
    /* Until the appointment, holding the municipality, waits for the account. */
    long waiting = 0;
    for (int i = 0; i < 200 && !waiting; i++) {
        usleep(20000);
        waiting = fixture_long("SELECT count(*) FROM pg_stat_activity"
                               " WHERE application_name = 'pacto' AND wait_event_type = 'Lock'"
                               "   AND datname = current_database()");
    }
    ck_assert_msg(waiting, "the appointment never waited for the account");
    /* Now the other session waits for the municipality: a deadlock, which
     * PostgreSQL breaks by rolling back the appointment's transaction. */
    run(other, "SELECT 1 FROM municipalities WHERE ibge_code = '" CG "' FOR UPDATE");
    run(other, "COMMIT");
    PQfinish(other);
    pthread_join(c.thread, NULL);

    ck_assert_msg(c.response.status == 200 || c.response.status == 201, "%ld %s", c.response.status,
                  buf_cstr(&c.response.body));
    ck_assert_str_eq(http_json_string(&c.response, "name"), "Rita Reconduzida");
    http_response_free(&c.response);
    /* Done once: the rolled-back attempt left no event of its own. */
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM municipalities WHERE ibge_code = '" CG
                                   "' AND representative_id = (SELECT id FROM users"
                                   " WHERE lower(email) = '" REP_EMAIL "')"),
                     1);
    long events = fixture_count("audit_events") - audit_before;
    ck_assert_msg(events >= 1 && events <= 2, "%ld audit events", events);
}
END_TEST

Suite *deadlock_suite(void)
{
    Suite *s = suite_create("deadlock");
    TCase *tc = tcase_create("deadlock");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, a_deadlocked_request_is_run_again);
    suite_add_tcase(s, tc);
    return s;
}
