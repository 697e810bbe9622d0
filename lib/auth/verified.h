/*
 * Tokens already verified: a token is the same bytes on every request of a
 * session, so its signature and claims are checked once and remembered until
 * it expires. Only the verification is remembered; the account behind it is
 * still checked on every request (session.c), so a deactivated user or a
 * replaced representative is refused at once all the same.
 */
#ifndef PACTO_AUTH_VERIFIED_H
#define PACTO_AUTH_VERIFIED_H

#include "auth/token.h"

#include <time.h>

/* token_verify, answered from memory for a token this process verified
 * before and that has not expired at `now`. Same contract; a process has one
 * token configuration (the server's), which c must always be. */
enum token_result token_verify_remembered(const struct token_config *c, const char *token,
                                          time_t now, struct token_claims *out);

#endif
