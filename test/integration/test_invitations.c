/*
 * Integration tests of invitations (POST /v1/users, POST /v1/auth/activate):
 *
 *   - the coordination creates the account of a newly elected mayor (the
 *     CPF registered for the municipality); the account is inactive and the
 *     answer carries a one-time invitation; the mayor cannot log in until
 *     they set a password with it, then logs in and is who /v1/me says;
 *   - an invitation works once: used, unknown and expired tokens get one
 *     and the same answer, and change nothing;
 *   - a password the policy refuses leaves the invitation usable;
 *   - deactivating an invited account withdraws its invitation;
 *   - a lost or expired invitation is replaced by a new one, which voids it;
 *   - a retried create replays the invitation without its token, which is
 *     never stored.
 */
#include "client.h"
#include "fixture.h"
#include "suites.h"

#include <stdio.h>
#include <string.h>

#define ANA_CPF      "86147352008"
#define ANA_EMAIL    "ana@saopaulo.sp.gov.br"
#define ANA_PASSWORD "ana-sets-her-own-password"
#define ANA_BODY                                                                                   \
    "{\"name\":\"Ana Souza\",\"email\":\"" ANA_EMAIL "\",\"role\":\"mayor\","                      \
    "\"municipality_id\":\"" SAO_PAULO "\",\"cpf\":\"861.473.520-08\"}"
#define BRUNO_BODY                                                                                 \
    "{\"name\":\"Bruno\",\"email\":\"bruno@test.pacto\",\"role\":\"secretariat\","                 \
    "\"secretariat_area\":\"education\"}"

/* The coordination creates an account; returns its invitation token in out
 * and the account id. */
static long invite(const char *body, char out[64])
{
    struct http_response r = http_post("/v1/users", fixture_token(U_COORDINATION), body);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r.json, "active")));
    const cJSON *inv = cJSON_GetObjectItemCaseSensitive(r.json, "invitation");
    ck_assert_ptr_nonnull(
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(inv, "expires_at")));
    snprintf(out, 64, "%s", fixture_invitation_token(&r));
    long id = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r.json, "id"));
    http_response_free(&r);
    return id;
}

/* The activation is refused as invitation-invalid and changes nothing. */
static void expect_invitation_invalid(const char *token)
{
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = fixture_activate(token, ANA_PASSWORD);
    http_expect_problem(&r, 422, "invitation-invalid");
    ck_assert_str_eq(http_json_string(&r, "detail"),
                     "This invitation is unknown, was already used or has expired; ask whoever "
                     "invited you for a new one.");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}

static long login_status(const char *email, const char *password)
{
    char body[256];
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    struct http_response r = http_post("/v1/auth/token", NULL, body);
    long status = r.status;
    http_response_free(&r);
    return status;
}

START_TEST(test_new_mayor_activates_and_logs_in)
{
    fixture_exec("UPDATE municipalities SET mayor_name = 'Ana Souza', mayor_cpf = '" ANA_CPF
                 "' WHERE ibge_code = '" SAO_PAULO "'");
    char token[64];
    long id = invite(ANA_BODY, token);
    /* No password yet: nothing logs in. */
    ck_assert_int_eq(login_status(ANA_EMAIL, ANA_PASSWORD), 401);

    struct http_response r = fixture_activate(token, ANA_PASSWORD);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "active")));
    ck_assert_str_eq(http_json_string(&r, "cpf"), ANA_CPF); /* her own: unmasked */
    ck_assert_str_eq(http_json_string(&r, "role"), "mayor");
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(r.json, "invitation"));
    http_response_free(&r);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM users WHERE id = %ld AND active"
                                   " AND invitation_hash IS NULL AND invitation_expires_at IS NULL",
                                   id),
                     1);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity = 'user'"
                                   " AND entity_id = '%ld' AND action = 'activate'"
                                   " AND actor_id = %ld AND before->>'active' = 'false'"
                                   " AND after->>'active' = 'true'",
                                   id, id),
                     1);

    char access[2048];
    fixture_login(ANA_EMAIL, ANA_PASSWORD, access, sizeof access);
    r = http_get("/v1/me", access);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "email"), ANA_EMAIL);
    ck_assert_str_eq(http_json_string(&r, "municipality_id"), SAO_PAULO);
    http_response_free(&r);

    /* One time only. */
    expect_invitation_invalid(token);
}
END_TEST

START_TEST(test_unknown_and_expired_invitations_are_refused)
{
    char token[64];
    invite(BRUNO_BODY, token);
    /* Each failure counts against the client address in the login throttle
     * (20 per 15 minutes, shared with the other suites): few of them here. */
    char other[64];
    snprintf(other, sizeof other, "%s", token);
    other[0] = other[0] == 'A' ? 'B' : 'A';
    expect_invitation_invalid(other);
    fixture_exec("UPDATE users SET invitation_expires_at = now() - interval '1 second'"
                 " WHERE email = 'bruno@test.pacto'");
    expect_invitation_invalid(token);
}
END_TEST

START_TEST(test_refused_password_keeps_the_invitation)
{
    char token[64];
    invite(BRUNO_BODY, token);
    static const struct fixture_invalid_body cases[] = {
        {"{\"password\":\"" ANA_PASSWORD "\"}", "token"},
        {"{\"token\":\"x\"}", "password"},
        {"{\"token\":\"x\",\"password\":\"" ANA_PASSWORD "\",\"email\":\"a@b.c\"}", "email"},
    };
    const struct http_request post = {.method = "POST", .path = "/v1/auth/activate"};
    fixture_expect_invalid_bodies(&post, cases, sizeof cases / sizeof cases[0]);

    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = fixture_activate(token, "short");
    fixture_expect_invalid(&r, "password");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    r = fixture_activate(token, ANA_PASSWORD);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
}
END_TEST

START_TEST(test_deactivation_withdraws_the_invitation)
{
    char token[64];
    long id = invite(BRUNO_BODY, token);
    char path[64];
    snprintf(path, sizeof path, "/v1/users/%ld", id);
    struct http_response r = http_patch(path, fixture_token(U_COORDINATION), "{\"active\":false}");
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    ck_assert_int_eq(
        fixture_longf("SELECT count(*) FROM users WHERE id = %ld AND invitation_hash IS NULL", id),
        1);
    expect_invitation_invalid(token);
}
END_TEST

static struct http_response reinvite(long id, const char *token)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/users/%ld/invitation", id);
    return http_post(path, token, NULL);
}

START_TEST(test_lost_invitation_is_replaced)
{
    char first[64], second[64];
    long id = invite(BRUNO_BODY, first);
    struct http_response r = reinvite(id, fixture_token(U_COORDINATION));
    ck_assert_int_eq(r.status, 200);
    snprintf(second, sizeof second, "%s", fixture_invitation_token(&r));
    http_response_free(&r);
    ck_assert_str_ne(first, second);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE action = 'invite'"
                                   " AND entity_id = '%ld'",
                                   id),
                     1);
    expect_invitation_invalid(first);
    r = fixture_activate(second, ANA_PASSWORD);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);

    /* Activated: no more invitations; other roles and unknown ids refused. */
    struct fixture_snapshot before = fixture_snapshot();
    r = reinvite(id, fixture_token(U_COORDINATION));
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    r = reinvite(id, fixture_token(U_HEALTH));
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = reinvite(999999, fixture_token(U_COORDINATION));
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(test_replayed_create_does_not_store_the_token)
{
    const char *headers[] = {"Idempotency-Key: bruno-1", NULL};
    const struct http_request create = {.method = "POST",
                                        .path = "/v1/users",
                                        .token = fixture_token(U_COORDINATION),
                                        .body = BRUNO_BODY,
                                        .headers = headers};
    struct http_response first = http_do(&create);
    ck_assert_int_eq(first.status, 201);
    char token[64];
    snprintf(token, sizeof token, "%s", fixture_invitation_token(&first));
    struct http_response again = http_do(&create);
    ck_assert_int_eq(again.status, 201);
    const cJSON *inv = cJSON_GetObjectItemCaseSensitive(again.json, "invitation");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(inv, "token")));
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM idempotency_keys WHERE strpos(body, '%s')"
                                   " > 0",
                                   token),
                     0);
    ck_assert_int_eq(fixture_count("idempotency_keys"), 1);
    http_response_free(&first);
    http_response_free(&again);
}
END_TEST

Suite *invitations_suite(void)
{
    Suite *s = suite_create("invitations");
    TCase *tc = tcase_create("activate");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, test_new_mayor_activates_and_logs_in);
    tcase_add_test(tc, test_unknown_and_expired_invitations_are_refused);
    tcase_add_test(tc, test_refused_password_keeps_the_invitation);
    tcase_add_test(tc, test_deactivation_withdraws_the_invitation);
    tcase_add_test(tc, test_lost_invitation_is_replaced);
    tcase_add_test(tc, test_replayed_create_does_not_store_the_token);
    suite_add_tcase(s, tc);
    return s;
}
