/*
 * Invitations and their activation (see activate.h). A used, unknown or
 * expired token gets one and the same answer, and failures count against the
 * client address in the login throttle, so tokens cannot be probed.
 *
 * The new password is hashed while the request holds no database connection
 * (Argon2 takes tens of milliseconds): the invitation is looked up, the
 * connection given back, the password hashed, and the account then locked
 * and checked again before it is written, so an invitation still works only
 * once when two activations race.
 */
#include "auth/activate.h"

#include "audit/audit.h"
#include "auth/login_limit.h"
#include "auth/password.h"
#include "auth/session.h"
#include "cache/cache.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/idempotency.h"

#include <assert.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

/* Whether the invitation is usable, before its password is hashed. */
static const struct db_stmt STMT_ACTIVATE_FIND = {
    .name = "activate_find",
    .sql = "SELECT 1 FROM users WHERE invitation_hash = $1 AND invitation_expires_at > now()",
};

/* The same condition under the row lock: a racing activation that committed
 * first has cleared invitation_hash, and this finds nothing. */
static const struct db_stmt STMT_ACTIVATE_LOCK = {
    .name = "activate_lock",
    .sql = "SELECT id, role, user_json(u, false) FROM users u"
           " WHERE invitation_hash = $1 AND invitation_expires_at > now() FOR UPDATE",
};

static const struct db_stmt STMT_ACTIVATE = {
    .name = "activate",
    .sql = "UPDATE users u"
           "   SET password_hash = $2, active = true, invitation_hash = NULL,"
           "       invitation_expires_at = NULL, version = version + 1, updated_at = now()"
           " WHERE id = $1"
           " RETURNING user_json(u, false), user_json(u, true), version",
};

bool auth_invitation_new(struct auth_invitation *inv)
{
    unsigned char raw[32];
    /* Standard base64 of 32 bytes is 44 characters with one '=' of padding. */
    unsigned char b64[48];
    if (RAND_bytes(raw, sizeof raw) != 1 || EVP_EncodeBlock(b64, raw, sizeof raw) != 44)
        return false;
    for (int i = 0; i < AUTH_INVITATION_TOKEN_LEN; i++)
        inv->token[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : (char)b64[i];
    inv->token[AUTH_INVITATION_TOKEN_LEN] = '\0';
    return auth_invitation_hash(inv->token, inv->hash);
}

bool auth_invitation_hash(const char *token, char hash[AUTH_INVITATION_HASH_LEN + 1])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(token, strlen(token), digest, &len, EVP_sha256(), NULL) != 1 || len != 32)
        return false;
    for (unsigned int i = 0; i < len; i++)
        snprintf(hash + 2 * i, 3, "%02x", digest[i]);
    return true;
}

void auth_invitation_add(struct buf *out, const struct auth_invitation *inv, const char *expires_at)
{
    assert(out->len && out->data[out->len - 1] == '}');
    out->data[--out->len] = '\0'; /* reopen the object */
    buf_puts(out, ",\"invitation\":{\"token\":");
    buf_json_string(out, inv->token);
    buf_puts(out, ",\"expires_at\":");
    buf_json_string(out, expires_at);
    buf_puts(out, "}}");
}

/* Reads {token, password}; answers 422 and returns false when they are unusable. */
static bool read_body(struct request *req, const cJSON *body, const char **token,
                      const char **password)
{
    static const char *const allowed[] = {"token", "password", NULL};
    struct field_errors e = {0};
    fields_only(body, allowed, NULL, &e);
    field_required(field_string(body, "token", 256, token, &e), "token", &e);
    const cJSON *pw = cJSON_GetObjectItemCaseSensitive(body, "password");
    *password = cJSON_IsString(pw) ? pw->valuestring : NULL;
    const char *why = *password ? password_policy_error(*password) : "is required (a string)";
    if (why)
        field_error(&e, "password", why);
    if (!e.count)
        return true;
    resp_validation(req, &e, NULL);
    return false;
}

/* Counts the failure against the client address, outside the request's
 * transaction (which is rolled back), then answers 422. */
static void invitation_invalid(struct request *req)
{
    struct db_conn *db = req_db(req);
    if (!db)
        return; /* answered */
    db_rollback(db);
    if (!login_limit_fail(db, NULL, req->remote_addr)) {
        resp_db_error(req);
        return;
    }
    resp_problem(req, 422, "invitation-invalid", "Invitation not valid",
                 "This invitation is unknown, was already used or has expired; ask whoever "
                 "invited you for a new one.");
}

/* Sets the password hash of the locked, invited account `cur` and answers. */
static void activate(struct request *req, const PGresult *cur, const char *hash)
{
    const char *id = PQgetvalue(cur, 0, 0);
    const char *params[] = {id, hash};
    PGresult *r = db_exec(req->db, &STMT_ACTIVATE, 2, params);
    /* The account acts on its own behalf: nobody is logged in yet. */
    struct audit_actor actor = audit_actor_of(req);
    actor.user_id = id; /* the account activates itself */
    actor.role = PQgetvalue(cur, 0, 1);
    if (!r || !audit_record(req->db, &actor, "activate", "user", id, PQgetvalue(cur, 0, 2),
                            PQgetvalue(r, 0, 0))) {
        resp_db_error(req);
    } else {
        resp_etag(req, PQgetvalue(r, 0, 2));
        resp_json(req, 200, PQgetvalue(r, 0, 1), strlen(PQgetvalue(r, 0, 1)));
        if (req_commit(req))
            cache_evict(session_cache(), id);
    }
    PQclear(r);
}

/* True when the invitation is usable now; otherwise answers. Gives the
 * request's connection back either way. */
static bool invitation_usable(struct request *req, const char *token_hash)
{
    const char *params[] = {token_hash};
    PGresult *r = NULL;
    bool usable = false;
    if (!req_db(req)) {
        /* answered */
    } else if (!(r = db_exec(req->db, &STMT_ACTIVATE_FIND, 1, params))) {
        resp_db_error(req);
    } else if (PQntuples(r) == 0) {
        invitation_invalid(req);
    } else {
        usable = true;
    }
    PQclear(r);
    assert(!req->idempotency_locked);
    db_release(req->db);
    req->db = NULL;
    return usable;
}

void auth_activate(struct request *req)
{
    cJSON *body = req_json_object(req, false);
    if (!body)
        return;
    const char *token = NULL, *password = NULL;
    char token_hash[AUTH_INVITATION_HASH_LEN + 1];
    char hash[PASSWORD_HASH_MAX];
    int retry_after = 0;
    struct db_conn *db = NULL;
    PGresult *cur = NULL;
    const char *params[] = {token_hash};
    if (!read_body(req, body, &token, &password)) {
        /* answered */
    } else if (!(db = req_db(req))) {
        /* answered */
    } else if (!login_limit_check(db, NULL, req->remote_addr, &retry_after)) {
        resp_db_error(req);
    } else if (retry_after) {
        resp_header(req, "Retry-After", "%d", retry_after);
        resp_problem(req, 429, "too-many-requests", "Too many failed attempts",
                     "Wait before trying again.");
    } else if (!auth_invitation_hash(token, token_hash)) {
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
    } else if (!invitation_usable(req, token_hash)) {
        /* answered */
    } else if (!password_hash(password, hash)) {
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
    } else if (!(db = req_db(req))) {
        /* answered */
    } else if (!db_begin(db) || !(cur = db_exec(db, &STMT_ACTIVATE_LOCK, 1, params))) {
        resp_db_error(req);
    } else if (PQntuples(cur) == 0) {
        invitation_invalid(req); /* used or withdrawn while the password was hashed */
    } else {
        activate(req, cur, hash);
    }
    PQclear(cur);
    cJSON_Delete(body);
}
