/*
 * The HTTP conventions of API.md, through real requests: problem+json errors
 * for unknown paths (404) and methods (405 with Allow); request ids (echoed
 * when sane, generated otherwise); security headers (nosniff everywhere,
 * no-store when authenticated); CORS for the configured origin only, with
 * preflights; strict JSON bodies (malformed, non-object, duplicate keys, bad
 * UTF-8, NUL, deep nesting, oversized, wrong media type, unknown or mistyped
 * fields), each refused without touching the database; query-string
 * validation and cursor pagination with Link headers; and refused
 * Authorization headers (401 with WWW-Authenticate: Bearer).
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define ORIGIN  "https://app.example.test"
#define ONE_MIB (1024 * 1024)
/* A municipality the fixture lacks (Corumbá, MS): accepted when well-formed. */
#define CORUMBA_BODY "{\"ibge_code\":\"5003207\",\"name\":\"Corumbá\",\"state\":\"MS\"}"

/* ---- helpers ---------------------------------------------------------- */

/* True when the comma-separated header value lists item (case-insensitive). */
static bool list_has(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *p = list; p && *p;) {
        p += strspn(p, " \t,");
        size_t len = strcspn(p, ",");
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == n && strncasecmp(p, item, n) == 0)
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

static void assert_header_lists(struct http_response *res, const char *name,
                                const char *const *items)
{
    const char *v = http_header(res, name);
    ck_assert_msg(v != NULL, "no %s header", name);
    char value[1024];
    snprintf(value, sizeof value, "%s", v);
    ck_assert_msg(!list_has(value, "*"), "%s: %s must not be a wildcard", name, value);
    for (; *items; items++)
        ck_assert_msg(list_has(value, *items), "%s: %s lacks %s", name, value, *items);
}

static void assert_header_eq(struct http_response *res, const char *name, const char *value)
{
    const char *v = http_header(res, name);
    ck_assert_msg(v && strcmp(v, value) == 0, "%s: %s, expected %s", name, v ? v : "(none)", value);
}

/* A request with at most two extra header lines (NULL for none). */
static struct http_response send_with(const char *method, const char *path, const char *body,
                                      const char *h1, const char *h2)
{
    const char *headers[] = {h1 ? h1 : h2, h1 ? h2 : NULL, NULL};
    return http_do(
        &(struct http_request){.method = method, .path = path, .body = body, .headers = headers});
}

/* POSTs a municipality as the coordination. */
static struct http_response post_municipality(const char *content_type, const char *body,
                                              size_t len)
{
    return http_do(&(struct http_request){.method = "POST",
                                          .path = "/v1/municipalities",
                                          .token = fixture_token(U_COORDINATION),
                                          .content_type = content_type,
                                          .body = body,
                                          .body_len = len});
}

static bool is_hex32(const char *s)
{
    if (!s || strlen(s) != 32)
        return false;
    for (; *s; s++)
        if (!isxdigit((unsigned char)*s))
            return false;
    return true;
}

/* ---- routing ---------------------------------------------------------- */

START_TEST(unknown_path_is_404_problem)
{
    static const char *const paths[] = {"/v1/nowhere", "/v1/municipalities/" CG "/extra", "/",
                                        "/v2/municipalities", NULL};
    for (const char *const *p = paths; *p; p++) {
        struct http_response res = http_get(*p, NULL);
        http_expect_problem(&res, 404, "not-found");
        http_response_free(&res);
    }
}
END_TEST

START_TEST(wrong_method_is_405_with_allow)
{
    static const struct {
        const char *method, *path, *allowed[3];
    } cases[] = {
        {"DELETE", "/v1/municipalities", {"GET", "POST", NULL}},
        {"PUT", "/v1/municipalities/" CG, {"GET", "PATCH", NULL}},
        {"POST", "/healthz", {"GET", NULL}},
    };
    struct fixture_snapshot before = fixture_snapshot();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_response res =
            http_do(&(struct http_request){.method = cases[i].method,
                                           .path = cases[i].path,
                                           .token = fixture_token(U_COORDINATION)});
        http_expect_problem(&res, 405, "method-not-allowed");
        assert_header_lists(&res, "Allow", cases[i].allowed);
        ck_assert_msg(!list_has(http_header(&res, "Allow"), cases[i].method), "%s %s",
                      cases[i].method, cases[i].path);
        http_response_free(&res);
    }
    fixture_assert_unchanged(before);
}
END_TEST

/* ---- headers on every response ---------------------------------------- */

START_TEST(request_id_is_echoed_when_sane_else_generated)
{
    static const char long_id[] =
        "X-Request-Id: "
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    static const struct {
        const char *header, *echo; /* echo: the expected id, or NULL if generated */
    } cases[] = {
        {"X-Request-Id: 0f8fad5b-d9cb-469f-a165-70867728950e",
         "0f8fad5b-d9cb-469f-a165-70867728950e"},
        {"X-Request-Id: trace.42:step_7", "trace.42:step_7"},
        {NULL, NULL},
        {long_id, NULL},
        {"X-Request-Id: has spaces in it", NULL},
        {"X-Request-Id: <script>alert(1)</script>", NULL},
        {"X-Request-Id: caf\xc3\xa9", NULL},
    };
    char previous[33] = "";
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* A problem response also carries the id in its body. */
        struct http_response res = send_with("GET", "/v1/nowhere", NULL, cases[i].header, NULL);
        http_expect_problem(&res, 404, "not-found");
        const char *id = http_header(&res, "X-Request-Id");
        ck_assert_msg(id != NULL, "case %zu: no X-Request-Id", i);
        if (cases[i].echo) {
            ck_assert_str_eq(id, cases[i].echo);
        } else {
            ck_assert_msg(is_hex32(id), "case %zu: generated id %s is not 32 hex digits", i, id);
            ck_assert_str_ne(id, previous);
            snprintf(previous, sizeof previous, "%s", id);
        }
        ck_assert_str_eq(http_json_string(&res, "request_id"), id);
        http_response_free(&res);
    }
}
END_TEST

START_TEST(every_response_has_nosniff_and_a_request_id)
{
    static const struct {
        const char *method, *path, *h1, *h2;
    } cases[] = {
        {"GET", "/healthz", NULL, NULL},
        {"GET", "/metrics", NULL, NULL},
        {"GET", "/v1/openapi.yaml", NULL, NULL},
        {"GET", "/v1/municipalities?limit=1", NULL, NULL},
        {"GET", "/v1/nowhere", NULL, NULL},
        {"DELETE", "/v1/municipalities", NULL, NULL},
        {"GET", "/v1/me", NULL, NULL},
        {"OPTIONS", "/v1/municipalities", "Origin: " ORIGIN, "Access-Control-Request-Method: POST"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_response res =
            send_with(cases[i].method, cases[i].path, NULL, cases[i].h1, cases[i].h2);
        assert_header_eq(&res, "X-Content-Type-Options", "nosniff");
        ck_assert_msg(http_header(&res, "X-Request-Id") != NULL, "%s %s", cases[i].method,
                      cases[i].path);
        http_response_free(&res);
    }
}
END_TEST

START_TEST(authenticated_responses_are_not_stored)
{
    static const char *const paths[] = {"/v1/me", "/v1/municipalities/" CG,
                                        "/v1/municipalities?limit=1", NULL};
    for (const char *const *p = paths; *p; p++) {
        struct http_response res = http_get(*p, fixture_token(U_MAYOR_CG));
        ck_assert_int_eq(res.status, 200);
        assert_header_eq(&res, "Cache-Control", "no-store");
        http_response_free(&res);
    }
}
END_TEST

START_TEST(civetweb_own_error_pages_have_nosniff)
{
    /* Headers over the server's 16 KiB request limit never reach our handler. */
    struct buf big = {0};
    buf_puts(&big, "X-Padding: ");
    for (int i = 0; i < 20000; i++)
        buf_putc(&big, 'a');
    struct http_response res = send_with("GET", "/healthz", NULL, buf_cstr(&big), NULL);
    ck_assert_msg(res.status == 400 || res.status == 431, "status %ld", res.status);
    assert_header_eq(&res, "X-Content-Type-Options", "nosniff");
    http_response_free(&res);
    buf_free(&big);
}
END_TEST

/* Sends raw bytes on one connection to the test server; returns everything
 * it answers until it closes the connection. */
static void raw_exchange(const char *request, struct buf *answer)
{
    int fd = http_raw_connect();
    ck_assert_int_eq(send(fd, request, strlen(request), 0), (ssize_t)strlen(request));
    char chunk[4096];
    for (ssize_t n; (n = recv(fd, chunk, sizeof chunk, 0)) > 0;)
        buf_append(answer, chunk, (size_t)n);
    close(fd);
}

START_TEST(head_is_get_without_a_body)
{
    /* Two requests on one kept-alive connection: a body after the HEAD
     * response would be read as the start of the next response. */
    struct buf answer = {0};
    raw_exchange("HEAD /v1/municipalities/" CG " HTTP/1.1\r\nHost: pacto\r\n\r\n"
                 "GET /healthz HTTP/1.1\r\nHost: pacto\r\nConnection: close\r\n\r\n",
                 &answer);
    const char *text = buf_cstr(&answer);
    ck_assert_msg(strncmp(text, "HTTP/1.1 200", 12) == 0, "%s", text);
    ck_assert_ptr_nonnull(strcasestr(text, "\r\nContent-Length: "));
    const char *end = strstr(text, "\r\n\r\n");
    ck_assert_ptr_nonnull(end);
    ck_assert_msg(strncmp(end + 4, "HTTP/1.1 200", 12) == 0, "after the HEAD response: %.80s",
                  end + 4);
    ck_assert_ptr_nonnull(strstr(end, "{\"status\":\"ok\"}"));
    buf_free(&answer);
}
END_TEST

/* ---- CORS ------------------------------------------------------------- */

START_TEST(cors_allows_the_configured_origin)
{
    static const char *const exposed[] = {"ETag", "Location", "Link", "X-Request-Id", NULL};
    static const char *const vary[] = {"Origin", NULL};
    struct http_response res =
        send_with("GET", "/v1/municipalities/" CG, NULL, "Origin: " ORIGIN, NULL);
    ck_assert_int_eq(res.status, 200);
    assert_header_eq(&res, "Access-Control-Allow-Origin", ORIGIN);
    assert_header_lists(&res, "Access-Control-Expose-Headers", exposed);
    assert_header_lists(&res, "Vary", vary);
    http_response_free(&res);
}
END_TEST

START_TEST(cors_ignores_other_origins)
{
    static const char *const origins[] = {
        "Origin: https://evil.example.test", "Origin: http://app.example.test",
        "Origin: https://app.example.test.evil.test", "Origin: null", NULL};
    for (const char *const *o = origins; *o; o++) {
        struct http_response res = send_with("GET", "/v1/municipalities/" CG, NULL, *o, NULL);
        ck_assert_int_eq(res.status, 200); /* the browser, not the server, enforces CORS */
        ck_assert_msg(http_header(&res, "Access-Control-Allow-Origin") == NULL, "%s", *o);
        ck_assert_ptr_null(http_header(&res, "Access-Control-Expose-Headers"));
        http_response_free(&res);
    }
}
END_TEST

START_TEST(cors_preflight_from_the_allowed_origin)
{
    static const char *const headers[] = {"Authorization", "Content-Type", "If-Match",
                                          "Idempotency-Key", NULL};
    static const struct {
        const char *path, *request_method, *methods[3];
    } cases[] = {
        {"/v1/municipalities", "Access-Control-Request-Method: POST", {"GET", "POST", NULL}},
        {"/v1/municipalities/" CG, "Access-Control-Request-Method: PATCH", {"GET", "PATCH", NULL}},
    };
    struct fixture_snapshot before = fixture_snapshot();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_response res =
            send_with("OPTIONS", cases[i].path, NULL, "Origin: " ORIGIN, cases[i].request_method);
        ck_assert_int_eq(res.status, 204);
        ck_assert_uint_eq(res.body.len, 0);
        assert_header_eq(&res, "Access-Control-Allow-Origin", ORIGIN);
        assert_header_lists(&res, "Access-Control-Allow-Methods", cases[i].methods);
        assert_header_lists(&res, "Access-Control-Allow-Headers", headers);
        http_response_free(&res);
    }
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(cors_preflight_from_another_origin_is_403)
{
    struct http_response res =
        send_with("OPTIONS", "/v1/municipalities", NULL, "Origin: https://evil.example.test",
                  "Access-Control-Request-Method: POST");
    http_expect_problem(&res, 403, "forbidden");
    ck_assert_ptr_null(http_header(&res, "Access-Control-Allow-Origin"));
    ck_assert_ptr_null(http_header(&res, "Access-Control-Allow-Methods"));
    http_response_free(&res);
}
END_TEST

/* ---- request bodies --------------------------------------------------- */

START_TEST(bad_bodies_are_refused_and_change_nothing)
{
    static const struct {
        const char *what, *content_type, *body;
        long status;
        const char *slug, *field;
    } cases[] = {
        {"malformed JSON", NULL, "{\"ibge_code\":\"5003207\",\"name\":", 400, "malformed-request",
         NULL},
        {"an array", NULL, "[" CORUMBA_BODY "]", 400, "malformed-request", NULL},
        {"a bare string", NULL, "\"Corumbá\"", 400, "malformed-request", NULL},
        {"duplicate keys", NULL,
         "{\"ibge_code\":\"5003207\",\"name\":\"Corumbá\",\"name\":\"Outra\",\"state\":\"MS\"}",
         400, "malformed-request", NULL},
        {"invalid UTF-8", NULL,
         "{\"ibge_code\":\"5003207\",\"name\":\"Corumb\xe1\",\"state\":\"MS\"}", 400,
         "malformed-request", NULL},
        {"an escaped NUL", NULL,
         "{\"ibge_code\":\"5003207\",\"name\":\"Corumb\\u0000\",\"state\":\"MS\"}", 400,
         "malformed-request", NULL},
        {"text/plain", "text/plain", CORUMBA_BODY, 415, "unsupported-media-type", NULL},
        {"form data", "application/x-www-form-urlencoded", "ibge_code=5003207", 415,
         "unsupported-media-type", NULL},
        {"an unknown field", NULL,
         "{\"ibge_code\":\"5003207\",\"name\":\"Corumbá\",\"state\":\"MS\",\"nickname\":\"x\"}",
         422, "validation-failed", "nickname"},
        {"a number for a string", NULL, "{\"ibge_code\":\"5003207\",\"name\":5,\"state\":\"MS\"}",
         422, "validation-failed", "name"},
    };
    struct fixture_snapshot before = fixture_snapshot();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_response res = post_municipality(cases[i].content_type, cases[i].body, 0);
        ck_assert_msg(res.status == cases[i].status, "%s: status %ld", cases[i].what, res.status);
        http_expect_problem(&res, cases[i].status, cases[i].slug);
        if (cases[i].field)
            ck_assert_msg(fixture_names_error(&res, cases[i].field, 0), "%s: errors: %s",
                          cases[i].what, buf_cstr(&res.body));
        http_response_free(&res);
    }
    fixture_assert_unchanged(before);

    /* The same municipality, well-formed, is accepted: the refusals were the body's fault. */
    struct http_response ok = post_municipality(NULL, CORUMBA_BODY, 0);
    ck_assert_msg(ok.status == 201, "%s", buf_cstr(&ok.body));
    assert_header_eq(&ok, "Location", "/v1/municipalities/5003207");
    http_response_free(&ok);
    struct fixture_snapshot after = fixture_snapshot();
    ck_assert_int_eq(after.municipalities, before.municipalities + 1);
    ck_assert_int_eq(after.audit, before.audit + 1);
}
END_TEST

/* {"x":[[...]]} nested `depth` levels deep (the object is level 1). */
static void nested_body(struct buf *b, int depth)
{
    buf_reset(b);
    buf_puts(b, "{\"x\":");
    for (int i = 1; i < depth; i++)
        buf_putc(b, '[');
    for (int i = 1; i < depth; i++)
        buf_putc(b, ']');
    buf_putc(b, '}');
}

START_TEST(nesting_deeper_than_16_is_malformed)
{
    struct fixture_snapshot before = fixture_snapshot();
    struct buf body = {0};
    nested_body(&body, 16); /* parses; then refused for its unknown field */
    struct http_response res = post_municipality(NULL, buf_cstr(&body), 0);
    fixture_expect_invalid(&res, "x");
    http_response_free(&res);

    nested_body(&body, 17);
    res = post_municipality(NULL, buf_cstr(&body), 0);
    http_expect_problem(&res, 400, "malformed-request");
    http_response_free(&res);
    buf_free(&body);
    fixture_assert_unchanged(before);
}
END_TEST

/* A municipality body of exactly `size` bytes, padded inside the name. */
static void sized_body(struct buf *b, size_t size)
{
    static const char head[] = "{\"ibge_code\":\"5003207\",\"state\":\"MS\",\"name\":\"";
    buf_reset(b);
    buf_puts(b, head);
    while (b->len < size - 2)
        buf_putc(b, 'a');
    buf_puts(b, "\"}");
    ck_assert_uint_eq(b->len, size);
}

START_TEST(body_over_one_mib_is_413)
{
    struct fixture_snapshot before = fixture_snapshot();
    struct buf body = {0};
    sized_body(&body, ONE_MIB); /* at the limit: read, then refused for the long name */
    struct http_response res = post_municipality(NULL, body.data, body.len);
    fixture_expect_invalid(&res, "name");
    http_response_free(&res);

    sized_body(&body, ONE_MIB + 1);
    res = post_municipality(NULL, body.data, body.len);
    http_expect_problem(&res, 413, "payload-too-large");
    http_response_free(&res);
    buf_free(&body);
    fixture_assert_unchanged(before);
}
END_TEST

/* ---- query strings and pagination ------------------------------------- */

START_TEST(bad_query_parameters_are_400)
{
    static const char *const paths[] = {
        "/v1/municipalities?color=blue",
        "/v1/municipalities?limit=0",
        "/v1/municipalities?limit=501",
        "/v1/municipalities?limit=ten",
        "/v1/municipalities?limit=-1",
        "/v1/municipalities?limit=2&limit=3",
        "/v1/municipalities?cursor=garbage",
        "/v1/municipalities?cursor=eyJsaXN0IjoibXVuaWNpcGFsaXRpZXMifQ",
        "/v1/municipalities/" CG "?expand=mayor",
        NULL};
    for (const char *const *p = paths; *p; p++) {
        struct http_response res = http_get(*p, NULL);
        ck_assert_msg(res.status == 400, "%s: %ld", *p, res.status);
        http_expect_problem(&res, 400, "invalid-parameter");
        http_response_free(&res);
    }
    /* The bounds themselves are fine. */
    static const char *const good[] = {"/v1/municipalities?limit=1", "/v1/municipalities?limit=500",
                                       NULL};
    for (const char *const *p = good; *p; p++) {
        long status = fixture_get_status(*p, NULL);
        ck_assert_msg(status == 200, "%s: %ld", *p, status);
    }
}
END_TEST

static const char *next_cursor_of(const struct http_response *res)
{
    return http_json_string(res, "next_cursor");
}

START_TEST(a_cursor_of_another_list_is_400)
{
    struct http_response states = http_get("/v1/states?limit=1", NULL);
    ck_assert_int_eq(states.status, 200);
    const char *cursor = next_cursor_of(&states);
    ck_assert_ptr_nonnull(cursor);
    struct buf path = {0};
    buf_printf(&path, "/v1/municipalities?cursor=%s", cursor);
    struct http_response res = http_get(buf_cstr(&path), NULL);
    http_expect_problem(&res, 400, "invalid-parameter");
    http_response_free(&res);
    buf_free(&path);
    http_response_free(&states);
}
END_TEST

/* Appends the ibge_code of every item and returns how many there were. */
static int collect_codes(const struct http_response *res, struct buf *codes)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(res->json, "items");
    ck_assert(cJSON_IsArray(items));
    const cJSON *it;
    cJSON_ArrayForEach(it, items)
    {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(it, "ibge_code");
        ck_assert(cJSON_IsString(code));
        ck_assert_msg(!strstr(buf_cstr(codes), code->valuestring), "%s seen twice",
                      code->valuestring);
        buf_printf(codes, "%s ", code->valuestring);
    }
    return cJSON_GetArraySize(items);
}

START_TEST(pages_follow_next_cursor_and_link)
{
    struct buf codes = {0};
    struct http_response first = http_get("/v1/municipalities?limit=2", NULL);
    ck_assert_int_eq(first.status, 200);
    ck_assert_int_eq(collect_codes(&first, &codes), 2);
    const char *cursor = next_cursor_of(&first);
    ck_assert_ptr_nonnull(cursor);

    /* Link: <http://host:port/v1/municipalities?limit=2&cursor=...>; rel="next",
     * absolute (API.md), from the server's public base URL. */
    const char *link = http_header(&first, "Link");
    ck_assert_ptr_nonnull(link);
    ck_assert_msg(strstr(link, "rel=\"next\"") && link[0] == '<' && strstr(link, cursor),
                  "Link: %s", link);
    const char *base = getenv("PACTO_TEST_URL");
    ck_assert_msg(strncmp(link + 1, base, strlen(base)) == 0, "Link %s is not under %s", link,
                  base);
    struct buf next = {0};
    buf_append(&next, link + 1 + strlen(base), strcspn(link + 1, ">") - strlen(base));
    ck_assert_ptr_nonnull(strstr(buf_cstr(&next), "limit=2"));

    struct http_response second = http_get(buf_cstr(&next), NULL);
    ck_assert_int_eq(second.status, 200);
    ck_assert_int_eq(collect_codes(&second, &codes), 1);
    const cJSON *end = cJSON_GetObjectItemCaseSensitive(second.json, "next_cursor");
    ck_assert(cJSON_IsNull(end));
    ck_assert_ptr_null(http_header(&second, "Link"));
    ck_assert_str_eq(buf_cstr(&codes), SAO_PAULO " " CG " " DOURADOS " ");

    buf_free(&next);
    buf_free(&codes);
    http_response_free(&first);
    http_response_free(&second);
}
END_TEST

/* ---- Authorization ---------------------------------------------------- */

START_TEST(bad_authorization_is_401_even_on_public_routes)
{
    /* A real token with its signature altered. */
    char tampered[4096];
    snprintf(tampered, sizeof tampered, "Authorization: Bearer %s", fixture_token(U_COORDINATION));
    size_t n = strlen(tampered);
    tampered[n - 2] = tampered[n - 2] == 'A' ? 'B' : 'A';
    static const struct {
        const char *method, *path, *authorization, *body;
    } fixed[] = {
        {"GET", "/v1/municipalities", "Authorization: Bearer garbage", NULL},
        {"GET", "/v1/municipalities", "Authorization: Basic eHh4Onl5eQ==", NULL},
        {"GET", "/v1/municipalities", "Authorization: Bearer", NULL},
        {"GET", "/v1/me", "Authorization: Basic xxx", NULL},
        {"GET", "/v1/me", NULL, NULL},
        {"POST", "/v1/municipalities", "Authorization: Bearer garbage", CORUMBA_BODY},
        {"POST", "/v1/municipalities", NULL, CORUMBA_BODY},
        {"GET", "/v1/municipalities/" CG, NULL, NULL}, /* replaced by the tampered token */
    };
    struct fixture_snapshot before = fixture_snapshot();
    size_t count = sizeof fixed / sizeof fixed[0];
    for (size_t i = 0; i < count; i++) {
        const char *authorization = i == count - 1 ? tampered : fixed[i].authorization;
        struct http_response res =
            send_with(fixed[i].method, fixed[i].path, fixed[i].body, authorization, NULL);
        ck_assert_msg(res.status == 401, "%s %s with %s: %ld", fixed[i].method, fixed[i].path,
                      authorization ? authorization : "no token", res.status);
        fixture_expect_unauthenticated(&res);
        assert_header_eq(&res, "Cache-Control", "no-store");
        http_response_free(&res);
    }
    fixture_assert_unchanged(before);
}
END_TEST

Suite *http_suite(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("conventions");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, unknown_path_is_404_problem);
    tcase_add_test(tc, wrong_method_is_405_with_allow);
    tcase_add_test(tc, request_id_is_echoed_when_sane_else_generated);
    tcase_add_test(tc, every_response_has_nosniff_and_a_request_id);
    tcase_add_test(tc, authenticated_responses_are_not_stored);
    tcase_add_test(tc, civetweb_own_error_pages_have_nosniff);
    tcase_add_test(tc, head_is_get_without_a_body);
    tcase_add_test(tc, cors_allows_the_configured_origin);
    tcase_add_test(tc, cors_ignores_other_origins);
    tcase_add_test(tc, cors_preflight_from_the_allowed_origin);
    tcase_add_test(tc, cors_preflight_from_another_origin_is_403);
    tcase_add_test(tc, bad_bodies_are_refused_and_change_nothing);
    tcase_add_test(tc, nesting_deeper_than_16_is_malformed);
    tcase_add_test(tc, body_over_one_mib_is_413);
    tcase_add_test(tc, bad_query_parameters_are_400);
    tcase_add_test(tc, a_cursor_of_another_list_is_400);
    tcase_add_test(tc, pages_follow_next_cursor_and_link);
    tcase_add_test(tc, bad_authorization_is_401_even_on_public_routes);
    suite_add_tcase(s, tc);
    return s;
}
