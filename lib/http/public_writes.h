/*
 * Writes anyone may make without a token (citizens' comments and questions):
 * who the writer is, as far as the service keeps it, and how often an address
 * may write.
 *
 * A citizen is known by a keyed hash of their client address (the forwarded
 * one only behind a trusted proxy, see proxy.h), computed by the database
 * (client_hash in sql/029_public_writes.sql) so every server agrees on it.
 * The address itself is never stored.
 */
#ifndef PACTO_HTTP_PUBLIC_WRITES_H
#define PACTO_HTTP_PUBLIC_WRITES_H

#include "http/request.h"

#include <stdbool.h>

/* The caller's address hash (64 hex digits), made once per request. NULL
 * after answering the database's error. */
const char *req_client_hash(struct request *req);

/* Inside the request's open transaction: admits one write of `kind` (e.g.
 * "comment") from the caller's address when it made fewer than the
 * configured number (PACTO_PUBLIC_WRITES_PER_HOUR) of that kind in the last
 * hour, and counts it — the count is kept only if the transaction commits,
 * so a refused write does not use up the limit. Otherwise answers 429
 * `too-many-requests` with Retry-After (seconds until the oldest write of
 * the hour expires) and returns false. Writes of one address wait for each
 * other here, so two at once cannot both take the last place. */
bool public_write_admit(struct request *req, const char *kind);

#endif
