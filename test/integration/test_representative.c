/*
 * Integration tests of the municipal representative
 * (/v1/municipalities/{ibge_code}/representative), as SPEC 1 step 3 tells it:
 *
 *   - after adhering, the mayor appoints a representative, who receives an
 *     invitation, activates the account and completes their own data through
 *     PATCH /v1/me; the public sees only the name and position, the
 *     municipality and the secretariat the contact data;
 *   - a second appointment replaces the first representative, who is refused
 *     on the very next request with an unexpired token (SPEC 5);
 *   - appointing the same person again updates them;
 *   - refused: without an adhesion, by anyone but the municipality's mayor,
 *     with another account's e-mail, with invalid data; nothing changes.
 */
#include "client.h"
#include "fixture.h"
#include "suites.h"

#include <stdio.h>
#include <string.h>

#define REP_PATH(code) "/v1/municipalities/" code "/representative"
#define CARLA_EMAIL    "carla@campogrande.ms.gov.br"
#define CARLA_PASSWORD "carla-long-password"
#define CARLA_BODY                                                                                 \
    "{\"name\":\"Carla Dias\",\"cpf\":\"123.456.789-09\",\"email\":\"" CARLA_EMAIL "\","           \
    "\"phone\":\"+55 67 3314-0000\",\"position\":\"Secretária de Planejamento\"}"
#define DAVI_BODY                                                                                  \
    "{\"name\":\"Davi Melo\",\"cpf\":\"23456789173\",\"email\":\"davi@campogrande.ms.gov.br\","    \
    "\"position\":\"Chefe de Gabinete\"}"

/* An open cycle of the municipality's state and its active adhesion, signed
 * by its mayor (the adhesion endpoints are tested elsewhere). */
static void adhere(const char *code, enum fixture_user mayor, const char *status)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
             "                    pact_opens_at, pact_closes_at, target_year, commitments)"
             " VALUES ('Ciclo %s', %.2s, now() - interval '1 day', now() + interval '9 days',"
             "         now() + interval '30 days', now() + interval '60 days', 2028, '[]')",
             code, code);
    fixture_exec(sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments,"
             "                       status, withdrawn_at)"
             " SELECT c.id, '%s', 'MS-2026-%s', %s, '[]', '%s',"
             "        CASE WHEN '%s' = 'withdrawn' THEN now() END"
             "   FROM cycles c WHERE c.name = 'Ciclo %s'",
             code, code, fixture_user_id(mayor), status, status, code);
    fixture_exec(sql);
}

static struct http_response appoint(const char *token, const char *path, const char *body)
{
    return http_do(
        &(struct http_request){.method = "PUT", .path = path, .token = token, .body = body});
}

static long user_id_of(const struct http_response *r)
{
    return (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r->json, "user_id"));
}

/* The CG mayor appoints; the answer must have `status`. Returns the
 * representative's id and copies the invitation token (if any) into token. */
static long appoint_cg(const char *body, long status, char token[64])
{
    struct http_response r = appoint(fixture_token(U_MAYOR_CG), REP_PATH(CG), body);
    ck_assert_msg(r.status == status, "%ld %s", r.status, buf_cstr(&r.body));
    if (token)
        snprintf(token, 64, "%s", fixture_invitation_token(&r));
    long id = user_id_of(&r);
    http_response_free(&r);
    return id;
}

static long audit_count(void) { return fixture_count("audit_events"); }

/* The appointment is refused with status and problem type, and changes nothing. */
static void expect_refused(const char *token, const char *path, const char *body, long status,
                           const char *slug)
{
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = appoint(token, path, body);
    http_expect_problem(&r, status, slug);
    http_response_free(&r);
    fixture_assert_unchanged(before);
}

START_TEST(test_mayor_appoints_and_representative_completes_data)
{
    adhere(CG, U_MAYOR_CG, "active");
    struct http_response r = appoint(fixture_token(U_MAYOR_CG), REP_PATH(CG), CARLA_BODY);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_str_eq(http_header(&r, "Location"), REP_PATH(CG));
    ck_assert_str_eq(http_json_string(&r, "name"), "Carla Dias");
    ck_assert_str_eq(http_json_string(&r, "cpf"), "***.456.789-**");
    ck_assert_str_eq(http_json_string(&r, "position"), "Secretária de Planejamento");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r.json, "active")));
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "invitation_pending")));
    long id = user_id_of(&r);
    char token[64];
    snprintf(token, sizeof token, "%s", fixture_invitation_token(&r));
    http_response_free(&r);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM municipalities m JOIN users u"
                                   "    ON u.id = m.representative_id"
                                   " WHERE m.ibge_code = '" CG "' AND u.id = %ld"
                                   "   AND u.role = 'representative' AND NOT u.active"
                                   "   AND u.municipality_id = '" CG "'",
                                   id),
                     1);
    /* One event per changed row: the new account, the municipality. */
    ck_assert_int_eq(audit_count(), 2);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity = 'municipality'"
                                   " AND entity_id = '" CG "' AND action = 'update'"
                                   " AND before->>'representative_id' IS NULL"
                                   " AND (after->>'representative_id')::bigint = %ld",
                                   id),
                     1);

    /* The public sees the name and position only. */
    static const enum fixture_user outsiders[] = {U_MAYOR_DOURADOS, U_COUNT};
    for (size_t i = 0; i < sizeof outsiders / sizeof outsiders[0]; i++) {
        r = http_get(REP_PATH(CG), outsiders[i] == U_COUNT ? NULL : fixture_token(outsiders[i]));
        ck_assert_int_eq(r.status, 200);
        ck_assert_int_eq(cJSON_GetArraySize(r.json), 2);
        ck_assert_str_eq(http_json_string(&r, "name"), "Carla Dias");
        ck_assert_str_eq(http_json_string(&r, "position"), "Secretária de Planejamento");
        http_response_free(&r);
    }
    r = http_get(REP_PATH(CG), fixture_token(U_HEALTH));
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "email"), CARLA_EMAIL);
    ck_assert_str_eq(http_json_string(&r, "cpf"), "***.456.789-**");
    http_response_free(&r);

    /* Carla activates and completes her data. */
    r = fixture_activate(token, CARLA_PASSWORD);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    char access[2048];
    fixture_login(CARLA_EMAIL, CARLA_PASSWORD, access, sizeof access);
    r = http_do(&(struct http_request){
        .method = "PATCH",
        .path = "/v1/me",
        .token = access,
        .content_type = "application/merge-patch+json",
        .body = "{\"position\":\"Secretária Adjunta\",\"phone\":\"67 3314-0001\"}"});
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_str_eq(http_json_string(&r, "position"), "Secretária Adjunta");
    http_response_free(&r);
    r = http_get(REP_PATH(CG), access);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "cpf"), "12345678909"); /* her own */
    ck_assert_str_eq(http_json_string(&r, "phone"), "67 3314-0001");
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "active")));
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r.json, "invitation_pending")));
    http_response_free(&r);
}
END_TEST

/* SPEC 5: a replaced representative is refused on the next request. */
START_TEST(test_second_appointment_locks_out_the_first)
{
    adhere(CG, U_MAYOR_CG, "active");
    char token[64];
    long carla = appoint_cg(CARLA_BODY, 201, token);
    struct http_response r = fixture_activate(token, CARLA_PASSWORD);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    char access[2048];
    fixture_login(CARLA_EMAIL, CARLA_PASSWORD, access, sizeof access);
    ck_assert_int_eq(fixture_get_status("/v1/me", access), 200);

    long events = audit_count();
    long davi = appoint_cg(DAVI_BODY, 200, token);
    r = http_get("/v1/me", access);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    ck_assert_int_eq(
        fixture_longf("SELECT count(*) FROM users WHERE id = %ld AND NOT active", carla), 1);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM municipalities"
                                   " WHERE ibge_code = '" CG "' AND representative_id = %ld",
                                   davi),
                     1);
    /* Davi created, Carla deactivated, the municipality's representative changed. */
    ck_assert_int_eq(audit_count(), events + 3);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity = 'user'"
                                   " AND entity_id = '%ld' AND action = 'update'"
                                   " AND before->>'active' = 'true' AND after->>'active' = 'false'",
                                   carla),
                     1);
}
END_TEST

START_TEST(test_replaced_before_activating_loses_the_invitation)
{
    adhere(CG, U_MAYOR_CG, "active");
    char token[64], ignored[64];
    appoint_cg(CARLA_BODY, 201, token);
    appoint_cg(DAVI_BODY, 200, ignored);
    struct http_response r = fixture_activate(token, CARLA_PASSWORD);
    http_expect_problem(&r, 422, "invitation-invalid");
    http_response_free(&r);
}
END_TEST

START_TEST(test_appointing_the_same_person_updates_them)
{
    adhere(CG, U_MAYOR_CG, "active");
    char first[64], second[64];
    long id = appoint_cg(CARLA_BODY, 201, first);
    long users = fixture_count("users");
    static const char again[] = "{\"name\":\"Carla Dias\",\"cpf\":\"12345678909\","
                                "\"email\":\"CARLA@campogrande.ms.gov.br\","
                                "\"position\":\"Secretária Executiva\"}";
    ck_assert_int_eq(appoint_cg(again, 200, second), id);
    ck_assert_str_ne(first, second); /* she never activated: a fresh invitation */
    ck_assert_int_eq(fixture_count("users"), users);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM users WHERE id = %ld AND phone IS NULL"
                                   " AND position = 'Secretária Executiva'",
                                   id),
                     1);
}
END_TEST

START_TEST(test_appointing_without_adhesion_is_refused)
{
    adhere(DOURADOS, U_MAYOR_DOURADOS, "withdrawn");
    expect_refused(fixture_token(U_MAYOR_DOURADOS), REP_PATH(DOURADOS), DAVI_BODY, 422,
                   "adhesion-required");
}
END_TEST

START_TEST(test_only_the_mayor_appoints)
{
    adhere(CG, U_MAYOR_CG, "active");
    static const enum fixture_user refused[] = {U_MAYOR_DOURADOS, U_REP_CG, U_COORDINATION,
                                                U_HEALTH};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        expect_refused(fixture_token(refused[i]), REP_PATH(CG), DAVI_BODY, 403, "forbidden");
    expect_refused(NULL, REP_PATH(CG), DAVI_BODY, 401, "unauthenticated");
}
END_TEST

START_TEST(test_bad_appointments_change_nothing)
{
    adhere(CG, U_MAYOR_CG, "active");
    /* Another account's e-mail, whatever its case. */
    static const char *const taken[] = {"HEALTH@test.pacto", "mayor.cg@test.pacto",
                                        "mayor.dourados@test.pacto"};
    for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"name\":\"X\",\"cpf\":\"34567891228\",\"email\":\"%s\",\"position\":\"Y\"}",
                 taken[i]);
        expect_refused(fixture_token(U_MAYOR_CG), REP_PATH(CG), body, 409, "conflict");
    }
    static const struct fixture_invalid_body cases[] = {
        {"{\"name\":\"X\",\"cpf\":\"123.456.789-00\",\"email\":\"x@cg.br\",\"position\":\"Y\"}",
         "cpf"},
        {"{\"name\":\"X\",\"cpf\":\"34567891228\",\"email\":\"x@cg.br\"}", "position"},
        {"{\"name\":\"X\",\"cpf\":\"34567891228\",\"email\":\"x\",\"position\":\"Y\"}", "email"},
        {"{\"name\":\"X\",\"email\":\"x@cg.br\",\"position\":\"Y\"}", "cpf"},
        {"{\"name\":\"X\",\"cpf\":\"34567891228\",\"email\":\"x@cg.br\",\"position\":\"Y\","
         "\"phone\":\"call me\"}",
         "phone"},
        {"{\"name\":\"X\",\"cpf\":\"34567891228\",\"email\":\"x@cg.br\",\"position\":\"Y\","
         "\"active\":true}",
         "active"},
    };
    const struct http_request put = {
        .method = "PUT", .path = REP_PATH(CG), .token = fixture_token(U_MAYOR_CG)};
    fixture_expect_invalid_bodies(&put, cases, sizeof cases / sizeof cases[0]);
}
END_TEST

START_TEST(test_only_representatives_have_a_position)
{
    static const struct fixture_invalid_body mayor[] = {
        {"{\"position\":\"Prefeita\"}", "position"}};
    static const struct fixture_invalid_body rep[] = {{"{\"position\":null}", "position"},
                                                      {"{\"position\":\"\"}", "position"}};
    struct http_request patch = {.method = "PATCH",
                                 .path = "/v1/me",
                                 .token = fixture_token(U_MAYOR_CG),
                                 .content_type = "application/merge-patch+json"};
    fixture_expect_invalid_bodies(&patch, mayor, 1);
    patch.token = fixture_token(U_REP_CG);
    fixture_expect_invalid_bodies(&patch, rep, 2);
}
END_TEST

START_TEST(test_no_representative_yet_is_not_found)
{
    struct http_response r = http_get(REP_PATH(CG), fixture_token(U_MAYOR_CG));
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    r = http_get(REP_PATH("9999999"), NULL);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
}
END_TEST

Suite *representative_suite(void)
{
    Suite *s = suite_create("representative");
    TCase *tc = tcase_create("appoint");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, test_mayor_appoints_and_representative_completes_data);
    tcase_add_test(tc, test_second_appointment_locks_out_the_first);
    tcase_add_test(tc, test_replaced_before_activating_loses_the_invitation);
    tcase_add_test(tc, test_appointing_the_same_person_updates_them);
    suite_add_tcase(s, tc);

    tc = tcase_create("refused");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, test_appointing_without_adhesion_is_refused);
    tcase_add_test(tc, test_only_the_mayor_appoints);
    tcase_add_test(tc, test_bad_appointments_change_nothing);
    tcase_add_test(tc, test_only_representatives_have_a_position);
    tcase_add_test(tc, test_no_representative_yet_is_not_found);
    suite_add_tcase(s, tc);
    return s;
}
