/*
 * Request accessors and body reading with the limits of API.md (see request.h).
 */
#include "http/request.h"

#include "cache/cache.h"
#include "config/config.h"
#include "db/db.h"
#include "db/replica.h"
#include "db/route.h"
#include "http/negotiate.h"
#include "http/response.h"
#include "json/json_strict.h"

#include <civetweb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DB_ACQUIRE_WAIT_MS 2000

void *req_defer(struct request *req, void (*release)(void *), void *ptr)
{
    if (!ptr)
        return NULL;
    if (req->ndeferred == req->deferred_cap) {
        size_t cap = req->deferred_cap ? 2 * req->deferred_cap : 16;
        struct req_deferred *grown = realloc(req->deferred, cap * sizeof *grown);
        if (!grown)
            abort(); /* as buf.h: no sane answer without memory */
        req->deferred = grown;
        req->deferred_cap = cap;
    }
    req->deferred[req->ndeferred++] = (struct req_deferred){release, ptr};
    return ptr;
}

static void release_result(void *r) { PQclear(r); }
static void release_json(void *json) { cJSON_Delete(json); }

PGresult *req_keep_result(struct request *req, PGresult *r)
{
    return req_defer(req, release_result, r);
}

cJSON *req_keep_json(struct request *req, cJSON *json)
{
    return req_defer(req, release_json, json);
}

void req_release(struct request *req)
{
    while (req->ndeferred > 0) {
        struct req_deferred *d = &req->deferred[--req->ndeferred];
        d->release(d->ptr);
    }
    free(req->deferred);
    req->deferred = NULL;
    req->deferred_cap = 0;
}

/* --- Read routing (see req_db) --- */

/* The replica's connection for a read_routable request, or NULL when the
 * primary must answer: when the routing rules say so (db/route.h), or when
 * a cache of the request missed and `for_cache` (a cache is filled from the
 * primary only, whose changes evict it). With a replica's connection, the
 * request puts nothing in a cache: what it reads may be older. */
static struct db_conn *replica_for(struct request *req, bool for_cache)
{
    struct db_replica_view v;
    db_replica_view(&v);
    enum db_target t = for_cache && cache_thread_missed()
                           ? DB_TARGET_PRIMARY
                           : db_route_read(&v, req->min_lsn, req->cfg->replica_max_lag_ms);
    struct db_conn *c = t == DB_TARGET_PRIMARY ? NULL : db_acquire_read(DB_ACQUIRE_WAIT_MS);
    if (c && t == DB_TARGET_REPLICA_IF_REPLAYED && !db_replica_has_replayed(c, req->min_lsn)) {
        db_release(c);
        c = NULL;
    }
    if (c && !db_conn_on_replica(c)) { /* the replica was gone: the primary's turn */
        db_release(c);
        c = NULL;
    }
    if (c)
        cache_thread_no_puts();
    if (!req->read_counted)
        db_replica_count_read(c != NULL);
    req->read_counted = true;
    return c;
}

/* --- end of read routing --- */

PGresult *req_exec(struct request *req, const struct db_stmt *s, int nparams,
                   const char *const *params)
{
    if (!req_db(req))
        return NULL;
    PGresult *r = db_exec(req->db, s, nparams, params);
    enum db_error e = r ? DB_OK : db_last_error(req->db);
    bool lost = e == DB_UNAVAILABLE || e == DB_TIMEOUT;
    if (lost && req->read_routable) {
        /* The database went away during a public read, which writes
         * nothing: the other one answers the statement instead. */
        bool was_replica = db_conn_on_replica(req->db);
        db_release(req->db);
        req->db = was_replica ? db_acquire(DB_ACQUIRE_WAIT_MS) : replica_for(req, false);
        r = req->db ? db_exec(req->db, s, nparams, params) : NULL;
    }
    if (!r)
        resp_db_error(req);
    return req_keep_result(req, r);
}

const char *req_echoed_id(const struct request *req)
{
    return req->client_request_id[0] ? req->client_request_id : req->request_id;
}

const char *req_header(const struct request *req, const char *name)
{
    return mg_get_header(req->conn, name);
}

const char *req_param(const struct request *req, int i)
{
    return i < req->match.nparams ? req->match.params[i] : "";
}

bool req_is_authenticated(const struct request *req) { return req->who.role[0] != '\0'; }

struct db_conn *req_db(struct request *req)
{
    if (!req->db && req->read_routable)
        req->db = replica_for(req, true);
    if (!req->db)
        req->db = db_acquire(DB_ACQUIRE_WAIT_MS);
    if (!req->db && req->read_routable)
        req->db = replica_for(req, false); /* the primary is down: public data is still served */
    if (!req->db)
        resp_db_error(req);
    return req->db;
}

bool media_type_is(const char *header, const char *type)
{
    if (!header)
        return false;
    size_t n = strcspn(header, "; \t");
    return n == strlen(type) && strncasecmp(header, type, n) == 0;
}

static void unsupported(struct request *req, const char *accepted)
{
    char detail[128];
    snprintf(detail, sizeof detail, "Send the body as %s.", accepted);
    resp_problem(req, 415, "unsupported-media-type", "Unsupported media type", detail);
}

static void too_large(struct request *req, size_t limit)
{
    char detail[96];
    snprintf(detail, sizeof detail, "The body is larger than %zu bytes.", limit);
    req->close_connection = true; /* the unread rest of the body */
    resp_problem(req, 413, "payload-too-large", "Payload too large", detail);
}

bool req_read_body(struct request *req, size_t limit)
{
    bool ok = true;
    if (!req->raw_read) {
        req->raw_read = true;
        const struct mg_request_info *ri = mg_get_request_info(req->conn);
        ok = ri->content_length <= (long long)limit;
        char chunk[16384];
        int n;
        while (ok && (n = mg_read(req->conn, chunk, sizeof chunk)) > 0) {
            ok = req->raw.len + (size_t)n <= limit;
            if (ok)
                buf_append(&req->raw, chunk, (size_t)n);
        }
    }
    ok = ok && req->raw.len <= limit;
    if (!ok)
        too_large(req, limit);
    return ok;
}

long long req_stream_limit(const struct request *req)
{
    const struct route *route = req->match.route;
    bool upload = route && (route->flags & ROUTE_UPLOAD);
    return upload ? req->cfg->evidence_max_bytes : req->cfg->import_max_bytes;
}

bool req_stream_fits(struct request *req)
{
    const struct mg_request_info *ri = mg_get_request_info(req->conn);
    long long limit = req_stream_limit(req);
    if (ri->content_length <= limit)
        return true;
    too_large(req, (size_t)limit);
    return false;
}

long req_stream_read(struct request *req, char *dst, size_t cap)
{
    if (req->stream_ended)
        return 0;
    const char *expect = req_header(req, "Expect");
    if (!req->continued && expect && strcasecmp(expect, "100-continue") == 0) {
        req->continued = true;
        mg_write(req->conn, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    }
    int n = mg_read(req->conn, dst, cap);
    if (n <= 0) {
        req->stream_ended = true;
        if (n < 0) {
            req->close_connection = true;
            resp_problem(req, 400, "malformed-request", "Malformed request body",
                         "The body could not be read to its end.");
            return -1;
        }
        return 0;
    }
    req->streamed += n;
    if (req->streamed > req_stream_limit(req)) {
        too_large(req, (size_t)req_stream_limit(req));
        return -1;
    }
    return n;
}

/* The body, read at most once, copied to out. */
static bool read_limited(struct request *req, size_t limit, struct buf *out)
{
    if (!req_read_body(req, limit))
        return false;
    buf_append(out, buf_cstr(&req->raw), req->raw.len);
    return true;
}

bool req_body(struct request *req, const char *content_type, size_t limit, struct buf *out)
{
    if (!media_type_is(req_header(req, "Content-Type"), content_type)) {
        unsupported(req, content_type);
        return false;
    }
    return read_limited(req, limit, out);
}

cJSON *req_json_object(struct request *req, bool merge_patch)
{
    const char *ct = req_header(req, "Content-Type");
    bool json_type = media_type_is(ct, "application/json") ||
                     (merge_patch && media_type_is(ct, "application/merge-patch+json"));
    if (!json_type) {
        unsupported(req, merge_patch ? "application/merge-patch+json or application/json"
                                     : "application/json");
        return NULL;
    }
    struct buf body = {0};
    if (!read_limited(req, JSON_BODY_LIMIT, &body)) {
        buf_free(&body);
        return NULL;
    }
    const char *why = NULL;
    cJSON *json = json_parse_strict(buf_cstr(&body), body.len, &why);
    buf_free(&body);
    if (json && !cJSON_IsObject(json)) {
        cJSON_Delete(json);
        json = NULL;
        why = "the body must be a JSON object";
    }
    if (!json) {
        char detail[160];
        snprintf(detail, sizeof detail, "The body is not acceptable JSON: %s.", why);
        resp_problem(req, 400, "malformed-request", "Malformed request body", detail);
    }
    return json;
}

bool req_wants_csv(const struct request *req)
{
    const char *accept = req_header(req, "Accept");
    if (!accept)
        return false;
    double csv = http_accept_q(accept, "text/csv");
    return csv > 0 && csv > http_accept_q(accept, "application/json");
}

bool req_if_match(const struct request *req, const char *version)
{
    const char *p = req_header(req, "If-Match");
    if (!p || strcmp(p, "*") == 0)
        return true;
    /* A list of entity tags; If-Match uses the strong comparison (RFC 9110
     * 13.1.1), so a weak tag W/"..." never matches. A tag matches when its
     * version part (before the digest) is the current version. */
    size_t vlen = strlen(version);
    while (*p) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, ",");
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        bool quoted = n >= vlen + 2 && p[0] == '"' && p[n - 1] == '"';
        if (quoted && strncmp(p + 1, version, vlen) == 0 &&
            (p[vlen + 1] == '"' || p[vlen + 1] == '-'))
            return true;
        p += strcspn(p, ",");
    }
    return false;
}
