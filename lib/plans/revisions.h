/*
 * A revision of a pacted plan: the challenge's area secretariat (or the
 * coordination) reopens it with a reason; the municipality edits it and
 * submits it again (workflow.h), and its approval puts it back in execution
 * (pacted again, or approved for a new pact when its targets changed).
 */
#ifndef PACTO_PLANS_REVISIONS_H
#define PACTO_PLANS_REVISIONS_H

#include "http/request.h"

/* POST /v1/action-plans/{plan_id}/revisions {reason}: moves a pacted plan
 * to under_revision with a `revise` transition carrying the reason, and
 * answers 200 with the plan (it changed status; the revision is a step of
 * its history, not a resource of its own). 422 without a reason (at most
 * 2,000 characters), 403 another area's secretariat, 409 invalid-transition
 * naming the status when the plan is not pacted. */
void plans_revise(struct request *req);

#endif
