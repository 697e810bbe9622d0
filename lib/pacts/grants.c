/*
 * GET /v1/municipalities/{ibge_code}/incentive-grants?cycle_id=: what the
 * municipality's pacts granted it (see pacts.h), public, in JSON pages or
 * whole as CSV. Each incentive is granted to a municipality once, by the
 * first pact on its challenge (incentive_grants' primary key).
 */
#include "pacts/pacts.h"

#include "pacts/query.h"

#include "db/db.h"
#include "http/query.h"
#include "http/response.h"
#include "validate/ibge.h"

#include <stdio.h>

static const struct db_stmt STMT_MUNICIPALITY_EXISTS = {
    .name = "grants_municipality_exists",
    .sql = "SELECT 1 FROM municipalities WHERE ibge_code = $1",
};

/* $1 municipality, $2 filters, $3 the incentive id to continue after, $4 limit. */
static const struct db_stmt STMT_GRANTS_LIST = {
    .name = "grants_list",
    .sql = "SELECT r.k, r.j, r.incentive_id, r.title, r.type, r.amount_cents, r.source,"
           "       r.cycle_id, r.challenge_id, r.challenge_code, r.pact_id, r.protocol,"
           "       r.granted_at"
           "  FROM incentive_grant_rows($1::text, $2::jsonb) r"
           " WHERE ($3::bigint IS NULL OR r.k > $3::bigint) ORDER BY r.k LIMIT $4",
};

static const char GRANTS_CSV_HEADER[] = "incentive_id,title,type,amount_cents,source,cycle_id,"
                                        "challenge_id,challenge_code,pact_id,protocol,granted_at";

void pacts_grants_list(struct request *req)
{
    static const char *const allowed[] = {"cycle_id", "limit", "cursor", NULL};
    const char *code = req_param(req, 0);
    if (!ibge_code_is_valid(code)) {
        resp_not_found(req);
        return;
    }
    struct query q;
    struct page page;
    char list[48];
    snprintf(list, sizeof list, "incentive_grants:%s", code);
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, list, &page))
        return;
    cJSON *filters = req_keep_json(req, cJSON_CreateObject());
    if (!pacts_query_filter(req, &q, "cycle_id", PACTS_FILTER_ID, filters))
        return;
    const char *f = req_defer(req, cJSON_free, cJSON_PrintUnformatted(filters));
    PGresult *exists = req_exec(req, &STMT_MUNICIPALITY_EXISTS, 1, &code);
    if (!exists)
        return;
    if (PQntuples(exists) == 0) {
        resp_not_found(req);
        return;
    }
    struct list_query lq = {.stmt = &STMT_GRANTS_LIST,
                            .nparams = 4,
                            .params = {code, f, NULL, NULL},
                            .after_param = 2,
                            .limit_param = 3,
                            .key_col = 0,
                            .json_col = 1,
                            .csv_first_col = 2,
                            .csv_header = GRANTS_CSV_HEADER};
    resp_list(req, &page, &lq);
}
