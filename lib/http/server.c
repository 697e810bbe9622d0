/*
 * The one dispatch path every request takes (see server.h). Handlers only
 * build a response in struct request; this file sends it, so headers that
 * must be on every response are added in exactly one place.
 */
#include "http/server.h"

#include "auth/session.h"
#include "db/db.h"
#include "http/idempotency.h"
#include "http/metrics.h"
#include "http/request.h"
#include "http/response.h"
#include "log/log.h"

#include <civetweb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define CORS_ALLOW_HEADERS  "Authorization, Content-Type, If-Match, Idempotency-Key, X-Request-Id"
#define CORS_EXPOSE_HEADERS "ETag, Location, Link, X-Request-Id, Retry-After"

static struct {
    struct mg_context *ctx;
    const struct config *cfg;
    const struct route *routes;
    size_t nroutes;
    atomic_int inflight;
    atomic_bool draining;
} server;

static double elapsed_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Honours a sane incoming X-Request-Id, else makes a random one. */
static void set_request_id(struct request *req)
{
    const char *in = req_header(req, "X-Request-Id");
    if (in) {
        size_t n = strlen(in);
        if (n >= 1 && n <= 64 &&
            strspn(in, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") == n) {
            memcpy(req->request_id, in, n + 1);
            return;
        }
    }
    unsigned char raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        memset(raw, 0, sizeof raw);
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(req->request_id + 2 * i, 3, "%02x", raw[i]);
}

static const char *allowed_origin(const struct request *req)
{
    const char *origin = req_header(req, "Origin");
    if (!origin)
        return NULL;
    for (int i = 0; i < server.cfg->cors_origin_count; i++)
        if (strcmp(origin, server.cfg->cors_origins[i]) == 0)
            return server.cfg->cors_origins[i];
    return NULL;
}

/* Answers a CORS preflight. Returns false when the request is not one. */
static bool preflight(struct request *req, const char *origin, const char *allow)
{
    if (strcmp(req->method, "OPTIONS") != 0)
        return false;
    if (!req_header(req, "Access-Control-Request-Method")) {
        resp_header(req, "Allow", "%s, OPTIONS", allow);
        req->status = 204;
        return true;
    }
    if (!origin) {
        resp_forbidden(req, "This origin is not allowed to call the API from a browser.");
        return true;
    }
    resp_header(req, "Access-Control-Allow-Methods", "%s", allow);
    resp_header(req, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
    resp_header(req, "Access-Control-Max-Age", "600");
    req->status = 204;
    return true;
}

/* Verifies a bearer token and loads the caller. On failure answers. */
static bool authenticate(struct request *req, const char *authorization)
{
    const char *why = "Send a valid bearer token.";
    if (strncasecmp(authorization, "Bearer ", 7) == 0) {
        const char *token = authorization + 7;
        while (*token == ' ')
            token++;
        struct token_claims claims;
        enum token_result tr = token_verify(&server.cfg->token, token, time(NULL), &claims);
        if (tr == TOKEN_OK) {
            enum session_result sr = session_resolve(req, &claims, &req->who);
            if (sr == SESSION_OK)
                return true;
            if (sr == SESSION_DB_ERROR)
                return false;
            why = "The account behind this token is no longer active or has changed.";
        } else {
            why = token_result_message(tr);
        }
    }
    /* RFC 6750 3.1: an error code only when Bearer credentials were sent. */
    bool bearer = strncasecmp(authorization, "Bearer ", 7) == 0;
    resp_header(req, "WWW-Authenticate", bearer ? "Bearer error=\"invalid_token\"" : "Bearer");
    resp_problem(req, 401, "unauthenticated", "Authentication required", why);
    return false;
}

/* The route's policy (authz/policy.h): the one place that decides who may
 * call what. On refusal answers 401, 403 or 404. */
static bool authorize(struct request *req, const struct route *route)
{
    int code_param = router_param_index(route->pattern, "ibge_code");
    const char *path_code = code_param >= 0 ? req_param(req, code_param) : NULL;
    unsigned caller = policy_caller(&req->who, path_code);
    switch (policy_judge(&route->policy, caller)) {
    case POLICY_ALLOWED:
        return true;
    case POLICY_UNAUTHENTICATED:
        resp_header(req, "WWW-Authenticate", "Bearer");
        resp_problem(req, 401, "unauthenticated", "Authentication required",
                     "Send a bearer token from POST /v1/auth/token.");
        return false;
    case POLICY_FORBIDDEN:
        resp_forbidden(req, route->policy.why ? route->policy.why : "You may not do this.");
        return false;
    case POLICY_HIDDEN:
        resp_not_found(req);
        return false;
    }
    return false;
}

static bool is_head(const struct request *req) { return strcmp(req->method, "HEAD") == 0; }

static void route_and_handle(struct request *req, const char *origin)
{
    /* HEAD is GET without the body (RFC 9110 9.3.2); send_response drops it. */
    const char *method = is_head(req) ? "GET" : req->method;
    enum router_result rr =
        router_match(server.routes, server.nroutes, method, req->path, &req->match);
    if (rr == ROUTER_NOT_FOUND) {
        resp_not_found(req);
        return;
    }
    if (rr == ROUTER_METHOD_NOT_ALLOWED) {
        if (preflight(req, origin, req->match.allow))
            return;
        resp_header(req, "Allow", "%s", req->match.allow);
        resp_problem(req, 405, "method-not-allowed", "Method not allowed", NULL);
        return;
    }
    const struct route *route = req->match.route;
    const char *authorization = req_header(req, "Authorization");
    if (authorization && !authenticate(req, authorization))
        return;
    if (!authorize(req, route))
        return;
    if (!route->idempotent || idempotency_begin(req))
        route->handler(req);
    idempotency_end(req);
    if (!req->status)
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
}

static void send_response(struct request *req, const char *origin)
{
    struct mg_connection *conn = req->conn;
    char number[32];
    mg_response_header_start(conn, req->status);
    if (req->status != 204) {
        mg_response_header_add(conn, "Content-Type", req->content_type, -1);
        snprintf(number, sizeof number, "%zu", req->body.len);
        mg_response_header_add(conn, "Content-Length", number, -1);
    }
    mg_response_header_add(conn, "X-Request-Id", req->request_id, -1);
    mg_response_header_add(conn, "X-Content-Type-Options", "nosniff", -1);
    if (req_is_authenticated(req) || req_header(req, "Authorization") || req->status >= 400)
        mg_response_header_add(conn, "Cache-Control", "no-store", -1);
    if (origin) {
        mg_response_header_add(conn, "Access-Control-Allow-Origin", origin, -1);
        mg_response_header_add(conn, "Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS, -1);
    }
    if (server.cfg->cors_origin_count)
        mg_response_header_add(conn, "Vary", "Origin", -1);
    if (req->close_connection)
        mg_response_header_add(conn, "Connection", "close", -1);
    if (req->headers.len)
        mg_response_header_add_lines(conn, buf_cstr(&req->headers));
    mg_response_header_send(conn);
    if (req->status != 204 && req->body.len && !is_head(req))
        mg_write(conn, req->body.data, req->body.len);
}

static void access_log(const struct request *req, double seconds)
{
    if (!log_enabled(LOG_INFO))
        return;
    char ts[32];
    log_timestamp(ts);
    struct buf b = {0};
    buf_printf(&b, "{\"time\":\"%s\",\"level\":\"info\",\"request_id\":", ts);
    buf_json_string(&b, req->request_id);
    buf_puts(&b, ",\"method\":");
    buf_json_string(&b, req->method);
    buf_puts(&b, ",\"route\":");
    buf_json_string(&b, req->match.route ? req->match.route->pattern : "unmatched");
    buf_printf(&b,
               ",\"status\":%d,\"duration_ms\":%.3f,\"user_id\":%s,\"remote_addr\":", req->status,
               seconds * 1000.0, req_is_authenticated(req) ? req->who.user_id_str : "null");
    buf_json_string(&b, req->remote_addr);
    buf_putc(&b, '}');
    log_line(b.data, b.len);
    buf_free(&b);
}

static int dispatch(struct mg_connection *conn, void *cbdata)
{
    (void)cbdata;
    struct timespec started;
    clock_gettime(CLOCK_MONOTONIC, &started);
    atomic_fetch_add(&server.inflight, 1);

    const struct mg_request_info *ri = mg_get_request_info(conn);
    struct request req = {.conn = conn,
                          .cfg = server.cfg,
                          .method = ri->request_method,
                          .path = ri->local_uri ? ri->local_uri : "",
                          .query = ri->query_string};
    snprintf(req.remote_addr, sizeof req.remote_addr, "%s", ri->remote_addr);
    set_request_id(&req);
    const char *origin = allowed_origin(&req);

    if (atomic_load(&server.draining)) {
        resp_header(&req, "Retry-After", "1");
        req.close_connection = true;
        resp_problem(&req, 503, "service-unavailable", "Service temporarily unavailable",
                     "The server is shutting down.");
    } else {
        route_and_handle(&req, origin);
    }
    /* Release the connection before sending: a slow client must not hold it.
     * Results the handler kept are plain memory and outlive it. */
    db_release(req.db);
    req.db = NULL;
    send_response(&req, origin);

    double seconds = elapsed_since(&started);
    metrics_observe(req.match.route ? req.match.route->pattern : "unmatched", req.method,
                    req.status, seconds);
    access_log(&req, seconds);
    req_release(&req);
    buf_free(&req.headers);
    buf_free(&req.body);
    buf_free(&req.raw);
    buf_free(&req.replay_body);
    atomic_fetch_sub(&server.inflight, 1);
    return req.status;
}

static int log_civetweb(const struct mg_connection *conn, const char *message)
{
    (void)conn;
    log_msg(LOG_WARN, "http: %s", message);
    return 1;
}

/* Errors civetweb detects before dispatch (a malformed request line, headers
 * over max_request_size) get the same problem+json answer as everything else. */
static int civetweb_error(struct mg_connection *conn, int status, const char *message)
{
    (void)message;
    struct request req = {.conn = conn, .cfg = server.cfg, .method = "", .path = ""};
    set_request_id(&req);
    if (status == 413 || status == 431)
        resp_problem(&req, status, "payload-too-large", "Request too large",
                     "The request line or headers are too large.");
    else if (status >= 500)
        resp_problem(&req, status, "internal-error", "Internal error", NULL);
    else
        resp_problem(&req, status, "malformed-request", "Malformed request",
                     "The request is not valid HTTP.");
    req.close_connection = true;
    send_response(&req, NULL);
    buf_free(&req.headers);
    buf_free(&req.body);
    return 0;
}

bool http_server_start(const struct config *cfg, const struct route *routes, size_t nroutes)
{
    char why[256];
    if (!router_check(routes, nroutes, why, sizeof why)) {
        log_msg(LOG_ERROR, "cannot serve the route table: %s", why);
        return false;
    }
    server.cfg = cfg;
    server.routes = routes;
    server.nroutes = nroutes;
    char threads[16];
    snprintf(threads, sizeof threads, "%d", cfg->threads);
    const char *options[] = {"listening_ports",
                             cfg->listen,
                             "num_threads",
                             threads,
                             "request_timeout_ms",
                             "30000",
                             "keep_alive_timeout_ms",
                             "15000",
                             "enable_keep_alive",
                             "yes",
                             "tcp_nodelay",
                             "1",
                             "max_request_size",
                             "16384",
                             "access_control_allow_origin",
                             "",
                             "access_control_allow_methods",
                             "",
                             "access_control_allow_headers",
                             "",
                             NULL};
    struct mg_callbacks callbacks = {.log_message = log_civetweb, .http_error = civetweb_error};
    mg_init_library(0);
    server.ctx = mg_start(&callbacks, NULL, options);
    if (!server.ctx) {
        log_msg(LOG_ERROR, "cannot listen on %s (address in use or invalid)", cfg->listen);
        mg_exit_library();
        return false;
    }
    mg_set_request_handler(server.ctx, "/", dispatch, NULL);
    return true;
}

void http_server_stop(int drain_ms)
{
    if (!server.ctx)
        return;
    atomic_store(&server.draining, true);
    for (int waited = 0; atomic_load(&server.inflight) > 0 && waited < drain_ms; waited += 10)
        usleep(10000);
    mg_stop(server.ctx);
    mg_exit_library();
    server.ctx = NULL;
}
