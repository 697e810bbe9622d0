/*
 * The public list of a cycle's action plans (see edit.h): summaries, one
 * per plan the caller may see (plan_visible: drafts and returned plans only
 * to their municipality and the state), from plan_summary_rows in
 * sql/021_plan_edit.sql, in JSON pages or as one CSV download.
 */
#include "plans/edit.h"

#include "resource/resource.h"

static const char *const statuses[] = {"draft",  "submitted",      "returned", "approved",
                                       "pacted", "under_revision", "closed",   NULL};

/* What a summary shows (read-only), in CSV column order. */
static const struct res_field summary_fields[] = {
    RES_FIELD("id", RES_ID, RF_CSV),
    RES_FIELD("challenge_id", RES_ID, RF_CSV),
    RES_FIELD("challenge_code", RES_TEXT, RF_CSV),
    RES_FIELD("municipality_id", RES_IBGE, RF_CSV),
    RES_FIELD("municipality_name", RES_TEXT, RF_CSV),
    RES_FIELD("status", RES_ENUM, RF_CSV, .values = statuses),
    RES_FIELD("actions", RES_INTEGER, RF_CSV),
    RES_FIELD("deliveries", RES_INTEGER, RF_CSV),
    RES_FIELD("total_amount_cents", RES_INTEGER, RF_CSV),
    RES_FIELD("current_version", RES_INTEGER, RF_CSV),
    RES_FIELD("submitted_at", RES_TIMESTAMP, RF_CSV),
    RES_FIELD("approved_at", RES_TIMESTAMP, RF_CSV),
    RES_FIELD("updated_at", RES_TIMESTAMP, RF_CSV),
    RES_END,
};

static const struct res_filter summary_filters[] = {
    {.name = "challenge_id", .type = RES_ID},
    {.name = "municipality_id", .type = RES_IBGE},
    {.name = "status", .type = RES_ENUM, .values = statuses},
    {.name = NULL},
};

/* Read-only (no snapshot): only the list is served from it. */
static struct resource plan_summaries = {
    .entity = "action_plan",
    .name = "plan_summary",
    .table = "action_plans",
    .key = "id",
    .key_type = RES_ID,
    .parent = "cycle_id",
    .parent_exists = "SELECT 1 FROM cycles WHERE id = $1",
    .parent_type = RES_ID,
    .view = "plan_json",
    .rows = "plan_summary_rows",
    .list_name = "action_plans",
    .fields = summary_fields,
    .filters = summary_filters,
};

void plans_list(struct request *req) { resource_list(req, &plan_summaries); }
