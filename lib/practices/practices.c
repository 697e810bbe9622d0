/*
 * A good practice as a resource (see practices.h): its declaration, and its
 * create, get, patch and delete. The document's scalars are judged by the
 * declaration, its lists by input.c, and what it names (the challenge, the
 * municipality's plan and actions, indicator values) by
 * practice_document_problems (sql/033); a patch is merged into the stored
 * document first, so the merged whole is what is judged and written.
 */
#include "practices/practices.h"

#include "authz/policy.h"
#include "db/db.h"
#include "http/idempotency.h"
#include "http/response.h"
#include "practices/input.h"
#include "practices/row.h"
#include "validate/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cost_ranges[] = {"none", "up_to_50k", "50k_to_500k", "over_500k", NULL};

/* sdg_goals, action_ids and indicator_values are judged by input.c, never
 * by resource_validate, which never sees them. */
static const struct res_field practice_fields[] = {
    RES_FIELD("id", RES_ID, 0),
    RES_FIELD("municipality_id", RES_IBGE, 0),
    RES_FIELD("challenge_id", RES_INTEGER, RF_WRITE | RF_REQUIRED, .min = 1, .max = 1e15),
    RES_FIELD("plan_id", RES_INTEGER, RF_WRITE | RF_NULLABLE, .min = 1, .max = 1e15),
    RES_FIELD("title", RES_TEXT, RF_WRITE | RF_REQUIRED, .max = 200),
    RES_FIELD("summary", RES_TEXT, RF_WRITE | RF_REQUIRED, .max = 2000),
    RES_FIELD("problem", RES_TEXT, RF_WRITE | RF_REQUIRED, .max = 4000),
    RES_FIELD("results", RES_TEXT, RF_WRITE | RF_REQUIRED, .max = 4000),
    RES_FIELD("cost_range", RES_ENUM, RF_WRITE | RF_REQUIRED, .values = cost_ranges),
    RES_FIELD("contact_role", RES_TEXT, RF_WRITE | RF_REQUIRED, .max = 200),
    RES_FIELD("status", RES_TEXT, 0, .max = 20),
    RES_FIELD("return_reason", RES_TEXT, 0, .max = 2000),
    RES_FIELD("adopted_by", RES_INTEGER, 0),
    RES_FIELD("submitted_at", RES_TIMESTAMP, 0),
    RES_FIELD("published_at", RES_TIMESTAMP, 0),
    RES_FIELD("created_at", RES_TIMESTAMP, 0),
    RES_FIELD("updated_at", RES_TIMESTAMP, 0),
    RES_END,
};

static const struct res_filter no_filters[] = {{.name = NULL}};

struct resource practices_resource = {
    .entity = "practice",
    .table = "practices",
    .key = "id",
    .key_type = RES_ID,
    .view = "practice_json",
    .snapshot = "practice_snapshot",
    .visible = "practice_visible",
    .fields = practice_fields,
    .filters = no_filters,
};

/* $1 viewer, $2 practice: the row, locked, when the viewer may know of it. */
static const struct db_stmt STMT_LOCK = {
    .name = "practice_lock",
    .sql = "SELECT p.id, p.version, p.status, practice_snapshot(p), c.responsible_area,"
           "       viewer_is_municipal($1::pacto_viewer, p.municipality_id),"
           "       viewer_manages($1::pacto_viewer, c.responsible_area), practice_cited(p.id),"
           "       p.municipality_id"
           "  FROM practices p JOIN challenges c ON c.id = p.challenge_id"
           " WHERE p.id = $2 AND practice_visible(p, $1::pacto_viewer)"
           "   FOR UPDATE OF p",
};
enum { L_ID, L_VERSION, L_STATUS, L_SNAPSHOT, L_AREA, L_OWN, L_CURATES, L_CITED, L_MUNICIPALITY };

/* $1 viewer, $2 practice: key, version, view and snapshot, as
 * resource_changed takes them. */
static const struct db_stmt STMT_ROW = {
    .name = "practice_row",
    .sql = "SELECT p.id, p.version, practice_json(p, $1::pacto_viewer), practice_snapshot(p)"
           "  FROM practices p WHERE p.id = $2",
};

/* $1 municipality, $2 a whole document: what it names that is not there. */
static const struct db_stmt STMT_PROBLEMS = {
    .name = "practice_problems",
    .sql = "SELECT field, message FROM practice_document_problems($1, $2::jsonb)",
};

/* $1 practice, $2 a patch: what the merged document names that is not there. */
static const struct db_stmt STMT_PATCH_PROBLEMS = {
    .name = "practice_patch_problems",
    .sql =
        "SELECT d.field, d.message FROM practices p,"
        "       practice_document_problems(p.municipality_id, practice_document(p) || $2::jsonb) d"
        " WHERE p.id = $1",
};

/* $1 viewer, $2 a judged document: the new practice's id. */
static const struct db_stmt STMT_CREATE = {
    .name = "practice_create",
    .sql = "SELECT practice_create($1::pacto_viewer, $2::jsonb)",
};

/* $1 practice, $2 a judged patch, merged into its document. */
static const struct db_stmt STMT_SAVE = {
    .name = "practice_save",
    .sql = "SELECT practice_save(p.id, practice_document(p) || $2::jsonb) FROM practices p"
           " WHERE p.id = $1",
};

/* $1 practice: its snapshot, deleted. */
static const struct db_stmt STMT_DELETE = {
    .name = "practice_delete",
    .sql = "DELETE FROM practices WHERE id = $1 RETURNING practice_snapshot(practices)",
};

static bool is_true(const PGresult *r, int col) { return strcmp(PQgetvalue(r, 0, col), "t") == 0; }

bool practices_lock(struct request *req, struct practice_lock *out)
{
    const char *key = req_param(req, 0);
    if (!key || !id_is_canonical(key)) {
        resp_not_found(req);
        return false;
    }
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, key};
    const PGresult *r = req_keep_result(req, req_lock_row(req, &STMT_LOCK, 2, params, L_VERSION));
    if (!r)
        return false;
    *out = (struct practice_lock){
        .id = PQgetvalue(r, 0, L_ID),
        .version = PQgetvalue(r, 0, L_VERSION),
        .status = PQgetvalue(r, 0, L_STATUS),
        .snapshot = PQgetvalue(r, 0, L_SNAPSHOT),
        .area = PQgetvalue(r, 0, L_AREA),
        .municipality_id = PQgetvalue(r, 0, L_MUNICIPALITY),
        .own = is_true(r, L_OWN),
        .curates = is_true(r, L_CURATES),
        .cited = is_true(r, L_CITED),
    };
    return true;
}

void practices_refuse_status(struct request *req, const struct practice_lock *p, const char *needs)
{
    char detail[200];
    snprintf(detail, sizeof detail, "The practice is %s: %s.", p->status, needs);
    resp_problem(req, 409, "invalid-transition", "Invalid transition", detail);
}

void practices_refuse_cited(struct request *req, const char *what)
{
    char detail[200];
    snprintf(detail, sizeof detail,
             "An action plan's action cites the practice as one it adopts: it cannot be %s.", what);
    resp_problem(req, 409, "practice-cited", "The practice is cited", detail);
}

void practices_changed(struct request *req, const char *id, const char *before, const char *action,
                       int status)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const PGresult *r = req_exec(req, &STMT_ROW, 2, (const char *[]){viewer, id});
    if (r)
        resource_changed(req, &practices_resource, action, before, r, status);
}

/* Reads the body of a create or patch and judges its form: the scalars by
 * the declaration, the lists by input.c. The judged document as text, or
 * NULL after answering 400/413/415/422. */
static const char *read_document(struct request *req, bool create)
{
    cJSON *body = req_keep_json(req, req_json_object(req, !create));
    if (!body)
        return NULL;
    const cJSON *sdg =
        req_keep_json(req, cJSON_DetachItemFromObjectCaseSensitive(body, "sdg_goals"));
    const cJSON *actions =
        req_keep_json(req, cJSON_DetachItemFromObjectCaseSensitive(body, "action_ids"));
    const cJSON *values =
        req_keep_json(req, cJSON_DetachItemFromObjectCaseSensitive(body, "indicator_values"));
    struct res_write w = {.res = &practices_resource,
                          .create = create,
                          .caller = policy_caller(&req->who, NULL),
                          .body = body};
    resource_validate(&practices_resource, body, create, &w);
    req_keep_json(req, w.doc);
    practice_read_sdg_goals(sdg, create, w.doc, &w.errors);
    practice_read_action_ids(actions, create, w.doc, &w.errors);
    practice_read_indicator_values(values, create, w.doc, &w.errors);
    if (w.errors.count) {
        resp_validation(req, &w.errors, NULL);
        return NULL;
    }
    field_errors_free(&w.errors);
    char *text = req_defer(req, cJSON_free, cJSON_PrintUnformatted(w.doc));
    if (!text)
        abort(); /* out of memory, as resource_validate */
    return text;
}

/* Adds the rows of a problems statement as field errors; answers 422 and
 * returns false when there were any. */
static bool no_problems(struct request *req, const PGresult *r)
{
    if (PQntuples(r) == 0)
        return true;
    struct field_errors e = {0};
    for (int i = 0; i < PQntuples(r); i++)
        field_error(&e, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
    resp_validation(req, &e, NULL);
    return false;
}

void practices_create(struct request *req)
{
    const char *doc = read_document(req, true);
    if (!doc)
        return;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const PGresult *problems, *r;
    if (!req_db(req)) {
        /* answered */
    } else if (!db_begin(req->db)) {
        resp_db_error(req);
    } else if (!(problems = req_exec(req, &STMT_PROBLEMS, 2,
                                     (const char *[]){req->who.municipality_id, doc}))) {
        /* answered */
    } else if (!no_problems(req, problems)) {
        /* answered */
    } else if ((r = req_exec(req, &STMT_CREATE, 2, (const char *[]){viewer, doc}))) {
        practices_changed(req, PQgetvalue(r, 0, 0), NULL, "create", 201);
    }
}

void practices_get(struct request *req) { resource_get(req, &practices_resource); }

void practices_update(struct request *req)
{
    const char *patch = read_document(req, false);
    struct practice_lock p;
    if (!patch || !practices_lock(req, &p))
        return;
    /* The practice first, If-Match then: one the caller may not change is
     * refused whatever they send. */
    const PGresult *problems;
    if (!p.own) {
        resp_forbidden(req, "Only the proposing municipality's mayor or representative may "
                            "change its practice.");
    } else if (!req_header(req, "If-Match")) {
        resp_problem(req, 428, "precondition-required", "If-Match is required",
                     "Send the practice's ETag (from GET) in If-Match, so that no one's changes "
                     "are silently overwritten.");
    } else if (strcmp(p.status, "draft") != 0 && strcmp(p.status, "returned") != 0) {
        practices_refuse_status(req, &p, "only a draft or a returned practice is edited");
    } else if (strcmp(patch, "{}") == 0) { /* a patch of nothing: no change, no event */
        db_rollback(req->db);
        resource_show(req, &practices_resource, p.id);
    } else if (!(problems =
                     req_exec(req, &STMT_PATCH_PROBLEMS, 2, (const char *[]){p.id, patch}))) {
        /* answered */
    } else if (!no_problems(req, problems)) {
        /* answered */
    } else if (req_exec(req, &STMT_SAVE, 2, (const char *[]){p.id, patch})) {
        practices_changed(req, p.id, p.snapshot, "update", 200);
    }
}

void practices_delete(struct request *req)
{
    struct practice_lock p;
    const PGresult *r;
    if (!practices_lock(req, &p)) {
        /* answered */
    } else if (!p.own) {
        resp_forbidden(req, "Only the proposing municipality's mayor or representative may "
                            "delete its practice.");
    } else if (p.cited) {
        practices_refuse_cited(req, "deleted");
    } else if ((r = req_exec(req, &STMT_DELETE, 1, (const char *[]){p.id})) &&
               resource_audit(req, &practices_resource, "delete", p.id, p.snapshot, NULL)) {
        resp_json(req, 204, "", 0);
        req_commit(req);
    }
}
