/*
 * Integration tests of challenges (/v1/cycles/{cycle_id}/challenges,
 * /v1/challenges/{challenge_id}) and their indicators
 * (/v1/challenges/{challenge_id}/indicators): the health secretariat sets
 * the cycle's infant-mortality challenge, code unique in the cycle, and
 * gives it its main indicator with a focalization rule and a complementary
 * one; the education secretariat cannot touch it; the coordination can; a
 * closed cycle's challenge is read-only; bad rules name the field. Every
 * change writes one audit event, every refused request changes nothing.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define SAU_01                                                                                     \
    "{\"code\":\"SAU-01\",\"title\":\"Reduzir a mortalidade infantil\",\"area\":\"health\","       \
    "\"responsible_area\":\"health\"}"
#define EDU_01                                                                                     \
    "{\"code\":\"EDU-01\",\"title\":\"Melhorar o IDEB\",\"area\":\"education\","                   \
    "\"responsible_area\":\"education\",\"focal_combine\":\"all\"}"

/* POSTs body as `who` and returns the new resource's id (asserting 201). */
static long create(enum fixture_user who, const char *path, const char *body)
{
    struct http_response r = fixture_call("POST", path, who, body, NULL);
    ck_assert_msg(r.status == 201, "POST %s: %ld %s", path, r.status, buf_cstr(&r.body));
    const cJSON *id = cJSON_GetObjectItem(r.json, "id");
    if (!id)
        id = cJSON_GetObjectItem(r.json, "indicator_id");
    long n = (long)id->valuedouble;
    http_response_free(&r);
    return n;
}

/* A cycle of São Paulo whose adhesion window opens `first_day` days from
 * now and whose pact window closes 30 days later (so -400 is a closed
 * cycle), written directly: cycles are another resource's business. */
static long cycle(int first_day)
{
    return fixture_longf(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at,"
        " adhesion_closes_at, pact_opens_at, pact_closes_at, target_year, commitments)"
        " VALUES ('Ciclo', 35, now() + interval '%d days',"
        " now() + interval '%d days', now() + interval '%d days',"
        " now() + interval '%d days', 2028, '[\"Aderir\"]') RETURNING id",
        first_day, first_day + 1, first_day + 2, first_day + 30);
}

/* The infant-mortality indicator, created by the health secretariat, and a
 * complementary one. */
static long indicator(const char *code, const char *periodicity, const char *first_period)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"code\":\"%s\",\"name\":\"Indicador %s\",\"unit\":\"per 1,000 live births\","
             "\"polarity\":\"lower_is_better\",\"source\":\"DATASUS – SIM/SINASC\","
             "\"periodicity\":\"%s\",\"first_period\":\"%s\",\"min_value\":0,"
             "\"max_value\":1000,\"scale\":1000,\"area\":\"health\"}",
             code, code, periodicity, first_period);
    return create(U_HEALTH, "/v1/indicators", body);
}

static long audit(const char *entity, const char *action)
{
    return fixture_longf("SELECT count(*) FROM audit_events WHERE entity = '%s'"
                         " AND action = '%s'",
                         entity, action);
}

START_TEST(health_secretariat_sets_a_challenge_of_the_cycle)
{
    long c = cycle(-1);
    char path[64];
    snprintf(path, sizeof path, "/v1/cycles/%ld/challenges", c);
    struct http_response r = fixture_call("POST", path, U_HEALTH, SAU_01, NULL);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_str_eq(http_header(&r, "Location"), "/v1/challenges/1");
    ck_assert_str_eq(http_json_string(&r, "state"), "SP");
    ck_assert_str_eq(http_json_string(&r, "focal_combine"), "any");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r.json, "open_to_all")));
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "indicators")), 0);
    http_response_free(&r);
    ck_assert_int_eq(audit("challenge", "create"), 1);

    /* The code is unique in the cycle, not across cycles. */
    struct fixture_snapshot before = fixture_snapshot();
    r = fixture_call("POST", path, U_COORDINATION, SAU_01, NULL);
    http_expect_problem(&r, 409, "conflict");
    ck_assert_str_eq(http_json_string(&r, "title"), "Challenge code already in use");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    char other[64];
    snprintf(other, sizeof other, "/v1/cycles/%ld/challenges", cycle(-1));
    create(U_HEALTH, other, SAU_01);

    create(U_EDUCATION, path, EDU_01);
    r = http_get(path, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 2);
    http_response_free(&r);
    char filtered[96];
    snprintf(filtered, sizeof filtered, "%s?responsible_area=education", path);
    r = http_get(filtered, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 1);
    http_response_free(&r);
    const char *csv[] = {"Accept: text/csv", NULL};
    r = fixture_call("GET", path, U_COUNT, NULL, csv);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "SAU-01"));
    http_response_free(&r);
    ck_assert_int_eq(fixture_get_status("/v1/cycles/999/challenges", NULL), 404);
    ck_assert_int_eq(fixture_get_status("/v1/challenges/1", NULL), 200);
}
END_TEST

START_TEST(only_the_responsible_secretariat_or_the_coordination_changes_it)
{
    char path[64], item[64];
    snprintf(path, sizeof path, "/v1/cycles/%ld/challenges", cycle(-1));
    snprintf(item, sizeof item, "/v1/challenges/%ld", create(U_HEALTH, path, SAU_01));

    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r =
        fixture_call("PATCH", item, U_EDUCATION, "{\"title\":\"Outro\"}", NULL);
    http_expect_problem(&r, 403, "forbidden");
    ck_assert_str_eq(http_json_string(&r, "detail"),
                     "Only the health secretariat or the coordination may change this challenge.");
    http_response_free(&r);
    r = fixture_call("DELETE", item, U_EDUCATION, NULL, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = fixture_call("POST", path, U_EDUCATION, SAU_01, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    /* Nobody moves a challenge out of their own reach. */
    r = fixture_call("PATCH", item, U_HEALTH, "{\"responsible_area\":\"education\"}", NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = fixture_call("POST", path, U_COUNT, SAU_01, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    r = fixture_call("PATCH", item, U_MAYOR_CG, "{\"title\":\"Outro\"}", NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = fixture_call("PATCH", item, U_HEALTH, "{\"cycle_id\":2}", NULL);
    fixture_expect_invalid(&r, "cycle_id");
    http_response_free(&r);
    r = fixture_call("POST", path, U_HEALTH,
                     "{\"code\":\"sau 1\",\"title\":\"t\",\"area\":\"health\",\"responsible_area\":"
                     "\"health\"}",
                     NULL);
    fixture_expect_invalid(&r, "code");
    http_response_free(&r);
    r = fixture_call(
        "POST", path, U_HEALTH,
        "{\"code\":\"SAU-02\",\"title\":\"t\",\"area\":\"sports\",\"responsible_area\":"
        "\"health\",\"open_to_all\":\"yes\"}",
        NULL);
    fixture_expect_invalid(&r, "area");
    fixture_expect_invalid(&r, "open_to_all");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    r = fixture_call("PATCH", item, U_COORDINATION, "{\"open_to_all\":true}", NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "open_to_all")));
    char if_match[128];
    snprintf(if_match, sizeof if_match, "If-Match: %s", http_header(&r, "ETag"));
    http_response_free(&r);
    const char *headers[] = {if_match, NULL};
    r = fixture_call("PATCH", item, U_HEALTH, "{\"description\":\"Até 2028\"}", headers);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    before = fixture_snapshot();
    r = fixture_call("PATCH", item, U_HEALTH, "{\"description\":\"Até 2030\"}", headers);
    http_expect_problem(&r, 412, "precondition-failed");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    ck_assert_int_eq(audit("challenge", "update"), 2);

    r = fixture_call("DELETE", item, U_HEALTH, NULL, NULL);
    ck_assert_int_eq(r.status, 204);
    http_response_free(&r);
    ck_assert_int_eq(audit("challenge", "delete"), 1);
}
END_TEST

START_TEST(a_retried_create_creates_one_challenge)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/cycles/%ld/challenges", cycle(-1));
    const char *headers[] = {"Idempotency-Key: sau-01", NULL};
    fixture_expect_replayed(&(struct http_request){.method = "POST",
                                                   .path = path,
                                                   .token = fixture_token(U_HEALTH),
                                                   .body = SAU_01,
                                                   .headers = headers},
                            "challenges");
}
END_TEST

START_TEST(a_challenge_has_main_and_complementary_indicators)
{
    long mort = indicator("MORT_INF", "annual", "2000"),
         neo = indicator("MORT_NEO", "annual", "2000");
    char path[64], inds[96], body[256];
    snprintf(path, sizeof path, "/v1/cycles/%ld/challenges", cycle(-1));
    long ch = create(U_HEALTH, path, SAU_01);
    snprintf(inds, sizeof inds, "/v1/challenges/%ld/indicators", ch);

    snprintf(body, sizeof body,
             "{\"indicator_id\":%ld,\"role\":\"main\",\"focal_rule\":\"worst_percent\","
             "\"focal_value\":20,\"focal_period\":\"2019\",\"focal_min_denominator\":50}",
             mort);
    struct http_response r = fixture_call("POST", inds, U_HEALTH, body, NULL);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    char location[128];
    snprintf(location, sizeof location, "%s/%ld", inds, mort);
    ck_assert_str_eq(http_header(&r, "Location"), location);
    ck_assert_str_eq(http_json_string(&r, "code"), "MORT_INF");
    ck_assert_str_eq(http_json_string(&r, "focal_rule"), "worst_percent");
    http_response_free(&r);
    snprintf(body, sizeof body, "{\"indicator_id\":%ld,\"role\":\"complementary\"}", neo);
    create(U_COORDINATION, inds, body);
    ck_assert_int_eq(audit("challenge_indicator", "create"), 2);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events"
                                   " WHERE entity = 'challenge_indicator'"
                                   " AND entity_id = '%ld/%ld'",
                                   ch, mort),
                     1);

    /* The challenge shows them, main first. */
    char item[64];
    snprintf(item, sizeof item, "/v1/challenges/%ld", ch);
    r = http_get(item, NULL);
    const cJSON *list = cJSON_GetObjectItem(r.json, "indicators");
    ck_assert_int_eq(cJSON_GetArraySize(list), 2);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "role")->valuestring, "main");
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 1), "code")->valuestring,
                     "MORT_NEO");
    http_response_free(&r);
    r = http_get(inds, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 2);
    http_response_free(&r);
    const char *csv[] = {"Accept: text/csv", NULL};
    r = fixture_call("GET", inds, U_COUNT, NULL, csv);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "MORT_NEO"));
    http_response_free(&r);

    /* The same indicator twice; an indicator in use stays. */
    struct fixture_snapshot before = fixture_snapshot();
    r = fixture_call("POST", inds, U_HEALTH, body, NULL);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    char ind_path[64];
    snprintf(ind_path, sizeof ind_path, "/v1/indicators/%ld", mort);
    r = fixture_call("DELETE", ind_path, U_HEALTH, NULL, NULL);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    /* The education secretariat cannot touch the health challenge's indicators. */
    r = fixture_call("PATCH", location, U_EDUCATION, "{\"focal_value\":10}", NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = fixture_call("DELETE", location, U_EDUCATION, NULL, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    /* A rule changes; the complementary indicator goes. */
    r = fixture_call("PATCH", location, U_HEALTH,
                     "{\"focal_rule\":\"worst_count\",\"focal_value\":10}", NULL);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_int_eq(cJSON_GetObjectItem(r.json, "focal_value")->valueint, 10);
    http_response_free(&r);
    snprintf(location, sizeof location, "%s/%ld", inds, neo);
    r = fixture_call("DELETE", location, U_HEALTH, NULL, NULL);
    ck_assert_int_eq(r.status, 204);
    http_response_free(&r);
    ck_assert_int_eq(fixture_get_status(location, NULL), 404);
    ck_assert_int_eq(audit("challenge_indicator", "update"), 1);
    ck_assert_int_eq(audit("challenge_indicator", "delete"), 1);
}
END_TEST

/* The key of a challenge's indicator is unique only in its challenge: each
 * write is judged on the row of the challenge the path names. */
START_TEST(an_indicator_shared_by_two_challenges_is_judged_in_each)
{
    long mort = indicator("MORT_INF", "annual", "2000");
    char path[64], health[96], education[96], body[128];
    snprintf(path, sizeof path, "/v1/cycles/%ld/challenges", cycle(-1));
    long sau = create(U_HEALTH, path, SAU_01), edu = create(U_EDUCATION, path, EDU_01);
    snprintf(body, sizeof body, "{\"indicator_id\":%ld,\"role\":\"main\"}", mort);
    snprintf(health, sizeof health, "/v1/challenges/%ld/indicators", sau);
    snprintf(education, sizeof education, "/v1/challenges/%ld/indicators", edu);
    create(U_HEALTH, health, body);
    create(U_EDUCATION, education, body);
    snprintf(health + strlen(health), sizeof health - strlen(health), "/%ld", mort);
    snprintf(education + strlen(education), sizeof education - strlen(education), "/%ld", mort);

    /* The education secretariat changes its own challenge's rule only. */
    struct http_response r = fixture_call(
        "PATCH", education, U_EDUCATION,
        "{\"focal_rule\":\"threshold\",\"focal_value\":20,\"focal_period\":null}", NULL);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_int_eq(cJSON_GetObjectItem(r.json, "challenge_id")->valueint, (int)edu);
    http_response_free(&r);
    struct fixture_snapshot before = fixture_snapshot();
    r = fixture_call("PATCH", health, U_EDUCATION,
                     "{\"focal_rule\":\"threshold\",\"focal_value\":20}", NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    /* A rule broken in one challenge is judged there, not in the other. */
    r = fixture_call("PATCH", education, U_EDUCATION, "{\"focal_value\":5000}", NULL);
    fixture_expect_invalid(&r, "focal_value");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    r = fixture_call("DELETE", education, U_EDUCATION, NULL, NULL);
    ck_assert_int_eq(r.status, 204);
    http_response_free(&r);
    ck_assert_int_eq(fixture_get_status(health, NULL), 200);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events"
                                   " WHERE entity = 'challenge_indicator' AND action = 'delete'"
                                   " AND entity_id = '%ld/%ld'",
                                   edu, mort),
                     1);
}
END_TEST

START_TEST(a_focalization_rule_is_checked_and_names_the_field)
{
    long mort = indicator("MORT_INF", "annual", "2000"),
         neo = indicator("MORT_NEO", "annual", "2000");
    char path[64], inds[96];
    snprintf(path, sizeof path, "/v1/cycles/%ld/challenges", cycle(-1));
    snprintf(inds, sizeof inds, "/v1/challenges/%ld/indicators", create(U_HEALTH, path, SAU_01));

    char b[12][256];
#define MAIN(i, rest)                                                                              \
    snprintf(b[i], sizeof b[i], "{\"indicator_id\":%ld,\"role\":\"main\"" rest "}", mort)
    MAIN(0, ",\"focal_rule\":\"worst_percent\",\"focal_value\":0");
    MAIN(1, ",\"focal_rule\":\"worst_percent\",\"focal_value\":100.5");
    MAIN(2, ",\"focal_rule\":\"worst_count\",\"focal_value\":2.5");
    MAIN(3, ",\"focal_rule\":\"threshold\",\"focal_value\":1001");
    MAIN(4, ",\"focal_rule\":\"worst_count\"");
    MAIN(5, ",\"focal_value\":10");
    MAIN(6, ",\"focal_rule\":\"worst_count\",\"focal_value\":5,\"focal_period\":\"2019-01\"");
    MAIN(7, ",\"focal_rule\":\"best\",\"focal_value\":5");
    MAIN(8, ",\"focal_min_denominator\":-1");
#undef MAIN
    snprintf(b[9], sizeof b[9],
             "{\"indicator_id\":%ld,\"role\":\"complementary\",\"focal_rule\":\"worst_count\","
             "\"focal_value\":5}",
             neo);
    snprintf(b[10], sizeof b[10], "{\"indicator_id\":999,\"role\":\"main\"}");
    snprintf(b[11], sizeof b[11], "{\"indicator_id\":\"%ld\",\"role\":\"main\"}", mort);
    const struct fixture_invalid_body cases[] = {
        {b[0], "focal_value"},  {b[1], "focal_value"},   {b[2], "focal_value"},
        {b[3], "focal_value"},  {b[4], "focal_value"},   {b[5], "focal_rule"},
        {b[6], "focal_period"}, {b[7], "focal_rule"},    {b[8], "focal_min_denominator"},
        {b[9], "focal_rule"},   {b[10], "indicator_id"}, {b[11], "indicator_id"},
    };
    fixture_expect_invalid_bodies(
        &(struct http_request){.method = "POST", .path = inds, .token = fixture_token(U_HEALTH)},
        cases, sizeof cases / sizeof cases[0]);
}
END_TEST

START_TEST(a_closed_cycles_challenge_is_read_only)
{
    long mort = indicator("MORT_INF", "annual", "2000");
    /* A cycle whose windows are all past, written directly (the challenge is
     * seeded with it: the API refuses challenges in a closed cycle). */
    long closed = cycle(-400);
    long ch = fixture_longf("INSERT INTO challenges (cycle_id, code, title, area,"
                            " responsible_area) VALUES (%ld, 'SAU-01', 'Mortalidade',"
                            " 'health', 'health') RETURNING id",
                            closed);
    char path[64], item[64], inds[96], body[128];
    snprintf(path, sizeof path, "/v1/cycles/%ld/challenges", closed);
    snprintf(item, sizeof item, "/v1/challenges/%ld", ch);
    snprintf(inds, sizeof inds, "/v1/challenges/%ld/indicators", ch);
    snprintf(body, sizeof body, "{\"indicator_id\":%ld,\"role\":\"main\"}", mort);
    ck_assert_int_eq(fixture_get_status(item, NULL), 200); /* still public */

    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = fixture_call("POST", path, U_HEALTH,
                                          "{\"code\":\"SAU-02\",\"title\":\"Pré-natal\","
                                          "\"area\":\"health\",\"responsible_area\":\"health\"}",
                                          NULL);
    http_expect_problem(&r, 409, "conflict");
    ck_assert_str_eq(http_json_string(&r, "title"), "The cycle is closed");
    http_response_free(&r);
    r = fixture_call("PATCH", item, U_HEALTH, "{\"title\":\"Outro\"}", NULL);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    r = fixture_call("DELETE", item, U_COORDINATION, NULL, NULL);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    r = fixture_call("POST", inds, U_HEALTH, body, NULL);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(a_challenge_with_a_focalization_stays)
{
    char path[64], item[64];
    snprintf(path, sizeof path, "/v1/cycles/%ld/challenges", cycle(-1));
    long ch = create(U_HEALTH, path, SAU_01);
    snprintf(item, sizeof item, "/v1/challenges/%ld", ch);
    /* A run, as the focalization part's endpoint would record it. */
    char sql[160];
    snprintf(sql, sizeof sql,
             "INSERT INTO focalization_runs (challenge_id, rule, focal_count)"
             " VALUES (%ld, '{}', 0)",
             ch);
    fixture_exec(sql);
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = fixture_call("DELETE", item, U_HEALTH, NULL, NULL);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

Suite *challenges_suite(void)
{
    Suite *s = suite_create("challenges");
    TCase *tc = tcase_create("challenges");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, health_secretariat_sets_a_challenge_of_the_cycle);
    tcase_add_test(tc, only_the_responsible_secretariat_or_the_coordination_changes_it);
    tcase_add_test(tc, a_retried_create_creates_one_challenge);
    tcase_add_test(tc, a_challenge_has_main_and_complementary_indicators);
    tcase_add_test(tc, an_indicator_shared_by_two_challenges_is_judged_in_each);
    tcase_add_test(tc, a_focalization_rule_is_checked_and_names_the_field);
    tcase_add_test(tc, a_closed_cycles_challenge_is_read_only);
    tcase_add_test(tc, a_challenge_with_a_focalization_stays);
    suite_add_tcase(s, tc);
    return s;
}
