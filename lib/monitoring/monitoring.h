/*
 * Monitoring of the pacts (SPEC 1, steps 9-11): each pact target's
 * trajectory — baseline, target, latest final value, the expected value on
 * the linear path, progress and status — and the state's alerts of a cycle
 * (pacts off track, late deliveries, evidence awaiting review too long).
 *
 * Trajectories are computed when read (pact_target_trajectory, sql/024),
 * so a reader never sees one older than the values an import has answered
 * for. What each route shows is SQL (sql/026_trajectories.sql); who may
 * call it is lib/api/routes.c: trajectories are public, alerts the state's.
 */
#ifndef PACTO_MONITORING_MONITORING_H
#define PACTO_MONITORING_MONITORING_H

#include "http/request.h"

/* GET /v1/pacts/{pact_id}/trajectory (lib/monitoring/trajectories.c) */
void monitoring_pact_trajectory(struct request *req);
/* GET /v1/cycles/{cycle_id}/trajectories: JSON pages or CSV */
void monitoring_trajectories_list(struct request *req);
/* GET /v1/cycles/{cycle_id}/alerts (lib/monitoring/alerts.c): JSON pages or
 * CSV; evidence counts as waiting after the configured number of days
 * (PACTO_ALERT_REVIEW_DAYS). */
void monitoring_alerts_list(struct request *req);

#endif
