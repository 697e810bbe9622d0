/*
 * Helpers of the values suites (see values_support.h).
 */
#include "values_support.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

void values_indicator(char out[24], const char *code, const char *area, const char *periodicity,
                      const char *first_period, const char *min, const char *max, const char *scale,
                      int lag_months)
{
    /* Seeded directly: the catalogue has suites of its own. */
    long id = fixture_longf(
        "INSERT INTO indicators (code, name, unit, polarity, source, periodicity, first_period,"
        " decimals, min_value, max_value, area, scale, publication_lag_months)"
        " VALUES ('%s', 'Indicador %s', 'unidade', 'lower_is_better', 'Fonte', '%s',"
        " nullif('%s', ''), 1, %s, %s, '%s', %s, %d) RETURNING id",
        code, code, periodicity, first_period ? first_period : "", min ? min : "NULL",
        max ? max : "NULL", area, scale ? scale : "NULL", lag_months);
    snprintf(out, 24, "%ld", id);
}

struct http_response values_post(enum fixture_user who, const char *id, const char *query,
                                 const char *content_type, const char *body, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "/v1/indicators/%s/values%s%s", id, query && *query ? "?" : "",
             query ? query : "");
    return http_do(&(struct http_request){.method = "POST",
                                          .path = path,
                                          .token = fixture_token(who),
                                          .content_type = content_type,
                                          .body = body,
                                          .body_len = len});
}

long values_long(const struct http_response *r, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->json, name);
    ck_assert_msg(cJSON_IsNumber(v), "%s missing in %s", name, buf_cstr(&r->body));
    return (long)v->valuedouble;
}

void values_expect_import(struct http_response r, long rows, long inserted, long updated,
                          long unchanged)
{
    ck_assert_msg(r.status == 200, "import: %ld %s", r.status, buf_cstr(&r.body));
    ck_assert_int_eq(values_long(&r, "rows"), rows);
    ck_assert_int_eq(values_long(&r, "inserted"), inserted);
    ck_assert_int_eq(values_long(&r, "updated"), updated);
    ck_assert_int_eq(values_long(&r, "unchanged"), unchanged);
    http_response_free(&r);
}
