/*
 * Account changes (see profile.h).
 *
 * A password change verifies the current password and hashes the new one
 * while the request holds no database connection (Argon2 takes tens of
 * milliseconds): the account is read, the connection given back, the
 * passwords worked on, and the account locked again for the write, which
 * goes ahead only if the password hash is still the one verified.
 */
#include "users/profile.h"

#include "audit/audit.h"
#include "auth/password.h"
#include "auth/session.h"
#include "cache/cache.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "users/users.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static const struct db_stmt STMT_PROFILE_LOCK = {
    .name = "profile_lock",
    .sql = "SELECT user_json(u, false), version, name, email, phone, active, password_hash,"
           "       position"
           "  FROM users u WHERE id = $1 FOR UPDATE",
};

/* Deactivating an account ($9) also withdraws an invitation not yet used,
 * so that activating it cannot undo the deactivation. */
static const struct db_stmt STMT_PROFILE_UPDATE = {
    .name = "profile_update",
    .sql = "UPDATE users u"
           "   SET name = $2, email = $3, phone = $4, active = $5, password_hash = $6,"
           "       position = $8,"
           "       invitation_hash = CASE WHEN NOT $9 THEN invitation_hash END,"
           "       invitation_expires_at = CASE WHEN NOT $9 THEN invitation_expires_at END,"
           "       version = version + 1, updated_at = now()"
           " WHERE id = $1"
           "   AND (name, email, phone, active, password_hash, position,"
           "        $9 AND invitation_hash IS NOT NULL)"
           "       IS DISTINCT FROM ($2, $3, $4, $5::boolean, $6, $8, false)"
           " RETURNING user_json(u, false), version, user_json(u, $7)",
};

/* What a password change verifies against, read before the row is locked. */
static const struct db_stmt STMT_PROFILE_PASSWORD = {
    .name = "profile_password",
    .sql = "SELECT version, password_hash FROM users WHERE id = $1",
};

static const struct db_stmt STMT_PROFILE_SHOW = {
    .name = "profile_show",
    .sql = "SELECT user_json(u, $2) FROM users u WHERE id = $1",
};

struct profile_patch {
    enum field_state name_st, email_st, phone_st, position_st, active_st, password_st;
    const char *name, *email, *phone, *position, *password, *current_password;
    bool active;
};

static bool read_patch(struct request *req, const cJSON *body, enum profile_mode mode,
                       const char *id, struct profile_patch *p)
{
    static const char *const self_allowed[] = {
        "name", "email", "phone", "password", "current_password", NULL};
    /* A representative completes their own data, position included (SPEC 1, step 3). */
    static const char *const representative_allowed[] = {
        "name", "email", "phone", "position", "password", "current_password", NULL};
    static const char *const coord_allowed[] = {"name", "email", "phone", "active", NULL};
    static const char *const readonly[] = {
        "id",  "role",       "active",     "municipality_id", "secretariat_area",
        "cpf", "created_at", "updated_at", "password",        "position",
        NULL};
    struct field_errors e = {0};
    const char *const *allowed = coord_allowed;
    if (mode == PROFILE_BY_SELF)
        allowed =
            strcmp(req->who.role, "representative") == 0 ? representative_allowed : self_allowed;
    fields_only(body, allowed, readonly, &e);
    p->name_st = field_string(body, "name", 200, &p->name, &e);
    p->email_st = field_string(body, "email", 254, &p->email, &e);
    p->phone_st = field_string(body, "phone", 32, &p->phone, &e);
    p->position_st = field_string(body, "position", 200, &p->position, &e);
    p->active_st =
        mode == PROFILE_BY_COORDINATION ? field_bool(body, "active", &p->active, &e) : FIELD_ABSENT;
    const char *why;
    if (p->name_st == FIELD_NULL)
        field_error(&e, "name", "may not be null");
    if (p->email_st == FIELD_NULL)
        field_error(&e, "email", "may not be null");
    else if (p->email_st == FIELD_SET && (why = users_email_problem(p->email)))
        field_error(&e, "email", why);
    if (p->phone_st == FIELD_SET && (why = users_phone_problem(p->phone)))
        field_error(&e, "phone", why);
    if (p->position_st == FIELD_NULL)
        field_error(&e, "position", "may not be null");
    if (p->active_st == FIELD_NULL)
        field_error(&e, "active", "may not be null");
    if (p->active_st == FIELD_SET && !p->active && strcmp(id, req->who.user_id_str) == 0)
        field_error(&e, "active", "you cannot deactivate your own account");
    p->password_st = FIELD_ABSENT;
    if (mode == PROFILE_BY_SELF) {
        const cJSON *pw = cJSON_GetObjectItemCaseSensitive(body, "password");
        const cJSON *cur = cJSON_GetObjectItemCaseSensitive(body, "current_password");
        if (pw) {
            p->password_st = FIELD_SET;
            p->password = cJSON_IsString(pw) ? pw->valuestring : NULL;
            p->current_password = cJSON_IsString(cur) ? cur->valuestring : NULL;
            if (!p->password || (why = password_policy_error(p->password)))
                field_error(&e, "password", p->password ? why : "must be a string");
            if (!p->current_password)
                field_error(&e, "current_password", "is required to change the password");
        } else if (cur) {
            field_error(&e, "current_password", "is only used with password");
        }
    }
    if (e.count) {
        resp_validation(req, &e, NULL);
        return false;
    }
    return true;
}

/* Writes the patched row in the open transaction and answers. */
static void write_patch(struct request *req, const char *id, const struct profile_patch *p,
                        const PGresult *cur, const char *new_hash)
{
    const char *show_cpf = strcmp(id, req->who.user_id_str) == 0 ? "true" : "false";
    const char *active =
        p->active_st == FIELD_SET ? (p->active ? "true" : "false") : PQgetvalue(cur, 0, 5);
    const char *params[] = {id,
                            field_merge(p->name_st, p->name, cur, 2),
                            field_merge(p->email_st, p->email, cur, 3),
                            field_merge(p->phone_st, p->phone, cur, 4),
                            active,
                            new_hash ? new_hash : field_merge(FIELD_ABSENT, NULL, cur, 6),
                            show_cpf,
                            field_merge(p->position_st, p->position, cur, 7),
                            p->active_st == FIELD_SET && !p->active ? "true" : "false"};
    PGresult *r = db_exec(req->db, &STMT_PROFILE_UPDATE, 9, params);
    if (!r) {
        if (db_last_error(req->db) == DB_UNIQUE_VIOLATION)
            resp_problem(req, 409, "conflict", "E-mail already in use",
                         "Another account already uses this e-mail address.");
        else
            resp_db_error(req);
        return;
    }
    if (PQntuples(r) == 1) {
        struct audit_actor actor = audit_actor_of(req);
        if (!audit_record(req->db, &actor, "update", "user", id, PQgetvalue(cur, 0, 0),
                          PQgetvalue(r, 0, 0))) {
            resp_db_error(req);
        } else {
            resp_header(req, "ETag", "\"%s\"", PQgetvalue(r, 0, 1));
            resp_json(req, 200, PQgetvalue(r, 0, 2), strlen(PQgetvalue(r, 0, 2)));
            /* The NOTIFY trigger evicts the account from every server's cache;
             * this server forgets it now as well, so that a deactivated user's
             * very next request here is refused (SPEC 5). */
            if (req_commit(req))
                cache_evict(session_cache(), id);
        }
        PQclear(r);
        return;
    }
    PQclear(r);
    /* Nothing changed: answer the account as it is. */
    const char *show[] = {id, show_cpf};
    r = db_exec(req->db, &STMT_PROFILE_SHOW, 2, show);
    if (!r) {
        resp_db_error(req);
        return;
    }
    resp_header(req, "ETag", "\"%s\"", PQgetvalue(cur, 0, 1));
    resp_json(req, 200, PQgetvalue(r, 0, 0), strlen(PQgetvalue(r, 0, 0)));
    PQclear(r);
}

/* For a password change: reads the account's password hash without a lock,
 * gives the connection back, checks current_password against the hash and
 * hashes the new password into new_hash. *verified is then the row read
 * (PQclear it), or NULL when there is no such account or If-Match names
 * another version, which the write's req_lock_row answers as usual. Returns
 * false after answering: 422 for a wrong current password, 500, or the
 * database's error. */
static bool new_password(struct request *req, const char *id, const struct profile_patch *p,
                         PGresult **verified, char new_hash[PASSWORD_HASH_MAX])
{
    *verified = NULL;
    const char *params[] = {id};
    if (!req_db(req))
        return false;
    PGresult *row = db_exec(req->db, &STMT_PROFILE_PASSWORD, 1, params);
    if (!row)
        resp_db_error(req);
    assert(!req->idempotency_locked);
    db_release(req->db);
    req->db = NULL;
    if (!row)
        return false;
    bool ok = true;
    if (PQntuples(row) == 0 || !req_if_match(req, PQgetvalue(row, 0, 0))) {
        /* the write answers 404 or 412 */
    } else if (!password_verify(PQgetisnull(row, 0, 1) ? NULL : PQgetvalue(row, 0, 1),
                                p->current_password)) {
        struct field_errors e = {0};
        field_error(&e, "current_password", "is not your current password");
        resp_validation(req, &e, NULL);
        ok = false;
    } else if (!password_hash(p->password, new_hash)) {
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
        ok = false;
    } else {
        *verified = row;
        return true;
    }
    PQclear(row);
    return ok;
}

/* True when the locked row `cur` still has the password hash that was
 * verified, so the verification holds for the write. */
static bool same_password(const PGresult *verified, const PGresult *cur)
{
    return verified && !PQgetisnull(verified, 0, 1) && !PQgetisnull(cur, 0, 6) &&
           strcmp(PQgetvalue(verified, 0, 1), PQgetvalue(cur, 0, 6)) == 0;
}

void profile_update(struct request *req, const char *id, enum profile_mode mode)
{
    cJSON *body = req_json_object(req, true);
    if (!body)
        return;
    struct profile_patch p;
    char hash[PASSWORD_HASH_MAX];
    PGresult *verified = NULL, *cur = NULL;
    const char *params[] = {id};
    bool patched = read_patch(req, body, mode, id, &p);
    bool change_password = patched && p.password_st == FIELD_SET;
    if (!patched || (change_password && !new_password(req, id, &p, &verified, hash)) ||
        !(cur = req_lock_row(req, &STMT_PROFILE_LOCK, 1, params, 1))) {
        /* answered */
    } else if (change_password && !same_password(verified, cur)) {
        resp_problem(req, 409, "conflict", "Password changed meanwhile",
                     "The password was changed while this request was processed; send it "
                     "again with the current password.");
    } else {
        write_patch(req, id, &p, cur, change_password ? hash : NULL);
    }
    PQclear(verified);
    PQclear(cur);
    cJSON_Delete(body);
}
