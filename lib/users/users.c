/*
 * User accounts (see users.h), declared once as a resource. The coordination
 * creates, lists and reads accounts and renews invitations; everyone reads
 * their own account (/v1/me). An account made through the API starts
 * inactive with an invitation whose token is handed over once and never
 * stored; the command line (`pacto user add`) makes active accounts with a
 * password. The coordination changes, deactivates and reactivates accounts
 * with the generic patch; what their owners change of them is
 * lib/users/profile.c. Who may call each route is in lib/api/routes.c.
 */
#include "users/users.h"

#include "auth/activate.h"
#include "auth/password.h"
#include "auth/session.h"
#include "authz/policy.h"
#include "cache/cache.h"
#include "db/db.h"
#include "http/idempotency.h"
#include "resource/resource.h"
#include "users/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const roles[] = {"mayor", "representative", "secretariat", "forum_member", NULL};

/* What a create may send, and what the coordination may change. The rest is
 * the server's: the password is the person's own, chosen on activation (the
 * types of read-only fields are never used). Which fields a role requires or
 * forbids is user_rules. */
static const struct res_field user_fields[] = {
    RES_FIELD("id", RES_ID, 0),
    RES_FIELD("name", RES_TEXT, RF_WRITE | RF_REQUIRED, .max = 200),
    RES_FIELD("email", RES_EMAIL, RF_WRITE | RF_REQUIRED),
    RES_FIELD("cpf", RES_CPF, RF_CREATE | RF_NULLABLE),
    RES_FIELD("phone", RES_PHONE, RF_WRITE | RF_NULLABLE),
    RES_FIELD("position", RES_TEXT, RF_CREATE | RF_NULLABLE, .max = 200),
    RES_FIELD("role", RES_ENUM, RF_CREATE | RF_REQUIRED, .values = roles),
    RES_FIELD("municipality_id", RES_IBGE, RF_CREATE | RF_NULLABLE),
    RES_FIELD("secretariat_area", RES_ENUM, RF_CREATE | RF_NULLABLE, .values = policy_areas),
    RES_FIELD("active", RES_BOOL, RF_PATCH),
    RES_FIELD("password", RES_TEXT, 0),
    RES_FIELD("invitation", RES_TEXT, 0),
    RES_FIELD("created_at", RES_TIMESTAMP, 0),
    RES_FIELD("updated_at", RES_TIMESTAMP, 0),
    RES_FIELD("invitation_hash", RES_TEXT, RF_INTERNAL),
    RES_FIELD("invitation_expires_at", RES_TIMESTAMP, RF_INTERNAL),
    RES_END,
};

static const struct res_filter user_filters[] = {
    {.name = "role", .type = RES_ENUM, .values = roles},
    {.name = "municipality_id", .type = RES_IBGE},
    {.name = "secretariat_area", .type = RES_ENUM, .values = policy_areas},
    {.name = "active", .type = RES_BOOL},
    {.name = NULL},
};

/* The prepare hook of a patch: nobody deactivates their own account, and
 * deactivating an account also withdraws an invitation not yet used, so that
 * activating it cannot undo the deactivation. */
static bool deactivation(struct request *req, struct res_write *w)
{
    if (w->create || !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(w->doc, "active")))
        return true;
    if (strcmp(w->key, req->who.user_id_str) == 0)
        field_error(&w->errors, "active", "you cannot deactivate your own account");
    cJSON_AddNullToObject(w->doc, "invitation_hash");
    cJSON_AddNullToObject(w->doc, "invitation_expires_at");
    return true;
}

static struct resource user = {
    .entity = "user",
    .table = "users",
    .key = "id",
    .key_type = RES_ID,
    .view = "user_view",
    .snapshot = "user_snapshot",
    .rules = "user_rules",
    .matches = "user_matches",
    .list_name = "users",
    .fields = user_fields,
    .filters = user_filters,
    .hooks = {.prepare = deactivation},
    .unique_title = "E-mail already in use",
    .unique_detail = "Another account already uses this e-mail address.",
};

/* $1 the validated document, $2 the password's hash, $3 the invitation's. */
static const struct db_stmt STMT_USER_INSERT = {
    .name = "user_insert",
    .sql = "SELECT t.id, user_view(t, NULL), user_snapshot(t), pacto_ts(t.invitation_expires_at)"
           "  FROM user_insert($1::jsonb, $2, $3) t",
};

/* A new invitation for an account that never set its password: the first one
 * expired or was lost, and stops working. $3 the invitation's hash. */
static const struct res_action invite = {
    .name = "invite",
    .stmt =
        {
            .name = "user_invite",
            .sql = "WITH t AS (UPDATE users t"
                   "   SET invitation_hash = $3, invitation_expires_at = invitation_expiry(now()),"
                   "       version = t.version + 1, updated_at = now()"
                   " WHERE t.id = $2 AND t.password_hash IS NULL RETURNING t.*)"
                   " SELECT t.id, t.version, user_view(t::users, $1::pacto_viewer),"
                   "        user_snapshot(t::users), pacto_ts(t.invitation_expires_at) FROM t",
        },
    .conflict_title = "Account already activated",
    .conflict_detail = "This account has set its password; reactivate it with PATCH "
                       "/v1/users/{user_id} instead.",
};

/* The fields of `in` as a create document, checked like the body of POST
 * /v1/users: errors go to e. Returns the document (cJSON_Delete it). */
static cJSON *input_doc(const struct user_input *in, struct field_errors *e)
{
    const struct {
        const char *name, *value;
    } given[] = {{"name", in->name},
                 {"email", in->email},
                 {"cpf", in->cpf},
                 {"phone", in->phone},
                 {"position", in->position},
                 {"role", in->role},
                 {"municipality_id", in->municipality_id},
                 {"secretariat_area", in->secretariat_area}};
    cJSON *body = cJSON_CreateObject();
    if (!body)
        abort(); /* as buf.h: no sane answer without memory */
    for (size_t i = 0; i < sizeof given / sizeof given[0]; i++)
        if (given[i].value)
            cJSON_AddStringToObject(body, given[i].name, given[i].value);
    struct res_write w = {.res = &user, .create = true, .errors = *e};
    resource_validate(&user, body, true, &w);
    *e = w.errors;
    cJSON_Delete(body);
    return w.doc;
}

/* Inserts the account `doc` (validated) with its audit event in the
 * transaction open on db, after the rules that need the stored data (see
 * users_insert for the outputs). password_hash and inv: exactly one. */
static enum user_create_status insert_account(struct db_conn *db, const struct audit_actor *actor,
                                              const cJSON *doc, const char *password_hash,
                                              const struct auth_invitation *inv,
                                              struct field_errors *e, struct buf *json_out,
                                              char id_out[24])
{
    char *text = cJSON_PrintUnformatted(doc);
    if (!text)
        abort();
    enum user_create_status st = USER_DB_ERROR;
    PGresult *r = NULL;
    if (!resource_check_rules(db, &user, text, e)) {
        /* USER_DB_ERROR */
    } else if (e->count) {
        st = USER_INVALID;
    } else {
        const char *params[] = {text, password_hash, inv ? inv->hash : NULL};
        if (!(r = db_exec(db, &STMT_USER_INSERT, 3, params))) {
            if (db_last_error(db) == DB_UNIQUE_VIOLATION)
                st = USER_EMAIL_TAKEN;
        } else if (audit_record(db, actor, "create", user.entity, PQgetvalue(r, 0, 0), NULL,
                                PQgetvalue(r, 0, 2))) {
            snprintf(id_out, 24, "%s", PQgetvalue(r, 0, 0));
            buf_puts(json_out, PQgetvalue(r, 0, 1));
            if (inv)
                auth_invitation_add(json_out, inv, PQgetvalue(r, 0, 3));
            st = USER_CREATED;
        }
    }
    PQclear(r);
    cJSON_free(text);
    return st;
}

enum user_create_status users_insert(struct db_conn *db, const struct audit_actor *actor,
                                     const struct user_input *in, struct field_errors *e,
                                     struct buf *json_out, char id_out[24])
{
    cJSON *doc = input_doc(in, e);
    if (in->password)
        field_error(e, "password", "may not be set");
    else if (!in->invitation)
        field_error(e, "password", "is required");
    enum user_create_status st =
        e->count ? USER_INVALID
                 : insert_account(db, actor, doc, NULL, in->invitation, e, json_out, id_out);
    cJSON_Delete(doc);
    return st;
}

enum user_create_status users_create(struct db_conn *db, const struct audit_actor *actor,
                                     const struct user_input *in, struct field_errors *e,
                                     struct buf *json_out, char id_out[24])
{
    cJSON *doc = input_doc(in, e);
    const char *why;
    if (in->invitation && in->password)
        field_error(e, "password", "may not be set");
    else if (!in->invitation &&
             (why = in->password ? password_policy_error(in->password) : "is required"))
        field_error(e, "password", why);
    char hash[PASSWORD_HASH_MAX];
    enum user_create_status st = USER_DB_ERROR;
    if (e->count)
        st = USER_INVALID;
    else if ((in->password && !password_hash(in->password, hash)) || !db_begin(db))
        st = USER_DB_ERROR;
    else if ((st = insert_account(db, actor, doc, in->password ? hash : NULL, in->invitation, e,
                                  json_out, id_out)) != USER_CREATED)
        db_rollback(db);
    cJSON_Delete(doc);
    return st;
}

void users_create_endpoint(struct request *req)
{
    cJSON *body = req_keep_json(req, req_json_object(req, false));
    if (!body)
        return;
    struct res_write w = {.res = &user, .create = true};
    resource_validate(&user, body, true, &w);
    req_keep_json(req, w.doc);
    /* A forum member's account comes with its seat in a cycle's forum, which
     * says what it may do: it is made with the member (lib/forum). */
    const char *role = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w.doc, "role"));
    if (role && strcmp(role, "forum_member") == 0)
        field_error(&w.errors, "role",
                    "forum members' accounts are made with their seat: POST "
                    "/v1/cycles/{cycle_id}/forum-members with an email");
    struct auth_invitation invitation;
    struct audit_actor actor = audit_actor_of(req);
    struct buf json = {0};
    char id[24];
    enum user_create_status st = USER_INVALID;
    if (w.errors.count) {
        /* USER_INVALID, before any database work */
    } else if (!auth_invitation_new(&invitation)) {
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
        return;
    } else if (!req_db(req)) {
        return;
    } else {
        st = db_begin(req->db)
                 ? insert_account(req->db, &actor, w.doc, NULL, &invitation, &w.errors, &json, id)
                 : USER_DB_ERROR;
    }
    switch (st) {
    case USER_CREATED:
        resp_header(req, "Location", "/v1/users/%s", id);
        resp_etag(req, "1"); /* a new account's version */
        /* A retry under the same Idempotency-Key gets the invitation without
         * its token, which is never stored: POST /v1/users/{id}/invitation
         * makes a new one. */
        users_redact_token(&req->replay_body, buf_cstr(&json), invitation.token);
        resp_json_buf(req, 201, &json);
        req_commit(req);
        break;
    case USER_INVALID:
        resp_validation(req, &w.errors, NULL);
        break;
    case USER_EMAIL_TAKEN:
        resp_problem(req, 409, "conflict", user.unique_title, user.unique_detail);
        break;
    case USER_DB_ERROR:
        resp_db_error(req);
        break;
    }
    field_errors_free(&w.errors);
    buf_free(&json);
}

void users_redact_token(struct buf *out, const char *json, const char *token)
{
    char quoted[AUTH_INVITATION_TOKEN_LEN + 3];
    snprintf(quoted, sizeof quoted, "\"%s\"", token);
    const char *at = strstr(json, quoted);
    if (!at)
        return;
    buf_append(out, json, (size_t)(at - json));
    buf_puts(out, "null");
    buf_puts(out, at + strlen(quoted));
}

void users_get(struct request *req) { resource_get(req, &user); }
void users_list(struct request *req) { resource_list(req, &user); }
void users_me(struct request *req) { resource_show(req, &user, req->who.user_id_str); }

/* After a change of account `id` answered 200: the NOTIFY trigger evicts the
 * account from every server's cache once the change commits; this server
 * forgets it now as well, so that a deactivated user's very next request
 * here is refused (SPEC 5). Forgetting an unchanged account only costs a
 * read. */
static void forget_session(const struct request *req, const char *id)
{
    if (req->status == 200 && id)
        cache_evict(session_cache(), id);
}

void users_update(struct request *req)
{
    resource_patch(req, &user);
    forget_session(req, resource_path_key(req, &user));
}

void users_me_update(struct request *req)
{
    profile_update(req);
    forget_session(req, req->who.user_id_str);
}

void users_invite(struct request *req)
{
    struct auth_invitation inv;
    if (!auth_invitation_new(&inv)) {
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
        return;
    }
    const char *params[] = {inv.hash};
    PGresult *r = resource_action(req, &user, &invite, 1, params);
    if (!r)
        return;
    struct buf json = {0};
    buf_puts(&json, PQgetvalue(r, 0, 2));
    auth_invitation_add(&json, &inv, PQgetvalue(r, 0, 4));
    resp_etag(req, PQgetvalue(r, 0, 1));
    resp_json_buf(req, 200, &json);
    req_commit(req);
}
