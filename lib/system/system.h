/*
 * Operational endpoints: liveness, readiness, metrics and the API contract.
 */
#ifndef PACTO_SYSTEM_SYSTEM_H
#define PACTO_SYSTEM_SYSTEM_H

#include "http/request.h"

void system_healthz(struct request *req); /* GET /healthz */
void system_readyz(struct request *req);  /* GET /readyz */
void system_metrics(struct request *req); /* GET /metrics */
void system_openapi(struct request *req); /* GET /v1/openapi.yaml */

#endif
