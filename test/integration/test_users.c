/*
 * Integration tests of account management by the program's coordination
 * (/v1/users):
 *
 *   - creating secretariat and mayor accounts, with the rules of the contract
 *     (a mayor only with the registered mayor's CPF, valid CPFs, municipality
 *     required or forbidden by role, no password: the account starts inactive
 *     with an invitation, unique e-mail compared case-insensitively); every
 *     refusal changes nothing;
 *   - only the coordination may create, list, read or change accounts;
 *   - listing with filters and cursor pagination; reading one account with
 *     the CPF masked unless it is the caller's own;
 *   - deactivating and reactivating: the account's unexpired token is refused
 *     on its next request and accepted again after reactivation (SPEC 5), one
 *     audit event per change, no self-deactivation, no other fields.
 */
#include "client.h"
#include "fixture.h"
#include "suites.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEALTH_USER                                                                                \
    "{\"name\":\"Bruno Lima\",\"email\":\"bruno@test.pacto\","                                     \
    "\"role\":\"secretariat\",\"secretariat_area\":\"health\"}"
#define MAYOR_CG(cpf)                                                                              \
    "{\"name\":\"Maria\",\"email\":\"maria@test.pacto\","                                          \
    "\"role\":\"mayor\",\"municipality_id\":\"" CG "\"" cpf "}"

/* ---- helpers ---- */

/* Checks status and problem type; when field is set, also that the
 * validation errors name it. Frees the response. */
static void expect_refused(struct http_response r, long status, const char *slug, const char *field)
{
    http_expect_problem(&r, status, slug);
    if (field)
        ck_assert_msg(fixture_names_error(&r, field, 0), "%s not among the errors of %s", field,
                      buf_cstr(&r.body));
    http_response_free(&r);
}

static struct http_response create_user(const char *json)
{
    return http_post("/v1/users", fixture_token(U_COORDINATION), json);
}

static struct http_response patch_user(enum fixture_user who, const char *json)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/users/%s", fixture_user_id(who));
    return http_patch(path, fixture_token(U_COORDINATION), json);
}

static long json_id(const cJSON *obj)
{
    return (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(obj, "id"));
}

/* Appends the ids of a page's items to out, comma-separated. */
static void append_ids(const struct http_response *r, struct buf *out)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(r->json, "items"))
        buf_printf(out, "%s%ld", out->len ? "," : "", json_id(item));
}

/* GET /v1/users?query lists exactly the n given fixture users, in id order. */
static void expect_listed(const char *query, int n, ...)
{
    struct buf want = {0}, got = {0}, path = {0};
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        buf_printf(&want, "%s%s", i ? "," : "", fixture_user_id(va_arg(ap, enum fixture_user)));
    va_end(ap);
    buf_printf(&path, "/v1/users?%s", query);
    struct http_response r = http_get(buf_cstr(&path), fixture_token(U_COORDINATION));
    ck_assert_msg(r.status == 200, "%s: %ld %s", query, r.status, buf_cstr(&r.body));
    append_ids(&r, &got);
    ck_assert_msg(strcmp(buf_cstr(&got), buf_cstr(&want)) == 0, "%s: listed [%s], want [%s]", query,
                  buf_cstr(&got), buf_cstr(&want));
    http_response_free(&r);
    buf_free(&want);
    buf_free(&got);
    buf_free(&path);
}

/* ---- creating accounts ---- */

START_TEST(test_create_secretariat_user)
{
    struct http_response r = create_user(HEALTH_USER);
    ck_assert_int_eq(r.status, 201);
    long id = json_id(r.json);
    char location[64];
    snprintf(location, sizeof location, "/v1/users/%ld", id);
    ck_assert_str_eq(http_header(&r, "Location"), location);
    ck_assert_str_eq(http_json_string(&r, "role"), "secretariat");
    ck_assert_str_eq(http_json_string(&r, "secretariat_area"), "health");
    /* Inactive until the person sets a password with the invitation. */
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r.json, "active")));
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(r.json, "password"));
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(r.json, "password_hash"));
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "argon2"));
    const char *token = fixture_invitation_token(&r);
    ck_assert_uint_eq(strlen(token), 43);
    ck_assert_uint_eq(
        strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
    /* Only the token's SHA-256 is kept, expiring in 7 days. */
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM users WHERE id = %ld"
                                   " AND email = 'bruno@test.pacto' AND NOT active"
                                   " AND password_hash IS NULL"
                                   " AND invitation_hash = encode(sha256('%s'), 'hex')"
                                   " AND invitation_expires_at"
                                   "     BETWEEN now() + interval '7 days' - interval '1 minute'"
                                   "         AND now() + interval '7 days'",
                                   id, token),
                     1);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM users u, audit_events a"
                                   " WHERE strpos(u::text || a::text, '%s') > 0",
                                   token),
                     0);
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("audit_events"), 1);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity = 'user'"
                                   " AND action = 'create' AND entity_id = '%ld' AND actor_id = %s",
                                   id, fixture_user_id(U_COORDINATION)),
                     1);
}
END_TEST

START_TEST(test_create_mayor_with_formatted_cpf)
{
    struct http_response r = create_user(MAYOR_CG(",\"cpf\":\"529.982.247-25\""));
    ck_assert_int_eq(r.status, 201);
    ck_assert_str_eq(http_json_string(&r, "cpf"), "***.982.247-**");
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM users WHERE id = %ld AND role = 'mayor'"
                                   " AND cpf = '" CG_MAYOR_CPF "' AND municipality_id = '" CG "'",
                                   json_id(r.json)),
                     1);
    http_response_free(&r);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE action = 'create'"), 1);
}
END_TEST

START_TEST(test_create_refusals_change_nothing)
{
    static const struct fixture_invalid_body cases[] = {
        {MAYOR_CG(",\"cpf\":\"" DOURADOS_MAYOR_CPF "\""), "cpf"},
        {MAYOR_CG(""), "cpf"},
        {MAYOR_CG(",\"cpf\":\"529.982.247-24\""), "cpf"},
        {"{\"name\":\"Rui\",\"email\":\"rui@test.pacto\","
         "\"role\":\"representative\",\"municipality_id\":\"" CG "\",\"cpf\":\"111.111.111-11\"}",
         "cpf"},
        {"{\"name\":\"Rui\",\"email\":\"rui@test.pacto\","
         "\"role\":\"representative\"}",
         "municipality_id"},
        {"{\"name\":\"Rui\",\"email\":\"rui@test.pacto\","
         "\"role\":\"secretariat\",\"secretariat_area\":\"health\","
         "\"municipality_id\":\"" CG "\"}",
         "municipality_id"},
        {"{\"name\":\"Rui\",\"email\":\"rui@test.pacto\","
         "\"role\":\"representative\",\"municipality_id\":\"3304557\"}",
         "municipality_id"},
        {"{\"name\":\"Rui\",\"email\":\"rui@test.pacto\",\"role\":\"king\"}", "role"},
        /* Accounts made by someone else get an invitation, never a password. */
        {"{\"name\":\"Rui\",\"email\":\"rui@test.pacto\",\"password\":\"a-long-enough-pw\","
         "\"role\":\"secretariat\",\"secretariat_area\":\"health\"}",
         "password"},
        {"{\"name\":\"Rui\",\"email\":\"rui@test.pacto\",\"position\":\"Chefe\","
         "\"role\":\"secretariat\",\"secretariat_area\":\"health\"}",
         "position"},
    };
    const struct http_request post = {
        .method = "POST", .path = "/v1/users", .token = fixture_token(U_COORDINATION)};
    fixture_expect_invalid_bodies(&post, cases, sizeof cases / sizeof cases[0]);
}
END_TEST

START_TEST(test_create_duplicate_email)
{
    struct fixture_snapshot before = fixture_snapshot();
    expect_refused(create_user("{\"name\":\"Outra\",\"email\":\"Health@TEST.Pacto\","
                               "\"role\":\"secretariat\",\"secretariat_area\":\"economy\"}"),
                   409, "conflict", NULL);
    fixture_assert_unchanged(before);
}
END_TEST

/* ---- who may manage accounts ---- */

START_TEST(test_only_coordination_manages_accounts)
{
    char one[64];
    snprintf(one, sizeof one, "/v1/users/%s", fixture_user_id(U_MAYOR_DOURADOS));
    const struct {
        const char *method, *path, *body, *type;
    } ops[] = {
        {"POST", "/v1/users", HEALTH_USER, "application/json"},
        {"GET", "/v1/users", NULL, NULL},
        {"GET", one, NULL, NULL},
        {"PATCH", one, "{\"active\":false}", "application/merge-patch+json"},
    };
    static const enum fixture_user refused[] = {U_HEALTH, U_MAYOR_CG, U_REP_CG};
    struct fixture_snapshot before = fixture_snapshot();
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        struct http_request req = {.method = ops[i].method,
                                   .path = ops[i].path,
                                   .body = ops[i].body,
                                   .content_type = ops[i].type};
        for (size_t u = 0; u < sizeof refused / sizeof refused[0]; u++) {
            req.token = fixture_token(refused[u]);
            expect_refused(http_do(&req), 403, "forbidden", NULL);
        }
        req.token = NULL;
        struct http_response r = http_do(&req);
        ck_assert_ptr_nonnull(http_header(&r, "WWW-Authenticate"));
        expect_refused(r, 401, "unauthenticated", NULL);
    }
    fixture_assert_unchanged(before);
}
END_TEST

/* ---- listing and reading ---- */

START_TEST(test_list_filters)
{
    expect_listed("role=mayor", 2, U_MAYOR_CG, U_MAYOR_DOURADOS);
    expect_listed("role=secretariat", 3, U_COORDINATION, U_HEALTH, U_EDUCATION);
    expect_listed("municipality_id=" CG, 2, U_MAYOR_CG, U_REP_CG);
    expect_listed("secretariat_area=health", 1, U_HEALTH);
    expect_listed("role=mayor&municipality_id=" DOURADOS, 1, U_MAYOR_DOURADOS);
    fixture_exec("UPDATE users SET active = false WHERE email = 'rep.cg@test.pacto'");
    expect_listed("active=false", 1, U_REP_CG);
    expect_listed("active=true", 5, U_COORDINATION, U_HEALTH, U_MAYOR_CG, U_MAYOR_DOURADOS,
                  U_EDUCATION);
}
END_TEST

START_TEST(test_list_pagination)
{
    struct buf ids = {0}, path = {0};
    buf_puts(&path, "/v1/users?limit=2");
    int pages = 0;
    for (;;) {
        struct http_response r = http_get(buf_cstr(&path), fixture_token(U_COORDINATION));
        ck_assert_int_eq(r.status, 200);
        ck_assert_int_le(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "items")), 2);
        append_ids(&r, &ids);
        pages++;
        const char *next = http_json_string(&r, "next_cursor");
        if (next)
            ck_assert_ptr_nonnull(http_header(&r, "Link"));
        buf_reset(&path);
        if (next)
            buf_printf(&path, "/v1/users?limit=2&cursor=%s", next);
        http_response_free(&r);
        if (!path.len)
            break;
        ck_assert_int_lt(pages, 10);
    }
    ck_assert_int_eq(pages, 3);
    /* Every user once, in id order: no duplicates, nothing skipped. */
    struct buf want = {0};
    for (int u = 0; u < U_COUNT; u++)
        buf_printf(&want, "%s%s", u ? "," : "", fixture_user_id((enum fixture_user)u));
    ck_assert_str_eq(buf_cstr(&ids), buf_cstr(&want));
    buf_free(&want);
    buf_free(&ids);
    buf_free(&path);
}
END_TEST

START_TEST(test_list_bad_filters)
{
    static const char *const paths[] = {"/v1/users?role=king", "/v1/users?active=maybe",
                                        "/v1/users?secretariat_area=sports",
                                        "/v1/users?municipality_id=123", "/v1/users?colour=blue"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        expect_refused(http_get(paths[i], fixture_token(U_COORDINATION)), 400, "invalid-parameter",
                       NULL);
}
END_TEST

START_TEST(test_get_user_masks_cpf)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/users/%s", fixture_user_id(U_MAYOR_CG));
    struct http_response r = http_get(path, fixture_token(U_COORDINATION));
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "cpf"), "***.982.247-**");
    ck_assert_str_eq(http_json_string(&r, "email"), fixture_email(U_MAYOR_CG));
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/users/%s", fixture_user_id(U_COORDINATION));
    r = http_get(path, fixture_token(U_COORDINATION));
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "cpf"), "98765432100");
    http_response_free(&r);
    expect_refused(http_get("/v1/users/999999", fixture_token(U_COORDINATION)), 404, "not-found",
                   NULL);
    expect_refused(http_get("/v1/users/abc", fixture_token(U_COORDINATION)), 404, "not-found",
                   NULL);
}
END_TEST

/* ---- deactivating ---- */

/* The n-th (1-based) audit event of the user has these before/after active values. */
static void expect_active_audit(enum fixture_user u, int nth, const char *before, const char *after)
{
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM (SELECT * FROM audit_events"
                                   " WHERE entity = 'user' AND entity_id = '%s' ORDER BY id"
                                   " OFFSET %d LIMIT 1) e WHERE action = 'update' AND actor_id = %s"
                                   " AND before->>'active' = '%s' AND after->>'active' = '%s'",
                                   fixture_user_id(u), nth - 1, fixture_user_id(U_COORDINATION),
                                   before, after),
                     1);
}

/* SPEC 5: a deactivated user is refused on the next request, even with an
 * unexpired token. */
START_TEST(test_deactivate_and_reactivate)
{
    ck_assert_int_eq(fixture_get_status("/v1/me", fixture_token(U_MAYOR_CG)), 200);
    struct http_response r = patch_user(U_MAYOR_CG, "{\"active\":false}");
    ck_assert_int_eq(r.status, 200);
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r.json, "active")));
    http_response_free(&r);
    expect_refused(http_get("/v1/me", fixture_token(U_MAYOR_CG)), 401, "unauthenticated", NULL);
    expect_active_audit(U_MAYOR_CG, 1, "true", "false");

    r = patch_user(U_MAYOR_CG, "{\"active\":true}");
    ck_assert_int_eq(r.status, 200);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "active")));
    http_response_free(&r);
    ck_assert_int_eq(fixture_get_status("/v1/me", fixture_token(U_MAYOR_CG)), 200);
    expect_active_audit(U_MAYOR_CG, 2, "false", "true");
    ck_assert_int_eq(fixture_count("audit_events"), 2);
}
END_TEST

START_TEST(test_coordination_cannot_deactivate_itself)
{
    struct fixture_snapshot before = fixture_snapshot();
    expect_refused(patch_user(U_COORDINATION, "{\"active\":false}"), 422, "validation-failed",
                   "active");
    /* Not under another spelling of its id either. */
    char path[64];
    snprintf(path, sizeof path, "/v1/users/0%s", fixture_user_id(U_COORDINATION));
    expect_refused(http_patch(path, fixture_token(U_COORDINATION), "{\"active\":false}"), 404,
                   "not-found", NULL);
    fixture_assert_unchanged(before);
    ck_assert_int_eq(fixture_get_status("/v1/me", fixture_token(U_COORDINATION)), 200);
}
END_TEST

START_TEST(test_patch_user_refuses_other_fields)
{
    static const struct fixture_invalid_body cases[] = {
        {"{\"role\":\"secretariat\"}", "role"},
        {"{\"cpf\":\"" DOURADOS_MAYOR_CPF "\"}", "cpf"},
        {"{\"municipality_id\":\"" DOURADOS "\"}", "municipality_id"},
        {"{\"secretariat_area\":\"health\"}", "secretariat_area"},
        {"{\"password\":\"a-long-enough-password\"}", "password"},
        {"{\"active\":false,\"id\":7}", "id"},
        {"{\"active\":\"no\"}", "active"},
    };
    char path[64];
    snprintf(path, sizeof path, "/v1/users/%s", fixture_user_id(U_MAYOR_CG));
    const struct http_request patch = {.method = "PATCH",
                                       .path = path,
                                       .token = fixture_token(U_COORDINATION),
                                       .content_type = "application/merge-patch+json"};
    fixture_expect_invalid_bodies(&patch, cases, sizeof cases / sizeof cases[0]);
}
END_TEST

/* Each PATCH takes its own fields, whoever calls: the coordination's own
 * /v1/me takes no active flag, and a representative's position is theirs
 * alone to change. */
START_TEST(test_each_patch_takes_its_own_fields)
{
    static const struct fixture_invalid_body me[] = {
        {"{\"active\":true}", "active"}, {"{\"position\":\"Coordenadora\"}", "position"}};
    const struct http_request patch_me = {.method = "PATCH",
                                          .path = "/v1/me",
                                          .token = fixture_token(U_COORDINATION),
                                          .content_type = "application/merge-patch+json"};
    fixture_expect_invalid_bodies(&patch_me, me, sizeof me / sizeof me[0]);
    struct fixture_snapshot before = fixture_snapshot();
    expect_refused(patch_user(U_REP_CG, "{\"position\":\"Adjunta\"}"), 422, "validation-failed",
                   "position");
    expect_refused(patch_user(U_REP_CG, "{\"current_password\":\"" FIXTURE_PASSWORD "\"}"), 422,
                   "validation-failed", "current_password");
    fixture_assert_unchanged(before);
}
END_TEST

/* Deactivating an active account with no invitation changes active alone. */
START_TEST(test_deactivation_keeps_the_rest)
{
    struct http_response r = patch_user(U_MAYOR_CG, "{\"active\":false,\"name\":\"Maria S.\"}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "name"), "Maria S.");
    ck_assert_msg(strncmp(http_header(&r, "ETag"), "\"2-", 3) == 0, "ETag %s",
                  http_header(&r, "ETag"));
    http_response_free(&r);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM users WHERE id = %s AND NOT active"
                                   " AND password_hash IS NOT NULL AND email = '%s'",
                                   fixture_user_id(U_MAYOR_CG), fixture_email(U_MAYOR_CG)),
                     1);
    /* Deactivating it again changes nothing: no new version, no event. */
    struct fixture_snapshot before = fixture_snapshot();
    r = patch_user(U_MAYOR_CG, "{\"active\":false}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(strncmp(http_header(&r, "ETag"), "\"2-", 3) == 0, "ETag %s",
                  http_header(&r, "ETag"));
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

Suite *users_suite(void)
{
    Suite *s = suite_create("users");
    TCase *tc = tcase_create("create");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, test_create_secretariat_user);
    tcase_add_test(tc, test_create_mayor_with_formatted_cpf);
    tcase_add_test(tc, test_create_refusals_change_nothing);
    tcase_add_test(tc, test_create_duplicate_email);
    tcase_add_test(tc, test_only_coordination_manages_accounts);
    suite_add_tcase(s, tc);

    tc = tcase_create("read");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, test_list_filters);
    tcase_add_test(tc, test_list_pagination);
    tcase_add_test(tc, test_list_bad_filters);
    tcase_add_test(tc, test_get_user_masks_cpf);
    suite_add_tcase(s, tc);

    tc = tcase_create("deactivate");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, test_deactivate_and_reactivate);
    tcase_add_test(tc, test_coordination_cannot_deactivate_itself);
    tcase_add_test(tc, test_patch_user_refuses_other_fields);
    tcase_add_test(tc, test_each_patch_takes_its_own_fields);
    tcase_add_test(tc, test_deactivation_keeps_the_rest);
    suite_add_tcase(s, tc);
    return s;
}
