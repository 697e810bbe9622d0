/*
 * Exact-match routing on path templates such as "/v1/municipalities/{ibge_code}".
 * civetweb only matches prefixes; this decides 200/404/405 per segment.
 */
#ifndef PACTO_HTTP_ROUTER_H
#define PACTO_HTTP_ROUTER_H

#include "authz/policy.h"

#include <stdbool.h>
#include <stddef.h>

#define ROUTER_MAX_PARAMS 4
#define ROUTER_PARAM_MAX  128

struct request;

/* What a route takes beyond its path, checked by the dispatcher. */
#define ROUTE_IDEMPOTENT                                                                           \
    (1u << 0) /* a create that honours Idempotency-Key (http/idempotency.h)                        \
               */
#define ROUTE_QUERY                                                                                \
    (1u << 1) /* takes query parameters, which the handler checks                                  \
                 (query_parse); any other route refuses a query with 400 */
#define ROUTE_NO_BODY                                                                              \
    (1u << 2) /* a POST action that takes no body: one is refused with 400                         \
                 (GET, HEAD and DELETE never take one) */
#define ROUTE_NO_TOKEN                                                                             \
    (1u << 3) /* ignores Authorization: logging in works with an expired                           \
                 token still in the browser app's headers */
#define ROUTE_UPLOAD                                                                               \
    (1u << 4) /* takes a body of up to UPLOAD_BODY_LIMIT, not                                      \
                 JSON_BODY_LIMIT (http/request.h) */

#define ROUTE_STREAM                                                                               \
    (1u << 5) /* the handler reads the body itself, in pieces, with                                \
                 req_stream_read (http/request.h), after the caller is                             \
                 authenticated and authorized; a Content-Length above                              \
                 cfg->import_max_bytes is 413 before anything is read;                             \
                 with ROUTE_UPLOAD the cap is cfg->evidence_max_bytes */

struct route {
    const char *method;  /* "GET", "POST", "PATCH", "PUT", "DELETE" */
    const char *pattern; /* "/v1/users/{user_id}": literal segments and {name} */
    void (*handler)(struct request *req);
    struct policy policy; /* who may call it (authz/policy.h) */
    unsigned flags;       /* ROUTE_* below */
};

enum router_result { ROUTER_FOUND, ROUTER_NOT_FOUND, ROUTER_METHOD_NOT_ALLOWED };

struct router_match {
    const struct route *route;
    int nparams;
    char params[ROUTER_MAX_PARAMS][ROUTER_PARAM_MAX]; /* in pattern order */
    char allow[64]; /* on ROUTER_METHOD_NOT_ALLOWED: "GET, PATCH" */
};

/* Checks a route table before it is served: fails when a route has no
 * method or handler, a pattern is not "/" followed by non-empty segments
 * separated by "/", a segment holds "{" or "}" without being exactly {name}
 * (name: lowercase letters, digits, "_"), a pattern has more than
 * ROUTER_MAX_PARAMS parameters (router_match would never match it), or a
 * method and pattern appear twice. On failure writes the first problem, with
 * the route, into why and returns false. */
bool router_check(const struct route *routes, size_t n, char *why, size_t whylen);

/* Finds the route for method and path among n routes. A {name} segment
 * matches one non-empty path segment of fewer than ROUTER_PARAM_MAX bytes. */
enum router_result router_match(const struct route *routes, size_t n, const char *method,
                                const char *path, struct router_match *out);

/* The position of {name} among the params of pattern, or -1. */
int router_param_index(const char *pattern, const char *name);

#endif
