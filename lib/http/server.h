/*
 * The HTTP server: civetweb underneath, every request through one dispatch
 * path (request id, CORS, routing, authentication, handler, security
 * headers, access log, metrics).
 */
#ifndef PACTO_HTTP_SERVER_H
#define PACTO_HTTP_SERVER_H

#include "config/config.h"
#include "http/router.h"

#include <stdbool.h>
#include <stddef.h>

/* Starts listening on cfg->listen with cfg->threads workers and serves
 * `routes`. cfg and routes must outlive the server. Returns false (logged)
 * when the server cannot start, e.g. the address is in use. */
bool http_server_start(const struct config *cfg, const struct route *routes, size_t nroutes);

/* Graceful stop: new requests get 503, requests in flight are answered
 * (waiting at most drain_ms), then connections are closed. */
void http_server_stop(int drain_ms);

#endif
