/*
 * Appointing and showing the municipal representative (see
 * representatives.h).
 *
 * An appointment is one transaction that locks the municipality (so two
 * appointments of one municipality run one after the other), creates or
 * updates the representative's account, deactivates the previous
 * representative and points municipalities.representative_id at the new one,
 * with one audit event per changed row.
 */
#include "representatives/representatives.h"

#include "audit/audit.h"
#include "auth/activate.h"
#include "auth/session.h"
#include "cache/cache.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/query.h"
#include "http/response.h"
#include "users/users.h"
#include "validate/cpf.h"

#include <stdio.h>
#include <string.h>

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
    .sql = "UPDATE users u"
           "   SET name = $2, cpf = $3, phone = $4, position = $5,"
           "       active = password_hash IS NOT NULL,"
           "       invitation_hash = coalesce($6, invitation_hash),"
           "       invitation_expires_at = CASE WHEN $6::text IS NULL THEN invitation_expires_at"
           "                                    ELSE invitation_expiry(now()) END,"
           "       version = version + 1, updated_at = now()"
           " WHERE id = $1"
           "   AND (name, cpf, phone, position, active, $6::text IS NOT NULL)"
           "       IS DISTINCT FROM ($2, $3, $4, $5, password_hash IS NOT NULL, false)"
           " RETURNING user_json(u, false)",
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

/* The representative as the municipality and the secretariat see it (the
 * CPF unmasked only for the caller $2 it belongs to), as the public sees it,
 * and when their pending invitation expires. */
static const struct db_stmt STMT_REP_SHOW = {
    .name = "rep_show",
    .sql = "SELECT json_build_object('user_id', u.id, 'name', u.name, 'email', u.email,"
           "         'phone', u.phone, 'position', u.position,"
           "         'cpf', CASE WHEN u.id = $2::bigint THEN u.cpf ELSE pacto_mask_cpf(u.cpf) END,"
           "         'active', u.active, 'invitation_pending', u.invitation_hash IS NOT NULL),"
           "       json_build_object('name', u.name, 'position', u.position),"
           "       pacto_ts(u.invitation_expires_at)"
           "  FROM municipalities m JOIN users u ON u.id = m.representative_id"
           " WHERE m.ibge_code = $1",
};

/* What the mayor sends. */
struct appointment {
    const char *name, *email, *phone, *position;
    char cpf[12];
};

static bool read_appointment(struct request *req, const cJSON *body, struct appointment *a)
{
    static const char *const allowed[] = {"name", "cpf", "email", "phone", "position", NULL};
    static const char *const readonly[] = {"user_id", "active", "invitation_pending", "invitation",
                                           NULL};
    struct field_errors e = {0};
    fields_only(body, allowed, readonly, &e);
    const char *cpf = NULL, *why;
    a->phone = NULL;
    field_required(field_string(body, "name", 200, &a->name, &e), "name", &e);
    field_required(field_string(body, "position", 200, &a->position, &e), "position", &e);
    enum field_state email_st = field_string(body, "email", 254, &a->email, &e);
    field_required(email_st, "email", &e);
    if (email_st == FIELD_SET && (why = users_email_problem(a->email)))
        field_error(&e, "email", why);
    enum field_state cpf_st = field_string(body, "cpf", 14, &cpf, &e);
    field_required(cpf_st, "cpf", &e);
    if (cpf_st == FIELD_SET && !cpf_normalize(cpf, a->cpf))
        field_error(&e, "cpf", "is not a valid CPF");
    if (field_string(body, "phone", 32, &a->phone, &e) == FIELD_SET &&
        (why = users_phone_problem(a->phone)))
        field_error(&e, "phone", why);
    if (!e.count)
        return true;
    resp_validation(req, &e, NULL);
    return false;
}

enum shown { SHOWN, NOT_APPOINTED, SHOW_FAILED };

/* Answers the municipality's representative as `status`, as this caller may
 * see it, with the invitation when one was just issued. */
static enum shown respond(struct request *req, const char *code, int status,
                          const struct auth_invitation *inv)
{
    const char *params[] = {code, req->who.user_id_str[0] ? req->who.user_id_str : NULL};
    PGresult *r = db_exec(req->db, &STMT_REP_SHOW, 2, params);
    enum shown shown = !r ? SHOW_FAILED : PQntuples(r) == 0 ? NOT_APPOINTED : SHOWN;
    if (shown == SHOWN) {
        bool private = authz_is_municipal(&req->who, code) || authz_is_secretariat(&req->who);
        struct buf b = {0};
        buf_puts(&b, PQgetvalue(r, 0, private ? 0 : 1));
        if (inv)
            auth_invitation_add(&b, inv, PQgetvalue(r, 0, 2));
        resp_json_buf(req, status, &b);
    }
    PQclear(r);
    return shown;
}

void representatives_get(struct request *req)
{
    static const char *const allowed[] = {NULL};
    struct query q;
    if (!query_parse(req, allowed, &q) || !req_db(req))
        return;
    switch (respond(req, req_param(req, 0), 200, NULL)) {
    case SHOWN:
        break;
    case NOT_APPOINTED:
        resp_not_found(req);
        break;
    case SHOW_FAILED:
        resp_db_error(req);
        break;
    }
}

/* Creates the representative's account, inactive with an invitation. */
static bool create_account(struct request *req, const char *code, const struct appointment *a,
                           struct auth_invitation *inv, char id[24])
{
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
    if (st == USER_INVALID)
        resp_validation(req, &e, NULL);
    else if (st == USER_EMAIL_TAKEN)
        resp_problem(req, 409, "conflict", "E-mail already in use",
                     "Another account already uses this e-mail address.");
    else if (st == USER_DB_ERROR)
        resp_db_error(req);
    field_errors_free(&e);
    buf_free(&json);
    return st == USER_CREATED;
}

/* Updates (and reactivates) a representative of this municipality; a new
 * invitation when they never set a password (inv_issued). */
static bool reappoint(struct request *req, const PGresult *found, const struct appointment *a,
                      struct auth_invitation *inv, bool *inv_issued)
{
    *inv_issued = strcmp(PQgetvalue(found, 0, 2), "t") == 0;
    if (*inv_issued && !auth_invitation_new(inv)) {
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
        return false;
    }
    const char *id = PQgetvalue(found, 0, 0);
    const char *params[] = {id,       a->name,     a->cpf,
                            a->phone, a->position, *inv_issued ? inv->hash : NULL};
    PGresult *r = db_exec(req->db, &STMT_REP_REAPPOINT, 6, params);
    struct audit_actor actor = audit_actor_of(req);
    bool ok =
        r && (PQntuples(r) == 0 || audit_record(req->db, &actor, "update", "user", id,
                                                PQgetvalue(found, 0, 3), PQgetvalue(r, 0, 0)));
    PQclear(r);
    if (!ok)
        resp_db_error(req);
    return ok;
}

/* Runs `stmt` with params; when it changed a row, records its before
 * (column 0) and after (column 1) as an update of entity/entity_id. */
static bool update_audited(struct request *req, const struct db_stmt *stmt, int n,
                           const char *const *params, const char *entity, const char *entity_id)
{
    PGresult *r = db_exec(req->db, stmt, n, params);
    struct audit_actor actor = audit_actor_of(req);
    bool ok = r && (PQntuples(r) == 0 || audit_record(req->db, &actor, "update", entity, entity_id,
                                                      PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1)));
    PQclear(r);
    if (!ok)
        resp_db_error(req);
    return ok;
}

/* The appointment, inside the transaction that locked the municipality. */
static void appoint(struct request *req, const char *code, const struct appointment *a,
                    const char *previous)
{
    const char *by_email[] = {a->email, code};
    PGresult *found = db_exec(req->db, &STMT_REP_BY_EMAIL, 2, by_email);
    struct auth_invitation inv;
    bool inv_issued = true, ok = false;
    char id[24] = "";
    if (!found) {
        resp_db_error(req);
    } else if (PQntuples(found) == 0) {
        ok = auth_invitation_new(&inv) && create_account(req, code, a, &inv, id);
        if (!ok && !req->status)
            resp_problem(req, 500, "internal-error", "Internal error", NULL);
    } else if (strcmp(PQgetvalue(found, 0, 1), "t") != 0) {
        resp_problem(req, 409, "conflict", "E-mail already in use",
                     "Another account already uses this e-mail address.");
    } else {
        snprintf(id, sizeof id, "%s", PQgetvalue(found, 0, 0));
        ok = reappoint(req, found, a, &inv, &inv_issued);
    }
    PQclear(found);
    bool replaced = previous && strcmp(previous, id) != 0;
    const char *deactivate[] = {previous};
    const char *set[] = {code, id, previous};
    if (!ok ||
        (replaced && !update_audited(req, &STMT_REP_DEACTIVATE, 1, deactivate, "user", previous)) ||
        !update_audited(req, &STMT_REP_SET, 3, set, "municipality", code))
        return;
    if (!previous)
        resp_header(req, "Location", "/v1/municipalities/%s/representative", code);
    if (respond(req, code, previous ? 200 : 201, inv_issued ? &inv : NULL) != SHOWN)
        resp_db_error(req);
    /* The NOTIFY trigger evicts the replaced account from every server's
     * cache; this server forgets it now as well, so that its very next
     * request here is refused (SPEC 5). */
    else if (req_commit(req) && replaced)
        cache_evict(session_cache(), previous);
}

void representatives_put(struct request *req)
{
    const char *code = req_param(req, 0);
    cJSON *body = req_json_object(req, false);
    if (!body)
        return;
    struct appointment a;
    struct db_conn *db = NULL;
    PGresult *m = NULL;
    const char *params[] = {code};
    if (strcmp(req->who.role, "mayor") != 0 || !authz_is_municipal(&req->who, code)) {
        resp_forbidden(req, "Only the municipality's mayor appoints its representative.");
    } else if (!read_appointment(req, body, &a) || !(db = req_db(req))) {
        /* answered */
    } else if (!db_begin(db) || !(m = db_exec(db, &STMT_REP_MUNICIPALITY_LOCK, 1, params))) {
        resp_db_error(req);
    } else if (PQntuples(m) == 0) {
        resp_not_found(req);
    } else if (strcmp(PQgetvalue(m, 0, 1), "t") != 0) {
        resp_problem(req, 422, "adhesion-required", "The municipality has not adhered",
                     "A representative is appointed after the municipality adheres to a cycle "
                     "of the program.");
    } else {
        appoint(req, code, &a, PQgetisnull(m, 0, 0) ? NULL : PQgetvalue(m, 0, 0));
    }
    PQclear(m);
    cJSON_Delete(body);
}
