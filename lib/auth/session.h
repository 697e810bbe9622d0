/*
 * Who is calling: a verified token's claims checked against the account as it
 * is now, so a deactivated user, a replaced representative or a changed role
 * is refused on the next request even while the token has not expired.
 */
#ifndef PACTO_AUTH_SESSION_H
#define PACTO_AUTH_SESSION_H

#include "auth/token.h"
#include "http/request.h"

enum session_result {
    SESSION_OK,
    SESSION_REVOKED, /* no such user, inactive, or claims no longer match */
    SESSION_DB_ERROR /* the database could not be asked; req has the answer */
};

struct cache;
/* The accounts cache session_resolve reads through (see lib/api/changes.c). */
struct cache *session_cache(void);

/* Loads the account named by claims->sub (from the cache when it holds it)
 * and fills *who. */
enum session_result session_resolve(struct request *req, const struct token_claims *claims,
                                    struct identity *who);

#endif
