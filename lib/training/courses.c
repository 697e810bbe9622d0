/*
 * A cycle's courses (see training.h), declared once as a resource: under
 * their cycle (list, create) and on their own (get, patch, delete), served
 * by the generic handlers. JSON (with the attendance counted), snapshot,
 * filters, the guard (the course's area or the coordination, on the row
 * before and after a change), the dates' rules (within the cycle: from its
 * first day to the end of its target year — courses go on while the pacts
 * are carried out, after the pact window has closed) and what keeps a
 * course are SQL in sql/031_forum_training.sql.
 */
#include "training/training.h"

#include "authz/policy.h"
#include "plans/content.h"
#include "resource/resource.h"

/* pacto_is_secretariat_area in sql/014. */

const char *training_date_problem(const char *s)
{
    return plan_content_is_date(s) ? NULL : "must be a date (YYYY-MM-DD)";
}

#define DATE_FIELD(name)                                                                           \
    RES_FIELD(name, RES_TEXT, RF_WRITE | RF_REQUIRED | RF_CSV, .max = 10,                          \
              .check = training_date_problem)

/* In CSV column order. */
static const struct res_field course_fields[] = {
    RES_FIELD("id", RES_ID, RF_CSV),
    RES_FIELD("cycle_id", RES_ID, RF_STORED | RF_CSV),
    RES_FIELD("title", RES_TEXT, RF_WRITE | RF_REQUIRED | RF_CSV, .max = 200),
    RES_FIELD("area", RES_ENUM, RF_WRITE | RF_REQUIRED | RF_CSV, .values = policy_areas),
    DATE_FIELD("starts_on"),
    DATE_FIELD("ends_on"),
    RES_FIELD("hours", RES_INTEGER, RF_WRITE | RF_REQUIRED | RF_CSV, .min = 1, .max = 2000),
    RES_FIELD("attendees", RES_INTEGER, RF_CSV),
    RES_FIELD("municipalities", RES_INTEGER, RF_CSV),
    RES_FIELD("created_at", RES_TIMESTAMP, 0),
    RES_FIELD("updated_at", RES_TIMESTAMP, 0),
    RES_END,
};

static const struct res_filter course_filters[] = {
    {.name = "area", .type = RES_ENUM, .values = policy_areas},
    {.name = NULL},
};

/* $1 key: what keeps the course. */
static const struct db_stmt STMT_IN_USE = {
    .name = "course_in_use",
    .sql = "SELECT course_in_use(id) FROM courses WHERE id = $1::bigint",
};

/* The delete hook: a course with attendance stays (it is who was trained). */
static bool deletable(struct request *req, const struct resource *res, const char *key)
{
    (void)res;
    return resource_deletable_unless(req, &STMT_IN_USE, key, "The course has attendance");
}

#define COURSE_COMMON                                                                              \
    .entity = "course", .table = "courses", .key = "id", .key_type = RES_ID,                       \
    .view = "course_json", .snapshot = "course_snapshot", .matches = "course_matches",             \
    .rules = "course_rules", .guard = "course_guard",                                              \
    .guard_why = "Only the course's area secretariat or the coordination may change it.",          \
    .fields = course_fields, .filters = course_filters, .hooks = {.deleting = deletable}

static struct resource cycle_course = {
    COURSE_COMMON,
    .name = "cycle_course",
    .parent = "cycle_id",
    .parent_exists = "SELECT 1 FROM cycles WHERE id = $1::bigint",
    .parent_type = RES_ID,
    .list_name = "courses",
    .items_at = "/v1/courses",
};

static struct resource course = {
    COURSE_COMMON,
    .name = "course",
};

void training_courses_list(struct request *req) { resource_list(req, &cycle_course); }
void training_courses_create(struct request *req) { resource_create(req, &cycle_course); }
void training_courses_get(struct request *req) { resource_get(req, &course); }
void training_courses_update(struct request *req) { resource_patch(req, &course); }
void training_courses_delete(struct request *req) { resource_delete(req, &course); }
