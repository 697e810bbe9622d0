/*
 * Writing and reading audit events (see audit.h). The log is read through a
 * read-only resource (lib/resource): its JSON and its filters are SQL
 * (audit_event_json, audit_matches in sql/010_users_audit.sql), its list
 * newest first.
 */
#include "audit/audit.h"

#include "resource/resource.h"

static const struct db_stmt STMT_AUDIT_INSERT = {
    .name = "audit_insert",
    .sql =
        "INSERT INTO audit_events (actor_id, actor_role, action, entity, entity_id, before, after,"
        "                          request_id, client_request_id)"
        " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9)",
};

/* What the log records events about: the one list of them, which the
 * entity filter accepts (api/openapi.yaml: AuditEntity). */
static const char *const audit_entities[] = {
    "municipality", "user", "state", "cycle", "adhesion", "team_member",
    /* the program's data */
    "indicator", "challenge", "challenge_indicator", "state_target", "focalization_run",
    "focal_override",
    /* the portfolio, action plans and pacts */
    "initiative", "incentive", "action_plan", "plan_comment", "pact",
    /* delivery evidence */
    "evidence",
    /* the shared-management forum, co-evaluation and training */
    "forum_member", "co_evaluation", "course", "course_attendance",
    /* public questions, assistance requests */
    "question", "assistance_request",
    /* good practices */
    "practice",
    /* public consultations */
    "consultation", "consultation_comment", NULL};

static const struct res_filter audit_filters[] = {
    {.name = "entity", .type = RES_ENUM, .values = audit_entities},
    {.name = "entity_id", .type = RES_TEXT, .max = 64},
    {.name = "actor_id", .type = RES_ID},
    {.name = "since", .type = RES_TIMESTAMP},
    {.name = "until", .type = RES_TIMESTAMP},
    {.name = NULL},
};

/* Nothing of an event is written through the API: no fields. */
static const struct res_field audit_fields[] = {RES_END};

static struct resource audit_log = {
    .entity = "audit_event",
    .table = "audit_events",
    .key = "id",
    .key_type = RES_ID,
    .view = "audit_event_json",
    .matches = "audit_matches",
    .list_name = "audit",
    .descending = true,
    .fields = audit_fields,
    .filters = audit_filters,
};

struct audit_actor audit_actor_of(const struct request *req)
{
    return (struct audit_actor){
        .user_id = req->who.user_id_str[0] ? req->who.user_id_str : NULL,
        .role = req->who.role[0] ? req->who.role : NULL,
        .request_id = req->request_id,
        .client_request_id = req->client_request_id[0] ? req->client_request_id : NULL,
    };
}

bool audit_record(struct db_conn *db, const struct audit_actor *actor, const char *action,
                  const char *entity, const char *entity_id, const char *before, const char *after)
{
    const char *params[] = {actor->user_id, actor->role,       action,
                            entity,         entity_id,         before,
                            after,          actor->request_id, actor->client_request_id};
    PGresult *r = db_exec(db, &STMT_AUDIT_INSERT, 9, params);
    PQclear(r);
    return r != NULL;
}

void audit_list(struct request *req) { resource_list(req, &audit_log); }
