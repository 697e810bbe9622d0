/*
 * Route policies (lib/authz/policy.c): who is who on a route, and what each
 * declaration answers them; every route of the API declares one.
 */
#include "suites.h"

#include "api/routes.h"
#include "authz/policy.h"
#include "http/request.h"

#include <stdio.h>
#include <string.h>

static struct identity person(const char *role, const char *municipality, const char *area)
{
    struct identity who = {0};
    snprintf(who.role, sizeof who.role, "%s", role);
    snprintf(who.municipality_id, sizeof who.municipality_id, "%s", municipality);
    snprintf(who.secretariat_area, sizeof who.secretariat_area, "%s", area);
    snprintf(who.user_id_str, sizeof who.user_id_str, "7");
    who.user_id = 7;
    return who;
}

START_TEST(caller_kinds)
{
    struct identity anon = {0}, mayor = person("mayor", "5002704", ""),
                    rep = person("representative", "5002704", ""),
                    health = person("secretariat", "", "health"),
                    coord = person("secretariat", "", "coordination");
    ck_assert_uint_eq(policy_caller(&anon, NULL), ROLE_ANONYMOUS);
    ck_assert_uint_eq(policy_caller(&anon, "5002704"), ROLE_ANONYMOUS);
    ck_assert_uint_eq(policy_caller(&mayor, NULL), ROLE_MAYOR);
    ck_assert_uint_eq(policy_caller(&mayor, "5002704"), ROLE_MAYOR);
    ck_assert_uint_eq(policy_caller(&mayor, "5003702"), 0); /* nobody in another municipality */
    ck_assert_uint_eq(policy_caller(&rep, "5003702"), 0);
    ck_assert_uint_eq(policy_caller(&health, "5003702"), ROLE_HEALTH); /* areas are not bound */
    ck_assert_uint_eq(policy_caller(&coord, NULL), ROLE_COORDINATION);
    struct identity odd = person("secretariat", "", "tourism");
    ck_assert_uint_eq(policy_caller(&odd, NULL), 0);
    /* A forum member is bound to no municipality: the path's is not theirs,
     * and only routes that name them (or the public's) let them in. */
    struct identity forum = person("forum_member", "", "");
    ck_assert_uint_eq(policy_caller(&forum, NULL), ROLE_FORUM_MEMBER);
    ck_assert_uint_eq(policy_caller(&forum, "5002704"), ROLE_FORUM_MEMBER);
    const struct policy open = POLICY_PUBLIC;
    const struct policy secretariat = {ROLE_SECRETARIAT, 0, "no"};
    ck_assert_int_eq(policy_judge(&open, ROLE_FORUM_MEMBER), POLICY_ALLOWED);
    ck_assert_int_eq(policy_judge(&secretariat, ROLE_FORUM_MEMBER), POLICY_FORBIDDEN);
    ck_assert(!(ROLE_SECRETARIAT & ROLE_FORUM_MEMBER) && !(ROLE_MUNICIPAL & ROLE_FORUM_MEMBER));
}
END_TEST

START_TEST(verdicts)
{
    const struct policy open = POLICY_PUBLIC;
    const struct policy coord = {ROLE_COORDINATION, 0, "no"};
    const struct policy member = {ROLE_MUNICIPAL, ROLE_MUNICIPAL | ROLE_SECRETARIAT, "no"};
    ck_assert_int_eq(policy_judge(&open, ROLE_ANONYMOUS), POLICY_ALLOWED);
    ck_assert_int_eq(policy_judge(&open, 0), POLICY_ALLOWED);
    ck_assert_int_eq(policy_judge(&coord, ROLE_ANONYMOUS), POLICY_UNAUTHENTICATED);
    ck_assert_int_eq(policy_judge(&coord, ROLE_HEALTH), POLICY_FORBIDDEN);
    ck_assert_int_eq(policy_judge(&coord, ROLE_COORDINATION), POLICY_ALLOWED);
    ck_assert_int_eq(policy_judge(&member, ROLE_MAYOR), POLICY_ALLOWED);
    ck_assert_int_eq(policy_judge(&member, ROLE_HEALTH), POLICY_FORBIDDEN); /* may know of it */
    ck_assert_int_eq(policy_judge(&member, 0), POLICY_HIDDEN); /* another municipality */
    ck_assert_int_eq(policy_judge(&member, ROLE_ANONYMOUS), POLICY_UNAUTHENTICATED);
}
END_TEST

START_TEST(every_route_declares_a_policy)
{
    for (size_t i = 0; i < api_routes_count; i++)
        ck_assert_msg(policy_is_declared(&api_routes[i].policy), "%s %s has no policy",
                      api_routes[i].method, api_routes[i].pattern);
    const struct policy none = {0, 0, NULL};
    ck_assert(!policy_is_declared(&none));
}
END_TEST

START_TEST(viewer_text)
{
    char v[AUTHZ_VIEWER_MAX];
    struct identity anon = {0};
    authz_viewer(&anon, v);
    ck_assert_str_eq(v, "(,,,,)");
    struct identity mayor = person("mayor", "5002704", "");
    snprintf(mayor.cpf, sizeof mayor.cpf, "52998224725");
    authz_viewer(&mayor, v);
    ck_assert_str_eq(v, "(7,mayor,5002704,,52998224725)");
}
END_TEST

Suite *policy_suite(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("policy");
    tcase_add_test(tc, caller_kinds);
    tcase_add_test(tc, verdicts);
    tcase_add_test(tc, every_route_declares_a_policy);
    tcase_add_test(tc, viewer_text);
    suite_add_tcase(s, tc);
    return s;
}
