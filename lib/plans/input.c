/*
 * Optional bodies of a plan's transitions (see input.h).
 */
#include "plans/input.h"

#include "http/fields.h"

#include <stdio.h>

const cJSON *plans_body(struct request *req)
{
    if (!req->raw_read || req->raw.len == 0)
        return req_keep_json(req, cJSON_CreateObject());
    return req_keep_json(req, req_json_object(req, false));
}

void plans_text(const cJSON *body, const char *name, const char *field, size_t max,
                const char **out, struct field_errors *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
    const char *why = NULL;
    char msg[64];
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return;
    if (!cJSON_IsString(v)) {
        snprintf(msg, sizeof msg, "must be a string of at most %zu characters", max);
        why = msg;
    } else if (!(why = field_text_problem(v->valuestring, max))) {
        *out = v->valuestring;
    }
    if (why)
        field_error(e, field ? field : name, why);
}
