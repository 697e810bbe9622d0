/*
 * Query-string parsing and cursor pagination (see query.h).
 */
#include "http/query.h"

#include "config/config.h"
#include "csv/csv.h"
#include "db/db.h"
#include "http/response.h"

#include <civetweb.h>
#include <stdio.h>
#include <stdlib.h>
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
    /* Absolute (API.md): the server's public base URL, as clients reach it
     * through any proxy; without one configured, the listening address. */
    if (req->cfg->public_url[0])
        buf_puts(&url, req->cfg->public_url);
    else
        buf_printf(&url, "http://%s%s",
                   strchr(req->cfg->listen, ':') ? "" : "127.0.0.1:", req->cfg->listen);
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

static void csv_rows(struct buf *out, const PGresult *r, int rows, const char *header,
                     int first_col)
{
    if (header) {
        buf_puts(out, header);
        buf_puts(out, "\r\n");
    }
    for (int i = 0; i < rows; i++) {
        for (int col = first_col; col < PQnfields(r); col++) {
            if (col > first_col)
                buf_putc(out, ',');
            csv_write_cell(out, PQgetvalue(r, i, col));
        }
        csv_end_record(out);
    }
}

void resp_page_rows(struct request *req, const struct page *p, const PGresult *r, int key_col,
                    int json_col, const char *csv_header, int csv_first_col)
{
    int n = PQntuples(r);
    int rows = n < p->limit ? n : p->limit;
    const char *next_key = n > p->limit ? PQgetvalue(r, p->limit - 1, key_col) : NULL;
    char cursor[CURSOR_MAX_LEN];
    bool more = next_key && cursor_encode(p->list, next_key, cursor);
    if (more)
        link_next(req, cursor);
    struct buf b = {0};
    if (csv_header && req_wants_csv(req)) {
        csv_rows(&b, r, rows, csv_header, csv_first_col);
        resp_body(req, 200, "text/csv; charset=utf-8", &b);
        return;
    }
    buf_puts(&b, "{\"items\":[");
    for (int i = 0; i < rows; i++) {
        if (i)
            buf_putc(&b, ',');
        buf_puts(&b, PQgetvalue(r, i, json_col));
    }
    buf_puts(&b, "],\"next_cursor\":");
    if (more)
        buf_json_string(&b, cursor);
    else
        buf_puts(&b, "null");
    buf_putc(&b, '}');
    resp_json_buf(req, 200, &b);
}

/* Rows read per block of a CSV download. */
#define CSV_BLOCK_ROWS 1000

/* A CSV download in progress: the list's statement with copies of its
 * parameters, and where the walk stands. */
struct csv_walk {
    struct list_query q;
    char *owned[LIST_MAX_PARAMS];
    char after[CURSOR_MAX_KEY + 1];
    char limit[12];
    bool done;
};

static void csv_walk_free(void *p)
{
    struct csv_walk *w = p;
    for (int i = 0; i < LIST_MAX_PARAMS; i++)
        free(w->owned[i]);
    free(w);
}

/* Reads the next block into out (the header row first when header is set).
 * Returns false when the database failed; w->done tells the end. */
static bool csv_block(struct request *req, struct csv_walk *w, struct buf *out, bool header)
{
    w->q.params[w->q.after_param] = w->after[0] ? w->after : NULL;
    w->q.params[w->q.limit_param] = w->limit;
    struct db_conn *db = req_db(req);
    PGresult *r = db ? db_exec(db, w->q.stmt, w->q.nparams, w->q.params) : NULL;
    if (!r)
        return false;
    int n = PQntuples(r);
    int rows = n < CSV_BLOCK_ROWS ? n : CSV_BLOCK_ROWS;
    csv_rows(out, r, rows, header ? w->q.csv_header : NULL, w->q.csv_first_col);
    w->done = n <= CSV_BLOCK_ROWS;
    if (!w->done)
        snprintf(w->after, sizeof w->after, "%s", PQgetvalue(r, rows - 1, w->q.key_col));
    PQclear(r);
    return true;
}

/* The stream's next chunk, after the first block the handler sent: the
 * connection is taken for the block and given back at once. */
static int csv_next(struct request *req, struct buf *chunk)
{
    struct csv_walk *w = req->stream_ctx;
    if (w->done)
        return 0;
    bool ok = csv_block(req, w, chunk, false);
    db_release(req->db);
    req->db = NULL;
    return !ok ? -1 : w->done ? 0 : 1;
}

void resp_list(struct request *req, const struct page *p, const struct list_query *q)
{
    if (!q->csv_header || !req_wants_csv(req)) {
        struct list_query run = *q;
        run.params[q->after_param] = p->after[0] ? p->after : NULL;
        run.params[q->limit_param] = p->limit_plus_one;
        PGresult *r = req_exec(req, run.stmt, run.nparams, run.params);
        if (r)
            resp_page_rows(req, p, r, q->key_col, q->json_col, NULL, 0);
        return;
    }
    struct csv_walk *w = calloc(1, sizeof *w);
    if (!w)
        abort();
    req_defer(req, csv_walk_free, w);
    w->q = *q;
    for (int i = 0; i < q->nparams; i++)
        if (q->params[i])
            w->q.params[i] = w->owned[i] = strdup(q->params[i]);
    snprintf(w->after, sizeof w->after, "%s", p->after);
    snprintf(w->limit, sizeof w->limit, "%d", CSV_BLOCK_ROWS + 1);
    struct buf b = {0};
    if (!csv_block(req, w, &b, true)) {
        buf_free(&b);
        resp_db_error(req);
        return;
    }
    resp_body(req, 200, "text/csv; charset=utf-8", &b);
    if (!w->done) {
        req->stream_next = csv_next;
        req->stream_ctx = w;
    }
}

bool query_filter(struct request *req, const struct query *q, const char *name,
                  const char *const *values, bool (*valid)(const char *), const char *why,
                  cJSON *filters)
{
    const char *v = query_get(q, name);
    if (!v)
        return true;
    bool ok = !values && valid(v);
    for (const char *const *s = values; s && *s; s++)
        ok |= strcmp(*s, v) == 0;
    if (!ok) {
        resp_bad_parameter(req, why);
        return false;
    }
    cJSON_AddStringToObject(filters, name, v);
    return true;
}
