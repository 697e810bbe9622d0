/*
 * The record of an indicator's imports, for the secretariats:
 * GET /v1/indicators/{indicator_id}/imports (oldest first) and
 * GET /v1/indicators/{indicator_id}/imports/{import_id}: who loaded what,
 * when, with which options, the body's SHA-256 and the counts. A dry run
 * leaves no record.
 */
#include "values/values.h"

#include "db/db.h"
#include "http/query.h"
#include "http/response.h"
#include "validate/id.h"

#include <stdio.h>

#define IMPORT_JSON                                                                                \
    "json_build_object('id', i.id, 'indicator_id', i.indicator_id, 'actor_id', i.actor_id,"        \
    " 'format', i.format, 'sha256', i.sha256, 'options', i.options, 'inserted', i.inserted,"       \
    " 'updated', i.updated, 'unchanged', i.unchanged, 'ignored', i.ignored,"                       \
    " 'created_at', pacto_ts(i.created_at))"

static const struct db_stmt STMT_INDICATOR = {
    .name = "imports_indicator",
    .sql = "SELECT 1 FROM indicators WHERE id = $1::bigint",
};

/* $1 indicator, $2 after, $3 limit */
static const struct db_stmt STMT_LIST = {
    .name = "imports_list",
    .sql = "SELECT lpad(i.id::text, 19, '0'), " IMPORT_JSON " FROM value_imports i"
           " WHERE i.indicator_id = $1::bigint AND ($2::text IS NULL OR lpad(i.id::text, 19, '0') "
           "> $2)"
           " ORDER BY i.id LIMIT $3::int",
};

static const struct db_stmt STMT_GET = {
    .name = "imports_get",
    .sql = "SELECT " IMPORT_JSON " FROM value_imports i"
           " WHERE i.indicator_id = $1::bigint AND i.id = $2::bigint",
};

void values_imports_list(struct request *req)
{
    static const char *const allowed[] = {"limit", "cursor", NULL};
    struct query q;
    struct page page;
    char list[48];
    snprintf(list, sizeof list, "imports:%.24s", req_param(req, 0));
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, list, &page))
        return;
    const char *id[] = {req_param(req, 0)};
    if (!id_is_canonical(id[0])) {
        resp_not_found(req);
        return;
    }
    PGresult *r = req_exec(req, &STMT_INDICATOR, 1, id);
    if (!r)
        return;
    if (PQntuples(r) == 0) {
        resp_not_found(req);
        return;
    }
    struct list_query lq = {.stmt = &STMT_LIST,
                            .nparams = 3,
                            .params = {id[0], NULL, NULL},
                            .after_param = 1,
                            .limit_param = 2,
                            .key_col = 0,
                            .json_col = 1};
    resp_list(req, &page, &lq);
}

void values_imports_get(struct request *req)
{
    const char *p[] = {req_param(req, 0), req_param(req, 1)};
    if (!id_is_canonical(p[0]) || !id_is_canonical(p[1])) {
        resp_not_found(req);
        return;
    }
    PGresult *r = req_exec(req, &STMT_GET, 2, p);
    if (!r)
        return;
    if (PQntuples(r) == 0) {
        resp_not_found(req);
        return;
    }
    resp_json(req, 200, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
}
