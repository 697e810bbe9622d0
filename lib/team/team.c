/*
 * Technical team members (see team.h). A member is only ever reached under
 * its own municipality's path: another municipality's member is "not found",
 * so ids do not tell what other municipalities hold.
 */
#include "team/team.h"

#include "audit/audit.h"
#include "auth/session.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/query.h"
#include "users/users.h"

#include <stdio.h>
#include <string.h>

#define TEAM_JSON                                                                                  \
    "json_build_object('id', t.id, 'municipality_id', t.municipality_id, 'name', t.name,"          \
    " 'program_role', t.program_role, 'organization', t.organization, 'type', t.type,"             \
    " 'email', t.email, 'created_at', pacto_ts(t.created_at),"                                     \
    " 'updated_at', pacto_ts(t.updated_at))"

static const struct db_stmt STMT_TEAM_MUNICIPALITY = {
    .name = "team_municipality",
    .sql = "SELECT 1 FROM municipalities WHERE ibge_code = $1",
};

static const struct db_stmt STMT_TEAM_LIST = {
    .name = "team_list",
    .sql = "SELECT t.id, " TEAM_JSON " FROM team_members t"
           " WHERE t.municipality_id = $1 AND ($2::bigint IS NULL OR t.id > $2)"
           " ORDER BY t.id LIMIT $3",
};

static const struct db_stmt STMT_TEAM_INSERT = {
    .name = "team_insert",
    .sql = "INSERT INTO team_members AS t (municipality_id, name, program_role, organization,"
           "                              type, email)"
           " VALUES ($1, $2, $3, $4, $5, $6)"
           " RETURNING t.id, " TEAM_JSON,
};

static const struct db_stmt STMT_TEAM_GET = {
    .name = "team_get",
    .sql = "SELECT " TEAM_JSON ", t.version FROM team_members t"
           " WHERE t.id = $1 AND t.municipality_id = $2",
};

static const struct db_stmt STMT_TEAM_LOCK = {
    .name = "team_lock",
    .sql = "SELECT " TEAM_JSON ", t.version, t.name, t.program_role, t.organization, t.type,"
           "       t.email"
           "  FROM team_members t WHERE t.id = $1 AND t.municipality_id = $2 FOR UPDATE",
};

static const struct db_stmt STMT_TEAM_UPDATE = {
    .name = "team_update",
    .sql = "UPDATE team_members t"
           "   SET name = $3, program_role = $4, organization = $5, type = $6, email = $7,"
           "       version = version + 1, updated_at = now()"
           " WHERE t.id = $1 AND t.municipality_id = $2"
           "   AND (name, program_role, organization, type, email)"
           "       IS DISTINCT FROM ($3, $4, $5, $6, $7)"
           " RETURNING " TEAM_JSON ", t.version",
};

static const struct db_stmt STMT_TEAM_DELETE = {
    .name = "team_delete",
    .sql = "DELETE FROM team_members t WHERE t.id = $1 AND t.municipality_id = $2"
           " RETURNING " TEAM_JSON,
};

/* Columns of STMT_TEAM_LOCK after the JSON and the version. */
enum { COL_NAME = 2, COL_PROGRAM_ROLE, COL_ORGANIZATION, COL_TYPE, COL_EMAIL };

/* The team is the municipality's own business; the secretariat follows it. */
static bool may_read(const struct identity *who, const char *code)
{
    return authz_is_municipal(who, code) || authz_is_secretariat(who);
}

static bool may_write(const struct identity *who, const char *code)
{
    return authz_is_municipal(who, code);
}

/* Answers 403 for a caller who may not act on this municipality's team. */
static bool allowed(struct request *req, bool write)
{
    const char *code = req_param(req, 0);
    if (write ? may_write(&req->who, code) : may_read(&req->who, code))
        return true;
    resp_forbidden(req, write ? "Only the municipality's mayor and representative keep its team."
                              : "Only the municipality and the secretariat see its team.");
    return false;
}

/* Fields a client may send, shared by create and update. */
struct member_input {
    enum field_state name_st, role_st, organization_st, type_st, email_st;
    const char *name, *program_role, *organization, *type, *email;
};

static void read_input(const cJSON *body, struct member_input *in, struct field_errors *e)
{
    static const char *const allowed_fields[] = {"name", "program_role", "organization",
                                                 "type", "email",        NULL};
    static const char *const readonly[] = {"id", "municipality_id", "created_at", "updated_at",
                                           NULL};
    fields_only(body, allowed_fields, readonly, e);
    in->name_st = field_string(body, "name", 200, &in->name, e);
    in->role_st = field_string(body, "program_role", 200, &in->program_role, e);
    in->organization_st = field_string(body, "organization", 200, &in->organization, e);
    in->type_st = field_string(body, "type", 32, &in->type, e);
    in->email_st = field_string(body, "email", 254, &in->email, e);
    const char *why;
    if (in->type_st == FIELD_SET &&
        !(strcmp(in->type, "servant") == 0 || strcmp(in->type, "council") == 0 ||
          strcmp(in->type, "city_council") == 0 || strcmp(in->type, "other") == 0))
        field_error(e, "type", "must be servant, council, city_council or other");
    if (in->email_st == FIELD_SET && (why = users_email_problem(in->email)))
        field_error(e, "email", why);
}

static const char *set_or_null(enum field_state st, const char *value)
{
    return st == FIELD_SET ? value : NULL;
}

/* The member id of the path, when it is one in canonical form. */
static const char *member_id(struct request *req)
{
    const char *id = req_param(req, 1);
    bool canonical =
        *id >= '1' && *id <= '9' && strlen(id) <= 18 && strspn(id, "0123456789") == strlen(id);
    return canonical ? id : NULL;
}

void team_list(struct request *req)
{
    static const char *const allowed_params[] = {"limit", "cursor", NULL};
    struct query q;
    struct page page;
    if (!allowed(req, false) || !query_parse(req, allowed_params, &q) ||
        !query_page(req, &q, "team", &page) || !req_db(req))
        return;
    const char *code = req_param(req, 0);
    const char *one[] = {code};
    PGresult *m = db_exec(req->db, &STMT_TEAM_MUNICIPALITY, 1, one);
    const char *params[] = {code, page.after[0] ? page.after : NULL, page.limit_plus_one};
    PGresult *r = m && PQntuples(m) == 1 ? db_exec(req->db, &STMT_TEAM_LIST, 3, params) : NULL;
    if (r)
        resp_page_rows(req, &page, r, 0, 1, NULL, 0);
    else if (m && PQntuples(m) == 0)
        resp_not_found(req);
    else
        resp_db_error(req);
    PQclear(r);
    PQclear(m);
}

void team_create(struct request *req)
{
    if (!allowed(req, true))
        return;
    cJSON *body = req_json_object(req, false);
    if (!body)
        return;
    struct field_errors e = {0};
    struct member_input in;
    read_input(body, &in, &e);
    field_required(in.name_st, "name", &e);
    field_required(in.type_st, "type", &e);
    const char *code = req_param(req, 0);
    const char *params[] = {code,
                            in.name,
                            set_or_null(in.role_st, in.program_role),
                            set_or_null(in.organization_st, in.organization),
                            in.type,
                            set_or_null(in.email_st, in.email)};
    PGresult *r = NULL;
    struct audit_actor actor = audit_actor_of(req);
    if (e.count) {
        resp_validation(req, &e, NULL);
    } else if (!req_db(req)) {
        /* answered */
    } else if (!db_begin(req->db) || !(r = db_exec(req->db, &STMT_TEAM_INSERT, 6, params)) ||
               !audit_record(req->db, &actor, "create", "team_member", PQgetvalue(r, 0, 0), NULL,
                             PQgetvalue(r, 0, 1))) {
        resp_db_error(req);
    } else {
        resp_header(req, "Location", "/v1/municipalities/%s/team/%s", code, PQgetvalue(r, 0, 0));
        resp_header(req, "ETag", "\"1\"");
        resp_json(req, 201, PQgetvalue(r, 0, 1), strlen(PQgetvalue(r, 0, 1)));
        req_commit(req);
    }
    PQclear(r);
    field_errors_free(&e);
    cJSON_Delete(body);
}

/* Checks who may reach the member: 404 for those who may not read the team
 * (a member of another municipality is not theirs to know of), 403 for a
 * reader asking to write. Returns the member id, or NULL after answering. */
static const char *reach_member(struct request *req, bool write)
{
    const char *id = member_id(req);
    if (!id || !may_read(&req->who, req_param(req, 0))) {
        resp_not_found(req);
        return NULL;
    }
    return allowed(req, write) ? id : NULL;
}

void team_get(struct request *req)
{
    static const char *const allowed_params[] = {NULL};
    struct query q;
    const char *id = reach_member(req, false);
    if (!id || !query_parse(req, allowed_params, &q) || !req_db(req))
        return;
    const char *params[] = {id, req_param(req, 0)};
    PGresult *r = db_exec(req->db, &STMT_TEAM_GET, 2, params);
    if (!r) {
        resp_db_error(req);
    } else if (PQntuples(r) == 0) {
        resp_not_found(req);
    } else {
        resp_header(req, "ETag", "\"%s\"", PQgetvalue(r, 0, 1));
        resp_json(req, 200, PQgetvalue(r, 0, 0), strlen(PQgetvalue(r, 0, 0)));
    }
    PQclear(r);
}

/* Writes the patch over the locked row `cur` and answers. */
static void apply_update(struct request *req, const char *id, const struct member_input *in,
                         const PGresult *cur)
{
    const char *params[] = {
        id,
        req_param(req, 0),
        field_merge(in->name_st, in->name, cur, COL_NAME),
        field_merge(in->role_st, in->program_role, cur, COL_PROGRAM_ROLE),
        field_merge(in->organization_st, in->organization, cur, COL_ORGANIZATION),
        field_merge(in->type_st, in->type, cur, COL_TYPE),
        field_merge(in->email_st, in->email, cur, COL_EMAIL)};
    PGresult *r = db_exec(req->db, &STMT_TEAM_UPDATE, 7, params);
    struct audit_actor actor = audit_actor_of(req);
    if (!r) {
        resp_db_error(req);
    } else if (PQntuples(r) == 0) { /* nothing changed: nothing to write or audit */
        resp_header(req, "ETag", "\"%s\"", PQgetvalue(cur, 0, 1));
        resp_json(req, 200, PQgetvalue(cur, 0, 0), strlen(PQgetvalue(cur, 0, 0)));
    } else if (!audit_record(req->db, &actor, "update", "team_member", id, PQgetvalue(cur, 0, 0),
                             PQgetvalue(r, 0, 0))) {
        resp_db_error(req);
    } else {
        resp_header(req, "ETag", "\"%s\"", PQgetvalue(r, 0, 1));
        resp_json(req, 200, PQgetvalue(r, 0, 0), strlen(PQgetvalue(r, 0, 0)));
        req_commit(req);
    }
    PQclear(r);
}

void team_update(struct request *req)
{
    const char *id = reach_member(req, true);
    cJSON *body = id ? req_json_object(req, true) : NULL;
    if (!body)
        return;
    struct field_errors e = {0};
    struct member_input in;
    read_input(body, &in, &e);
    if (in.name_st == FIELD_NULL)
        field_error(&e, "name", "may not be null");
    if (in.type_st == FIELD_NULL)
        field_error(&e, "type", "may not be null");
    PGresult *cur = NULL;
    const char *params[] = {id, req_param(req, 0)};
    if (e.count) {
        resp_validation(req, &e, NULL);
    } else if ((cur = req_lock_row(req, &STMT_TEAM_LOCK, 2, params, 1))) {
        apply_update(req, id, &in, cur);
    }
    PQclear(cur);
    field_errors_free(&e);
    cJSON_Delete(body);
}

void team_delete(struct request *req)
{
    const char *id = reach_member(req, true);
    if (!id || !req_db(req))
        return;
    const char *params[] = {id, req_param(req, 0)};
    PGresult *r = NULL;
    struct audit_actor actor = audit_actor_of(req);
    if (!db_begin(req->db) || !(r = db_exec(req->db, &STMT_TEAM_DELETE, 2, params))) {
        resp_db_error(req);
    } else if (PQntuples(r) == 0) {
        resp_not_found(req);
    } else if (!audit_record(req->db, &actor, "delete", "team_member", id, PQgetvalue(r, 0, 0),
                             NULL)) {
        resp_db_error(req);
    } else {
        resp_json(req, 204, "", 0);
        req_commit(req);
    }
    PQclear(r);
}
