/*
 * Dashboards and the open-data catalogue: what a cycle, a challenge and a
 * municipality achieved (adhesions, plans, pacts, deliveries, trajectories,
 * incentives), public, as JSON or CSV; and the machine-readable list of
 * every public dataset the API serves as CSV (GET /v1/open-data).
 *
 * PostgreSQL counts everything (sql/028_dashboards.sql): each answer is one
 * statement, never per-row work here. The ETag is the body's digest, so a
 * dashboard is 304 until a count it shows changes.
 */
#ifndef PACTO_DASHBOARDS_DASHBOARDS_H
#define PACTO_DASHBOARDS_DASHBOARDS_H

#include "http/request.h"

/* GET /v1/cycles/{cycle_id}/dashboard: the cycle's totals and one entry per
 * challenge; CSV: one row per challenge. 404 for an unknown cycle. */
void dashboards_cycle(struct request *req);
/* GET /v1/challenges/{challenge_id}/dashboard: the challenge's metrics and
 * one entry per municipality with a public plan; CSV: one row per
 * municipality. 404 for an unknown challenge. */
void dashboards_challenge(struct request *req);
/* GET /v1/municipalities/{ibge_code}/dashboard?cycle_id=: the municipality
 * in that cycle, one entry per challenge; CSV: one row per challenge. 400
 * without a valid cycle_id, 404 for an unknown municipality or cycle. */
void dashboards_municipality(struct request *req);
/* GET /v1/open-data: the catalogue, a Frictionless Data Package descriptor. */
void dashboards_open_data(struct request *req);

#endif
