/*
 * Manual decisions (see focalization.h): the secretariat makes a
 * municipality focal or not for a challenge, whatever the current run says,
 * with a reason; deleting the decision gives the municipality back to the
 * run's verdict. One decision per challenge and municipality (PUT creates or
 * replaces it); each change is one audit event, entity focal_override.
 */
#include "focalization/focalization.h"

#include "authz/policy.h"
#include "db/db.h"
#include "challenges/challenges.h"
#include "http/idempotency.h"
#include "http/response.h"
#include "resource/resource.h"

#include <string.h>

/* The body of a decision; the declaration also names the audit entity. */
static const struct res_field override_fields[] = {
    RES_FIELD("focal", RES_BOOL, RF_CREATE | RF_REQUIRED),
    RES_FIELD("reason", RES_TEXT, RF_CREATE | RF_REQUIRED, .max = 1000),
    RES_END,
};

static struct resource override_resource = {
    .entity = "focal_override",
    .table = "focal_overrides",
    .key = "id",
    .key_type = RES_ID,
    .view = "focal_override_json",
    .fields = override_fields,
};

/* $1 challenge, $2 municipality: the decision as it is, locked until the
 * transaction ends (the audit event's "before"). */
static const struct db_stmt STMT_OVERRIDE_LOCK = {
    .name = "focal_override_lock",
    .sql = "SELECT focal_override_snapshot(o) FROM focal_overrides o"
           " WHERE o.challenge_id = $1::bigint AND o.municipality_id = $2 FOR UPDATE",
};

/* $1 viewer, $2 challenge, $3 municipality, $4 focal, $5 reason. */
static const struct db_stmt STMT_OVERRIDE_PUT = {
    .name = "focal_override_put",
    .sql = "WITH t AS ("
           "  INSERT INTO focal_overrides (challenge_id, municipality_id, focal, reason,"
           "                               decided_by)"
           "  VALUES ($2::bigint, $3, $4::boolean, $5, ($1::pacto_viewer).user_id)"
           "  ON CONFLICT (challenge_id, municipality_id) DO UPDATE"
           "     SET focal = EXCLUDED.focal, reason = EXCLUDED.reason,"
           "         decided_by = EXCLUDED.decided_by, version = focal_overrides.version + 1,"
           "         updated_at = now()"
           "  RETURNING *)"
           " SELECT t.id, t.version, focal_override_json(t::focal_overrides, $1::pacto_viewer),"
           "        focal_override_snapshot(t::focal_overrides)"
           "   FROM t",
};

/* $1 challenge, $2 municipality. */
static const struct db_stmt STMT_OVERRIDE_DELETE = {
    .name = "focal_override_delete",
    .sql = "DELETE FROM focal_overrides o"
           " WHERE o.challenge_id = $1::bigint AND o.municipality_id = $2"
           " RETURNING o.id, focal_override_snapshot(o)",
};

void focal_overrides_put(struct request *req)
{
    const char *challenge = req_param(req, 0), *code = req_param(req, 1);
    struct res_write w;
    if (!resource_read(req, &override_resource, true, &w))
        return;
    field_errors_free(&w.errors);
    struct challenge_scope ch;
    if (!challenges_begin_write(req, challenge, code, &ch))
        return;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(w.doc, "reason");
    const char *params[] = {
        viewer, challenge, code,
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(w.doc, "focal")) ? "true" : "false",
        cJSON_GetStringValue(reason)};
    const PGresult *old = req_exec(req, &STMT_OVERRIDE_LOCK, 2, params + 1), *r;
    if (!old || !(r = req_exec(req, &STMT_OVERRIDE_PUT, 5, params)))
        return;
    bool created = PQntuples(old) == 0;
    if (!resource_audit(req, &override_resource, created ? "create" : "update", PQgetvalue(r, 0, 0),
                        created ? NULL : PQgetvalue(old, 0, 0), PQgetvalue(r, 0, 3)))
        return;
    if (created)
        resp_header(req, "Location", "%s", req->path);
    resp_etag(req, PQgetvalue(r, 0, 1));
    resp_json(req, created ? 201 : 200, PQgetvalue(r, 0, 2), (size_t)PQgetlength(r, 0, 2));
    req_commit(req);
}

void focal_overrides_delete(struct request *req)
{
    const char *challenge = req_param(req, 0), *code = req_param(req, 1);
    struct challenge_scope ch;
    if (!challenges_begin_write(req, challenge, code, &ch))
        return;
    const char *params[] = {challenge, code};
    const PGresult *r = req_exec(req, &STMT_OVERRIDE_DELETE, 2, params);
    if (!r)
        return;
    if (PQntuples(r) == 0) {
        resp_problem(req, 404, "not-found", "No manual decision",
                     "This municipality has no manual decision for this challenge.");
        return;
    }
    if (resource_audit(req, &override_resource, "delete", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1),
                       NULL)) {
        resp_json(req, 204, "", 0);
        req_commit(req);
    }
}
