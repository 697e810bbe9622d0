/*
 * State targets and suggested municipal targets: the
 * handlers of /v1/challenges/{challenge_id}/targets... and
 * .../suggested-targets.... Who may call each route is in lib/api/routes.c;
 * which secretariat may change a challenge's targets, challenges_check_write
 * (lib/challenges/challenges.h).
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

#endif
