/*
 * Generic pieces for handlers that are not plain get / list / create /
 * patch / delete (see resource.h): an item the path does not name (GET
 * /v1/me), a custom action on the item of the path (POST .../invitation), and
 * a resource's rules run outside a request (an account made by the command
 * line). They keep the shape of the generic handlers: the viewer as one
 * parameter, the audit event in the change's transaction, the version as the
 * ETag.
 */
#include "resource/resource.h"

#include "authz/policy.h"
#include "http/idempotency.h"
#include "resource/statements.h"
#include "validate/id.h"

#include <stdlib.h>
#include <string.h>

#define ACTION_MAX_PARAMS 8

bool resource_deletable_unless(struct request *req, const struct db_stmt *stmt, const char *key,
                               const char *title)
{
    const char *params[] = {key};
    PGresult *r = req_exec(req, stmt, 1, params);
    if (!r)
        return false;
    if (PQntuples(r) == 0) {
        resp_not_found(req);
        return false;
    }
    if (PQgetisnull(r, 0, 0))
        return true;
    resp_problem(req, 409, "conflict", title, PQgetvalue(r, 0, 0));
    return false;
}

void resource_show_by(struct request *req, const struct db_stmt *stmt)
{
    const char *id = req_param(req, 0);
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const PGresult *r;
    if (!id_is_canonical(id)) {
        resp_not_found(req);
    } else if (!(r = req_exec(req, stmt, 2, (const char *[]){viewer, id}))) {
        /* answered */
    } else if (PQntuples(r) == 0) {
        resp_not_found(req);
    } else {
        resp_json(req, 200, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
        resp_etag(req, PQgetvalue(r, 0, 1));
    }
}

void resource_show(struct request *req, const struct resource *res, const char *key)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, key, res->parent ? req_param(req, 0) : NULL};
    PGresult *r = req_exec(req, &res_statements_of(res)->get, res->parent ? 3 : 2, params);
    if (r && PQntuples(r) == 0)
        resp_not_found(req);
    else if (r)
        res_respond_row(req, 200, r);
}

PGresult *resource_action(struct request *req, const struct resource *res,
                          const struct res_action *a, int nparams, const char *const *params)
{
    if (nparams < 0 || nparams > ACTION_MAX_PARAMS)
        abort(); /* a programming error, found by any test of the action */
    const char *key = resource_path_key(req, res);
    if (!key) {
        resp_not_found(req);
        return NULL;
    }
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *lock_params[] = {viewer, key, res->parent ? req_param(req, 0) : NULL};
    const PGresult *before =
        req_keep_result(req, req_lock_row(req, &res_statements_of(res)->lock, res->parent ? 3 : 2,
                                          lock_params, RES_COL_VERSION));
    if (!before || !resource_guard_row(req, res, key))
        return NULL;
    const char *all[2 + ACTION_MAX_PARAMS] = {viewer, key};
    for (int i = 0; i < nparams; i++)
        all[2 + i] = params[i];
    PGresult *r = req_exec(req, &a->stmt, 2 + nparams, all);
    if (!r)
        return NULL;
    if (PQntuples(r) == 0) {
        resp_problem(req, 409, "conflict", a->conflict_title, a->conflict_detail);
        return NULL;
    }
    if (!resource_audit(req, res, a->name, key, PQgetvalue(before, 0, RES_COL_SNAPSHOT),
                        PQgetvalue(r, 0, RES_COL_SNAPSHOT)))
        return NULL;
    return r;
}

bool resource_check_rules(struct db_conn *db, const struct resource *res, const char *doc,
                          struct field_errors *e)
{
    if (!res->rules)
        return true;
    const char *params[] = {doc};
    PGresult *r = db_exec(db, &res_statements_of(res)->rules_create, 1, params);
    for (int i = 0; r && i < PQntuples(r); i++)
        field_error(e, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
    PQclear(r);
    return r != NULL;
}
