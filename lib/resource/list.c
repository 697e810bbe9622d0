/*
 * The generic list handler (see resource.h): the query's filters checked
 * against the declaration and handed to the resource's matches() function as
 * one jsonb object, cursor pagination, and CSV from the fields marked RF_CSV.
 */
#include "resource/resource.h"

#include "authz/policy.h"
#include "cache/cache.h"
#include "http/fields.h"
#include "http/query.h"
#include "resource/statements.h"
#include "validate/ibge.h"
#include "validate/id.h"
#include "validate/timestamp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* UTF-8 code points in s. */
static size_t characters(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xc0) != 0x80;
    return n;
}

/* Checks one filter value; NULL when fine, else the reason (in msg when it
 * needs formatting). */
static const char *filter_problem(const struct res_filter *f, const char *v, char *msg, size_t n)
{
    switch (f->type) {
    case RES_ENUM:
        for (const char *const *s = f->values; *s; s++)
            if (strcmp(*s, v) == 0)
                return NULL;
        resource_enum_message(f->values, msg, n);
        return msg;
    case RES_UF:
        return ibge_uf_is_wellformed(v) ? NULL : "must be a two-letter UF code such as SP";
    case RES_IBGE:
        return ibge_code_is_valid(v) ? NULL : "must be an IBGE code";
    case RES_BOOL:
        return strcmp(v, "true") == 0 || strcmp(v, "false") == 0 ? NULL : "must be true or false";
    case RES_ID:
        return id_is_canonical(v) ? NULL : "must be an id";
    case RES_TIMESTAMP:
        return timestamp_is_rfc3339(v) ? NULL : "must be an RFC 3339 date-time";
    case RES_TEXT: {
        /* Counted and checked as a text field of a body is. */
        int min = f->min > 1 ? f->min : 1;
        if (!field_text_problem(v, (size_t)f->max) && characters(v) >= (size_t)min)
            return NULL;
        snprintf(msg, n, "must have %d to %d characters", min, f->max);
        return msg;
    }
    default:
        return "is not supported";
    }
}

/* A filter that comes only with another (res_filter.with) given alone:
 * answers 400 and returns true. */
static bool unpaired(struct request *req, const struct resource *res, const struct query *q)
{
    for (const struct res_filter *f = res->filters; f && f->name; f++) {
        if (!f->with || (query_get(q, f->name) != NULL) == (query_get(q, f->with) != NULL))
            continue;
        char detail[160];
        snprintf(detail, sizeof detail, "%s and %s go together.", f->name, f->with);
        resp_bad_parameter(req, detail);
        return true;
    }
    return false;
}

/* The filters of q as one JSON object (booleans as JSON booleans), or NULL
 * after answering 400. */
static char *read_filters(struct request *req, const struct resource *res, const struct query *q)
{
    cJSON *obj = req_keep_json(req, cJSON_CreateObject());
    for (const struct res_filter *f = res->filters; f && f->name; f++) {
        const char *v = query_get(q, f->name);
        if (!v)
            continue;
        char msg[160];
        const char *why = filter_problem(f, v, msg, sizeof msg);
        if (why) {
            char detail[224];
            snprintf(detail, sizeof detail, "%s %s.", f->name, why);
            resp_bad_parameter(req, detail);
            return NULL;
        }
        if (f->type == RES_BOOL)
            cJSON_AddBoolToObject(obj, f->name, v[0] == 't');
        else
            cJSON_AddStringToObject(obj, f->name, v);
    }
    return req_defer(req, cJSON_free, cJSON_PrintUnformatted(obj));
}

/* "id,name,..." of the fields marked RF_CSV, or NULL when there are none. */
static const char *csv_header(struct request *req, const struct resource *res)
{
    struct buf b = {0};
    for (const struct res_field *f = res->fields; f->name; f++)
        if (f->flags & RF_CSV)
            buf_printf(&b, "%s%s", b.len ? "," : "", f->name);
    return req_defer(req, free, b.data);
}

/* A cached page: its headers (Link), a NUL, then its JSON. */
static bool answer_cached(struct request *req, struct cache *cache, struct buf *key)
{
    struct buf packed = {0};
    if (!cache_get(cache, buf_cstr(key), &packed)) {
        buf_free(&packed);
        return false;
    }
    size_t head = strlen(packed.data);
    buf_append(&req->headers, packed.data, head);
    resp_json(req, 200, packed.data + head + 1, packed.len - head - 1);
    buf_free(&packed);
    buf_free(key);
    return true;
}

static void keep_page(struct request *req, struct cache *cache, const struct buf *key,
                      unsigned long generation)
{
    struct buf packed = {0};
    buf_append(&packed, buf_cstr(&req->headers), req->headers.len);
    buf_putc(&packed, '\0');
    buf_append(&packed, buf_cstr(&req->body), req->body.len);
    cache_put(cache, buf_cstr(key), packed.data, packed.len, generation);
    buf_free(&packed);
}

void resource_list(struct request *req, const struct resource *res)
{
    const char *allowed[QUERY_MAX_PARAMS + 1];
    int n = 0;
    for (const struct res_filter *f = res->filters; f && f->name && n < QUERY_MAX_PARAMS - 2; f++)
        allowed[n++] = f->name;
    allowed[n++] = "limit";
    allowed[n++] = "cursor";
    allowed[n] = NULL;
    struct query q;
    struct page page;
    char list[64];
    snprintf(list, sizeof list, "%s%s%.24s", res->list_name ? res->list_name : res->entity,
             res->parent ? ":" : "", res->parent ? req_param(req, 0) : "");
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, list, &page) ||
        unpaired(req, res, &q))
        return;
    const char *filters = read_filters(req, res, &q);
    if (!filters)
        return;
    const struct res_statements *st = res_statements_of(res);
    if (res->parent) {
        const char *parent[] = {resource_path_parent(req, res)};
        PGresult *p = parent[0] ? req_exec(req, &st->parent, 1, parent) : NULL;
        if (!parent[0] || (p && PQntuples(p) == 0))
            resp_not_found(req);
        if (!p || PQntuples(p) == 0)
            return;
    }
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    /* $1 viewer, $2 the key to continue after, $3 limit, $4 filters, $5 parent;
     * the CSV columns are computed only for a CSV download. */
    const char *header = req_wants_csv(req) ? csv_header(req, res) : NULL;
    struct list_query lq = {.stmt = header ? &st->list_csv : &st->list,
                            .nparams = st->list_params,
                            .params = {viewer, NULL, NULL, filters, req_param(req, 0)},
                            .after_param = 1,
                            .limit_param = 2,
                            .key_col = 0,
                            .json_col = 1,
                            .csv_first_col = 2,
                            .csv_header = header};
    struct cache *cache = header || !res->list_cache ? NULL : res->list_cache();
    struct buf key = {0};
    if (cache) {
        buf_printf(&key, "%s\n%s", viewer, req->query ? req->query : "");
        if (answer_cached(req, cache, &key))
            return;
    }
    unsigned long generation = cache ? cache_generation(cache) : 0;
    resp_list(req, &page, &lq);
    if (cache && req->status == 200)
        keep_page(req, cache, &key, generation);
    buf_free(&key);
}
