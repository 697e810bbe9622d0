/*
 * The bodies of a plan's transitions and of a comment's answer: optional
 * JSON objects of a few text fields.
 */
#ifndef PACTO_PLANS_INPUT_H
#define PACTO_PLANS_INPUT_H

#include "http/request.h"
#include "http/response.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

/* The request's body when it has one (a JSON object, kept by the request),
 * else an empty object. Returns NULL after answering 400, 413 or 415. */
const cJSON *plans_body(struct request *req);

/* An optional text member of body of 1..max characters: *out is NULL when
 * absent or null; an error on `field` when it is anything else. A NULL
 * field names the member by `name`. */
void plans_text(const cJSON *body, const char *name, const char *field, size_t max,
                const char **out, struct field_errors *e);

#endif
