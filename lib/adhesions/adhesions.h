/*
 * Adhesions (SPEC 1, step 2): a municipality joins a cycle when its mayor
 * signs the protocol of intentions during the cycle's adhesion window, with
 * the mayor's own CPF, accepting the cycle's commitments. Each signature gets
 * a readable protocol number (SP-2026-000123). Adhesions are public (never a
 * CPF); who signed is shown only to the coordination and to the
 * municipality's own mayor and representative.
 */
#ifndef PACTO_ADHESIONS_ADHESIONS_H
#define PACTO_ADHESIONS_ADHESIONS_H

#include "http/request.h"

void adhesions_create(struct request *req);   /* POST /v1/cycles/{cycle_id}/adhesions */
void adhesions_list(struct request *req);     /* GET /v1/cycles/{cycle_id}/adhesions */
void adhesions_get(struct request *req);      /* GET .../adhesions/{adhesion_id} */
void adhesions_withdraw(struct request *req); /* POST .../adhesions/{adhesion_id}/withdraw */

#endif
