/*
 * Router: exact matching, path parameters, 404 versus 405 with Allow.
 */
#include "suites.h"

#include "http/router.h"

#include <string.h>

static void handler(struct request *req) { (void)req; }

static const struct route routes[] = {
    {"GET", "/v1/municipalities", handler, POLICY_PUBLIC, false},
    {"POST", "/v1/municipalities", handler, {ROLE_COORDINATION, 0, NULL}, false},
    {"POST", "/v1/municipalities/import", handler, {ROLE_COORDINATION, 0, NULL}, false},
    {"GET", "/v1/municipalities/{ibge_code}", handler, POLICY_PUBLIC, false},
    {"PATCH", "/v1/municipalities/{ibge_code}", handler, {ROLE_COORDINATION, 0, NULL}, false},
    {"GET", "/v1/a/{x}/b/{y}", handler, POLICY_PUBLIC, false},
};
#define N (sizeof routes / sizeof routes[0])

static enum router_result match(const char *method, const char *path, struct router_match *m)
{
    return router_match(routes, N, method, path, m);
}

START_TEST(exact_paths_match)
{
    struct router_match m;
    ck_assert_int_eq(match("GET", "/v1/municipalities", &m), ROUTER_FOUND);
    ck_assert_ptr_eq(m.route, &routes[0]);
    ck_assert_int_eq(m.nparams, 0);
    ck_assert_int_eq(match("POST", "/v1/municipalities", &m), ROUTER_FOUND);
    ck_assert_ptr_eq(m.route, &routes[1]);
}
END_TEST

START_TEST(prefixes_and_suffixes_do_not_match)
{
    struct router_match m;
    ck_assert_int_eq(match("GET", "/v1/municipalitiesX", &m), ROUTER_NOT_FOUND);
    ck_assert_int_eq(match("GET", "/v1/municipalities/", &m), ROUTER_NOT_FOUND);
    ck_assert_int_eq(match("GET", "/v1/municipalities/1/2", &m), ROUTER_NOT_FOUND);
    ck_assert_int_eq(match("GET", "/v1", &m), ROUTER_NOT_FOUND);
    ck_assert_int_eq(match("GET", "", &m), ROUTER_NOT_FOUND);
    ck_assert_int_eq(match("GET", "v1/municipalities", &m), ROUTER_NOT_FOUND);
    ck_assert_int_eq(match("GET", "//v1/municipalities", &m), ROUTER_NOT_FOUND);
}
END_TEST

START_TEST(parameters_are_captured)
{
    struct router_match m;
    ck_assert_int_eq(match("PATCH", "/v1/municipalities/3550308", &m), ROUTER_FOUND);
    ck_assert_ptr_eq(m.route, &routes[4]);
    ck_assert_int_eq(m.nparams, 1);
    ck_assert_str_eq(m.params[0], "3550308");
    ck_assert_int_eq(match("GET", "/v1/a/one/b/two", &m), ROUTER_FOUND);
    ck_assert_int_eq(m.nparams, 2);
    ck_assert_str_eq(m.params[0], "one");
    ck_assert_str_eq(m.params[1], "two");
}
END_TEST

START_TEST(literal_segment_wins_by_order)
{
    struct router_match m;
    ck_assert_int_eq(match("POST", "/v1/municipalities/import", &m), ROUTER_FOUND);
    ck_assert_ptr_eq(m.route, &routes[2]);
    /* GET of "import" falls to the template, whose handler answers 404. */
    ck_assert_int_eq(match("GET", "/v1/municipalities/import", &m), ROUTER_FOUND);
    ck_assert_ptr_eq(m.route, &routes[3]);
}
END_TEST

START_TEST(empty_and_oversized_parameters_are_refused)
{
    struct router_match m;
    char path[ROUTER_PARAM_MAX + 64];
    strcpy(path, "/v1/municipalities/");
    memset(path + strlen(path), 'x', ROUTER_PARAM_MAX);
    path[sizeof path - 1] = '\0';
    path[19 + ROUTER_PARAM_MAX] = '\0';
    ck_assert_int_eq(match("GET", path, &m), ROUTER_NOT_FOUND);
    ck_assert_int_eq(match("GET", "/v1/a//b/y", &m), ROUTER_NOT_FOUND);
}
END_TEST

START_TEST(wrong_method_lists_allowed_ones)
{
    struct router_match m;
    ck_assert_int_eq(match("DELETE", "/v1/municipalities", &m), ROUTER_METHOD_NOT_ALLOWED);
    ck_assert_str_eq(m.allow, "GET, POST");
    ck_assert_ptr_null(m.route);
    ck_assert_int_eq(match("PUT", "/v1/municipalities/3550308", &m), ROUTER_METHOD_NOT_ALLOWED);
    ck_assert_str_eq(m.allow, "GET, PATCH");
}
END_TEST

Suite *router_suite(void)
{
    Suite *s = suite_create("router");
    TCase *tc = tcase_create("match");
    tcase_add_test(tc, exact_paths_match);
    tcase_add_test(tc, prefixes_and_suffixes_do_not_match);
    tcase_add_test(tc, parameters_are_captured);
    tcase_add_test(tc, literal_segment_wins_by_order);
    tcase_add_test(tc, empty_and_oversized_parameters_are_refused);
    tcase_add_test(tc, wrong_method_lists_allowed_ones);
    suite_add_tcase(s, tc);
    return s;
}
