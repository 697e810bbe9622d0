/*
 * One HTTP request while it is being handled: what was asked, who asked, and
 * the response being built. Handlers receive a struct request and answer
 * through the resp_* functions; the server sends the response afterwards, so
 * a handler never writes to the socket itself.
 */
#ifndef PACTO_HTTP_REQUEST_H
#define PACTO_HTTP_REQUEST_H

#include "core/buf.h"
#include "http/router.h"

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct mg_connection;
struct db_conn;
struct db_stmt;
struct config;

#define JSON_BODY_LIMIT   (1024 * 1024)
#define UPLOAD_BODY_LIMIT (10 * 1024 * 1024)

/* The authenticated caller; role is "" for anonymous requests. */
struct identity {
    long long user_id;
    char user_id_str[24];
    char role[32];
    char municipality_id[8];
    char secretariat_area[32];
    char cpf[12];
};

struct request {
    struct mg_connection *conn;
    const struct config *cfg; /* the server's configuration */
    const char *method;
    const char *path;
    const char *query;          /* raw query string, or NULL */
    char request_id[65];        /* the server's own id: made here, never forged */
    char client_request_id[65]; /* a sane incoming X-Request-Id, else "" */
    char remote_addr[48];
    char client_hash[65]; /* the address's keyed hash, once req_client_hash made it */
    struct router_match match;
    struct identity who;
    struct db_conn *db; /* acquired on first use by req_db(), released by the server */
    /* Read routing (set by the server before the handler): an anonymous
     * public read may be served by the replica, and min_lsn is the commit
     * position the client presented in Pacto-Consistency (0: none). */
    bool read_routable;
    bool read_counted;
    unsigned long long min_lsn;

    int status; /* 0 until a response is set */
    const char *content_type;
    struct buf headers;    /* extra "Name: value\r\n" lines */
    char etag_version[24]; /* the row version of the answered resource, or "" (resp_etag) */
    char etag[64];         /* the ETag sent, once made (resp_seal_etag) */
    struct buf body;
    bool close_connection; /* e.g. after 413: the rest of the body is never read */
    /* The answer is a deadlock or serialization failure (40P01, 40001): the
     * transaction was rolled back, and the server runs the handler once more. */
    bool db_conflict;

    /* A body longer than what the handler made: after body, the server sends
     * (chunked) what stream_next appends to chunk, while it returns 1; 0 is
     * the end (after this chunk), -1 a failure (the body stops short). */
    int (*stream_next)(struct request *req, struct buf *chunk);
    void *stream_ctx;

    struct buf raw;     /* the request body, once read (req_read_body) */
    long long streamed; /* bytes of the body read by req_stream_read */
    bool stream_ended;  /* req_stream_read reached the end of the body */
    bool continued;     /* "100 Continue" was sent (Expect: 100-continue) */
    bool raw_read;
    char idempotency_key[256];   /* "" when the request has none */
    char idempotency_caller[72]; /* whose key it is (see idempotency.c) */
    char request_hash[65];       /* of method, path and body, when it has one */
    char replayed_content_type[64];
    /* What a replay under the same Idempotency-Key shows instead of body,
     * when body holds a secret that must not be stored (see req_commit). */
    struct buf replay_body;
    bool idempotency_locked;

    /* What the handler acquired for this request, released together by
     * req_release when dispatch ends (see req_defer). */
    struct req_deferred {
        void (*release)(void *);
        void *ptr;
    } * deferred;
    size_t ndeferred, deferred_cap;
};

/* Registers ptr to be released by release(ptr) when the request ends, so a
 * handler never frees piece by piece and an early return cannot leak.
 * Returns ptr; a NULL ptr is ignored. */
void *req_defer(struct request *req, void (*release)(void *), void *ptr);
/* req_defer for the common kinds. */
PGresult *req_keep_result(struct request *req, PGresult *r);
cJSON *req_keep_json(struct request *req, cJSON *json);
/* Releases everything deferred, newest first. Called once by the server. */
void req_release(struct request *req);

/* Runs a statement on the request's connection (acquired on first use) and
 * keeps the result until the request ends. On failure answers the database
 * error (503/409/422/500) and returns NULL: the handler just returns. */
PGresult *req_exec(struct request *req, const struct db_stmt *s, int nparams,
                   const char *const *params);

/* The request id the client sees (X-Request-Id, and problems' request_id):
 * its own when it sent a sane one, else the server's. */
const char *req_echoed_id(const struct request *req);

/* A request header's value, or NULL. */
const char *req_header(const struct request *req, const char *name);

/* The i-th {param} of the route. */
const char *req_param(const struct request *req, int i);

/* The request's database connection, acquired on first call. On failure it
 * answers 503 and returns NULL: the handler just returns. For a request the
 * server marked read_routable it is a replica's when the replica is up, lags
 * less than PACTO_REPLICA_MAX_LAG_MS and has replayed min_lsn, and no cache
 * of this request missed (a cache is filled from the primary only, whose
 * changes evict it); otherwise, and for every other request, the
 * primary's. */
struct db_conn *req_db(struct request *req);

/* True for an authenticated caller. */
bool req_is_authenticated(const struct request *req);

/* Reads a JSON object body: Content-Type application/json (or
 * application/merge-patch+json when merge_patch), at most JSON_BODY_LIMIT
 * bytes, strictly parsed. On failure answers 400/413/415 and returns NULL. */
cJSON *req_json_object(struct request *req, bool merge_patch);

/* Reads the body into req->raw (once; later calls reuse it), at most `limit`
 * bytes. On failure answers 413 and returns false. */
bool req_read_body(struct request *req, size_t limit);

/* The largest body a ROUTE_STREAM route reads: cfg->evidence_max_bytes for
 * a ROUTE_UPLOAD one (a file), else cfg->import_max_bytes. */
long long req_stream_limit(const struct request *req);

/* For a ROUTE_STREAM route: false after answering 413 when the declared
 * Content-Length exceeds req_stream_limit (the server asks this before
 * the handler runs, so nothing of such a body is read). */
bool req_stream_fits(struct request *req);

/* For a ROUTE_STREAM handler: reads the next piece of the body (at most cap
 * bytes, chunked transfer coding undone) into dst. A client that sent
 * Expect: 100-continue is told "100 Continue" before the first read (RFC
 * 9110 10.1.1): it sends the body only once the handler wants it, and
 * waits for no timeout (curl waits a second). Returns its length, 0 at
 * the end of the body, -1 when the body grows past req_stream_limit
 * (answers 413) or the connection failed (answers 400). The body is never
 * held whole: what the handler does not keep is gone. */
long req_stream_read(struct request *req, char *dst, size_t cap);

/* True when the media type of a Content-Type header value (NULL: none) is
 * `type`, ignoring case and parameters ("text/csv; charset=utf-8"). */
bool media_type_is(const char *header, const char *type);

/* Reads a raw body of `content_type` (media type without parameters) of at
 * most `limit` bytes into out. On failure answers 413/415/400 and returns false. */
bool req_body(struct request *req, const char *content_type, size_t limit, struct buf *out);

/* True when the request has no If-Match, If-Match: *, or an If-Match that
 * names an ETag of the current version of the resource: "<version>" or
 * "<version>-<digest>" (see resp_etag). */
bool req_if_match(const struct request *req, const char *version);

/* True when the client prefers text/csv over JSON (Accept header). */
bool req_wants_csv(const struct request *req);

#endif
