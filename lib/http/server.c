/*
 * The one dispatch path every request takes (see server.h). Handlers only
 * build a response in struct request; this file sends it, so headers that
 * must be on every response are added in exactly one place.
 */
#include "http/server.h"

#include "auth/session.h"
#include "auth/verified.h"
#include "cache/cache.h"
#include "db/db.h"
#include "db/lsn.h"
#include "http/idempotency.h"
#include "http/metrics.h"
#include "http/proxy.h"
#include "http/query.h"
#include "http/request.h"
#include "http/response.h"
#include "log/log.h"

#include <civetweb.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define CORS_ALLOW_HEADERS                                                                         \
    "Authorization, Content-Type, If-Match, Idempotency-Key, X-Request-Id, Pacto-Consistency"
#define CORS_EXPOSE_HEADERS                                                                        \
    "ETag, Location, Link, X-Request-Id, Retry-After, Idempotent-Replayed, WWW-Authenticate, "     \
    "Pacto-Consistency"

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

/* splitmix64 (Steele, Lea and Flood): a fast generator whose outputs from one
 * random seed per thread do not repeat within 2^64 calls. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A new 32-hex-digit request id. Each thread seeds its generator once from
 * the kernel: ids need to be unique, not secret. */
static void request_id_new(char out[65])
{
    static _Thread_local uint64_t state[2];
    static _Thread_local bool seeded;
    if (!seeded) {
        if (getrandom(state, sizeof state, 0) != (ssize_t)sizeof state) {
            struct timespec t;
            clock_gettime(CLOCK_REALTIME, &t);
            state[0] = (uint64_t)t.tv_nsec ^ ((uint64_t)t.tv_sec << 30);
            state[1] = (uint64_t)(uintptr_t)&seeded;
        }
        seeded = true;
    }
    static const char hex[] = "0123456789abcdef";
    uint64_t words[2] = {splitmix64(&state[0]), splitmix64(&state[1])};
    for (int w = 0; w < 2; w++)
        for (int i = 0; i < 16; i++)
            out[16 * w + i] = hex[(words[w] >> (60 - 4 * i)) & 15];
    out[32] = '\0';
}

/* Makes the server's own id, and keeps a sane incoming X-Request-Id beside
 * it: the client's id is echoed and logged, but audit events and problems
 * carry the server's, which a client cannot choose. */
static void set_request_id(struct request *req)
{
    request_id_new(req->request_id);
    const char *in = req_header(req, "X-Request-Id");
    size_t n = in ? strlen(in) : 0;
    if (n >= 1 && n <= 64 &&
        strspn(in, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") == n)
        memcpy(req->client_request_id, in, n + 1);
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
        enum token_result tr =
            token_verify_remembered(&server.cfg->token, token, time(NULL), &claims);
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

/* True when the request carries a body (RFC 9112 6.3: Content-Length or
 * Transfer-Encoding). */
static bool has_body(const struct request *req)
{
    const struct mg_request_info *ri = mg_get_request_info(req->conn);
    return ri->content_length > 0 || req_header(req, "Transfer-Encoding") != NULL;
}

static bool takes_no_body(const struct route *route)
{
    return (route->flags & ROUTE_NO_BODY) || strcmp(route->method, "GET") == 0 ||
           strcmp(route->method, "DELETE") == 0;
}

/* Reads the body of an operation that takes one, before anything else is
 * done with the request. On failure answers 413. */
static bool read_body_first(struct request *req, const struct route *route)
{
    if (takes_no_body(route) || !has_body(req) || (route->flags & ROUTE_STREAM))
        return true;
    return req_read_body(req, (route->flags & ROUTE_UPLOAD) ? UPLOAD_BODY_LIMIT : JSON_BODY_LIMIT);
}

/* Refuses a body sent to an operation that takes none (400). The handler
 * never reads it, and the client is asked to close the connection. */
static bool body_fits(struct request *req, const struct route *route)
{
    if (!takes_no_body(route) || !has_body(req))
        return true;
    req->close_connection = true;
    resp_problem(req, 400, "malformed-request", "Unexpected request body",
                 "This operation takes no request body.");
    return false;
}

/* A route without ROUTE_QUERY takes no query parameters: the same 400 as a
 * list's unknown parameter. */
static bool query_fits(struct request *req, const struct route *route)
{
    static const char *const none[] = {NULL};
    struct query q;
    return (route->flags & ROUTE_QUERY) || query_parse(req, none, &q);
}

/* Before a deadlocked request runs again: the other transaction must go
 * first, or the retry could take back the rows the other one waits for and
 * deadlock anew. 10-50 ms, drawn from the request id (random hex) so that two
 * victims do not come back together. */
static void pause_before_retry(const struct request *req)
{
    char digits[3] = {req->request_id[0], req->request_id[1], 0};
    usleep((useconds_t)(10 + strtoul(digits, NULL, 16) % 41) * 1000);
}

/* Forgets the answer being built, and rolls back what the handler began. */
static void start_over(struct request *req)
{
    if (req->db)
        db_rollback(req->db);
    req->status = 0;
    req->content_type = NULL;
    req->db_conflict = false;
    req->etag_version[0] = req->etag[0] = '\0';
    buf_reset(&req->body);
    buf_reset(&req->headers);
    buf_reset(&req->replay_body);
}

/* --- Read routing and Pacto-Consistency --- */

/* An anonymous GET of the API: public data, which a replica may serve (see
 * req_db). Anything with a token reads the primary, as it may be looking at
 * what it just wrote, and so does every write. */
static bool is_public_read(const struct request *req)
{
    bool get = strcmp(req->method, "GET") == 0 || is_head(req);
    return get && db_read_pool_configured() && !req_is_authenticated(req) &&
           !req_header(req, "Authorization") && strncmp(req->path, "/v1/", 4) == 0;
}

/* The commit position a client presented: 0 for none; one that is not an
 * LSN can be replayed by no replica, so it is read from the primary. A
 * request that presents one also skips this server's caches, which may not
 * have heard of that commit yet (their eviction comes by NOTIFY). */
static void read_consistency(struct request *req)
{
    const char *v = req_header(req, "Pacto-Consistency");
    uint64_t lsn = 0;
    if (v && !db_lsn_parse(v, &lsn))
        lsn = UINT64_MAX;
    req->min_lsn = lsn;
    cache_thread_begin(v != NULL);
}

static const struct db_stmt STMT_WAL_POSITION = {
    .name = "wal_position",
    .sql = "SELECT pg_current_wal_lsn()::text",
};

/* A write that succeeded answers the primary's WAL position once it is done:
 * its commit is at or before it, so a read that presents it is served by a
 * replica only once that replica has replayed the write (see req_db). On a
 * database failure the header is left out; the answer stands. */
static void add_consistency(struct request *req)
{
    bool get =
        strcmp(req->method, "GET") == 0 || is_head(req) || strcmp(req->method, "OPTIONS") == 0;
    if (get || req->status < 200 || req->status >= 300)
        return;
    if (req->db && db_conn_on_replica(req->db)) {
        db_release(req->db);
        req->db = NULL;
    }
    if (!req->db)
        req->db = db_acquire(1000);
    if (!req->db)
        return;
    db_rollback(req->db); /* a no-op after a commit */
    PGresult *r = db_exec(req->db, &STMT_WAL_POSITION, 0, NULL);
    if (r && PQntuples(r) == 1)
        resp_header(req, "Pacto-Consistency", "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
}

/* --- end of read routing --- */

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
        char detail[128];
        snprintf(detail, sizeof detail, "This path answers %s.", req->match.allow);
        resp_problem(req, 405, "method-not-allowed", "Method not allowed", detail);
        return;
    }
    const struct route *route = req->match.route;
    /* The body is read before the caller is looked up, so a slow upload never
     * holds a database connection while it arrives (the account check may
     * need one when the cache is cold). */
    if (!read_body_first(req, route))
        return;
    const char *authorization =
        (route->flags & ROUTE_NO_TOKEN) ? NULL : req_header(req, "Authorization");
    if (authorization && !authenticate(req, authorization))
        return;
    if (!authorize(req, route) || !body_fits(req, route) || !query_fits(req, route))
        return;
    if ((route->flags & ROUTE_STREAM) && !req_stream_fits(req))
        return;
    req->read_routable = is_public_read(req);
    if (!(route->flags & ROUTE_IDEMPOTENT) || idempotency_begin(req)) {
        route->handler(req);
        /* Two transactions that lock rows in different orders (an import and
         * a single PATCH) deadlock now and then; PostgreSQL rolls one back.
         * Nothing of it was kept, so it is run once more before answering. */
        /* Not a streamed body: it was read once and is gone. */
        if (req->db_conflict && !req->stream_next && !(route->flags & ROUTE_STREAM)) {
            log_msg(LOG_INFO, "request %s: deadlock or serialization failure; running it again",
                    req->request_id);
            start_over(req);
            pause_before_retry(req);
            route->handler(req);
        }
    }
    idempotency_end(req);
    /* A handler that answered before the end of a streamed body (a refusal,
     * a bad line): the rest is never read, so the connection cannot carry
     * another request. */
    if ((route->flags & ROUTE_STREAM) && has_body(req) && !req->stream_ended)
        req->close_connection = true;
    if (!req->status)
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
}

/* The value of the Date header (RFC 9110 6.6.1), made at most once a second
 * per thread. */
static const char *http_date(void)
{
    static _Thread_local char text[40];
    static _Thread_local time_t made;
    time_t now = time(NULL);
    if (now != made) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        made = now;
    }
    return text;
}

/* Appends n in decimal. */
static void put_number(struct buf *b, size_t n)
{
    char digits[24];
    int i = (int)sizeof digits;
    do
        digits[--i] = (char)('0' + n % 10);
    while ((n /= 10) && i > 0);
    buf_append(b, digits + i, sizeof digits - (size_t)i);
}

/* Appends one chunk (RFC 9112 7.1) of data. */
static void put_chunk(struct buf *out, const struct buf *data)
{
    if (!data->len)
        return;
    buf_printf(out, "%zx\r\n", data->len);
    buf_append(out, data->data, data->len);
    buf_puts(out, "\r\n");
}

/* Sends head, the body as the first chunk, then every chunk stream_next
 * makes, then the last chunk. If the stream fails midway the last chunk is
 * never sent, so the client can tell the body is incomplete. */
static void send_stream(struct request *req, struct buf *head)
{
    put_chunk(head, &req->body);
    bool ok = mg_write(req->conn, head->data, head->len) > 0;
    struct buf chunk = {0}, out = {0};
    int more = 1;
    while (ok && more == 1) {
        buf_reset(&chunk);
        buf_reset(&out);
        more = req->stream_next(req, &chunk);
        put_chunk(&out, &chunk);
        ok = more >= 0 && (!out.len || mg_write(req->conn, out.data, out.len) > 0);
    }
    if (ok)
        mg_write(req->conn, "0\r\n\r\n", 5);
    else
        log_msg(LOG_WARN, "request %s: the streamed body stopped short", req->request_id);
    buf_free(&chunk);
    buf_free(&out);
}

/* True when If-None-Match names etag (weak comparison, RFC 9110 13.1.2), or
 * is "*". */
static bool none_match(const struct request *req, const char *etag)
{
    const char *p = req_header(req, "If-None-Match");
    if (!p)
        return false;
    size_t elen = strlen(etag);
    while (*p) {
        p += strspn(p, " \t,");
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        size_t n = strcspn(p, ", \t");
        if ((n == 1 && *p == '*') || (n == elen && strncmp(p, etag, n) == 0))
            return true;
        p += n;
    }
    return false;
}

/* A conditional GET whose tag still matches becomes 304 Not Modified. */
static void finish_validators(struct request *req)
{
    resp_seal_etag(req);
    bool get = strcmp(req->method, "GET") == 0 || is_head(req);
    if (get && req->status == 200 && req->etag[0] && none_match(req, req->etag)) {
        req->status = 304;
        buf_reset(&req->body);
    }
}

/* Status line, headers and body in one buffer, sent with one write: the
 * header API of civetweb sends every line by itself, and with tcp_nodelay
 * each is a packet. */
static void send_response(struct request *req, const char *origin)
{
    struct mg_connection *conn = req->conn;
    finish_validators(req);
    struct buf out = {0};
    /* Plain appends, not printf: this runs for every response. */
    buf_puts(&out, "HTTP/1.1 ");
    put_number(&out, (size_t)req->status);
    buf_putc(&out, ' ');
    buf_puts(&out, mg_get_response_code_text(conn, req->status));
    buf_puts(&out, "\r\nDate: ");
    buf_puts(&out, http_date());
    if (req->stream_next || (req->status != 204 && req->status != 304)) {
        buf_puts(&out, "\r\nContent-Type: ");
        buf_puts(&out, req->content_type);
    }
    if (req->stream_next) {
        buf_puts(&out, "\r\nTransfer-Encoding: chunked");
    } else if (req->status != 204 && req->status != 304) {
        buf_puts(&out, "\r\nContent-Length: ");
        put_number(&out, req->body.len);
    }
    buf_puts(&out, "\r\nX-Request-Id: ");
    buf_puts(&out, req_echoed_id(req));
    buf_puts(&out, "\r\nX-Content-Type-Options: nosniff\r\n");
    bool anonymous = !req_is_authenticated(req) && !req_header(req, "Authorization");
    bool cacheable = anonymous && (req->status == 200 || req->status == 304) &&
                     (strcmp(req->method, "GET") == 0 || is_head(req)) &&
                     strncmp(req->path, "/v1/", 4) == 0;
    if (cacheable)
        /* Public data: nginx or a CDN may keep it, apart for each Accept and
         * never for a caller with a token. */
        buf_printf(&out, "Cache-Control: public, max-age=%d\r\nVary: Accept, Authorization%s\r\n",
                   server.cfg->public_max_age, server.cfg->cors_origin_count ? ", Origin" : "");
    else
        buf_puts(&out, "Cache-Control: no-store\r\n");
    if (origin)
        buf_printf(&out,
                   "Access-Control-Allow-Origin: %s\r\n"
                   "Access-Control-Expose-Headers: " CORS_EXPOSE_HEADERS "\r\n",
                   origin);
    if (server.cfg->cors_origin_count && !cacheable)
        buf_puts(&out, "Vary: Origin\r\n");
    /* The client is asked to close; civetweb itself still reads and drops
     * what is left of an unread body before it reuses the connection. */
    if (req->close_connection)
        buf_puts(&out, "Connection: close\r\n");
    buf_append(&out, buf_cstr(&req->headers), req->headers.len);
    buf_puts(&out, "\r\n");
    if (req->stream_next) {
        if (!is_head(req))
            send_stream(req, &out);
        else
            mg_write(conn, out.data, out.len);
    } else {
        if (req->status != 204 && req->status != 304 && !is_head(req))
            buf_append(&out, buf_cstr(&req->body), req->body.len);
        mg_write(conn, out.data, out.len);
    }
    buf_free(&out);
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
    if (req->client_request_id[0]) {
        buf_puts(&b, ",\"client_request_id\":");
        buf_json_string(&b, req->client_request_id);
    }
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
    proxy_client_addr(&server.cfg->trusted_proxies, ri->remote_addr,
                      req_header(&req, "X-Forwarded-For"), req.remote_addr);
    set_request_id(&req);
    read_consistency(&req);
    const char *origin = allowed_origin(&req);

    if (atomic_load(&server.draining)) {
        resp_header(&req, "Retry-After", "1");
        req.close_connection = true;
        resp_problem(&req, 503, "service-unavailable", "Service temporarily unavailable",
                     "The server is shutting down.");
    } else {
        route_and_handle(&req, origin);
        add_consistency(&req);
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

static int authorize_in_dispatch(struct mg_connection *conn, void *cbdata)
{
    (void)conn;
    (void)cbdata;
    return 1;
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
    /* Authorization is the route policy's. Without a handler of its own,
     * civetweb looks for a .htpasswd file on every request. */
    mg_set_auth_handler(server.ctx, "/", authorize_in_dispatch, NULL);
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
