/*
 * Integration tests for the municipality endpoints: reading one municipality
 * (who sees the mayor's name and CPF, masked or not), the public list with its
 * filters and CSV form, creation by the coordination secretariat with every
 * validation rule, and JSON Merge Patch updates (new mayor after an election,
 * If-Match, clearing fields, refused fields). Every refused write is checked
 * to leave municipalities and audit_events unchanged.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <stdio.h>
#include <string.h>

#define NEW_MAYOR_CPF        "86147352008" /* valid CPF, nobody's in the fixture */
#define NEW_MAYOR_CPF_MASKED "***.473.520-**"
#define CG_CPF_MASKED        "***.982.247-**"
#define CORUMBA              "5003207" /* real MS municipality, not in the fixture */
#define CORUMBA_BODY                                                                               \
    "{\"ibge_code\":\"" CORUMBA "\",\"name\":\"Corumbá\",\"state\":\"MS\",\"latitude\":-19.0077," \
    "\"longitude\":-57.651,\"capital\":false,\"mayor_name\":\"Gabriel\","                          \
    "\"mayor_cpf\":\"861.473.520-08\"}"

/* PATCHes Campo Grande as the coordination secretariat, with If-Match: etag
 * unless etag is NULL. */
static struct http_response patch_cg(const char *json, const char *etag)
{
    char line[96];
    snprintf(line, sizeof line, "If-Match: %s", etag ? etag : "");
    const char *headers[] = {line, NULL};
    return http_do(&(struct http_request){.method = "PATCH",
                                          .path = "/v1/municipalities/" CG,
                                          .token = fixture_token(U_COORDINATION),
                                          .body = json,
                                          .content_type = "application/merge-patch+json",
                                          .headers = etag ? headers : NULL});
}

/* The ETag of a municipality as the coordination secretariat reads it. */
static void current_etag(const char *code, char out[64])
{
    char path[64];
    snprintf(path, sizeof path, "/v1/municipalities/%s", code);
    struct http_response r = http_get(path, fixture_token(U_COORDINATION));
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    snprintf(out, 64, "%s", http_header(&r, "ETag"));
    http_response_free(&r);
}

static long audit_count(const char *where)
{
    return fixture_longf("SELECT count(*) FROM audit_events WHERE %s", where);
}

static void assert_member_absent(const cJSON *obj, const char *name)
{
    ck_assert_msg(!cJSON_HasObjectItem(obj, name), "unexpected member %s", name);
}

START_TEST(get_is_public_without_mayor_data)
{
    struct http_response r = http_get("/v1/municipalities/" CG, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    ck_assert_str_eq(http_json_string(&r, "ibge_code"), CG);
    ck_assert_str_eq(http_json_string(&r, "name"), "Campo Grande");
    ck_assert_str_eq(http_json_string(&r, "state"), "MS");
    ck_assert_int_eq(cJSON_GetObjectItem(r.json, "state_code")->valueint, 50);
    ck_assert_str_eq(http_json_string(&r, "region"), "centro_oeste");
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "capital")));
    assert_member_absent(r.json, "mayor_name");
    assert_member_absent(r.json, "mayor_cpf");
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), CG_MAYOR_CPF));
    http_response_free(&r);
}
END_TEST

START_TEST(get_shows_mayor_data_only_to_those_allowed)
{
    static const struct {
        enum fixture_user user;
        const char *cpf; /* NULL: no mayor fields at all */
    } cases[] = {
        {U_HEALTH, CG_CPF_MASKED}, {U_COORDINATION, CG_CPF_MASKED}, {U_MAYOR_CG, CG_MAYOR_CPF},
        {U_REP_CG, CG_CPF_MASKED}, {U_MAYOR_DOURADOS, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_response r = http_get("/v1/municipalities/" CG, fixture_token(cases[i].user));
        ck_assert_int_eq(r.status, 200);
        if (cases[i].cpf) {
            ck_assert_str_eq(http_json_string(&r, "mayor_name"), "Maria");
            ck_assert_str_eq(http_json_string(&r, "mayor_cpf"), cases[i].cpf);
        } else {
            assert_member_absent(r.json, "mayor_name");
            assert_member_absent(r.json, "mayor_cpf");
        }
        http_response_free(&r);
    }
}
END_TEST

START_TEST(get_unknown_or_malformed_code_is_not_found)
{
    static const char *const paths[] = {"/v1/municipalities/" CORUMBA, "/v1/municipalities/9999999",
                                        "/v1/municipalities/abc"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct http_response r = http_get(paths[i], NULL);
        http_expect_problem(&r, 404, "not-found");
        http_response_free(&r);
    }
}
END_TEST

START_TEST(list_filters_by_state_region_and_name)
{
    static const struct {
        const char *query;
        int count;
        const char *first;
    } cases[] = {
        {"", 3, SAO_PAULO},
        {"?state=MS", 2, CG},
        {"?state=SP", 1, SAO_PAULO},
        {"?region=sudeste", 1, SAO_PAULO},
        {"?region=norte", 0, NULL},
        {"?q=sao", 1, SAO_PAULO},
        {"?q=S%C3%83O", 1, SAO_PAULO},
        {"?q=dourados&state=MS", 1, DOURADOS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[96];
        snprintf(path, sizeof path, "/v1/municipalities%s", cases[i].query);
        /* The health token sees mayors elsewhere, never in a list. */
        struct http_response r = http_get(path, i % 2 ? fixture_token(U_HEALTH) : NULL);
        ck_assert_int_eq(r.status, 200);
        const cJSON *items = cJSON_GetObjectItem(r.json, "items");
        ck_assert_msg(cJSON_GetArraySize(items) == cases[i].count, "%s: %s", path,
                      buf_cstr(&r.body));
        if (cases[i].first)
            ck_assert_str_eq(
                cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "ibge_code")->valuestring,
                cases[i].first);
        const cJSON *it;
        cJSON_ArrayForEach(it, items)
        {
            assert_member_absent(it, "mayor_name");
            assert_member_absent(it, "mayor_cpf");
        }
        ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "next_cursor")));
        http_response_free(&r);
    }
}
END_TEST

START_TEST(list_refuses_bad_filters)
{
    static const char *const queries[] = {"state=mss", "state=sp",    "region=oeste",
                                          "q=a",       "colour=blue", "limit=0"};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        char path[96];
        snprintf(path, sizeof path, "/v1/municipalities?%s", queries[i]);
        struct http_response r = http_get(path, NULL);
        http_expect_problem(&r, 400, "invalid-parameter");
        http_response_free(&r);
    }
}
END_TEST

START_TEST(list_answers_csv_with_rfc4180_quoting)
{
    fixture_exec("INSERT INTO municipalities (ibge_code, name, state_code, capital)"
                 " VALUES ('5009998', 'Vila \"Nova\", do Sul', 50, false)");
    const char *accept[] = {"Accept: text/csv", NULL};
    struct http_response r = http_do(&(struct http_request){
        .method = "GET", .path = "/v1/municipalities?state=MS", .headers = accept});
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(http_header(&r, "Content-Type"), "text/csv"));
    const char *body = buf_cstr(&r.body);
    ck_assert_msg(strncmp(body, "ibge_code,name,state,region,latitude,longitude,capital\r\n", 56) ==
                      0,
                  "%s", body);
    ck_assert_ptr_nonnull(
        strstr(body, "\r\n5002704,Campo Grande,MS,centro_oeste,-20.4486,-54.6295,true\r\n"));
    ck_assert_ptr_nonnull(strstr(body, "\r\n5003702,Dourados,MS,centro_oeste,"));
    ck_assert_ptr_nonnull(
        strstr(body, "\r\n5009998,\"Vila \"\"Nova\"\", do Sul\",MS,centro_oeste,,,false\r\n"));
    int lines = 0;
    for (const char *p = body; (p = strstr(p, "\r\n")); p += 2)
        lines++;
    ck_assert_int_eq(lines, 4); /* header + 3 municipalities of MS */
    ck_assert_ptr_null(strstr(body, CG_MAYOR_CPF));
    ck_assert_ptr_null(strstr(body, "Maria"));
    http_response_free(&r);
}
END_TEST

START_TEST(create_by_coordination_is_audited)
{
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r =
        http_post("/v1/municipalities", fixture_token(U_COORDINATION), CORUMBA_BODY);
    ck_assert_int_eq(r.status, 201);
    ck_assert_str_eq(http_header(&r, "Location"), "/v1/municipalities/" CORUMBA);
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    ck_assert_str_eq(http_json_string(&r, "name"), "Corumbá");
    ck_assert_str_eq(http_json_string(&r, "region"), "centro_oeste");
    ck_assert_str_eq(http_json_string(&r, "mayor_cpf"), NEW_MAYOR_CPF_MASKED);
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("municipalities"), before.municipalities + 1);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM municipalities WHERE ibge_code = '" CORUMBA
                                  "' AND mayor_cpf = '" NEW_MAYOR_CPF "'"),
                     1);
    ck_assert_int_eq(fixture_count("audit_events"), before.audit + 1);
    ck_assert_int_eq(
        audit_count("action = 'create' AND entity = 'municipality' AND entity_id = '" CORUMBA
                    "' AND before IS NULL AND after->>'mayor_cpf' = '" NEW_MAYOR_CPF_MASKED "'"),
        1);

    before = fixture_snapshot();
    r = http_post("/v1/municipalities", fixture_token(U_COORDINATION), CORUMBA_BODY);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(create_refuses_invalid_fields)
{
    static const struct fixture_invalid_body cases[] = {
        {"{\"ibge_code\":\"5003208\",\"name\":\"X\",\"state\":\"MS\"}", "ibge_code"},
        {"{\"ibge_code\":\"" CORUMBA "\",\"name\":\"X\",\"state\":\"RJ\"}", "state"},
        {"{\"ibge_code\":\"3509502\",\"name\":\"Campinas\",\"state\":\"MS\"}", "ibge_code"},
        {"{\"ibge_code\":\"" CORUMBA "\",\"name\":\"X\",\"state\":\"MS\","
         "\"mayor_cpf\":\"123.456.789-00\"}",
         "mayor_cpf"},
        {"{\"ibge_code\":\"" CORUMBA "\",\"state\":\"MS\"}", "name"},
        {"{\"ibge_code\":\"" CORUMBA "\",\"name\":\"X\",\"state\":\"MS\",\"latitude\":91}",
         "latitude"},
        {"{\"ibge_code\":\"" CORUMBA "\",\"name\":\"X\",\"state\":\"MS\",\"region\":\"sul\"}",
         "region"},
    };
    const struct http_request post = {
        .method = "POST", .path = "/v1/municipalities", .token = fixture_token(U_COORDINATION)};
    fixture_expect_invalid_bodies(&post, cases, sizeof cases / sizeof cases[0]);
}
END_TEST

START_TEST(writes_are_for_coordination_only)
{
    static const struct {
        int user; /* -1: anonymous */
        long status;
        const char *slug;
    } callers[] = {
        {U_HEALTH, 403, "forbidden"},
        {U_MAYOR_CG, 403, "forbidden"},
        {U_REP_CG, 403, "forbidden"},
        {-1, 401, "unauthenticated"},
    };
    struct fixture_snapshot before = fixture_snapshot();
    for (size_t i = 0; i < sizeof callers / sizeof callers[0]; i++) {
        const char *token =
            callers[i].user < 0 ? NULL : fixture_token((enum fixture_user)callers[i].user);
        struct http_response r = http_post("/v1/municipalities", token, CORUMBA_BODY);
        if (callers[i].status == 401)
            ck_assert_ptr_nonnull(http_header(&r, "WWW-Authenticate"));
        http_expect_problem(&r, callers[i].status, callers[i].slug);
        http_response_free(&r);
        r = http_patch("/v1/municipalities/" CG, token, "{\"mayor_name\":\"Intruder\"}");
        http_expect_problem(&r, callers[i].status, callers[i].slug);
        http_response_free(&r);
        fixture_assert_unchanged(before);
    }
    ck_assert_int_eq(fixture_long("SELECT version FROM municipalities WHERE ibge_code = '" CG "'"),
                     1);
}
END_TEST

START_TEST(update_new_mayor_is_audited_with_masked_cpfs)
{
    char etag[64];
    current_etag(CG, etag);
    struct http_response r =
        patch_cg("{\"mayor_name\":\"Carlos Pereira\",\"mayor_cpf\":\"861.473.520-08\"}", NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    ck_assert_str_ne(http_header(&r, "ETag"), etag);
    ck_assert_str_eq(http_json_string(&r, "mayor_name"), "Carlos Pereira");
    ck_assert_str_eq(http_json_string(&r, "mayor_cpf"), NEW_MAYOR_CPF_MASKED);
    http_response_free(&r);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM municipalities WHERE ibge_code = '" CG
                                  "' AND mayor_cpf = '" NEW_MAYOR_CPF "'"),
                     1);
    ck_assert_int_eq(fixture_count("audit_events"), 1);
    ck_assert_int_eq(
        audit_count("action = 'update' AND entity = 'municipality' AND entity_id = '" CG
                    "' AND before->>'mayor_cpf' = '" CG_CPF_MASKED
                    "' AND after->>'mayor_cpf' = '" NEW_MAYOR_CPF_MASKED
                    "' AND after->>'mayor_name' = 'Carlos Pereira'"),
        1);
    ck_assert_int_eq(audit_count("concat(before::text, after::text) ~ '(" CG_MAYOR_CPF
                                 "|" NEW_MAYOR_CPF "|861\\.473\\.520-08)'"),
                     0);
}
END_TEST

START_TEST(update_honours_if_match)
{
    char v1[64], v2[64];
    current_etag(CG, v1);
    struct http_response r = patch_cg("{\"mayor_name\":\"Carlos Pereira\"}", v1);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    current_etag(CG, v2);
    ck_assert_str_ne(v1, v2);

    struct fixture_snapshot before = fixture_snapshot();
    r = patch_cg("{\"mayor_name\":\"Lost Update\"}", v1);
    http_expect_problem(&r, 412, "precondition-failed");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM municipalities WHERE ibge_code = '" CG
                                  "' AND mayor_name = 'Carlos Pereira' AND version = 2"),
                     1);
}
END_TEST

START_TEST(update_null_clears_mayor_cpf)
{
    struct http_response r = patch_cg("{\"mayor_cpf\":null}", NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "mayor_cpf")));
    ck_assert_str_eq(http_json_string(&r, "mayor_name"), "Maria");
    http_response_free(&r);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM municipalities WHERE ibge_code = '" CG
                                  "' AND mayor_cpf IS NULL AND mayor_name = 'Maria'"),
                     1);
    ck_assert_int_eq(audit_count("action = 'update' AND entity_id = '" CG
                                 "' AND after->'mayor_cpf' = 'null'::jsonb"),
                     1);
}
END_TEST

START_TEST(update_refuses_invalid_or_readonly_fields)
{
    static const struct fixture_invalid_body cases[] = {
        {"{\"name\":null}", "name"},
        {"{\"ibge_code\":\"5002705\"}", "ibge_code"},
        {"{\"state\":\"SP\"}", "state"},
        {"{\"favourite_colour\":\"blue\"}", "favourite_colour"},
        {"{\"mayor_cpf\":\"111.111.111-11\"}", "mayor_cpf"},
        {"{\"longitude\":-181}", "longitude"},
    };
    const struct http_request patch = {.method = "PATCH",
                                       .path = "/v1/municipalities/" CG,
                                       .token = fixture_token(U_COORDINATION),
                                       .content_type = "application/merge-patch+json"};
    fixture_expect_invalid_bodies(&patch, cases, sizeof cases / sizeof cases[0]);
    ck_assert_int_eq(fixture_long("SELECT version FROM municipalities WHERE ibge_code = '" CG "'"),
                     1);
}
END_TEST

START_TEST(update_without_change_writes_nothing)
{
    char etag[64];
    current_etag(CG, etag);
    struct http_response r =
        patch_cg("{\"name\":\"Campo Grande\",\"mayor_cpf\":\"529.982.247-25\"}", NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_header(&r, "ETag"), etag);
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("audit_events"), 0);

    r = http_patch("/v1/municipalities/" CORUMBA, fixture_token(U_COORDINATION),
                   "{\"name\":\"Corumbá\"}");
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("audit_events"), 0);
}
END_TEST

Suite *municipalities_suite(void)
{
    Suite *s = suite_create("municipalities");
    TCase *tc = tcase_create("municipalities");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, get_is_public_without_mayor_data);
    tcase_add_test(tc, get_shows_mayor_data_only_to_those_allowed);
    tcase_add_test(tc, get_unknown_or_malformed_code_is_not_found);
    tcase_add_test(tc, list_filters_by_state_region_and_name);
    tcase_add_test(tc, list_refuses_bad_filters);
    tcase_add_test(tc, list_answers_csv_with_rfc4180_quoting);
    tcase_add_test(tc, create_by_coordination_is_audited);
    tcase_add_test(tc, create_refuses_invalid_fields);
    tcase_add_test(tc, writes_are_for_coordination_only);
    tcase_add_test(tc, update_new_mayor_is_audited_with_masked_cpfs);
    tcase_add_test(tc, update_honours_if_match);
    tcase_add_test(tc, update_null_clears_mayor_cpf);
    tcase_add_test(tc, update_refuses_invalid_or_readonly_fields);
    tcase_add_test(tc, update_without_change_writes_nothing);
    suite_add_tcase(s, tc);
    return s;
}
