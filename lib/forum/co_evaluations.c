/*
 * Co-evaluations of pacts by the cycle's forum (see forum.h).
 *
 * PUT /v1/pacts/{pact_id}/co-evaluation is the caller's own: the forum
 * member of the pact's cycle whose account is the caller, with a mandate
 * that includes today, inside the cycle's evaluation window. The first PUT
 * creates it (201, Location /v1/co-evaluations/{id}); a later one replaces
 * it and must name the version it replaces in If-Match (428 without, 412
 * when stale), so that a member writing from two places never overwrites
 * their own text unseen. Every change is audited.
 *
 * The reads are public: one co-evaluation, a pact's with the state's status
 * beside them, and a cycle's as a list (JSON and CSV) that can keep only the
 * disagreements. The JSON, the state's status and what counts as a
 * disagreement are SQL (sql/031_forum_training.sql).
 */
#include "forum/forum.h"

#include "authz/policy.h"
#include "resource/resource.h"
#include "validate/id.h"
#include "validate/plain_text.h"

#include <string.h>

static const char *const ratings[] = {"achieved", "partially", "not_achieved", NULL};

/* What a PUT sends. */
static const struct res_field put_fields[] = {
    RES_FIELD("pact_id", RES_ID, RF_STORED),
    RES_FIELD("rating", RES_ENUM, RF_WRITE | RF_REQUIRED, .values = ratings),
    RES_FIELD("justification", RES_TEXT, RF_WRITE | RF_REQUIRED, .max = 4000,
              .check = plain_text_problem),
    RES_END,
};

/* A co-evaluation as every read shows it, in CSV column order. */
static const struct res_field list_fields[] = {
    RES_FIELD("id", RES_ID, RF_CSV),
    RES_FIELD("pact_id", RES_ID, RF_CSV),
    RES_FIELD("protocol", RES_TEXT, RF_CSV),
    RES_FIELD("municipality_id", RES_IBGE, RF_CSV),
    RES_FIELD("challenge_id", RES_ID, RF_CSV),
    RES_FIELD("member_id", RES_ID, RF_CSV),
    RES_FIELD("member_name", RES_TEXT, RF_CSV),
    RES_FIELD("organization", RES_TEXT, RF_CSV),
    RES_FIELD("sector", RES_TEXT, RF_CSV),
    RES_FIELD("rating", RES_ENUM, RF_CSV, .values = ratings),
    RES_FIELD("justification", RES_TEXT, RF_CSV),
    RES_FIELD("monitoring_status", RES_TEXT, RF_CSV),
    RES_FIELD("state_rating", RES_TEXT, RF_CSV),
    RES_FIELD("disagreement", RES_BOOL, RF_CSV),
    RES_FIELD("created_at", RES_TIMESTAMP, RF_CSV),
    RES_FIELD("updated_at", RES_TIMESTAMP, RF_CSV),
    RES_END,
};

static const struct res_filter list_filters[] = {
    {.name = "disagreement", .type = RES_BOOL},
    {.name = "rating", .type = RES_ENUM, .values = ratings},
    {.name = "pact_id", .type = RES_ID},
    {.name = "municipality_id", .type = RES_IBGE},
    {.name = NULL},
};

/* The body of a PUT, judged under its pact. */
static struct resource put_body = {
    .entity = "co_evaluation",
    .name = "pact_co_evaluation",
    .table = "co_evaluations",
    .key = "id",
    .key_type = RES_ID,
    .parent = "pact_id",
    .parent_exists = "SELECT 1 FROM pacts WHERE id = $1::bigint",
    .parent_type = RES_ID,
    .view = "co_evaluation_json",
    .fields = put_fields,
};

/* One co-evaluation: its GET, its audit events and its Location. */
static struct resource co_evaluation = {
    .entity = "co_evaluation",
    .table = "co_evaluations",
    .key = "id",
    .key_type = RES_ID,
    .view = "co_evaluation_json",
    .snapshot = "co_evaluation_snapshot",
    .fields = list_fields,
    .items_at = "/v1/co-evaluations",
};

/* A cycle's co-evaluations: read-only, from co_evaluation_rows. */
static struct resource cycle_co_evaluations = {
    .entity = "co_evaluation",
    .name = "cycle_co_evaluation",
    .table = "co_evaluations",
    .key = "id",
    .key_type = RES_ID,
    .parent = "cycle_id",
    .parent_exists = "SELECT 1 FROM cycles WHERE id = $1::bigint",
    .parent_type = RES_ID,
    .view = "co_evaluation_json",
    .rows = "co_evaluation_rows",
    .list_name = "co_evaluations",
    .fields = list_fields,
    .filters = list_filters,
};

/* $1 viewer, $2 pact: the pact (locked against its deletion), the caller's
 * seat in its cycle's forum (NULL when none), whether the mandate includes
 * today, and the evaluation window. */
static const struct db_stmt STMT_SEAT = {
    .name = "co_evaluation_seat",
    .sql = "SELECT m.id, coalesce(current_date BETWEEN m.mandate_starts_on AND m.mandate_ends_on,"
           "                      false),"
           "       m.mandate_starts_on, m.mandate_ends_on,"
           "       coalesce(now() >= c.evaluation_opens_at AND now() < c.evaluation_closes_at,"
           "                false),"
           "       pacto_ts(c.evaluation_opens_at), pacto_ts(c.evaluation_closes_at)"
           "  FROM pacts k JOIN cycles c ON c.id = k.cycle_id"
           "  LEFT JOIN forum_members m ON m.cycle_id = k.cycle_id"
           "                          AND m.user_id = ($1::pacto_viewer).user_id"
           " WHERE k.id = $2::bigint FOR SHARE OF k",
};
enum { SEAT_MEMBER, SEAT_IN_OFFICE, SEAT_STARTS, SEAT_ENDS, SEAT_OPEN, SEAT_OPENS, SEAT_CLOSES };

/* $1 viewer, $2 pact, $3 member: the member's co-evaluation of the pact. */
static const struct db_stmt STMT_LOCK = {
    .name = "co_evaluation_lock",
    .sql = "SELECT e.id, e.version, co_evaluation_json(e, $1::pacto_viewer),"
           "       co_evaluation_snapshot(e)"
           "  FROM co_evaluations e WHERE e.pact_id = $2::bigint AND e.member_id = $3::bigint"
           "   FOR UPDATE",
};

/* $1 viewer, $2 pact, $3 member, $4 rating, $5 justification. */
static const struct db_stmt STMT_INSERT = {
    .name = "co_evaluation_insert",
    .sql = "WITH t AS (INSERT INTO co_evaluations (pact_id, member_id, rating, justification)"
           "           VALUES ($2::bigint, $3::bigint, $4, $5) RETURNING *)"
           " SELECT t.id, t.version, co_evaluation_json(t::co_evaluations, $1::pacto_viewer),"
           "        co_evaluation_snapshot(t::co_evaluations) FROM t",
};

/* $1 viewer, $2 id, $3 rating, $4 justification. No row when nothing changes. */
static const struct db_stmt STMT_UPDATE = {
    .name = "co_evaluation_update",
    .sql = "WITH t AS (UPDATE co_evaluations t"
           "              SET rating = $3, justification = $4, version = t.version + 1,"
           "                  updated_at = now()"
           "            WHERE t.id = $2::bigint"
           "              AND (t.rating, t.justification) IS DISTINCT FROM ($3, $4)"
           "        RETURNING t.*)"
           " SELECT t.id, t.version, co_evaluation_json(t::co_evaluations, $1::pacto_viewer),"
           "        co_evaluation_snapshot(t::co_evaluations) FROM t",
};

static bool is_true(const PGresult *r, int col) { return strcmp(PQgetvalue(r, 0, col), "t") == 0; }

/* The caller's seat for pact `pact`, in the open transaction: returns the
 * member's id, or NULL after answering 404 (no pact), 403 (no seat in the
 * pact's cycle's forum, or not in office today) or 422 (outside the
 * evaluation window). */
static const char *seat_of(struct request *req, const char *viewer, const char *pact)
{
    const char *params[] = {viewer, pact};
    const PGresult *r = req_exec(req, &STMT_SEAT, 2, params);
    char why[192];
    if (!r)
        return NULL;
    if (PQntuples(r) == 0) {
        resp_not_found(req);
    } else if (PQgetisnull(r, 0, SEAT_MEMBER)) {
        resp_forbidden(req, "Only members of the forum of the pact's cycle co-evaluate its pacts.");
    } else if (!is_true(r, SEAT_IN_OFFICE)) {
        snprintf(why, sizeof why, "Your mandate in the cycle's forum runs from %s to %s.",
                 PQgetvalue(r, 0, SEAT_STARTS), PQgetvalue(r, 0, SEAT_ENDS));
        resp_forbidden(req, why);
    } else if (!is_true(r, SEAT_OPEN)) {
        if (PQgetisnull(r, 0, SEAT_OPENS))
            snprintf(why, sizeof why, "The cycle has no evaluation window yet.");
        else
            snprintf(why, sizeof why, "The cycle's evaluation window opens at %s and closes at %s.",
                     PQgetvalue(r, 0, SEAT_OPENS), PQgetvalue(r, 0, SEAT_CLOSES));
        resp_problem(req, 422, "evaluation-window-closed", "The evaluation window is closed", why);
    } else {
        return PQgetvalue(r, 0, SEAT_MEMBER);
    }
    return NULL;
}

/* Replaces the locked co-evaluation `current` with rating and
 * justification, after the If-Match it requires. */
static void replace(struct request *req, const char *viewer, const PGresult *current,
                    const char *rating, const char *justification)
{
    if (!req_header(req, "If-Match")) {
        resp_problem(req, 428, "precondition-required", "If-Match is required",
                     "Send the co-evaluation's ETag (from the answer that made it, or from GET "
                     "/v1/co-evaluations/{co_evaluation_id}) in If-Match to replace it.");
        return;
    }
    if (!req_if_match(req, PQgetvalue(current, 0, 1))) {
        resp_problem(req, 412, "precondition-failed", "The resource has changed",
                     "If-Match does not match the current ETag; read it again and retry.");
        return;
    }
    const char *params[] = {viewer, PQgetvalue(current, 0, 0), rating, justification};
    PGresult *r = req_exec(req, &STMT_UPDATE, 4, params);
    if (r && PQntuples(r) == 0)
        resource_show(req, &co_evaluation, PQgetvalue(current, 0, 0)); /* nothing changed */
    else if (r)
        resource_changed(req, &co_evaluation, "update", PQgetvalue(current, 0, 3), r, 200);
}

void forum_co_evaluation_put(struct request *req)
{
    if (!resource_path_parent(req, &put_body)) {
        resp_not_found(req);
        return;
    }
    struct res_write w;
    if (!resource_read(req, &put_body, true, &w))
        return;
    const char *rating = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w.doc, "rating"));
    const char *justification =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w.doc, "justification"));
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *member;
    if (!req_db(req)) {
        /* answered */
    } else if (!db_begin(req->db)) {
        resp_db_error(req);
    } else if ((member = seat_of(req, viewer, w.parent))) {
        const char *params[] = {viewer, w.parent, member, rating, justification};
        PGresult *current = req_exec(req, &STMT_LOCK, 3, params);
        PGresult *r;
        if (current && PQntuples(current) == 1)
            replace(req, viewer, current, rating, justification);
        else if (current && (r = req_exec(req, &STMT_INSERT, 5, params)))
            resource_changed(req, &co_evaluation, "create", NULL, r, 201);
    }
    field_errors_free(&w.errors);
}

/* $1 pact: its co-evaluations with the state's status, or NULL. */
static const struct db_stmt STMT_PACT = {
    .name = "co_evaluation_pact",
    .sql = "SELECT co_evaluation_pact_json($1::bigint)",
};

void forum_pact_co_evaluations(struct request *req)
{
    const char *pact = req_param(req, 0);
    if (!id_is_canonical(pact)) {
        resp_not_found(req);
        return;
    }
    const char *params[] = {pact};
    PGresult *r = req_exec(req, &STMT_PACT, 1, params);
    if (r && (PQntuples(r) == 0 || PQgetisnull(r, 0, 0)))
        resp_not_found(req);
    else if (r)
        resp_json(req, 200, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
}

void forum_co_evaluations_get(struct request *req) { resource_get(req, &co_evaluation); }
void forum_cycle_co_evaluations(struct request *req) { resource_list(req, &cycle_co_evaluations); }
