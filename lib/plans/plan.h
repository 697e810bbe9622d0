/*
 * An action plan as every route on it sees it: the plan resource (its JSON,
 * audit snapshot and visibility are SQL in sql/019_plans_pacts.sql), its
 * GET, and the steps every change of a plan shares — lock it, refuse what
 * the caller may not do now, answer the changed plan with its audit event.
 *
 * What a caller may do with a plan next is plan_allowed_actions in SQL, the
 * same list every plan response shows (allowed_actions): a handler refuses
 * exactly what that list leaves out, so a client never guesses.
 */
#ifndef PACTO_PLANS_PLAN_H
#define PACTO_PLANS_PLAN_H

#include "http/request.h"

#include <stdbool.h>

/* The plan resource (entity "action_plan"), for resource_changed and
 * resource_audit. Items live at /v1/action-plans/{plan_id}. */
extern struct resource plans_resource;

/* A plan locked for a change, its strings owned by the request. */
struct plan_lock {
    const char *id, *version, *status, *municipality_id, *challenge_id, *cycle_id, *adhesion_id;
    const char *area;     /* the challenge's responsible secretariat area */
    const char *allowed;  /* plan_allowed_actions as a text[] literal: {edit,submit} */
    const char *snapshot; /* plan_snapshot before the change: the audit event's before */
    bool own;             /* the caller is a mayor or representative of its municipality */
    bool manages;         /* the caller manages the challenge's area */
    bool adhered;         /* the plan's adhesion is still active */
};

/* GET /v1/action-plans/{plan_id}: the plan as the caller sees it, with its
 * ETag; 404 when they may not see it (plan_visible). */
void plans_get(struct request *req);

/* The plan id of the path (its first parameter) when well formed, else NULL
 * after answering 404. */
const char *plans_path_id(struct request *req);

/* Answers a read about the plan of the path: runs stmt with $1 the viewer,
 * $2 the plan, then the `n` extra parameters (at most 2), and answers 200
 * with the JSON of its first column, or 404 when it returns no row (the
 * statement leaves out what the viewer may not see). */
void plans_answer(struct request *req, const struct db_stmt *stmt, int n, const char *const *extra);

/* Opens the request's transaction and locks the plan of the path (FOR
 * UPDATE) into out. Answers and returns false: 404 when the caller may not
 * see it or is a mayor or representative of another municipality (whose
 * plans they never change); 412 when If-Match names another version; then
 * 428 when require_match and the request has no If-Match; or the
 * database's error. */
bool plans_lock(struct request *req, bool require_match, struct plan_lock *out);

/* True when `action` is among the plan's allowed_actions for the caller. */
bool plans_may(const struct plan_lock *p, const char *action);

/* Refuses `action` when the caller may not make it now and returns true
 * after answering: 422 adhesion-required when the municipality's own action
 * meets a withdrawn adhesion; 403 when the caller is a secretariat user of
 * another area (they may read, not review); else 409 naming the plan's
 * status. Returns false, answering nothing, when the action is allowed. */
bool plans_refuse(struct request *req, const struct plan_lock *p, const char *action);

/* Ends a change of plan p in the open transaction: reads the plan again,
 * writes the audit event `action` (from p->snapshot to the new snapshot),
 * answers `status` with the plan as the caller sees it and its ETag
 * (Location /v1/action-plans/{id} on 201), and commits. Statements that
 * change a plan bump action_plans.version and updated_at themselves. */
void plans_changed(struct request *req, const struct plan_lock *p, const char *action, int status);

/* plans_changed for plan `id` with no lock taken (a create: before is NULL). */
void plans_changed_id(struct request *req, const char *id, const char *before, const char *action,
                      int status);

#endif
