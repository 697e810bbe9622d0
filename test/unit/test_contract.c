/*
 * The contract and the server agree: every route in lib/api/routes.c is in
 * api/openapi.yaml and every operation of api/openapi.yaml is a route.
 */
#include "suites.h"

#include "api/routes.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAX_OPS 256

struct operation {
    char method[8];
    char path[128];
};

static const char *const methods[] = {"get",   "put",  "post",    "delete",
                                      "patch", "head", "options", NULL};

static bool is_method(const char *s, size_t n)
{
    for (const char *const *m = methods; *m; m++)
        if (strlen(*m) == n && strncmp(*m, s, n) == 0)
            return true;
    return false;
}

/* Reads the (method, path) pairs of the `paths:` section: paths are keys
 * indented by two spaces, operations keys indented by four. */
static int read_operations(struct operation *ops)
{
    FILE *f = fopen(PACTO_SOURCE_DIR "/api/openapi.yaml", "r");
    ck_assert_msg(f != NULL, "cannot open api/openapi.yaml");
    char line[512], path[128] = "";
    bool in_paths = false;
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] && !isspace((unsigned char)line[0])) {
            in_paths = strcmp(line, "paths:") == 0;
            continue;
        }
        if (!in_paths)
            continue;
        if (strncmp(line, "  /", 3) == 0 && line[strlen(line) - 1] == ':') {
            snprintf(path, sizeof path, "%.*s", (int)strlen(line) - 3, line + 2);
        } else if (strncmp(line, "    ", 4) == 0 && line[4] != ' ') {
            size_t len = strcspn(line + 4, ":");
            if (line[4 + len] == ':' && line[5 + len] == '\0' && is_method(line + 4, len)) {
                ck_assert_int_lt(n, MAX_OPS);
                for (size_t i = 0; i < len; i++)
                    ops[n].method[i] = (char)toupper((unsigned char)line[4 + i]);
                ops[n].method[len] = '\0';
                snprintf(ops[n].path, sizeof ops[n].path, "%s", path);
                n++;
            }
        }
    }
    fclose(f);
    return n;
}

static bool has_route(const char *method, const char *path)
{
    for (size_t i = 0; i < api_routes_count; i++)
        if (strcmp(api_routes[i].method, method) == 0 && strcmp(api_routes[i].pattern, path) == 0)
            return true;
    return false;
}

START_TEST(every_route_is_documented)
{
    struct operation ops[MAX_OPS];
    int n = read_operations(ops);
    for (size_t i = 0; i < api_routes_count; i++) {
        bool found = false;
        for (int j = 0; j < n && !found; j++)
            found = strcmp(ops[j].method, api_routes[i].method) == 0 &&
                    strcmp(ops[j].path, api_routes[i].pattern) == 0;
        ck_assert_msg(found, "%s %s is served but not in api/openapi.yaml", api_routes[i].method,
                      api_routes[i].pattern);
    }
}
END_TEST

START_TEST(every_documented_operation_is_served)
{
    struct operation ops[MAX_OPS];
    int n = read_operations(ops);
    ck_assert_int_gt(n, 0);
    for (int j = 0; j < n; j++)
        ck_assert_msg(has_route(ops[j].method, ops[j].path),
                      "%s %s is in api/openapi.yaml but not served", ops[j].method, ops[j].path);
    ck_assert_int_eq((size_t)n, api_routes_count);
}
END_TEST

Suite *contract_suite(void)
{
    Suite *s = suite_create("contract");
    TCase *tc = tcase_create("routes");
    tcase_add_test(tc, every_route_is_documented);
    tcase_add_test(tc, every_documented_operation_is_served);
    suite_add_tcase(s, tc);
    return s;
}
