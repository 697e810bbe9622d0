/*
 * Challenges (see challenges.h), declared as two resources sharing one field
 * list: under their cycle (list and create: /v1/cycles/{cycle_id}/challenges)
 * and on their own (get, patch, delete: /v1/challenges/{challenge_id}). JSON,
 * snapshot, filters and guard (viewer_manages of the responsible area) are
 * SQL in sql/015_catalogue.sql. A closed cycle's challenge is refused with
 * 409 by the check hook (create, patch) and the delete hook: they run in the
 * write's transaction, after the row is locked, and may answer a conflict,
 * where a guard can only say who may act (403). Who may call each route is
 * in lib/api/routes.c.
 */
#include "challenges/challenges.h"

#include "authz/policy.h"
#include "indicators/indicators.h"
#include "resource/resource.h"

#include <stdio.h>
#include <string.h>

#define CHALLENGE_CODE_MAX 20

static const char *const themes[] = {"health", "education",   "security", "economy",
                                     "social", "environment", "other",    NULL};
/* pacto_is_secretariat_area in sql/014. */
static const char *const combines[] = {"any", "all", NULL};

static const char *challenge_code_problem(const char *s)
{
    return indicators_code_problem(s, CHALLENGE_CODE_MAX);
}

/* In CSV column order. A challenge stays in its cycle. */
static const struct res_field challenge_fields[] = {
    RES_FIELD("id", RES_ID, RF_CSV),
    RES_FIELD("cycle_id", RES_ID, RF_STORED | RF_CSV),
    RES_FIELD("state", RES_UF, RF_CSV),
    RES_FIELD("code", RES_TEXT, RF_WRITE | RF_REQUIRED | RF_CSV, .max = CHALLENGE_CODE_MAX,
              .check = challenge_code_problem),
    RES_FIELD("title", RES_TEXT, RF_WRITE | RF_REQUIRED | RF_CSV, .max = 200),
    RES_FIELD("description", RES_TEXT, RF_WRITE | RF_NULLABLE, .max = 4000),
    RES_FIELD("area", RES_ENUM, RF_WRITE | RF_REQUIRED | RF_CSV, .values = themes),
    RES_FIELD("responsible_area", RES_ENUM, RF_WRITE | RF_REQUIRED | RF_CSV,
              .values = policy_areas),
    RES_FIELD("focal_combine", RES_ENUM, RF_WRITE | RF_CSV, .values = combines, .def = "\"any\""),
    RES_FIELD("open_to_all", RES_BOOL, RF_WRITE | RF_CSV, .def = "false"),
    /* How far behind its linear path a pact target may be and still be on
     * track (sql/024), as a fraction of the way from baseline to target. */
    RES_FIELD("trajectory_tolerance", RES_NUMBER, RF_WRITE, .min = 0, .max = 1, .def = "0.1"),
    RES_FIELD("indicators", RES_TEXT, 0),
    RES_FIELD("created_at", RES_TIMESTAMP, 0),
    RES_FIELD("updated_at", RES_TIMESTAMP, 0),
    RES_END,
};

static const struct res_filter challenge_filters[] = {
    {.name = "area", .type = RES_ENUM, .values = themes},
    {.name = "responsible_area", .type = RES_ENUM, .values = policy_areas},
    {.name = NULL},
};

static const struct db_stmt STMT_CHALLENGE_CLOSED = {
    .name = "challenge_cycle_closed",
    .sql = "SELECT challenge_cycle_closed($1::bigint)",
};

static const struct db_stmt STMT_CYCLE_CLOSED = {
    .name = "challenge_cycle_is_closed",
    .sql = "SELECT cycle_is_closed($1::bigint)",
};

static const struct db_stmt STMT_IN_USE = {
    .name = "challenge_in_use",
    .sql = "SELECT challenge_in_use($1::bigint)",
};

static const struct db_stmt STMT_UNMANAGED = {
    .name = "challenge_unmanaged_area",
    .sql = "SELECT challenge_unmanaged_area($1::pacto_viewer, $2::bigint, $3)",
};

/* Whether the caller manages the challenge `key` as stored (NULL: a create)
 * and the responsible area it is given (NULL: kept): the guard's rule,
 * judged first so that the 403 names the area. False after answering. */
static bool manages(struct request *req, const char *key, const char *area)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, key, area};
    PGresult *r = req_exec(req, &STMT_UNMANAGED, 3, params);
    if (!r)
        return false;
    if (PQgetisnull(r, 0, 0))
        return true;
    challenges_refuse_area(req, PQgetvalue(r, 0, 0));
    return false;
}

/* Answers 409 when the first value of r is true; false after answering. */
static bool open_cycle(struct request *req, const PGresult *r)
{
    if (r && strcmp(PQgetvalue(r, 0, 0), "t") == 0) {
        challenges_refuse_closed(req);
        return false;
    }
    return r != NULL;
}

/* The challenge `key`'s cycle is open; false after answering. */
static bool challenge_open(struct request *req, const char *key)
{
    const char *params[] = {key};
    return open_cycle(req, req_exec(req, &STMT_CHALLENGE_CLOSED, 1, params));
}

/* The check hook of both descriptors: the caller manages the challenge
 * before and after, and its cycle is open (a create names the cycle, the
 * parent; a patch the challenge). */
static bool checked(struct request *req, struct res_write *w)
{
    const char *area =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w->doc, "responsible_area"));
    if (!manages(req, w->create ? NULL : w->key, area))
        return false;
    if (!w->create)
        return challenge_open(req, w->key);
    const char *params[] = {w->parent};
    return open_cycle(req, req_exec(req, &STMT_CYCLE_CLOSED, 1, params));
}

/* The delete hook: the caller manages the challenge, its cycle is open, and
 * nothing the delete would take with it (a focalization, state targets). */
static bool deletable(struct request *req, const struct resource *res, const char *key)
{
    (void)res;
    if (!challenges_check_write(req, key, NULL, NULL))
        return false;
    const char *params[] = {key};
    PGresult *r = req_exec(req, &STMT_IN_USE, 1, params);
    if (r && !PQgetisnull(r, 0, 0)) {
        resp_problem(req, 409, "conflict", "The challenge is in use", PQgetvalue(r, 0, 0));
        return false;
    }
    return r != NULL;
}

#define CHALLENGE_COMMON                                                                           \
    .entity = "challenge", .table = "challenges", .key = "id", .key_type = RES_ID,                 \
    .view = "challenge_json", .snapshot = "challenge_snapshot", .matches = "challenge_matches",    \
    .guard = "challenge_guard", /* the hooks refuse first, naming the area */                      \
        .guard_why = "Only the challenge's responsible secretariat or the coordination may change" \
                     " this challenge.",                                                           \
    .fields = challenge_fields, .filters = challenge_filters,                                      \
    .hooks = {.check = checked, .deleting = deletable},                                            \
    .unique_title = "Challenge code already in use",                                               \
    .unique_detail = "Another challenge of the cycle has this code."

/* The cycle's challenges: list and create. */
static struct resource cycle_challenge = {
    CHALLENGE_COMMON,
    .name = "cycle_challenge",
    .parent = "cycle_id",
    .parent_exists = "SELECT 1 FROM cycles WHERE id = $1::bigint",
    .parent_type = RES_ID,
    .list_name = "challenges",
    .items_at = "/v1/challenges",
};

/* One challenge, by its id. */
static struct resource challenge = {
    CHALLENGE_COMMON,
    .name = "challenge",
};

void challenges_list(struct request *req) { resource_list(req, &cycle_challenge); }
void challenges_create(struct request *req) { resource_create(req, &cycle_challenge); }
void challenges_get(struct request *req) { resource_get(req, &challenge); }
void challenges_update(struct request *req) { resource_patch(req, &challenge); }
void challenges_delete(struct request *req) { resource_delete(req, &challenge); }
