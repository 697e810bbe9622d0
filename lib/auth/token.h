/*
 * Access tokens: JWTs signed with one algorithm fixed by configuration.
 * libjwt 1.10 neither pins the algorithm nor checks claims, so this module
 * does both itself: the header's alg must be the configured one before any
 * signature check, and exp/nbf/iat/iss/aud are validated here.
 */
#ifndef PACTO_AUTH_TOKEN_H
#define PACTO_AUTH_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define TOKEN_MAX_LEN 4096 /* longer tokens are refused before decoding */

enum token_alg { TOKEN_HS256, TOKEN_RS256, TOKEN_ES256 };

struct token_config {
    enum token_alg alg;
    unsigned char *key; /* owned: HS256 secret, or PEM public key for RS256/ES256 */
    size_t key_len;
    char issuer[128];
    char audience[128];
    int ttl_seconds;    /* lifetime of issued tokens */
    int leeway_seconds; /* clock skew tolerated on exp/nbf/iat */
};

struct token_claims {
    char sub[64];              /* user id */
    char role[32];             /* "mayor", "representative", "secretariat" */
    char municipality_id[8];   /* IBGE code, "" when none */
    char secretariat_area[32]; /* "", or "coordination", "health", ... */
    long iat, exp;
};

enum token_result {
    TOKEN_OK = 0,
    TOKEN_MALFORMED, /* not three base64url parts, bad JSON, missing claims */
    TOKEN_TOO_LONG,
    TOKEN_BAD_ALGORITHM, /* header alg is not the configured one (incl. "none") */
    TOKEN_BAD_SIGNATURE,
    TOKEN_EXPIRED,
    TOKEN_NOT_YET_VALID, /* nbf or iat in the future */
    TOKEN_BAD_ISSUER,
    TOKEN_BAD_AUDIENCE,
    TOKEN_BAD_CLAIMS /* exp/nbf/iat not integers, sub/role not strings, ... */
};

/* Fills an HS256 config (leeway 30 s). Returns false, with nothing to free,
 * when secret is shorter than 32 bytes, issuer/audience are empty or do not
 * fit, or ttl_seconds <= 0. */
bool token_config_hs256(struct token_config *c, const char *secret, const char *issuer,
                        const char *audience, int ttl_seconds);

/* Fills an RS256/ES256 config from a PEM public key file; the algorithm follows
 * the key type (RSA -> RS256, EC P-256 -> ES256). On failure returns false and
 * writes a one-line reason to err. */
bool token_config_public_key(struct token_config *c, const char *pem_path, const char *issuer,
                             const char *audience, char *err, size_t errlen);

void token_config_free(struct token_config *c);

/* Signs a token for `claims` (iat = now, exp = now + ttl; claims->iat/exp are
 * ignored). Only for HS256. Returns a malloc'd string, or NULL on failure. */
char *token_issue(const struct token_config *c, const struct token_claims *claims, time_t now);

/* Verifies `token` at time `now`; on TOKEN_OK fills *out, otherwise leaves it
 * untouched. Besides the cases named in enum token_result: a header "typ"
 * other than "JWT", a "crit" header, or a member name repeated in header or
 * payload is TOKEN_MALFORMED; a missing or non-string iss is TOKEN_BAD_ISSUER;
 * aud must be our audience or an array of strings containing it, else
 * TOKEN_BAD_AUDIENCE; a string claim too long for its field is
 * TOKEN_BAD_CLAIMS. Thread-safe. */
enum token_result token_verify(const struct token_config *c, const char *token, time_t now,
                               struct token_claims *out);

/* A short, client-safe description of a result ("token expired", ...). */
const char *token_result_message(enum token_result r);

#endif
