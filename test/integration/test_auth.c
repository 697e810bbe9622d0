/*
 * Integration tests of authentication and of the caller's own account:
 *
 *   - logging in (POST /v1/auth/token): a working token for good credentials,
 *     case-insensitive e-mails, one indistinguishable 401 for a wrong
 *     password, an unknown e-mail or a deactivated account, throttling after
 *     repeated failures, and refused bodies;
 *   - bearer tokens over real HTTP: tokens forged in this file with OpenSSL
 *     (alg "none", HS512, wrong secret, expired, not yet valid, wrong or
 *     missing audience, wrong issuer, ill-typed exp, tampered payload, an
 *     oversized token) are refused with 401 and WWW-Authenticate, and a
 *     correctly crafted one is accepted;
 *   - revocation: a deactivated account, or one whose role no longer matches
 *     its token, is refused on the next request (SPEC 5);
 *   - GET/PATCH /v1/me: own profile with own CPF, merge-patch rules,
 *     read-only fields, password change, e-mail conflicts, If-Match, and one
 *     audit event per real change.
 */
#include "client.h"
#include "fixture.h"
#include "suites.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NEW_PASSWORD "a-brand-new-passphrase-42"

/* ---- helpers ---- */

static long user_audits(enum fixture_user u)
{
    return fixture_longf(
        "SELECT count(*) FROM audit_events WHERE entity = 'user' AND entity_id = '%s'",
        fixture_user_id(u));
}

static struct http_response login(const char *email, const char *password)
{
    char body[512];
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    return http_post("/v1/auth/token", NULL, body);
}

static long login_status(const char *email, const char *password)
{
    struct http_response r = login(email, password);
    long status = r.status;
    http_response_free(&r);
    return status;
}

static void assert_refused_token(const char *token)
{
    struct http_response r = http_get("/v1/me", token);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
}

static struct http_response patch_me(enum fixture_user u, const char *json)
{
    return http_patch("/v1/me", fixture_token(u), json);
}

/* PATCH /v1/me as u with each body: each is refused naming its field, and
 * nothing changes. */
static void expect_me_patches_invalid(enum fixture_user u, const struct fixture_invalid_body *cases,
                                      size_t n)
{
    const struct http_request patch = {.method = "PATCH",
                                       .path = "/v1/me",
                                       .token = fixture_token(u),
                                       .content_type = "application/merge-patch+json"};
    fixture_expect_invalid_bodies(&patch, cases, n);
}

/* ---- crafting tokens ---- */

static const char *env(const char *name)
{
    const char *v = getenv(name);
    ck_assert_msg(v != NULL, "%s is not set", name);
    return v;
}

static void b64url(struct buf *out, const void *data, size_t len)
{
    char *tmp = malloc(4 * ((len + 2) / 3) + 1);
    ck_assert_ptr_nonnull(tmp);
    int n = EVP_EncodeBlock((unsigned char *)tmp, data, (int)len);
    for (int i = 0; i < n && tmp[i] != '='; i++)
        buf_putc(out, tmp[i] == '+' ? '-' : tmp[i] == '/' ? '_' : tmp[i]);
    free(tmp);
}

/* A token for the coordination account; zero members mean "as the server
 * would issue it". */
struct craft {
    const char *alg;    /* header alg; NULL: HS256 */
    const char *md;     /* MAC digest; NULL: SHA256; "": empty signature */
    const char *secret; /* NULL: PACTO_JWT_SECRET */
    const char *iss;    /* NULL: PACTO_JWT_ISSUER */
    const char *aud;    /* NULL: PACTO_JWT_AUDIENCE; "": no aud claim */
    long exp_in;        /* exp - now; 0: 600 */
    bool exp_as_string;
    long nbf_in;      /* nbf - now; 0: no nbf */
    const char *role; /* NULL: secretariat */
    size_t padding;   /* length of an extra claim, to make the token long */
};

static void craft(const struct craft *c, struct buf *token)
{
    long now = (long)time(NULL);
    long exp = now + (c->exp_in ? c->exp_in : 600);
    struct buf json = {0};
    buf_printf(&json, "{\"alg\":\"%s\",\"typ\":\"JWT\"}", c->alg ? c->alg : "HS256");
    b64url(token, json.data, json.len);
    buf_reset(&json);
    buf_printf(&json,
               "{\"sub\":\"%s\",\"role\":\"%s\",\"secretariat_area\":\"coordination\","
               "\"iat\":%ld,\"exp\":%s%ld%s,\"iss\":\"%s\"",
               fixture_user_id(U_COORDINATION), c->role ? c->role : "secretariat", now - 5,
               c->exp_as_string ? "\"" : "", exp, c->exp_as_string ? "\"" : "",
               c->iss ? c->iss : env("PACTO_JWT_ISSUER"));
    if (!c->aud || c->aud[0])
        buf_printf(&json, ",\"aud\":\"%s\"", c->aud ? c->aud : env("PACTO_JWT_AUDIENCE"));
    if (c->nbf_in)
        buf_printf(&json, ",\"nbf\":%ld", now + c->nbf_in);
    if (c->padding) {
        buf_puts(&json, ",\"pad\":\"");
        for (size_t i = 0; i < c->padding; i++)
            buf_putc(&json, 'x');
        buf_putc(&json, '"');
    }
    buf_putc(&json, '}');
    buf_putc(token, '.');
    b64url(token, json.data, json.len);
    buf_free(&json);
    const char *md = c->md ? c->md : "SHA256";
    if (md[0]) {
        const char *secret = c->secret ? c->secret : env("PACTO_JWT_SECRET");
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int mac_len = 0;
        ck_assert_ptr_nonnull(HMAC(EVP_get_digestbyname(md), secret, (int)strlen(secret),
                                   (const unsigned char *)token->data, token->len, mac, &mac_len));
        buf_putc(token, '.');
        b64url(token, mac, mac_len);
    } else {
        buf_putc(token, '.');
    }
}

/* ---- logging in ---- */

START_TEST(test_login_returns_working_token)
{
    struct http_response r = login(fixture_email(U_COORDINATION), FIXTURE_PASSWORD);
    ck_assert_int_eq(r.status, 200);
    const char *cc = http_header(&r, "Cache-Control");
    ck_assert_msg(cc && strstr(cc, "no-store"), "Cache-Control: %s", cc ? cc : "(none)");
    ck_assert_str_eq(http_json_string(&r, "token_type"), "Bearer");
    const cJSON *expires = cJSON_GetObjectItemCaseSensitive(r.json, "expires_in");
    ck_assert(cJSON_IsNumber(expires) && expires->valuedouble > 0);
    const char *token = http_json_string(&r, "access_token");
    ck_assert_ptr_nonnull(token);
    struct http_response me = http_get("/v1/me", token);
    ck_assert_int_eq(me.status, 200);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(me.json, "id");
    ck_assert_int_eq((long)cJSON_GetNumberValue(id), atol(fixture_user_id(U_COORDINATION)));
    http_response_free(&me);
    http_response_free(&r);
}
END_TEST

START_TEST(test_login_email_is_case_insensitive)
{
    ck_assert_int_eq(login_status("COORD@Test.PACTO", FIXTURE_PASSWORD), 200);
}
END_TEST

/* Wrong password, unknown e-mail and deactivated account: one answer. */
START_TEST(test_login_refusals_look_alike)
{
    fixture_exec("UPDATE users SET active = false WHERE email = 'rep.cg@test.pacto'");
    static const struct {
        const char *email, *password;
    } cases[] = {
        {"health@test.pacto", "not-the-password-at-all"},
        {"nobody@test.pacto", FIXTURE_PASSWORD},
        {"rep.cg@test.pacto", FIXTURE_PASSWORD},
    };
    char first_detail[256] = "";
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_response r = login(cases[i].email, cases[i].password);
        http_expect_problem(&r, 401, "invalid-credentials");
        ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(r.json, "access_token"));
        const char *detail = http_json_string(&r, "detail");
        ck_assert_ptr_nonnull(detail);
        if (i == 0)
            snprintf(first_detail, sizeof first_detail, "%s", detail);
        ck_assert_str_eq(detail, first_detail);
        http_response_free(&r);
    }
}
END_TEST

/* The account's e-mail has a non-ASCII letter, and each attempt spells it
 * in another case: the limit counts per account, however it is spelled. */
START_TEST(test_login_throttled_after_five_failures)
{
    /* An account of its own: nothing else fails logins for it. */
    fixture_exec("INSERT INTO users (name, email, role, secretariat_area, password_hash)"
                 " SELECT 'José', 'jos\xc3\xa9@test.pacto', 'secretariat', 'economy',"
                 "        password_hash FROM users WHERE email = 'coord@test.pacto'");
    static const char *const spellings[] = {"jos\xc3\xa9@test.pacto", "JOS\xc3\x89@TEST.PACTO",
                                            "jos\xc3\x89@test.pacto", "Jos\xc3\xa9@Test.Pacto",
                                            "jOS\xc3\x89@test.pacto", "JOS\xc3\xa9@test.pacto"};
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(login_status(spellings[i], "wrong-password-123"), 401);
    struct http_response r = login(spellings[5], FIXTURE_PASSWORD);
    http_expect_problem(&r, 429, "too-many-requests");
    const char *retry = http_header(&r, "Retry-After");
    ck_assert_ptr_nonnull(retry);
    ck_assert_int_gt(atol(retry), 0);
    ck_assert_int_le(atol(retry), 900);
    http_response_free(&r);
}
END_TEST

START_TEST(test_login_bad_bodies)
{
    struct http_response r = http_post("/v1/auth/token", NULL, "{\"email\":\"coord@test.pacto\"}");
    fixture_expect_invalid(&r, "password");
    http_response_free(&r);
    r = http_post("/v1/auth/token", NULL, "email=coord@test.pacto");
    http_expect_problem(&r, 400, "malformed-request");
    http_response_free(&r);
    r = http_do(&(struct http_request){
        .method = "POST",
        .path = "/v1/auth/token",
        .content_type = "text/plain",
        .body = "{\"email\":\"coord@test.pacto\",\"password\":\"" FIXTURE_PASSWORD "\"}"});
    http_expect_problem(&r, 415, "unsupported-media-type");
    http_response_free(&r);
}
END_TEST

/* ---- forged and stale tokens ---- */

static const struct {
    const char *what;
    struct craft c;
} forged[] = {
    {"alg none, empty signature", {.alg = "none", .md = ""}},
    {"HS512", {.alg = "HS512", .md = "SHA512"}},
    {"wrong secret", {.secret = "another-secret-0123456789abcdef0123456789"}},
    {"expired beyond the leeway", {.exp_in = -120}},
    {"nbf in the future", {.nbf_in = 600}},
    {"wrong issuer", {.iss = "someone-else"}},
    {"wrong audience", {.aud = "another-api"}},
    {"no audience", {.aud = ""}},
    {"exp as a string", {.exp_as_string = true}},
    {"10 KB long", {.padding = 7700}},
};

START_TEST(test_forged_tokens_refused)
{
    struct buf token = {0};
    for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
        buf_reset(&token);
        craft(&forged[i].c, &token);
        ck_assert(!forged[i].c.padding || token.len >= 10 * 1024);
        struct http_response r = http_get("/v1/me", buf_cstr(&token));
        ck_assert_msg(r.status == 401, "%s: got %ld", forged[i].what, r.status);
        fixture_expect_unauthenticated(&r);
        http_response_free(&r);
    }
    /* The same crafting, done right, is accepted. */
    buf_reset(&token);
    craft(&(struct craft){0}, &token);
    ck_assert_int_eq(fixture_get_status("/v1/me", buf_cstr(&token)), 200);
    buf_free(&token);
}
END_TEST

START_TEST(test_tampered_payload_refused)
{
    struct buf good = {0}, evil = {0};
    craft(&(struct craft){0}, &good);
    craft(&(struct craft){.role = "mayor"}, &evil);
    /* The tampered header and payload with the genuine signature. */
    evil.len = (size_t)(strrchr(buf_cstr(&evil), '.') - evil.data);
    buf_puts(&evil, strrchr(buf_cstr(&good), '.'));
    assert_refused_token(buf_cstr(&evil));
    buf_free(&good);
    buf_free(&evil);
}
END_TEST

/* SPEC 5: a deactivated user is refused on the next request, even with an
 * unexpired token. */
START_TEST(test_deactivated_account_token_refused)
{
    ck_assert_int_eq(fixture_get_status("/v1/me", fixture_token(U_MAYOR_CG)), 200);
    fixture_exec("UPDATE users SET active = false WHERE email = 'mayor.cg@test.pacto'");
    assert_refused_token(fixture_token(U_MAYOR_CG));
}
END_TEST

START_TEST(test_token_with_stale_role_refused)
{
    fixture_exec("UPDATE users SET secretariat_area = 'health' WHERE email = 'coord@test.pacto'");
    assert_refused_token(fixture_token(U_COORDINATION));
}
END_TEST

/* ---- GET /v1/me ---- */

START_TEST(test_me_shows_own_profile)
{
    struct http_response r = http_get("/v1/me", fixture_token(U_MAYOR_CG));
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "cpf"), CG_MAYOR_CPF);
    ck_assert_str_eq(http_json_string(&r, "role"), "mayor");
    ck_assert_str_eq(http_json_string(&r, "municipality_id"), CG);
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(r.json, "password_hash"));
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    http_response_free(&r);
    r = http_get("/v1/me", NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
}
END_TEST

/* ---- PATCH /v1/me ---- */

START_TEST(test_me_patch_name_and_phone)
{
    struct http_response r =
        patch_me(U_MAYOR_CG, "{\"name\":\"Maria Souza\",\"phone\":\"+55 67 99999-0000\"}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "name"), "Maria Souza");
    ck_assert_str_eq(http_json_string(&r, "phone"), "+55 67 99999-0000");
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    http_response_free(&r);
    ck_assert_int_eq(
        fixture_longf("SELECT count(*) FROM users WHERE id = %s AND name = 'Maria Souza'"
                      " AND phone = '+55 67 99999-0000'",
                      fixture_user_id(U_MAYOR_CG)),
        1);
    ck_assert_int_eq(fixture_count("audit_events"), 1);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity = 'user'"
                                   " AND action = 'update' AND entity_id = '%s' AND actor_id = %s",
                                   fixture_user_id(U_MAYOR_CG), fixture_user_id(U_MAYOR_CG)),
                     1);
}
END_TEST

START_TEST(test_me_patch_refuses_readonly_and_unknown_fields)
{
    static const struct fixture_invalid_body cases[] = {
        {"{\"role\":\"secretariat\"}", "role"},
        {"{\"active\":false}", "active"},
        {"{\"municipality_id\":\"" DOURADOS "\"}", "municipality_id"},
        {"{\"secretariat_area\":\"health\"}", "secretariat_area"},
        {"{\"cpf\":\"" DOURADOS_MAYOR_CPF "\"}", "cpf"},
        {"{\"id\":1}", "id"},
        {"{\"nickname\":\"Mari\"}", "nickname"},
        {"{\"name\":\"Maria Souza\",\"role\":\"secretariat\"}", "role"},
    };
    expect_me_patches_invalid(U_MAYOR_CG, cases, sizeof cases / sizeof cases[0]);
}
END_TEST

START_TEST(test_me_password_change_rules)
{
    static const struct fixture_invalid_body cases[] = {
        {"{\"password\":\"" NEW_PASSWORD "\"}", "current_password"},
        {"{\"password\":\"" NEW_PASSWORD "\",\"current_password\":\"not-my-password-1\"}",
         "current_password"},
        {"{\"password\":\"short-pw\",\"current_password\":\"" FIXTURE_PASSWORD "\"}", "password"},
    };
    expect_me_patches_invalid(U_REP_CG, cases, sizeof cases / sizeof cases[0]);
}
END_TEST

START_TEST(test_me_password_change)
{
    const char *email = fixture_email(U_MAYOR_DOURADOS);
    struct http_response r =
        patch_me(U_MAYOR_DOURADOS, "{\"password\":\"" NEW_PASSWORD
                                   "\",\"current_password\":\"" FIXTURE_PASSWORD "\"}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(r.json, "password"));
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(r.json, "password_hash"));
    http_response_free(&r);
    ck_assert_int_eq(user_audits(U_MAYOR_DOURADOS), 1);
    ck_assert_int_eq(login_status(email, NEW_PASSWORD), 200);
    ck_assert_int_eq(login_status(email, FIXTURE_PASSWORD), 401);
}
END_TEST

/* A password is the person's own: outer spaces and control characters are
 * kept as typed, never trimmed or judged as text, and never stored or
 * audited as given. */
START_TEST(test_me_password_is_kept_as_typed)
{
    const char *email = fixture_email(U_REP_CG);
    struct http_response r = patch_me(U_REP_CG, "{\"password\":\"  spaced\\tout pass  \","
                                                "\"current_password\":\"" FIXTURE_PASSWORD "\"}");
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    http_response_free(&r);
    ck_assert_int_eq(login_status(email, "  spaced\\tout pass  "), 200);
    ck_assert_int_eq(login_status(email, "spaced\\tout pass"), 401);
    ck_assert_int_eq(
        fixture_long("SELECT count(*) FROM audit_events"
                     " WHERE before::text LIKE '%spaced%' OR after::text LIKE '%spaced%'"),
        0);
    /* And it is the current password of the next change. */
    r = patch_me(U_REP_CG, "{\"password\":\"" NEW_PASSWORD "\","
                           "\"current_password\":\"  spaced\\tout pass  \"}");
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    http_response_free(&r);
    ck_assert_int_eq(login_status(email, NEW_PASSWORD), 200);
}
END_TEST

START_TEST(test_me_email_taken)
{
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = patch_me(U_MAYOR_CG, "{\"email\":\"Health@TEST.pacto\"}");
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(test_me_stale_if_match)
{
    struct http_response r = http_get("/v1/me", fixture_token(U_MAYOR_CG));
    char etag[64];
    snprintf(etag, sizeof etag, "If-Match: %s", http_header(&r, "ETag"));
    http_response_free(&r);
    r = patch_me(U_MAYOR_CG, "{\"name\":\"First Edit\"}");
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    /* A second writer still holding the first ETag. */
    struct fixture_snapshot before = fixture_snapshot();
    const char *headers[] = {etag, NULL};
    r = http_do(&(struct http_request){.method = "PATCH",
                                       .path = "/v1/me",
                                       .token = fixture_token(U_MAYOR_CG),
                                       .content_type = "application/merge-patch+json",
                                       .body = "{\"name\":\"Second Edit\"}",
                                       .headers = headers});
    http_expect_problem(&r, 412, "precondition-failed");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(test_me_noop_patch_writes_nothing)
{
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = patch_me(U_MAYOR_CG, "{\"name\":\"Maria\"}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "name"), "Maria");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

Suite *auth_suite(void)
{
    Suite *s = suite_create("auth");
    TCase *tc = tcase_create("login");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, test_login_returns_working_token);
    tcase_add_test(tc, test_login_email_is_case_insensitive);
    tcase_add_test(tc, test_login_refusals_look_alike);
    tcase_add_test(tc, test_login_throttled_after_five_failures);
    tcase_add_test(tc, test_login_bad_bodies);
    suite_add_tcase(s, tc);

    tc = tcase_create("tokens");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, test_forged_tokens_refused);
    tcase_add_test(tc, test_tampered_payload_refused);
    tcase_add_test(tc, test_deactivated_account_token_refused);
    tcase_add_test(tc, test_token_with_stale_role_refused);
    suite_add_tcase(s, tc);

    tc = tcase_create("me");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, test_me_shows_own_profile);
    tcase_add_test(tc, test_me_patch_name_and_phone);
    tcase_add_test(tc, test_me_patch_refuses_readonly_and_unknown_fields);
    tcase_add_test(tc, test_me_password_change_rules);
    tcase_add_test(tc, test_me_password_change);
    tcase_add_test(tc, test_me_password_is_kept_as_typed);
    tcase_add_test(tc, test_me_email_taken);
    tcase_add_test(tc, test_me_stale_if_match);
    tcase_add_test(tc, test_me_noop_patch_writes_nothing);
    suite_add_tcase(s, tc);
    return s;
}
