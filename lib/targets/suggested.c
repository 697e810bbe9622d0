/*
 * Suggested municipal targets (see targets.h): computed on demand from every
 * state target of a challenge, for every municipality of the cycle's state,
 * and listed publicly for the focal ones.
 *
 * A computation is one transaction: one query reads every input (the
 * targets, locked, with their rules and indicators, and each municipality's
 * newest value at or before the state baseline's period), the arithmetic
 * runs here (targets/rule.c), one statement writes every suggestion (a jsonb
 * parameter, replacing the targets' previous ones) and the targets'
 * computed_at, and one audit event records the counts. Nothing recomputes
 * them when values change: the suggestion a municipality is shown is the one
 * last computed, until the secretariat computes again.
 */
#include "targets/targets.h"

#include "challenges/challenges.h"

#include "audit/audit.h"
#include "authz/policy.h"
#include "core/buf.h"
#include "db/db.h"
#include "http/idempotency.h"
#include "http/query.h"
#include "http/response.h"
#include "targets/rule.h"
#include "validate/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* $1 challenge: the number of its state targets, locked until the
 * computation commits (two computations of one challenge, or a computation
 * and a change of a target, run one after the other). */
static const struct db_stmt STMT_COMPUTE_TARGETS = {
    .name = "suggested_compute_targets",
    .sql = "SELECT count(*) FROM (SELECT 1 FROM state_targets t"
           "                       WHERE t.challenge_id = $1::bigint FOR UPDATE) x",
};

/* $1 challenge: per state target (in indicator order) and municipality of
 * the cycle's state, everything the rule needs. A state without
 * municipalities still gives each target a row, with a NULL municipality. */
static const struct db_stmt STMT_COMPUTE_INPUTS = {
    .name = "suggested_compute_inputs",
    .sql = "SELECT t.indicator_id, i.code, i.polarity = 'higher_is_better', i.decimals,"
           "       i.min_value, i.max_value, t.target_value, t.rule, t.rule_value,"
           "       t.min_improvement, m.ibge_code, b.period, b.value"
           "  FROM state_targets t JOIN indicators i ON i.id = t.indicator_id"
           "  JOIN challenges c ON c.id = t.challenge_id JOIN cycles cy ON cy.id = c.cycle_id"
           "  LEFT JOIN municipalities m ON m.state_code = cy.state_code"
           "  LEFT JOIN LATERAL municipality_latest_value(i, m.ibge_code, t.baseline_period) b"
           "         ON true"
           " WHERE t.challenge_id = $1 ORDER BY t.indicator_id, m.ibge_code",
};
enum {
    IN_INDICATOR,
    IN_CODE,
    IN_HIGHER,
    IN_DECIMALS,
    IN_MIN,
    IN_MAX,
    IN_TARGET,
    IN_RULE,
    IN_RULE_VALUE,
    IN_MIN_IMPROVEMENT,
    IN_MUNICIPALITY,
    IN_PERIOD,
    IN_VALUE
};

/* $1 challenge, $2 the suggestions [{i, m, b, p, s, st}]: replaces the
 * challenge's suggestions with these, stamps its targets. Answers the time. */
static const struct db_stmt STMT_COMPUTE_WRITE = {
    .name = "suggested_compute_write",
    .sql = "WITH n AS (SELECT * FROM jsonb_to_recordset($2::jsonb)"
           "             AS x (i bigint, m text, b numeric, p text, s numeric, st text)),"
           " gone AS (DELETE FROM suggested_targets s WHERE s.challenge_id = $1"
           "            AND NOT EXISTS (SELECT 1 FROM n WHERE n.i = s.indicator_id"
           "                                              AND n.m = s.municipality_id)),"
           " up AS (INSERT INTO suggested_targets (challenge_id, indicator_id, municipality_id,"
           "          baseline_value, baseline_period, suggested_value, status, computed_at)"
           "        SELECT $1, n.i, n.m, n.b, n.p, n.s, n.st, now() FROM n"
           "        ON CONFLICT (challenge_id, indicator_id, municipality_id) DO UPDATE"
           "        SET baseline_value = excluded.baseline_value,"
           "            baseline_period = excluded.baseline_period,"
           "            suggested_value = excluded.suggested_value, status = excluded.status,"
           "            computed_at = excluded.computed_at"
           "        RETURNING 1),"
           " stamp AS (UPDATE state_targets SET computed_at = now() WHERE challenge_id = $1"
           "           RETURNING 1)"
           " SELECT pacto_ts(now()), (SELECT count(*) FROM up), (SELECT count(*) FROM stamp)",
};

/* The counts of one state target's computation. */
struct target_counts {
    char indicator[24], code[48];
    long municipalities, by_status[3];
};

static double number(const PGresult *r, int row, int col)
{
    return strtod(PQgetvalue(r, row, col), NULL);
}

/* The rule of the state target on row `row` of the inputs. */
static struct target_rule rule_of(const PGresult *r, int row)
{
    struct target_rule t = {
        .kind = strcmp(PQgetvalue(r, row, IN_RULE), "gap_closure") == 0
                    ? TARGET_GAP_CLOSURE
                    : TARGET_RELATIVE_IMPROVEMENT,
        .rule_value = number(r, row, IN_RULE_VALUE),
        .min_improvement = number(r, row, IN_MIN_IMPROVEMENT),
        .state_target = number(r, row, IN_TARGET),
        .higher_is_better = strcmp(PQgetvalue(r, row, IN_HIGHER), "t") == 0,
        .decimals = atoi(PQgetvalue(r, row, IN_DECIMALS)),
        .has_min = !PQgetisnull(r, row, IN_MIN),
        .has_max = !PQgetisnull(r, row, IN_MAX),
    };
    if (t.decimals < 0 || t.decimals > 6) /* the table's CHECK */
        t.decimals = 6;
    if (t.has_min)
        t.min_value = number(r, row, IN_MIN);
    if (t.has_max)
        t.max_value = number(r, row, IN_MAX);
    return t;
}

/* Appends a JSON string, or null for SQL NULL. */
static void cell(struct buf *b, const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        buf_puts(b, "null");
    else
        buf_json_string(b, PQgetvalue(r, row, col));
}

/* Computes every suggestion of the inputs into rows (the write's jsonb) and
 * the counts per target (*counts, *n; the caller frees *counts). */
static void suggest_all(const PGresult *in, struct buf *rows, struct target_counts **counts,
                        size_t *n)
{
    struct target_counts *c = NULL;
    size_t nc = 0;
    struct target_rule rule = {0};
    buf_putc(rows, '[');
    for (int i = 0; i < PQntuples(in); i++) {
        const char *indicator = PQgetvalue(in, i, IN_INDICATOR);
        if (nc == 0 || strcmp(c[nc - 1].indicator, indicator) != 0) {
            c = realloc(c, (nc + 1) * sizeof *c);
            if (!c)
                abort();
            c[nc] = (struct target_counts){0};
            snprintf(c[nc].indicator, sizeof c[nc].indicator, "%s", indicator);
            snprintf(c[nc].code, sizeof c[nc].code, "%s", PQgetvalue(in, i, IN_CODE));
            nc++;
            rule = rule_of(in, i);
        }
        if (PQgetisnull(in, i, IN_MUNICIPALITY))
            continue;
        bool has = !PQgetisnull(in, i, IN_VALUE);
        struct target_suggestion s = target_suggest(&rule, has, has ? number(in, i, IN_VALUE) : 0);
        c[nc - 1].municipalities++;
        c[nc - 1].by_status[s.status]++;
        if (rows->len > 1)
            buf_putc(rows, ',');
        buf_printf(rows, "{\"i\":\"%s\",\"m\":", indicator);
        cell(rows, in, i, IN_MUNICIPALITY);
        buf_puts(rows, ",\"b\":");
        cell(rows, in, i, IN_VALUE);
        buf_puts(rows, ",\"p\":");
        cell(rows, in, i, IN_PERIOD);
        if (s.status == TARGET_NO_BASELINE)
            buf_puts(rows, ",\"s\":null");
        else
            buf_printf(rows, ",\"s\":\"%.15g\"", s.value);
        buf_printf(rows, ",\"st\":\"%s\"}", target_status_name(s.status));
    }
    buf_putc(rows, ']');
    *counts = c;
    *n = nc;
}

/* The answer and the audit event's `after`: the counts per target. */
static void counts_json(struct buf *b, const char *challenge, const char *computed_at,
                        const struct target_counts *c, size_t n)
{
    buf_printf(b, "{\"challenge_id\":%s,\"computed_at\":", challenge);
    buf_json_string(b, computed_at);
    buf_puts(b, ",\"targets\":[");
    for (size_t i = 0; i < n; i++) {
        buf_printf(b, "%s{\"indicator_id\":%s,\"indicator_code\":", i ? "," : "", c[i].indicator);
        buf_json_string(b, c[i].code);
        buf_printf(b,
                   ",\"municipalities\":%ld,\"suggested\":%ld,\"kept_baseline\":%ld,"
                   "\"no_baseline\":%ld}",
                   c[i].municipalities, c[i].by_status[TARGET_SUGGESTED],
                   c[i].by_status[TARGET_KEPT_BASELINE], c[i].by_status[TARGET_NO_BASELINE]);
    }
    buf_puts(b, "]}");
}

void targets_compute(struct request *req)
{
    const char *challenge = req_param(req, 0);
    struct buf rows = {0}, answer = {0};
    struct target_counts *counts = NULL;
    size_t n = 0;
    const PGresult *targets, *in, *w;
    if (!challenges_begin_write(req, challenge, NULL, NULL)) {
        /* answered */
    } else if (!(targets = req_exec(req, &STMT_COMPUTE_TARGETS, 1, &challenge))) {
        /* answered */
    } else if (strcmp(PQgetvalue(targets, 0, 0), "0") == 0) {
        resp_problem(req, 409, "conflict", "The challenge has no state targets",
                     "Set a state target for a main indicator of the challenge first: the "
                     "suggestions are computed from it.");
    } else if (!(in = req_exec(req, &STMT_COMPUTE_INPUTS, 1, &challenge))) {
        /* answered */
    } else {
        suggest_all(in, &rows, &counts, &n);
        const char *write[] = {challenge, buf_cstr(&rows)};
        if ((w = req_exec(req, &STMT_COMPUTE_WRITE, 2, write))) {
            counts_json(&answer, challenge, PQgetvalue(w, 0, 0), counts, n);
            struct audit_actor actor = audit_actor_of(req);
            if (!audit_record(req->db, &actor, "compute_suggested_targets", "challenge", challenge,
                              NULL, buf_cstr(&answer))) {
                resp_db_error(req);
            } else {
                resp_json_buf(req, 200, &answer);
                req_commit(req);
            }
        }
    }
    free(counts);
    buf_free(&rows);
    buf_free(&answer);
}

/*
 * GET /v1/challenges/{challenge_id}/suggested-targets
 */

static const struct db_stmt STMT_CHALLENGE_EXISTS = {
    .name = "suggested_challenge_exists",
    .sql = "SELECT 1 FROM challenges WHERE id = $1",
};

/* $1 challenge, $2 filters, $3 the key to continue after, $4 limit. */
static const struct db_stmt STMT_SUGGESTED_LIST = {
    .name = "suggested_list",
    .sql = "SELECT r.k, r.j, r.municipality_id, r.municipality_name, r.indicator_id,"
           "       r.indicator_code, r.baseline_value, r.baseline_period, r.suggested_value,"
           "       r.status, r.state_target, r.target_year,"
           "       CASE WHEN r.focal THEN 'true' ELSE 'false' END"
           "  FROM suggested_target_rows($1::bigint, $2::jsonb) r"
           " WHERE ($3::text IS NULL OR r.k > $3::text) ORDER BY r.k LIMIT $4",
};

static const char SUGGESTED_CSV_HEADER[] =
    "municipality_id,municipality_name,indicator_id,indicator_code,baseline_value,"
    "baseline_period,suggested_value,status,state_target,target_year,focal";

void targets_suggested_list(struct request *req)
{
    static const char *const allowed[] = {"indicator_id", "status", "municipalities",
                                          "limit",        "cursor", NULL};
    static const char *const statuses[] = {"suggested", "kept_baseline", "no_baseline", NULL};
    static const char *const scopes[] = {"focal", "all", NULL};
    const char *challenge = req_param(req, 0);
    if (!id_is_canonical(challenge)) {
        resp_not_found(req);
        return;
    }
    struct query q;
    struct page page;
    char list[64];
    snprintf(list, sizeof list, "suggested_targets:%.24s", challenge);
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, list, &page))
        return;
    cJSON *filters = req_keep_json(req, cJSON_CreateObject());
    if (!query_filter(req, &q, "indicator_id", NULL, id_is_canonical, "indicator_id must be an id.",
                      filters) ||
        !query_filter(req, &q, "status", statuses, NULL,
                      "status must be suggested, kept_baseline or no_baseline.", filters) ||
        !query_filter(req, &q, "municipalities", scopes, NULL,
                      "municipalities must be focal or all.", filters))
        return;
    const char *f = req_defer(req, cJSON_free, cJSON_PrintUnformatted(filters));
    PGresult *exists = req_exec(req, &STMT_CHALLENGE_EXISTS, 1, &challenge);
    if (!exists)
        return;
    if (PQntuples(exists) == 0) {
        resp_not_found(req);
        return;
    }
    struct list_query lq = {.stmt = &STMT_SUGGESTED_LIST,
                            .nparams = 4,
                            .params = {challenge, f, NULL, NULL},
                            .after_param = 2,
                            .limit_param = 3,
                            .key_col = 0,
                            .json_col = 1,
                            .csv_first_col = 2,
                            .csv_header = SUGGESTED_CSV_HEADER};
    resp_list(req, &page, &lq);
}
