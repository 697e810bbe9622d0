/*
 * Integration tests for the open-data catalogue (GET /v1/open-data): a
 * re-user reads the catalogue anonymously and downloads every dataset it
 * lists as CSV, and each one's header row is exactly the fields the
 * catalogue lists, in order — so the catalogue cannot lie about a column.
 *
 * The world the paths are filled from (a cycle, an indicator, a challenge
 * and a focalization run) is made by other endpoints: seeded here by SQL.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"
#include "plans_support.h"

#include <stdio.h>
#include <string.h>

static struct {
    char cycle[24], challenge[24], indicator[24], run[24];
} w;

static void setup(void)
{
    fixture_reset();
    long cycle = fixture_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments) VALUES ('Ciclo Aberto', 50,"
        " now() - interval '20 days', now() - interval '10 days', now() - interval '1 day',"
        " now() + interval '1 hour', 2027, '[]') RETURNING id");
    long tmi, vac;
    long challenge = plans_seed_challenge(cycle, &tmi, &vac);
    long run = fixture_longf("INSERT INTO focalization_runs (challenge_id, rule, focal_count)"
                             " VALUES (%ld, '{}', 0) RETURNING id",
                             challenge);
    snprintf(w.cycle, sizeof w.cycle, "%ld", cycle);
    snprintf(w.challenge, sizeof w.challenge, "%ld", challenge);
    snprintf(w.indicator, sizeof w.indicator, "%ld", tmi);
    snprintf(w.run, sizeof w.run, "%ld", run);
}

/* The value the world gives a parameter, or NULL. */
static const char *value_of(const char *name)
{
    static const struct {
        const char *name;
        const char *value;
    } values[] = {
        {"cycle_id", w.cycle},
        {"challenge_id", w.challenge},
        {"indicator_id", w.indicator},
        {"run_id", w.run},
        {"ibge_code", CG},
        {"state", "MS"},
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        if (strcmp(values[i].name, name) == 0)
            return values[i].value;
    return NULL;
}

/* The URL of a dataset: its template with the path parameters filled and
 * its required filters given. Fails the test on a parameter it cannot fill. */
static void fill(const cJSON *resource, char *url, size_t n)
{
    const char *path = cJSON_GetObjectItemCaseSensitive(resource, "path")->valuestring;
    size_t len = 0;
    for (const char *p = path; *p && len + 1 < n;) {
        if (*p != '{') {
            url[len++] = *p++;
            continue;
        }
        const char *end = strchr(p, '}');
        ck_assert_msg(end != NULL, "%s: unclosed brace", path);
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
        const char *v = value_of(name);
        ck_assert_msg(v != NULL, "%s: no value for {%s}", path, name);
        len += (size_t)snprintf(url + len, n - len, "%s", v);
        p = end + 1;
    }
    url[len] = '\0';
    const cJSON *param;
    char sep = '?';
    cJSON_ArrayForEach(param, cJSON_GetObjectItemCaseSensitive(resource, "parameters"))
    {
        const char *name = cJSON_GetObjectItemCaseSensitive(param, "name")->valuestring;
        const char *in = cJSON_GetObjectItemCaseSensitive(param, "in")->valuestring;
        char braced[40];
        snprintf(braced, sizeof braced, "{%s}", name);
        if (strcmp(in, "path") == 0) {
            ck_assert_msg(strstr(path, braced), "%s: path parameter %s not in the path", path,
                          name);
            continue;
        }
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(param, "required")))
            continue;
        const char *v = value_of(name);
        ck_assert_msg(v != NULL, "%s: no value for the filter %s", path, name);
        len += (size_t)snprintf(url + len, n - len, "%c%s=%s", sep, name, v);
        sep = '&';
    }
}

START_TEST(every_dataset_s_csv_header_is_the_catalogue_s_fields)
{
    struct http_response cat = http_get("/v1/open-data", NULL);
    ck_assert_int_eq(cat.status, 200);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cat.json, "profile")->valuestring,
                     "data-package");
    const cJSON *resources = cJSON_GetObjectItemCaseSensitive(cat.json, "resources");
    const cJSON *resource;
    int checked = 0;
    const char *headers[] = {"Accept: text/csv", NULL};
    cJSON_ArrayForEach(resource, resources)
    {
        char url[512], want[2048] = "";
        fill(resource, url, sizeof url);
        const cJSON *field;
        cJSON_ArrayForEach(field,
                           cJSON_GetObjectItemCaseSensitive(
                               cJSON_GetObjectItemCaseSensitive(resource, "schema"), "fields"))
        {
            if (want[0])
                strncat(want, ",", sizeof want - strlen(want) - 1);
            strncat(want, cJSON_GetObjectItemCaseSensitive(field, "name")->valuestring,
                    sizeof want - strlen(want) - 1);
        }
        strncat(want, "\r\n", sizeof want - strlen(want) - 1);
        struct http_response r =
            http_do(&(struct http_request){.method = "GET", .path = url, .headers = headers});
        ck_assert_msg(r.status == 200, "GET %s: %ld %s", url, r.status, r.body.data);
        ck_assert_msg(strncmp(r.body.data, want, strlen(want)) == 0,
                      "%s: the header is not the catalogue's fields\n got: %.*s\nwant: %s", url,
                      (int)strcspn(r.body.data, "\n"), r.body.data, want);
        http_response_free(&r);
        checked++;
    }
    ck_assert_int_eq(checked, cJSON_GetArraySize(resources));
    ck_assert_int_ge(checked, 20);
    http_response_free(&cat);
}
END_TEST

START_TEST(the_catalogue_is_public_and_cacheable)
{
    struct http_response r = http_get("/v1/open-data", NULL);
    ck_assert_int_eq(r.status, 200);
    char etag[96];
    snprintf(etag, sizeof etag, "If-None-Match: %s", http_header(&r, "ETag"));
    http_response_free(&r);
    const char *headers[] = {etag, NULL};
    r = http_do(
        &(struct http_request){.method = "GET", .path = "/v1/open-data", .headers = headers});
    ck_assert_int_eq(r.status, 304);
    http_response_free(&r);
}
END_TEST

Suite *open_data_suite(void)
{
    Suite *s = suite_create("open_data");
    TCase *tc = tcase_create("open_data");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, every_dataset_s_csv_header_is_the_catalogue_s_fields);
    tcase_add_test(tc, the_catalogue_is_public_and_cacheable);
    suite_add_tcase(s, tc);
    return s;
}
