/*
 * Invitations: accounts created by someone else (the coordination's mayor and
 * secretariat accounts, the mayor's representative) start inactive with a
 * one-time token that the creator hands to the person. POST /v1/auth/activate
 * takes the token and a password and makes the account usable. Only the
 * token's SHA-256 is stored (users.invitation_hash); it expires after
 * invitation_expiry() (sql/005_people.sql, 7 days).
 */
#ifndef PACTO_AUTH_ACTIVATE_H
#define PACTO_AUTH_ACTIVATE_H

#include "core/buf.h"
#include "http/request.h"

#include <stdbool.h>

#define AUTH_INVITATION_TOKEN_LEN 43 /* 32 random bytes in unpadded base64url */
#define AUTH_INVITATION_HASH_LEN  64 /* SHA-256 in lower-case hex */

struct auth_invitation {
    char token[AUTH_INVITATION_TOKEN_LEN + 1]; /* for the creator, never stored */
    char hash[AUTH_INVITATION_HASH_LEN + 1];   /* what users.invitation_hash keeps */
};

/* Makes a fresh invitation from 32 bytes of the system's CSPRNG. Returns
 * false, inv unusable, when no randomness could be had. */
bool auth_invitation_new(struct auth_invitation *inv);

/* The hash users.invitation_hash keeps for `token` (any string). Returns
 * false when the digest could not be computed. */
bool auth_invitation_hash(const char *token, char hash[AUTH_INVITATION_HASH_LEN + 1]);

/* Adds the member "invitation":{"token":...,"expires_at":...} to the JSON
 * object that `object` holds (it must end in '}'), for a response that hands
 * the invitation over. */
void auth_invitation_add(struct buf *object, const struct auth_invitation *inv,
                         const char *expires_at);

/* POST /v1/auth/activate */
void auth_activate(struct request *req);

#endif
