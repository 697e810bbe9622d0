/*
 * GET /v1/states: the federative units, public.
 */
#include "municipalities/municipalities.h"

#include "db/db.h"
#include "http/query.h"

#include <stdio.h>

static const struct db_stmt STMT_STATE_LIST = {
    .name = "state_list",
    .sql = "SELECT code, json_build_object('code', code, 'uf', uf, 'name', name, 'region', region),"
           "       code, uf, name, region"
           "  FROM states WHERE ($1::smallint IS NULL OR code > $1) ORDER BY code LIMIT $2",
};

void states_list(struct request *req)
{
    static const char *const allowed[] = {"limit", "cursor", NULL};
    struct query q;
    struct page page;
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, "states", &page))
        return;
    struct db_conn *db = req_db(req);
    if (!db)
        return;
    const char *params[] = {page.after[0] ? page.after : NULL, page.limit_plus_one};
    PGresult *r = db_exec(db, &STMT_STATE_LIST, 2, params);
    if (!r) {
        resp_db_error(req);
        return;
    }
    resp_page_rows(req, &page, r, 0, 1, "code,uf,name,region", 2);
    PQclear(r);
}
