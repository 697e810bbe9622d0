/*
 * A challenge's incentives (see portfolio.h): what a pact on the challenge
 * grants the municipality, money (amount_cents from a source) or not,
 * declared as two resources sharing one field list, under their challenge
 * (list, create) and on their own (get, patch, delete), all served by the
 * generic handlers. JSON, snapshot, filters, guard, the rule that an amount
 * comes exactly with a financial type (judged on the row as it would be
 * stored) and what keeps one are SQL in sql/020_portfolio.sql. All public.
 */
#include "portfolio/portfolio.h"

#include "challenges/challenges.h"
#include "resource/resource.h"

static const char *const types[] = {"financial",        "training", "technical_assistance",
                                    "program_priority", "other",    NULL};
static const char *const conditions[] = {"pact", NULL};

/* In CSV column order. */
static const struct res_field incentive_fields[] = {
    RES_FIELD("id", RES_ID, RF_CSV),
    RES_FIELD("challenge_id", RES_ID, RF_STORED | RF_CSV),
    RES_FIELD("title", RES_TEXT, RF_WRITE | RF_REQUIRED | RF_CSV, .max = 200),
    RES_FIELD("description", RES_TEXT, RF_WRITE | RF_NULLABLE, .max = 4000),
    RES_FIELD("type", RES_ENUM, RF_WRITE | RF_REQUIRED | RF_CSV, .values = types),
    /* Cents, exact in a JSON number (below 2^53). */
    RES_FIELD("amount_cents", RES_INTEGER, RF_WRITE | RF_NULLABLE | RF_CSV, .min = 1, .max = 1e15),
    RES_FIELD("source", RES_TEXT, RF_WRITE | RF_NULLABLE | RF_CSV, .max = 200),
    RES_FIELD("condition", RES_ENUM, RF_WRITE | RF_CSV, .values = conditions, .def = "\"pact\""),
    RES_FIELD("created_at", RES_TIMESTAMP, 0),
    RES_FIELD("updated_at", RES_TIMESTAMP, 0),
    RES_END,
};

static const struct res_filter incentive_filters[] = {
    {.name = "type", .type = RES_ENUM, .values = types},
    {.name = NULL},
};

/* $1 key: the incentive's challenge and what keeps the incentive. */
static const struct db_stmt STMT_OF = {
    .name = "incentive_of",
    .sql = "SELECT challenge_id, incentive_in_use(id) FROM incentives WHERE id = $1::bigint",
};

/* Row `key` (its challenge in column 0, what keeps it in 1), or NULL after
 * answering 404 or the database's error. */
static const PGresult *incentive_of(struct request *req, const char *key)
{
    const char *params[] = {key};
    PGresult *r = req_exec(req, &STMT_OF, 1, params);
    if (r && PQntuples(r) == 0) {
        resp_not_found(req);
        return NULL;
    }
    return r;
}

/* The check hook: the caller keeps the challenge (a create's is the
 * parent, a patch's the locked row's) and its cycle is open. */
static bool checked(struct request *req, struct res_write *w)
{
    if (w->create)
        return challenges_check_write(req, w->parent, NULL, NULL);
    const PGresult *r = incentive_of(req, w->key);
    return r && challenges_check_write(req, PQgetvalue(r, 0, 0), NULL, NULL);
}

/* The delete hook: as checked, and no pact has granted it. */
static bool deletable(struct request *req, const struct resource *res, const char *key)
{
    (void)res;
    const PGresult *r = incentive_of(req, key);
    if (!r || !challenges_check_write(req, PQgetvalue(r, 0, 0), NULL, NULL))
        return false;
    if (PQgetisnull(r, 0, 1))
        return true;
    resp_problem(req, 409, "conflict", "The incentive has been granted", PQgetvalue(r, 0, 1));
    return false;
}

#define INCENTIVE_COMMON                                                                           \
    .entity = "incentive", .table = "incentives", .key = "id", .key_type = RES_ID,                 \
    .view = "incentive_json", .snapshot = "incentive_snapshot", .matches = "incentive_matches",    \
    .rules = "incentive_rules",                                                                    \
    .guard = "incentive_guard", /* the hooks refuse first, naming the area */                      \
        .guard_why = "Only the challenge's responsible secretariat or the coordination may change" \
                     " its portfolio.",                                                            \
    .fields = incentive_fields, .filters = incentive_filters,                                      \
    .hooks = {.check = checked, .deleting = deletable}

static struct resource challenge_incentive = {
    INCENTIVE_COMMON,
    .name = "challenge_incentive",
    .parent = "challenge_id",
    .parent_exists = "SELECT 1 FROM challenges WHERE id = $1::bigint",
    .parent_type = RES_ID,
    .list_name = "incentives",
    .items_at = "/v1/incentives",
};

static struct resource incentive = {
    INCENTIVE_COMMON,
    .name = "incentive",
};

void incentives_list(struct request *req) { resource_list(req, &challenge_incentive); }
void incentives_create(struct request *req) { resource_create(req, &challenge_incentive); }
void incentives_get(struct request *req) { resource_get(req, &incentive); }
void incentives_update(struct request *req) { resource_patch(req, &incentive); }
void incentives_delete(struct request *req) { resource_delete(req, &incentive); }
