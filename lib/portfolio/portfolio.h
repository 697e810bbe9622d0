/*
 * The portfolio (cardápio) of a challenge (SPEC 1, step 6): the initiatives
 * a municipality may adopt in its action plan — programmes, training,
 * technical assistance, funding — with the deliveries such an action
 * usually has and reference links, and the incentives a pact on the
 * challenge grants. Kept by the challenge's responsible secretariat and the
 * coordination; read-only once the cycle is closed. Published initiatives
 * and every incentive are public; draft initiatives are seen by the state's
 * secretariats only.
 */
#ifndef PACTO_PORTFOLIO_PORTFOLIO_H
#define PACTO_PORTFOLIO_PORTFOLIO_H

#include "http/request.h"
#include "http/response.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

/* /v1/challenges/{challenge_id}/initiatives and /v1/initiatives/{initiative_id} */
void initiatives_list(struct request *req);   /* GET list */
void initiatives_create(struct request *req); /* POST */
void initiatives_get(struct request *req);    /* GET item */
void initiatives_update(struct request *req); /* PATCH item */
void initiatives_delete(struct request *req); /* DELETE item */

/* /v1/challenges/{challenge_id}/incentives and /v1/incentives/{incentive_id} */
void incentives_list(struct request *req);
void incentives_create(struct request *req);
void incentives_get(struct request *req);
void incentives_update(struct request *req);
void incentives_delete(struct request *req);

#define PORTFOLIO_DELIVERIES_MAX 50
#define PORTFOLIO_LINKS_MAX      20

/* The nested lists of an initiative, which a resource's field declaration
 * cannot say. Each judges `v`, the member of the body as sent (NULL when
 * absent), adding an error per problem to e, named to the item and field
 * ("deliveries[2].title", "links[0]"). When v is acceptable, its normalized
 * copy is added to doc under the field's name: deliveries as
 * [{title, evidence_expected (null when left out)}], links as strings. An
 * absent v adds [] on a create (create true) and nothing on a patch. */
void portfolio_read_deliveries(const cJSON *v, bool create, cJSON *doc, struct field_errors *e);
void portfolio_read_links(const cJSON *v, bool create, cJSON *doc, struct field_errors *e);

/* NULL when s is an https URL (https://host[:port][/...]) of at most 2000
 * characters with no white space, else the reason. */
const char *portfolio_link_problem(const char *s);

#endif
