/*
 * An action plan as every route on it sees it (see plan.h).
 */
#include "plans/plan.h"

#include "authz/policy.h"
#include "http/idempotency.h"
#include "http/response.h"
#include "resource/resource.h"
#include "validate/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Only what the descriptor needs to make its read and lock statements: a
 * plan is written by its own handlers, never by the generic create or patch. */
static const struct res_field plan_fields[] = {
    RES_FIELD("id", RES_ID, 0),
    RES_END,
};

struct resource plans_resource = {
    .entity = "action_plan",
    .table = "action_plans",
    .key = "id",
    .key_type = RES_ID,
    .view = "plan_json",
    .snapshot = "plan_snapshot",
    .visible = "plan_visible",
    .items_at = "/v1/action-plans",
    .fields = plan_fields,
};

/* $1 viewer, $2 plan. The plan's key, version, view and snapshot (the
 * columns resource_changed reads), as it is now. */
static const struct db_stmt STMT_PLAN_ROW = {
    .name = "plan_row",
    .sql = "SELECT p.id, p.version, plan_json(p, $1::pacto_viewer), plan_snapshot(p)"
           "  FROM action_plans p WHERE p.id = $2",
};

/* $1 viewer, $2 plan. No row when the viewer may not see the plan, or is a
 * mayor or representative of another municipality, who never changes its
 * plans and is not told they exist (API.md: 404 for what is not yours), even
 * before If-Match is compared. */
static const struct db_stmt STMT_PLAN_LOCK = {
    .name = "plan_lock",
    .sql = "SELECT p.id, p.version, p.status, p.municipality_id, p.challenge_id, p.cycle_id,"
           "       p.adhesion_id, ch.responsible_area, plan_allowed_actions(p, $1::pacto_viewer),"
           "       viewer_is_municipal($1::pacto_viewer, p.municipality_id),"
           "       viewer_manages($1::pacto_viewer, ch.responsible_area), plan_snapshot(p),"
           "       a.status = 'active'"
           "  FROM action_plans p JOIN challenges ch ON ch.id = p.challenge_id"
           "  JOIN adhesions a ON a.id = p.adhesion_id"
           " WHERE p.id = $2 AND plan_visible(p, $1::pacto_viewer)"
           "   AND (coalesce(($1::pacto_viewer).role NOT IN ('mayor', 'representative'), true)"
           "        OR viewer_is_municipal($1::pacto_viewer, p.municipality_id))"
           "   FOR UPDATE OF p",
};
enum {
    L_ID,
    L_VERSION,
    L_STATUS,
    L_MUNICIPALITY,
    L_CHALLENGE,
    L_CYCLE,
    L_ADHESION,
    L_AREA,
    L_ALLOWED,
    L_OWN,
    L_MANAGES,
    L_SNAPSHOT,
    L_ADHERED
};

const char *plans_path_id(struct request *req)
{
    const char *id = req_param(req, 0);
    if (id && id_is_canonical(id))
        return id;
    resp_not_found(req);
    return NULL;
}

void plans_get(struct request *req)
{
    const char *id = plans_path_id(req);
    if (id)
        resource_show(req, &plans_resource, id);
}

void plans_answer(struct request *req, const struct db_stmt *stmt, int n, const char *const *extra)
{
    const char *id = plans_path_id(req);
    if (!id)
        return;
    if (n < 0 || n > 2)
        abort(); /* a programming error, found by any test of the route */
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[4] = {viewer, id};
    for (int i = 0; i < n; i++)
        params[2 + i] = extra[i];
    const PGresult *r = req_exec(req, stmt, 2 + n, params);
    if (r && PQntuples(r) == 0)
        resp_not_found(req);
    else if (r)
        resp_json(req, 200, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
}

bool plans_lock(struct request *req, bool require_match, struct plan_lock *out)
{
    const char *id = plans_path_id(req);
    if (!id)
        return false;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, id};
    const PGresult *r =
        req_keep_result(req, req_lock_row(req, &STMT_PLAN_LOCK, 2, params, L_VERSION));
    if (!r)
        return false;
    *out = (struct plan_lock){
        .id = PQgetvalue(r, 0, L_ID),
        .version = PQgetvalue(r, 0, L_VERSION),
        .status = PQgetvalue(r, 0, L_STATUS),
        .municipality_id = PQgetvalue(r, 0, L_MUNICIPALITY),
        .challenge_id = PQgetvalue(r, 0, L_CHALLENGE),
        .cycle_id = PQgetvalue(r, 0, L_CYCLE),
        .adhesion_id = PQgetvalue(r, 0, L_ADHESION),
        .area = PQgetvalue(r, 0, L_AREA),
        .allowed = PQgetvalue(r, 0, L_ALLOWED),
        .snapshot = PQgetvalue(r, 0, L_SNAPSHOT),
        .own = strcmp(PQgetvalue(r, 0, L_OWN), "t") == 0,
        .manages = strcmp(PQgetvalue(r, 0, L_MANAGES), "t") == 0,
        .adhered = strcmp(PQgetvalue(r, 0, L_ADHERED), "t") == 0,
    };
    /* The plan first, If-Match then: a plan the caller may not change is
     * 404 whatever they send. */
    if (require_match && !req_header(req, "If-Match")) {
        resp_problem(req, 428, "precondition-required", "If-Match is required",
                     "Send the plan's ETag (from GET) in If-Match, so that no one's changes are "
                     "silently overwritten.");
        return false;
    }
    return true;
}

bool plans_may(const struct plan_lock *p, const char *action)
{
    /* allowed is a text[] literal of plain words: {edit,submit} */
    size_t n = strlen(action);
    for (const char *s = p->allowed; (s = strstr(s, action)) != NULL; s += n)
        if ((s[-1] == '{' || s[-1] == ',') && (s[n] == ',' || s[n] == '}'))
            return true;
    return false;
}

/* The review actions: made by the challenge's area secretariat. */
static bool is_review(const char *action)
{
    return strcmp(action, "return") == 0 || strcmp(action, "approve") == 0 ||
           strcmp(action, "revise") == 0;
}

bool plans_refuse(struct request *req, const struct plan_lock *p, const char *action)
{
    if (plans_may(p, action))
        return false;
    char detail[200];
    if (!is_review(action) && p->own && !p->adhered) {
        resp_problem(req, 422, "adhesion-required", "No active adhesion",
                     "The municipality's adhesion to the plan's cycle was withdrawn: its plans "
                     "can no longer change.");
    } else if (is_review(action) && !p->manages) {
        snprintf(detail, sizeof detail,
                 "Only the %s secretariat or the coordination may review this plan.", p->area);
        resp_forbidden(req, detail);
    } else {
        snprintf(detail, sizeof detail, "The plan is %s: it does not allow %s now.", p->status,
                 action);
        resp_problem(req, 409, "invalid-transition", "Not allowed in the plan's status", detail);
    }
    return true;
}

void plans_changed_id(struct request *req, const char *id, const char *before, const char *action,
                      int status)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, id};
    const PGresult *r = req_exec(req, &STMT_PLAN_ROW, 2, params);
    if (r && PQntuples(r) == 0)
        resp_not_found(req); /* not reached: the plan is locked or just made */
    else if (r)
        resource_changed(req, &plans_resource, action, before, r, status);
}

void plans_changed(struct request *req, const struct plan_lock *p, const char *action, int status)
{
    plans_changed_id(req, p->id, p->snapshot, action, status);
}
