/*
 * A return's comments (see comments.h). Their JSON and snapshot are SQL in
 * sql/022_plan_workflow.sql.
 */
#include "plans/comments.h"

#include "audit/audit.h"
#include "authz/policy.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/response.h"
#include "plans/input.h"
#include "plans/plan.h"
#include "validate/id.h"

#include <string.h>

#define ANSWER_MAX 2000

/* $1 viewer, $2 plan: its comments, when the viewer is its municipality or
 * the state. */
static const struct db_stmt STMT_COMMENTS = {
    .name = "plan_comments",
    .sql = "SELECT json_build_object('items', (SELECT coalesce(json_agg("
           "           plan_comment_json(c) ORDER BY c.id), '[]')"
           "         FROM plan_comments c WHERE c.plan_id = p.id))"
           "  FROM action_plans p WHERE p.id = $2 AND plan_visible(p, $1::pacto_viewer)"
           "   AND plan_shows_people(p, $1::pacto_viewer)",
};

/* $1 plan, $2 comment: locked, with whether it was answered. */
static const struct db_stmt STMT_COMMENT_LOCK = {
    .name = "plan_comment_lock",
    .sql = "SELECT c.answered_at IS NOT NULL, plan_comment_snapshot(c) FROM plan_comments c"
           " WHERE c.id = $2 AND c.plan_id = $1 FOR UPDATE",
};

/* $1 viewer, $2 comment, $3 the answer or NULL. */
static const struct db_stmt STMT_COMMENT_ANSWER = {
    .name = "plan_comment_answer",
    .sql = "WITH u AS (UPDATE plan_comments SET answer = $3, answered_at = now(),"
           "                                    answered_by = ($1::pacto_viewer).user_id"
           "            WHERE id = $2 RETURNING *)"
           " SELECT plan_comment_json(u::plan_comments), plan_comment_snapshot(u::plan_comments)"
           "   FROM u",
};

void plans_comments_list(struct request *req) { plans_answer(req, &STMT_COMMENTS, 0, NULL); }

void plans_comments_answer(struct request *req)
{
    static const char *const allowed[] = {"answer", NULL};
    const char *comment = req_param(req, 1);
    const cJSON *body = plans_body(req);
    if (!body)
        return;
    struct field_errors e = {0};
    const char *answer;
    fields_only(body, allowed, NULL, &e);
    plans_text(body, "answer", NULL, ANSWER_MAX, &answer, &e);
    struct plan_lock p;
    const PGresult *cur, *r;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    if (e.count > 0) {
        resp_validation(req, &e, NULL);
    } else if (!comment || !id_is_canonical(comment)) {
        resp_not_found(req);
    } else if (!plans_lock(req, false, &p)) {
        /* answered */
    } else if (!(cur = req_exec(req, &STMT_COMMENT_LOCK, 2, (const char *[]){p.id, comment}))) {
        /* answered */
    } else if (PQntuples(cur) == 0) {
        resp_not_found(req);
    } else if (strcmp(PQgetvalue(cur, 0, 0), "t") == 0) {
        resp_problem(req, 409, "conflict", "Already answered",
                     "This comment was already marked as answered.");
    } else if (!(r = req_exec(req, &STMT_COMMENT_ANSWER, 3,
                              (const char *[]){viewer, comment, answer}))) {
        /* answered */
    } else {
        struct audit_actor actor = audit_actor_of(req);
        if (!audit_record(req->db, &actor, "answer", "plan_comment", comment, PQgetvalue(cur, 0, 1),
                          PQgetvalue(r, 0, 1))) {
            resp_db_error(req);
        } else {
            resp_json(req, 200, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
            req_commit(req);
        }
    }
    field_errors_free(&e);
}
