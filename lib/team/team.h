/*
 * A municipality's technical team (seed 000: "equipe técnica"; seed 002:
 * servants, council members, the city council, other entities): the people
 * who work on the program for the municipality. Kept by the municipality's
 * mayor and representative; read by them and by the secretariat; never
 * public.
 */
#ifndef PACTO_TEAM_TEAM_H
#define PACTO_TEAM_TEAM_H

#include "http/request.h"

void team_list(struct request *req);   /* GET /v1/municipalities/{ibge_code}/team */
void team_create(struct request *req); /* POST /v1/municipalities/{ibge_code}/team */
void team_get(struct request *req);    /* GET .../team/{member_id} */
void team_update(struct request *req); /* PATCH .../team/{member_id} */
void team_delete(struct request *req); /* DELETE .../team/{member_id} */

#endif
