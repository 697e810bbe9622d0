/*
 * Password login (see login.h). Unknown e-mail, wrong password and inactive
 * account get the same answer in the same time, so the endpoint does not tell
 * which accounts exist; repeated failures are throttled per account and per
 * client address, in PostgreSQL so that every server counts the same
 * failures. The password is verified after the database connection is
 * given back: Argon2 takes tens of milliseconds, and a burst of logins must
 * not hold the pool's connections while it runs.
 */
#include "auth/login.h"

#include "auth/login_limit.h"
#include "auth/password.h"
#include "auth/token.h"
#include "config/config.h"
#include "db/db.h"
#include "http/fields.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Always one row: the e-mail as the database lowercases it (the throttling
 * key, so that every spelling of an address counts against one account, as
 * every spelling logs into one account), then the account, or NULLs. */
static const struct db_stmt STMT_LOGIN_USER = {
    .name = "login_user",
    .sql = "SELECT lower($1::text), u.id, u.role, coalesce(u.municipality_id, ''),"
           "       coalesce(u.secretariat_area, ''), u.password_hash, u.active"
           "  FROM (SELECT 1) AS one LEFT JOIN users u ON lower(u.email) = lower($1::text)",
};

static void too_many(struct request *req, int retry_after)
{
    resp_header(req, "Retry-After", "%d", retry_after);
    resp_problem(req, 429, "too-many-requests", "Too many failed logins",
                 "Wait before trying again.");
}

static void issue(struct request *req, const PGresult *r)
{
    struct token_claims claims = {0};
    snprintf(claims.sub, sizeof claims.sub, "%s", PQgetvalue(r, 0, 1));
    snprintf(claims.role, sizeof claims.role, "%s", PQgetvalue(r, 0, 2));
    snprintf(claims.municipality_id, sizeof claims.municipality_id, "%s", PQgetvalue(r, 0, 3));
    snprintf(claims.secretariat_area, sizeof claims.secretariat_area, "%s", PQgetvalue(r, 0, 4));
    char *token = token_issue(&req->cfg->token, &claims, time(NULL));
    if (!token) {
        resp_problem(req, 500, "internal-error", "Internal error", "The token could not be made.");
        return;
    }
    struct buf b = {0};
    buf_puts(&b, "{\"access_token\":");
    buf_json_string(&b, token);
    buf_printf(&b, ",\"token_type\":\"Bearer\",\"expires_in\":%d}", req->cfg->token.ttl_seconds);
    free(token);
    /* A token must never be cached (RFC 6749 5.1; the contract says "always
     * no-store"). The dispatcher adds no-store itself only when the request
     * carried an Authorization header, so add it here otherwise. */
    if (!req_header(req, "Authorization"))
        resp_header(req, "Cache-Control", "no-store");
    resp_json_buf(req, 200, &b);
}

void auth_token(struct request *req)
{
    if (!req->cfg->local_login) {
        resp_problem(req, 404, "local-login-disabled", "Local login is disabled",
                     "Tokens are issued by the external identity provider.");
        return;
    }
    cJSON *body = req_json_object(req, false);
    if (!body)
        return;
    static const char *const allowed[] = {"email", "password", NULL};
    struct field_errors e = {0};
    fields_only(body, allowed, NULL, &e);
    const char *email = NULL;
    field_required(field_string(body, "email", 254, &email, &e), "email", &e);
    const cJSON *pw = cJSON_GetObjectItemCaseSensitive(body, "password");
    if (!cJSON_IsString(pw) || strlen(pw->valuestring) > 1024)
        field_error(&e, "password", "is required (a string)");
    if (e.count) {
        resp_validation(req, &e, NULL);
        cJSON_Delete(body);
        return;
    }
    int retry_after = 0;
    struct db_conn *db = NULL;
    PGresult *r = NULL;
    const char *params[] = {email};
    if (!(db = req_db(req))) {
        /* answered */
    } else if (!login_limit_check(db, email, req->remote_addr, &retry_after)) {
        resp_db_error(req);
    } else if (retry_after) {
        too_many(req, retry_after);
    } else if (!(r = db_exec(db, &STMT_LOGIN_USER, 1, params)) || PQntuples(r) != 1) {
        resp_db_error(req);
    } else {
        /* r holds all that is still needed; nothing here writes. */
        assert(!req->idempotency_locked);
        db_release(req->db);
        req->db = NULL;
        const char *account = PQgetvalue(r, 0, 0);
        bool found = !PQgetisnull(r, 0, 1) && !PQgetisnull(r, 0, 5);
        bool good = password_verify(found ? PQgetvalue(r, 0, 5) : NULL, pw->valuestring) && found &&
                    strcmp(PQgetvalue(r, 0, 6), "t") == 0;
        /* The throttle's write comes after Argon2, on a connection taken again. */
        if (!(db = req_db(req))) {
            /* answered */
        } else if (good) {
            if (login_limit_success(db, account))
                issue(req, r);
            else
                resp_db_error(req);
        } else if (!login_limit_fail(db, account, req->remote_addr)) {
            resp_db_error(req);
        } else {
            resp_header(req, "WWW-Authenticate", "Bearer");
            resp_problem(req, 401, "invalid-credentials", "Invalid credentials",
                         "The e-mail or password is wrong, or the account is not active.");
        }
    }
    PQclear(r);
    cJSON_Delete(body);
}
