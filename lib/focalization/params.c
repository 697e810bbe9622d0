/*
 * Path and query parameters of the focalization routes (see params.h).
 */
#include "focalization/params.h"

#include "http/response.h"
#include "resource/resource.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void focal_answer_list(struct request *req, const struct db_stmt *exists, int n,
                       const char *const *params, const struct page *page, struct list_query *lq)
{
    const PGresult *e = req_exec(req, exists, n, params);
    if (!e)
        return;
    if (PQntuples(e) == 0) {
        resp_not_found(req);
        return;
    }
    lq->key_col = 0;
    lq->json_col = 1;
    lq->csv_first_col = 1;
    resp_list(req, page, lq);
}

const char *focal_status_filter(struct request *req, const struct query *q,
                                const char *const *values)
{
    const char *s = query_get(q, "status");
    if (!s)
        return "{}";
    for (const char *const *v = values; *v; v++)
        if (strcmp(s, *v) == 0) {
            struct buf b = {0};
            buf_puts(&b, "{\"status\":");
            buf_json_string(&b, s);
            buf_putc(&b, '}');
            return req_defer(req, free, b.data);
        }
    char detail[160], list[96];
    resource_enum_message(values, list, sizeof list);
    snprintf(detail, sizeof detail, "status %s.", list);
    resp_bad_parameter(req, detail);
    return NULL;
}
