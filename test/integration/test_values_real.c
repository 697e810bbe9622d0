/*
 * The three real files of data/indicators load through the API as they
 * are published, against the full IBGE municipality list (loaded through
 * POST /v1/states/import and /v1/municipalities/import): INEP's IDEB with
 * its projected targets filtered out and its NA rows kept as not
 * available; DATASUS's live births as the denominator and infant deaths as
 * the numerator of infant mortality (6-digit codes, "município ignorado"
 * codes ignored, the municipality-years without a death filled with zero).
 * São Paulo, 2000: 3,283 / 203,922 x 1,000 = 16.1. The suite passes without
 * checking anything when the build has no copy of the files.
 */
#include "suites.h"

#include "values_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATA_DIR PACTO_DATA_DIR "/"
#define CSV      "text/csv"

static bool read_file(const char *name, struct buf *b)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", DATA_DIR, name);
    return access(path, R_OK) == 0 && buf_read_file(b, path);
}

/* The IBGE lists through the API, as coordination. */
static void load_municipalities(void)
{
    static const char *const lists[][2] = {{"/v1/states/import", "ibge-estados.csv"},
                                           {"/v1/municipalities/import", "ibge-municipios.csv"}};
    for (int i = 0; i < 2; i++) {
        struct buf b = {0};
        ck_assert_msg(read_file(lists[i][1], &b), "%s%s missing", DATA_DIR, lists[i][1]);
        struct http_response r =
            http_do(&(struct http_request){.method = "POST",
                                           .path = lists[i][0],
                                           .token = fixture_token(U_COORDINATION),
                                           .content_type = CSV,
                                           .body = buf_cstr(&b),
                                           .body_len = b.len});
        ck_assert_msg(r.status == 200, "%s: %ld %s", lists[i][0], r.status, buf_cstr(&r.body));
        http_response_free(&r);
        buf_free(&b);
    }
}

static bool have_files(void)
{
    static const char *const names[] = {"indicators/inep-ideb-anos-iniciais-publica.csv",
                                        "indicators/datasus-sim-obitos-infantis.csv",
                                        "indicators/datasus-sinasc-nascidos-vivos.csv",
                                        "ibge-municipios.csv", NULL};
    for (const char *const *n = names; *n; n++) {
        char path[512];
        snprintf(path, sizeof path, "%s%s", DATA_DIR, *n);
        if (access(path, R_OK) != 0) {
            fprintf(stderr, "values_real: %s is missing; nothing checked\n", path);
            return false;
        }
    }
    return true;
}

/* Lines of the file that contain needle. */
static long lines_with(const struct buf *b, const char *needle)
{
    long n = 0;
    for (const char *p = buf_cstr(b); (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

START_TEST(inep_ideb_loads_with_its_targets_filtered_out)
{
    if (!have_files())
        return;
    load_municipalities();
    char id[24];
    values_indicator(id, "IDEB-AI", "education", "biennial", "2005", "0", "10", NULL, 0);
    struct buf file = {0};
    ck_assert(read_file("indicators/inep-ideb-anos-iniciais-publica.csv", &file));
    long observed = lines_with(&file, ",Observado");
    struct http_response r =
        values_post(U_EDUCATION, id,
                    "municipality_column=county_id&period_column=ideb_publication_year"
                    "&value_column=ideb_score&keep_column=ideb_score_status&keep_value=Observado",
                    CSV, buf_cstr(&file), file.len);
    buf_free(&file);
    values_expect_import(r, observed, observed, 0, 0);
    /* São Paulo, 2013: INEP published no result. */
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM indicator_values WHERE indicator_id = %s"
                                   " AND municipality_id = '3550308' AND period = '2013'"
                                   " AND value IS NULL AND status = 'not_available'"
                                   " AND raw_code = 'NA'",
                                   id),
                     1);
    ck_assert(fixture_longf("SELECT count(*) FROM indicator_values WHERE indicator_id = %s"
                            " AND raw_code = 'NA'",
                            id) > 100);
}
END_TEST

START_TEST(datasus_births_and_deaths_make_infant_mortality)
{
    if (!have_files())
        return;
    load_municipalities();
    char id[24];
    values_indicator(id, "TMI", "health", "annual", "2000", "0", NULL, "1000", 0);
    struct buf births = {0}, deaths = {0};
    ck_assert(read_file("indicators/datasus-sinasc-nascidos-vivos.csv", &births));
    ck_assert(read_file("indicators/datasus-sim-obitos-infantis.csv", &deaths));
    struct http_response r = values_post(
        U_HEALTH, id, "municipality_column=mun_code&period_column=year&denominator_column=births",
        CSV, buf_cstr(&births), births.len);
    long birth_rows = lines_with(&births, "\n") - 1; /* less the header */
    values_expect_import(r, birth_rows, birth_rows, 0, 0);
    r = values_post(U_HEALTH, id,
                    "municipality_column=mun_code&period_column=year&numerator_column=im"
                    "&unknown_municipalities=ignore&missing=zero",
                    CSV, buf_cstr(&deaths), deaths.len);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert(values_long(&r, "ignored") > 0);
    ck_assert(strstr(buf_cstr(&r.body), "\"110000\"") != NULL);
    long zero = values_long(&r, "zero_filled");
    ck_assert(zero > 0);
    /* Every municipality-year with births now has its deaths (or 0). */
    ck_assert_int_eq(values_long(&r, "updated"), birth_rows);
    http_response_free(&r);
    buf_free(&births);
    buf_free(&deaths);
    /* São Paulo, 2000: 3,283 deaths, 203,922 births. */
    ck_assert_int_eq(fixture_longf("SELECT round(value * 10) FROM indicator_values"
                                   " WHERE indicator_id = %s AND municipality_id = '3550308'"
                                   " AND period = '2000' AND numerator = 3283"
                                   " AND denominator = 203922",
                                   id),
                     161);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM indicator_values WHERE indicator_id = %s"
                                   " AND numerator = 0 AND value = 0",
                                   id),
                     zero);
    /* The state figure of SP, from its sums. */
    struct http_response a;
    char path[128];
    snprintf(path, sizeof path, "/v1/indicators/%s/aggregates?state=SP&limit=1", id);
    a = http_get(path, NULL);
    ck_assert_int_eq(a.status, 200);
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(a.json, "items"), 0);
    ck_assert_str_eq(cJSON_GetObjectItem(first, "period")->valuestring, "2000");
    ck_assert_int_eq((long)cJSON_GetObjectItem(first, "municipalities_without_data")->valuedouble,
                     0);
    http_response_free(&a);
}
END_TEST

Suite *values_real_suite(void)
{
    Suite *s = suite_create("values_real");
    TCase *tc = tcase_create("real files");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, inep_ideb_loads_with_its_targets_filtered_out);
    tcase_add_test(tc, datasus_births_and_deaths_make_infant_mortality);
    suite_add_tcase(s, tc);
    return s;
}
