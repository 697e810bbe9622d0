/*
 * What the values suites share: indicators seeded with fixture_exec (the
 * catalogue's endpoints have suites of their own), imports
 * posted through the API, and their answers read.
 */
#ifndef PACTO_TEST_VALUES_SUPPORT_H
#define PACTO_TEST_VALUES_SUPPORT_H

#include "client.h"
#include "fixture.h"

#include <stddef.h>

/* Inserts an indicator (fixture_exec: /v1/indicators has its own suite) and
 * returns its id as text (static storage, one per call site's buffer). */
void values_indicator(char out[24], const char *code, const char *area, const char *periodicity,
                      const char *first_period, const char *min, const char *max, const char *scale,
                      int lag_months);

/* POSTs body (len 0: strlen) to /v1/indicators/{id}/values?query as the
 * user, with this content type. */
struct http_response values_post(enum fixture_user who, const char *id, const char *query,
                                 const char *content_type, const char *body, size_t len);

/* A number member of the answer; fails the test when absent. */
long values_long(const struct http_response *r, const char *name);

/* Asserts 200 and these counts; frees r. */
void values_expect_import(struct http_response r, long rows, long inserted, long updated,
                          long unchanged);

#endif
