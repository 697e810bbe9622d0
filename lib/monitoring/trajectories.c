/*
 * Trajectories (see monitoring.h): a pact's, from pact_trajectory_json, and
 * the public list of a cycle's, declared as a read-only resource over
 * pact_trajectory_rows (sql/026_trajectories.sql), in JSON pages or as one
 * CSV download.
 */
#include "monitoring/monitoring.h"

#include "db/db.h"
#include "http/response.h"
#include "resource/resource.h"
#include "validate/id.h"

static const char *const statuses[] = {"achieved", "on_track", "off_track", "no_data", NULL};
static const char *const polarities[] = {"higher_is_better", "lower_is_better", NULL};

/* What a row shows (read-only), in CSV column order. */
static const struct res_field trajectory_fields[] = {
    RES_FIELD("pact_id", RES_ID, RF_CSV),
    RES_FIELD("protocol", RES_TEXT, RF_CSV),
    RES_FIELD("municipality_id", RES_IBGE, RF_CSV),
    RES_FIELD("municipality_name", RES_TEXT, RF_CSV),
    RES_FIELD("challenge_id", RES_ID, RF_CSV),
    RES_FIELD("challenge_code", RES_TEXT, RF_CSV),
    RES_FIELD("indicator_id", RES_ID, RF_CSV),
    RES_FIELD("indicator_code", RES_TEXT, RF_CSV),
    RES_FIELD("polarity", RES_ENUM, RF_CSV, .values = polarities),
    RES_FIELD("baseline_value", RES_NUMBER, RF_CSV),
    RES_FIELD("baseline_period", RES_TEXT, RF_CSV),
    RES_FIELD("target_value", RES_NUMBER, RF_CSV),
    RES_FIELD("target_year", RES_INTEGER, RF_CSV),
    RES_FIELD("latest_value", RES_NUMBER, RF_CSV),
    RES_FIELD("latest_period", RES_TEXT, RF_CSV),
    RES_FIELD("preliminary_value", RES_NUMBER, RF_CSV),
    RES_FIELD("preliminary_period", RES_TEXT, RF_CSV),
    RES_FIELD("elapsed", RES_NUMBER, RF_CSV),
    RES_FIELD("expected_value", RES_NUMBER, RF_CSV),
    RES_FIELD("progress", RES_NUMBER, RF_CSV),
    RES_FIELD("status", RES_ENUM, RF_CSV, .values = statuses),
    RES_END,
};

static const struct res_filter trajectory_filters[] = {
    {.name = "challenge_id", .type = RES_ID},
    {.name = "municipality_id", .type = RES_IBGE},
    {.name = "status", .type = RES_ENUM, .values = statuses},
    {.name = NULL},
};

/* Read-only (no snapshot): only the list is served from it. Its key is
 * "<pact id>/<indicator id>", both zero-padded, so text order is theirs. */
static struct resource trajectories = {
    .entity = "pact",
    .name = "pact_trajectory",
    .table = "pacts",
    .key = "id",
    .key_type = RES_TEXT,
    .parent = "cycle_id",
    .parent_exists = "SELECT 1 FROM cycles WHERE id = $1",
    .parent_type = RES_ID,
    .view = "pact_json",
    .rows = "pact_trajectory_rows",
    .list_name = "trajectories",
    .fields = trajectory_fields,
    .filters = trajectory_filters,
};

void monitoring_trajectories_list(struct request *req) { resource_list(req, &trajectories); }

/* $1 pact. */
static const struct db_stmt STMT_PACT_TRAJECTORY = {
    .name = "monitoring_pact_trajectory",
    .sql = "SELECT pact_trajectory_json(k) FROM pacts k WHERE k.id = $1",
};

void monitoring_pact_trajectory(struct request *req)
{
    const char *pact = req_param(req, 0);
    if (!id_is_canonical(pact)) {
        resp_not_found(req);
        return;
    }
    const PGresult *r = req_exec(req, &STMT_PACT_TRAJECTORY, 1, &pact);
    if (!r)
        return;
    if (PQntuples(r) == 0) {
        resp_not_found(req);
        return;
    }
    resp_json(req, 200, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
}
