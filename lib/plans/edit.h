/*
 * Writing an action plan's document: creating the plan of one's municipality
 * for a challenge, replacing its document (PUT) or some of its top-level
 * members (PATCH, JSON Merge Patch). The document's form is
 * plans/content.h; what it names is judged, and it is saved, by SQL
 * (sql/021_plan_edit.sql). Who may call them (the municipality's mayor or
 * representative) is the routes' policy; which plan they may change is
 * plans_lock's, and whether its status allows it plans_refuse's.
 */
#ifndef PACTO_PLANS_EDIT_H
#define PACTO_PLANS_EDIT_H

#include "http/request.h"

/* POST /v1/challenges/{challenge_id}/action-plans: 201 with the new plan;
 * 404 unknown challenge; 409 conflict (closed cycle, a plan already there)
 * or not-focal; 422 adhesion-required, plans-deadline-passed or
 * validation-failed. */
void plans_create(struct request *req);

/* PUT /v1/action-plans/{plan_id}: the whole document (absent members become
 * empty). Requires If-Match (428, 412). */
void plans_put(struct request *req);

/* PATCH /v1/action-plans/{plan_id}: a merge patch of the document's
 * top-level members (an array replaces the whole member). Requires
 * If-Match (428, 412). */
void plans_patch(struct request *req);

/* GET /v1/cycles/{cycle_id}/action-plans: the cycle's plans the caller may
 * see, as summaries, in JSON pages or CSV. */
void plans_list(struct request *req);

#endif
