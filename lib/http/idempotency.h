/*
 * The transaction of a write request: the locked row it starts from, the
 * commit it ends with, and Idempotency-Key on creates (API.md).
 *
 * A create retried with the same key and body within 24 hours gets the first
 * response again and creates nothing; the same key with another body is 422.
 * The first response is stored by req_commit in the transaction of the change
 * itself, so either both are kept or neither is: a crash can never leave a
 * change without its key, or a key without its change.
 */
#ifndef PACTO_HTTP_IDEMPOTENCY_H
#define PACTO_HTTP_IDEMPOTENCY_H

#include "db/db.h"
#include "http/request.h"

/* Runs before the handler of an idempotent route. Returns true when the
 * handler should run; false when the request was answered here (a replay, a
 * reused key, a malformed key, or a database failure). */
bool idempotency_begin(struct request *req);

/* Runs after the handler: lets a waiting retry with the same key proceed. */
void idempotency_end(struct request *req);

/* Opens the request's transaction and locks the row about to change, with
 * `lock`: a SELECT ... FOR UPDATE whose column version_col holds the row's
 * version (its ETag). Returns the row (PQclear it), or NULL after answering:
 * 404 when there is none, 412 when If-Match names another version, or the
 * database's error. */
PGresult *req_lock_row(struct request *req, const struct db_stmt *lock, int nparams,
                       const char *const *params, int version_col);

/* Commits the request's transaction. Call it after the response has been set:
 * with an Idempotency-Key and a 2xx response, the response is stored in the
 * same transaction (req->replay_body instead of the body when the handler
 * set one: a secret in the body is never stored). Returns false after replacing the response with
 * the error (and rolling back) when the commit failed, or with the first response when a concurrent
 * request with the same key committed first. */
bool req_commit(struct request *req);

#endif
