/*
 * Several servers and a replica, with one PostgreSQL: a second server is
 * started on PACTO_TEST_IDP_PORT beside the suite's own, both on the suite's
 * database. With PACTO_DATABASE_READ_URL naming that same database (a
 * "replica" that is never behind), anonymous public reads are counted as the
 * replica's in /metrics, and a read that presents a position no database has
 * reached goes to the primary; with it naming a port where nothing listens,
 * public reads are still answered. Across the two servers, the login
 * throttle counts one account's failures together, and an Idempotency-Key
 * retry on the other server replays the first answer; through the
 * transaction-pooler settings (unnamed statements, no LISTEN on the pool),
 * writes, keys and cache eviction still work. The cluster with a real
 * replica, pgbouncer and nginx is make cluster-test's (test/cluster/run.sh).
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"
#include "db/lsn.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct {
    pid_t pid;
    char url[64];
} other;

static const char *required_env(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v)
        ck_abort_msg("%s is not set: run the integration tests with scripts/test.sh", name);
    return v;
}

/* Starts the second server with the suite's environment and these extra
 * variables (NULL-terminated name, value pairs). */
static void start_other(const char *const *env)
{
    const char *binary = required_env("PACTO_TEST_BINARY");
    const char *port = required_env("PACTO_TEST_IDP_PORT");
    snprintf(other.url, sizeof other.url, "http://127.0.0.1:%s", port);
    other.pid = fork();
    ck_assert_int_ge(other.pid, 0);
    if (other.pid == 0) {
        char listen[32];
        snprintf(listen, sizeof listen, "127.0.0.1:%s", port);
        setenv("PACTO_LISTEN", listen, 1);
        setenv("PACTO_LOG_LEVEL", "error", 1);
        for (int i = 0; env && env[i]; i += 2)
            setenv(env[i], env[i + 1], 1);
        execl(binary, binary, "serve", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100 && !http_reachable(other.url); i++)
        usleep(100000);
    ck_assert_msg(http_reachable(other.url), "the second server did not start");
}

static void stop_other(void)
{
    int status = -1;
    if (other.pid > 0) {
        kill(other.pid, SIGTERM);
        waitpid(other.pid, &status, 0);
    }
    other.pid = 0;
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the second server did not exit cleanly (status %d)", status);
}

static void start_with_replica(void)
{
    const char *env[] = {"PACTO_DATABASE_READ_URL", required_env("PACTO_DATABASE_URL"), NULL};
    start_other(env);
}

static void start_with_lost_replica(void)
{
    /* Port 1 on loopback: nothing listens, every connect is refused. */
    const char *env[] = {"PACTO_DATABASE_READ_URL", "postgresql://pacto@127.0.0.1:1/pacto", NULL};
    start_other(env);
}

static void start_pooler_mode(void)
{
    const char *env[] = {"PACTO_DB_POOLER",
                         "transaction",
                         "PACTO_DATABASE_READ_URL",
                         required_env("PACTO_DATABASE_URL"),
                         "PACTO_DATABASE_LISTEN_URL",
                         required_env("PACTO_DATABASE_URL"),
                         NULL};
    start_other(env);
}

static struct http_response on(const char *base, const char *method, const char *path,
                               enum fixture_user who, const char *body, const char *const *headers)
{
    return http_do(&(struct http_request){
        .method = method,
        .base_url = base,
        .path = path,
        .token = who == U_COUNT ? NULL : fixture_token(who),
        .body = body,
        .content_type = strcmp(method, "PATCH") == 0 ? "application/merge-patch+json" : NULL,
        .headers = headers});
}

/* A counter of the other server's /metrics: the value of the line that
 * starts with `series` and a space. */
static long metric(const char *series)
{
    struct http_response r = on(other.url, "GET", "/metrics", U_COUNT, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    size_t n = strlen(series);
    long v = -1;
    for (const char *p = buf_cstr(&r.body); p && *p;
         p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, series, n) == 0 && p[n] == ' ')
            v = atol(p + n + 1);
    http_response_free(&r);
    ck_assert_msg(v >= 0, "no %s in /metrics", series);
    return v;
}

#define REPLICA_READS "pacto_public_reads_total{target=\"replica\"}"
#define PRIMARY_READS "pacto_public_reads_total{target=\"primary\"}"

/* Creates an indicator through `base` and copies its id and the answer's
 * Pacto-Consistency into the buffers. */
static void create_indicator(const char *base, const char *code, const char *key, char id[24],
                             char lsn[DB_LSN_TEXT_MAX])
{
    char body[300], header[300];
    snprintf(body, sizeof body,
             "{\"code\":\"%s\",\"name\":\"Routing\",\"area\":\"health\",\"unit\":\"%%\","
             "\"periodicity\":\"annual\",\"source\":\"test\",\"polarity\":\"higher_is_better\"}",
             code);
    snprintf(header, sizeof header, "Idempotency-Key: %s", key);
    const char *headers[] = {header, NULL};
    struct http_response r = on(base, "POST", "/v1/indicators", U_HEALTH, body, headers);
    ck_assert_msg(r.status == 201, "create: %ld %s", r.status, buf_cstr(&r.body));
    ck_assert_ptr_nonnull(r.json);
    snprintf(id, 24, "%.0f", cJSON_GetObjectItemCaseSensitive(r.json, "id")->valuedouble);
    const char *c = http_header(&r, "Pacto-Consistency");
    ck_assert_ptr_nonnull(c);
    snprintf(lsn, DB_LSN_TEXT_MAX, "%s", c);
    http_response_free(&r);
}

static long get_status(const char *base, const char *path, const char *consistency)
{
    char header[64];
    snprintf(header, sizeof header, "Pacto-Consistency: %s", consistency ? consistency : "");
    const char *headers[] = {header, NULL};
    struct http_response r = on(base, "GET", path, U_COUNT, NULL, consistency ? headers : NULL);
    long status = r.status;
    ck_assert_ptr_null(http_header(&r, "Pacto-Consistency")); /* a read answers none */
    http_response_free(&r);
    return status;
}

START_TEST(a_write_answers_its_position)
{
    fixture_reset();
    char id[24], lsn[DB_LSN_TEXT_MAX];
    create_indicator(other.url, "ROUTE1", "route-key-1", id, lsn);
    uint64_t at = 0;
    ck_assert_msg(db_lsn_parse(lsn, &at), "Pacto-Consistency %s is not an LSN", lsn);
    /* At or after the commit, and not past what the database has written. */
    ck_assert_int_gt(at, 0);
    ck_assert_int_eq(fixture_longf("SELECT ('%s'::pg_lsn <= pg_current_wal_lsn())::int", lsn), 1);
    /* A refused write answers none. */
    struct http_response r =
        on(other.url, "PATCH", "/v1/municipalities/" CG, U_HEALTH, "{\"latitude\":1}", NULL);
    ck_assert_int_eq(r.status, 403);
    ck_assert_ptr_null(http_header(&r, "Pacto-Consistency"));
    http_response_free(&r);
}
END_TEST

START_TEST(public_reads_go_to_the_replica_and_presented_positions_are_honoured)
{
    fixture_reset();
    char id[24], lsn[DB_LSN_TEXT_MAX], path[64];
    create_indicator(other.url, "ROUTE2", "route-key-2", id, lsn);
    snprintf(path, sizeof path, "/v1/indicators/%s", id);

    long replica = metric(REPLICA_READS), primary = metric(PRIMARY_READS);
    ck_assert_int_eq(get_status(other.url, path, NULL), 200);
    ck_assert_int_eq(metric(REPLICA_READS), replica + 1);
    /* The write's own position: this "replica" has it. */
    ck_assert_int_eq(get_status(other.url, path, lsn), 200);
    ck_assert_int_eq(metric(REPLICA_READS), replica + 2);
    /* A position no database has reached, and one that is no position. */
    ck_assert_int_eq(get_status(other.url, path, "FFFFFFFF/FFFFFFFF"), 200);
    ck_assert_int_eq(get_status(other.url, path, "not-a-position"), 200);
    ck_assert_int_eq(metric(PRIMARY_READS), primary + 2);
    ck_assert_int_eq(metric(REPLICA_READS), replica + 2);

    /* A caller with a token reads the primary, and is not counted. */
    struct http_response r = on(other.url, "GET", path, U_HEALTH, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    ck_assert_int_eq(metric(REPLICA_READS) + metric(PRIMARY_READS), replica + primary + 4);

    r = on(other.url, "GET", "/readyz", U_COUNT, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "status"), "ready");
    ck_assert_str_eq(http_json_string(&r, "replica"), "up");
    http_response_free(&r);
    ck_assert_int_eq(metric("pacto_replica_up"), 1);
}
END_TEST

START_TEST(an_idempotent_retry_on_another_server_replays)
{
    fixture_reset();
    char id[24], again[24], lsn[DB_LSN_TEXT_MAX];
    create_indicator(other.url, "ROUTE3", "route-key-3", id, lsn);
    create_indicator(getenv("PACTO_TEST_URL"), "ROUTE3", "route-key-3", again, lsn);
    ck_assert_str_eq(again, id);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM indicators WHERE code = 'ROUTE3'"), 1);
}
END_TEST

static long login_on(const char *base, const char *password)
{
    char body[200];
    snprintf(body, sizeof body, "{\"email\":\"throttle@test.pacto\",\"password\":\"%s\"}",
             password);
    struct http_response r = on(base, "POST", "/v1/auth/token", U_COUNT, body, NULL);
    long status = r.status;
    if (status == 429)
        ck_assert_ptr_nonnull(http_header(&r, "Retry-After"));
    http_response_free(&r);
    return status;
}

START_TEST(the_login_throttle_holds_across_servers)
{
    fixture_reset();
    fixture_exec("DELETE FROM login_throttle WHERE key = 'a:throttle@test.pacto'");
    fixture_exec("INSERT INTO users (name, email, role, secretariat_area, password_hash)"
                 " SELECT 'Throttle', 'throttle@test.pacto', 'secretariat', 'economy',"
                 "        password_hash FROM users WHERE email = 'coord@test.pacto'");
    const char *main_url = getenv("PACTO_TEST_URL");
    /* Five failures, alternating servers: each server saw fewer than five. */
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(login_on(i % 2 ? other.url : main_url, "wrong-password-123"), 401);
    ck_assert_int_eq(login_on(main_url, FIXTURE_PASSWORD), 429);
    ck_assert_int_eq(login_on(other.url, FIXTURE_PASSWORD), 429);
    /* Kept by PostgreSQL's clock, in one row per key. */
    ck_assert_int_eq(
        fixture_long("SELECT failures FROM login_throttle WHERE key = 'a:throttle@test.pacto'"), 5);
    fixture_exec("DELETE FROM login_throttle");
    ck_assert_int_eq(login_on(other.url, FIXTURE_PASSWORD), 200);
}
END_TEST

START_TEST(public_reads_are_served_while_the_replica_is_unreachable)
{
    fixture_reset();
    char id[24], lsn[DB_LSN_TEXT_MAX], path[64];
    create_indicator(other.url, "ROUTE4", "route-key-4", id, lsn);
    snprintf(path, sizeof path, "/v1/indicators/%s", id);
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(get_status(other.url, path, NULL), 200);
        ck_assert_int_eq(get_status(other.url, "/v1/indicators?limit=2", lsn), 200);
    }
    ck_assert_int_eq(metric(REPLICA_READS), 0);
    ck_assert_int_eq(metric("pacto_replica_up"), 0);
    struct http_response r = on(other.url, "GET", "/readyz", U_COUNT, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "status"), "ready");
    ck_assert_str_eq(http_json_string(&r, "replica"), "down");
    http_response_free(&r);
}
END_TEST

START_TEST(through_pooler_settings_writes_keys_and_eviction_work)
{
    fixture_reset();
    char id[24], again[24], lsn[DB_LSN_TEXT_MAX], path[64];
    create_indicator(other.url, "ROUTE5", "route-key-5", id, lsn);
    create_indicator(other.url, "ROUTE5", "route-key-5", again, lsn);
    ck_assert_str_eq(again, id);
    snprintf(path, sizeof path, "/v1/indicators/%s", id);
    ck_assert_int_eq(get_status(other.url, path, lsn), 200);

    /* A municipality cached by this server, changed through the other one:
     * the listener (direct, not the pool) evicts it. */
    struct http_response r = on(other.url, "GET", "/v1/municipalities/" CG, U_COUNT, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    r = on(getenv("PACTO_TEST_URL"), "PATCH", "/v1/municipalities/" CG, U_COORDINATION,
           "{\"latitude\":-20.5}", NULL);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    double latitude = 0;
    for (int i = 0; i < 50 && latitude != -20.5; i++) {
        usleep(20000);
        r = on(other.url, "GET", "/v1/municipalities/" CG, U_COUNT, NULL, NULL);
        latitude = cJSON_GetObjectItemCaseSensitive(r.json, "latitude")->valuedouble;
        http_response_free(&r);
    }
    ck_assert_msg(latitude == -20.5, "the change was not seen within a second: %g", latitude);
}
END_TEST

Suite *read_routing_suite(void)
{
    Suite *s = suite_create("read_routing");
    TCase *tc = tcase_create("replica");
    tcase_add_unchecked_fixture(tc, start_with_replica, stop_other);
    tcase_add_test(tc, a_write_answers_its_position);
    tcase_add_test(tc, public_reads_go_to_the_replica_and_presented_positions_are_honoured);
    tcase_add_test(tc, an_idempotent_retry_on_another_server_replays);
    tcase_add_test(tc, the_login_throttle_holds_across_servers);
    suite_add_tcase(s, tc);
    tc = tcase_create("lost replica");
    tcase_add_unchecked_fixture(tc, start_with_lost_replica, stop_other);
    tcase_add_test(tc, public_reads_are_served_while_the_replica_is_unreachable);
    suite_add_tcase(s, tc);
    tc = tcase_create("pooler");
    tcase_add_unchecked_fixture(tc, start_pooler_mode, stop_other);
    tcase_add_test(tc, through_pooler_settings_writes_keys_and_eviction_work);
    suite_add_tcase(s, tc);
    return s;
}
