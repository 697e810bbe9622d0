/*
 * The municipal representative (SPEC 1, step 3): after adhering, the mayor
 * appoints one person who acts for the municipality in the program. A new
 * appointment replaces the previous representative, who loses access at once.
 * The public sees only the representative's name and position; the mayor,
 * the representative and the secretariat see the contact data too.
 */
#ifndef PACTO_REPRESENTATIVES_REPRESENTATIVES_H
#define PACTO_REPRESENTATIVES_REPRESENTATIVES_H

#include "http/request.h"

/* GET /v1/municipalities/{ibge_code}/representative */
void representatives_get(struct request *req);
/* PUT /v1/municipalities/{ibge_code}/representative */
void representatives_put(struct request *req);

#endif
