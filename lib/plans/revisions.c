/*
 * A pacted plan reopened for revision (see revisions.h): one statement moves
 * it to under_revision and logs the `revise` transition, in the plan's
 * locked transaction, with its audit event.
 */
#include "plans/revisions.h"

#include "authz/policy.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/response.h"
#include "plans/input.h"
#include "plans/plan.h"

#define REASON_MAX 2000

/* $1 viewer, $2 plan (locked, pacted), $3 its status, $4 reason. */
static const struct db_stmt STMT_REVISE = {
    .name = "plan_revise",
    .sql = "WITH u AS (UPDATE action_plans SET status = 'under_revision',"
           "                                   version = version + 1, updated_at = now()"
           "            WHERE id = $2 RETURNING versions)"
           " INSERT INTO plan_transitions (plan_id, action, from_status, to_status, reason,"
           "                               version, user_id)"
           " SELECT $2, 'revise', $3, 'under_revision', $4, nullif(u.versions, 0),"
           "        ($1::pacto_viewer).user_id FROM u RETURNING id",
};

void plans_revise(struct request *req)
{
    static const char *const allowed[] = {"reason", NULL};
    const cJSON *body = plans_body(req);
    if (!body)
        return;
    struct field_errors e = {0};
    const char *reason;
    fields_only(body, allowed, NULL, &e);
    int before = e.count;
    plans_text(body, "reason", NULL, REASON_MAX, &reason, &e);
    if (!reason && e.count == before)
        field_error(&e, "reason", "is required: say why the plan is revised");
    struct plan_lock p;
    if (e.count > 0) {
        resp_validation(req, &e, NULL);
    } else if (plans_lock(req, false, &p) && !plans_refuse(req, &p, "revise")) {
        char viewer[AUTHZ_VIEWER_MAX];
        authz_viewer(&req->who, viewer);
        const char *params[] = {viewer, p.id, p.status, reason};
        if (req_exec(req, &STMT_REVISE, 4, params))
            plans_changed(req, &p, "revise", 200);
    }
    field_errors_free(&e);
}
