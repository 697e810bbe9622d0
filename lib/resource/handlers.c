/*
 * The generic item handlers: get, create, patch, delete (see resource.h).
 * Each reads as the same story: parse and validate, one transaction with the
 * resource's hooks, the write and its audit event, then the answer.
 */
#include "resource/resource.h"

#include "audit/audit.h"
#include "core/buf.h"
#include "authz/policy.h"
#include "http/idempotency.h"
#include "resource/statements.h"
#include "validate/ibge.h"
#include "validate/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *resource_path_key(const struct request *req, const struct resource *res)
{
    const char *key = req_param(req, req->match.nparams - 1);
    bool ok = res->key_type == RES_ID ? id_is_canonical(key) : ibge_code_is_valid(key);
    return ok && (!res->parent || resource_path_parent(req, res)) ? key : NULL;
}

const char *resource_path_parent(const struct request *req, const struct resource *res)
{
    if (!res->parent)
        return NULL;
    const char *parent = req_param(req, 0);
    bool ok = res->parent_type == RES_ID     ? id_is_canonical(parent)
              : res->parent_type == RES_IBGE ? ibge_code_is_valid(parent)
                                             : true;
    return ok ? parent : NULL;
}

static const char *path_parent(const struct request *req, const struct resource *res)
{
    return res->parent ? req_param(req, 0) : NULL;
}

/* The audit key of row `key` (see resource.audit_key_with_parent). */
static const char *audit_key(struct request *req, const struct resource *res, const char *key)
{
    if (!res->audit_key_with_parent || !res->parent)
        return key;
    struct buf b = {0};
    buf_printf(&b, "%s/%s", req_param(req, 0), key);
    return req_defer(req, free, b.data);
}

bool resource_audit(struct request *req, const struct resource *res, const char *action,
                    const char *key, const char *before, const char *after)
{
    struct audit_actor actor = audit_actor_of(req);
    if (audit_record(req->db, &actor, action, res->entity, audit_key(req, res, key), before, after))
        return true;
    resp_db_error(req);
    return false;
}

void res_respond(struct request *req, int status, const char *version, const char *json)
{
    if (version)
        resp_etag(req, version);
    resp_json(req, status, json, strlen(json));
}

void res_respond_row(struct request *req, int status, const PGresult *r)
{
    res_respond(req, status,
                PQgetisnull(r, 0, RES_COL_VERSION) ? NULL : PQgetvalue(r, 0, RES_COL_VERSION),
                PQgetvalue(r, 0, RES_COL_VIEW));
}

/* 404 unless the parent of the path exists. */
static bool parent_exists(struct request *req, const struct resource *res)
{
    if (!res->parent)
        return true;
    const char *params[] = {resource_path_parent(req, res)};
    if (!params[0]) {
        resp_not_found(req);
        return false;
    }
    PGresult *r = req_exec(req, &res_statements_of(res)->parent, 1, params);
    if (r && PQntuples(r) == 0)
        resp_not_found(req);
    return r && PQntuples(r) > 0;
}

void resource_get(struct request *req, const struct resource *res)
{
    const char *key = resource_path_key(req, res);
    if (key)
        resource_show(req, res, key);
    else
        resp_not_found(req);
}

/* Runs the resource's SQL rules on the row as it would be stored; adds an
 * error for each broken one. Returns false after answering a database error. */
static bool check_rules(struct request *req, struct res_write *w, const char *doc)
{
    const struct resource *res = w->res;
    if (!res->rules)
        return true;
    const struct res_statements *st = res_statements_of(res);
    const char *params[] = {doc, w->key, w->parent};
    PGresult *r = w->create ? req_exec(req, &st->rules_create, 1, params)
                            : req_exec(req, &st->rules_patch, res->parent ? 3 : 2, params);
    for (int i = 0; r && i < PQntuples(r); i++)
        field_error(&w->errors, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
    return r != NULL;
}

/* Takes the secrets (RES_SECRET) out of the document: a password the hooks
 * have worked on never travels to the database, not even in a parameter. */
static void drop_secrets(struct res_write *w)
{
    for (const struct res_field *f = w->res->fields; f->name; f++)
        if (f->type == RES_SECRET)
            cJSON_DeleteItemFromObjectCaseSensitive(w->doc, f->name);
}

/* Re-answers a write that broke a unique constraint with the resource's own
 * 409, when it declares one; the database error is answered already. */
static void unique_conflict(struct request *req, const struct resource *res)
{
    if (res->unique_title && req->db && db_last_error(req->db) == DB_UNIQUE_VIOLATION)
        resp_problem(req, 409, "conflict", res->unique_title, res->unique_detail);
}

/* Answers 403 with the guard's reason unless the first column of r is true.
 * Returns false after answering (the database's error when r is NULL, 404
 * when r has no row). */
static bool guard_allows(struct request *req, const struct resource *res, const PGresult *r)
{
    if (!r)
        return false;
    if (PQntuples(r) == 0) {
        resp_not_found(req);
        return false;
    }
    if (strcmp(PQgetvalue(r, 0, 0), "t") == 0)
        return true;
    resp_forbidden(req, res->guard_why);
    return false;
}

/* The resource's guard on the document of w (see resource.h). */
static bool guard_write(struct request *req, const struct res_write *w, const char *doc)
{
    const struct resource *res = w->res;
    if (!res->guard)
        return true;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const struct res_statements *st = res_statements_of(res);
    const char *params[] = {viewer, w->create ? doc : w->key, doc, w->parent};
    return guard_allows(req, res,
                        w->create ? req_exec(req, &st->guard_create, 2, params)
                                  : req_exec(req, &st->guard_patch, res->parent ? 4 : 3, params));
}

bool resource_guard_row(struct request *req, const struct resource *res, const char *key)
{
    if (!res->guard)
        return true;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, key, path_parent(req, res)};
    return guard_allows(
        req, res, req_exec(req, &res_statements_of(res)->guard_row, res->parent ? 3 : 2, params));
}

/* The hooks' check, the guard, then the rules, in the open transaction.
 * Returns the document's text, or NULL after answering. */
static const char *checked_doc(struct request *req, struct res_write *w)
{
    if (w->res->hooks.check && !w->res->hooks.check(req, w))
        return NULL;
    drop_secrets(w);
    char *doc = req_defer(req, cJSON_free, cJSON_PrintUnformatted(w->doc));
    if (!doc || !guard_write(req, w, doc) || !check_rules(req, w, doc))
        return NULL;
    if (!w->errors.count)
        return doc;
    resp_validation(req, &w->errors, NULL);
    return NULL;
}

/* Validates the body of a create (key NULL) or of a patch of item `key`
 * into w. Returns false after answering. */
static bool read_write(struct request *req, const struct resource *res, const char *key,
                       struct res_write *w)
{
    bool create = !key;
    *w = (struct res_write){.res = res,
                            .create = create,
                            .parent = path_parent(req, res),
                            .key = key,
                            .caller = policy_caller(&req->who, NULL)};
    cJSON *body = req_keep_json(req, req_json_object(req, !create));
    if (!body)
        return false;
    w->body = body;
    resource_validate(res, body, create, w);
    req_keep_json(req, w->doc);
    if (create && res->parent)
        cJSON_AddStringToObject(w->doc, res->parent, w->parent);
    if (res->hooks.prepare && !res->hooks.prepare(req, w)) {
        field_errors_free(&w->errors);
        return false;
    }
    if (!w->errors.count)
        return true;
    resp_validation(req, &w->errors, NULL);
    return false;
}

void resource_create(struct request *req, const struct resource *res)
{
    struct res_write w;
    if (!read_write(req, res, NULL, &w))
        return;
    const struct res_statements *st = res_statements_of(res);
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *doc = NULL;
    PGresult *r = NULL;
    if (!req_db(req) || !parent_exists(req, res)) {
        /* answered */
    } else if (!db_begin(req->db)) {
        resp_db_error(req);
    } else if ((doc = checked_doc(req, &w))) {
        const char *params[] = {viewer, doc};
        if ((r = req_exec(req, &st->insert, 2, params)))
            resource_changed(req, res, "create", NULL, r, 201);
        else
            unique_conflict(req, res);
    }
    field_errors_free(&w.errors);
}

void resource_patch(struct request *req, const struct resource *res)
{
    const char *key = resource_path_key(req, res);
    if (key)
        resource_patch_item(req, res, key);
    else
        resp_not_found(req);
}

void resource_patch_item(struct request *req, const struct resource *res, const char *key)
{
    struct res_write w;
    if (!read_write(req, res, key, &w))
        return;
    const struct res_statements *st = res_statements_of(res);
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *lock_params[] = {viewer, w.key, w.parent};
    const char *doc;
    PGresult *r;
    w.current = req_keep_result(
        req, req_lock_row(req, &st->lock, res->parent ? 3 : 2, lock_params, RES_COL_VERSION));
    if (w.current && (doc = checked_doc(req, &w))) {
        const char *params[] = {viewer, w.key, doc, w.parent};
        if (!(r = req_exec(req, &st->update, res->parent ? 4 : 3, params))) {
            unique_conflict(req, res);
        } else if (PQntuples(r) == 0) { /* nothing changed: nothing to write or audit */
            res_respond_row(req, 200, w.current);
        } else {
            resource_changed(req, res, "update", PQgetvalue(w.current, 0, RES_COL_SNAPSHOT), r,
                             200);
        }
    }
    field_errors_free(&w.errors);
}

void resource_delete(struct request *req, const struct resource *res)
{
    const char *key = resource_path_key(req, res);
    if (!key) {
        resp_not_found(req);
        return;
    }
    const char *params[] = {key, path_parent(req, res)};
    PGresult *r = NULL;
    if (!req_db(req)) {
        /* answered */
    } else if (!db_begin(req->db)) {
        resp_db_error(req);
    } else if (res->hooks.deleting && !res->hooks.deleting(req, res, key)) {
        /* answered */
    } else if (!resource_guard_row(req, res, key)) {
        /* answered */
    } else if (!(r = req_exec(req, &res_statements_of(res)->delete, res->parent ? 2 : 1, params))) {
        /* answered */
    } else if (PQntuples(r) == 0) {
        resp_not_found(req);
    } else if (resource_audit(req, res, "delete", key, PQgetvalue(r, 0, 1), NULL)) {
        resp_json(req, 204, "", 0);
        req_commit(req);
    }
}

/* Pieces for a resource's own handlers (see resource.h). */

bool resource_read(struct request *req, const struct resource *res, bool create,
                   struct res_write *w)
{
    const char *key = create ? NULL : resource_path_key(req, res);
    if (create || key)
        return read_write(req, res, key, w);
    *w = (struct res_write){.res = res}; /* as the caller frees w.errors */
    resp_not_found(req);
    return false;
}

void resource_changed(struct request *req, const struct resource *res, const char *action,
                      const char *before, const PGresult *r, int status)
{
    const char *key = PQgetvalue(r, 0, RES_COL_KEY);
    if (!resource_audit(req, res, action, key, before, PQgetvalue(r, 0, RES_COL_SNAPSHOT)))
        return;
    if (status == 201) /* the new item lives under the collection it was posted to */
        resp_header(req, "Location", "%s/%s", res->items_at ? res->items_at : req->path, key);
    res_respond_row(req, status, r);
    req_commit(req);
}
