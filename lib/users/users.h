/*
 * User accounts: the coordination's management of accounts, and each user's
 * own profile (/v1/me). Accounts are a resource (lib/resource) declared in
 * users.c; their JSON per viewer, the rules of a new account and the list's
 * filters are SQL (sql/010_users_audit.sql).
 */
#ifndef PACTO_USERS_USERS_H
#define PACTO_USERS_USERS_H

#include "audit/audit.h"
#include "http/request.h"
#include "http/response.h"

void users_create_endpoint(struct request *req); /* POST /v1/users */
void users_list(struct request *req);            /* GET /v1/users */
void users_get(struct request *req);             /* GET /v1/users/{user_id} */
void users_update(struct request *req);          /* PATCH /v1/users/{user_id} */
void users_me(struct request *req);              /* GET /v1/me */
void users_me_update(struct request *req);       /* PATCH /v1/me */
void users_invite(struct request *req);          /* POST /v1/users/{user_id}/invitation */

struct auth_invitation;

struct user_input {
    const char *name, *email, *cpf, *phone, *position, *role, *municipality_id, *secretariat_area;
    /* Exactly one of the two: the account starts active with this password
     * (the operator's `pacto user add`), or inactive with this invitation
     * (accounts created through the API, see auth/activate.h). */
    const char *password;
    const struct auth_invitation *invitation;
};

enum user_create_status { USER_CREATED, USER_INVALID, USER_EMAIL_TAKEN, USER_DB_ERROR };

/* Validates and inserts a user with its audit event, in one transaction.
 * The fields are checked as in POST /v1/users, and a password against the
 * policy; the password is hashed before the transaction begins (Argon2 takes
 * tens of milliseconds and 19 MiB). On USER_CREATED the transaction is still
 * open, for the caller to commit; json_out holds the user as the API shows it
 * (CPF masked), with an "invitation" member {token, expires_at} when
 * in->invitation is set, and id_out its id. On USER_INVALID, e holds the
 * reasons. Otherwise nothing is left open. */
enum user_create_status users_create(struct db_conn *db, const struct audit_actor *actor,
                                     const struct user_input *in, struct field_errors *e,
                                     struct buf *json_out, char id_out[24]);

/* users_create inside a transaction the caller has opened on db and will end:
 * on anything but USER_CREATED the caller rolls back. Only for accounts with
 * an invitation: nothing is hashed inside a transaction, so a password is
 * refused ("may not be set"). */
enum user_create_status users_insert(struct db_conn *db, const struct audit_actor *actor,
                                     const struct user_input *in, struct field_errors *e,
                                     struct buf *json_out, char id_out[24]);

/* Appends json to out with the string "token" replaced by null: what may be
 * stored of an answer that hands over an invitation. */
void users_redact_token(struct buf *out, const char *json, const char *token);

#endif
