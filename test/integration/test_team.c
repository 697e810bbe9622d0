/*
 * Integration tests of the technical team
 * (/v1/municipalities/{ibge_code}/team): the mayor and the representative
 * list their team (servants, council members, the city council, other
 * entities), change and remove members, each change audited; the
 * secretariat reads it; another municipality and the public cannot read it;
 * invalid members and refused callers change nothing; a retried create with
 * the same Idempotency-Key creates one member.
 */
#include "client.h"
#include "fixture.h"
#include "suites.h"

#include <stdio.h>
#include <string.h>

#define TEAM_CG "/v1/municipalities/" CG "/team"
#define LUCIA                                                                                      \
    "{\"name\":\"Lúcia Prado\",\"program_role\":\"Ponto focal de saúde\","                       \
    "\"organization\":\"Secretaria Municipal de Saúde\",\"type\":\"servant\","                    \
    "\"email\":\"lucia@campogrande.ms.gov.br\"}"
#define MARCOS "{\"name\":\"Marcos Reis\",\"type\":\"city_council\"}"

/* Adds a member as `who`; returns its path in out. */
static void add_member(enum fixture_user who, const char *body, char out[96])
{
    struct http_response r = fixture_call("POST", TEAM_CG, who, body, NULL);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_msg(strncmp(http_header(&r, "ETag"), "\"1-", 3) == 0, "ETag %s",
                  http_header(&r, "ETag"));
    snprintf(out, 96, "%s", http_header(&r, "Location"));
    http_response_free(&r);
}

static long team_audit(const char *action)
{
    return fixture_longf("SELECT count(*) FROM audit_events WHERE entity = 'team_member'"
                         " AND action = '%s'",
                         action);
}

START_TEST(test_municipality_keeps_its_team)
{
    char lucia[96], marcos[96];
    add_member(U_MAYOR_CG, LUCIA, lucia);
    add_member(U_REP_CG, MARCOS, marcos);
    ck_assert_int_eq(team_audit("create"), 2);

    /* The secretariat follows the team, a page at a time. */
    struct http_response r = fixture_call("GET", TEAM_CG "?limit=1", U_HEALTH, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    ck_assert_str_eq(cJSON_GetStringValue(
                         cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(items, 0), "name")),
                     "Lúcia Prado");
    char next[512];
    snprintf(next, sizeof next, TEAM_CG "?limit=1&cursor=%s", http_json_string(&r, "next_cursor"));
    http_response_free(&r);
    r = fixture_call("GET", next, U_HEALTH, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(http_json_string(&r, "next_cursor"));
    http_response_free(&r);

    /* The representative corrects a member, with the ETag read. */
    r = fixture_call("GET", marcos, U_REP_CG, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "type"), "city_council");
    char if_match[80];
    snprintf(if_match, sizeof if_match, "If-Match: %s", http_header(&r, "ETag"));
    http_response_free(&r);
    const char *headers[] = {if_match, NULL};
    r = fixture_call("PATCH", marcos, U_REP_CG,
                     "{\"organization\":\"Câmara Municipal\",\"email\":null}", headers);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_str_eq(http_json_string(&r, "organization"), "Câmara Municipal");
    ck_assert_msg(strncmp(http_header(&r, "ETag"), "\"2-", 3) == 0, "ETag %s",
                  http_header(&r, "ETag"));
    http_response_free(&r);
    ck_assert_int_eq(team_audit("update"), 1);

    /* A stale ETag is refused. */
    struct fixture_snapshot before = fixture_snapshot();
    r = fixture_call("PATCH", marcos, U_MAYOR_CG, "{\"name\":\"Marcos R.\"}", headers);
    http_expect_problem(&r, 412, "precondition-failed");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    /* The mayor removes a member; the audit keeps what was removed. */
    r = fixture_call("DELETE", lucia, U_MAYOR_CG, NULL, NULL);
    ck_assert_int_eq(r.status, 204);
    http_response_free(&r);
    ck_assert_int_eq(fixture_get_status(lucia, fixture_token(U_MAYOR_CG)), 404);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE entity = 'team_member'"
                                  " AND action = 'delete' AND after IS NULL"
                                  " AND before->>'name' = 'Lúcia Prado'"),
                     1);
    ck_assert_int_eq(fixture_count("team_members"), 1);
}
END_TEST

START_TEST(test_team_is_private_to_the_municipality)
{
    char lucia[96];
    add_member(U_MAYOR_CG, LUCIA, lucia);
    struct fixture_snapshot before = fixture_snapshot();
    static const struct {
        const char *method, *path, *body;
        enum fixture_user who;
        long status;
    } cases[] = {
        /* Another municipality: no list, no create, and its members do not exist. */
        {"GET", TEAM_CG, NULL, U_MAYOR_DOURADOS, 403},
        {"POST", TEAM_CG, MARCOS, U_MAYOR_DOURADOS, 403},
        {"GET", NULL, NULL, U_MAYOR_DOURADOS, 404},
        {"PATCH", NULL, "{\"name\":\"X\"}", U_MAYOR_DOURADOS, 404},
        {"DELETE", NULL, NULL, U_MAYOR_DOURADOS, 404},
        /* The secretariat reads, never writes. */
        {"POST", TEAM_CG, MARCOS, U_HEALTH, 403},
        {"PATCH", NULL, "{\"name\":\"X\"}", U_COORDINATION, 403},
        {"DELETE", NULL, NULL, U_HEALTH, 403},
        /* Not public. */
        {"GET", TEAM_CG, NULL, U_COUNT, 401},
        {"GET", NULL, NULL, U_COUNT, 401},
        {"POST", TEAM_CG, MARCOS, U_COUNT, 401},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_response r =
            fixture_call(cases[i].method, cases[i].path ? cases[i].path : lucia, cases[i].who,
                         cases[i].body, NULL);
        ck_assert_msg(r.status == cases[i].status, "case %zu: %ld %s", i, r.status,
                      buf_cstr(&r.body));
        http_expect_problem(&r, cases[i].status,
                            cases[i].status == 403   ? "forbidden"
                            : cases[i].status == 404 ? "not-found"
                                                     : "unauthenticated");
        http_response_free(&r);
    }
    /* A member of Campo Grande under Dourados's path is not found either. */
    char elsewhere[128];
    snprintf(elsewhere, sizeof elsewhere, "/v1/municipalities/" DOURADOS "/team/%s",
             strrchr(lucia, '/') + 1);
    ck_assert_int_eq(fixture_get_status(elsewhere, fixture_token(U_MAYOR_DOURADOS)), 404);
    ck_assert_int_eq(fixture_get_status(elsewhere, fixture_token(U_HEALTH)), 404);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(test_invalid_members_change_nothing)
{
    char lucia[96];
    add_member(U_MAYOR_CG, LUCIA, lucia);
    static const struct fixture_invalid_body creates[] = {
        {"{\"type\":\"servant\"}", "name"},
        {"{\"name\":\"X\"}", "type"},
        {"{\"name\":\"X\",\"type\":\"mayor\"}", "type"},
        {"{\"name\":\"X\",\"type\":\"other\",\"email\":\"not-an-email\"}", "email"},
        {"{\"name\":\"X\",\"type\":\"other\",\"id\":7}", "id"},
        {"{\"name\":\"X\",\"type\":\"other\",\"municipality_id\":\"" DOURADOS "\"}",
         "municipality_id"},
        {"{\"name\":\"X\",\"type\":\"other\",\"salary\":1}", "salary"},
    };
    const struct http_request post = {
        .method = "POST", .path = TEAM_CG, .token = fixture_token(U_REP_CG)};
    fixture_expect_invalid_bodies(&post, creates, sizeof creates / sizeof creates[0]);
    static const struct fixture_invalid_body patches[] = {
        {"{\"name\":null}", "name"},
        {"{\"type\":null}", "type"},
        {"{\"program_role\":\"\"}", "program_role"},
    };
    const struct http_request patch = {.method = "PATCH",
                                       .path = lucia,
                                       .token = fixture_token(U_REP_CG),
                                       .content_type = "application/merge-patch+json"};
    fixture_expect_invalid_bodies(&patch, patches, sizeof patches / sizeof patches[0]);
}
END_TEST

START_TEST(test_retried_create_adds_one_member)
{
    const char *headers[] = {"Idempotency-Key: team-key-1", NULL};
    for (int i = 0; i < 2; i++) {
        struct http_response r = fixture_call("POST", TEAM_CG, U_MAYOR_CG, MARCOS, headers);
        ck_assert_int_eq(r.status, 201);
        http_response_free(&r);
    }
    ck_assert_int_eq(fixture_count("team_members"), 1);
    ck_assert_int_eq(team_audit("create"), 1);
}
END_TEST

Suite *team_suite(void)
{
    Suite *s = suite_create("team");
    TCase *tc = tcase_create("members");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, test_municipality_keeps_its_team);
    tcase_add_test(tc, test_team_is_private_to_the_municipality);
    tcase_add_test(tc, test_invalid_members_change_nothing);
    tcase_add_test(tc, test_retried_create_adds_one_member);
    suite_add_tcase(s, tc);
    return s;
}
