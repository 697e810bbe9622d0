/*
 * Pacts (SPEC 1, step 8): the mayor signs the approved action plan inside the
 * cycle's pact window, confirming their own CPF; the pact records the targets
 * signed (with their baselines), the signing time and a protocol number
 * (MS-P-2026-000001), moves the plan to `pacted` and grants the challenge's
 * incentives to the municipality, all in one transaction. Pacts and the
 * incentives they granted are public, never with the signer's personal data.
 *
 * What a pact shows is SQL (sql/023_pacts.sql: pact_json, pact_rows,
 * incentive_grant_rows); who may call each route is lib/api/routes.c.
 */
#ifndef PACTO_PACTS_PACTS_H
#define PACTO_PACTS_PACTS_H

#include "http/request.h"

/* The pact resource (entity "pact", items at /v1/pacts): its JSON, audit
 * snapshot and the one field a signature sends (mayor_cpf). */
extern struct resource pacts_resource;

/* POST /v1/action-plans/{plan_id}/pact (lib/pacts/sign.c) */
void pacts_sign(struct request *req);
/* GET /v1/pacts/{pact_id} */
void pacts_get(struct request *req);
/* GET /v1/cycles/{cycle_id}/pacts */
void pacts_list(struct request *req);
/* GET /v1/municipalities/{ibge_code}/incentive-grants (lib/pacts/grants.c) */
void pacts_grants_list(struct request *req);

#endif
