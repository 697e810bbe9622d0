/*
 * GET /v1/states: the federative units, public.
 */
#include "municipalities/municipalities.h"

#include "csv/csv.h"
#include "db/db.h"
#include "http/query.h"

#include <stdio.h>

static const struct db_stmt STMT_STATE_LIST = {
    "state_list",
    "SELECT code, json_build_object('code', code, 'uf', uf, 'name', name, 'region', region),"
    "       uf, name, region"
    "  FROM states WHERE ($1::smallint IS NULL OR code > $1) ORDER BY code LIMIT $2"};

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
    int n = PQntuples(r);
    const char *next = n > page.limit ? PQgetvalue(r, page.limit - 1, 0) : NULL;
    struct buf out = {0};
    bool csv = req_wants_csv(req);
    if (csv)
        buf_puts(&out, "code,uf,name,region\r\n");
    for (int i = 0; i < n && i < page.limit; i++) {
        if (csv) {
            for (int col = 0; col < 5; col++) {
                if (col == 1)
                    continue;
                if (col > 0)
                    buf_putc(&out, ',');
                csv_write_field(&out, PQgetvalue(r, i, col));
            }
            csv_end_record(&out);
        } else {
            if (i)
                buf_putc(&out, ',');
            buf_puts(&out, PQgetvalue(r, i, 1));
        }
    }
    if (csv)
        resp_page_csv(req, &page, &out, next);
    else
        resp_page(req, &page, &out, next);
    PQclear(r);
}
