/*
 * Changing an account: by its owner (PATCH /v1/me) or by the coordination
 * (PATCH /v1/users/{id}). One path, so both are validated and audited alike.
 */
#ifndef PACTO_USERS_PROFILE_H
#define PACTO_USERS_PROFILE_H

#include "http/request.h"

enum profile_mode {
    PROFILE_BY_SELF,        /* name, email, phone, password (with current_password), and
                               position for representatives */
    PROFILE_BY_COORDINATION /* name, email, phone, active (false also withdraws an unused
                               invitation) */
};

/* Applies the request's merge patch to user `id` and answers. */
void profile_update(struct request *req, const char *id, enum profile_mode mode);

#endif
