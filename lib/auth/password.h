/*
 * Password hashing with Argon2id (libargon2), in the PHC string format.
 */
#ifndef PACTO_AUTH_PASSWORD_H
#define PACTO_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_HASH_MAX 128
#define PASSWORD_MIN_LEN  12
#define PASSWORD_MAX_LEN  256

/* Hashes `password` with a fresh random salt into out (PHC string,
 * "$argon2id$v=19$m=19456,t=2,p=1$..."). Returns false on failure. */
bool password_hash(const char *password, char out[PASSWORD_HASH_MAX]);

/* True when `password` matches `encoded`. A NULL or malformed `encoded` is
 * verified against a fixed dummy hash and returns false, so that unknown
 * accounts cost the same time as known ones. */
bool password_verify(const char *encoded, const char *password);

/* NULL when acceptable, else a client-safe reason: too short (< 12 bytes),
 * too long (> 256 bytes). */
const char *password_policy_error(const char *password);

#endif
