/*
 * A cycle's forum members (see forum.h), declared once as a resource: under
 * their cycle (list, create) and on their own (get, patch, delete), served
 * by the generic handlers. JSON, snapshot, filters, the mandate's rules and
 * what keeps a member are SQL in sql/031_forum_training.sql. Who may call
 * each route is in lib/api/routes.c: the public reads, the coordination
 * writes.
 *
 * A create that gives an `email` also makes the member's account, role
 * forum_member, through the same code as POST /v1/users (users_insert): the
 * account starts inactive with an invitation whose token is in this answer
 * once, and never stored (a replay under the same Idempotency-Key shows it
 * as null; POST /v1/users/{user_id}/invitation makes a new one). The
 * account and the member are written in one transaction, each with its own
 * audit event.
 */
#include "forum/forum.h"

#include "auth/activate.h"
#include "authz/policy.h"
#include "http/idempotency.h"
#include "plans/content.h"
#include "resource/resource.h"
#include "users/users.h"

#include <stdlib.h>
#include <string.h>

static const char *const sectors[] = {"government", "civil_society", "academia", "private", NULL};

static const char *date_problem(const char *s)
{
    return plan_content_is_date(s) ? NULL : "must be a date (YYYY-MM-DD)";
}

#define DATE_FIELD(name)                                                                           \
    RES_FIELD(name, RES_TEXT, RF_WRITE | RF_REQUIRED | RF_CSV, .max = 10, .check = date_problem)

/* In CSV column order. */
static const struct res_field member_fields[] = {
    RES_FIELD("id", RES_ID, RF_CSV),
    RES_FIELD("cycle_id", RES_ID, RF_STORED | RF_CSV),
    RES_FIELD("name", RES_TEXT, RF_WRITE | RF_REQUIRED | RF_CSV, .max = 200),
    RES_FIELD("organization", RES_TEXT, RF_WRITE | RF_REQUIRED | RF_CSV, .max = 200),
    RES_FIELD("sector", RES_ENUM, RF_WRITE | RF_REQUIRED | RF_CSV, .values = sectors),
    DATE_FIELD("mandate_starts_on"),
    DATE_FIELD("mandate_ends_on"),
    RES_FIELD("in_office", RES_BOOL, RF_CSV),
    RES_FIELD("has_account", RES_BOOL, RF_CSV),
    /* The account's address, on create only: never a column here. */
    RES_FIELD("email", RES_EMAIL, RF_CREATE | RF_VIRTUAL | RF_NULLABLE),
    RES_FIELD("user_id", RES_ID, RF_STORED),
    RES_FIELD("created_at", RES_TIMESTAMP, 0),
    RES_FIELD("updated_at", RES_TIMESTAMP, 0),
    RES_END,
};

static const struct res_filter member_filters[] = {
    {.name = "sector", .type = RES_ENUM, .values = sectors},
    {.name = "in_office", .type = RES_BOOL},
    {.name = NULL},
};

/* $1 key: what keeps the member. */
static const struct db_stmt STMT_IN_USE = {
    .name = "forum_member_in_use",
    .sql = "SELECT forum_member_in_use(id) FROM forum_members WHERE id = $1::bigint",
};

/* The delete hook: a member who co-evaluated stays (their record is public). */
static bool deletable(struct request *req, const struct resource *res, const char *key)
{
    (void)res;
    return resource_deletable_unless(req, &STMT_IN_USE, key, "The member has co-evaluated");
}

#define MEMBER_COMMON                                                                              \
    .entity = "forum_member", .table = "forum_members", .key = "id", .key_type = RES_ID,           \
    .view = "forum_member_json", .snapshot = "forum_member_snapshot",                              \
    .matches = "forum_member_matches", .rules = "forum_member_rules", .fields = member_fields,     \
    .filters = member_filters, .hooks = {.deleting = deletable}

static struct resource cycle_member = {
    MEMBER_COMMON,
    .name = "cycle_forum_member",
    .parent = "cycle_id",
    .parent_exists = "SELECT 1 FROM cycles WHERE id = $1::bigint",
    .parent_type = RES_ID,
    .list_name = "forum_members",
    .items_at = "/v1/forum-members",
};

static struct resource member = {
    MEMBER_COMMON,
    .name = "forum_member",
};

static const struct db_stmt STMT_CYCLE = {
    .name = "forum_member_cycle",
    .sql = "SELECT 1 FROM cycles WHERE id = $1::bigint FOR SHARE",
};

/* $1 viewer, $2 the document with user_id. */
static const struct db_stmt STMT_INSERT = {
    .name = "forum_member_insert",
    .sql = "WITH t AS (INSERT INTO forum_members (cycle_id, name, organization, sector,"
           "                                      mandate_starts_on, mandate_ends_on, user_id)"
           "           SELECT r.cycle_id, r.name, r.organization, r.sector, r.mandate_starts_on,"
           "                  r.mandate_ends_on, r.user_id"
           "             FROM jsonb_populate_record(NULL::forum_members, $2::jsonb) r"
           "           RETURNING *)"
           " SELECT t.id, t.version, forum_member_json(t::forum_members, $1::pacto_viewer),"
           "        forum_member_snapshot(t::forum_members) FROM t",
};

/* The invitation's expiry in an account's JSON as users_insert made it. */
static const char *invitation_expiry(struct request *req, const struct buf *account)
{
    cJSON *a = req_keep_json(req, cJSON_Parse(buf_cstr(account)));
    const cJSON *inv = cJSON_GetObjectItemCaseSensitive(a, "invitation");
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(inv, "expires_at"));
}

/* Makes the account of member w (validated, with its email) and the member
 * in the open transaction, and answers 201 with the member and the
 * invitation. On failure answers; the caller's request rolls back. */
static void create_with_account(struct request *req, struct res_write *w, const char *email,
                                const struct auth_invitation *inv)
{
    char *doc = req_defer(req, cJSON_free, cJSON_PrintUnformatted(w->doc));
    if (!doc || !resource_check_rules(req->db, &cycle_member, doc, &w->errors)) {
        resp_db_error(req);
        return;
    }
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w->doc, "name"));
    struct user_input in = {
        .name = name, .email = email, .role = "forum_member", .invitation = inv};
    struct audit_actor actor = audit_actor_of(req);
    struct buf account = {0};
    char user_id[24];
    enum user_create_status st =
        w->errors.count ? USER_INVALID
                        : users_insert(req->db, &actor, &in, &w->errors, &account, user_id);
    req_defer(req, free, account.data);
    if (st == USER_INVALID) {
        resp_validation(req, &w->errors, NULL);
        return;
    }
    if (st == USER_EMAIL_TAKEN) {
        resp_problem(req, 409, "conflict", "E-mail already in use",
                     "Another account already uses this e-mail address.");
        return;
    }
    if (st != USER_CREATED) {
        resp_db_error(req);
        return;
    }
    cJSON_AddNumberToObject(w->doc, "user_id", atof(user_id));
    doc = req_defer(req, cJSON_free, cJSON_PrintUnformatted(w->doc));
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, doc};
    PGresult *r = req_exec(req, &STMT_INSERT, 2, params);
    const char *key = r ? PQgetvalue(r, 0, 0) : NULL;
    if (!r || !resource_audit(req, &cycle_member, "create", key, NULL, PQgetvalue(r, 0, 3)))
        return;
    struct buf json = {0};
    buf_puts(&json, PQgetvalue(r, 0, 2));
    auth_invitation_add(&json, inv, invitation_expiry(req, &account));
    resp_header(req, "Location", "/v1/forum-members/%s", key);
    resp_etag(req, PQgetvalue(r, 0, 1));
    users_redact_token(&req->replay_body, buf_cstr(&json), inv->token);
    resp_json_buf(req, 201, &json);
    req_commit(req);
}

void forum_members_create(struct request *req)
{
    cJSON *body = req_keep_json(req, req_json_object(req, false));
    if (!body)
        return;
    const cJSON *email = cJSON_GetObjectItemCaseSensitive(body, "email");
    if (!email || cJSON_IsNull(email)) {
        resource_create(req, &cycle_member);
        return;
    }
    struct res_write w;
    struct auth_invitation inv;
    if (!resource_path_parent(req, &cycle_member)) {
        resp_not_found(req);
        return;
    }
    if (!resource_read(req, &cycle_member, true, &w))
        return;
    const char *address = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w.doc, "email"));
    const char *params[] = {w.parent};
    PGresult *r;
    if (!auth_invitation_new(&inv)) {
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
    } else if (!req_db(req)) {
        /* answered */
    } else if (!db_begin(req->db)) {
        resp_db_error(req);
    } else if ((r = req_exec(req, &STMT_CYCLE, 1, params)) && PQntuples(r) == 0) {
        resp_not_found(req);
    } else if (r) {
        create_with_account(req, &w, address, &inv);
    }
    field_errors_free(&w.errors);
}

void forum_members_list(struct request *req) { resource_list(req, &cycle_member); }
void forum_members_get(struct request *req) { resource_get(req, &member); }
void forum_members_update(struct request *req) { resource_patch(req, &member); }
void forum_members_delete(struct request *req) { resource_delete(req, &member); }
