/*
 * A return's comments on a plan, on the plan itself or one of its actions:
 * items the municipality marks as answered. Only the municipality and the
 * state see them (to others the route is 404).
 */
#ifndef PACTO_PLANS_COMMENTS_H
#define PACTO_PLANS_COMMENTS_H

#include "http/request.h"

/* GET /v1/action-plans/{plan_id}/comments: {items: [comment]} oldest first;
 * 404 for a plan of another municipality. */
void plans_comments_list(struct request *req);

/* POST /v1/action-plans/{plan_id}/comments/{comment_id}/answer (the plan's
 * municipality; body none or {answer?}): marks the comment answered, with
 * the answer when one is given, and answers the comment; 409 when it was
 * answered already, 404 for a comment of another plan. The plan's version
 * is not bumped: a comment is not the plan's content, and answering one
 * must not make the ETag an editor holds stale. */
void plans_comments_answer(struct request *req);

#endif
