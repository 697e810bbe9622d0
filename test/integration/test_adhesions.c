/*
 * Integration tests for adhesions (SPEC 1, step 2 and the rules of SPEC 5),
 * told as the program's story: a cycle opens in Mato Grosso do Sul; the mayor
 * of Campo Grande signs with the wrong CPF and is refused, then with her own,
 * formatted or not; a retry with the same Idempotency-Key creates nothing; a
 * second adhesion, a representative, another state's cycle and a closed
 * window are refused; another municipality's mayor cannot withdraw, the mayor
 * can; the public list never shows a CPF, and only the coordination and the
 * municipality see who signed. Every refusal leaves the database unchanged.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MS_CODE           50
#define SP_CODE           35
#define CG_SIGNS          "{\"mayor_cpf\":\"529.982.247-25\",\"accepted_commitments\":true}"
#define CG_SIGNS_UNDOTTED "{\"mayor_cpf\":\"52998224725\",\"accepted_commitments\":true}"
#define DOURADOS_SIGNS    "{\"mayor_cpf\":\"11144477735\",\"accepted_commitments\":true}"
#define ANONYMOUS         (-1)
#define CSV_HEADER        "id,municipality_id,municipality_name,state,protocol,status,signed_at\r\n"

/* A cycle of the state whose adhesion window runs between the two intervals
 * from now (e.g. "-1 day", "1 day"); returns its id. */
static long open_cycle(int state_code, const char *opens, const char *closes)
{
    return fixture_longf(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        "                    pact_opens_at, pact_closes_at, target_year, commitments)"
        " SELECT 'Ciclo 2027', %d, now() + interval '%s', c, c + interval '1 day',"
        "        c + interval '30 days', 2027,"
        "        '[\"Nomear um representante\", \"Acompanhar o programa\"]'"
        "   FROM (SELECT now() + interval '%s' AS c) AS closing RETURNING id",
        state_code, opens, closes);
}

static const char *token_of(int user)
{
    return user == ANONYMOUS ? NULL : fixture_token((enum fixture_user)user);
}

/* POSTs body to path as user, with an Idempotency-Key when key is not NULL. */
static struct http_response post_as(int user, const char *path, const char *body, const char *key)
{
    char header[128];
    snprintf(header, sizeof header, "Idempotency-Key: %s", key ? key : "");
    const char *headers[] = {header, NULL};
    return http_do(&(struct http_request){.method = "POST",
                                          .path = path,
                                          .token = token_of(user),
                                          .body = body,
                                          .headers = key ? headers : NULL});
}

static void adhesions_path(long cycle, char out[64])
{
    snprintf(out, 64, "/v1/cycles/%ld/adhesions", cycle);
}

/* A cycle of Mato Grosso do Sul whose adhesion window opened a day ago and
 * closes in a day; path receives its adhesions' path. Returns its id. */
static long open_ms_cycle(char path[64])
{
    long cycle = open_cycle(MS_CODE, "-1 day", "1 day");
    adhesions_path(cycle, path);
    return cycle;
}

/* Signs as user and asserts 201; returns the adhesion's id. */
static long adhere(int user, long cycle, const char *body)
{
    char path[64];
    adhesions_path(cycle, path);
    struct http_response r = post_as(user, path, body, NULL);
    ck_assert_msg(r.status == 201, "%s", buf_cstr(&r.body));
    long id = (long)cJSON_GetObjectItem(r.json, "id")->valuedouble;
    http_response_free(&r);
    return id;
}

static void withdraw_path(long cycle, long id, char out[96])
{
    snprintf(out, 96, "/v1/cycles/%ld/adhesions/%ld/withdraw", cycle, id);
}

/* A refused POST: who sends what, the expected problem, and a text its body
 * must mention (a field name, a detail), or NULL. */
struct refusal {
    int user;
    const char *body;
    long status;
    const char *slug, *mention;
};

/* POSTs each case to path and asserts its refusal left the database as it was. */
static void expect_refusals(const char *path, const struct refusal *cases, size_t n)
{
    struct fixture_snapshot before = fixture_snapshot();
    for (size_t i = 0; i < n; i++) {
        struct http_response r = post_as(cases[i].user, path, cases[i].body, NULL);
        ck_assert_msg(r.status == cases[i].status, "case %zu: %ld %s", i, r.status,
                      buf_cstr(&r.body));
        http_expect_problem(&r, cases[i].status, cases[i].slug);
        if (cases[i].mention)
            ck_assert_msg(strstr(buf_cstr(&r.body), cases[i].mention), "case %zu: no \"%s\" in %s",
                          i, cases[i].mention, buf_cstr(&r.body));
        http_response_free(&r);
        fixture_assert_unchanged(before);
    }
}

static const cJSON *member(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}

START_TEST(the_mayor_adheres_with_her_own_cpf_formatted_or_not)
{
    char path[64], location[96], year[8];
    long cycle = open_ms_cycle(path);
    struct http_response r = post_as(U_MAYOR_CG, path, CG_SIGNS, NULL);
    ck_assert_msg(r.status == 201, "%s", buf_cstr(&r.body));
    long id = (long)member(r.json, "id")->valuedouble;
    snprintf(location, sizeof location, "%s/%ld", path, id);
    ck_assert_str_eq(http_header(&r, "Location"), location);
    ck_assert_str_eq(http_json_string(&r, "municipality_id"), CG);
    ck_assert_str_eq(http_json_string(&r, "municipality_name"), "Campo Grande");
    ck_assert_str_eq(http_json_string(&r, "state"), "MS");
    ck_assert_str_eq(http_json_string(&r, "status"), "active");
    ck_assert_ptr_nonnull(http_json_string(&r, "signed_at"));
    ck_assert(cJSON_IsNull(member(r.json, "withdrawn_at")));
    /* The protocol: MS-<year signed, UTC>-<6 digits>. */
    time_t now = time(NULL);
    struct tm tm;
    strftime(year, sizeof year, "%Y", gmtime_r(&now, &tm));
    const char *protocol = http_json_string(&r, "protocol");
    ck_assert_msg(strlen(protocol) == 14 && strncmp(protocol, "MS-", 3) == 0 &&
                      strncmp(protocol + 3, year, 4) == 0 && protocol[7] == '-' &&
                      strspn(protocol + 8, "0123456789") == 6,
                  "protocol %s", protocol);
    const cJSON *commitments = member(r.json, "commitments");
    ck_assert_int_eq(cJSON_GetArraySize(commitments), 2);
    ck_assert_str_eq(cJSON_GetArrayItem(commitments, 0)->valuestring, "Nomear um representante");
    const cJSON *signer = member(r.json, "signer");
    ck_assert_int_eq((long)member(signer, "user_id")->valuedouble,
                     atol(fixture_user_id(U_MAYOR_CG)));
    ck_assert_str_eq(member(signer, "name")->valuestring, "Maria");
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "52998224725"));
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "529.982"));
    http_response_free(&r);

    long dourados = adhere(U_MAYOR_DOURADOS, cycle, DOURADOS_SIGNS);
    ck_assert_int_ne(dourados, id);
    ck_assert_int_eq(fixture_long("SELECT count(DISTINCT protocol) FROM adhesions"), 2);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE entity = 'adhesion'"
                                  " AND action = 'create' AND before IS NULL"
                                  " AND after->>'status' = 'active'"
                                  " AND after::text !~ '(52998224725|11144477735)'"),
                     2);

    /* An unformatted CPF is the same CPF, in another cycle. */
    adhere(U_MAYOR_CG, open_cycle(MS_CODE, "-1 hour", "1 hour"), CG_SIGNS_UNDOTTED);
}
END_TEST

START_TEST(a_wrong_cpf_or_commitments_not_accepted_are_refused)
{
    char path[64];
    open_ms_cycle(path);
    static const struct refusal cases[] = {
        {U_MAYOR_CG, "{\"mayor_cpf\":\"111.444.777-35\",\"accepted_commitments\":true}", 422,
         "validation-failed", "\"mayor_cpf\""},
        {U_MAYOR_CG, "{\"mayor_cpf\":\"123.456.789-00\",\"accepted_commitments\":true}", 422,
         "validation-failed", "\"mayor_cpf\""},
        {U_MAYOR_CG, "{\"accepted_commitments\":true}", 422, "validation-failed", "\"mayor_cpf\""},
        {U_MAYOR_CG, "{\"mayor_cpf\":\"52998224725\",\"accepted_commitments\":false}", 422,
         "validation-failed", "\"accepted_commitments\""},
        {U_MAYOR_CG, "{\"mayor_cpf\":\"52998224725\",\"accepted_commitments\":\"true\"}", 422,
         "validation-failed", "\"accepted_commitments\""},
        {U_MAYOR_CG, "{\"mayor_cpf\":\"52998224725\"}", 422, "validation-failed",
         "\"accepted_commitments\""},
        {U_MAYOR_CG,
         "{\"mayor_cpf\":\"52998224725\",\"accepted_commitments\":true,\"protocol\":\"X\"}", 422,
         "validation-failed", "\"protocol\""},
    };
    expect_refusals(path, cases, sizeof cases / sizeof cases[0]);

    /* After an election the registered mayor is someone else: the former
     * mayor's account can sign neither with her CPF nor with the new one. */
    fixture_exec("UPDATE municipalities SET mayor_cpf = '86147352008' WHERE ibge_code = '" CG "'");
    static const struct refusal former[] = {
        {U_MAYOR_CG, CG_SIGNS, 422, "validation-failed", "\"mayor_cpf\""},
        {U_MAYOR_CG, "{\"mayor_cpf\":\"861.473.520-08\",\"accepted_commitments\":true}", 422,
         "validation-failed", "\"mayor_cpf\""},
    };
    expect_refusals(path, former, sizeof former / sizeof former[0]);
}
END_TEST

START_TEST(a_retry_with_the_same_key_creates_nothing)
{
    char path[64];
    open_ms_cycle(path);
    const char *headers[] = {"Idempotency-Key: adesao-cg-2027", NULL};
    fixture_expect_replayed(&(struct http_request){.method = "POST",
                                                   .path = path,
                                                   .token = fixture_token(U_MAYOR_CG),
                                                   .body = CG_SIGNS,
                                                   .headers = headers},
                            "adhesions");
    ck_assert_int_eq(fixture_count("adhesions"), 1);
}
END_TEST

START_TEST(a_second_adhesion_is_a_conflict)
{
    char path[64];
    long cycle = open_ms_cycle(path);
    adhere(U_MAYOR_CG, cycle, CG_SIGNS);
    static const struct refusal cases[] = {
        {U_MAYOR_CG, CG_SIGNS, 409, "conflict", "already has an active adhesion"},
    };
    expect_refusals(path, cases, 1);
}
END_TEST

START_TEST(only_the_mayor_may_adhere)
{
    char path[64];
    open_ms_cycle(path);
    static const struct refusal cases[] = {
        {U_REP_CG, "{}", 403, "forbidden", NULL}, /* the role before the body */
        {U_REP_CG, CG_SIGNS, 403, "forbidden", NULL},
        {U_COORDINATION, CG_SIGNS, 403, "forbidden", NULL},
        {U_HEALTH, CG_SIGNS, 403, "forbidden", NULL},
        {ANONYMOUS, CG_SIGNS, 401, "unauthenticated", NULL},
    };
    expect_refusals(path, cases, sizeof cases / sizeof cases[0]);
}
END_TEST

START_TEST(adhesion_only_inside_the_window)
{
    char path[64];
    static const struct refusal not_yet[] = {
        {U_MAYOR_CG, CG_SIGNS, 422, "adhesion-window-closed", "not open yet"},
    };
    adhesions_path(open_cycle(MS_CODE, "1 day", "2 days"), path);
    expect_refusals(path, not_yet, 1);
    static const struct refusal closed[] = {
        {U_MAYOR_CG, CG_SIGNS, 422, "adhesion-window-closed", "closed at"},
    };
    adhesions_path(open_cycle(MS_CODE, "-3 days", "-1 day"), path);
    expect_refusals(path, closed, 1);

    /* Dourados signs in time; the window then closes before Campo Grande does. */
    long cycle = open_ms_cycle(path);
    adhere(U_MAYOR_DOURADOS, cycle, DOURADOS_SIGNS);
    char sql[128];
    snprintf(sql, sizeof sql,
             "UPDATE cycles SET adhesion_closes_at = now() - interval '1 minute' WHERE id = %ld",
             cycle);
    fixture_exec(sql);
    expect_refusals(path, closed, 1);
}
END_TEST

START_TEST(a_municipality_of_another_state_or_an_unknown_cycle_is_refused)
{
    char path[64];
    adhesions_path(open_cycle(SP_CODE, "-1 day", "1 day"), path);
    static const struct refusal other_state[] = {
        {U_MAYOR_CG, CG_SIGNS, 422, "municipality-not-in-cycle-state", "SP"},
    };
    expect_refusals(path, other_state, 1);
    static const struct refusal unknown[] = {
        {U_MAYOR_CG, CG_SIGNS, 404, "not-found", NULL},
    };
    expect_refusals("/v1/cycles/999/adhesions", unknown, 1);
    expect_refusals("/v1/cycles/abc/adhesions", unknown, 1);
}
END_TEST

START_TEST(the_mayor_withdraws_and_may_adhere_again)
{
    long cycle = open_cycle(MS_CODE, "-1 day", "1 day");
    long id = adhere(U_MAYOR_CG, cycle, CG_SIGNS);
    char path[96];
    withdraw_path(cycle, id, path);
    static const struct refusal others[] = {
        {U_MAYOR_DOURADOS, NULL, 404, "not-found", NULL}, /* not visible to another mayor */
        {U_REP_CG, NULL, 403, "forbidden", NULL},
        {U_COORDINATION, NULL, 403, "forbidden", NULL},
        {ANONYMOUS, NULL, 401, "unauthenticated", NULL},
    };
    expect_refusals(path, others, sizeof others / sizeof others[0]);

    struct http_response r = post_as(U_MAYOR_CG, path, NULL, NULL);
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    ck_assert_str_eq(http_json_string(&r, "status"), "withdrawn");
    ck_assert_ptr_nonnull(http_json_string(&r, "withdrawn_at"));
    ck_assert_int_eq((long)member(member(r.json, "withdrawn_by"), "user_id")->valuedouble,
                     atol(fixture_user_id(U_MAYOR_CG)));
    http_response_free(&r);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE entity = 'adhesion'"
                                  " AND action = 'withdraw' AND before->>'status' = 'active'"
                                  " AND after->>'status' = 'withdrawn'"),
                     1);

    static const struct refusal again[] = {
        {U_MAYOR_CG, NULL, 409, "conflict", "already withdrawn"},
    };
    expect_refusals(path, again, 1);
    withdraw_path(cycle, 999, path);
    static const struct refusal unknown[] = {{U_MAYOR_CG, NULL, 404, "not-found", NULL}};
    expect_refusals(path, unknown, 1);

    adhere(U_MAYOR_CG, cycle, CG_SIGNS);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM adhesions WHERE status = 'active'"), 1);
    ck_assert_int_eq(fixture_count("adhesions"), 2);
}
END_TEST

/* GETs path as user and asserts 200. */
static struct http_response get_ok(const char *path, int user)
{
    struct http_response r = http_get(path, token_of(user));
    ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, buf_cstr(&r.body));
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), CG_MAYOR_CPF));
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), DOURADOS_MAYOR_CPF));
    return r;
}

START_TEST(the_list_is_public_without_cpfs_and_shows_signers_to_the_coordination)
{
    long cycle = open_cycle(MS_CODE, "-1 day", "1 day");
    long cg = adhere(U_MAYOR_CG, cycle, CG_SIGNS);
    long dourados = adhere(U_MAYOR_DOURADOS, cycle, DOURADOS_SIGNS);
    char path[160];
    withdraw_path(cycle, dourados, path);
    struct http_response r = post_as(U_MAYOR_DOURADOS, path, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);

    static const struct {
        const char *query;
        int user, count;
        bool signer;
    } cases[] = {
        {"", ANONYMOUS, 2, false},
        {"?status=active", ANONYMOUS, 1, false},
        {"?status=withdrawn&state=MS", ANONYMOUS, 1, false},
        {"?state=SP", ANONYMOUS, 0, false},
        {"", U_HEALTH, 2, false},
        {"", U_COORDINATION, 2, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "/v1/cycles/%ld/adhesions%s", cycle, cases[i].query);
        r = get_ok(path, cases[i].user);
        const cJSON *items = member(r.json, "items"), *it;
        ck_assert_int_eq(cJSON_GetArraySize(items), cases[i].count);
        cJSON_ArrayForEach(it, items)
        {
            ck_assert(cJSON_HasObjectItem(it, "signer") == cases[i].signer);
            ck_assert_ptr_nonnull(member(it, "protocol"));
        }
        http_response_free(&r);
    }

    /* One adhesion: who signed is the coordination's and the municipality's to see. */
    static const struct {
        int user;
        bool signer;
    } readers[] = {{ANONYMOUS, false},
                   {U_MAYOR_DOURADOS, false},
                   {U_HEALTH, false},
                   {U_REP_CG, true},
                   {U_COORDINATION, true}};
    snprintf(path, sizeof path, "/v1/cycles/%ld/adhesions/%ld", cycle, cg);
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
        r = get_ok(path, readers[i].user);
        ck_assert_str_eq(http_json_string(&r, "municipality_name"), "Campo Grande");
        ck_assert(cJSON_HasObjectItem(r.json, "signer") == readers[i].signer);
        http_response_free(&r);
    }
    snprintf(path, sizeof path, "/v1/cycles/%ld/adhesions/%ld", cycle + 1, cg);
    ck_assert_int_eq(fixture_get_status(path, NULL), 404);
    snprintf(path, sizeof path, "/v1/cycles/%ld/adhesions/999", cycle);
    ck_assert_int_eq(fixture_get_status(path, NULL), 404);
}
END_TEST

START_TEST(the_list_pages_answers_csv_and_refuses_bad_filters)
{
    long cycle = open_cycle(MS_CODE, "-1 day", "1 day");
    adhere(U_MAYOR_CG, cycle, CG_SIGNS);
    adhere(U_MAYOR_DOURADOS, cycle, DOURADOS_SIGNS);
    char path[700];
    snprintf(path, sizeof path, "/v1/cycles/%ld/adhesions?limit=1", cycle);
    struct http_response r = get_ok(path, ANONYMOUS);
    ck_assert_ptr_nonnull(http_header(&r, "Link"));
    snprintf(path, sizeof path, "/v1/cycles/%ld/adhesions?limit=1&cursor=%s", cycle,
             http_json_string(&r, "next_cursor"));
    http_response_free(&r);
    r = get_ok(path, ANONYMOUS);
    ck_assert_str_eq(
        member(cJSON_GetArrayItem(member(r.json, "items"), 0), "municipality_id")->valuestring,
        DOURADOS);
    ck_assert(cJSON_IsNull(member(r.json, "next_cursor")));
    http_response_free(&r);

    const char *accept[] = {"Accept: text/csv", NULL};
    snprintf(path, sizeof path, "/v1/cycles/%ld/adhesions", cycle);
    r = http_do(&(struct http_request){.method = "GET", .path = path, .headers = accept});
    ck_assert_int_eq(r.status, 200);
    const char *csv = buf_cstr(&r.body);
    ck_assert_msg(strncmp(csv, CSV_HEADER, strlen(CSV_HEADER)) == 0, "%s", csv);
    ck_assert_ptr_nonnull(strstr(csv, "," CG ",Campo Grande,MS,MS-"));
    ck_assert_ptr_nonnull(strstr(csv, ",active,"));
    ck_assert_ptr_null(strstr(csv, CG_MAYOR_CPF));
    http_response_free(&r);

    static const char *const bad[] = {"status=gone", "state=ms", "colour=blue", "limit=0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "/v1/cycles/%ld/adhesions?%s", cycle, bad[i]);
        r = http_get(path, NULL);
        http_expect_problem(&r, 400, "invalid-parameter");
        http_response_free(&r);
    }
    ck_assert_int_eq(fixture_get_status("/v1/cycles/999/adhesions", NULL), 404);
}
END_TEST

Suite *adhesions_suite(void)
{
    Suite *s = suite_create("adhesions");
    TCase *tc = tcase_create("adhesions");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, the_mayor_adheres_with_her_own_cpf_formatted_or_not);
    tcase_add_test(tc, a_wrong_cpf_or_commitments_not_accepted_are_refused);
    tcase_add_test(tc, a_retry_with_the_same_key_creates_nothing);
    tcase_add_test(tc, a_second_adhesion_is_a_conflict);
    tcase_add_test(tc, only_the_mayor_may_adhere);
    tcase_add_test(tc, adhesion_only_inside_the_window);
    tcase_add_test(tc, a_municipality_of_another_state_or_an_unknown_cycle_is_refused);
    tcase_add_test(tc, the_mayor_withdraws_and_may_adhere_again);
    tcase_add_test(tc, the_list_is_public_without_cpfs_and_shows_signers_to_the_coordination);
    tcase_add_test(tc, the_list_pages_answers_csv_and_refuses_bad_filters);
    suite_add_tcase(s, tc);
    return s;
}
