/*
 * Appointing and showing the municipal representative (see
 * representatives.h). Only the municipality's mayor may appoint (the route's
 * policy, lib/api/routes.c); what each caller sees of the representative is
 * one SQL function of the viewer, representative_json
 * (sql/009_municipalities.sql).
 *
 * An appointment is one transaction that locks the municipality (so two
 * appointments of one municipality run one after the other), creates or
 * updates the representative's account, deactivates the previous
 * representative and points municipalities.representative_id at the new one,
 * with one audit event per changed row.
 */
#include "representatives/representatives.h"

#include "auth/activate.h"
#include "auth/session.h"
#include "authz/policy.h"
#include "cache/cache.h"
#include "http/idempotency.h"
#include "municipalities/municipalities.h"
#include "resource/resource.h"
#include "users/users.h"

#include <stdio.h>
#include <string.h>

/* What the mayor sends: the representative's account (audited as a user). */
static const struct res_field appointment_fields[] = {
    RES_FIELD("user_id", RES_ID, 0),
    RES_FIELD("name", RES_TEXT, RF_CREATE | RF_REQUIRED, .max = 200),
    RES_FIELD("cpf", RES_CPF, RF_CREATE | RF_REQUIRED),
    RES_FIELD("email", RES_EMAIL, RF_CREATE | RF_REQUIRED),
    RES_FIELD("phone", RES_PHONE, RF_CREATE | RF_NULLABLE),
    RES_FIELD("position", RES_TEXT, RF_CREATE | RF_REQUIRED, .max = 200),
    RES_FIELD("active", RES_BOOL, 0),
    RES_FIELD("invitation_pending", RES_BOOL, 0),
    RES_FIELD("invitation", RES_TEXT, 0),
    RES_END,
};

static const struct resource appointment = {.entity = "user", .fields = appointment_fields};

/* The municipality, locked, its representative and whether it has adhered
 * (an active adhesion in any cycle). */
static const struct db_stmt STMT_REP_MUNICIPALITY_LOCK = {
    .name = "rep_municipality_lock",
    .sql = "SELECT m.representative_id,"
           "       EXISTS (SELECT 1 FROM adhesions a"
           "                WHERE a.municipality_id = m.ibge_code AND a.status = 'active')"
           "  FROM municipalities m WHERE m.ibge_code = $1 FOR UPDATE",
};

/* The account holding the e-mail, if any: its id, whether it is a
 * representative of municipality $2, and whether it never set a password. */
static const struct db_stmt STMT_REP_BY_EMAIL = {
    .name = "rep_by_email",
    .sql = "SELECT id, role = 'representative' AND municipality_id = $2,"
           "       password_hash IS NULL, user_json(u, false)"
           "  FROM users u WHERE lower(email) = lower($1) FOR UPDATE",
};

/* Reappointing a representative of the municipality: new data, active again
 * when they have a password, else a new invitation ($6). */
static const struct db_stmt STMT_REP_REAPPOINT = {
    .name = "rep_reappoint",
    .sql = "WITH old AS (SELECT user_json(u, false) AS before FROM users u WHERE id = $1)"
           "UPDATE users u"
           "   SET name = $2, cpf = $3, phone = $4, position = $5,"
           "       active = password_hash IS NOT NULL,"
           "       invitation_hash = coalesce($6, invitation_hash),"
           "       invitation_expires_at = CASE WHEN $6::text IS NULL THEN invitation_expires_at"
           "                                    ELSE invitation_expiry(now()) END,"
           "       version = version + 1, updated_at = now()"
           "  FROM old"
           " WHERE id = $1"
           "   AND (name, cpf, phone, position, active, $6::text IS NOT NULL)"
           "       IS DISTINCT FROM ($2, $3, $4, $5, password_hash IS NOT NULL, false)"
           " RETURNING old.before, user_json(u, false)",
};

/* The replaced representative: inactive, and any unused invitation withdrawn. */
static const struct db_stmt STMT_REP_DEACTIVATE = {
    .name = "rep_deactivate",
    .sql = "WITH old AS (SELECT user_json(u, false) AS before FROM users u WHERE id = $1)"
           "UPDATE users u"
           "   SET active = false, invitation_hash = NULL, invitation_expires_at = NULL,"
           "       version = version + 1, updated_at = now()"
           "  FROM old"
           " WHERE u.id = $1 AND (u.active OR u.invitation_hash IS NOT NULL)"
           " RETURNING old.before, user_json(u, false)",
};

static const struct db_stmt STMT_REP_SET = {
    .name = "rep_set",
    .sql = "UPDATE municipalities"
           "   SET representative_id = $2, version = version + 1, updated_at = now()"
           " WHERE ibge_code = $1 AND representative_id IS DISTINCT FROM $2::bigint"
           " RETURNING jsonb_build_object('ibge_code', ibge_code, 'representative_id', $3::bigint),"
           "           jsonb_build_object('ibge_code', ibge_code,"
           "                              'representative_id', representative_id)",
};

/* The municipality's representative as viewer $2 sees them, and when their
 * pending invitation expires. */
static const struct db_stmt STMT_REP_SHOW = {
    .name = "rep_show",
    .sql = "SELECT representative_json(u, m.ibge_code, $2::pacto_viewer),"
           "       pacto_ts(u.invitation_expires_at)"
           "  FROM municipalities m JOIN users u ON u.id = m.representative_id"
           " WHERE m.ibge_code = $1",
};

/* The representative of municipality `code` as the caller sees them (no row
 * when there is none), or NULL after answering a database error. */
static const PGresult *representative_of(struct request *req, const char *code)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {code, viewer};
    return req_exec(req, &STMT_REP_SHOW, 2, params);
}

void representatives_get(struct request *req)
{
    const PGresult *r;
    if (!(r = representative_of(req, req_param(req, 0))))
        return;
    if (PQntuples(r) == 0)
        resp_not_found(req);
    else
        resp_json(req, 200, PQgetvalue(r, 0, 0), strlen(PQgetvalue(r, 0, 0)));
}

/* The validated appointment. */
struct appointment {
    const char *name, *email, *cpf, *phone, *position;
};

static const char *text_of(const cJSON *doc, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Runs `stmt` with params; when it changed a row, records its before
 * (column 0) and after (column 1) as an update of res's entity `key`.
 * Returns false after answering. */
static bool update_audited(struct request *req, const struct db_stmt *stmt, int n,
                           const char *const *params, const struct resource *res, const char *key)
{
    PGresult *r = req_exec(req, stmt, n, params);
    return r && (PQntuples(r) == 0 ||
                 resource_audit(req, res, "update", key, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1)));
}

/* Creates the representative's account, inactive with invitation inv, and
 * writes its id to id. Returns false after answering. */
static bool create_account(struct request *req, const char *code, const struct appointment *a,
                           struct auth_invitation *inv, char id[24])
{
    if (!auth_invitation_new(inv)) {
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
        return false;
    }
    struct user_input in = {.name = a->name,
                            .email = a->email,
                            .cpf = a->cpf,
                            .phone = a->phone,
                            .position = a->position,
                            .role = "representative",
                            .municipality_id = code,
                            .invitation = inv};
    struct field_errors e = {0};
    struct buf json = {0};
    struct audit_actor actor = audit_actor_of(req);
    enum user_create_status st = users_insert(req->db, &actor, &in, &e, &json, id);
    buf_free(&json);
    if (st == USER_INVALID)
        resp_validation(req, &e, NULL);
    else if (st == USER_EMAIL_TAKEN)
        resp_problem(req, 409, "conflict", "E-mail already in use",
                     "Another account already uses this e-mail address.");
    else if (st == USER_DB_ERROR)
        resp_db_error(req);
    field_errors_free(&e);
    return st == USER_CREATED;
}

/* Updates (and reactivates) the representative `found` of this
 * municipality; a new invitation when they never set a password (issued).
 * Returns false after answering. */
static bool reappoint(struct request *req, const PGresult *found, const struct appointment *a,
                      struct auth_invitation *inv, bool *issued)
{
    *issued = strcmp(PQgetvalue(found, 0, 2), "t") == 0;
    if (*issued && !auth_invitation_new(inv)) {
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
        return false;
    }
    const char *id = PQgetvalue(found, 0, 0);
    const char *params[] = {id, a->name, a->cpf, a->phone, a->position, *issued ? inv->hash : NULL};
    return update_audited(req, &STMT_REP_REAPPOINT, 6, params, &appointment, id);
}

/* The appointment, inside the transaction that locked the municipality. */
static void appoint(struct request *req, const char *code, const struct appointment *a,
                    const char *previous)
{
    const char *by_email[] = {a->email, code};
    const PGresult *found = req_exec(req, &STMT_REP_BY_EMAIL, 2, by_email);
    struct auth_invitation inv;
    bool issued = true;
    char id[24] = "";
    if (!found) {
        return;
    } else if (PQntuples(found) == 0) {
        if (!create_account(req, code, a, &inv, id))
            return;
    } else if (strcmp(PQgetvalue(found, 0, 1), "t") != 0) {
        resp_problem(req, 409, "conflict", "E-mail already in use",
                     "Another account already uses this e-mail address.");
        return;
    } else {
        snprintf(id, sizeof id, "%s", PQgetvalue(found, 0, 0));
        if (!reappoint(req, found, a, &inv, &issued))
            return;
    }
    bool replaced = previous && strcmp(previous, id) != 0;
    const char *deactivate[] = {previous};
    const char *set[] = {code, id, previous};
    if ((replaced &&
         !update_audited(req, &STMT_REP_DEACTIVATE, 1, deactivate, &appointment, previous)) ||
        !update_audited(req, &STMT_REP_SET, 3, set, &municipality_resource, code))
        return;
    const PGresult *shown = representative_of(req, code);
    if (!shown)
        return;
    if (PQntuples(shown) == 0) { /* it was just set: cannot happen */
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
        return;
    }
    struct buf b = {0};
    buf_puts(&b, PQgetvalue(shown, 0, 0));
    if (issued)
        auth_invitation_add(&b, &inv, PQgetvalue(shown, 0, 1));
    if (!previous)
        resp_header(req, "Location", "/v1/municipalities/%s/representative", code);
    resp_json_buf(req, previous ? 200 : 201, &b);
    /* The NOTIFY trigger evicts the replaced account from every server's
     * cache; this server forgets it now as well, so that its very next
     * request here is refused (SPEC 5). */
    if (req_commit(req) && replaced)
        cache_evict(session_cache(), previous);
}

void representatives_put(struct request *req)
{
    const char *code = req_param(req, 0);
    struct res_write w;
    if (!resource_read(req, &appointment, true, &w))
        return;
    struct appointment a = {text_of(w.doc, "name"), text_of(w.doc, "email"), text_of(w.doc, "cpf"),
                            text_of(w.doc, "phone"), text_of(w.doc, "position")};
    const char *params[] = {code};
    const PGresult *m;
    if (!req_db(req)) {
        /* answered */
    } else if (!db_begin(req->db)) {
        resp_db_error(req);
    } else if (!(m = req_exec(req, &STMT_REP_MUNICIPALITY_LOCK, 1, params))) {
        /* answered */
    } else if (PQntuples(m) == 0) {
        resp_not_found(req);
    } else if (strcmp(PQgetvalue(m, 0, 1), "t") != 0) {
        resp_problem(req, 422, "adhesion-required", "The municipality has not adhered",
                     "A representative is appointed after the municipality adheres to a cycle "
                     "of the program.");
    } else {
        appoint(req, code, &a, PQgetisnull(m, 0, 0) ? NULL : PQgetvalue(m, 0, 0));
    }
    field_errors_free(&w.errors);
}
