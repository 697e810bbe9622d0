/*
 * Submitting and reading a delivery's evidence (see evidence.h).
 */
#include "evidence/evidence.h"

#include "audit/audit.h"
#include "authz/policy.h"
#include "db/db.h"
#include "evidence/link.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/response.h"
#include "resource/resource.h"
#include "validate/id.h"

#include <stdio.h>
#include <string.h>

#define DESCRIPTION_MAX 4000

/* $1 viewer, $2 delivery: its plan's status, locked, when the plan is the
 * viewer's municipality's. */
static const struct db_stmt STMT_DELIVERY_LOCK = {
    .name = "evidence_delivery_lock",
    .sql = "SELECT p.status FROM plan_deliveries d JOIN action_plans p ON p.id = d.plan_id"
           " WHERE d.id = $2 AND viewer_is_municipal($1::pacto_viewer, p.municipality_id)"
           "   FOR UPDATE OF p",
};

/* $1 viewer, $2 delivery, $3 description, $4 link: no row when the delivery
 * has evidence awaiting review or accepted already (the unique index). The
 * plan's version moves with its delivery's status. */
static const struct db_stmt STMT_EVIDENCE_INSERT = {
    .name = "evidence_insert",
    .sql = "WITH e AS (INSERT INTO evidence (delivery_id, plan_id, description, link, submitted_by)"
           "           SELECT d.id, d.plan_id, $3, $4, ($1::pacto_viewer).user_id"
           "             FROM plan_deliveries d WHERE d.id = $2"
           "           ON CONFLICT (delivery_id) WHERE status IN ('submitted', 'accepted')"
           "           DO NOTHING RETURNING *),"
           "     p AS (UPDATE action_plans SET version = version + 1, updated_at = now()"
           "            WHERE id = (SELECT plan_id FROM e) RETURNING id)"
           " SELECT e.id, evidence_json(e::evidence, $1::pacto_viewer),"
           "        evidence_snapshot(e::evidence), e.version FROM e",
};

/* $1 viewer, $2 delivery: every evidence, newest first, when the viewer is
 * the plan's municipality or the state. */
static const struct db_stmt STMT_EVIDENCE_LIST = {
    .name = "evidence_list",
    .sql = "SELECT json_build_object('items', (SELECT coalesce(json_agg("
           "           evidence_json(e, $1::pacto_viewer) ORDER BY e.id DESC), '[]')"
           "         FROM evidence e WHERE e.delivery_id = d.id))"
           "  FROM plan_deliveries d JOIN action_plans p ON p.id = d.plan_id"
           " WHERE d.id = $2 AND plan_shows_people(p, $1::pacto_viewer)",
};

/* $1 viewer, $2 evidence. */
static const struct db_stmt STMT_EVIDENCE_GET = {
    .name = "evidence_get",
    .sql = "SELECT evidence_json(e, $1::pacto_viewer), e.version FROM evidence e"
           " WHERE e.id = $2 AND evidence_visible(e, $1::pacto_viewer)",
};

/* The description and the https link (when given) of body. False after
 * answering 422. */
static bool read_submission(struct request *req, const cJSON *body, const char **description,
                            const char **link)
{
    static const char *const allowed[] = {"description", "link", NULL};
    struct field_errors e = {0};
    fields_only(body, allowed, NULL, &e);
    field_required(field_string(body, "description", DESCRIPTION_MAX, description, &e),
                   "description", &e);
    enum field_state st = field_string(body, "link", EVIDENCE_LINK_MAX, link, &e);
    const char *why;
    if (st == FIELD_SET && (why = evidence_link_problem(*link)))
        field_error(&e, "link", why);
    if (st != FIELD_SET)
        *link = NULL;
    if (e.count > 0) {
        resp_validation(req, &e, NULL);
        return false;
    }
    field_errors_free(&e);
    return true;
}

/* The order of the refusals: what the caller may not know of (404) comes
 * before what is wrong with the body (422), so another municipality learns
 * nothing from its answer. */
void evidence_submit(struct request *req)
{
    const char *delivery = req_param(req, 0), *description = NULL, *link = NULL;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const cJSON *body;
    const PGresult *plan, *r;
    if (!(body = req_keep_json(req, req_json_object(req, false)))) {
        /* answered */
    } else if (!id_is_canonical(delivery)) {
        resp_not_found(req);
    } else if (!req_db(req)) {
        /* answered */
    } else if (!db_begin(req->db)) {
        resp_db_error(req);
    } else if (!(plan =
                     req_exec(req, &STMT_DELIVERY_LOCK, 2, (const char *[]){viewer, delivery}))) {
        /* answered */
    } else if (PQntuples(plan) == 0) {
        resp_not_found(req);
    } else if (!read_submission(req, body, &description, &link)) {
        /* answered */
    } else if (strcmp(PQgetvalue(plan, 0, 0), "pacted") != 0) {
        char detail[160];
        snprintf(detail, sizeof detail,
                 "The plan is %s: evidence is submitted for the deliveries of a pacted plan.",
                 PQgetvalue(plan, 0, 0));
        resp_problem(req, 409, "invalid-transition", "Invalid transition", detail);
    } else if (!(r = req_exec(req, &STMT_EVIDENCE_INSERT, 4,
                              (const char *[]){viewer, delivery, description, link}))) {
        /* answered */
    } else if (PQntuples(r) == 0) {
        resp_problem(req, 409, "conflict", "Evidence standing",
                     "The delivery has evidence awaiting review or accepted; new evidence may "
                     "follow a rejection only.");
    } else {
        const char *id = PQgetvalue(r, 0, 0);
        struct audit_actor actor = audit_actor_of(req);
        if (!audit_record(req->db, &actor, "create", "evidence", id, NULL, PQgetvalue(r, 0, 2))) {
            resp_db_error(req);
            return;
        }
        resp_json(req, 201, PQgetvalue(r, 0, 1), (size_t)PQgetlength(r, 0, 1));
        resp_header(req, "Location", "/v1/evidence/%s", id);
        resp_etag(req, PQgetvalue(r, 0, 3));
        req_commit(req);
    }
}

void evidence_list(struct request *req)
{
    const char *delivery = req_param(req, 0);
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const PGresult *r;
    if (!id_is_canonical(delivery)) {
        resp_not_found(req);
    } else if (!(r = req_exec(req, &STMT_EVIDENCE_LIST, 2, (const char *[]){viewer, delivery}))) {
        /* answered */
    } else if (PQntuples(r) == 0) {
        resp_not_found(req);
    } else {
        resp_json(req, 200, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
    }
}

void evidence_get(struct request *req) { resource_show_by(req, &STMT_EVIDENCE_GET); }
