/*
 * An action plan's review workflow: the municipality submits it (freezing a
 * numbered version), the challenge's area secretariat returns it with a
 * reason and comments, or approves it; every move is kept in the plan's
 * transition log, which anyone who may see the plan may read.
 *
 * Each handler refuses exactly what plan_allowed_actions leaves out
 * (plans_refuse: 403 for a secretariat of another area, else 409
 * invalid-transition naming the status) and answers the plan as the caller
 * sees it now, with its ETag, after one audit event. If-Match is optional
 * (412 when stale).
 */
#ifndef PACTO_PLANS_WORKFLOW_H
#define PACTO_PLANS_WORKFLOW_H

#include "http/request.h"

/* POST /v1/action-plans/{plan_id}/submit (the municipality; body none or
 * {}): 422 plans-deadline-passed after the cycle's plan deadline; 422
 * validation-failed listing every rule the plan breaks (plan_submit_problems
 * in sql/022_plan_workflow.sql); else version n+1 frozen, status submitted. */
void plans_submit(struct request *req);

/* POST /v1/action-plans/{plan_id}/return (the area's secretariat):
 * {reason, comments?: [{action_id?, text}]}; status returned, the comments
 * linked to the transition. */
void plans_return(struct request *req);

/* POST /v1/action-plans/{plan_id}/approve (the area's secretariat; body
 * none or {reason?}): status approved, which locks the plan. */
void plans_approve(struct request *req);

/* GET /v1/action-plans/{plan_id}/history: {items: [transition]} oldest
 * first; who made each is a role, with a name for the municipality and the
 * state only. 404 when the caller may not see the plan. */
void plans_history(struct request *req);

#endif
