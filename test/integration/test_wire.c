/*
 * What the route table declares each operation takes, as a client meets it:
 * no query parameters where none are declared, no body where none is taken,
 * login that ignores a stale token; and the details every answer carries
 * (Date, a 405's detail, the headers a browser app may read, Accept
 * q-values).
 */
#include "suites.h"

#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

START_TEST(operations_without_declared_parameters_refuse_any)
{
    const char *paths[] = {"/healthz?x=1", "/v1/me?x=1", "/v1/municipalities/" CG "?verbose=1",
                           "/v1/openapi.yaml?v=2"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct http_response r = http_get(paths[i], fixture_token(U_MAYOR_CG));
        http_expect_problem(&r, 400, "invalid-parameter");
        ck_assert_msg(strstr(buf_cstr(&r.body), "Unknown query parameter"), "%s: %s", paths[i],
                      buf_cstr(&r.body));
        http_response_free(&r);
    }
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r =
        http_do(&(struct http_request){.method = "POST",
                                       .path = "/v1/municipalities/" CG "/team?dry_run=true",
                                       .token = fixture_token(U_MAYOR_CG),
                                       .body = "{\"name\":\"Lúcia\",\"type\":\"servant\"}"});
    http_expect_problem(&r, 400, "invalid-parameter");
    fixture_assert_unchanged(before);
    http_response_free(&r);
}
END_TEST

START_TEST(actions_without_a_body_refuse_one)
{
    struct fixture_snapshot before = fixture_snapshot();
    char path[96];
    snprintf(path, sizeof path, "/v1/users/%s/invitation", fixture_user_id(U_REP_CG));
    struct http_response r =
        http_post(path, fixture_token(U_COORDINATION), "{\"expires_in_days\":30}");
    http_expect_problem(&r, 400, "malformed-request");
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "takes no request body"));
    http_response_free(&r);
    r = http_do(
        &(struct http_request){.method = "GET", .path = "/v1/municipalities/" CG, .body = "{}"});
    http_expect_problem(&r, 400, "malformed-request");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    /* Refusing the body comes after refusing the caller: no body tells a
     * stranger anything. */
    r = http_post(path, NULL, "{}");
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
}
END_TEST

START_TEST(login_ignores_a_stale_token)
{
    char login[160];
    snprintf(login, sizeof login, "{\"email\":\"%s\",\"password\":\"%s\"}", fixture_email(U_HEALTH),
             FIXTURE_PASSWORD);
    struct http_response r = http_do(&(struct http_request){
        .method = "POST", .path = "/v1/auth/token", .token = "expired.or.garbage", .body = login});
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_ptr_nonnull(http_json_string(&r, "access_token"));
    http_response_free(&r);
}
END_TEST

START_TEST(answers_carry_date_and_405_a_detail)
{
    struct http_response r =
        http_do(&(struct http_request){.method = "DELETE", .path = "/v1/states"});
    http_expect_problem(&r, 405, "method-not-allowed");
    ck_assert_ptr_nonnull(http_json_string(&r, "detail"));
    ck_assert_ptr_nonnull(http_header(&r, "Allow"));
    const char *date = http_header(&r, "Date");
    ck_assert_msg(date && strlen(date) == 29 && strstr(date, " GMT"), "Date: %s", date);
    http_response_free(&r);
}
END_TEST

START_TEST(browser_apps_may_read_the_documented_headers)
{
    const char *origin[] = {"Origin: https://app.example.test", NULL};
    struct http_response r =
        http_do(&(struct http_request){.method = "GET", .path = "/v1/me", .headers = origin});
    ck_assert_int_eq(r.status, 401);
    const char *exposed = http_header(&r, "Access-Control-Expose-Headers");
    ck_assert_ptr_nonnull(exposed);
    const char *names[] = {"ETag",
                           "Location",
                           "Link",
                           "X-Request-Id",
                           "Retry-After",
                           "Idempotent-Replayed",
                           "WWW-Authenticate"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ck_assert_msg(strstr(exposed, names[i]), "%s is not exposed: %s", names[i], exposed);
    http_response_free(&r);
}
END_TEST

START_TEST(accept_q_values_choose_the_format)
{
    static const struct {
        const char *accept;
        bool csv;
    } cases[] = {
        {"Accept: application/json, text/csv;q=0.5", false},
        {"Accept: text/csv;q=0.9, application/json;q=0.5", true},
        {"Accept: text/csv", true},
        {"Accept: */*", false},
        {"Accept: text/csv;q=0, */*", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *headers[] = {cases[i].accept, NULL};
        struct http_response r = http_do(&(struct http_request){
            .method = "GET", .path = "/v1/municipalities?limit=2", .headers = headers});
        ck_assert_int_eq(r.status, 200);
        const char *type = http_header(&r, "Content-Type");
        ck_assert_msg(strncmp(type, cases[i].csv ? "text/csv" : "application/json",
                              cases[i].csv ? 8 : 16) == 0,
                      "%s gave %s", cases[i].accept, type);
        http_response_free(&r);
    }
}
END_TEST

/* Open data is downloaded whole: CSV ignores the page size and walks the
 * filtered list to its end, in blocks streamed as they are read; JSON stays
 * paginated. Cells that would run as formulas are neutralized. */
START_TEST(csv_downloads_are_whole_and_safe)
{
    fixture_exec("INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
                 "                    pact_opens_at, pact_closes_at, target_year, commitments)"
                 " SELECT CASE WHEN g = 7 THEN '=HYPERLINK(\"http://x\")' ELSE 'Ciclo ' || g END,"
                 "        50, now(), now() + interval '1 day', now() + interval '2 days',"
                 "        now() + interval '3 days', 2027, '[\"Acompanhar\"]'"
                 "   FROM generate_series(1, 2345) g");
    const char *csv[] = {"Accept: text/csv", NULL};
    struct http_response r = http_do(&(struct http_request){
        .method = "GET", .path = "/v1/cycles?state=MS&limit=10", .headers = csv});
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_header(&r, "Transfer-Encoding"), "chunked");
    ck_assert_ptr_null(http_header(&r, "Link"));
    long lines = 0;
    for (const char *p = buf_cstr(&r.body); (p = strstr(p, "\r\n")); p += 2)
        lines++;
    ck_assert_int_eq(lines, 1 + 2345); /* the header row, then every cycle */
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), ",\"'=HYPERLINK(\"\"http://x\"\")\","));
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), ",=HYPERLINK"));
    http_response_free(&r);
    /* A short list needs no stream. */
    r = http_do(
        &(struct http_request){.method = "GET", .path = "/v1/cycles?state=SP", .headers = csv});
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(http_header(&r, "Content-Length"));
    http_response_free(&r);
    r = http_get("/v1/cycles?state=MS&limit=10", NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 10);
    http_response_free(&r);
}
END_TEST

/* Public GETs are validated and cached: a strong ETag of the representation,
 * 304 while it holds, Cache-Control public for anonymous callers only, and a
 * new tag once the data changes; If-Match still checks the version part. */
START_TEST(public_gets_answer_304_while_unchanged)
{
    struct http_response r = http_get("/v1/municipalities/" CG, NULL);
    ck_assert_int_eq(r.status, 200);
    char etag[64], inm[96];
    snprintf(etag, sizeof etag, "%s", http_header(&r, "ETag"));
    ck_assert_msg(etag[0] == '"' && strchr(etag, '-'), "ETag %s", etag);
    ck_assert_str_eq(http_header(&r, "Cache-Control"), "public, max-age=60");
    ck_assert_ptr_nonnull(strstr(http_header(&r, "Vary"), "Authorization"));
    http_response_free(&r);

    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    const char *cond[] = {inm, NULL};
    r = http_do(
        &(struct http_request){.method = "GET", .path = "/v1/municipalities/" CG, .headers = cond});
    ck_assert_int_eq(r.status, 304);
    ck_assert_uint_eq(r.body.len, 0);
    ck_assert_str_eq(http_header(&r, "ETag"), etag);
    http_response_free(&r);

    /* Lists too, by the digest of the page. */
    r = http_get("/v1/cycles?state=MS", NULL);
    char list_etag[64], list_inm[96];
    snprintf(list_etag, sizeof list_etag, "%s", http_header(&r, "ETag"));
    http_response_free(&r);
    snprintf(list_inm, sizeof list_inm, "If-None-Match: W/%s", list_etag);
    const char *list_cond[] = {list_inm, NULL};
    r = http_do(&(struct http_request){
        .method = "GET", .path = "/v1/cycles?state=MS", .headers = list_cond});
    ck_assert_int_eq(r.status, 304); /* If-None-Match compares weakly */
    http_response_free(&r);

    /* A caller with a token is never cached by others. */
    r = http_get("/v1/municipalities/" CG, fixture_token(U_HEALTH));
    ck_assert_str_eq(http_header(&r, "Cache-Control"), "no-store");
    http_response_free(&r);

    /* The version part is what If-Match checks; a change makes a new tag. */
    char if_match[96];
    snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
    const char *match[] = {if_match, NULL};
    r = http_do(&(struct http_request){.method = "PATCH",
                                       .path = "/v1/municipalities/" CG,
                                       .token = fixture_token(U_COORDINATION),
                                       .content_type = "application/merge-patch+json",
                                       .body = "{\"mayor_name\":\"Maria Nova\"}",
                                       .headers = match});
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    http_response_free(&r);
    r = http_do(
        &(struct http_request){.method = "GET", .path = "/v1/municipalities/" CG, .headers = cond});
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_ne(http_header(&r, "ETag"), etag);
    http_response_free(&r);

    /* System endpoints are about this moment: never cached. */
    r = http_get("/readyz", NULL);
    ck_assert_str_eq(http_header(&r, "Cache-Control"), "no-store");
    ck_assert_ptr_null(http_header(&r, "ETag"));
    http_response_free(&r);
}
END_TEST

/* Public list pages are cached, and never stale: a new municipality, a
 * renamed one, or an adhesion shows on the next read of the same page. */
START_TEST(cached_list_pages_follow_every_change)
{
    const char *page = "/v1/municipalities?state=MS&limit=10";
    struct http_response r = http_get(page, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "Corumb"));
    http_response_free(&r);
    r = http_get(page, NULL); /* from the cache */
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "Corumb"));
    http_response_free(&r);
    r = http_post("/v1/municipalities", fixture_token(U_COORDINATION),
                  "{\"ibge_code\":\"5003207\",\"name\":\"Corumbá\",\"state\":\"MS\"}");
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    http_response_free(&r);
    r = http_get(page, NULL);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "Corumbá"));
    http_response_free(&r);
    r = http_patch("/v1/municipalities/5003207", fixture_token(U_COORDINATION),
                   "{\"name\":\"Corumbá do Pantanal\"}");
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    r = http_get(page, NULL);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "Corumbá do Pantanal"));
    http_response_free(&r);
    /* A change made behind the API's back reaches it through NOTIFY. */
    fixture_exec("UPDATE municipalities SET name = 'Dourados Novo' WHERE ibge_code = '" DOURADOS
                 "'");
    r = http_get(page, NULL);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "Dourados Novo"));
    http_response_free(&r);
}
END_TEST

/* The connections the server has handed out now, from /metrics. */
static long connections_in_use(void)
{
    struct http_response r = http_get("/metrics", NULL);
    const char *line = strstr(buf_cstr(&r.body), "\npacto_db_connections_in_use ");
    ck_assert_ptr_nonnull(line);
    long n = atol(line + strlen("\npacto_db_connections_in_use "));
    http_response_free(&r);
    return n;
}

/* A body that arrives slowly is read before the caller's account is looked
 * up, so it never holds one of the few database connections meanwhile, even
 * when the account is not cached and must be read. */
START_TEST(a_slow_upload_holds_no_connection)
{
    /* Any change to the account evicts it from the cache. */
    fixture_exec("UPDATE users SET name = 'Maria Lenta' WHERE email = 'mayor.cg@test.pacto'");
    int fd = http_raw_connect();
    const char body[] = "{\"name\":\"Lúcia Prado\",\"type\":\"servant\"}";
    char head[4096];
    int n = snprintf(head, sizeof head,
                     "POST /v1/municipalities/" CG "/team HTTP/1.1\r\nHost: pacto\r\n"
                     "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%.10s",
                     fixture_token(U_MAYOR_CG), strlen(body), body);
    ck_assert_int_eq(send(fd, head, (size_t)n, 0), n);
    usleep(300000); /* the rest of the body is late */
    ck_assert_int_eq(connections_in_use(), 0);
    size_t rest = strlen(body) - 10;
    ck_assert_int_eq(send(fd, body + 10, rest, 0), (ssize_t)rest);
    struct buf answer = {0};
    char chunk[4096];
    for (ssize_t got; (got = recv(fd, chunk, sizeof chunk, 0)) > 0;)
        buf_append(&answer, chunk, (size_t)got);
    close(fd);
    ck_assert_msg(strncmp(buf_cstr(&answer), "HTTP/1.1 201", 12) == 0, "%.200s", buf_cstr(&answer));
    buf_free(&answer);
}
END_TEST

Suite *wire_suite(void)
{
    Suite *s = suite_create("wire");
    TCase *tc = tcase_create("wire");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, operations_without_declared_parameters_refuse_any);
    tcase_add_test(tc, actions_without_a_body_refuse_one);
    tcase_add_test(tc, login_ignores_a_stale_token);
    tcase_add_test(tc, answers_carry_date_and_405_a_detail);
    tcase_add_test(tc, browser_apps_may_read_the_documented_headers);
    tcase_add_test(tc, accept_q_values_choose_the_format);
    tcase_add_test(tc, csv_downloads_are_whole_and_safe);
    tcase_add_test(tc, public_gets_answer_304_while_unchanged);
    tcase_add_test(tc, cached_list_pages_follow_every_change);
    tcase_add_test(tc, a_slow_upload_holds_no_connection);
    suite_add_tcase(s, tc);
    return s;
}
