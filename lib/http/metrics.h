/*
 * Prometheus metrics for the HTTP layer: requests by route, method and
 * status, and a latency histogram per route.
 */
#ifndef PACTO_HTTP_METRICS_H
#define PACTO_HTTP_METRICS_H

#include "core/buf.h"

/* Counts one request. `route` is the route template (or "unmatched") and
 * must outlive the process (a string literal or the route table). */
void metrics_observe(const char *route, const char *method, int status, double seconds);

/* Appends the Prometheus text exposition of every metric to out. */
void metrics_render(struct buf *out);

#endif
