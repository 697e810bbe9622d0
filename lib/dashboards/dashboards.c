/*
 * The three dashboards (see dashboards.h): each is an existence check and
 * one statement, JSON built whole by PostgreSQL or CSV rows whose columns
 * are the CSV's (the header is the result's column names, so the SQL is the
 * one place that names them).
 */
#include "dashboards/dashboards.h"

#include "core/buf.h"
#include "csv/csv.h"
#include "db/db.h"
#include "http/query.h"
#include "http/response.h"
#include "validate/ibge.h"
#include "validate/id.h"

static const struct db_stmt STMT_CYCLE_EXISTS = {
    .name = "dashboards_cycle_exists",
    .sql = "SELECT 1 FROM cycles WHERE id = $1::bigint",
};

static const struct db_stmt STMT_CHALLENGE_EXISTS = {
    .name = "dashboards_challenge_exists",
    .sql = "SELECT 1 FROM challenges WHERE id = $1::bigint",
};

/* $1 municipality, $2 cycle: one row when both exist. */
static const struct db_stmt STMT_MUNICIPALITY_EXISTS = {
    .name = "dashboards_municipality_exists",
    .sql = "SELECT 1 FROM municipalities m, cycles c WHERE m.ibge_code = $1 AND c.id = $2::bigint",
};

static const struct db_stmt STMT_CYCLE_JSON = {
    .name = "dashboards_cycle_json",
    .sql = "SELECT dashboard_cycle_json($1::bigint)::text",
};

static const struct db_stmt STMT_CHALLENGE_JSON = {
    .name = "dashboards_challenge_json",
    .sql = "SELECT dashboard_challenge_json($1::bigint)::text",
};

static const struct db_stmt STMT_MUNICIPALITY_JSON = {
    .name = "dashboards_municipality_json",
    .sql = "SELECT dashboard_municipality_json($1, $2::bigint)::text",
};

/* One row per challenge of the cycle, by code: who it is, then the metrics. */
static const struct db_stmt STMT_CYCLE_CSV = {
    .name = "dashboards_cycle_csv",
    .sql = "SELECT ch.id AS challenge_id, ch.code AS challenge_code,"
           "       ch.title AS challenge_title, x.*"
           "  FROM dashboard_metrics($1::bigint, NULL) m"
           "  JOIN challenges ch ON ch.id = m.challenge_id,"
           "       dashboard_metrics_cells(m.metrics) x"
           " WHERE NOT m.is_total ORDER BY ch.code",
};

static const struct db_stmt STMT_CHALLENGE_CSV = {
    .name = "dashboards_challenge_csv",
    .sql = "SELECT e.municipality_id, e.municipality_name, e.plan_id, e.plan_status, e.progress,"
           "       e.pact_id, e.pact_protocol, e.trajectory_status,"
           "       e.d_pending AS deliveries_pending, e.d_late AS deliveries_late,"
           "       e.d_submitted AS deliveries_submitted, e.d_done AS deliveries_done,"
           "       e.d_rejected AS deliveries_rejected"
           "  FROM dashboard_challenge_entries($1::bigint) e",
};

static const struct db_stmt STMT_MUNICIPALITY_CSV = {
    .name = "dashboards_municipality_csv",
    .sql = "SELECT e.challenge_id, e.challenge_code, e.challenge_title, e.plan_id, e.plan_status,"
           "       e.progress, e.pact_id, e.pact_protocol, e.trajectory_status,"
           "       e.d_pending AS deliveries_pending, e.d_late AS deliveries_late,"
           "       e.d_submitted AS deliveries_submitted, e.d_done AS deliveries_done,"
           "       e.d_rejected AS deliveries_rejected, e.grants AS incentives_granted,"
           "       e.grants_cents AS incentives_amount_cents"
           "  FROM dashboard_municipality_entries($1, $2::bigint) e",
};

/* Answers CSV from r: the header is its column names, then every row
 * (published cells: formulas neutralized). */
static void answer_csv(struct request *req, const PGresult *r)
{
    struct buf b = {0};
    int cols = PQnfields(r), rows = PQntuples(r);
    for (int c = 0; c < cols; c++) {
        if (c)
            buf_append(&b, ",", 1);
        csv_write_field(&b, PQfname(r, c));
    }
    csv_end_record(&b);
    for (int i = 0; i < rows; i++) {
        for (int c = 0; c < cols; c++) {
            if (c)
                buf_append(&b, ",", 1);
            csv_write_cell(&b, PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c));
        }
        csv_end_record(&b);
    }
    resp_body(req, 200, "text/csv; charset=utf-8", &b);
}

/* The dashboard whose existence `exists` checks: 404 when it finds nothing,
 * else the JSON of `json` or the rows of `csv`, with the same parameters. */
static void answer(struct request *req, const struct db_stmt *exists, const struct db_stmt *json,
                   const struct db_stmt *csv, int nparams, const char *const *params)
{
    PGresult *e = req_exec(req, exists, nparams, params);
    if (!e)
        return;
    if (PQntuples(e) == 0) {
        resp_not_found(req);
        return;
    }
    bool as_csv = req_wants_csv(req);
    PGresult *r = req_exec(req, as_csv ? csv : json, nparams, params);
    if (!r)
        return;
    if (as_csv)
        answer_csv(req, r);
    else
        resp_json(req, 200, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
}

void dashboards_cycle(struct request *req)
{
    static const char *const allowed[] = {NULL};
    const char *cycle = req_param(req, 0);
    struct query q;
    if (!id_is_canonical(cycle)) {
        resp_not_found(req);
        return;
    }
    if (!query_parse(req, allowed, &q))
        return;
    answer(req, &STMT_CYCLE_EXISTS, &STMT_CYCLE_JSON, &STMT_CYCLE_CSV, 1, &cycle);
}

void dashboards_challenge(struct request *req)
{
    static const char *const allowed[] = {NULL};
    const char *challenge = req_param(req, 0);
    struct query q;
    if (!id_is_canonical(challenge)) {
        resp_not_found(req);
        return;
    }
    if (!query_parse(req, allowed, &q))
        return;
    answer(req, &STMT_CHALLENGE_EXISTS, &STMT_CHALLENGE_JSON, &STMT_CHALLENGE_CSV, 1, &challenge);
}

void dashboards_municipality(struct request *req)
{
    static const char *const allowed[] = {"cycle_id", NULL};
    const char *code = req_param(req, 0);
    struct query q;
    if (!ibge_code_is_valid(code)) {
        resp_not_found(req);
        return;
    }
    if (!query_parse(req, allowed, &q))
        return;
    const char *cycle = query_get(&q, "cycle_id");
    if (!cycle || !id_is_canonical(cycle)) {
        resp_bad_parameter(req, "cycle_id is required and must be an id.");
        return;
    }
    const char *params[] = {code, cycle};
    answer(req, &STMT_MUNICIPALITY_EXISTS, &STMT_MUNICIPALITY_JSON, &STMT_MUNICIPALITY_CSV, 2,
           params);
}
