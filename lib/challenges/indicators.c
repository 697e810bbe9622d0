/*
 * A challenge's indicators (see challenges.h), declared once as a resource
 * under the challenge: the key is the indicator's id, unique only within
 * its challenge, so audit events name the row "<challenge_id>/<indicator_id>".
 * JSON, snapshot, rules (the indicator exists; a focalization rule only on a
 * main indicator, rule and value both or neither, the value fit for the
 * rule and the indicator's range, the period of its periodicity) and guard
 * (the challenge's responsible area) are SQL in sql/015_catalogue.sql.
 */
#include "challenges/challenges.h"

#include "resource/resource.h"

static const char *const roles[] = {"main", "complementary", NULL};
static const char *const rules[] = {"worst_percent", "worst_count", "threshold", NULL};

#define BIG 1e15

static const struct res_field challenge_indicator_fields[] = {
    RES_FIELD("challenge_id", RES_ID, RF_STORED | RF_CSV),
    RES_FIELD("indicator_id", RES_INTEGER, RF_CREATE | RF_REQUIRED | RF_CSV, .min = 1, .max = BIG),
    RES_FIELD("code", RES_TEXT, RF_CSV),
    RES_FIELD("name", RES_TEXT, RF_CSV),
    RES_FIELD("unit", RES_TEXT, RF_CSV),
    RES_FIELD("polarity", RES_TEXT, RF_CSV),
    RES_FIELD("role", RES_ENUM, RF_WRITE | RF_REQUIRED | RF_CSV, .values = roles),
    RES_FIELD("focal_rule", RES_ENUM, RF_WRITE | RF_NULLABLE | RF_CSV, .values = rules),
    RES_FIELD("focal_value", RES_NUMBER, RF_WRITE | RF_NULLABLE | RF_CSV, .min = -BIG, .max = BIG),
    /* judged against the indicator's periodicity by the rules */
    RES_FIELD("focal_period", RES_TEXT, RF_WRITE | RF_NULLABLE | RF_CSV, .max = 7),
    RES_FIELD("focal_min_denominator", RES_NUMBER, RF_WRITE | RF_NULLABLE | RF_CSV, .min = 0,
              .max = BIG),
    RES_FIELD("created_at", RES_TIMESTAMP, 0),
    RES_FIELD("updated_at", RES_TIMESTAMP, 0),
    RES_END,
};

/* The check and delete hooks: the caller manages the challenge (refused
 * first, naming its area; the guard says the same), and a closed cycle's
 * challenge keeps its indicators. */
static bool checked(struct request *req, struct res_write *w)
{
    return challenges_check_write(req, w->parent, NULL, NULL);
}

static bool deletable(struct request *req, const struct resource *res, const char *key)
{
    (void)key;
    const char *challenge = resource_path_parent(req, res);
    return challenges_check_write(req, challenge, NULL, NULL);
}

static struct resource challenge_indicator = {
    .entity = "challenge_indicator",
    .table = "challenge_indicators",
    .key = "indicator_id",
    .key_type = RES_ID,
    .parent = "challenge_id",
    .parent_exists = "SELECT 1 FROM challenges WHERE id = $1::bigint",
    .parent_type = RES_ID,
    .view = "challenge_indicator_json",
    .snapshot = "challenge_indicator_snapshot",
    .rules = "challenge_indicator_rules",
    .guard = "challenge_indicator_guard",
    .guard_why = "Only the challenge's responsible secretariat or the coordination may change"
                 " this challenge.",
    .list_name = "challenge_indicators",
    .fields = challenge_indicator_fields,
    .hooks = {.check = checked, .deleting = deletable},
    .audit_key_with_parent = true,
    .unique_title = "The indicator is already the challenge's",
    .unique_detail = "Each indicator appears once in a challenge; change its role instead.",
};

void challenge_indicators_list(struct request *req) { resource_list(req, &challenge_indicator); }
void challenge_indicators_create(struct request *req)
{
    resource_create(req, &challenge_indicator);
}
void challenge_indicators_get(struct request *req) { resource_get(req, &challenge_indicator); }
void challenge_indicators_update(struct request *req) { resource_patch(req, &challenge_indicator); }
void challenge_indicators_delete(struct request *req)
{
    resource_delete(req, &challenge_indicator);
}
