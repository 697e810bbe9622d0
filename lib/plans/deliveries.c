/*
 * Deliveries' public status (see deliveries.h): a plan's from
 * plan_deliveries_json, a cycle's from cycle_delivery_rows, both in
 * sql/027_revisions.sql.
 */
#include "plans/deliveries.h"

#include "authz/policy.h"
#include "core/buf.h"
#include "csv/csv.h"
#include "http/query.h"
#include "http/request.h"
#include "http/response.h"
#include "plans/plan.h"
#include "resource/resource.h"

#include <cjson/cJSON.h>
#include <string.h>

static const char *const statuses[] = {"pending", "late", "submitted", "done", "rejected", NULL};
static const char *const plan_statuses[] = {"pacted", "under_revision", NULL};

/* $1 viewer, $2 plan, $3 filters {status}. */
static const struct db_stmt STMT_PLAN_DELIVERIES = {
    .name = "plan_deliveries_public",
    .sql = "SELECT plan_deliveries_json($1::pacto_viewer, $2::bigint, $3::jsonb)"
           " WHERE plan_deliveries_json($1::pacto_viewer, $2::bigint, $3::jsonb) IS NOT NULL",
};

/* $1 viewer, $2 plan, $3 filters: the same list, one row per delivery for
 * its CSV form; a first column false when the viewer may not see the plan,
 * and one row of nulls when it has no delivery. */
static const struct db_stmt STMT_PLAN_DELIVERIES_CSV = {
    .name = "plan_deliveries_public_csv",
    .sql = "SELECT j IS NOT NULL, e->>'id', e->>'action_id', e->>'action_title', e->>'title',"
           "       e->>'due_date', e->>'weight', e->>'status', e->>'done_at'"
           "  FROM plan_deliveries_json($1::pacto_viewer, $2::bigint, $3::jsonb) AS j"
           "  LEFT JOIN LATERAL json_array_elements(j->'items') AS e ON true",
};
#define PLAN_DELIVERIES_CSV_HEADER "id,action_id,action_title,title,due_date,weight,status,done_at"

/* The plan's deliveries as CSV (the whole list: a plan's deliveries are few). */
static void answer_csv(struct request *req, const char *filters)
{
    const char *id = plans_path_id(req);
    if (!id)
        return;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, id, filters};
    const PGresult *r = req_exec(req, &STMT_PLAN_DELIVERIES_CSV, 3, params);
    if (!r)
        return;
    if (PQntuples(r) == 0 || strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
        resp_not_found(req);
        return;
    }
    struct buf b = {0};
    buf_puts(&b, PLAN_DELIVERIES_CSV_HEADER);
    csv_end_record(&b);
    for (int i = 0; i < PQntuples(r); i++) {
        if (PQgetisnull(r, i, 1))
            continue; /* a plan without deliveries */
        for (int c = 1; c < PQnfields(r); c++) {
            if (c > 1)
                buf_putc(&b, ',');
            csv_write_cell(&b, PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c));
        }
        csv_end_record(&b);
    }
    resp_body(req, 200, "text/csv; charset=utf-8", &b);
}

void plans_deliveries_list(struct request *req)
{
    static const char *const allowed[] = {"status", NULL};
    struct query q;
    if (!query_parse(req, allowed, &q))
        return;
    cJSON *filters = req_keep_json(req, cJSON_CreateObject());
    if (!query_filter(req, &q, "status", statuses, NULL,
                      "status must be pending, late, submitted, done or rejected.", filters))
        return;
    const char *f = req_defer(req, cJSON_free, cJSON_PrintUnformatted(filters));
    if (req_wants_csv(req))
        answer_csv(req, f);
    else
        plans_answer(req, &STMT_PLAN_DELIVERIES, 1, &f);
}

/* What a delivery of the cycle list shows (read-only), in CSV column order. */
static const struct res_field delivery_fields[] = {
    RES_FIELD("id", RES_ID, RF_CSV),
    RES_FIELD("plan_id", RES_ID, RF_CSV),
    RES_FIELD("challenge_id", RES_ID, RF_CSV),
    RES_FIELD("challenge_code", RES_TEXT, RF_CSV),
    RES_FIELD("municipality_id", RES_IBGE, RF_CSV),
    RES_FIELD("municipality_name", RES_TEXT, RF_CSV),
    RES_FIELD("plan_status", RES_ENUM, RF_CSV, .values = plan_statuses),
    RES_FIELD("action_id", RES_ID, RF_CSV),
    RES_FIELD("action_title", RES_TEXT, RF_CSV),
    RES_FIELD("title", RES_TEXT, RF_CSV),
    RES_FIELD("due_date", RES_TEXT, RF_CSV),
    RES_FIELD("weight", RES_NUMBER, RF_CSV),
    RES_FIELD("status", RES_ENUM, RF_CSV, .values = statuses),
    RES_FIELD("done_at", RES_TIMESTAMP, RF_CSV),
    RES_END,
};

static const struct res_filter delivery_filters[] = {
    {.name = "challenge_id", .type = RES_ID},
    {.name = "municipality_id", .type = RES_IBGE},
    {.name = "status", .type = RES_ENUM, .values = statuses},
    {.name = NULL},
};

/* Read-only (no snapshot): only the list is served from it. */
static struct resource cycle_deliveries = {
    .entity = "delivery",
    .name = "cycle_delivery",
    .table = "plan_deliveries",
    .key = "id",
    .key_type = RES_ID,
    /* The cycle of the path goes to rows(); the item reads this makes (by
     * plan_id) serve no route. */
    .parent = "plan_id",
    .parent_exists = "SELECT 1 FROM cycles WHERE id = $1",
    .parent_type = RES_ID,
    .view = "delivery_json",
    .rows = "cycle_delivery_rows",
    .list_name = "cycle_deliveries",
    .fields = delivery_fields,
    .filters = delivery_filters,
};

void cycle_deliveries_list(struct request *req) { resource_list(req, &cycle_deliveries); }
