/*
 * The caller's own account (see profile.h), declared once as a resource: what
 * its owner may change, a representative's position included. Its JSON and
 * audit snapshot are every account's (user_view, user_snapshot:
 * sql/010_users_audit.sql); the write is the generic patch.
 *
 * A password change verifies the current password and hashes the new one
 * while the request holds no database connection (Argon2 takes tens of
 * milliseconds): the prepare hook reads the account's hash, gives the
 * connection back and works on the passwords; the generic patch then locks
 * the account, and the check hook lets the write go ahead only if the hash
 * is still the one verified.
 */
#include "users/profile.h"

#include "auth/password.h"
#include "authz/policy.h"
#include "db/db.h"
#include "resource/resource.h"

#include <assert.h>
#include <stdlib.h>

/* What the owner sees of their account and may change (the types of
 * read-only fields only document). The new password's hash is what is
 * stored; the passwords themselves never reach the database. */
static const struct res_field profile_fields[] = {
    RES_FIELD("id", RES_ID, 0),
    RES_FIELD("name", RES_TEXT, RF_PATCH, .max = 200),
    RES_FIELD("email", RES_EMAIL, RF_PATCH),
    RES_FIELD("cpf", RES_CPF, 0),
    RES_FIELD("phone", RES_PHONE, RF_PATCH | RF_NULLABLE),
    /* A representative completes their own data (SPEC 1, step 3). */
    RES_FIELD("position", RES_TEXT, RF_PATCH, .max = 200, .writers = ROLE_REPRESENTATIVE),
    RES_FIELD("role", RES_TEXT, 0),
    RES_FIELD("municipality_id", RES_IBGE, 0),
    RES_FIELD("secretariat_area", RES_TEXT, 0),
    RES_FIELD("active", RES_BOOL, 0),
    RES_FIELD("created_at", RES_TIMESTAMP, 0),
    RES_FIELD("updated_at", RES_TIMESTAMP, 0),
    RES_FIELD("password", RES_SECRET, RF_PATCH | RF_VIRTUAL, .check = password_policy_error),
    RES_FIELD("current_password", RES_SECRET, RF_PATCH | RF_VIRTUAL),
    RES_FIELD("password_hash", RES_TEXT, RF_INTERNAL),
    RES_END,
};

/* $1 the account: what a password change verifies against, read before the
 * row is locked. */
static const struct db_stmt STMT_PROFILE_PASSWORD = {
    .name = "profile_password",
    .sql = "SELECT version, password_hash FROM users WHERE id = $1",
};

/* $1 the account (locked), $2 the hash verified: a row while it is still
 * the account's. */
static const struct db_stmt STMT_PROFILE_SAME_PASSWORD = {
    .name = "profile_same_password",
    .sql = "SELECT 1 FROM users WHERE id = $1 AND password_hash = $2",
};

/* What the prepare hook leaves for the check hook when a password change was
 * asked for. */
struct password_change {
    const char *verified; /* the hash current_password matched, or NULL */
};

static const char *doc_string(const struct res_write *w, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w->doc, name));
}

/* Reads the account's password hash without a lock, gives the connection
 * back, checks current_password against the hash and puts the new
 * password's hash into the document. When there is no such account or
 * If-Match names another version, nothing is verified: the lock answers 404
 * or 412. Returns false after answering: 500, or the database's error. */
static bool rehash(struct request *req, struct res_write *w, struct password_change *pc)
{
    const char *params[] = {w->key};
    const PGresult *row = req_exec(req, &STMT_PROFILE_PASSWORD, 1, params);
    assert(!req->idempotency_locked); /* PATCH is not idempotent: the connection is free */
    db_release(req->db);
    req->db = NULL;
    if (!row)
        return false;
    if (PQntuples(row) == 0 || !req_if_match(req, PQgetvalue(row, 0, 0)))
        return true;
    const char *hash = PQgetisnull(row, 0, 1) ? NULL : PQgetvalue(row, 0, 1);
    char new_hash[PASSWORD_HASH_MAX];
    if (!password_verify(hash, doc_string(w, "current_password"))) {
        field_error(&w->errors, "current_password", "is not your current password");
        return true;
    }
    if (!password_hash(doc_string(w, "password"), new_hash)) {
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
        return false;
    }
    pc->verified = hash; /* row is the request's until it ends */
    cJSON_AddStringToObject(w->doc, "password_hash", new_hash);
    return true;
}

/* The prepare hook: password and current_password come together, and with
 * every field valid, the password work is done (rehash). */
static bool read_passwords(struct request *req, struct res_write *w)
{
    bool password = cJSON_GetObjectItemCaseSensitive(w->body, "password") != NULL;
    bool current = cJSON_GetObjectItemCaseSensitive(w->body, "current_password") != NULL;
    if (password && !current)
        field_error(&w->errors, "current_password", "is required to change the password");
    else if (!password && current)
        field_error(&w->errors, "current_password", "is only used with password");
    if (!password || w->errors.count)
        return true;
    struct password_change *pc = req_defer(req, free, calloc(1, sizeof *pc));
    if (!pc)
        abort(); /* as buf.h: no sane answer without memory */
    w->hook_data = pc;
    return rehash(req, w, pc);
}

/* The check hook, with the account locked: a new password verified against
 * a hash that has changed since (another change came first) is not written. */
static bool password_unchanged(struct request *req, struct res_write *w)
{
    const struct password_change *pc = w->hook_data;
    if (!pc)
        return true;
    if (pc->verified) {
        const char *params[] = {w->key, pc->verified};
        const PGresult *r = req_exec(req, &STMT_PROFILE_SAME_PASSWORD, 2, params);
        if (!r || PQntuples(r) == 1)
            return r != NULL;
    }
    resp_problem(req, 409, "conflict", "Password changed meanwhile",
                 "The password was changed while this request was processed; send it "
                 "again with the current password.");
    return false;
}

static struct resource profile = {
    .entity = "user",
    .name = "profile",
    .table = "users",
    .key = "id",
    .key_type = RES_ID,
    .view = "user_view",
    .snapshot = "user_snapshot",
    .fields = profile_fields,
    .hooks = {.prepare = read_passwords, .check = password_unchanged},
    .unique_title = "E-mail already in use",
    .unique_detail = "Another account already uses this e-mail address.",
};

void profile_update(struct request *req)
{
    resource_patch_item(req, &profile, req->who.user_id_str);
}
