/*
 * What lib/resource does for every resource declared with a parent, without
 * a version, or with its own list name, seen through the adhesions under
 * their cycle: a malformed parent in the path is "not found" before any query
 * (generic and custom handlers alike), an unversioned row is answered
 * without a version in its ETag, and a list's cursor is good only for that list. The rows
 * are written directly, so these tests do not depend on signing.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <stdio.h>
#include <string.h>

/* Two cycles of Mato Grosso do Sul open for adhesion (ids 1 and 2), and
 * adhesions of Campo Grande and Dourados to cycle 1 (ids 1 and 2). */
static void two_adhesions(void)
{
    for (int i = 0; i < 2; i++)
        fixture_exec("INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
                     "                    pact_opens_at, pact_closes_at, target_year, commitments)"
                     " VALUES ('MS 2027', 50, now() - interval '1 day', now() + interval '1 day',"
                     "         now() + interval '2 days', now() + interval '30 days', 2027,"
                     "         '[\"c\"]')");
    fixture_exec(
        "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
        " SELECT 1, municipality_id, 'MS-2027-00000' || id, id, '[\"c\"]' FROM users"
        "  WHERE role = 'mayor' AND municipality_id IN ('" CG "', '" DOURADOS "')"
        "  ORDER BY municipality_id");
}

START_TEST(a_malformed_parent_is_not_found_before_any_query)
{
    two_adhesions();
    ck_assert_int_eq(fixture_get_status("/v1/cycles/1/adhesions", NULL), 200);
    ck_assert_int_eq(fixture_get_status("/v1/cycles/1/adhesions/1", NULL), 200);
    static const char *const lists[] = {"/v1/cycles/01/adhesions", "/v1/cycles/abc/adhesions",
                                        "/v1/cycles/-1/adhesions",
                                        "/v1/cycles/1234567890123456789/adhesions"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        char item[96];
        snprintf(item, sizeof item, "%s/1", lists[i]);
        ck_assert_int_eq(fixture_get_status(lists[i], NULL), 404);
        ck_assert_int_eq(fixture_get_status(item, NULL), 404);
    }
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r =
        http_post("/v1/cycles/01/adhesions", fixture_token(U_MAYOR_CG),
                  "{\"mayor_cpf\":\"" CG_MAYOR_CPF "\",\"accepted_commitments\":true}");
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    r = http_post("/v1/cycles/01/adhesions/1/withdraw", fixture_token(U_MAYOR_CG), NULL);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(an_unversioned_row_has_no_version_in_its_etag)
{
    two_adhesions();
    struct http_response r = http_get("/v1/cycles/1/adhesions/1", NULL);
    ck_assert_int_eq(r.status, 200);
    /* Only the digest of what was shown: nothing for If-Match to check. */
    const char *etag = http_header(&r, "ETag");
    ck_assert_msg(etag && strlen(etag) == 18 && !strchr(etag, '-'), "ETag %s", etag);
    http_response_free(&r);
    r = http_get("/v1/cycles/1", NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(strncmp(http_header(&r, "ETag"), "\"1-", 3) == 0, "ETag %s",
                  http_header(&r, "ETag"));
    http_response_free(&r);
}
END_TEST

START_TEST(a_cursor_is_good_only_for_its_own_list)
{
    two_adhesions();
    struct http_response r = http_get("/v1/cycles/1/adhesions?limit=1", NULL);
    ck_assert_int_eq(r.status, 200);
    char next[512], path[700];
    snprintf(next, sizeof next, "%s", http_json_string(&r, "next_cursor"));
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/cycles/1/adhesions?limit=1&cursor=%s", next);
    ck_assert_int_eq(fixture_get_status(path, NULL), 200);
    snprintf(path, sizeof path, "/v1/cycles/2/adhesions?limit=1&cursor=%s", next);
    r = http_get(path, NULL);
    http_expect_problem(&r, 400, "invalid-parameter");
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/cycles?limit=1&cursor=%s", next);
    r = http_get(path, NULL);
    http_expect_problem(&r, 400, "invalid-parameter");
    http_response_free(&r);
}
END_TEST

Suite *resource_suite(void)
{
    Suite *s = suite_create("resource");
    TCase *tc = tcase_create("resource");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, a_malformed_parent_is_not_found_before_any_query);
    tcase_add_test(tc, an_unversioned_row_has_no_version_in_its_etag);
    tcase_add_test(tc, a_cursor_is_good_only_for_its_own_list);
    suite_add_tcase(s, tc);
    return s;
}
