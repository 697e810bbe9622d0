/*
 * Focalization: which municipalities of a cycle's state a challenge focuses
 * on. A run applies the rules of the challenge's main indicators (rank.h)
 * and keeps, per municipality, the values, ranks and verdict; the latest run
 * is current, older ones stay readable. The secretariat may decide a
 * municipality by hand over any run (a manual decision, with its reason).
 * Also here: a municipality's position among its peers of the same state and
 * population band. Routes and their policies: lib/api/routes.c; what each
 * answer shows: sql/017_focalization.sql.
 */
#ifndef PACTO_FOCALIZATION_FOCALIZATION_H
#define PACTO_FOCALIZATION_FOCALIZATION_H

#include "http/request.h"

/* /v1/challenges/{challenge_id}/focalization/runs[/{run_id}[/municipalities]] */
void focalization_runs_create(struct request *req);
void focalization_runs_list(struct request *req);
void focalization_runs_get(struct request *req);
void focalization_run_municipalities(struct request *req);

/* /v1/challenges/{challenge_id}/focal-municipalities[/{ibge_code}] */
void focal_municipalities_list(struct request *req);
void focal_overrides_put(struct request *req);
void focal_overrides_delete(struct request *req);

/* GET /v1/municipalities/{ibge_code}/peers */
void municipality_peers(struct request *req);

#endif
