/*
 * Technical assistance (seed 002: "um serviço de assessoramento técnico
 * permanente"): a municipality asks the area of its plan's challenge for
 * help on the plan or one of its actions (a topic and a description); the
 * area's secretariat assigns it to one of its technicians (or the
 * coordination's), who answers; the municipality or the area closes it.
 *
 *   open → assigned → answered → closed, and open|assigned → withdrawn
 *
 * Every change needs If-Match (the request's ETag) and leaves a line in the
 * request's history (who, by role and name; when; from and to; a note) and
 * one audit event. Private: the municipality and the area (with the
 * coordination) see the request, everyone else gets 404 — anonymous
 * callers 401. The JSON, history and visibility are SQL
 * (sql/032_questions_assistance.sql).
 */
#ifndef PACTO_ASSISTANCE_ASSISTANCE_H
#define PACTO_ASSISTANCE_ASSISTANCE_H

#include "http/request.h"

/* POST /v1/action-plans/{plan_id}/assistance-requests (lib/assistance/requests.c) */
void assistance_create(struct request *req);
/* GET /v1/assistance-requests: JSON pages or CSV */
void assistance_list(struct request *req);
/* GET /v1/assistance-requests/{request_id}: with its history */
void assistance_get(struct request *req);
/* POST /v1/assistance-requests/{request_id}/assign (lib/assistance/workflow.c) */
void assistance_assign(struct request *req);
/* POST /v1/assistance-requests/{request_id}/answer */
void assistance_answer(struct request *req);
/* POST /v1/assistance-requests/{request_id}/close: closes an answered
 * request, or withdraws an unanswered one (the municipality only) */
void assistance_close(struct request *req);

/* Inside the open transaction: records the history line of request `id`'s
 * change `action` from `from` (NULL for its creation) to `to`, with `note`
 * (or NULL), by the viewer; then answers `status` with the request as it
 * is now (its history and ETag; Location on 201), writes the audit event
 * (`before` to the new snapshot) and commits. */
void assistance_changed(struct request *req, const char *viewer, const char *id, const char *action,
                        const char *from, const char *to, const char *note, const char *before,
                        int status);

#endif
