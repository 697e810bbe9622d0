/*
 * A plan's frozen versions (one per submission, immutable) and the
 * difference between two of them. Anyone who may see the plan may read
 * them, without the people named in them unless they are its municipality
 * or the state (plan_content_for).
 */
#ifndef PACTO_PLANS_VERSIONS_H
#define PACTO_PLANS_VERSIONS_H

#include "http/request.h"

/* GET /v1/action-plans/{plan_id}/versions: {items: [{number, submitted_at,
 * actions, deliveries}]} by number; 404 when the plan is not visible. */
void plans_versions_list(struct request *req);

/* GET /v1/action-plans/{plan_id}/versions/{number}: the content as
 * submitted, with plan_id, number and submitted_at; 404 for an unknown
 * number. */
void plans_versions_get(struct request *req);

/* GET /v1/action-plans/{plan_id}/diff?from=N&to=M: what changed from
 * version N to version M (plans_diff, lib/plans/diff.h), with plan_id, from
 * and to. 400 unless both are positive integers; 404 for an unknown one. */
void plans_versions_diff(struct request *req);

#endif
