/*
 * A cycle's shared-management forum (seed 003: the "Fórum de Gestão
 * Compartilhada", renewed for each plan) and its co-evaluation of the
 * cycle's pacts.
 *
 * Members (name, organization, sector, mandate dates) are public, without
 * contact data; the coordination keeps them, and may give a member an
 * account (role forum_member) with an invitation, as POST /v1/users does.
 * A member with an account and a current mandate records, inside the
 * cycle's evaluation window, one co-evaluation per pact: a rating and a
 * public justification, shown beside the state's own monitoring status
 * (sql/031_forum_training.sql says how the two are compared).
 */
#ifndef PACTO_FORUM_FORUM_H
#define PACTO_FORUM_FORUM_H

#include "http/request.h"
#include "http/response.h"

/* /v1/cycles/{cycle_id}/forum-members and /v1/forum-members/{forum_member_id} */
void forum_members_list(struct request *req);   /* GET list (JSON, CSV) */
void forum_members_create(struct request *req); /* POST, optionally with an account */
void forum_members_get(struct request *req);    /* GET item */
void forum_members_update(struct request *req); /* PATCH item */
void forum_members_delete(struct request *req); /* DELETE item */

/* Co-evaluations */
void forum_co_evaluation_put(struct request *req);   /* PUT /v1/pacts/{pact_id}/co-evaluation */
void forum_pact_co_evaluations(struct request *req); /* GET /v1/pacts/{pact_id}/co-evaluations */
void forum_co_evaluations_get(struct request *req);  /* GET /v1/co-evaluations/{co_evaluation_id} */
void forum_cycle_co_evaluations(struct request *req); /* GET /v1/cycles/{cycle_id}/co-evaluations */

#endif
