/*
 * A challenge's initiatives (see portfolio.h), declared as two resources
 * sharing one field list: under their challenge (list, create) and on their
 * own (get, patch, delete). JSON, snapshot, visibility (drafts are the
 * state's), filters, guard and what keeps one are SQL in
 * sql/020_portfolio.sql.
 *
 * Create and patch are this file's own handlers, built of the resource's
 * pieces, because an initiative's deliveries are a list of objects, which a
 * field declaration cannot say: the nested lists are taken out of the body
 * and judged by initiative_lists.c, the rest by the declaration. Every
 * write starts with challenges_check_write (404, 403 naming the area, 409
 * for a closed cycle) and ends with resource_changed (the audit event).
 */
#include "portfolio/portfolio.h"

#include "authz/policy.h"
#include "challenges/challenges.h"
#include "http/idempotency.h"
#include "resource/resource.h"

#include <stdlib.h>
#include <string.h>

static const char *const types[] = {"program", "training", "technical_assistance",
                                    "funding", "other",    NULL};
/* pacto_is_secretariat_area in sql/014. */

/* In CSV column order. deliveries and links are written by the handlers
 * below, never by resource_validate, which never sees them. */
static const struct res_field initiative_fields[] = {
    RES_FIELD("id", RES_ID, RF_CSV),
    RES_FIELD("challenge_id", RES_ID, RF_STORED | RF_CSV),
    RES_FIELD("title", RES_TEXT, RF_WRITE | RF_REQUIRED | RF_CSV, .max = 200),
    RES_FIELD("description", RES_TEXT, RF_WRITE | RF_NULLABLE, .max = 4000),
    /* Left out of a create: the challenge's responsible area (the insert). */
    RES_FIELD("area", RES_ENUM, RF_WRITE | RF_CSV, .values = policy_areas),
    RES_FIELD("type", RES_ENUM, RF_WRITE | RF_REQUIRED | RF_CSV, .values = types),
    RES_FIELD("deliveries", RES_TEXT_LIST, 0),
    RES_FIELD("links", RES_TEXT_LIST, 0),
    RES_FIELD("published", RES_BOOL, RF_WRITE | RF_CSV, .def = "false"),
    RES_FIELD("created_at", RES_TIMESTAMP, 0),
    RES_FIELD("updated_at", RES_TIMESTAMP, 0),
    RES_END,
};

static const struct res_filter initiative_filters[] = {
    {.name = "type", .type = RES_ENUM, .values = types},
    {.name = "published", .type = RES_BOOL},
    {.name = NULL},
};

/* $1 viewer, $2 the document, $3 the challenge (checked to exist). */
static const struct db_stmt STMT_INSERT = {
    .name = "initiative_insert",
    .sql = "WITH t AS (INSERT INTO initiatives"
           "             (challenge_id, title, description, area, type, deliveries, links,"
           "              published)"
           "           SELECT c.id, r.title, r.description, coalesce(r.area, c.responsible_area),"
           "                  r.type, r.deliveries, r.links, r.published"
           "             FROM challenges c, jsonb_populate_record(NULL::initiatives, $2::jsonb) r"
           "            WHERE c.id = $3::bigint RETURNING *)"
           " SELECT t.id, t.version, initiative_json(t::initiatives, $1::pacto_viewer),"
           "        initiative_snapshot(t::initiatives) FROM t",
};

/* $1 viewer, $2 key: the row a patch changes, if the viewer may know of it,
 * with its challenge (column 4). */
static const struct db_stmt STMT_LOCK = {
    .name = "initiative_lock",
    .sql = "SELECT t.id, t.version, initiative_json(t, $1::pacto_viewer), initiative_snapshot(t),"
           "       t.challenge_id"
           "  FROM initiatives t"
           " WHERE t.id = $2::bigint AND initiative_visible(t, $1::pacto_viewer)"
           " FOR UPDATE OF t",
};
enum { LOCK_VERSION = 1, LOCK_VIEW = 2, LOCK_SNAPSHOT = 3, LOCK_CHALLENGE = 4 };

/* $1 viewer, $2 key, $3 the patch. No row when nothing changes. */
static const struct db_stmt STMT_UPDATE = {
    .name = "initiative_update",
    .sql = "WITH t AS (UPDATE initiatives t"
           "              SET (title, description, area, type, deliveries, links, published) ="
           "                  (SELECT r.title, r.description, r.area, r.type, r.deliveries,"
           "                          r.links, r.published"
           "                     FROM jsonb_populate_record(t, $3::jsonb) r),"
           "                  version = t.version + 1, updated_at = now()"
           "            WHERE t.id = $2::bigint"
           "              AND t IS DISTINCT FROM jsonb_populate_record(t, $3::jsonb)"
           "        RETURNING t.*)"
           " SELECT t.id, t.version, initiative_json(t::initiatives, $1::pacto_viewer),"
           "        initiative_snapshot(t::initiatives) FROM t",
};

/* $1 key: the initiative's challenge and what keeps the initiative. */
static const struct db_stmt STMT_DELETING = {
    .name = "initiative_deleting",
    .sql = "SELECT challenge_id, initiative_in_use(id) FROM initiatives WHERE id = $1::bigint",
};

/* The delete hook: the caller keeps the challenge, its cycle is open, and
 * no plan's action adopts the initiative. */
static bool deletable(struct request *req, const struct resource *res, const char *key)
{
    (void)res;
    const char *params[] = {key};
    PGresult *r = req_exec(req, &STMT_DELETING, 1, params);
    if (!r)
        return false;
    if (PQntuples(r) == 0) {
        resp_not_found(req);
        return false;
    }
    if (!challenges_check_write(req, PQgetvalue(r, 0, 0), NULL, NULL))
        return false;
    if (PQgetisnull(r, 0, 1))
        return true;
    resp_problem(req, 409, "conflict", "The initiative is in use", PQgetvalue(r, 0, 1));
    return false;
}

#define INITIATIVE_COMMON                                                                          \
    .entity = "initiative", .table = "initiatives", .key = "id", .key_type = RES_ID,               \
    .view = "initiative_json", .snapshot = "initiative_snapshot", .matches = "initiative_matches", \
    .visible = "initiative_visible",                                                               \
    .guard = "initiative_guard", /* challenges_check_write refuses first, naming the area */       \
        .guard_why = "Only the challenge's responsible secretariat or the coordination may change" \
                     " its portfolio.",                                                            \
    .fields = initiative_fields, .filters = initiative_filters, .hooks = {.deleting = deletable}

/* A challenge's initiatives: list and create. */
static struct resource challenge_initiative = {
    INITIATIVE_COMMON,
    .name = "challenge_initiative",
    .parent = "challenge_id",
    .parent_exists = "SELECT 1 FROM challenges WHERE id = $1::bigint",
    .parent_type = RES_ID,
    .list_name = "initiatives",
    .items_at = "/v1/initiatives",
};

/* One initiative, by its id. */
static struct resource initiative = {
    INITIATIVE_COMMON,
    .name = "initiative",
};

/* Reads and judges the body of a create (key NULL, under the path's
 * challenge) or of a patch of initiative `key` into w, w->doc as text in
 * *doc. Returns false after answering (404, 400/413/415, 422 with every
 * problem). */
static bool read_initiative(struct request *req, const char *key, struct res_write *w,
                            const char **doc)
{
    bool create = !key;
    const struct resource *res = create ? &challenge_initiative : &initiative;
    *w = (struct res_write){.res = res,
                            .create = create,
                            .parent = create ? resource_path_parent(req, res) : NULL,
                            .key = key,
                            .caller = policy_caller(&req->who, NULL)};
    if (create && !w->parent) {
        resp_not_found(req);
        return false;
    }
    cJSON *body = req_keep_json(req, req_json_object(req, !create));
    if (!body)
        return false;
    const cJSON *deliveries =
        req_keep_json(req, cJSON_DetachItemFromObjectCaseSensitive(body, "deliveries"));
    const cJSON *links = req_keep_json(req, cJSON_DetachItemFromObjectCaseSensitive(body, "links"));
    w->body = body;
    resource_validate(res, body, create, w);
    req_keep_json(req, w->doc);
    portfolio_read_deliveries(deliveries, create, w->doc, &w->errors);
    portfolio_read_links(links, create, w->doc, &w->errors);
    if (w->errors.count) {
        resp_validation(req, &w->errors, NULL);
        return false;
    }
    *doc = req_defer(req, cJSON_free, cJSON_PrintUnformatted(w->doc));
    if (!*doc)
        abort(); /* out of memory, as resource_validate */
    return true;
}

void initiatives_create(struct request *req)
{
    struct res_write w;
    const char *doc;
    if (!read_initiative(req, NULL, &w, &doc))
        return;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, doc, w.parent};
    PGresult *r;
    if (challenges_begin_write(req, w.parent, NULL, NULL) &&
        (r = req_exec(req, &STMT_INSERT, 3, params)))
        resource_changed(req, &challenge_initiative, "create", NULL, r, 201);
    field_errors_free(&w.errors);
}

void initiatives_update(struct request *req)
{
    const char *key = resource_path_key(req, &initiative);
    struct res_write w;
    const char *doc;
    if (!key) {
        resp_not_found(req);
        return;
    }
    if (!read_initiative(req, key, &w, &doc))
        return;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, key, doc};
    const PGresult *cur =
        req_keep_result(req, req_lock_row(req, &STMT_LOCK, 2, params, LOCK_VERSION));
    PGresult *r;
    if (!cur || !challenges_check_write(req, PQgetvalue(cur, 0, LOCK_CHALLENGE), NULL, NULL) ||
        !(r = req_exec(req, &STMT_UPDATE, 3, params))) {
        /* answered */
    } else if (PQntuples(r) == 0) { /* nothing changed: nothing to write or audit */
        resp_etag(req, PQgetvalue(cur, 0, LOCK_VERSION));
        resp_json(req, 200, PQgetvalue(cur, 0, LOCK_VIEW), strlen(PQgetvalue(cur, 0, LOCK_VIEW)));
        req_commit(req);
    } else {
        resource_changed(req, &initiative, "update", PQgetvalue(cur, 0, LOCK_SNAPSHOT), r, 200);
    }
    field_errors_free(&w.errors);
}

void initiatives_list(struct request *req) { resource_list(req, &challenge_initiative); }
void initiatives_get(struct request *req) { resource_get(req, &initiative); }
void initiatives_delete(struct request *req) { resource_delete(req, &initiative); }
