/*
 * What GET /v1/municipalities/{code} shows of the program (issue 3): for each
 * cycle of the municipality's state, whether it adhered, and its
 * representative's public data; and the list's adhered filter. The rows are
 * written directly, so these tests do not depend on the adhesion endpoints.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <string.h>

#define CYCLE_SQL                                                                                  \
    "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"                 \
    "                    pact_opens_at, pact_closes_at, target_year, commitments)"                 \
    " VALUES ('MS 2026', 50, now() - interval '1 day', now() + interval '1 day',"                  \
    "         now() + interval '2 days', now() + interval '30 days', 2028, '[\"c\"]')"

static void adhere_campo_grande(void)
{
    fixture_exec(CYCLE_SQL);
    fixture_exec("INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by,"
                 "                       commitments)"
                 " SELECT 1, '" CG "', 'MS-2026-000001', id, '[\"c\"]' FROM users"
                 "  WHERE email = 'mayor.cg@test.pacto'");
}

/* The adhesions array of a municipality, as read anonymously; r must be freed. */
static const cJSON *adhesions_of(struct http_response *r, const char *code)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/municipalities/%s", code);
    *r = http_get(path, NULL);
    ck_assert_int_eq(r->status, 200);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(r->json, "adhesions");
    ck_assert(cJSON_IsArray(a));
    return a;
}

static const char *string_of(const cJSON *object, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

START_TEST(shows_adhesion_status_per_cycle)
{
    struct http_response r;
    ck_assert_int_eq(cJSON_GetArraySize(adhesions_of(&r, CG)), 0);
    http_response_free(&r);

    adhere_campo_grande();
    const cJSON *a = adhesions_of(&r, CG);
    ck_assert_int_eq(cJSON_GetArraySize(a), 1);
    ck_assert_str_eq(string_of(cJSON_GetArrayItem(a, 0), "status"), "active");
    ck_assert_str_eq(string_of(cJSON_GetArrayItem(a, 0), "protocol"), "MS-2026-000001");
    ck_assert_str_eq(string_of(cJSON_GetArrayItem(a, 0), "cycle_name"), "MS 2026");
    http_response_free(&r);

    /* Dourados, same state: the cycle is listed, without an adhesion. */
    a = adhesions_of(&r, DOURADOS);
    ck_assert_int_eq(cJSON_GetArraySize(a), 1);
    ck_assert_str_eq(string_of(cJSON_GetArrayItem(a, 0), "status"), "none");
    http_response_free(&r);
    /* São Paulo is in another state: MS cycles are not its cycles. */
    ck_assert_int_eq(cJSON_GetArraySize(adhesions_of(&r, SAO_PAULO)), 0);
    http_response_free(&r);

    fixture_exec("UPDATE adhesions SET status = 'withdrawn', withdrawn_at = now()");
    a = adhesions_of(&r, CG);
    ck_assert_str_eq(string_of(cJSON_GetArrayItem(a, 0), "status"), "withdrawn");
    http_response_free(&r);
}
END_TEST

START_TEST(shows_only_the_representatives_public_data)
{
    struct http_response r = http_get("/v1/municipalities/" CG, NULL);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r.json, "representative")));
    http_response_free(&r);
    fixture_exec("UPDATE users SET position = 'Secretária de Planejamento'"
                 " WHERE email = 'rep.cg@test.pacto'");
    fixture_exec("UPDATE municipalities SET representative_id ="
                 " (SELECT id FROM users WHERE email = 'rep.cg@test.pacto') WHERE ibge_code = '" CG
                 "'");
    r = http_get("/v1/municipalities/" CG, NULL);
    const cJSON *rep = cJSON_GetObjectItemCaseSensitive(r.json, "representative");
    ck_assert_str_eq(string_of(rep, "name"), "Rita");
    ck_assert_str_eq(string_of(rep, "position"), "Secretária de Planejamento");
    ck_assert_int_eq(cJSON_GetArraySize(rep), 2); /* no e-mail, CPF or phone */
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "39053344705"));
    http_response_free(&r);
}
END_TEST

/* The codes of a list page, comma-separated, into out. */
static void list_codes(const char *query, char *out, size_t len)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/municipalities?%s", query);
    struct http_response r = http_get(path, NULL);
    ck_assert_int_eq(r.status, 200);
    out[0] = '\0';
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(r.json, "items"))
    {
        if (out[0])
            strncat(out, ",", len - strlen(out) - 1);
        strncat(out, string_of(item, "ibge_code"), len - strlen(out) - 1);
    }
    http_response_free(&r);
}

START_TEST(list_filters_by_adhesion_to_a_cycle)
{
    adhere_campo_grande();
    char codes[128];
    list_codes("cycle_id=1&adhered=true", codes, sizeof codes);
    ck_assert_str_eq(codes, CG);
    list_codes("cycle_id=1&adhered=false&state=MS", codes, sizeof codes);
    ck_assert_str_eq(codes, DOURADOS);
    list_codes("cycle_id=99&adhered=false", codes, sizeof codes);
    ck_assert_str_eq(codes, "");
    static const char *const bad[] = {"adhered=true", "cycle_id=1", "cycle_id=x&adhered=true",
                                      "cycle_id=1&adhered=yes", "cycle_id=01&adhered=true"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[96];
        snprintf(path, sizeof path, "/v1/municipalities?%s", bad[i]);
        struct http_response r = http_get(path, NULL);
        http_expect_problem(&r, 400, "invalid-parameter");
        http_response_free(&r);
    }
}
END_TEST

Suite *municipality_view_suite(void)
{
    Suite *s = suite_create("municipality_view");
    TCase *tc = tcase_create("program");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, shows_adhesion_status_per_cycle);
    tcase_add_test(tc, shows_only_the_representatives_public_data);
    tcase_add_test(tc, list_filters_by_adhesion_to_a_cycle);
    suite_add_tcase(s, tc);
    return s;
}
