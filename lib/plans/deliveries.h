/*
 * The public status of action plans' deliveries: what a plan promised to
 * deliver, by when, and whether it is pending, late, submitted (evidence
 * awaiting review), done or rejected (delivery_status in SQL) -- never the
 * evidence, its files or the people who reviewed it.
 */
#ifndef PACTO_PLANS_DELIVERIES_H
#define PACTO_PLANS_DELIVERIES_H

#include "http/request.h"

/* GET /v1/action-plans/{plan_id}/deliveries[?status=]: every delivery of the
 * plan in the plan's order, when the caller may see the plan (404 else).
 * Not paginated: a plan's deliveries are a few dozen. */
void plans_deliveries_list(struct request *req);

/* GET /v1/cycles/{cycle_id}/deliveries[?challenge_id=&municipality_id=&status=]:
 * every delivery of the cycle's plans in execution (pacted or under
 * revision), by id, in cursor pages, or whole as streamed CSV. */
void cycle_deliveries_list(struct request *req);

#endif
