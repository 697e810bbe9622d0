/*
 * Integration tests for program cycles (SPEC 1, step 1): the coordination
 * opens a cycle with its windows, target year and commitments (the five of
 * seed 000 by default); anyone reads cycles and their phase, computed from
 * the database clock; the coordination moves the windows with JSON Merge
 * Patch, judged on the merged cycle. Every refused write leaves the database
 * as it was.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define FIRST_COMMITMENT                                                                           \
    "Definir um profissional da prefeitura para representar o município no Programa"

/* The four window members of a cycle body, opening and closing the given
 * number of days from now. */
static void windows(const int days[4], char *out, size_t n)
{
    char at[4][32];
    for (int i = 0; i < 4; i++) {
        time_t t = time(NULL) + (time_t)days[i] * 86400;
        struct tm tm;
        strftime(at[i], sizeof at[i], "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    }
    snprintf(out, n,
             "\"adhesion_opens_at\":\"%s\",\"adhesion_closes_at\":\"%s\","
             "\"pact_opens_at\":\"%s\",\"pact_closes_at\":\"%s\"",
             at[0], at[1], at[2], at[3]);
}

/* A whole cycle body; `extra` is appended as further members
 * (",\"commitments\":[...]"). */
static void cycle_body(char *out, size_t n, const char *state, const int days[4], const char *extra)
{
    char w[256];
    windows(days, w, sizeof w);
    snprintf(out, n, "{\"name\":\"Ciclo 2027\",\"state\":\"%s\",%s,\"target_year\":2027%s}", state,
             w, extra ? extra : "");
}

/* Creates a cycle as the coordination and returns its id (asserting 201). */
static long create_cycle(const char *state, const int days[4])
{
    char body[1024];
    cycle_body(body, sizeof body, state, days, NULL);
    struct http_response r = http_post("/v1/cycles", fixture_token(U_COORDINATION), body);
    ck_assert_msg(r.status == 201, "%s", buf_cstr(&r.body));
    long id = (long)cJSON_GetObjectItem(r.json, "id")->valuedouble;
    http_response_free(&r);
    return id;
}

static const int OPEN_NOW[4] = {-1, 1, 2, 30};

static struct http_response patch_cycle(long id, const char *json, const char *etag)
{
    char path[64], line[96];
    snprintf(path, sizeof path, "/v1/cycles/%ld", id);
    snprintf(line, sizeof line, "If-Match: %s", etag ? etag : "");
    const char *headers[] = {line, NULL};
    return http_do(&(struct http_request){.method = "PATCH",
                                          .path = path,
                                          .token = fixture_token(U_COORDINATION),
                                          .body = json,
                                          .content_type = "application/merge-patch+json",
                                          .headers = etag ? headers : NULL});
}

static int item_count(const struct http_response *r)
{
    return cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items"));
}

START_TEST(coordination_opens_a_cycle_with_the_default_commitments)
{
    char body[1024];
    cycle_body(body, sizeof body, "MS", OPEN_NOW, NULL);
    struct http_response r = http_post("/v1/cycles", fixture_token(U_COORDINATION), body);
    ck_assert_int_eq(r.status, 201);
    ck_assert_str_eq(http_header(&r, "Location"), "/v1/cycles/1");
    ck_assert_msg(strncmp(http_header(&r, "ETag"), "\"1-", 3) == 0, "ETag %s",
                  http_header(&r, "ETag"));
    ck_assert_str_eq(http_json_string(&r, "name"), "Ciclo 2027");
    ck_assert_str_eq(http_json_string(&r, "state"), "MS");
    ck_assert_str_eq(http_json_string(&r, "phase"), "adhesion_open");
    ck_assert_int_eq(cJSON_GetObjectItem(r.json, "target_year")->valueint, 2027);
    const cJSON *commitments = cJSON_GetObjectItem(r.json, "commitments");
    ck_assert_int_eq(cJSON_GetArraySize(commitments), 5);
    ck_assert_str_eq(cJSON_GetArrayItem(commitments, 0)->valuestring, FIRST_COMMITMENT);
    ck_assert_ptr_nonnull(http_json_string(&r, "created_at"));
    http_response_free(&r);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE action = 'create'"
                                  " AND entity = 'cycle' AND entity_id = '1'"
                                  " AND after->>'state' = 'MS' AND before IS NULL"),
                     1);
    r = http_get("/v1/audit?entity=cycle", fixture_token(U_COORDINATION));
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(item_count(&r), 1);
    http_response_free(&r);
}
END_TEST

START_TEST(a_cycle_may_list_its_own_commitments)
{
    char body[1024];
    cycle_body(body, sizeof body, "SP", OPEN_NOW,
               ",\"commitments\":[\"Nomear um representante\",\"Aderir às metas\"]");
    struct http_response r = http_post("/v1/cycles", fixture_token(U_COORDINATION), body);
    ck_assert_int_eq(r.status, 201);
    const cJSON *commitments = cJSON_GetObjectItem(r.json, "commitments");
    ck_assert_int_eq(cJSON_GetArraySize(commitments), 2);
    ck_assert_str_eq(cJSON_GetArrayItem(commitments, 1)->valuestring, "Aderir às metas");
    http_response_free(&r);
}
END_TEST

START_TEST(a_retried_create_creates_one_cycle)
{
    char body[1024];
    cycle_body(body, sizeof body, "MS", OPEN_NOW, NULL);
    const char *headers[] = {"Idempotency-Key: cycle-2027", NULL};
    fixture_expect_replayed(&(struct http_request){.method = "POST",
                                                   .path = "/v1/cycles",
                                                   .token = fixture_token(U_COORDINATION),
                                                   .body = body,
                                                   .headers = headers},
                            "cycles");
    ck_assert_int_eq(fixture_count("cycles"), 1);
}
END_TEST

#define DATES                                                                                      \
    "\"adhesion_opens_at\":\"2030-08-22T00:00:00-03:00\","                                         \
    "\"adhesion_closes_at\":\"2030-08-29T23:59:59-03:00\","                                        \
    "\"pact_opens_at\":\"2030-12-01T00:00:00Z\",\"pact_closes_at\":\"2030-12-31T00:00:00Z\""
#define BASE "\"name\":\"Ciclo\",\"state\":\"MS\",\"target_year\":2032"

START_TEST(create_refuses_what_breaks_a_rule)
{
    static const struct fixture_invalid_body cases[] = {
        {"{" BASE ",\"adhesion_opens_at\":\"2030-08-22 00:00:00\","
         "\"adhesion_closes_at\":\"2030-08-29T00:00:00Z\",\"pact_opens_at\":\"2030-12-01T00:00:"
         "00Z\","
         "\"pact_closes_at\":\"2030-12-31T00:00:00Z\"}",
         "adhesion_opens_at"},
        {"{" BASE ",\"adhesion_opens_at\":\"2030-08-22T00:00:00Z\","
         "\"adhesion_closes_at\":\"2030-02-30T00:00:00Z\",\"pact_opens_at\":\"2030-12-01T00:00:"
         "00Z\","
         "\"pact_closes_at\":\"2030-12-31T00:00:00Z\"}",
         "adhesion_closes_at"},
        {"{" BASE ",\"adhesion_opens_at\":\"2030-08-22T00:00:00Z\","
         "\"adhesion_closes_at\":\"2030-08-29T00:00:00Z\",\"pact_opens_at\":\"now\","
         "\"pact_closes_at\":\"2030-12-31T00:00:00\"}",
         "pact_closes_at"},
        {"{" BASE ",\"adhesion_opens_at\":\"2030-08-29T00:00:00Z\","
         "\"adhesion_closes_at\":\"2030-08-22T00:00:00Z\",\"pact_opens_at\":\"2030-12-01T00:00:"
         "00Z\","
         "\"pact_closes_at\":\"2030-12-31T00:00:00Z\"}",
         "adhesion_closes_at"},
        {"{" BASE ",\"adhesion_opens_at\":\"2030-08-22T00:00:00Z\","
         "\"adhesion_closes_at\":\"2030-08-29T00:00:00Z\",\"pact_opens_at\":\"2030-12-31T00:00:"
         "00Z\","
         "\"pact_closes_at\":\"2030-12-31T00:00:00Z\"}",
         "pact_closes_at"},
        {"{" BASE ",\"adhesion_opens_at\":\"2030-08-22T00:00:00Z\","
         "\"adhesion_closes_at\":\"2030-08-29T00:00:00Z\",\"pact_opens_at\":\"2030-08-21T00:00:"
         "00Z\","
         "\"pact_closes_at\":\"2030-12-31T00:00:00Z\"}",
         "pact_opens_at"},
        {"{\"name\":\"Ciclo\",\"state\":\"XX\",\"target_year\":2032," DATES "}", "state"},
        {"{\"name\":\"Ciclo\",\"target_year\":2032," DATES "}", "state"},
        {"{\"state\":\"MS\",\"target_year\":2032," DATES "}", "name"},
        {"{\"name\":\"Ciclo\",\"state\":\"MS\",\"target_year\":1999," DATES "}", "target_year"},
        {"{\"name\":\"Ciclo\",\"state\":\"MS\",\"target_year\":2030.5," DATES "}", "target_year"},
        {"{" BASE "," DATES ",\"commitments\":[]}", "commitments"},
        {"{" BASE "," DATES ",\"commitments\":[\"\"]}", "commitments"},
        {"{" BASE "," DATES ",\"commitments\":[1]}", "commitments"},
        {"{" BASE "," DATES ",\"commitments\":null}", "commitments"},
        {"{" BASE "," DATES ",\"phase\":\"closed\"}", "phase"},
        {"{" BASE "," DATES ",\"id\":7}", "id"},
        {"{" BASE "," DATES ",\"colour\":\"blue\"}", "colour"},
        {"{" BASE "," DATES ",\"plans_due_at\":\"2031-01-01T00:00:00Z\"}", "plans_due_at"},
        {"{" BASE "," DATES ",\"plans_due_at\":\"2030-08-01T00:00:00Z\"}", "plans_due_at"},
        {"{" BASE "," DATES ",\"plans_due_at\":\"soon\"}", "plans_due_at"},
    };
    const struct http_request post = {
        .method = "POST", .path = "/v1/cycles", .token = fixture_token(U_COORDINATION)};
    fixture_expect_invalid_bodies(&post, cases, sizeof cases / sizeof cases[0]);
}
END_TEST

START_TEST(only_the_coordination_creates_and_edits_cycles)
{
    long id = create_cycle("MS", OPEN_NOW);
    char body[1024], path[64];
    cycle_body(body, sizeof body, "MS", OPEN_NOW, NULL);
    snprintf(path, sizeof path, "/v1/cycles/%ld", id);
    /* Another secretariat area, a mayor, a representative, then nobody. */
    const char *tokens[] = {fixture_token(U_HEALTH), fixture_token(U_MAYOR_CG),
                            fixture_token(U_REP_CG), NULL};
    struct fixture_snapshot before = fixture_snapshot();
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
        long status = tokens[i] ? 403 : 401;
        const char *slug = tokens[i] ? "forbidden" : "unauthenticated";
        struct http_response created = http_post("/v1/cycles", tokens[i], body);
        struct http_response patched = http_patch(path, tokens[i], "{\"name\":\"Intruder\"}");
        http_expect_problem(&created, status, slug);
        http_expect_problem(&patched, status, slug);
        http_response_free(&created);
        http_response_free(&patched);
    }
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(anyone_reads_cycles_and_their_phase)
{
    static const int upcoming[4] = {10, 20, 30, 40}, closed[4] = {-40, -30, -20, -10},
                     pact_open[4] = {-30, -20, -1, 10};
    create_cycle("MS", upcoming);
    create_cycle("MS", OPEN_NOW);
    create_cycle("SP", closed);
    create_cycle("SP", pact_open);
    static const struct {
        const char *query;
        int count;
        long first;
    } cases[] = {
        {"", 4, 1},
        {"?state=MS", 2, 1},
        {"?state=SP", 2, 3},
        {"?phase=upcoming", 1, 1},
        {"?phase=adhesion_open", 1, 2},
        {"?phase=closed", 1, 3},
        {"?phase=pact_open&state=SP", 1, 4},
        {"?phase=adhesion_closed", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[96];
        snprintf(path, sizeof path, "/v1/cycles%s", cases[i].query);
        struct http_response r = http_get(path, NULL);
        ck_assert_int_eq(r.status, 200);
        ck_assert_msg(item_count(&r) == cases[i].count, "%s: %s", path, buf_cstr(&r.body));
        if (cases[i].count)
            ck_assert_int_eq(cJSON_GetObjectItem(
                                 cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "items"), 0), "id")
                                 ->valueint,
                             cases[i].first);
        http_response_free(&r);
    }
    struct http_response r = http_get("/v1/cycles/3", NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "phase"), "closed");
    ck_assert_msg(strncmp(http_header(&r, "ETag"), "\"1-", 3) == 0, "ETag %s",
                  http_header(&r, "ETag"));
    http_response_free(&r);
    ck_assert_int_eq(fixture_get_status("/v1/cycles/99", NULL), 404);
    ck_assert_int_eq(fixture_get_status("/v1/cycles/abc", NULL), 404);
    ck_assert_int_eq(fixture_get_status("/v1/cycles/01", NULL), 404);
}
END_TEST

START_TEST(the_list_pages_and_answers_csv)
{
    create_cycle("MS", OPEN_NOW);
    create_cycle("SP", OPEN_NOW);
    struct http_response r = http_get("/v1/cycles?limit=1", NULL);
    ck_assert_int_eq(item_count(&r), 1);
    char path[700];
    snprintf(path, sizeof path, "/v1/cycles?limit=1&cursor=%s",
             http_json_string(&r, "next_cursor"));
    http_response_free(&r);
    r = http_get(path, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(item_count(&r), 1);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "next_cursor")));
    http_response_free(&r);

    const char *accept[] = {"Accept: text/csv", NULL};
    r = http_do(
        &(struct http_request){.method = "GET", .path = "/v1/cycles?state=SP", .headers = accept});
    ck_assert_int_eq(r.status, 200);
    const char *csv = buf_cstr(&r.body);
    ck_assert_msg(strncmp(csv,
                          "id,name,state,adhesion_opens_at,adhesion_closes_at,pact_opens_at,"
                          "pact_closes_at,plans_due_at,evaluation_opens_at,evaluation_closes_at,"
                          "target_year,phase\r\n2,Ciclo 2027,SP,",
                          159) == 0,
                  "%s", csv);
    ck_assert_ptr_nonnull(strstr(csv, ",2027,adhesion_open\r\n"));
    http_response_free(&r);

    static const char *const bad[] = {"phase=open", "state=sp", "colour=blue", "limit=501"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "/v1/cycles?%s", bad[i]);
        r = http_get(path, NULL);
        http_expect_problem(&r, 400, "invalid-parameter");
        http_response_free(&r);
    }
}
END_TEST

START_TEST(coordination_moves_a_window_and_it_is_audited)
{
    long id = create_cycle("MS", OPEN_NOW);
    struct http_response r =
        patch_cycle(id, "{\"adhesion_closes_at\":\"2000-01-01T00:00:00Z\"}", "\"1\"");
    fixture_expect_invalid(&r, "adhesion_closes_at"); /* judged on the merged cycle */
    http_response_free(&r);
    r = patch_cycle(id, "{\"plans_due_at\":\"2099-01-01T00:00:00Z\"}", "\"1\"");
    fixture_expect_invalid(&r, "plans_due_at"); /* after the pact window closes */
    http_response_free(&r);

    static const int before_window[4] = {-10, -5, 2, 30};
    char w[256], patch[512];
    windows(before_window, w, sizeof w);
    snprintf(patch, sizeof patch, "{%s,\"name\":\"Ciclo 2027 (prorrogado)\"}", w);
    r = patch_cycle(id, patch, "\"1\"");
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    ck_assert_msg(strncmp(http_header(&r, "ETag"), "\"2-", 3) == 0, "ETag %s",
                  http_header(&r, "ETag"));
    ck_assert_str_eq(http_json_string(&r, "phase"), "adhesion_closed");
    ck_assert_str_eq(http_json_string(&r, "name"), "Ciclo 2027 (prorrogado)");
    http_response_free(&r);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE action = 'update'"
                                  " AND entity = 'cycle' AND before->>'name' = 'Ciclo 2027'"
                                  " AND after->>'name' = 'Ciclo 2027 (prorrogado)'"),
                     1);

    struct fixture_snapshot unchanged = fixture_snapshot();
    r = patch_cycle(id, "{\"name\":\"Lost update\"}", "\"1\"");
    http_expect_problem(&r, 412, "precondition-failed");
    http_response_free(&r);
    r = patch_cycle(id, "{\"name\":\"Ciclo 2027 (prorrogado)\"}", NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(strncmp(http_header(&r, "ETag"), "\"2-", 3) == 0, "ETag %s",
                  http_header(&r, "ETag"));
    http_response_free(&r);
    fixture_assert_unchanged(unchanged);

    /* A plan-submission deadline inside the cycle, then none again. */
    char due[96];
    time_t t = time(NULL) + 10 * 86400;
    struct tm tm;
    strftime(due, sizeof due, "{\"plans_due_at\":\"%Y-%m-%dT%H:%M:%SZ\"}", gmtime_r(&t, &tm));
    r = patch_cycle(id, due, NULL);
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(r.json, "plans_due_at")));
    http_response_free(&r);
    r = patch_cycle(id, "{\"plans_due_at\":null}", NULL);
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "plans_due_at")));
    http_response_free(&r);
    r = patch_cycle(99, "{\"name\":\"Nobody\"}", NULL);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
}
END_TEST

START_TEST(update_refuses_read_only_null_or_bad_fields)
{
    long id = create_cycle("MS", OPEN_NOW);
    char path[64];
    snprintf(path, sizeof path, "/v1/cycles/%ld", id);
    static const struct fixture_invalid_body cases[] = {
        {"{\"state\":\"SP\"}", "state"},
        {"{\"id\":9}", "id"},
        {"{\"phase\":\"closed\"}", "phase"},
        {"{\"name\":null}", "name"},
        {"{\"pact_opens_at\":null}", "pact_opens_at"},
        {"{\"pact_opens_at\":\"2000-01-01T00:00:00Z\"}", "pact_opens_at"},
        {"{\"target_year\":2101}", "target_year"},
        {"{\"commitments\":[]}", "commitments"},
    };
    const struct http_request patch = {.method = "PATCH",
                                       .path = path,
                                       .token = fixture_token(U_COORDINATION),
                                       .content_type = "application/merge-patch+json"};
    fixture_expect_invalid_bodies(&patch, cases, sizeof cases / sizeof cases[0]);
}
END_TEST

Suite *cycles_suite(void)
{
    Suite *s = suite_create("cycles");
    TCase *tc = tcase_create("cycles");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, coordination_opens_a_cycle_with_the_default_commitments);
    tcase_add_test(tc, a_cycle_may_list_its_own_commitments);
    tcase_add_test(tc, a_retried_create_creates_one_cycle);
    tcase_add_test(tc, create_refuses_what_breaks_a_rule);
    tcase_add_test(tc, only_the_coordination_creates_and_edits_cycles);
    tcase_add_test(tc, anyone_reads_cycles_and_their_phase);
    tcase_add_test(tc, the_list_pages_and_answers_csv);
    tcase_add_test(tc, coordination_moves_a_window_and_it_is_audited);
    tcase_add_test(tc, update_refuses_read_only_null_or_bad_fields);
    suite_add_tcase(s, tc);
    return s;
}
