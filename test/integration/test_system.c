/*
 * The operational endpoints an operator and a load balancer rely on:
 * /healthz (alive), /readyz (database reachable, schema at the newest
 * migration of sql/), /metrics (Prometheus text: request counters labelled by
 * route template, latency histogram, database errors) and /v1/openapi.yaml
 * (the contract, byte for byte as in api/openapi.yaml).
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PACTO_SOURCE_DIR
#error "PACTO_SOURCE_DIR must name the source tree"
#endif

/* Asserts that the Content-Type header starts with prefix. */
static void assert_content_type(struct http_response *res, const char *prefix)
{
    const char *ct = http_header(res, "Content-Type");
    ck_assert_msg(ct && strncmp(ct, prefix, strlen(prefix)) == 0, "Content-Type: %s, expected %s",
                  ct ? ct : "(none)", prefix);
}

static void assert_json_ok(struct http_response *res, long status)
{
    ck_assert_int_eq(res->status, status);
    assert_content_type(res, "application/json");
    ck_assert_ptr_nonnull(res->json);
}

/* The name of the last migration in sql/ (file-name order is version order). */
static void newest_migration(char *out, size_t outlen)
{
    DIR *d = opendir(PACTO_SOURCE_DIR "/sql");
    ck_assert_msg(d != NULL, "cannot open %s/sql", PACTO_SOURCE_DIR);
    out[0] = '\0';
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".sql") == 0 && strcmp(e->d_name, out) > 0)
            snprintf(out, outlen, "%s", e->d_name);
    }
    closedir(d);
    ck_assert_msg(out[0] != '\0', "no migration in %s/sql", PACTO_SOURCE_DIR);
}

/* The value of the sample whose line starts with `series` (name and labels),
 * or -1 when there is none. */
static double sample_value(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *line = text; line;) {
        if (strncmp(line, series, n) == 0 && line[n] == ' ')
            return strtod(line + n + 1, NULL);
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return -1;
}

static struct http_response get_metrics(void)
{
    struct http_response res = http_get("/metrics", NULL);
    ck_assert_int_eq(res.status, 200);
    assert_content_type(&res, "text/plain");
    return res;
}

START_TEST(healthz_answers_ok)
{
    struct http_response res = http_get("/healthz", NULL);
    assert_json_ok(&res, 200);
    ck_assert_str_eq(http_json_string(&res, "status"), "ok");
    ck_assert_int_eq(cJSON_GetArraySize(res.json), 1);
    http_response_free(&res);
}
END_TEST

START_TEST(readyz_reports_the_newest_schema)
{
    char newest[256];
    newest_migration(newest, sizeof newest);
    struct http_response res = http_get("/readyz", NULL);
    assert_json_ok(&res, 200);
    ck_assert_str_eq(http_json_string(&res, "status"), "ready");
    const char *version = http_json_string(&res, "schema_version");
    ck_assert_ptr_nonnull(version);
    ck_assert_str_eq(version, newest);
    http_response_free(&res);
}
END_TEST

START_TEST(metrics_count_requests_by_route_template)
{
    static const char counter[] = "pacto_http_requests_total{route=\"/v1/municipalities/"
                                  "{ibge_code}\",method=\"GET\",status=\"200\"}";
    struct http_response before = get_metrics();
    double count_before = sample_value(buf_cstr(&before.body), counter);
    http_response_free(&before);

    ck_assert_int_eq(fixture_get_status("/v1/municipalities/" CG, NULL), 200);

    /* The server counts a request once it has answered it: the count may
     * come a moment after the answer. */
    double want = count_before < 0 ? 1 : count_before + 1, count_after = -1;
    struct http_response res = {0};
    for (int i = 0; i < 100 && count_after != want; i++) {
        if (i) {
            http_response_free(&res);
            usleep(10000);
        }
        res = get_metrics();
        count_after = sample_value(buf_cstr(&res.body), counter);
    }
    const char *text = buf_cstr(&res.body);
    ck_assert_msg(count_after == want, "counter went from %g to %g", count_before, count_after);
    /* The route label is the template, never the raw path. */
    ck_assert_ptr_null(strstr(text, "route=\"/v1/municipalities/" CG "\""));
    ck_assert_ptr_nonnull(strstr(text, "# TYPE pacto_http_requests_total counter"));
    ck_assert_ptr_nonnull(strstr(text, "# TYPE pacto_http_request_duration_seconds histogram"));
    ck_assert_ptr_nonnull(strstr(
        text,
        "pacto_http_request_duration_seconds_bucket{route=\"/v1/municipalities/{ibge_code}\""));
    ck_assert(sample_value(text, "pacto_http_request_duration_seconds_bucket{route=\"/v1/"
                                 "municipalities/{ibge_code}\",le=\"+Inf\"}") >= 1);
    ck_assert(sample_value(text, "pacto_db_errors_total") >= 0);
    http_response_free(&res);
}
END_TEST

START_TEST(metrics_do_not_label_unknown_paths_with_the_raw_path)
{
    ck_assert_int_eq(fixture_get_status("/v1/no-such-thing-8817", NULL), 404);
    struct http_response res = get_metrics();
    ck_assert_ptr_null(strstr(buf_cstr(&res.body), "no-such-thing-8817"));
    http_response_free(&res);
}
END_TEST

START_TEST(openapi_is_served_byte_for_byte)
{
    struct buf file = {0};
    ck_assert_msg(buf_read_file(&file, PACTO_SOURCE_DIR "/api/openapi.yaml"),
                  "cannot read %s/api/openapi.yaml", PACTO_SOURCE_DIR);

    struct http_response res = http_get("/v1/openapi.yaml", NULL);
    ck_assert_int_eq(res.status, 200);
    const char *ct = http_header(&res, "Content-Type");
    ck_assert_msg(ct && strstr(ct, "yaml") != NULL, "Content-Type: %s", ct ? ct : "(none)");
    ck_assert_uint_eq(res.body.len, file.len);
    ck_assert_msg(memcmp(res.body.data, file.data, file.len) == 0,
                  "/v1/openapi.yaml differs from api/openapi.yaml (rebuild the server?)");
    buf_free(&file);
    http_response_free(&res);
}
END_TEST

Suite *system_suite(void)
{
    Suite *s = suite_create("system");
    TCase *tc = tcase_create("system");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, healthz_answers_ok);
    tcase_add_test(tc, readyz_reports_the_newest_schema);
    tcase_add_test(tc, metrics_count_requests_by_route_template);
    tcase_add_test(tc, metrics_do_not_label_unknown_paths_with_the_raw_path);
    tcase_add_test(tc, openapi_is_served_byte_for_byte);
    suite_add_tcase(s, tc);
    return s;
}
