/*
 * PostgreSQL restarts under a running server: while the database is down,
 * requests that need it get a prompt 503 service-unavailable with Retry-After
 * (not a hang, not a 500, not a 401), /readyz says 503 and /healthz stays 200;
 * once it is back the server recovers on its own within seconds, with the data
 * intact. The database is stopped and started with the shell commands in
 * PACTO_TEST_PG_STOP and PACTO_TEST_PG_START (set by scripts/test.sh).
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define OUTAGE_ANSWER_MAX_S 5.0
#define RECOVERY_MAX_S      10.0
#define RETRY_SLEEP_US      200000

static const char *pg_command(const char *name)
{
    const char *cmd = getenv(name);
    if (!cmd || !*cmd)
        ck_abort_msg("%s is not set: the restart suite stops and starts PostgreSQL with "
                     "PACTO_TEST_PG_STOP and PACTO_TEST_PG_START; run it through "
                     "scripts/test.sh, which sets both",
                     name);
    return cmd;
}

static void run_pg(const char *name)
{
    const char *cmd = pg_command(name);
    int rc = system(cmd);
    ck_assert_msg(rc == 0, "%s (%s) failed with status %d", name, cmd, rc);
}

/* Checked teardown: whatever happened, leave PostgreSQL running. */
static void pg_running_again(void)
{
    const char *cmd = getenv("PACTO_TEST_PG_START");
    if (cmd && *cmd && system(cmd) != 0)
        fprintf(stderr, "restart suite: %s failed; PostgreSQL may be down\n", cmd);
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* While the database is down: a quick 503 service-unavailable with Retry-After. */
static void expect_unavailable(const struct http_request *req)
{
    double started = seconds_now();
    struct http_response res = http_do(req);
    double took = seconds_now() - started;
    ck_assert_msg(res.status == 503, "%s %s during the outage: %ld %s", req->method, req->path,
                  res.status, buf_cstr(&res.body));
    http_expect_problem(&res, 503, "service-unavailable");
    const char *retry = http_header(&res, "Retry-After");
    ck_assert_msg(retry && atoi(retry) > 0, "%s: Retry-After %s", req->path,
                  retry ? retry : "(none)");
    ck_assert_msg(took < OUTAGE_ANSWER_MAX_S, "%s %s took %.2f s to answer during the outage",
                  req->method, req->path, took);
    http_response_free(&res);
}

/* After the restart: retries every 200 ms until path answers 200. */
static void expect_recovery(const char *path, double deadline)
{
    long status;
    while ((status = fixture_get_status(path, NULL)) != 200 && seconds_now() < deadline)
        usleep(RETRY_SLEEP_US);
    ck_assert_msg(status == 200, "%s still answers %ld %.0f s after PostgreSQL started", path,
                  status, RECOVERY_MAX_S);
}

START_TEST(the_server_survives_a_database_restart)
{
    static const char corumba[] =
        "{\"ibge_code\":\"5003207\",\"name\":\"Corumbá\",\"state\":\"MS\"}";
    const struct http_request get = {.method = "GET", .path = "/v1/municipalities/" CG};
    const struct http_request me = {
        .method = "GET", .path = "/v1/me", .token = fixture_token(U_MAYOR_CG)};
    const struct http_request create = {.method = "POST",
                                        .path = "/v1/municipalities",
                                        .token = fixture_token(U_COORDINATION),
                                        .body = corumba};
    const struct http_request readyz = {.method = "GET", .path = "/readyz"};

    pg_command("PACTO_TEST_PG_START"); /* both must be set before anything is stopped */
    ck_assert_int_eq(fixture_get_status(get.path, NULL), 200);
    ck_assert_int_eq(fixture_get_status(readyz.path, NULL), 200);

    run_pg("PACTO_TEST_PG_STOP");
    expect_unavailable(&get);
    expect_unavailable(&get); /* again, with no pooled connection left */
    expect_unavailable(&me);  /* not 401: the token is fine, the database is not */
    expect_unavailable(&create);
    expect_unavailable(&readyz);
    ck_assert_int_eq(fixture_get_status("/healthz", NULL), 200);

    run_pg("PACTO_TEST_PG_START");
    double deadline = seconds_now() + RECOVERY_MAX_S;
    expect_recovery(get.path, deadline);
    expect_recovery(readyz.path, deadline);

    /* Nothing was lost or half-written, and the test's own connection recovers too. */
    struct http_response res = http_do(&get);
    ck_assert_str_eq(http_json_string(&res, "name"), "Campo Grande");
    http_response_free(&res);
    ck_assert_int_eq(fixture_count("municipalities"), 3);
    ck_assert_int_eq(fixture_count("audit_events"), 0);
    ck_assert_int_eq(fixture_get_status(me.path, me.token), 200);

    /* The refused creation, retried, now succeeds once. */
    res = http_do(&create);
    ck_assert_msg(res.status == 201, "%s", buf_cstr(&res.body));
    http_response_free(&res);
    ck_assert_int_eq(fixture_count("municipalities"), 4);
    ck_assert_int_eq(fixture_count("audit_events"), 1);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE action = 'create'"
                                  " AND entity = 'municipality' AND entity_id = '5003207'"),
                     1);
}
END_TEST

Suite *restart_suite(void)
{
    Suite *s = suite_create("restart");
    TCase *tc = tcase_create("postgresql restart");
    tcase_add_checked_fixture(tc, fixture_reset, pg_running_again);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, the_server_survives_a_database_restart);
    suite_add_tcase(s, tc);
    return s;
}
