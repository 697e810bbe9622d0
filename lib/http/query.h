/*
 * Query strings: strict parsing (unknown or repeated parameters are 400) and
 * cursor pagination, both answered in one place for every list.
 */
#ifndef PACTO_HTTP_QUERY_H
#define PACTO_HTTP_QUERY_H

#include "cursor/cursor.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#define QUERY_MAX_PARAMS   16
#define QUERY_MAX_VALUE    256
#define PAGE_DEFAULT_LIMIT 50
#define PAGE_MAX_LIMIT     500

struct query {
    int n;
    struct {
        char name[32];
        char value[QUERY_MAX_VALUE];
    } items[QUERY_MAX_PARAMS];
};

/* Parses the request's query string, URL-decoding values. `allowed` is a
 * NULL-terminated list of names. Unknown, repeated, empty-named or over-long
 * parameters answer 400 and return false. */
bool query_parse(struct request *req, const char *const *allowed, struct query *q);

/* The value of `name`, or NULL when absent. */
const char *query_get(const struct query *q, const char *name);

/* Reads a boolean parameter ("true"/"false"). Returns false after answering
 * 400 when present but not a boolean; *present tells whether it was given. */
bool query_bool(struct request *req, const struct query *q, const char *name, bool *present,
                bool *value);

struct page {
    int limit;
    char limit_plus_one[12];        /* text parameter for SQL LIMIT */
    char after[CURSOR_MAX_KEY + 1]; /* sort key to continue after; "" for the first page */
    const char *list;
};

/* Reads limit and cursor for the list named `list`. Answers 400 and returns
 * false when limit is not 1..500 or the cursor is not one of this list's. */
bool query_page(struct request *req, const struct query *q, const char *list, struct page *p);

/* Answers a page straight from a result of up to limit + 1 rows, each with
 * its sort key in key_col and its JSON in json_col. When csv_header is not
 * NULL and the client asks for text/csv, answers CSV instead: the header row,
 * then columns csv_first_col.. of each row. Does not clear r. */
void resp_page_rows(struct request *req, const struct page *p, const PGresult *r, int key_col,
                    int json_col, const char *csv_header, int csv_first_col);

/* A list's statement, for resp_list: run once for a JSON page, or walked
 * from start to end for a CSV download. params[after_param] is the sort key
 * to continue after (NULL: from the start) and params[limit_param] the LIMIT
 * text; each row has its key in key_col, its JSON in json_col and its CSV
 * cells from csv_first_col on. */
#define LIST_MAX_PARAMS 16
struct list_query {
    const struct db_stmt *stmt;
    int nparams;
    const char *params[LIST_MAX_PARAMS];
    int after_param, limit_param;
    int key_col, json_col, csv_first_col;
    const char *csv_header; /* NULL: the list has no CSV form */
};

/* Answers the list: one page of JSON as resp_page_rows does; or, when the
 * client prefers CSV and the list has one, the WHOLE filtered result (from
 * the cursor, when one was given), open data being downloaded whole. The
 * first rows are read here, so a failure is still a clean 503; when there are
 * more, the rest is streamed (chunked) in blocks of rows, each read on a
 * connection taken for that block alone, so a slow download never holds one.
 * Copies what it needs of q. */
void resp_list(struct request *req, const struct page *p, const struct list_query *q);

/* Copies query parameter `name`, when present, into the JSON object
 * filters: it must be one of `values` (NULL-terminated) or, when values is
 * NULL, pass `valid`. Returns false after answering 400 with `why`. */
bool query_filter(struct request *req, const struct query *q, const char *name,
                  const char *const *values, bool (*valid)(const char *), const char *why,
                  cJSON *filters);

#endif
