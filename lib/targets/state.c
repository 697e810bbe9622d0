/*
 * State targets (see targets.h): one per challenge and main indicator, with
 * the rule its suggested municipal targets are computed by. Declared once as
 * a resource under its challenge (key indicator_id); reading is generic, the
 * writes are this file's own, because a write computes the state baseline
 * from the values and obeys the challenge's cycle (closed: 409).
 *
 * Every write starts with challenges_check_write (lib/challenges: the
 * challenge's area and cycle, as for everything that hangs from a
 * challenge); the rules are state_target_rules in sql/018_targets.sql.
 *
 * The baseline (value and period) is computed when the target is created and
 * whenever a PATCH sends baseline_period (null: the indicator's latest
 * period), never silently when values change.
 */
#include "targets/targets.h"

#include "challenges/challenges.h"

#include "authz/policy.h"
#include "db/db.h"
#include "http/idempotency.h"
#include "resource/resource.h"

#include <stdio.h>
#include <string.h>

static const char *const rules[] = {"gap_closure", "relative_improvement", NULL};
static const char *const polarities[] = {"higher_is_better", "lower_is_better", NULL};

/* In CSV column order. What a caller sees and may send; the rules between
 * fields and against the indicator are state_target_rules. */
static const struct res_field target_fields[] = {
    RES_FIELD("challenge_id", RES_ID, RF_CSV),
    RES_FIELD("indicator_id", RES_INTEGER, RF_CREATE | RF_REQUIRED | RF_CSV, .min = 1,
              .max = 9007199254740991.0),
    RES_FIELD("indicator_code", RES_TEXT, RF_CSV),
    RES_FIELD("indicator_name", RES_TEXT, 0),
    RES_FIELD("unit", RES_TEXT, 0),
    RES_FIELD("polarity", RES_ENUM, RF_CSV, .values = polarities),
    RES_FIELD("decimals", RES_INTEGER, 0),
    RES_FIELD("baseline", RES_TEXT, 0), /* {value, period} */
    RES_FIELD("baseline_period", RES_TEXT, RF_WRITE | RF_NULLABLE, .max = 7),
    RES_FIELD("target_value", RES_NUMBER, RF_WRITE | RF_REQUIRED | RF_CSV, .min = -1e15,
              .max = 1e15),
    RES_FIELD("target_year", RES_INTEGER, RF_WRITE | RF_CSV, .min = 2000, .max = 2100),
    RES_FIELD("rule", RES_ENUM, RF_WRITE | RF_REQUIRED | RF_CSV, .values = rules),
    /* (0, 1] for gap_closure, (0, 100] for relative_improvement: the rules */
    RES_FIELD("rule_value", RES_NUMBER, RF_WRITE | RF_REQUIRED | RF_CSV, .min = 0, .max = 100),
    RES_FIELD("min_improvement", RES_NUMBER, RF_WRITE | RF_CSV, .min = 0, .max = 100, .def = "0"),
    RES_FIELD("computed_at", RES_TIMESTAMP, RF_CSV),
    RES_FIELD("version", RES_INTEGER, 0),
    RES_FIELD("created_at", RES_TIMESTAMP, 0),
    RES_FIELD("updated_at", RES_TIMESTAMP, 0),
    RES_END,
};

/* The generic handlers serve its reads only (see the file's comment). */
static struct resource state_target = {
    .entity = "state_target",
    .table = "state_targets",
    .key = "indicator_id",
    .key_type = RES_ID,
    .parent = "challenge_id",
    .parent_exists = "SELECT 1 FROM challenges WHERE id = $1",
    .parent_type = RES_ID,
    .view = "state_target_json",
    .snapshot = "state_target_snapshot",
    .list_name = "state_targets",
    .fields = target_fields,
    /* An indicator has a target in many challenges: "<challenge>/<indicator>". */
    .audit_key_with_parent = true,
};

/* The columns a write answers, from the CTE t. */
#define TARGET_ROW                                                                                 \
    "SELECT t.indicator_id, t.version, state_target_json(t::state_targets, $1::pacto_viewer),"     \
    " state_target_snapshot(t::state_targets) FROM t"
enum { ROW_KEY, ROW_VERSION, ROW_VIEW, ROW_SNAPSHOT };

/* $1 the create's document (with challenge_id). */
static const struct db_stmt STMT_TARGET_RULES_CREATE = {
    .name = "state_target_rules_create",
    .sql = "SELECT field, message"
           "  FROM state_target_rules(jsonb_populate_record(NULL::state_targets, $1::jsonb))",
};

/* $1 the patch, $2 challenge, $3 indicator: the rules on the merged row. */
static const struct db_stmt STMT_TARGET_RULES_PATCH = {
    .name = "state_target_rules_patch",
    .sql = "SELECT r.field, r.message FROM state_targets t,"
           "       state_target_rules(jsonb_populate_record(t, $1::jsonb)) r"
           " WHERE t.challenge_id = $2 AND t.indicator_id = $3",
};

/* $1 viewer, $2 the document. The baseline from the state's values at
 * baseline_period (default: the indicator's latest); the target year
 * defaults to the cycle's. No row when the challenge already has a target
 * for the indicator. */
static const struct db_stmt STMT_TARGET_INSERT = {
    .name = "state_target_insert",
    .sql = "WITH d AS (SELECT (jsonb_populate_record(NULL::state_targets, $2::jsonb)).*),"
           " t AS (INSERT INTO state_targets (challenge_id, indicator_id, baseline_value,"
           "         baseline_period, target_value, target_year, rule, rule_value,"
           "         min_improvement)"
           "       SELECT d.challenge_id, d.indicator_id, b.value, b.period, d.target_value,"
           "              coalesce(d.target_year, cy.target_year), d.rule, d.rule_value,"
           "              coalesce(d.min_improvement, 0)"
           "         FROM d JOIN challenges c ON c.id = d.challenge_id"
           "         JOIN cycles cy ON cy.id = c.cycle_id"
           "         JOIN indicators i ON i.id = d.indicator_id,"
           "         LATERAL state_target_baseline(i, cy.state_code, d.baseline_period) b"
           "       ON CONFLICT (challenge_id, indicator_id) DO NOTHING"
           "       RETURNING *) " TARGET_ROW,
};

/* $1 viewer, $2 challenge, $3 indicator: the row locked. */
static const struct db_stmt STMT_TARGET_LOCK = {
    .name = "state_target_lock",
    .sql = "SELECT t.indicator_id, t.version, state_target_json(t, $1::pacto_viewer),"
           "       state_target_snapshot(t)"
           "  FROM state_targets t"
           " WHERE t.challenge_id = $2 AND t.indicator_id = $3 FOR UPDATE OF t",
};

/* $1 viewer, $2 challenge, $3 indicator, $4 the patch. A patch that names
 * baseline_period recomputes the baseline. No row when nothing changes. */
static const struct db_stmt STMT_TARGET_UPDATE = {
    .name = "state_target_update",
    .sql = "WITH n AS (SELECT (jsonb_populate_record(t, $4::jsonb)).*,"
           "                  $4::jsonb ? 'baseline_period' AS rebase"
           "             FROM state_targets t WHERE t.challenge_id = $2 AND t.indicator_id = $3),"
           " b AS (SELECT n.*, CASE WHEN n.rebase THEN x.period ELSE n.baseline_period END AS p,"
           "              CASE WHEN n.rebase THEN x.value ELSE n.baseline_value END AS v"
           "         FROM n JOIN challenges c ON c.id = n.challenge_id"
           "         JOIN cycles cy ON cy.id = c.cycle_id"
           "         JOIN indicators i ON i.id = n.indicator_id,"
           "         LATERAL state_target_baseline(i, cy.state_code, n.baseline_period) x),"
           " t AS (UPDATE state_targets t SET baseline_value = b.v, baseline_period = b.p,"
           "         target_value = b.target_value, target_year = b.target_year, rule = b.rule,"
           "         rule_value = b.rule_value, min_improvement = b.min_improvement,"
           "         version = t.version + 1, updated_at = now()"
           "       FROM b WHERE t.challenge_id = $2 AND t.indicator_id = $3"
           "        AND (t.baseline_value, t.baseline_period, t.target_value, t.target_year,"
           "             t.rule, t.rule_value, t.min_improvement)"
           "            IS DISTINCT FROM (b.v, b.p, b.target_value, b.target_year, b.rule,"
           "                              b.rule_value, b.min_improvement)"
           "       RETURNING t.*) " TARGET_ROW,
};

/* $1 challenge, $2 indicator. Its suggestions go with it (ON DELETE CASCADE). */
static const struct db_stmt STMT_TARGET_DELETE = {
    .name = "state_target_delete",
    .sql = "DELETE FROM state_targets WHERE challenge_id = $1 AND indicator_id = $2",
};

/* Runs a rules statement, adding each broken rule to e, and answers 422
 * with them when there is any. Returns true when none is broken. */
static bool rules_pass(struct request *req, const struct db_stmt *s, int n,
                       const char *const *params, struct field_errors *e)
{
    PGresult *r = req_exec(req, s, n, params);
    if (!r)
        return false;
    for (int i = 0; i < PQntuples(r); i++)
        field_error(e, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
    if (!e->count)
        return true;
    resp_validation(req, e, NULL);
    return false;
}

void targets_list(struct request *req) { resource_list(req, &state_target); }
void targets_get(struct request *req) { resource_get(req, &state_target); }

void targets_create(struct request *req)
{
    const char *challenge = resource_path_parent(req, &state_target);
    if (!challenge) {
        resp_not_found(req);
        return;
    }
    struct res_write w;
    if (!resource_read(req, &state_target, true, &w))
        return;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *doc = req_defer(req, cJSON_free, cJSON_PrintUnformatted(w.doc));
    const char *insert[] = {viewer, doc};
    const PGresult *r;
    if (!challenges_begin_write(req, challenge, NULL, NULL)) {
        /* answered */
    } else if (!rules_pass(req, &STMT_TARGET_RULES_CREATE, 1, &doc, &w.errors)) {
        /* answered */
    } else if (!(r = req_exec(req, &STMT_TARGET_INSERT, 2, insert))) {
        /* answered */
    } else if (PQntuples(r) == 0) {
        resp_problem(req, 409, "conflict", "The indicator already has a target",
                     "This challenge already has a state target for the indicator: change it "
                     "with PATCH.");
    } else {
        resource_changed(req, &state_target, "create", NULL, r, 201);
    }
    field_errors_free(&w.errors);
}

/* Locks the target of the path for a change the caller must be allowed
 * (challenges_check_write). Returns the row (ROW_* columns) or NULL after
 * answering. */
static const PGresult *lock_target(struct request *req, const char *viewer, const char *challenge,
                                   const char *indicator)
{
    const char *params[] = {viewer, challenge, indicator};
    const PGresult *cur =
        req_keep_result(req, req_lock_row(req, &STMT_TARGET_LOCK, 3, params, ROW_VERSION));
    return cur && challenges_check_write(req, challenge, NULL, NULL) ? cur : NULL;
}

void targets_update(struct request *req)
{
    struct res_write w;
    if (!resource_read(req, &state_target, false, &w))
        return;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *challenge = w.parent, *indicator = w.key;
    const char *patch = req_defer(req, cJSON_free, cJSON_PrintUnformatted(w.doc));
    const char *rule_params[] = {patch, challenge, indicator};
    const char *params[] = {viewer, challenge, indicator, patch};
    const PGresult *cur, *r;
    if (!(cur = lock_target(req, viewer, challenge, indicator))) {
        /* answered */
    } else if (!rules_pass(req, &STMT_TARGET_RULES_PATCH, 3, rule_params, &w.errors)) {
        /* answered */
    } else if (!(r = req_exec(req, &STMT_TARGET_UPDATE, 4, params))) {
        /* answered */
    } else if (PQntuples(r) == 0) { /* nothing changed: nothing to write or audit */
        resp_etag(req, PQgetvalue(cur, 0, ROW_VERSION));
        const char *json = PQgetvalue(cur, 0, ROW_VIEW);
        resp_json(req, 200, json, strlen(json));
    } else {
        resource_changed(req, &state_target, "update", PQgetvalue(cur, 0, ROW_SNAPSHOT), r, 200);
    }
    field_errors_free(&w.errors);
}

void targets_delete(struct request *req)
{
    const char *indicator = resource_path_key(req, &state_target);
    if (!indicator) {
        resp_not_found(req);
        return;
    }
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *challenge = req_param(req, 0);
    const char *params[] = {challenge, indicator};
    const PGresult *cur = lock_target(req, viewer, challenge, indicator);
    if (cur && req_exec(req, &STMT_TARGET_DELETE, 2, params)) {
        if (resource_audit(req, &state_target, "delete", indicator,
                           PQgetvalue(cur, 0, ROW_SNAPSHOT), NULL)) {
            resp_json(req, 204, "", 0);
            req_commit(req);
        }
    }
}
