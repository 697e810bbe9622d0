/*
 * State targets and suggested municipal targets (issue 8, "Targets"): the
 * handlers of /v1/challenges/{challenge_id}/targets... and
 * .../suggested-targets.... Who may call each route is in lib/api/routes.c;
 * which area may change a challenge's targets is challenge_targets_guard in
 * sql/018_targets.sql.
 */
#ifndef PACTO_TARGETS_TARGETS_H
#define PACTO_TARGETS_TARGETS_H

#include "http/request.h"

/* GET, POST /v1/challenges/{challenge_id}/targets */
void targets_list(struct request *req);
void targets_create(struct request *req);
/* GET, PATCH, DELETE /v1/challenges/{challenge_id}/targets/{indicator_id} */
void targets_get(struct request *req);
void targets_update(struct request *req);
void targets_delete(struct request *req);
/* POST /v1/challenges/{challenge_id}/suggested-targets/compute */
void targets_compute(struct request *req);
/* GET /v1/challenges/{challenge_id}/suggested-targets */
void targets_suggested_list(struct request *req);

/* What may stop a change to a challenge's targets, answered: 404 when the
 * challenge does not exist, 403 when the caller does not manage it, 409 when
 * its cycle is closed. r holds (guard, closed) in columns col, col + 1, or no
 * row. Returns true when the change may go on. */
bool targets_writable(struct request *req, const PGresult *r, int col);

#endif
