/*
 * Making and reading assistance requests (see assistance.h).
 */
#include "assistance/assistance.h"

#include "audit/audit.h"
#include "authz/policy.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/query.h"
#include "http/response.h"
#include "resource/resource.h"
#include "plans/plan.h"
#include "validate/ibge.h"
#include "validate/id.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DESCRIPTION_MAX 2000

static const char *const topics[] = {"planning", "indicators", "evidence", "budget",
                                     "legal",    "other",      NULL};
static const char *const statuses[] = {"open", "assigned", "answered", "closed", "withdrawn", NULL};
/* pacto_is_secretariat_area in sql/014. */

/* $1 plan, $2 action: one row when the action is the plan's. */
static const struct db_stmt STMT_ACTION_OF_PLAN = {
    .name = "assistance_action_of_plan",
    .sql = "SELECT 1 FROM plan_actions WHERE id = $2::bigint AND plan_id = $1::bigint",
};

/* $1 viewer, $2 plan, $3 action or NULL, $4 topic, $5 description: the
 * request, addressed to the area of the plan's challenge. */
static const struct db_stmt STMT_INSERT = {
    .name = "assistance_insert",
    .sql = "INSERT INTO assistance_requests (plan_id, action_id, cycle_id, municipality_id, area,"
           "                                 topic, description, created_by)"
           " SELECT p.id, $3::bigint, p.cycle_id, p.municipality_id, ch.responsible_area, $4, $5,"
           "        ($1::pacto_viewer).user_id"
           "   FROM action_plans p JOIN challenges ch ON ch.id = p.challenge_id"
           "  WHERE p.id = $2::bigint RETURNING id",
};

/* $1 viewer, $2 request: the history line's parameters follow ($3 action,
 * $4 from, $5 to, $6 note). */
static const struct db_stmt STMT_HISTORY = {
    .name = "assistance_history",
    .sql = "INSERT INTO assistance_transitions (request_id, action, from_status, to_status, note,"
           "                                    user_id, role, area)"
           " VALUES ($2::bigint, $3, $4, $5, $6, ($1::pacto_viewer).user_id,"
           "         ($1::pacto_viewer).role, ($1::pacto_viewer).secretariat_area)",
};

/* $1 request: its JSON with the history, snapshot and version. */
static const struct db_stmt STMT_READ = {
    .name = "assistance_read",
    .sql = "SELECT assistance_json(r, true), assistance_snapshot(r), r.version"
           "  FROM assistance_requests r WHERE r.id = $1::bigint",
};

/* $1 viewer, $2 request, when the viewer may see it. */
static const struct db_stmt STMT_GET = {
    .name = "assistance_get",
    .sql = "SELECT assistance_json(r, true), r.version FROM assistance_requests r"
           " WHERE r.id = $2 AND assistance_visible(r, $1::pacto_viewer)",
};

/* $1 viewer, $2 filters, $3 the key to continue after, $4 limit. */
static const struct db_stmt STMT_LIST = {
    .name = "assistance_list",
    .sql = "SELECT r.* FROM assistance_rows($1::pacto_viewer, $2::jsonb) r"
           " WHERE ($3::text IS NULL OR r.k > $3::text) ORDER BY r.k LIMIT $4",
};

static const char LIST_CSV_HEADER[] = "id,plan_id,action_id,municipality_id,area,topic,status,"
                                      "technician_id,created_at,answered_at,description,answer";

void assistance_changed(struct request *req, const char *viewer, const char *id, const char *action,
                        const char *from, const char *to, const char *note, const char *before,
                        int status)
{
    const PGresult *r;
    if (!req_exec(req, &STMT_HISTORY, 6, (const char *[]){viewer, id, action, from, to, note}) ||
        !(r = req_exec(req, &STMT_READ, 1, &id)))
        return;
    struct audit_actor actor = audit_actor_of(req);
    if (!audit_record(req->db, &actor, from ? action : "create", "assistance_request", id, before,
                      PQgetvalue(r, 0, 1))) {
        resp_db_error(req);
        return;
    }
    resp_json(req, status, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
    if (status == 201)
        resp_header(req, "Location", "/v1/assistance-requests/%s", id);
    resp_etag(req, PQgetvalue(r, 0, 2));
    req_commit(req);
}

struct request_input {
    const char *topic, *description;
    char action_id[24];
    bool has_action;
};

/* The body of a request, every problem at once. False after answering 422. */
static bool read_request(struct request *req, const cJSON *body, struct request_input *in)
{
    static const char *const allowed[] = {"action_id", "topic", "description", NULL};
    struct field_errors e = {0};
    fields_only(body, allowed, NULL, &e);
    enum field_state st = field_string(body, "topic", 16, &in->topic, &e);
    field_required(st, "topic", &e);
    bool known = false;
    for (const char *const *t = topics; st == FIELD_SET && *t; t++)
        known |= strcmp(*t, in->topic) == 0;
    if (st == FIELD_SET && !known)
        field_error(&e, "topic", "must be planning, indicators, evidence, budget, legal or other");
    field_required(field_string(body, "description", DESCRIPTION_MAX, &in->description, &e),
                   "description", &e);
    double action = 0;
    st = field_number(body, "action_id", 1, 9007199254740991.0, &action, &e);
    if (st == FIELD_SET && floor(action) != action)
        field_error(&e, "action_id", "must be an integer");
    in->has_action = st == FIELD_SET;
    snprintf(in->action_id, sizeof in->action_id, "%.0f", action);
    if (e.count > 0) {
        resp_validation(req, &e, NULL);
        return false;
    }
    field_errors_free(&e);
    return true;
}

/* The plan first (another municipality's is 404 whatever the body), then
 * the body (422), then the action, which must be the plan's. */
void assistance_create(struct request *req)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    struct plan_lock plan;
    struct request_input in = {0};
    const cJSON *body;
    const PGresult *r;
    if (!(body = req_keep_json(req, req_json_object(req, false))) ||
        !plans_lock(req, false, &plan) || !read_request(req, body, &in))
        return;
    if (in.has_action) {
        if (!(r = req_exec(req, &STMT_ACTION_OF_PLAN, 2, (const char *[]){plan.id, in.action_id})))
            return;
        if (PQntuples(r) == 0) {
            struct field_errors e = {0};
            field_error(&e, "action_id", "must be an action of this plan");
            resp_validation(req, &e, NULL);
            return;
        }
    }
    const char *params[] = {viewer, plan.id, in.has_action ? in.action_id : NULL, in.topic,
                            in.description};
    if (!(r = req_exec(req, &STMT_INSERT, 5, params)))
        return;
    assistance_changed(req, viewer, PQgetvalue(r, 0, 0), "request", NULL, "open", NULL, NULL, 201);
}

void assistance_get(struct request *req) { resource_show_by(req, &STMT_GET); }

void assistance_list(struct request *req)
{
    static const char *const allowed[] = {"status", "area", "municipality_id", "plan_id", "limit",
                                          "cursor", NULL};
    struct query q;
    struct page page;
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, "assistance-requests", &page))
        return;
    cJSON *filters = req_keep_json(req, cJSON_CreateObject());
    if (!query_filter(req, &q, "status", statuses, NULL,
                      "status must be open, assigned, answered, closed or withdrawn.", filters) ||
        !query_filter(req, &q, "area", policy_areas, NULL,
                      "area must be coordination, health, education, security or economy.",
                      filters) ||
        !query_filter(req, &q, "municipality_id", NULL, ibge_code_is_valid,
                      "municipality_id must be a 7-digit IBGE code.", filters) ||
        !query_filter(req, &q, "plan_id", NULL, id_is_canonical,
                      "plan_id must be a positive integer.", filters))
        return;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *f = req_defer(req, cJSON_free, cJSON_PrintUnformatted(filters));
    struct list_query lq = {.stmt = &STMT_LIST,
                            .nparams = 4,
                            .params = {viewer, f, NULL, NULL},
                            .after_param = 2,
                            .limit_param = 3,
                            .key_col = 0,
                            .json_col = 1,
                            .csv_first_col = 2,
                            .csv_header = LIST_CSV_HEADER};
    resp_list(req, &page, &lq);
}
