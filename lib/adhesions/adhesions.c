/*
 * Adhesions (see adhesions.h), declared once as a resource under their
 * cycle. Reading is generic; what an adhesion shows to whom is
 * adhesion_json in sql/008_cycles_adhesions.sql. Signing and withdrawing are
 * this file's own handlers, built from the resource's pieces; who may call
 * them (the mayor) is in lib/api/routes.c.
 *
 * Signing checks the window against the database clock inside the
 * transaction that inserts, with the cycle and the municipality locked FOR
 * SHARE, so that a concurrent change of the window or of the registered mayor
 * cannot slip between the check and the insert. The partial unique index
 * adhesions_one_active makes "one active adhesion per municipality and cycle"
 * hold under any concurrency; the insert answers no row instead of failing.
 */
#include "adhesions/adhesions.h"

#include "authz/policy.h"
#include "db/db.h"
#include "resource/resource.h"

#include <stdio.h>
#include <string.h>

static const char *const statuses[] = {"active", "withdrawn", NULL};

/* What an adhesion shows (read-only: the types only document), in CSV
 * column order, then what a signature sends. */
static const struct res_field adhesion_fields[] = {
    RES_FIELD("id", RES_ID, RF_CSV),
    RES_FIELD("cycle_id", RES_ID, 0),
    RES_FIELD("municipality_id", RES_IBGE, RF_CSV),
    RES_FIELD("municipality_name", RES_TEXT, RF_CSV),
    RES_FIELD("state", RES_UF, RF_CSV),
    RES_FIELD("protocol", RES_TEXT, RF_CSV),
    RES_FIELD("status", RES_ENUM, RF_CSV, .values = statuses),
    RES_FIELD("signed_at", RES_TIMESTAMP, RF_CSV),
    RES_FIELD("withdrawn_at", RES_TIMESTAMP, 0),
    RES_FIELD("commitments", RES_TEXT_LIST, 0),
    RES_FIELD("signer", RES_TEXT, 0),       /* {user_id, name} */
    RES_FIELD("withdrawn_by", RES_TEXT, 0), /* {user_id, name} or null */
    RES_FIELD("mayor_cpf", RES_CPF, RF_CREATE | RF_REQUIRED | RF_VIRTUAL),
    RES_FIELD("accepted_commitments", RES_BOOL, RF_CREATE | RF_REQUIRED | RF_VIRTUAL),
    RES_END,
};

static const struct res_filter adhesion_filters[] = {
    {.name = "state", .type = RES_UF},
    {.name = "status", .type = RES_ENUM, .values = statuses},
    {.name = NULL},
};

/* The prepare hook of a signature: adhering means accepting the commitments. */
static bool commitments_accepted(struct request *req, struct res_write *w)
{
    if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(w->doc, "accepted_commitments")))
        field_error(&w->errors, "accepted_commitments",
                    "must be true: adhering means accepting the cycle's commitments");
    return true;
}

static struct resource adhesion = {
    .entity = "adhesion",
    .table = "adhesions",
    .key = "id",
    .key_type = RES_ID,
    .parent = "cycle_id",
    .parent_exists = "SELECT 1 FROM cycles WHERE id = $1",
    .parent_type = RES_ID,
    .unversioned = true,
    .view = "adhesion_json",
    .snapshot = "adhesion_snapshot",
    .matches = "adhesion_matches",
    .list_name = "adhesions",
    .fields = adhesion_fields,
    .filters = adhesion_filters,
    .hooks = {.prepare = commitments_accepted},
};

/* The columns a write answers (see resource_changed), from the CTE t. */
#define ADHESION_ROW                                                                               \
    "SELECT t.id, NULL, adhesion_json(t::adhesions, $1::pacto_viewer),"                            \
    " adhesion_snapshot(t::adhesions) FROM t"

/* What signing ($1 viewer, $2 cycle, $3 the CPF given) must know, with the
 * cycle and the caller's municipality locked until the transaction ends. The
 * CPF must be the municipality's registered mayor's, and the caller's own. */
static const struct db_stmt STMT_ADHESION_CONTEXT = {
    .name = "adhesion_context",
    .sql = "SELECT s.uf, c.state_code = m.state_code, now() < c.adhesion_opens_at,"
           "       now() >= c.adhesion_closes_at, pacto_ts(c.adhesion_opens_at),"
           "       pacto_ts(c.adhesion_closes_at),"
           "       coalesce(m.mayor_cpf = $3 AND ($1::pacto_viewer).cpf = $3, false)"
           "  FROM cycles c JOIN states s ON s.code = c.state_code"
           "  JOIN municipalities m ON m.ibge_code = ($1::pacto_viewer).municipality_id"
           " WHERE c.id = $2 FOR SHARE OF c, m",
};
enum { CTX_UF, CTX_IN_STATE, CTX_NOT_YET_OPEN, CTX_CLOSED, CTX_OPENS, CTX_CLOSES, CTX_MAYOR };

/* $1 viewer, $2 cycle. No row when the municipality already has an active
 * adhesion to the cycle. */
static const struct db_stmt STMT_ADHESION_INSERT = {
    .name = "adhesion_insert",
    .sql = "WITH t AS ("
           "  INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
           "  SELECT c.id, ($1::pacto_viewer).municipality_id, adhesion_next_protocol(s.uf),"
           "         ($1::pacto_viewer).user_id, c.commitments"
           "    FROM cycles c JOIN states s ON s.code = c.state_code"
           "   WHERE c.id = $2"
           "  ON CONFLICT (cycle_id, municipality_id) WHERE status = 'active' DO NOTHING"
           "  RETURNING *) " ADHESION_ROW,
};

/* $1 viewer, $2 adhesion, $3 cycle. Another municipality's adhesion is not
 * found: only its own mayor may withdraw it. */
static const struct db_stmt STMT_ADHESION_LOCK = {
    .name = "adhesion_lock",
    .sql = "SELECT a.status, adhesion_snapshot(a) FROM adhesions a"
           " WHERE a.id = $2 AND a.cycle_id = $3"
           "   AND viewer_is_municipal($1::pacto_viewer, a.municipality_id)"
           " FOR UPDATE OF a",
};
enum { LOCK_STATUS, LOCK_SNAPSHOT };

/* $1 viewer, $2 adhesion. No row when the adhesion may not be withdrawn. */
static const struct db_stmt STMT_ADHESION_WITHDRAW = {
    .name = "adhesion_withdraw",
    .sql = "WITH t AS ("
           "  UPDATE adhesions SET status = 'withdrawn', withdrawn_at = now(),"
           "                       withdrawn_by = ($1::pacto_viewer).user_id"
           "   WHERE id = $2 AND status = 'active'"
           /* Only before any pact (SPEC 3): a pact signed under the
            * adhesion keeps it (the pact locks the adhesion FOR SHARE, so
            * one of the two waits for the other and then sees it). */
           "     AND NOT EXISTS (SELECT 1 FROM pacts k WHERE k.adhesion_id = adhesions.id)"
           "  RETURNING *) " ADHESION_ROW,
};

static bool is_true(const PGresult *r, int col) { return strcmp(PQgetvalue(r, 0, col), "t") == 0; }

/* Refuses a signature the cycle's rules do not allow; true when it did. */
static bool refuse_signature(struct request *req, const PGresult *ctx)
{
    char detail[160];
    if (!is_true(ctx, CTX_IN_STATE)) {
        snprintf(detail, sizeof detail, "This cycle is for the municipalities of %s.",
                 PQgetvalue(ctx, 0, CTX_UF));
        resp_problem(req, 422, "municipality-not-in-cycle-state",
                     "The municipality is not in the cycle's state", detail);
    } else if (is_true(ctx, CTX_NOT_YET_OPEN)) {
        snprintf(detail, sizeof detail, "The adhesion window is not open yet: it opens at %s.",
                 PQgetvalue(ctx, 0, CTX_OPENS));
        resp_problem(req, 422, "adhesion-window-closed", "Outside the adhesion window", detail);
    } else if (is_true(ctx, CTX_CLOSED)) {
        snprintf(detail, sizeof detail, "The adhesion window closed at %s.",
                 PQgetvalue(ctx, 0, CTX_CLOSES));
        resp_problem(req, 422, "adhesion-window-closed", "Outside the adhesion window", detail);
    } else if (!is_true(ctx, CTX_MAYOR)) {
        struct field_errors e = {0};
        field_error(&e, "mayor_cpf",
                    "must be the CPF of the municipality's registered mayor, who must be you");
        resp_validation(req, &e, NULL);
    } else {
        return false;
    }
    return true;
}

void adhesions_create(struct request *req)
{
    struct res_write w;
    if (!resource_read(req, &adhesion, true, &w))
        return;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {
        viewer, resource_path_parent(req, &adhesion),
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w.doc, "mayor_cpf"))};
    const PGresult *ctx, *r;
    if (!params[1]) {
        resp_not_found(req);
    } else if (!req_db(req)) {
        /* answered */
    } else if (!db_begin(req->db)) {
        resp_db_error(req);
    } else if (!(ctx = req_exec(req, &STMT_ADHESION_CONTEXT, 3, params))) {
        /* answered */
    } else if (PQntuples(ctx) == 0) {
        resp_not_found(req);
    } else if (refuse_signature(req, ctx)) {
        /* answered */
    } else if (!(r = req_exec(req, &STMT_ADHESION_INSERT, 2, params))) {
        /* answered */
    } else if (PQntuples(r) == 0) {
        resp_problem(req, 409, "conflict", "Already adhered",
                     "The municipality already has an active adhesion to this cycle.");
    } else {
        resource_changed(req, &adhesion, "create", NULL, r, 201);
    }
    field_errors_free(&w.errors);
}

void adhesions_list(struct request *req) { resource_list(req, &adhesion); }
void adhesions_get(struct request *req) { resource_get(req, &adhesion); }

void adhesions_withdraw(struct request *req)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, resource_path_key(req, &adhesion), req_param(req, 0)};
    const PGresult *cur, *r;
    if (!params[1]) {
        resp_not_found(req);
    } else if (!req_db(req)) {
        /* answered */
    } else if (!db_begin(req->db)) {
        resp_db_error(req);
    } else if (!(cur = req_exec(req, &STMT_ADHESION_LOCK, 3, params))) {
        /* answered */
    } else if (PQntuples(cur) == 0) {
        resp_not_found(req);
    } else if (strcmp(PQgetvalue(cur, 0, LOCK_STATUS), "active") != 0) {
        resp_problem(req, 409, "conflict", "Already withdrawn",
                     "This adhesion was already withdrawn.");
    } else if (!(r = req_exec(req, &STMT_ADHESION_WITHDRAW, 2, params))) {
        /* answered */
    } else if (PQntuples(r) == 0) {
        resp_problem(req, 409, "conflict", "The adhesion can no longer be withdrawn",
                     "A pact was signed under this adhesion.");
    } else {
        resource_changed(req, &adhesion, "withdraw", PQgetvalue(cur, 0, LOCK_SNAPSHOT), r, 200);
    }
}
