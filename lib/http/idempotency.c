/*
 * Idempotency keys (see idempotency.h).
 */
#include "http/idempotency.h"

#include "db/db.h"
#include "http/public_writes.h"
#include "http/response.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#define KEY_TTL "24 hours"

static const struct db_stmt STMT_IDEMPOTENCY_FIND = {
    .name = "idempotency_find",
    .sql = "SELECT request_hash, status, content_type, headers, body FROM idempotency_keys"
           " WHERE caller = $1 AND key = $2 AND created_at > now() - interval '" KEY_TTL "'",
};

/* Expired keys are removed by whoever stores a new one for the same caller. */
static const struct db_stmt STMT_IDEMPOTENCY_STORE = {
    .name = "idempotency_store",
    .sql = "WITH expired AS ("
           "  DELETE FROM idempotency_keys"
           "   WHERE caller = $1 AND created_at <= now() - interval '" KEY_TTL "')"
           "INSERT INTO idempotency_keys AS k"
           "       (caller, key, request_hash, status, content_type, headers, body)"
           "VALUES ($1, $2, $3, $4, $5, $6, $7)"
           "ON CONFLICT (caller, key) DO UPDATE"
           "   SET request_hash = EXCLUDED.request_hash, status = EXCLUDED.status,"
           "       content_type = EXCLUDED.content_type, headers = EXCLUDED.headers,"
           "       body = EXCLUDED.body, created_at = now()"
           " WHERE k.created_at <= now() - interval '" KEY_TTL "'"
           "RETURNING 1",
};

/* Held from the lookup until the transaction that stores the answer ends,
 * so that a retry arriving while the first attempt still runs waits for it,
 * then replays its answer. A transaction's lock, not a session's: through a
 * pooler in transaction mode the request's statements outside a transaction
 * may each run on another server connection, and a session lock would stay
 * behind on one of them. The handler's transaction is the one opened here
 * (db_begin does not open a second). */
static const struct db_stmt STMT_IDEMPOTENCY_LOCK = {
    .name = "idempotency_lock",
    .sql = "SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))",
};

/* Whose keys these are: the user's id, or for a request without a token 'a:'
 * and the client address's hash (public_writes.h), so that anonymous
 * retries are recognized too. Returns false after answering a database
 * error. */
static bool set_caller(struct request *req)
{
    if (req_is_authenticated(req)) {
        snprintf(req->idempotency_caller, sizeof req->idempotency_caller, "%s",
                 req->who.user_id_str);
        return true;
    }
    const char *hash = req_client_hash(req);
    if (hash)
        snprintf(req->idempotency_caller, sizeof req->idempotency_caller, "a:%s", hash);
    return hash != NULL;
}

/* Printable ASCII without spaces, as keys are usually UUIDs. */
static bool key_is_sane(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > 255)
        return false;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return false;
    return true;
}

static void hash_request(struct request *req)
{
    unsigned char digest[32];
    unsigned int len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
              EVP_DigestUpdate(ctx, req->method, strlen(req->method) + 1) &&
              EVP_DigestUpdate(ctx, req->path, strlen(req->path) + 1) &&
              EVP_DigestUpdate(ctx, buf_cstr(&req->raw), req->raw.len) &&
              EVP_DigestFinal_ex(ctx, digest, &len);
    EVP_MD_CTX_free(ctx);
    for (unsigned int i = 0; ok && i < len; i++)
        snprintf(req->request_hash + 2 * i, 3, "%02x", digest[i]);
}

/* Answers with a stored response. */
static void replay(struct request *req, const PGresult *r)
{
    struct buf body = {0};
    buf_puts(&body, PQgetvalue(r, 0, 4));
    buf_reset(&req->headers);
    buf_puts(&req->headers, PQgetvalue(r, 0, 3));
    resp_header(req, "Idempotent-Replayed", "true");
    int status = 200;
    sscanf(PQgetvalue(r, 0, 1), "%d", &status);
    snprintf(req->replayed_content_type, sizeof req->replayed_content_type, "%s",
             PQgetvalue(r, 0, 2));
    resp_body(req, status, req->replayed_content_type, &body);
}

/* Looks the key up: replays or refuses when it is known. Returns true when
 * the key is new and the handler should run. */
static bool check_known(struct request *req)
{
    const char *params[] = {req->idempotency_caller, req->idempotency_key};
    PGresult *r = db_exec(req->db, &STMT_IDEMPOTENCY_FIND, 2, params);
    if (!r) {
        resp_db_error(req);
        return false;
    }
    bool fresh = PQntuples(r) == 0;
    if (!fresh && strcmp(PQgetvalue(r, 0, 0), req->request_hash) == 0)
        replay(req, r);
    else if (!fresh)
        resp_problem(req, 422, "idempotency-key-reused", "Idempotency-Key already used",
                     "This key was used with another request in the last 24 hours; use a "
                     "new key for a new request.");
    PQclear(r);
    return fresh;
}

bool idempotency_begin(struct request *req)
{
    const char *key = req_header(req, "Idempotency-Key");
    if (!key)
        return true;
    if (!key_is_sane(key)) {
        resp_problem(req, 400, "invalid-parameter", "Invalid Idempotency-Key",
                     "Idempotency-Key must be 1 to 255 visible ASCII characters, e.g. a UUID.");
        return false;
    }
    if (!req_read_body(req, JSON_BODY_LIMIT))
        return false;
    snprintf(req->idempotency_key, sizeof req->idempotency_key, "%s", key);
    hash_request(req);
    struct db_conn *db = req_db(req);
    if (!db || !set_caller(req))
        return false;
    const char *params[] = {req->idempotency_caller, req->idempotency_key};
    PGresult *r = db_begin(db) ? db_exec(db, &STMT_IDEMPOTENCY_LOCK, 2, params) : NULL;
    if (!r) {
        resp_db_error(req);
        return false;
    }
    PQclear(r);
    req->idempotency_locked = true;
    return check_known(req);
}

void idempotency_end(struct request *req)
{
    if (!req->idempotency_locked)
        return;
    /* A handler that failed may have left its transaction open; ending it
     * releases the lock. */
    db_rollback(req->db);
    req->idempotency_locked = false;
}

/* Stores the response in the open transaction. Returns false when another
 * request with the same key got there first. */
static bool store(struct request *req, bool *raced)
{
    resp_seal_etag(req); /* the replay carries the same ETag */
    char status[8];
    snprintf(status, sizeof status, "%d", req->status);
    const struct buf *stored = req->replay_body.len ? &req->replay_body : &req->body;
    const char *params[] = {
        req->idempotency_caller, req->idempotency_key,    req->request_hash, status,
        req->content_type,       buf_cstr(&req->headers), buf_cstr(stored)};
    PGresult *r = db_exec(req->db, &STMT_IDEMPOTENCY_STORE, 7, params);
    *raced = r && PQntuples(r) == 0;
    bool ok = r && !*raced;
    PQclear(r);
    return ok;
}

PGresult *req_lock_row(struct request *req, const struct db_stmt *lock, int nparams,
                       const char *const *params, int version_col)
{
    struct db_conn *db = req_db(req);
    if (!db)
        return NULL;
    PGresult *row = NULL;
    if (!db_begin(db) || !(row = db_exec(db, lock, nparams, params))) {
        resp_db_error(req);
        return NULL;
    }
    if (PQntuples(row) == 0)
        resp_not_found(req);
    else if (!req_if_match(req, PQgetvalue(row, 0, version_col)))
        resp_problem(req, 412, "precondition-failed", "The resource has changed",
                     "If-Match does not match the current ETag; read it again and retry.");
    else
        return row;
    PQclear(row);
    return NULL;
}

bool req_commit(struct request *req)
{
    bool raced = false;
    bool keyed = req->idempotency_key[0] && req->status >= 200 && req->status < 300;
    if ((!keyed || store(req, &raced)) && db_commit(req->db))
        return true;
    db_rollback(req->db);
    buf_reset(&req->headers); /* Location, ETag: of what was not kept */
    if (raced && check_known(req))
        resp_problem(req, 409, "conflict", "Conflict with the current state",
                     "A request with the same Idempotency-Key is still being processed.");
    else if (!raced)
        resp_db_error(req);
    return false;
}
