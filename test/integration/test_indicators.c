/*
 * Integration tests of the indicator catalogue (/v1/indicators): the health
 * secretariat creates the infant-mortality indicator; the education
 * secretariat cannot change it, the coordination can; once it has values
 * its area and periodicity are fixed, and it cannot be deleted; bad input
 * is 422 naming the field; anonymous writers are 401, mayors 403; anyone
 * reads the catalogue, in JSON and CSV. Every change writes one audit event,
 * every refused request leaves the database as it was.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <stdio.h>
#include <string.h>

#define INFANT_MORTALITY                                                                           \
    "{\"code\":\"MORT_INF\",\"name\":\"Taxa de mortalidade infantil\","                            \
    "\"unit\":\"per 1,000 live births\",\"polarity\":\"lower_is_better\","                         \
    "\"source\":\"DATASUS – SIM/SINASC\",\"periodicity\":\"annual\",\"first_period\":\"2000\","  \
    "\"decimals\":1,\"min_value\":0,\"scale\":1000,\"area\":\"health\","                           \
    "\"publication_lag_months\":18,"                                                               \
    "\"formula\":\"deaths under 1 year / live births × 1,000\"}"
#define IDEB                                                                                       \
    "{\"code\":\"IDEB_AI\",\"name\":\"IDEB anos iniciais\",\"unit\":\"score 0–10\","             \
    "\"polarity\":\"higher_is_better\",\"source\":\"INEP – IDEB\",\"periodicity\":\"biennial\"," \
    "\"first_period\":\"2005\",\"min_value\":0,\"max_value\":10,\"area\":\"education\"}"

/* Creates an indicator as `who`; writes its path to out (asserting 201). */
static void create_indicator(enum fixture_user who, const char *body, char out[64])
{
    struct http_response r = fixture_call("POST", "/v1/indicators", who, body, NULL);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    snprintf(out, 64, "%s", http_header(&r, "Location"));
    http_response_free(&r);
}

static long audit_count(const char *action)
{
    return fixture_longf("SELECT count(*) FROM audit_events WHERE entity = 'indicator'"
                         " AND action = '%s'",
                         action);
}

/* One value of the indicator, as the values import (tested in the values
 * suites) would write it. */
static void seed_value(const char *path)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO indicator_values (indicator_id, municipality_id, period, value,"
             " numerator, denominator) VALUES (%s, '" CG "', '2019', 11.2, 140, 12500)",
             strrchr(path, '/') + 1);
    fixture_exec(sql);
}

START_TEST(health_secretariat_creates_the_infant_mortality_indicator)
{
    struct http_response r =
        fixture_call("POST", "/v1/indicators", U_HEALTH, INFANT_MORTALITY, NULL);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_str_eq(http_header(&r, "Location"), "/v1/indicators/1");
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    ck_assert_str_eq(http_json_string(&r, "code"), "MORT_INF");
    ck_assert_str_eq(http_json_string(&r, "polarity"), "lower_is_better");
    ck_assert_str_eq(http_json_string(&r, "source"), "DATASUS – SIM/SINASC");
    ck_assert_int_eq(cJSON_GetObjectItem(r.json, "scale")->valueint, 1000);
    ck_assert_int_eq(cJSON_GetObjectItem(r.json, "decimals")->valueint, 1);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "max_value")));
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r.json, "is_population")));
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r.json, "has_values")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "latest_period")));
    http_response_free(&r);
    ck_assert_int_eq(audit_count("create"), 1);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE entity = 'indicator'"
                                  " AND entity_id = '1' AND after->>'code' = 'MORT_INF'"),
                     1);

    /* The defaults of an indicator that says less. */
    char ideb[64];
    create_indicator(U_EDUCATION, IDEB, ideb);
    r = http_get(ideb, NULL);
    ck_assert_int_eq(cJSON_GetObjectItem(r.json, "decimals")->valueint, 2);
    ck_assert_int_eq(cJSON_GetObjectItem(r.json, "publication_lag_months")->valueint, 0);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "scale")));
    http_response_free(&r);
}
END_TEST

START_TEST(a_retried_create_creates_one_indicator)
{
    const char *headers[] = {"Idempotency-Key: mort-inf", NULL};
    fixture_expect_replayed(&(struct http_request){.method = "POST",
                                                   .path = "/v1/indicators",
                                                   .token = fixture_token(U_HEALTH),
                                                   .body = INFANT_MORTALITY,
                                                   .headers = headers},
                            "indicators");
}
END_TEST

START_TEST(only_the_indicators_area_or_the_coordination_changes_it)
{
    char path[64];
    create_indicator(U_HEALTH, INFANT_MORTALITY, path);

    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r =
        fixture_call("PATCH", path, U_EDUCATION, "{\"name\":\"Outro nome\"}", NULL);
    http_expect_problem(&r, 403, "forbidden");
    ck_assert_str_eq(http_json_string(&r, "detail"),
                     "Only the health secretariat or the coordination may change this indicator.");
    http_response_free(&r);
    r = fixture_call("DELETE", path, U_EDUCATION, NULL, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    /* Nor may it make an indicator of another area. */
    r = fixture_call("POST", "/v1/indicators", U_EDUCATION, INFANT_MORTALITY, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    /* The health secretariat may not hand its indicator to education. */
    r = fixture_call("PATCH", path, U_HEALTH, "{\"area\":\"education\"}", NULL);
    http_expect_problem(&r, 403, "forbidden");
    ck_assert_str_eq(
        http_json_string(&r, "detail"),
        "Only the education secretariat or the coordination may change this indicator.");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    r = fixture_call("PATCH", path, U_COORDINATION, "{\"publication_lag_months\":24}", NULL);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_int_eq(cJSON_GetObjectItem(r.json, "publication_lag_months")->valueint, 24);
    http_response_free(&r);
    r = fixture_call("PATCH", path, U_HEALTH, "{\"description\":\"Óbitos de menores de 1 ano\"}",
                     NULL);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    ck_assert_int_eq(audit_count("update"), 2);
}
END_TEST

START_TEST(area_and_periodicity_are_fixed_once_it_has_values)
{
    char path[64];
    create_indicator(U_HEALTH, INFANT_MORTALITY, path);
    seed_value(path);

    struct http_response r = http_get(path, NULL);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "has_values")));
    ck_assert_str_eq(http_json_string(&r, "latest_period"), "2019");
    http_response_free(&r);

    struct fixture_snapshot before = fixture_snapshot();
    r = fixture_call("PATCH", path, U_COORDINATION, "{\"area\":\"education\"}", NULL);
    fixture_expect_invalid(&r, "area");
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "is fixed once the indicator has values"));
    http_response_free(&r);
    r = fixture_call("PATCH", path, U_COORDINATION, "{\"periodicity\":\"monthly\"}", NULL);
    fixture_expect_invalid(&r, "periodicity");
    http_response_free(&r);
    r = fixture_call("DELETE", path, U_HEALTH, NULL, NULL);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    /* Other fields still change. */
    r = fixture_call("PATCH", path, U_HEALTH, "{\"decimals\":2}", NULL);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
}
END_TEST

START_TEST(an_unused_indicator_is_deleted)
{
    char path[64];
    create_indicator(U_HEALTH, INFANT_MORTALITY, path);
    struct http_response r = fixture_call("DELETE", path, U_HEALTH, NULL, NULL);
    ck_assert_int_eq(r.status, 204);
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("indicators"), 0);
    ck_assert_int_eq(audit_count("delete"), 1);
    ck_assert_int_eq(fixture_get_status(path, NULL), 404);
}
END_TEST

START_TEST(bad_input_names_the_field_and_changes_nothing)
{
    static const struct fixture_invalid_body cases[] = {
        {"{\"code\":\"MI\",\"name\":\"x\",\"unit\":\"%\",\"polarity\":\"lower_is_better\","
         "\"source\":\"s\",\"periodicity\":\"annual\",\"area\":\"health\",\"colour\":\"red\"}",
         "colour"},
        {"{\"code\":\"mort inf\",\"name\":\"x\",\"unit\":\"%\",\"polarity\":\"lower_is_better\","
         "\"source\":\"s\",\"periodicity\":\"annual\",\"area\":\"health\"}",
         "code"},
        {"{\"code\":\"MI\",\"name\":\"x\",\"unit\":\"%\",\"polarity\":\"lower_is_better\","
         "\"source\":\"s\",\"periodicity\":\"annual\",\"area\":\"health\",\"decimals\":\"2\"}",
         "decimals"},
        {"{\"code\":\"MI\",\"name\":\"x\",\"unit\":\"%\",\"polarity\":\"lower_is_better\","
         "\"source\":\"s\",\"periodicity\":\"annual\",\"area\":\"health\",\"decimals\":7}",
         "decimals"},
        {"{\"code\":\"MI\",\"name\":\"x\",\"unit\":\"%\",\"polarity\":\"down\","
         "\"source\":\"s\",\"periodicity\":\"annual\",\"area\":\"health\"}",
         "polarity"},
        {"{\"code\":\"MI\",\"name\":\"x\",\"unit\":\"%\",\"polarity\":\"lower_is_better\","
         "\"source\":\"s\",\"periodicity\":\"monthly\",\"first_period\":\"2019\","
         "\"area\":\"health\"}",
         "first_period"},
        {"{\"code\":\"MI\",\"name\":\"x\",\"unit\":\"%\",\"polarity\":\"higher_is_better\","
         "\"source\":\"s\",\"periodicity\":\"biennial\",\"area\":\"education\"}",
         "first_period"},
        {"{\"code\":\"MI\",\"name\":\"x\",\"unit\":\"%\",\"polarity\":\"lower_is_better\","
         "\"source\":\"s\",\"periodicity\":\"annual\",\"area\":\"health\","
         "\"min_value\":100,\"max_value\":100}",
         "max_value"},
        {"{\"code\":\"MI\",\"name\":\"x\",\"unit\":\"%\",\"polarity\":\"lower_is_better\","
         "\"source\":\"s\",\"periodicity\":\"annual\",\"area\":\"health\",\"scale\":0}",
         "scale"},
        {"{\"code\":\"MI\",\"name\":\"x\",\"unit\":\"%\",\"polarity\":\"lower_is_better\","
         "\"source\":\"s\",\"periodicity\":\"annual\",\"area\":\"mayor\"}",
         "area"},
        {"{\"code\":\"MI\",\"name\":\"x\",\"unit\":\"%\",\"polarity\":\"lower_is_better\","
         "\"source\":\"s\",\"periodicity\":\"annual\",\"area\":\"health\","
         "\"publication_lag_months\":121}",
         "publication_lag_months"},
        {"{\"code\":\"MI\",\"name\":\"x\",\"unit\":\"%\",\"polarity\":\"lower_is_better\","
         "\"source\":\"s\",\"periodicity\":\"annual\",\"area\":\"health\",\"id\":7}",
         "id"},
        {"{\"name\":\"x\"}", "code"},
    };
    fixture_expect_invalid_bodies(&(struct http_request){.method = "POST",
                                                         .path = "/v1/indicators",
                                                         .token = fixture_token(U_COORDINATION)},
                                  cases, sizeof cases / sizeof cases[0]);

    char path[64];
    create_indicator(U_HEALTH, INFANT_MORTALITY, path);
    static const struct fixture_invalid_body patches[] = {
        {"{\"code\":\"OTHER\"}", "code"},
        {"{\"max_value\":-1}", "max_value"},
        {"{\"periodicity\":\"monthly\"}", "first_period"},
        {"{\"name\":null}", "name"},
    };
    fixture_expect_invalid_bodies(
        &(struct http_request){.method = "PATCH",
                               .path = path,
                               .token = fixture_token(U_HEALTH),
                               .content_type = "application/merge-patch+json"},
        patches, sizeof patches / sizeof patches[0]);
}
END_TEST

START_TEST(codes_and_the_population_are_unique)
{
    char path[64];
    create_indicator(U_HEALTH, INFANT_MORTALITY, path);
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r =
        fixture_call("POST", "/v1/indicators", U_HEALTH, INFANT_MORTALITY, NULL);
    http_expect_problem(&r, 409, "conflict");
    ck_assert_str_eq(http_json_string(&r, "title"), "Indicator code already in use");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    r = fixture_call("PATCH", path, U_HEALTH, "{\"is_population\":true}", NULL);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    before = fixture_snapshot();
    r = fixture_call(
        "POST", "/v1/indicators", U_COORDINATION,
        "{\"code\":\"POP\",\"name\":\"População\",\"unit\":\"people\","
        "\"polarity\":\"higher_is_better\",\"source\":\"IBGE\",\"periodicity\":\"annual\","
        "\"area\":\"coordination\",\"is_population\":true,\"decimals\":0}",
        NULL);
    http_expect_problem(&r, 409, "conflict");
    ck_assert_str_eq(http_json_string(&r, "title"), "Another indicator is the population");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(anonymous_writers_are_401_and_mayors_403)
{
    char path[64];
    create_indicator(U_HEALTH, INFANT_MORTALITY, path);
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = fixture_call("POST", "/v1/indicators", U_COUNT, IDEB, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    r = fixture_call("PATCH", path, U_COUNT, "{\"name\":\"x\"}", NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    r = fixture_call("POST", "/v1/indicators", U_MAYOR_CG, IDEB, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = fixture_call("DELETE", path, U_MAYOR_CG, NULL, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(anyone_reads_the_catalogue_in_json_and_csv)
{
    char mort[64], ideb[64];
    create_indicator(U_HEALTH, INFANT_MORTALITY, mort);
    create_indicator(U_EDUCATION, IDEB, ideb);

    struct http_response r = http_get("/v1/indicators", NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 2);
    http_response_free(&r);
    r = http_get("/v1/indicators?area=education&periodicity=biennial", NULL);
    ck_assert_int_eq(r.status, 200);
    const cJSON *items = cJSON_GetObjectItem(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "code")->valuestring,
                     "IDEB_AI");
    http_response_free(&r);
    r = http_get("/v1/indicators?polarity=lower_is_better&limit=1", NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 1);
    http_response_free(&r);
    r = http_get("/v1/indicators?colour=red", NULL);
    http_expect_problem(&r, 400, "invalid-parameter");
    http_response_free(&r);
    r = http_get("/v1/indicators?area=mayor", NULL);
    http_expect_problem(&r, 400, "invalid-parameter");
    http_response_free(&r);

    const char *csv[] = {"Accept: text/csv", NULL};
    r = fixture_call("GET", "/v1/indicators", U_COUNT, NULL, csv);
    ck_assert_int_eq(r.status, 200);
    static const char header[] =
        "id,code,name,unit,polarity,source,periodicity,first_period,decimals,min_value,max_value,"
        "area,publication_lag_months,scale,is_population,latest_period\r\n";
    ck_assert_msg(strncmp(buf_cstr(&r.body), header, strlen(header)) == 0, "%s", buf_cstr(&r.body));
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "MORT_INF,Taxa de mortalidade infantil"));
    http_response_free(&r);

    r = http_get(mort, NULL);
    ck_assert_int_eq(r.status, 200);
    char etag[128];
    snprintf(etag, sizeof etag, "If-None-Match: %s", http_header(&r, "ETag"));
    http_response_free(&r);
    const char *inm[] = {etag, NULL};
    r = fixture_call("GET", mort, U_COUNT, NULL, inm);
    ck_assert_int_eq(r.status, 304);
    http_response_free(&r);
    ck_assert_int_eq(fixture_get_status("/v1/indicators/999", NULL), 404);
    ck_assert_int_eq(fixture_get_status("/v1/indicators/abc", NULL), 404);
}
END_TEST

START_TEST(a_stale_etag_is_412)
{
    char path[64];
    create_indicator(U_HEALTH, INFANT_MORTALITY, path);
    struct http_response r = http_get(path, NULL);
    char if_match[128];
    snprintf(if_match, sizeof if_match, "If-Match: %s", http_header(&r, "ETag"));
    http_response_free(&r);
    const char *headers[] = {if_match, NULL};
    r = fixture_call("PATCH", path, U_HEALTH, "{\"decimals\":3}", headers);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    struct fixture_snapshot before = fixture_snapshot();
    r = fixture_call("PATCH", path, U_HEALTH, "{\"decimals\":4}", headers);
    http_expect_problem(&r, 412, "precondition-failed");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

Suite *indicators_suite(void)
{
    Suite *s = suite_create("indicators");
    TCase *tc = tcase_create("catalogue");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, health_secretariat_creates_the_infant_mortality_indicator);
    tcase_add_test(tc, a_retried_create_creates_one_indicator);
    tcase_add_test(tc, only_the_indicators_area_or_the_coordination_changes_it);
    tcase_add_test(tc, area_and_periodicity_are_fixed_once_it_has_values);
    tcase_add_test(tc, an_unused_indicator_is_deleted);
    tcase_add_test(tc, bad_input_names_the_field_and_changes_nothing);
    tcase_add_test(tc, codes_and_the_population_are_unique);
    tcase_add_test(tc, anonymous_writers_are_401_and_mayors_403);
    tcase_add_test(tc, anyone_reads_the_catalogue_in_json_and_csv);
    tcase_add_test(tc, a_stale_etag_is_412);
    suite_add_tcase(s, tc);
    return s;
}
