/*
 * The caller's own account as its owner changes it (PATCH /v1/me): name,
 * e-mail, phone, password (with current_password) and, for a representative,
 * position. The coordination's changes to an account (PATCH
 * /v1/users/{user_id}) are the account resource's (lib/users/users.c).
 */
#ifndef PACTO_USERS_PROFILE_H
#define PACTO_USERS_PROFILE_H

#include "http/request.h"

/* Applies the request's merge patch to the caller's account and answers
 * (200 with the account, its own CPF unmasked, and its ETag), with the audit
 * event in the change's transaction. */
void profile_update(struct request *req);

#endif
