/*
 * Integration tests for the public queries over an indicator's values:
 * the values of a period or each municipality's latest (a period whose
 * publication is not yet due does not count), by state, as JSON pages and
 * whole CSV; a municipality's series; the state aggregate from numerators
 * and denominators (not a mean of rates); the outlier report. Values are
 * loaded through the API; indicators seeded with fixture_exec (the
 * catalogue has suites of its own).
 */
#include "suites.h"

#include "values_support.h"

#include <stdio.h>
#include <string.h>

#define CSV          "text/csv"
#define RATE_COLUMNS "numerator_column=numerator&denominator_column=denominator"

/* Twelve more municipalities of Mato Grosso do Sul (real codes), so the
 * state has enough values for a z-score to mean something. */
static void more_of_ms(void)
{
    fixture_exec("INSERT INTO municipalities (ibge_code, name, state_code) VALUES"
                 " ('5000203', 'Água Clara', 50), ('5000252', 'Alcinópolis', 50),"
                 " ('5000609', 'Amambai', 50), ('5000708', 'Anastácio', 50),"
                 " ('5000807', 'Anaurilândia', 50), ('5000856', 'Angélica', 50),"
                 " ('5000906', 'Antônio João', 50), ('5001003', 'Aparecida do Taboado', 50),"
                 " ('5001102', 'Aquidauana', 50), ('5001243', 'Aral Moreira', 50),"
                 " ('5001508', 'Bandeirantes', 50), ('5001904', 'Bataguassu', 50)");
}

static struct http_response get(const char *path, bool csv)
{
    static const char *const accept_csv[] = {"Accept: text/csv", NULL};
    return http_do(
        &(struct http_request){.method = "GET", .path = path, .headers = csv ? accept_csv : NULL});
}

static const cJSON *items(struct http_response *r)
{
    ck_assert_msg(r->status == 200, "%ld %s", r->status, buf_cstr(&r->body));
    return cJSON_GetObjectItem(r->json, "items");
}

static double number(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
    return v->valuedouble;
}

/* Bad query parameters of every public query are a 400 problem naming the
 * parameter; unknown indicators and municipalities are 404. */
START_TEST(bad_queries_are_refused)
{
    char id[24], path[160];
    values_indicator(id, "IDEB", "education", "annual", "2005", "0", "10", NULL, 0);
    /* After /v1/indicators/{id}. */
    static const char *const bad[] = {
        "/values?period=20x",
        "/values?state=S",
        "/values?colour=blue",
        "/values?limit=0",
        "/aggregates",
        "/aggregates?state=1",
        "/outliers?state=MS&period=2019-01",
        "/outliers?state=MS&min_denominator=-1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "/v1/indicators/%s%s", id, bad[i]);
        struct http_response r = get(path, false);
        ck_assert_msg(r.status == 400, "%s: %ld %s", path, r.status, buf_cstr(&r.body));
        http_expect_problem(&r, 400, "invalid-parameter");
        http_response_free(&r);
    }
    struct http_response r = get("/v1/municipalities/" CG "/values?indicator_id=x", false);
    http_expect_problem(&r, 400, "invalid-parameter");
    http_response_free(&r);
    static const char *const missing[] = {
        "/v1/indicators/999999/values", "/v1/indicators/999999/aggregates?state=MS",
        "/v1/indicators/x/values", "/v1/municipalities/1234567/values"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        r = get(missing[i], false);
        ck_assert_msg(r.status == 404, "%s: %ld %s", missing[i], r.status, buf_cstr(&r.body));
        http_expect_problem(&r, 404, "not-found");
        http_response_free(&r);
    }
}
END_TEST

START_TEST(values_of_a_period_or_the_latest_by_state)
{
    char id[24], path[160];
    values_indicator(id, "IDEB", "education", "annual", "2005", "0", "10", NULL, 0);
    values_expect_import(values_post(U_EDUCATION, id, NULL, CSV,
                                     "ibge_code,period,value\n" CG ",2019,5.1\n" CG ",2020,5.6\n" CG
                                     ",2099,9.9\n" SAO_PAULO ",2019,6.2\n" SAO_PAULO ",2020,NA\n",
                                     0),
                         5, 5, 0, 0);
    /* The latest: 2099 is not published yet; São Paulo's 2020 has no value. */
    snprintf(path, sizeof path, "/v1/indicators/%s/values", id);
    struct http_response r = get(path, false);
    const cJSON *list = items(&r);
    ck_assert_int_eq(cJSON_GetArraySize(list), 2);
    /* By code: São Paulo (35...) before Campo Grande (50...). */
    const cJSON *sp = cJSON_GetArrayItem(list, 0), *cg = cJSON_GetArrayItem(list, 1);
    ck_assert_str_eq(cJSON_GetObjectItem(cg, "period")->valuestring, "2020");
    ck_assert_double_eq_tol(number(cg, "value"), 5.6, 1e-9);
    ck_assert_str_eq(cJSON_GetObjectItem(cg, "municipality_name")->valuestring, "Campo Grande");
    ck_assert_str_eq(cJSON_GetObjectItem(sp, "period")->valuestring, "2019");
    ck_assert_str_eq(cJSON_GetObjectItem(sp, "state")->valuestring, "SP");
    ck_assert(http_header(&r, "ETag") != NULL);
    http_response_free(&r);

    /* A period, one state; the not-available row keeps its code. */
    snprintf(path, sizeof path, "/v1/indicators/%s/values?state=SP&period=2020", id);
    r = get(path, false);
    list = items(&r);
    ck_assert_int_eq(cJSON_GetArraySize(list), 1);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "value")));
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "raw_code")->valuestring,
                     "NA");
    http_response_free(&r);

    /* The whole list as CSV. */
    snprintf(path, sizeof path, "/v1/indicators/%s/values?period=2019", id);
    r = get(path, true);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(strncmp(buf_cstr(&r.body),
                          "municipality_id,municipality_name,state,period,value,numerator,"
                          "denominator,preliminary,status,raw_code\r\n" SAO_PAULO
                          ",São Paulo,SP,2019,6.2,,,false,ok,\r\n" CG
                          ",Campo Grande,MS,2019,5.1,,,false,ok,\r\n",
                          200) == 0,
                  "%s", buf_cstr(&r.body));
    http_response_free(&r);

    /* A municipality's series, of one indicator or all. */
    r = get("/v1/municipalities/" CG "/values", false);
    ck_assert_int_eq(cJSON_GetArraySize(items(&r)), 3);
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/municipalities/" SAO_PAULO "/values?indicator_id=%s", id);
    r = get(path, true);
    ck_assert_int_eq(r.status, 200);
    ck_assert(strstr(buf_cstr(&r.body), "IDEB,2020,,,,false,not_available,NA") != NULL);
    http_response_free(&r);

    /* Bad parameters, unknown things. */
    snprintf(path, sizeof path, "/v1/indicators/%s/values?period=20x9", id);
    ck_assert_int_eq(fixture_get_status(path, NULL), 400);
    snprintf(path, sizeof path, "/v1/indicators/%s/values?colour=red", id);
    ck_assert_int_eq(fixture_get_status(path, NULL), 400);
    ck_assert_int_eq(fixture_get_status("/v1/indicators/999999/values", NULL), 404);
    ck_assert_int_eq(fixture_get_status("/v1/municipalities/5000203/values", NULL), 404);
}
END_TEST

START_TEST(the_state_figure_sums_numerators_and_denominators)
{
    char id[24], path[160];
    values_indicator(id, "TMI", "health", "annual", "2000", "0", NULL, "1000", 0);
    /* Campo Grande: 10 / 1000 (10.0); Dourados: 9 / 100 (90.0). The state:
     * 19 / 1100 = 17.3, not the mean of the rates (50). */
    values_expect_import(values_post(U_HEALTH, id, RATE_COLUMNS, CSV,
                                     "ibge_code,period,numerator,denominator\n" CG
                                     ",2019,10,1000\n" DOURADOS ",2019,9,100\n",
                                     0),
                         2, 2, 0, 0);
    long in_ms = fixture_long("SELECT count(*) FROM municipalities WHERE state_code = 50");
    snprintf(path, sizeof path, "/v1/indicators/%s/aggregates?state=MS", id);
    struct http_response r = get(path, false);
    const cJSON *list = items(&r);
    ck_assert_int_eq(cJSON_GetArraySize(list), 1);
    const cJSON *a = cJSON_GetArrayItem(list, 0);
    ck_assert_double_eq_tol(number(a, "value"), 17.3, 1e-9);
    ck_assert_double_eq_tol(number(a, "numerator"), 19, 1e-9);
    ck_assert_double_eq_tol(number(a, "denominator"), 1100, 1e-9);
    ck_assert_int_eq((long)number(a, "municipalities_with_data"), 2);
    ck_assert_int_eq((long)number(a, "municipalities_without_data"), in_ms - 2);
    http_response_free(&r);
    r = get(path, true);
    ck_assert_int_eq(r.status, 200);
    ck_assert(strstr(buf_cstr(&r.body), "2019,MS,17.3,19,1100,2,") != NULL);
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/indicators/%s/aggregates", id);
    ck_assert_int_eq(fixture_get_status(path, NULL), 400);
}
END_TEST

START_TEST(outliers_name_their_reasons)
{
    more_of_ms();
    char id[24], path[160];
    values_indicator(id, "TMI", "health", "annual", "2000", "0", "100", "1000", 0);
    /* Every municipality of MS at 5 per 1,000 in 2018 and 2019, except
     * Dourados in 2019: 1 death in 20 births, a rate of 50. */
    struct buf csv = {0};
    buf_puts(&csv, "ibge_code,period,numerator,denominator\n");
    PGresult *m =
        PQexec(fixture_db(), "SELECT ibge_code FROM municipalities WHERE state_code = 50");
    for (int i = 0; i < PQntuples(m); i++) {
        const char *code = PQgetvalue(m, i, 0);
        buf_printf(&csv, "%s,2018,5,1000\n", code);
        if (strcmp(code, DOURADOS) == 0)
            buf_printf(&csv, "%s,2019,1,20\n", code);
        else
            buf_printf(&csv, "%s,2019,5,1000\n", code);
    }
    long rows = 2L * PQntuples(m);
    PQclear(m);
    values_expect_import(values_post(U_HEALTH, id, RATE_COLUMNS, CSV, buf_cstr(&csv), 0), rows,
                         rows, 0, 0);
    buf_free(&csv);
    /* The range narrowed after the load: 50 is now outside it. */
    fixture_exec("UPDATE indicators SET max_value = 40 WHERE code = 'TMI'");

    snprintf(path, sizeof path, "/v1/indicators/%s/outliers?state=MS&period=2019", id);
    struct http_response r = get(path, false);
    const cJSON *list = items(&r);
    ck_assert_int_eq(cJSON_GetArraySize(list), 1);
    const cJSON *o = cJSON_GetArrayItem(list, 0);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "municipality_id")->valuestring, DOURADOS);
    ck_assert(number(o, "z_score") > 3);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "previous_period")->valuestring, "2018");
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(o, "small_denominator")));
    const cJSON *reasons = cJSON_GetObjectItem(o, "reasons");
    ck_assert_int_eq(cJSON_GetArraySize(reasons), 3);
    ck_assert_str_eq(cJSON_GetArrayItem(reasons, 0)->valuestring, "z_score");
    ck_assert_str_eq(cJSON_GetArrayItem(reasons, 1)->valuestring, "out_of_range");
    ck_assert_str_eq(cJSON_GetArrayItem(reasons, 2)->valuestring, "jump");
    http_response_free(&r);
    /* The default period is the latest; CSV joins the reasons. */
    snprintf(path, sizeof path, "/v1/indicators/%s/outliers?state=MS", id);
    r = get(path, true);
    ck_assert_int_eq(r.status, 200);
    ck_assert(strstr(buf_cstr(&r.body), ",true,z_score;out_of_range;jump\r\n") != NULL);
    http_response_free(&r);
    /* No outlier in São Paulo, none in 2018. */
    snprintf(path, sizeof path, "/v1/indicators/%s/outliers?state=MS&period=2018", id);
    r = get(path, false);
    ck_assert_int_eq(cJSON_GetArraySize(items(&r)), 0);
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/indicators/%s/outliers?period=2018", id);
    ck_assert_int_eq(fixture_get_status(path, NULL), 400);
}
END_TEST

Suite *values_queries_suite(void)
{
    Suite *s = suite_create("values_queries");
    TCase *tc = tcase_create("queries");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, values_of_a_period_or_the_latest_by_state);
    tcase_add_test(tc, the_state_figure_sums_numerators_and_denominators);
    tcase_add_test(tc, outliers_name_their_reasons);
    tcase_add_test(tc, bad_queries_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
