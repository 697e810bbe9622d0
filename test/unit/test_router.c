/*
 * Router: exact matching, path parameters, 404 versus 405 with Allow, and the
 * start-up check of a route table.
 */
#include "suites.h"

#include "api/routes.h"
#include "http/router.h"

#include <stdio.h>
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

START_TEST(literal_segment_wins_over_a_parameter)
{
    struct router_match m;
    ck_assert_int_eq(match("POST", "/v1/municipalities/import", &m), ROUTER_FOUND);
    ck_assert_ptr_eq(m.route, &routes[2]);
    /* "import" is a resource of its own: other methods are not allowed there,
     * rather than falling to the {ibge_code} template. */
    ck_assert_int_eq(match("GET", "/v1/municipalities/import", &m), ROUTER_METHOD_NOT_ALLOWED);
    ck_assert_str_eq(m.allow, "POST");
    ck_assert_int_eq(match("PATCH", "/v1/municipalities/5002704", &m), ROUTER_FOUND);
    ck_assert_ptr_eq(m.route, &routes[4]);
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

/* A pattern "/v1/p0/{a0}/p1/{a1}/..." with nparams parameters. */
static void pattern_with_params(char *out, size_t len, int nparams)
{
    size_t n = (size_t)snprintf(out, len, "/v1");
    for (int i = 0; i < nparams && n < len; i++)
        n += (size_t)snprintf(out + n, len - n, "/p%d/{a%d}", i, i);
}

/* router_check of one route with this method, pattern and handler. */
static bool check_one(const char *method, const char *pattern, void (*h)(struct request *),
                      char *why, size_t whylen)
{
    const struct route one[] = {
        {.method = method, .pattern = pattern, .handler = h, .policy = POLICY_PUBLIC}};
    return router_check(one, 1, why, whylen);
}

START_TEST(the_served_route_tables_pass_the_check)
{
    char why[256] = "";
    ck_assert_msg(router_check(api_routes, api_routes_count, why, sizeof why), "%s", why);
    ck_assert_msg(router_check(routes, N, why, sizeof why), "%s", why);
}
END_TEST

START_TEST(a_pattern_with_too_many_parameters_fails_the_check)
{
    char pattern[256], why[256] = "";
    pattern_with_params(pattern, sizeof pattern, ROUTER_MAX_PARAMS);
    ck_assert_msg(check_one("GET", pattern, handler, why, sizeof why), "%s", why);
    /* ...and it is reachable, with every parameter captured. */
    const struct route at_limit[] = {
        {.method = "GET", .pattern = pattern, .handler = handler, .policy = POLICY_PUBLIC}};
    char path[256];
    size_t n = (size_t)snprintf(path, sizeof path, "/v1");
    for (int i = 0; i < ROUTER_MAX_PARAMS; i++)
        n += (size_t)snprintf(path + n, sizeof path - n, "/p%d/v%d", i, i);
    struct router_match m;
    ck_assert_int_eq(router_match(at_limit, 1, "GET", path, &m), ROUTER_FOUND);
    ck_assert_int_eq(m.nparams, ROUTER_MAX_PARAMS);
    char last[16];
    snprintf(last, sizeof last, "v%d", ROUTER_MAX_PARAMS - 1);
    ck_assert_str_eq(m.params[ROUTER_MAX_PARAMS - 1], last);

    pattern_with_params(pattern, sizeof pattern, ROUTER_MAX_PARAMS + 1);
    ck_assert(!check_one("GET", pattern, handler, why, sizeof why));
    ck_assert_ptr_nonnull(strstr(why, pattern));
    ck_assert_ptr_nonnull(strstr(why, "ROUTER_MAX_PARAMS"));
}
END_TEST

START_TEST(malformed_patterns_fail_the_check)
{
    static const char *const bad[] = {
        "",          "v1/users",  "/v1/users/",     "/v1//users", "/v1/{",
        "/v1/{id",   "/v1/id}",   "/v1/{}",         "/v1/{User}", "/v1/x{id}",
        "/v1/{id}x", "/v1/{a-b}", "/v1/{id}/{{x}}", "//",         "/v1/{ id}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char why[256] = "";
        ck_assert_msg(!check_one("GET", bad[i], handler, why, sizeof why), "%s passed", bad[i]);
        ck_assert_msg(strstr(why, "GET") && strstr(why, bad[i]), "why: %s", why);
    }
    char why[256] = "";
    ck_assert(check_one("GET", "/", handler, why, sizeof why));
    ck_assert(check_one("GET", "/v1/{user_id}/x_1", handler, why, sizeof why));
}
END_TEST

START_TEST(incomplete_or_repeated_routes_fail_the_check)
{
    char why[256] = "";
    ck_assert(!check_one("GET", "/v1/users", NULL, why, sizeof why));
    ck_assert_ptr_nonnull(strstr(why, "handler"));
    ck_assert(!check_one(NULL, "/v1/users", handler, why, sizeof why));
    ck_assert(!check_one("", "/v1/users", handler, why, sizeof why));
    ck_assert(!check_one("GET", NULL, handler, why, sizeof why));
    const struct route no_policy[] = {{.method = "GET", .pattern = "/v1/x", .handler = handler}};
    ck_assert(!router_check(no_policy, 1, why, sizeof why));
    ck_assert_ptr_nonnull(strstr(why, "policy"));
    const struct route twice[] = {
        {.method = "GET", .pattern = "/v1/users", .handler = handler, .policy = POLICY_PUBLIC},
        {.method = "POST", .pattern = "/v1/users", .handler = handler, .policy = POLICY_PUBLIC},
        {.method = "GET", .pattern = "/v1/users", .handler = handler, .policy = POLICY_PUBLIC},
    };
    ck_assert(router_check(twice, 2, why, sizeof why));
    ck_assert(!router_check(twice, 3, why, sizeof why));
    ck_assert_ptr_nonnull(strstr(why, "twice"));
    /* A short buffer still gets a terminated, truncated reason. */
    char tiny[8];
    ck_assert(!router_check(twice, 3, tiny, sizeof tiny));
    ck_assert_uint_eq(strlen(tiny), sizeof tiny - 1);
}
END_TEST

Suite *router_suite(void)
{
    Suite *s = suite_create("router");
    TCase *tc = tcase_create("match");
    tcase_add_test(tc, exact_paths_match);
    tcase_add_test(tc, prefixes_and_suffixes_do_not_match);
    tcase_add_test(tc, parameters_are_captured);
    tcase_add_test(tc, literal_segment_wins_over_a_parameter);
    tcase_add_test(tc, empty_and_oversized_parameters_are_refused);
    tcase_add_test(tc, wrong_method_lists_allowed_ones);
    suite_add_tcase(s, tc);
    TCase *check = tcase_create("check");
    tcase_add_test(check, the_served_route_tables_pass_the_check);
    tcase_add_test(check, a_pattern_with_too_many_parameters_fails_the_check);
    tcase_add_test(check, malformed_patterns_fail_the_check);
    tcase_add_test(check, incomplete_or_repeated_routes_fail_the_check);
    suite_add_tcase(s, check);
    return s;
}
