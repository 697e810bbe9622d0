/*
 * Creating and editing an action plan's document (see edit.h). Each handler
 * reads the body, takes the plan (or the challenge) in the request's
 * transaction, judges the document's form (plans/content.c) and then what
 * it names (plan_document_problems), saves it with one call (plan_create or
 * plan_save, which bumps the plan's version) and answers the plan with its
 * audit event (plans_changed).
 */
#include "plans/edit.h"

#include "plans/content.h"
#include "plans/plan.h"

#include "authz/policy.h"
#include "db/db.h"
#include "http/response.h"
#include "resource/resource.h"
#include "validate/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* $1 viewer, $2 challenge. What a create must know, with the challenge, its
 * cycle and the municipality's active adhesion locked FOR SHARE, so that
 * none changes between the checks and the insert. */
static const struct db_stmt STMT_CREATE_CONTEXT = {
    .name = "plan_create_context",
    .sql = "SELECT cycle_phase(c, now()) = 'closed',"
           "       (SELECT a.id FROM adhesions a"
           "         WHERE a.cycle_id = c.id AND a.status = 'active'"
           "           AND a.municipality_id = ($1::pacto_viewer).municipality_id FOR SHARE),"
           "       ch.open_to_all OR EXISTS (SELECT 1 FROM challenge_focal_municipalities(ch.id) f"
           "                                  WHERE f.municipality_id"
           "                                        = ($1::pacto_viewer).municipality_id),"
           "       now() >= cycle_plans_due_at(c), pacto_ts(cycle_plans_due_at(c)),"
           "       (SELECT p.id FROM action_plans p WHERE p.challenge_id = ch.id"
           "           AND p.municipality_id = ($1::pacto_viewer).municipality_id)"
           "  FROM challenges ch JOIN cycles c ON c.id = ch.cycle_id"
           " WHERE ch.id = $2 FOR SHARE OF ch, c",
};
enum { CX_CLOSED, CX_ADHESION, CX_FOCAL, CX_LATE, CX_DUE, CX_EXISTING };

/* $1 challenge, $2 plan or NULL, $3 the document. */
static const struct db_stmt STMT_DOCUMENT_PROBLEMS = {
    .name = "plan_document_problems",
    .sql = "SELECT field, message FROM plan_document_problems($1, $2, $3::jsonb)",
};

/* $1 challenge, $2 adhesion, $3 viewer, $4 the document: the new plan's id,
 * or NULL when the municipality already has one for the challenge. */
static const struct db_stmt STMT_CREATE = {
    .name = "plan_create",
    .sql = "SELECT plan_create($1, $2, $3::pacto_viewer, $4::jsonb)",
};

/* $1 plan, $2 the document, $3 viewer. */
static const struct db_stmt STMT_SAVE = {
    .name = "plan_save",
    .sql = "SELECT plan_save($1, $2::jsonb, $3::pacto_viewer)",
};

static bool is_true(const PGresult *r, int col) { return strcmp(PQgetvalue(r, 0, col), "t") == 0; }

/* The document of a create, whose body is optional: an empty one when the
 * request has none. NULL after answering 400 or 415. */
static cJSON *read_optional(struct request *req)
{
    const char *length = req_header(req, "Content-Length");
    if (!req_header(req, "Content-Type") && !req_header(req, "Transfer-Encoding") &&
        (!length || strcmp(length, "0") == 0))
        return req_keep_json(req, cJSON_CreateObject());
    return req_keep_json(req, req_json_object(req, false));
}

/* Judges doc for the plan (NULL on a create) of challenge: its form, then,
 * when the form is sound, what it names. Returns the document as text, or
 * NULL after answering 422 or the database's error. */
static const char *judge(struct request *req, const cJSON *doc, const char *challenge,
                         const char *plan)
{
    struct field_errors e = {0};
    const char *text = NULL;
    if (plan_content_check(doc, &e)) {
        text = req_defer(req, free, cJSON_PrintUnformatted(doc));
        const char *params[] = {challenge, plan, text};
        const PGresult *r = req_exec(req, &STMT_DOCUMENT_PROBLEMS, 3, params);
        if (!r) {
            field_errors_free(&e);
            return NULL;
        }
        for (int i = 0; i < PQntuples(r); i++)
            field_error(&e, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
    }
    if (e.count) {
        resp_validation(req, &e, NULL);
        return NULL;
    }
    field_errors_free(&e);
    return text;
}

/* Refuses a create the challenge's cycle does not allow the caller now;
 * true when it did. */
static bool refuse_create(struct request *req, const PGresult *cx)
{
    char detail[200];
    if (is_true(cx, CX_CLOSED)) {
        resp_problem(req, 409, "conflict", "The cycle is closed",
                     "A closed cycle's challenges take no new action plans.");
    } else if (PQgetisnull(cx, 0, CX_ADHESION)) {
        resp_problem(req, 422, "adhesion-required", "No active adhesion",
                     "The municipality needs an active adhesion to the challenge's cycle to "
                     "write an action plan for it.");
    } else if (!is_true(cx, CX_FOCAL)) {
        resp_problem(req, 409, "not-focal", "The municipality is not focal",
                     "The challenge takes plans from its focal municipalities only.");
    } else if (is_true(cx, CX_LATE)) {
        snprintf(detail, sizeof detail, "The cycle's plans were due at %s.",
                 PQgetvalue(cx, 0, CX_DUE));
        resp_problem(req, 422, "plans-deadline-passed", "The plans deadline has passed", detail);
    } else if (!PQgetisnull(cx, 0, CX_EXISTING)) {
        snprintf(detail, sizeof detail,
                 "The municipality already has a plan for this challenge: /v1/action-plans/%s.",
                 PQgetvalue(cx, 0, CX_EXISTING));
        resp_problem(req, 409, "conflict", "The plan already exists", detail);
    } else {
        return false;
    }
    return true;
}

void plans_create(struct request *req)
{
    const char *challenge = req_param(req, 0);
    if (!challenge || !id_is_canonical(challenge)) {
        resp_not_found(req);
        return;
    }
    cJSON *doc = read_optional(req);
    if (!doc)
        return;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, challenge};
    const PGresult *cx, *r;
    const char *text;
    if (!req_db(req)) {
        /* answered */
    } else if (!db_begin(req->db)) {
        resp_db_error(req);
    } else if (!(cx = req_exec(req, &STMT_CREATE_CONTEXT, 2, params))) {
        /* answered */
    } else if (PQntuples(cx) == 0) {
        resp_not_found(req);
    } else if (refuse_create(req, cx)) {
        /* answered */
    } else if (!(text = judge(req, doc, challenge, NULL))) {
        /* answered */
    } else if (!(r = req_exec(
                     req, &STMT_CREATE, 4,
                     (const char *[]){challenge, PQgetvalue(cx, 0, CX_ADHESION), viewer, text}))) {
        /* answered */
    } else if (PQgetisnull(r, 0, 0)) {
        resp_problem(req, 409, "conflict", "The plan already exists",
                     "The municipality already has a plan for this challenge.");
    } else {
        plans_changed_id(req, PQgetvalue(r, 0, 0), NULL, "create", 201);
    }
}

/* Gives a whole document's absent members their empty values. */
static void fill_absent(cJSON *doc)
{
    if (!cJSON_HasObjectItem(doc, "summary"))
        cJSON_AddNullToObject(doc, "summary");
    if (!cJSON_HasObjectItem(doc, "targets"))
        cJSON_AddArrayToObject(doc, "targets");
    if (!cJSON_HasObjectItem(doc, "actions"))
        cJSON_AddArrayToObject(doc, "actions");
}

/* PUT and PATCH: the document (or its patch) saved into the plan of the
 * path, if the caller may edit it now. */
static void edit(struct request *req, bool whole)
{
    cJSON *doc = req_keep_json(req, req_json_object(req, !whole));
    if (!doc)
        return;
    struct plan_lock p;
    if (!plans_lock(req, true, &p))
        return;
    if (plans_refuse(req, &p, "edit"))
        return;
    if (!whole && !doc->child) { /* a patch of nothing: no change, no audit event */
        resource_show(req, &plans_resource, p.id);
        return;
    }
    if (whole)
        fill_absent(doc);
    const char *text = judge(req, doc, p.challenge_id, p.id);
    if (!text)
        return;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    if (req_exec(req, &STMT_SAVE, 3, (const char *[]){p.id, text, viewer}))
        plans_changed(req, &p, "update", 200);
}

void plans_put(struct request *req) { edit(req, true); }
void plans_patch(struct request *req) { edit(req, false); }
