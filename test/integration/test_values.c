/*
 * Integration tests for loading an indicator's values (POST
 * /v1/indicators/{id}/values), as the story goes: the health secretariat
 * loads values as JSON and as CSV; the education secretariat cannot touch a
 * health indicator; a file with one bad line imports nothing and names the
 * line; duplicated keys, unknown municipalities (an error, or reported with
 * unknown_municipalities=ignore); a dry run writes nothing; a revised file
 * keeps history and counts updated and unchanged rows; exactly one audit
 * event per import. Indicators are seeded with fixture_exec: the catalogue
 * endpoints have suites of their own.
 */
#include "suites.h"

#include "values_support.h"

#include <stdio.h>
#include <string.h>

#define CSV "text/csv"

static char tmi[24];  /* infant mortality (health): a rate per 1,000 live births */
static char ideb[24]; /* IDEB (education): biennial from 2005, 0 to 10 */

static void setup(void)
{
    fixture_reset();
    values_indicator(tmi, "TMI", "health", "annual", "2000", "0", NULL, "1000", 0);
    values_indicator(ideb, "IDEB", "education", "biennial", "2005", "0", "10", NULL, 0);
}

static long audit_imports(const char *id)
{
    return fixture_longf("SELECT count(*) FROM audit_events WHERE entity = 'indicator'"
                         " AND entity_id = '%s' AND action = 'import_values'",
                         id);
}

START_TEST(the_health_secretariat_loads_values_as_json_and_csv)
{
    /* The live births first, as JSON: denominators only. */
    const char *births =
        "{\"values\":["
        "{\"municipality_id\":\"" CG "\",\"period\":\"2019\",\"denominator\":1000},"
        "{\"municipality_id\":\"" DOURADOS "\",\"period\":\"2019\","
        "\"denominator\":500,\"preliminary\":true}]}";
    struct http_response r = values_post(U_HEALTH, tmi, NULL, "application/json", births, 0);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(r.json, "import_id")));
    ck_assert_int_eq(strlen(http_json_string(&r, "sha256")), 64);
    values_expect_import(r, 2, 2, 0, 0);
    /* A rate with only its denominator has no value yet. */
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM indicator_values WHERE indicator_id = %s"
                                   " AND status = 'not_available' AND value IS NULL"
                                   " AND raw_code IS NULL",
                                   tmi),
                     2);

    /* Then the deaths, as CSV with 6-digit codes: numerators, which keep
     * the denominators and make the values. */
    const char *deaths = "mun_code;year;im\n500270;2019;12\n500370;2019;4\n";
    values_expect_import(values_post(U_HEALTH, tmi,
                                     "delimiter=;&municipality_column=mun_code&period_column=year"
                                     "&numerator_column=im",
                                     CSV, deaths, 0),
                         2, 0, 2, 0);
    ck_assert_int_eq(fixture_longf("SELECT value * 10 FROM indicator_values WHERE indicator_id = %s"
                                   " AND municipality_id = '" CG "' AND status = 'ok'"
                                   " AND denominator = 1000 AND numerator = 12",
                                   tmi),
                     120);
    ck_assert_int_eq(fixture_longf("SELECT value FROM indicator_values WHERE indicator_id = %s"
                                   " AND municipality_id = '" DOURADOS "' AND preliminary",
                                   tmi),
                     8);
    /* Every value remembers the import that wrote it; one audit event and
     * one value_imports row per import. */
    ck_assert_int_eq(
        fixture_longf("SELECT count(*) FROM value_imports WHERE indicator_id = %s", tmi), 2);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM indicator_values v JOIN value_imports i"
                                   " ON i.id = v.import_id WHERE v.indicator_id = %s"
                                   " AND i.format = 'csv' AND i.updated = 2",
                                   tmi),
                     2);
    ck_assert_int_eq(audit_imports(tmi), 2);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity_id = '%s'"
                                   " AND action = 'import_values' AND actor_id = %s"
                                   " AND (after->>'updated')::int = 2"
                                   " AND length(after->>'sha256') = 64",
                                   tmi, fixture_user_id(U_HEALTH)),
                     1);
}
END_TEST

START_TEST(the_education_secretariat_cannot_load_health_values)
{
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r =
        values_post(U_EDUCATION, tmi, NULL, CSV, "ibge_code,period,value\n" CG ",2019,10\n", 0);
    http_expect_problem(&r, 403, "forbidden");
    ck_assert_str_eq(http_json_string(&r, "detail"),
                     "Only the health secretariat or the coordination may load this "
                     "indicator's values.");
    http_response_free(&r);
    r = values_post(U_MAYOR_CG, tmi, NULL, CSV, "ibge_code,period,value\n" CG ",2019,10\n", 0);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = http_do(&(struct http_request){.method = "POST",
                                       .path = "/v1/indicators/1/values",
                                       .content_type = CSV,
                                       .body = "ibge_code,period,value\n"});
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    r = values_post(U_HEALTH, "999999", NULL, CSV, "ibge_code,period,value\n", 0);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    /* The coordination may load any area's values. */
    values_expect_import(values_post(U_COORDINATION, ideb, NULL, CSV,
                                     "ibge_code,period,value\n" CG ",2019,5.5\n", 0),
                         1, 1, 0, 0);
}
END_TEST

START_TEST(a_file_with_one_bad_line_imports_nothing_and_names_it)
{
    struct fixture_snapshot before = fixture_snapshot();
    const char *csv = "ibge_code,period,value\n" CG ",2019,5.1\n" DOURADOS ",2018,5.2\n" SAO_PAULO
                      ",2019,11\n" DOURADOS ",2019,abc\n";
    struct http_response r = values_post(U_EDUCATION, ideb, NULL, CSV, csv, 0);
    http_expect_problem(&r, 422, "validation-failed");
    /* 2018 is not 2005 + 2k; 11 is above the maximum; abc is no number. */
    ck_assert(fixture_names_error(&r, "period", 3));
    ck_assert(fixture_names_error(&r, "value", 4));
    ck_assert(fixture_names_error(&r, "value", 5));
    ck_assert(!fixture_names_error(&r, "value", 2));
    http_response_free(&r);

    /* A missing mapped column, a ragged row, a period before the first. */
    r = values_post(U_EDUCATION, ideb, "value_column=ideb", CSV, csv, 0);
    http_expect_problem(&r, 422, "validation-failed");
    ck_assert(fixture_names_error(&r, "ideb", 1));
    http_response_free(&r);
    r = values_post(U_EDUCATION, ideb, NULL, CSV,
                    "ibge_code,period,value\n" CG ",2019\n" CG ",2003,4\n", 0);
    http_expect_problem(&r, 422, "validation-failed");
    ck_assert(fixture_names_error(&r, "line", 2));
    ck_assert(fixture_names_error(&r, "period", 3));
    http_response_free(&r);
    /* JSON errors name the item's field. */
    r = values_post(U_EDUCATION, ideb, NULL, "application/json",
                    "{\"values\":[{\"municipality_id\":\"" CG "\",\"period\":\"2019\","
                    "\"value\":\"high\"},{\"period\":\"2019\",\"value\":3,\"colour\":1}]}",
                    0);
    http_expect_problem(&r, 422, "validation-failed");
    ck_assert(fixture_names_error(&r, "values[0].value", 0));
    ck_assert(fixture_names_error(&r, "values[1].municipality_id", 0));
    ck_assert(fixture_names_error(&r, "values[1].colour", 0));
    http_response_free(&r);
    /* Unknown and malformed options are 400. */
    r = values_post(U_EDUCATION, ideb, "separator=;", CSV, csv, 0);
    http_expect_problem(&r, 400, "invalid-parameter");
    http_response_free(&r);
    r = values_post(U_EDUCATION, ideb, "delimiter=|", CSV, csv, 0);
    http_expect_problem(&r, 400, "invalid-parameter");
    http_response_free(&r);
    r = values_post(U_EDUCATION, ideb, "value_column=", CSV, csv, 0); /* names no column */
    http_expect_problem(&r, 400, "invalid-parameter");
    ck_assert_str_eq(http_json_string(&r, "detail"), "value_column must not be empty.");
    http_response_free(&r);
    r = values_post(U_EDUCATION, ideb, NULL, "text/plain", csv, 0);
    http_expect_problem(&r, 415, "unsupported-media-type");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(a_key_twice_in_one_file_is_refused)
{
    struct fixture_snapshot before = fixture_snapshot();
    /* The same municipality in its 7- and 6-digit forms. */
    struct http_response r = values_post(
        U_EDUCATION, ideb, NULL, CSV,
        "ibge_code,period,value\n" CG ",2019,5.1\n" DOURADOS ",2019,5\n500270,2019,5.3\n", 0);
    http_expect_problem(&r, 422, "validation-failed");
    ck_assert(fixture_names_error(&r, "ibge_code", 4));
    ck_assert(strstr(buf_cstr(&r.body), "already on line 2") != NULL);
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(unknown_municipalities_are_an_error_unless_ignored)
{
    struct fixture_snapshot before = fixture_snapshot();
    const char *csv = "mun_code,year,im\n500270,2019,3\n500000,2019,1\n110000,2019,2\n";
    const char *query = "municipality_column=mun_code&period_column=year&numerator_column=im";
    struct http_response r = values_post(U_HEALTH, tmi, query, CSV, csv, 0);
    http_expect_problem(&r, 422, "validation-failed");
    ck_assert(fixture_names_error(&r, "mun_code", 3));
    ck_assert(fixture_names_error(&r, "mun_code", 4));
    http_response_free(&r);
    fixture_assert_unchanged(before);

    char ignoring[256];
    snprintf(ignoring, sizeof ignoring, "%s&unknown_municipalities=ignore", query);
    r = values_post(U_HEALTH, tmi, ignoring, CSV, csv, 0);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_int_eq(values_long(&r, "ignored"), 2);
    const cJSON *unknown = cJSON_GetObjectItem(r.json, "unknown_municipalities");
    ck_assert_int_eq(cJSON_GetArraySize(unknown), 2);
    ck_assert_str_eq(cJSON_GetArrayItem(unknown, 0)->valuestring, "110000");
    values_expect_import(r, 3, 1, 0, 0);
}
END_TEST

START_TEST(a_dry_run_reports_and_writes_nothing)
{
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = values_post(U_EDUCATION, ideb, "dry_run=true", CSV,
                                         "ibge_code,period,value\n" CG ",2019,5.1\n", 0);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "import_id")));
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "dry_run")));
    values_expect_import(r, 1, 1, 0, 0);
    fixture_assert_unchanged(before);
    ck_assert_int_eq(fixture_count("value_imports"), 0);
}
END_TEST

START_TEST(a_revised_file_keeps_history_and_counts_changes)
{
    const char *first =
        "ibge_code,period,value\n" CG ",2017,5.1\n" CG ",2019,5.3\n" DOURADOS ",2019,ND*\n";
    values_expect_import(values_post(U_EDUCATION, ideb, NULL, CSV, first, 0), 3, 3, 0, 0);
    /* INEP's codes: no value, never zero, the code kept. */
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM indicator_values WHERE indicator_id = %s"
                                   " AND municipality_id = '" DOURADOS "' AND value IS NULL"
                                   " AND status = 'not_available' AND raw_code = 'ND*'",
                                   ideb),
                     1);
    long audits = audit_imports(ideb);
    /* INEP revises 2019 for Campo Grande and publishes Dourados'. */
    const char *revised =
        "ibge_code,period,value\n" CG ",2017,5.1\n" CG ",2019,5.4\n" DOURADOS ",2019,4.9\n";
    struct http_response r = values_post(U_EDUCATION, ideb, NULL, CSV, revised, 0);
    long import_id = values_long(&r, "import_id");
    values_expect_import(r, 3, 0, 2, 1);
    ck_assert_int_eq(audit_imports(ideb), audits + 1);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM indicator_value_history"
                                   " WHERE indicator_id = %s AND replaced_by = %ld",
                                   ideb, import_id),
                     2);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM indicator_value_history"
                                   " WHERE indicator_id = %s AND municipality_id = '" CG "'"
                                   " AND period = '2019' AND value = 5.3 AND import_id IS NOT NULL",
                                   ideb),
                     1);
    /* The same file again changes nothing, and is still one import. */
    values_expect_import(values_post(U_EDUCATION, ideb, NULL, CSV, revised, 0), 3, 0, 0, 3);
    ck_assert_int_eq(audit_imports(ideb), audits + 2);
    ck_assert_int_eq(fixture_count("indicator_value_history"), 2);
}
END_TEST

START_TEST(missing_zero_fills_what_the_deaths_file_leaves_out)
{
    values_expect_import(values_post(U_HEALTH, tmi,
                                     "municipality_column=mun_code&period_column=year"
                                     "&denominator_column=births",
                                     CSV,
                                     "year,mun_code,births\n2019,500270,1000\n2019,500370,400\n"
                                     "2019,355030,2000\n",
                                     0),
                         3, 3, 0, 0);
    /* Dourados had no death in 2019: it is not in the file. */
    struct http_response r =
        values_post(U_HEALTH, tmi,
                    "municipality_column=mun_code&period_column=year&numerator_column=im"
                    "&missing=zero",
                    CSV, "mun_code,year,im\n500270,2019,10\n355030,2019,30\n", 0);
    ck_assert_int_eq(values_long(&r, "zero_filled"), 1);
    values_expect_import(r, 2, 0, 3, 0);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM indicator_values WHERE indicator_id = %s"
                                   " AND municipality_id = '" DOURADOS "' AND numerator = 0"
                                   " AND denominator = 400 AND value = 0 AND status = 'ok'",
                                   tmi),
                     1);
}
END_TEST

/* A TabNet export as it downloads: ISO-8859-1, ';', decimal comma, title
 * lines, a Total row, "-" for zero, the legend below. */
static const char TABNET[] =
    "Nascim p/resid.m\xe3"
    "e por Munic\xed"
    "pio\r\n"
    "Per\xed"
    "odo: 2019\r\n"
    "\r\n"
    "\"Munic\xed"
    "pio\";\"Nascim p/resid.m\xe3"
    "e\"\r\n"
    "\"500270 Campo Grande\";\"13520\"\r\n"
    "\"500370 Dourados\";\"-\"\r\n"
    "\"355030 S\xe3"
    "o Paulo\";\"158931\"\r\n"
    "\"500000 Munic\xed"
    "pio ignorado - MS\";\"12\"\r\n"
    "\"Total\";\"172463\"\r\n"
    "\r\n"
    "\"Fonte: MS/SVS/DASIS - Sistema de Informa\xe7\xf5"
    "es sobre Nascidos Vivos - SINASC\"\r\n"
    "\"Legenda:\"\r\n"
    "\"-  - Dados num\xe9ricos iguais a 0 n\xe3o resultantes de arredondamento.\"\r\n";

START_TEST(a_tabnet_export_loads_as_downloaded)
{
    struct http_response r =
        values_post(U_HEALTH, tmi,
                    "format=tabnet&period=2019&denominator_column=Nascim%20p/resid.m%C3%A3e"
                    "&unknown_municipalities=ignore",
                    CSV, TABNET, 0);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_int_eq(values_long(&r, "ignored"), 1);
    values_expect_import(r, 4, 3, 0, 0);
    ck_assert_int_eq(
        fixture_longf("SELECT denominator FROM indicator_values WHERE indicator_id = %s"
                      " AND municipality_id = '" SAO_PAULO "' AND period = '2019'",
                      tmi),
        158931);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM indicator_values WHERE indicator_id = %s"
                                   " AND municipality_id = '" DOURADOS "' AND denominator = 0",
                                   tmi),
                     1);
    /* Decimal commas in a plain CSV too. */
    values_expect_import(values_post(U_EDUCATION, ideb, "delimiter=;&decimal=,", CSV,
                                     "ibge_code;period;value\n" CG ";2019;5,7\n", 0),
                         1, 1, 0, 0);
    ck_assert_int_eq(
        fixture_longf("SELECT value * 10 FROM indicator_values WHERE indicator_id = %s", ideb), 57);
}
END_TEST

START_TEST(the_secretariats_read_the_import_record)
{
    struct http_response r = values_post(U_EDUCATION, ideb, "dry_run=true", CSV,
                                         "ibge_code,period,value\n" CG ",2019,5.1\n", 0);
    http_response_free(&r);
    r = values_post(U_EDUCATION, ideb, "delimiter=;", CSV,
                    "ibge_code;period;value\n" CG ";2019;5.1\n", 0);
    long id = values_long(&r, "import_id");
    char sha[65];
    snprintf(sha, sizeof sha, "%s", http_json_string(&r, "sha256"));
    http_response_free(&r);
    char path[128];
    snprintf(path, sizeof path, "/v1/indicators/%s/imports", ideb);
    /* Any secretariat reads it; the dry run left no record. */
    r = http_get(path, fixture_token(U_HEALTH));
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    const cJSON *items = cJSON_GetObjectItem(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "sha256")->valuestring, sha);
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/indicators/%s/imports/%ld", ideb, id);
    r = http_get(path, fixture_token(U_COORDINATION));
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(values_long(&r, "inserted"), 1);
    ck_assert_str_eq(
        cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "options"), "delimiter")->valuestring, ";");
    http_response_free(&r);
    ck_assert_int_eq(fixture_get_status(path, fixture_token(U_MAYOR_CG)), 403);
    ck_assert_int_eq(fixture_get_status(path, NULL), 401);
    /* Another indicator's path does not reach it. */
    snprintf(path, sizeof path, "/v1/indicators/%s/imports/%ld", tmi, id);
    ck_assert_int_eq(fixture_get_status(path, fixture_token(U_HEALTH)), 404);
}
END_TEST

/* The body is streamed with its own cap (PACTO_IMPORT_MAX_BYTES, 256 MiB
 * by default): a larger Content-Length is refused once the caller is known,
 * before a byte of the body is read (none is sent here). */
START_TEST(a_body_over_the_import_limit_is_refused_before_it_is_read)
{
    struct fixture_snapshot before = fixture_snapshot();
    char path[64];
    snprintf(path, sizeof path, "/v1/indicators/%s/values", ideb);
    http_expect_too_large_unread(path, fixture_token(U_EDUCATION), "text/csv", 300000000);
    fixture_assert_unchanged(before);
}
END_TEST

Suite *values_suite(void)
{
    Suite *s = suite_create("values");
    TCase *tc = tcase_create("import");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, the_health_secretariat_loads_values_as_json_and_csv);
    tcase_add_test(tc, the_education_secretariat_cannot_load_health_values);
    tcase_add_test(tc, a_file_with_one_bad_line_imports_nothing_and_names_it);
    tcase_add_test(tc, a_key_twice_in_one_file_is_refused);
    tcase_add_test(tc, unknown_municipalities_are_an_error_unless_ignored);
    tcase_add_test(tc, a_dry_run_reports_and_writes_nothing);
    tcase_add_test(tc, a_revised_file_keeps_history_and_counts_changes);
    tcase_add_test(tc, missing_zero_fills_what_the_deaths_file_leaves_out);
    tcase_add_test(tc, a_tabnet_export_loads_as_downloaded);
    tcase_add_test(tc, the_secretariats_read_the_import_record);
    tcase_add_test(tc, a_body_over_the_import_limit_is_refused_before_it_is_read);
    suite_add_tcase(s, tc);
    return s;
}
