/*
 * Program cycles (SPEC 1, step 1): an edition of the program in one state,
 * with its adhesion window, pact window, target year and the commitments a
 * mayor accepts on adhesion. The coordination creates and edits them; anyone
 * may read them. A cycle's phase is computed from the database clock.
 */
#ifndef PACTO_CYCLES_CYCLES_H
#define PACTO_CYCLES_CYCLES_H

#include "http/request.h"

void cycles_create(struct request *req); /* POST /v1/cycles */
void cycles_list(struct request *req);   /* GET /v1/cycles */
void cycles_get(struct request *req);    /* GET /v1/cycles/{cycle_id} */
void cycles_update(struct request *req); /* PATCH /v1/cycles/{cycle_id} */

#endif
