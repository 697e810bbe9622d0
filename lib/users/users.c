/*
 * Account management by the coordination (see users.h).
 */
#include "users/users.h"

#include "auth/activate.h"
#include "auth/password.h"
#include "auth/session.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/query.h"
#include "users/profile.h"
#include "validate/cpf.h"
#include "validate/ibge.h"

#include <stdio.h>
#include <string.h>

static const struct db_stmt STMT_USER_MUNICIPALITY = {
    .name = "user_municipality",
    .sql = "SELECT mayor_cpf FROM municipalities WHERE ibge_code = $1",
};

static const struct db_stmt STMT_USER_INSERT = {
    .name = "user_insert",
    .sql = "INSERT INTO users AS u (name, email, cpf, phone, position, role, municipality_id,"
           "                        secretariat_area, password_hash, active, invitation_hash,"
           "                        invitation_expires_at)"
           " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text IS NULL, $10,"
           "         CASE WHEN $10::text IS NOT NULL THEN invitation_expiry(now()) END)"
           " RETURNING id, user_json(u, false), version, pacto_ts(invitation_expires_at)",
};

static const struct db_stmt STMT_USER_GET = {
    .name = "user_get",
    .sql = "SELECT user_json(u, u.id = $2), version FROM users u WHERE id = $1",
};

static const struct db_stmt STMT_USER_LIST = {
    .name = "user_list",
    .sql = "SELECT id, user_json(u, u.id = $6) FROM users u"
           " WHERE ($1::text IS NULL OR role = $1)"
           "   AND ($2::text IS NULL OR municipality_id = $2)"
           "   AND ($3::text IS NULL OR secretariat_area = $3)"
           "   AND ($4::boolean IS NULL OR active = $4)"
           "   AND ($5::bigint IS NULL OR id > $5)"
           " ORDER BY id LIMIT $7",
};

static const struct db_stmt STMT_USER_INVITE_LOCK = {
    .name = "user_invite_lock",
    .sql = "SELECT user_json(u, false), version, password_hash IS NOT NULL"
           "  FROM users u WHERE id = $1 FOR UPDATE",
};

static const struct db_stmt STMT_USER_INVITE = {
    .name = "user_invite",
    .sql = "UPDATE users u"
           "   SET invitation_hash = $2, invitation_expires_at = invitation_expiry(now()),"
           "       version = version + 1, updated_at = now()"
           " WHERE id = $1"
           " RETURNING user_json(u, false), pacto_ts(invitation_expires_at), version",
};

static const char *const roles[] = {"mayor", "representative", "secretariat", NULL};
static const char *const areas[] = {"coordination", "health",  "education",
                                    "security",     "economy", NULL};

static bool one_of(const char *s, const char *const *set)
{
    for (; s && *set; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

const char *users_phone_problem(const char *s)
{
    if (strspn(s, "0123456789 +-().") != strlen(s))
        return "may hold only digits, spaces and + - ( ) .";
    return NULL;
}

const char *users_email_problem(const char *s)
{
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n < 3 || n > 254 || !at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
        at[1] == '.' || s[n - 1] == '.' || strpbrk(s, " \t\r\n\"<>,;()[]\\"))
        return "is not an e-mail address";
    return NULL;
}

static void validate_input(const struct user_input *in, char cpf[12], struct field_errors *e)
{
    const char *why;
    if (!in->name)
        field_error(e, "name", "is required");
    if (!in->email)
        field_error(e, "email", "is required");
    else if ((why = users_email_problem(in->email)))
        field_error(e, "email", why);
    if (!in->role || !one_of(in->role, roles)) {
        field_error(e, "role", "must be mayor, representative or secretariat");
        return;
    }
    if (in->invitation && in->password)
        field_error(e, "password", "may not be set");
    else if (!in->invitation &&
             (why = in->password ? password_policy_error(in->password) : "is required"))
        field_error(e, "password", why);
    if (in->cpf && !cpf_normalize(in->cpf, cpf))
        field_error(e, "cpf", "is not a valid CPF");
    if (in->phone && (why = users_phone_problem(in->phone)))
        field_error(e, "phone", why);
    if (in->position && strcmp(in->role, "representative") != 0)
        field_error(e, "position", "is only for representatives");
    bool secretariat = strcmp(in->role, "secretariat") == 0;
    if (secretariat && !one_of(in->secretariat_area, areas))
        field_error(e, "secretariat_area",
                    "must be coordination, health, education, security or economy");
    if (!secretariat && in->secretariat_area)
        field_error(e, "secretariat_area", "is only for secretariat users");
    if (secretariat && in->municipality_id)
        field_error(e, "municipality_id", "is not for secretariat users");
    if (!secretariat && (!in->municipality_id || !ibge_code_is_valid(in->municipality_id)))
        field_error(e, "municipality_id", "must be the IBGE code of the user's municipality");
    if (strcmp(in->role, "mayor") == 0 && !in->cpf)
        field_error(e, "cpf", "is required for a mayor");
}

/* The municipality must exist, and a mayor's CPF must be its registered mayor's. */
static bool check_municipality(struct db_conn *db, const struct user_input *in, const char *cpf,
                               struct field_errors *e)
{
    if (!in->municipality_id)
        return true;
    const char *params[] = {in->municipality_id};
    PGresult *r = db_exec(db, &STMT_USER_MUNICIPALITY, 1, params);
    if (!r)
        return false;
    if (PQntuples(r) == 0)
        field_error(e, "municipality_id", "is not a registered municipality");
    else if (strcmp(in->role, "mayor") == 0 && !PQgetisnull(r, 0, 0) &&
             strcmp(PQgetvalue(r, 0, 0), cpf) != 0)
        field_error(e, "cpf", "must be the municipality's registered mayor CPF");
    PQclear(r);
    return true;
}

enum user_create_status users_insert(struct db_conn *db, const struct audit_actor *actor,
                                     const struct user_input *in, struct field_errors *e,
                                     struct buf *json_out, char id_out[24])
{
    char cpf[12] = "";
    validate_input(in, cpf, e);
    if (!e->count && !check_municipality(db, in, cpf, e))
        return USER_DB_ERROR;
    if (e->count)
        return USER_INVALID;
    char hash[PASSWORD_HASH_MAX];
    if (in->password && !password_hash(in->password, hash))
        return USER_DB_ERROR;
    const char *params[] = {in->name,
                            in->email,
                            cpf[0] ? cpf : NULL,
                            in->phone,
                            in->position,
                            in->role,
                            in->municipality_id,
                            in->secretariat_area,
                            in->password ? hash : NULL,
                            in->invitation ? in->invitation->hash : NULL};
    PGresult *r = db_exec(db, &STMT_USER_INSERT, 10, params);
    if (!r)
        return db_last_error(db) == DB_UNIQUE_VIOLATION ? USER_EMAIL_TAKEN : USER_DB_ERROR;
    snprintf(id_out, 24, "%s", PQgetvalue(r, 0, 0));
    buf_puts(json_out, PQgetvalue(r, 0, 1));
    bool recorded = audit_record(db, actor, "create", "user", id_out, NULL, buf_cstr(json_out));
    if (recorded && in->invitation)
        auth_invitation_add(json_out, in->invitation, PQgetvalue(r, 0, 3));
    PQclear(r);
    return recorded ? USER_CREATED : USER_DB_ERROR;
}

enum user_create_status users_create(struct db_conn *db, const struct audit_actor *actor,
                                     const struct user_input *in, struct field_errors *e,
                                     struct buf *json_out, char id_out[24])
{
    if (!db_begin(db))
        return USER_DB_ERROR;
    enum user_create_status st = users_insert(db, actor, in, e, json_out, id_out);
    if (st != USER_CREATED)
        db_rollback(db);
    return st;
}

void users_create_endpoint(struct request *req)
{
    static const char *const allowed[] = {
        "name", "email", "cpf", "phone", "position", "role", "municipality_id", "secretariat_area",
        NULL};
    static const char *const readonly[] = {"id",       "active",     "created_at", "updated_at",
                                           "password", "invitation", NULL};
    cJSON *body = req_json_object(req, false);
    if (!body)
        return;
    struct field_errors e = {0};
    fields_only(body, allowed, readonly, &e);
    struct user_input in = {0};
    field_string(body, "name", 200, &in.name, &e);
    field_string(body, "email", 254, &in.email, &e);
    field_string(body, "cpf", 14, &in.cpf, &e);
    field_string(body, "phone", 32, &in.phone, &e);
    field_string(body, "position", 200, &in.position, &e);
    field_string(body, "role", 32, &in.role, &e);
    field_string(body, "municipality_id", 7, &in.municipality_id, &e);
    field_string(body, "secretariat_area", 32, &in.secretariat_area, &e);
    struct auth_invitation invitation;
    in.invitation = &invitation;
    struct db_conn *db = req_db(req);
    if (db && !auth_invitation_new(&invitation)) {
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
        db = NULL;
    }
    if (!db) {
        field_errors_free(&e);
        cJSON_Delete(body);
        return;
    }
    struct buf json = {0};
    char id[24];
    struct audit_actor actor = audit_actor_of(req);
    switch (e.count ? USER_INVALID : users_create(db, &actor, &in, &e, &json, id)) {
    case USER_CREATED:
        resp_header(req, "Location", "/v1/users/%s", id);
        resp_header(req, "ETag", "\"1\"");
        /* A retry under the same Idempotency-Key gets the invitation without
         * its token, which is never stored: POST /v1/users/{id}/invitation
         * makes a new one. */
        users_redact_token(&req->replay_body, buf_cstr(&json), invitation.token);
        resp_json_buf(req, 201, &json);
        req_commit(req);
        break;
    case USER_INVALID:
        resp_validation(req, &e, NULL);
        break;
    case USER_EMAIL_TAKEN:
        resp_problem(req, 409, "conflict", "E-mail already in use",
                     "Another account already uses this e-mail address.");
        break;
    case USER_DB_ERROR:
        resp_db_error(req);
        break;
    }
    field_errors_free(&e);
    buf_free(&json);
    cJSON_Delete(body);
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

/* Only the canonical form of an id: "01" would reach user 1 under another
 * name and slip past the checks that compare ids as text (such as "you
 * cannot deactivate your own account"). */
static bool is_user_id(const char *s)
{
    return *s >= '1' && *s <= '9' && strlen(s) <= 18 && strspn(s, "0123456789") == strlen(s);
}

/* Answers one account; its CPF is unmasked only for its owner. */
static void show_user(struct request *req, const char *id)
{
    static const char *const allowed[] = {NULL};
    struct query q;
    if (!query_parse(req, allowed, &q))
        return;
    struct db_conn *db = req_db(req);
    if (!db)
        return;
    const char *params[] = {id, req->who.user_id_str};
    PGresult *r = db_exec(db, &STMT_USER_GET, 2, params);
    if (!r) {
        resp_db_error(req);
        return;
    }
    if (PQntuples(r) == 1) {
        resp_header(req, "ETag", "\"%s\"", PQgetvalue(r, 0, 1));
        resp_json(req, 200, PQgetvalue(r, 0, 0), strlen(PQgetvalue(r, 0, 0)));
    } else {
        resp_not_found(req);
    }
    PQclear(r);
}

void users_get(struct request *req)
{
    const char *id = req_param(req, 0);
    if (is_user_id(id))
        show_user(req, id);
    else
        resp_not_found(req);
}

void users_list(struct request *req)
{
    static const char *const allowed[] = {
        "role", "municipality_id", "secretariat_area", "active", "limit", "cursor", NULL};
    struct query q;
    struct page page;
    bool has_active, active;
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, "users", &page) ||
        !query_bool(req, &q, "active", &has_active, &active))
        return;
    const char *role = query_get(&q, "role");
    const char *municipality = query_get(&q, "municipality_id");
    const char *area = query_get(&q, "secretariat_area");
    if (role && !one_of(role, roles)) {
        resp_bad_parameter(req, "role must be mayor, representative or secretariat.");
        return;
    }
    if (area && !one_of(area, areas)) {
        resp_bad_parameter(req, "secretariat_area is not a known area.");
        return;
    }
    if (municipality && !ibge_code_is_valid(municipality)) {
        resp_bad_parameter(req, "municipality_id must be an IBGE code.");
        return;
    }
    struct db_conn *db = req_db(req);
    if (!db)
        return;
    const char *params[] = {role,
                            municipality,
                            area,
                            has_active ? (active ? "true" : "false") : NULL,
                            page.after[0] ? page.after : NULL,
                            req->who.user_id_str,
                            page.limit_plus_one};
    PGresult *r = db_exec(db, &STMT_USER_LIST, 7, params);
    if (!r) {
        resp_db_error(req);
        return;
    }
    resp_page_rows(req, &page, r, 0, 1, NULL, 0);
    PQclear(r);
}

void users_update(struct request *req)
{
    const char *id = req_param(req, 0);
    if (!is_user_id(id)) {
        resp_not_found(req);
        return;
    }
    profile_update(req, id, PROFILE_BY_COORDINATION);
}

void users_me(struct request *req) { show_user(req, req->who.user_id_str); }

void users_me_update(struct request *req)
{
    profile_update(req, req->who.user_id_str, PROFILE_BY_SELF);
}

/* A new invitation for an account that was never activated: the first one
 * expired or was lost. The previous token stops working. */
void users_invite(struct request *req)
{
    static const char *const allowed[] = {NULL};
    struct query q;
    const char *id = req_param(req, 0);
    if (!query_parse(req, allowed, &q))
        return;
    if (!is_user_id(id)) {
        resp_not_found(req);
        return;
    }
    struct auth_invitation invitation;
    if (!auth_invitation_new(&invitation)) {
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
        return;
    }
    const char *params[] = {id, invitation.hash};
    PGresult *cur = req_lock_row(req, &STMT_USER_INVITE_LOCK, 1, params, 1);
    if (!cur)
        return;
    PGresult *r = NULL;
    struct audit_actor actor = audit_actor_of(req);
    if (strcmp(PQgetvalue(cur, 0, 2), "t") == 0) {
        resp_problem(req, 409, "conflict", "Account already activated",
                     "This account has set its password; reactivate it with PATCH "
                     "/v1/users/{user_id} instead.");
    } else if (!(r = db_exec(req->db, &STMT_USER_INVITE, 2, params)) ||
               !audit_record(req->db, &actor, "invite", "user", id, PQgetvalue(cur, 0, 0),
                             PQgetvalue(r, 0, 0))) {
        resp_db_error(req);
    } else {
        struct buf json = {0};
        buf_puts(&json, PQgetvalue(r, 0, 0));
        auth_invitation_add(&json, &invitation, PQgetvalue(r, 0, 1));
        resp_header(req, "ETag", "\"%s\"", PQgetvalue(r, 0, 2));
        resp_json_buf(req, 200, &json);
        req_commit(req);
    }
    PQclear(r);
    PQclear(cur);
}
