/*
 * Reviewing evidence (see evidence.h): the challenge's area secretariat or
 * the coordination accepts it, or rejects it with a reason. Only evidence
 * awaiting review is reviewed; an accepted one is locked, and a rejected one
 * stays as it was, for the municipality to follow with another.
 */
#include "evidence/evidence.h"

#include "audit/audit.h"
#include "authz/policy.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/response.h"
#include "validate/id.h"

#include <stdio.h>
#include <string.h>

#define REASON_MAX 2000

/* $1 viewer, $2 evidence, visible to the viewer: its status, the
 * challenge's area, whether the viewer manages it, and its snapshot; the
 * evidence and its plan locked. */
static const struct db_stmt STMT_REVIEW_LOCK = {
    .name = "evidence_review_lock",
    .sql = "SELECT e.status, ch.responsible_area, viewer_manages($1::pacto_viewer,"
           "       ch.responsible_area), evidence_snapshot(e)"
           "  FROM evidence e JOIN action_plans p ON p.id = e.plan_id"
           "  JOIN challenges ch ON ch.id = p.challenge_id"
           " WHERE e.id = $2 AND evidence_visible(e, $1::pacto_viewer) FOR UPDATE OF e, p",
};
enum { L_STATUS, L_AREA, L_MANAGES, L_SNAPSHOT };

/* $1 viewer, $2 evidence, $3 accepted|rejected, $4 reason or NULL. The
 * plan's version moves with its delivery's status. */
static const struct db_stmt STMT_REVIEW = {
    .name = "evidence_review",
    .sql = "WITH e AS (UPDATE evidence SET status = $3, review_reason = $4, reviewed_at = now(),"
           "                  reviewed_by = ($1::pacto_viewer).user_id, version = version + 1,"
           "                  updated_at = now()"
           "            WHERE id = $2 RETURNING *),"
           "     p AS (UPDATE action_plans SET version = version + 1, updated_at = now()"
           "            WHERE id = (SELECT plan_id FROM e) RETURNING id)"
           " SELECT evidence_json(e::evidence, $1::pacto_viewer), evidence_snapshot(e::evidence),"
           "        e.version FROM e",
};

/* The reason of a rejection (required) or nothing for an acceptance; the
 * body is optional for an acceptance. False after answering. */
static bool read_review(struct request *req, bool reject, const char **reason)
{
    static const char *const accept_fields[] = {NULL};
    static const char *const reject_fields[] = {"reason", NULL};
    *reason = NULL;
    cJSON *body;
    if (!reject && !req->raw.len)
        body = req_keep_json(req, cJSON_CreateObject());
    else if (!(body = req_keep_json(req, req_json_object(req, false))))
        return false;
    struct field_errors e = {0};
    fields_only(body, reject ? reject_fields : accept_fields, NULL, &e);
    if (reject)
        field_required(field_string(body, "reason", REASON_MAX, reason, &e), "reason", &e);
    if (e.count > 0) {
        resp_validation(req, &e, NULL);
        return false;
    }
    field_errors_free(&e);
    return true;
}

static void review(struct request *req, bool reject)
{
    const char *id = req_param(req, 0), *reason;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const PGresult *cur, *r;
    char detail[160];
    if (!read_review(req, reject, &reason)) {
        /* answered */
    } else if (!id_is_canonical(id)) {
        resp_not_found(req);
    } else if (!req_db(req)) {
        /* answered */
    } else if (!db_begin(req->db)) {
        resp_db_error(req);
    } else if (!(cur = req_exec(req, &STMT_REVIEW_LOCK, 2, (const char *[]){viewer, id}))) {
        /* answered */
    } else if (PQntuples(cur) == 0) {
        resp_not_found(req);
    } else if (strcmp(PQgetvalue(cur, 0, L_MANAGES), "t") != 0) {
        snprintf(detail, sizeof detail,
                 "Only the %s secretariat or the coordination may review this evidence.",
                 PQgetvalue(cur, 0, L_AREA));
        resp_forbidden(req, detail);
    } else if (strcmp(PQgetvalue(cur, 0, L_STATUS), "submitted") != 0) {
        snprintf(detail, sizeof detail,
                 "The evidence is %s: only evidence awaiting review is reviewed.",
                 PQgetvalue(cur, 0, L_STATUS));
        resp_problem(req, 409, "invalid-transition", "Invalid transition", detail);
    } else if (!(r = req_exec(
                     req, &STMT_REVIEW, 4,
                     (const char *[]){viewer, id, reject ? "rejected" : "accepted", reason}))) {
        /* answered */
    } else {
        struct audit_actor actor = audit_actor_of(req);
        if (!audit_record(req->db, &actor, reject ? "reject" : "accept", "evidence", id,
                          PQgetvalue(cur, 0, L_SNAPSHOT), PQgetvalue(r, 0, 1))) {
            resp_db_error(req);
        } else {
            resp_json(req, 200, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
            resp_etag(req, PQgetvalue(r, 0, 2));
            req_commit(req);
        }
    }
}

void evidence_accept(struct request *req) { review(req, false); }

void evidence_reject(struct request *req) { review(req, true); }
