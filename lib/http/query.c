/*
 * Query-string parsing and cursor pagination (see query.h).
 */
#include "http/query.h"

#include "http/response.h"

#include <civetweb.h>
#include <stdio.h>
#include <string.h>

static bool is_allowed(const char *const *allowed, const char *name)
{
    for (; *allowed; allowed++)
        if (strcmp(*allowed, name) == 0)
            return true;
    return false;
}

bool query_parse(struct request *req, const char *const *allowed, struct query *q)
{
    q->n = 0;
    const char *s = req->query ? req->query : "";
    char detail[160];
    while (*s) {
        size_t len = strcspn(s, "&");
        const char *eq = memchr(s, '=', len);
        size_t name_len = eq ? (size_t)(eq - s) : len;
        const char *value = eq ? eq + 1 : s + len;
        size_t value_len = (size_t)(s + len - value);
        if (len == 0) {
            s++;
            continue;
        }
        if (q->n == QUERY_MAX_PARAMS || name_len == 0 || name_len >= sizeof q->items[0].name ||
            value_len >= QUERY_MAX_VALUE) {
            resp_bad_parameter(req, "Too many, unnamed or over-long query parameters.");
            return false;
        }
        char *name = q->items[q->n].name;
        memcpy(name, s, name_len);
        name[name_len] = '\0';
        if (!is_allowed(allowed, name)) {
            snprintf(detail, sizeof detail, "Unknown query parameter \"%.31s\".", name);
            resp_bad_parameter(req, detail);
            return false;
        }
        if (query_get(q, name)) {
            snprintf(detail, sizeof detail, "Query parameter \"%s\" is repeated.", name);
            resp_bad_parameter(req, detail);
            return false;
        }
        char raw[QUERY_MAX_VALUE];
        memcpy(raw, value, value_len);
        raw[value_len] = '\0';
        int n = mg_url_decode(raw, (int)value_len, q->items[q->n].value, QUERY_MAX_VALUE, 1);
        if (n < 0 || memchr(q->items[q->n].value, '\0', (size_t)n) != NULL) {
            snprintf(detail, sizeof detail, "Query parameter \"%s\" is badly encoded.", name);
            resp_bad_parameter(req, detail);
            return false;
        }
        q->n++;
        s += len;
    }
    return true;
}

const char *query_get(const struct query *q, const char *name)
{
    for (int i = 0; i < q->n; i++)
        if (strcmp(q->items[i].name, name) == 0)
            return q->items[i].value;
    return NULL;
}

bool query_bool(struct request *req, const struct query *q, const char *name, bool *present,
                bool *value)
{
    const char *v = query_get(q, name);
    *present = v != NULL;
    if (!v)
        return true;
    if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
        *value = v[0] == 't';
        return true;
    }
    char detail[96];
    snprintf(detail, sizeof detail, "%s must be true or false.", name);
    resp_bad_parameter(req, detail);
    return false;
}

bool query_page(struct request *req, const struct query *q, const char *list, struct page *p)
{
    p->list = list;
    p->limit = PAGE_DEFAULT_LIMIT;
    p->after[0] = '\0';
    const char *limit = query_get(q, "limit");
    if (limit) {
        int v = 0;
        bool digits = *limit && strspn(limit, "0123456789") == strlen(limit) && strlen(limit) < 5;
        if (digits)
            sscanf(limit, "%d", &v);
        if (!digits || v < 1 || v > PAGE_MAX_LIMIT) {
            resp_bad_parameter(req, "limit must be an integer from 1 to 500.");
            return false;
        }
        p->limit = v;
    }
    snprintf(p->limit_plus_one, sizeof p->limit_plus_one, "%d", p->limit + 1);
    const char *cursor = query_get(q, "cursor");
    if (cursor && !cursor_decode(list, cursor, p->after)) {
        resp_bad_parameter(req, "cursor is not a cursor of this list; use next_cursor as given.");
        return false;
    }
    return true;
}

/* Adds Link: <path?...&cursor=...>; rel="next", keeping the other parameters. */
static void link_next(struct request *req, const char *cursor)
{
    struct buf url = {0};
    buf_puts(&url, req->path);
    char sep = '?';
    const char *s = req->query ? req->query : "";
    while (*s) {
        size_t len = strcspn(s, "&");
        if (len && strncmp(s, "cursor=", 7) != 0) {
            buf_putc(&url, sep);
            buf_append(&url, s, len);
            sep = '&';
        }
        s += len;
        if (*s)
            s++;
    }
    buf_printf(&url, "%ccursor=%s", sep, cursor);
    resp_header(req, "Link", "<%s>; rel=\"next\"", buf_cstr(&url));
    buf_free(&url);
}

static bool next_cursor(struct request *req, const struct page *p, const char *next_key,
                        char out[CURSOR_MAX_LEN])
{
    if (!next_key || !cursor_encode(p->list, next_key, out))
        return false;
    link_next(req, out);
    return true;
}

void resp_page(struct request *req, const struct page *p, struct buf *items, const char *next_key)
{
    char cursor[CURSOR_MAX_LEN];
    bool more = next_cursor(req, p, next_key, cursor);
    struct buf b = {0};
    buf_puts(&b, "{\"items\":[");
    buf_append(&b, buf_cstr(items), items->len);
    buf_puts(&b, "],\"next_cursor\":");
    if (more)
        buf_json_string(&b, cursor);
    else
        buf_puts(&b, "null");
    buf_putc(&b, '}');
    buf_free(items);
    resp_json_buf(req, 200, &b);
}

void resp_page_csv(struct request *req, const struct page *p, struct buf *csv,
                   const char *next_key)
{
    char cursor[CURSOR_MAX_LEN];
    next_cursor(req, p, next_key, cursor);
    resp_body(req, 200, "text/csv; charset=utf-8", csv);
}
