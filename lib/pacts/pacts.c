/*
 * Pacts (see pacts.h): the resource, a pact's GET and the public list of a
 * cycle's pacts, in JSON pages or whole as CSV.
 */
#include "pacts/pacts.h"

#include "pacts/query.h"

#include "db/db.h"
#include "http/query.h"
#include "http/response.h"
#include "resource/resource.h"
#include "validate/ibge.h"
#include "validate/id.h"

#include <stdio.h>

/* What a pact shows is pact_json (read-only here: the types only document);
 * what a signature sends is the mayor's CPF, which is never stored. */
static const struct res_field pact_fields[] = {
    RES_FIELD("id", RES_ID, 0),
    RES_FIELD("mayor_cpf", RES_CPF, RF_CREATE | RF_REQUIRED | RF_VIRTUAL),
    RES_END,
};

/* Pacts have no version column: a pact never changes once signed (a
 * revised plan is signed again, as a new pact). */
struct resource pacts_resource = {
    .entity = "pact",
    .table = "pacts",
    .key = "id",
    .key_type = RES_ID,
    .unversioned = true,
    .view = "pact_json",
    .snapshot = "pact_snapshot",
    .items_at = "/v1/pacts",
    .fields = pact_fields,
};

void pacts_get(struct request *req) { resource_get(req, &pacts_resource); }

bool pacts_query_filter(struct request *req, const struct query *q, const char *name,
                        enum pacts_filter kind, cJSON *filters)
{
    const char *v = query_get(q, name);
    if (!v)
        return true;
    if (kind == PACTS_FILTER_ID ? !id_is_canonical(v) : !ibge_code_is_valid(v)) {
        char why[96];
        snprintf(why, sizeof why, "%s must be %s.", name,
                 kind == PACTS_FILTER_ID ? "an id" : "a 7-digit IBGE code");
        resp_bad_parameter(req, why);
        return false;
    }
    cJSON_AddStringToObject(filters, name, v);
    return true;
}

static const struct db_stmt STMT_CYCLE_EXISTS = {
    .name = "pacts_cycle_exists",
    .sql = "SELECT 1 FROM cycles WHERE id = $1",
};

/* $1 cycle, $2 filters, $3 the id to continue after, $4 limit. */
static const struct db_stmt STMT_PACTS_LIST = {
    .name = "pacts_list",
    .sql = "SELECT r.k, r.j, r.id, r.protocol, r.municipality_id, r.municipality_name,"
           "       r.challenge_id, r.challenge_code, r.signed_at, r.targets"
           "  FROM pact_rows($1::bigint, $2::jsonb) r"
           " WHERE ($3::bigint IS NULL OR r.k > $3::bigint) ORDER BY r.k LIMIT $4",
};

/* targets: pact_targets_text, "<indicator_code>=<target_value>@<target_year>; ..." */
static const char PACTS_CSV_HEADER[] = "id,protocol,municipality_id,municipality_name,challenge_id,"
                                       "challenge_code,signed_at,targets";

void pacts_list(struct request *req)
{
    static const char *const allowed[] = {"challenge_id", "municipality_id", "limit", "cursor",
                                          NULL};
    const char *cycle = req_param(req, 0);
    if (!id_is_canonical(cycle)) {
        resp_not_found(req);
        return;
    }
    struct query q;
    struct page page;
    char list[48];
    snprintf(list, sizeof list, "pacts:%.24s", cycle);
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, list, &page))
        return;
    cJSON *filters = req_keep_json(req, cJSON_CreateObject());
    if (!pacts_query_filter(req, &q, "challenge_id", PACTS_FILTER_ID, filters) ||
        !pacts_query_filter(req, &q, "municipality_id", PACTS_FILTER_IBGE, filters))
        return;
    const char *f = req_defer(req, cJSON_free, cJSON_PrintUnformatted(filters));
    PGresult *exists = req_exec(req, &STMT_CYCLE_EXISTS, 1, &cycle);
    if (!exists)
        return;
    if (PQntuples(exists) == 0) {
        resp_not_found(req);
        return;
    }
    struct list_query lq = {.stmt = &STMT_PACTS_LIST,
                            .nparams = 4,
                            .params = {cycle, f, NULL, NULL},
                            .after_param = 2,
                            .limit_param = 3,
                            .key_col = 0,
                            .json_col = 1,
                            .csv_first_col = 2,
                            .csv_header = PACTS_CSV_HEADER};
    resp_list(req, &page, &lq);
}
