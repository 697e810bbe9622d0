/*
 * A course's attendance (see training.h), declared once as a resource under
 * its course, keyed by the team member who attended: list and record (POST
 * {team_member_id}), get and delete, served by the generic handlers. Rows
 * are never changed, only recorded and deleted (no version). Who may see a
 * row (the state; a municipality its own members), who may record one (the
 * course's area or the coordination), and the rule that the member is on
 * the team of a municipality that adhered to the course's cycle are SQL in
 * sql/031_forum_training.sql; the member's municipality is kept with the
 * row, so the count of people trained survives the member leaving the team.
 */
#include "training/training.h"

#include "resource/resource.h"

#include <stdio.h>
#include <stdlib.h>

/* In CSV column order. */
static const struct res_field attendance_fields[] = {
    RES_FIELD("course_id", RES_ID, RF_STORED | RF_CSV),
    RES_FIELD("team_member_id", RES_INTEGER, RF_CREATE | RF_REQUIRED | RF_CSV, .min = 1,
              .max = 9e15),
    RES_FIELD("municipality_id", RES_IBGE, RF_STORED | RF_CSV),
    RES_FIELD("municipality_name", RES_TEXT, RF_CSV),
    RES_FIELD("name", RES_TEXT, RF_CSV),
    RES_FIELD("program_role", RES_TEXT, RF_CSV),
    RES_FIELD("recorded_by", RES_ID, RF_STORED),
    RES_FIELD("created_at", RES_TIMESTAMP, RF_CSV),
    RES_END,
};

static const struct res_filter attendance_filters[] = {
    {.name = "municipality_id", .type = RES_IBGE},
    {.name = NULL},
};

/* The prepare hook: who records it. */
static bool recorder(struct request *req, struct res_write *w)
{
    cJSON_AddNumberToObject(w->doc, "recorded_by", (double)req->who.user_id);
    return true;
}

/* $1 the team member. */
static const struct db_stmt STMT_MEMBER = {
    .name = "attendance_member",
    .sql = "SELECT municipality_id FROM team_members WHERE id = $1::bigint",
};

/* The check hook: the member's municipality goes with the row; a member who
 * does not exist is the rules' error (no team, no adhesion). */
static bool member_municipality(struct request *req, struct res_write *w)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(w->doc, "team_member_id");
    char text[24];
    snprintf(text, sizeof text, "%.0f", cJSON_GetNumberValue(id));
    const char *params[] = {text};
    PGresult *r = req_exec(req, &STMT_MEMBER, 1, params);
    if (r && PQntuples(r) == 1)
        cJSON_AddStringToObject(w->doc, "municipality_id", PQgetvalue(r, 0, 0));
    return r != NULL;
}

static struct resource attendance = {
    .entity = "course_attendance",
    .table = "course_attendance",
    .key = "team_member_id",
    .key_type = RES_ID,
    .parent = "course_id",
    .parent_exists = "SELECT 1 FROM courses WHERE id = $1::bigint",
    .parent_type = RES_ID,
    .unversioned = true,
    .view = "attendance_json",
    .snapshot = "attendance_snapshot",
    .rules = "attendance_rules",
    .matches = "attendance_matches",
    .visible = "attendance_visible",
    .guard = "attendance_guard",
    .guard_why = "Only the course's area secretariat or the coordination record its attendance.",
    .list_name = "course_attendance",
    .audit_key_with_parent = true,
    .fields = attendance_fields,
    .filters = attendance_filters,
    .hooks = {.prepare = recorder, .check = member_municipality},
    .unique_title = "Attendance already recorded",
    .unique_detail = "The team member's attendance of this course is recorded already.",
};

void training_attendance_list(struct request *req) { resource_list(req, &attendance); }
void training_attendance_create(struct request *req) { resource_create(req, &attendance); }
void training_attendance_get(struct request *req) { resource_get(req, &attendance); }
void training_attendance_delete(struct request *req) { resource_delete(req, &attendance); }
