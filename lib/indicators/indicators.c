/*
 * The indicator catalogue (see indicators.h), declared once as a resource.
 * Its JSON, snapshot, rules (first period for the periodicity, min below
 * max, area and periodicity fixed once there are values), filters and guard
 * (viewer_manages of its area) are SQL in sql/015_catalogue.sql. Here: the
 * code's form, the one population indicator, and what keeps an indicator
 * from being deleted. Who may call each route is in lib/api/routes.c.
 */
#include "indicators/indicators.h"

#include "authz/policy.h"
#include "resource/resource.h"

#include <stdio.h>
#include <string.h>

#define INDICATOR_CODE_MAX 40

static const char *const polarities[] = {"higher_is_better", "lower_is_better", NULL};
static const char *const periodicities[] = {"annual", "biennial", "monthly", NULL};
/* pacto_is_secretariat_area in sql/014. */

const char *indicators_code_problem(const char *s, size_t max)
{
    static const char first[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static const char rest[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
    size_t n = strlen(s);
    if (n == 0 || n > max || !strchr(first, s[0]) || strspn(s, rest) != n)
        return max == INDICATOR_CODE_MAX
                   ? "must be 1 to 40 upper-case letters, digits, _ . or -, starting with a"
                     " letter or digit"
                   : "must be 1 to 20 upper-case letters, digits, _ . or -, starting with a"
                     " letter or digit";
    return NULL;
}

static const char *indicator_code_problem(const char *s)
{
    return indicators_code_problem(s, INDICATOR_CODE_MAX);
}

/* Numbers a client may give as a range or a scale: finite and far from
 * where a double stops holding integers exactly. */
#define BIG 1e15

/* In CSV column order. The code names the indicator in files and URLs of
 * other systems: it is never changed. */
static const struct res_field indicator_fields[] = {
    RES_FIELD("id", RES_ID, RF_CSV),
    RES_FIELD("code", RES_TEXT, RF_CREATE | RF_REQUIRED | RF_CSV, .max = INDICATOR_CODE_MAX,
              .check = indicator_code_problem),
    RES_FIELD("name", RES_TEXT, RF_WRITE | RF_REQUIRED | RF_CSV, .max = 200),
    RES_FIELD("description", RES_TEXT, RF_WRITE | RF_NULLABLE, .max = 4000),
    RES_FIELD("unit", RES_TEXT, RF_WRITE | RF_REQUIRED | RF_CSV, .max = 100),
    RES_FIELD("polarity", RES_ENUM, RF_WRITE | RF_REQUIRED | RF_CSV, .values = polarities),
    RES_FIELD("source", RES_TEXT, RF_WRITE | RF_REQUIRED | RF_CSV, .max = 200),
    RES_FIELD("periodicity", RES_ENUM, RF_WRITE | RF_REQUIRED | RF_CSV, .values = periodicities),
    RES_FIELD("first_period", RES_TEXT, RF_WRITE | RF_NULLABLE | RF_CSV, .max = 7),
    RES_FIELD("decimals", RES_INTEGER, RF_WRITE | RF_CSV, .min = 0, .max = 6, .def = "2"),
    RES_FIELD("min_value", RES_NUMBER, RF_WRITE | RF_NULLABLE | RF_CSV, .min = -BIG, .max = BIG),
    RES_FIELD("max_value", RES_NUMBER, RF_WRITE | RF_NULLABLE | RF_CSV, .min = -BIG, .max = BIG),
    RES_FIELD("formula", RES_TEXT, RF_WRITE | RF_NULLABLE, .max = 1000),
    RES_FIELD("area", RES_ENUM, RF_WRITE | RF_REQUIRED | RF_CSV, .values = policy_areas),
    RES_FIELD("publication_lag_months", RES_INTEGER, RF_WRITE | RF_CSV, .min = 0, .max = 120,
              .def = "0"),
    /* > 0: the smallest positive value a client can mean. */
    RES_FIELD("scale", RES_NUMBER, RF_WRITE | RF_NULLABLE | RF_CSV, .min = 1e-9, .max = BIG),
    RES_FIELD("is_population", RES_BOOL, RF_WRITE | RF_CSV, .def = "false"),
    RES_FIELD("latest_period", RES_TEXT, RF_CSV),
    RES_FIELD("has_values", RES_BOOL, 0),
    RES_FIELD("created_at", RES_TIMESTAMP, 0),
    RES_FIELD("updated_at", RES_TIMESTAMP, 0),
    RES_END,
};

static const struct res_filter indicator_filters[] = {
    {.name = "area", .type = RES_ENUM, .values = policy_areas},
    {.name = "polarity", .type = RES_ENUM, .values = polarities},
    {.name = "periodicity", .type = RES_ENUM, .values = periodicities},
    {.name = NULL},
};

static const struct db_stmt STMT_UNMANAGED = {
    .name = "indicator_unmanaged_area",
    .sql = "SELECT indicator_unmanaged_area($1::pacto_viewer, $2::bigint, $3)",
};

/* 403: "Only the <area> secretariat or the coordination may change this
 * indicator." */
static void refuse(struct request *req, const char *area)
{
    char why[160];
    if (strcmp(area, "coordination") == 0)
        snprintf(why, sizeof why, "Only the coordination may change this indicator.");
    else
        snprintf(why, sizeof why,
                 "Only the %s secretariat or the coordination may change this indicator.", area);
    resp_forbidden(req, why);
}

/* Whether the caller manages the indicator `key` as stored (NULL: a create)
 * and the area `area` it is given (NULL: kept): the guard's rule, judged
 * first so that the 403 names the area. False after answering. */
static bool manages(struct request *req, const char *key, const char *area)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, key, area};
    PGresult *r = req_exec(req, &STMT_UNMANAGED, 3, params);
    if (r && !PQgetisnull(r, 0, 0)) {
        refuse(req, PQgetvalue(r, 0, 0));
        return false;
    }
    return r != NULL;
}

/* $1 the indicator being written (NULL on create). Serialized by a
 * transaction lock, so two writes cannot both make an indicator the
 * population and meet the unique index's bare 409. */
static const struct db_stmt STMT_OTHER_POPULATION = {
    .name = "indicator_other_population",
    .sql = "SELECT pg_advisory_xact_lock(hashtext('indicators.is_population')),"
           " EXISTS (SELECT 1 FROM indicators WHERE is_population"
           "          AND id IS DISTINCT FROM $1::bigint)",
};

/* The check hook: the caller manages the indicator's area, before and
 * after; at most one indicator is the municipalities' population (peer bands
 * and per-capita rates read it). */
static bool checked(struct request *req, struct res_write *w)
{
    if (!manages(req, w->key,
                 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w->doc, "area"))))
        return false;
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(w->doc, "is_population")))
        return true;
    const char *params[] = {w->key};
    PGresult *r = req_exec(req, &STMT_OTHER_POPULATION, 1, params);
    if (r && strcmp(PQgetvalue(r, 0, 1), "t") == 0) {
        resp_problem(req, 409, "conflict", "Another indicator is the population",
                     "Only one indicator holds the municipalities' population; set"
                     " is_population to false on it first.");
        return false;
    }
    return r != NULL;
}

static const struct db_stmt STMT_IN_USE = {
    .name = "indicator_in_use",
    .sql = "SELECT indicator_in_use($1::bigint)",
};

/* The delete hook: the caller manages the indicator's area; an indicator
 * with values, or one a challenge uses, stays (deleting would take the
 * values, or break the challenge). */
static bool deletable(struct request *req, const struct resource *res, const char *key)
{
    (void)res;
    if (!manages(req, key, NULL))
        return false;
    const char *params[] = {key};
    PGresult *r = req_exec(req, &STMT_IN_USE, 1, params);
    if (r && !PQgetisnull(r, 0, 0)) {
        resp_problem(req, 409, "conflict", "The indicator is in use", PQgetvalue(r, 0, 0));
        return false;
    }
    return r != NULL;
}

static struct resource indicator = {
    .entity = "indicator",
    .table = "indicators",
    .key = "id",
    .key_type = RES_ID,
    .view = "indicator_json",
    .snapshot = "indicator_snapshot",
    .rules = "indicator_rules",
    .matches = "indicator_matches",
    .guard = "indicator_guard",
    /* The hooks refuse first, naming the area; the guard stays as the rule
     * every write is held to. */
    .guard_why = "Only the secretariat of the indicator's area or the coordination may change"
                 " this indicator.",
    .list_name = "indicators",
    .fields = indicator_fields,
    .filters = indicator_filters,
    .hooks = {.check = checked, .deleting = deletable},
    .unique_title = "Indicator code already in use",
    .unique_detail = "Another indicator has this code.",
};

void indicators_list(struct request *req) { resource_list(req, &indicator); }
void indicators_create(struct request *req) { resource_create(req, &indicator); }
void indicators_get(struct request *req) { resource_get(req, &indicator); }
void indicators_update(struct request *req) { resource_patch(req, &indicator); }
void indicators_delete(struct request *req) { resource_delete(req, &indicator); }
