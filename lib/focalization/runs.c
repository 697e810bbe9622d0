/*
 * Focalization runs (see focalization.h). A run reads the rule of every
 * main indicator of the challenge and the values of every municipality of
 * the cycle's state at the rule's period in one query, ranks them in C
 * (rank.h), and writes the run, its values and its results in one statement
 * (one jsonb parameter) with one audit event, in one transaction. Reading
 * runs is the generic resource list and get; a run's municipalities are a
 * list of their own (JSON pages, or CSV in long form).
 */
#include "focalization/focalization.h"

#include "audit/audit.h"
#include "authz/policy.h"
#include "challenges/challenges.h"
#include "db/db.h"
#include "focalization/params.h"
#include "focalization/rank.h"
#include "http/idempotency.h"
#include "http/query.h"
#include "http/response.h"
#include "resource/resource.h"
#include "validate/id.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a run shows (read-only; the types document). */
static const struct res_field run_fields[] = {
    RES_FIELD("id", RES_ID, 0),
    RES_FIELD("challenge_id", RES_ID, 0),
    RES_FIELD("focal_count", RES_INTEGER, 0),
    RES_FIELD("no_data_count", RES_INTEGER, 0),
    RES_FIELD("municipalities", RES_INTEGER, 0),
    RES_FIELD("created_at", RES_TIMESTAMP, 0),
    RES_END,
};

static struct resource run_resource = {
    .entity = "focalization_run",
    .table = "focalization_runs",
    .key = "id",
    .key_type = RES_ID,
    .parent = "challenge_id",
    .parent_exists = "SELECT 1 FROM challenges WHERE id = $1",
    .parent_type = RES_ID,
    .unversioned = true,
    .view = "focalization_run_json",
    .list_name = "focalization_runs",
    .descending = true, /* the newest, current run first */
    .fields = run_fields,
};

void focalization_runs_list(struct request *req) { resource_list(req, &run_resource); }
void focalization_runs_get(struct request *req) { resource_get(req, &run_resource); }

/* $1 challenge, $2 the cycle's state. One row per main indicator with a rule
 * and municipality of the state (a NULL municipality when the state has
 * none), indicators by id, municipalities by code: every indicator's block
 * lists the same municipalities in the same order. The period is the rule's,
 * or the indicator's latest (NULL when it has no value yet), computed once
 * per indicator (MATERIALIZED), so that the values are read by their whole
 * primary key whatever the planner thinks of the tables' sizes. */
static const struct db_stmt STMT_RUN_INPUT = {
    .name = "focalization_run_input",
    .sql = "WITH r AS MATERIALIZED ("
           "  SELECT i.id, i.code, i.polarity, i.decimals, ci.focal_rule, ci.focal_value,"
           "         ci.focal_min_denominator,"
           "         coalesce(ci.focal_period, indicator_latest_period(i, $2::smallint)) AS period"
           "    FROM challenge_indicators ci JOIN indicators i ON i.id = ci.indicator_id"
           "   WHERE ci.challenge_id = $1::bigint AND ci.role = 'main'"
           "     AND ci.focal_rule IS NOT NULL)"
           " SELECT r.id, r.code, r.polarity, r.decimals, r.focal_rule, r.focal_value,"
           "        r.focal_min_denominator, r.period, m.ibge_code, v.value, v.denominator"
           "   FROM r LEFT JOIN municipalities m ON m.state_code = $2::smallint"
           "   LEFT JOIN indicator_values v ON v.indicator_id = r.id AND v.period = r.period"
           "                               AND v.municipality_id = m.ibge_code"
           "                               AND v.status = 'ok'"
           "  ORDER BY r.id, m.ibge_code",
};
enum {
    IN_ID,
    IN_CODE,
    IN_POLARITY,
    IN_DECIMALS,
    IN_RULE,
    IN_RULE_VALUE,
    IN_MIN_DENOMINATOR,
    IN_PERIOD,
    IN_MUNICIPALITY,
    IN_VALUE,
    IN_DENOMINATOR
};

/* $1 viewer, $2 challenge, $3 the run as one document: {rule, focal_count,
 * no_data_count, municipalities, values: [...], results: [...]}. */
static const struct db_stmt STMT_RUN_INSERT = {
    .name = "focalization_run_insert",
    .sql = "WITH d AS (SELECT $3::jsonb AS d),"
           " run AS ("
           "  INSERT INTO focalization_runs (challenge_id, rule, focal_count, no_data_count,"
           "                                 municipalities, run_by)"
           "  SELECT $2::bigint, d->'rule', (d->>'focal_count')::int,"
           "         (d->>'no_data_count')::int, (d->>'municipalities')::int,"
           "         ($1::pacto_viewer).user_id FROM d"
           "  RETURNING *),"
           " vals AS ("
           "  INSERT INTO focalization_values (run_id, indicator_id, municipality_id, period,"
           "                                   value, denominator, rank, percentile, status)"
           "  SELECT run.id, x.* FROM run, d, jsonb_to_recordset(d->'values') AS x("
           "         indicator_id bigint, municipality_id text, period text, value numeric,"
           "         denominator numeric, rank integer, percentile numeric, status text)),"
           " res AS ("
           "  INSERT INTO focalization_results (run_id, municipality_id, status, reason)"
           "  SELECT run.id, x.* FROM run, d, jsonb_to_recordset(d->'results') AS x("
           "         municipality_id text, status text, reason text))"
           " SELECT run.id, focalization_run_json(run::focalization_runs, $1::pacto_viewer),"
           "        focalization_run_snapshot(run::focalization_runs) FROM run",
};

/* A run takes no parameters: no body, or an empty JSON object. Returns
 * false after answering otherwise. */
static bool empty_body(struct request *req)
{
    const char *len = req_header(req, "Content-Length");
    if ((len && strcmp(len, "0") == 0) ||
        (!len && !req_header(req, "Content-Type") && !req_header(req, "Transfer-Encoding")))
        return true;
    cJSON *body = req_keep_json(req, req_json_object(req, false));
    if (!body)
        return false;
    if (!body->child)
        return true;
    struct field_errors e = {0};
    for (const cJSON *m = body->child; m; m = m->next)
        field_error(&e, m->string, "may not be set: a run takes no parameters");
    resp_validation(req, &e, NULL);
    return false;
}

static bool col_null(const PGresult *r, int row, int col) { return PQgetisnull(r, row, col); }

/* Appends "name":<text as a JSON number>, or null. Numeric text from
 * PostgreSQL is a JSON number as it is, NaN aside, which is no number. */
static void json_number(struct buf *b, const char *name, const PGresult *r, int row, int col)
{
    const char *v = col_null(r, row, col) ? "null" : PQgetvalue(r, row, col);
    buf_printf(b, "\"%s\":%s", name, strcmp(v, "NaN") == 0 ? "null" : v);
}

static void json_text(struct buf *b, const char *name, const char *s)
{
    buf_printf(b, "\"%s\":", name);
    if (s)
        buf_json_string(b, s);
    else
        buf_puts(b, "null");
}

/* The computation of one run over the input rows. */
struct run {
    size_t nind, nmun;
    struct focal_indicator *inds;
    struct focal_value *vals; /* nind x nmun, indicator-major */
    int *first_row;           /* each indicator's first input row */
};

static void run_free(void *p)
{
    struct run *run = p;
    free(run->inds);
    free(run->vals);
    free(run->first_row);
    free(run);
}

/* Reads the input into run and ranks every indicator. */
static struct run *run_compute(struct request *req, const PGresult *in)
{
    int rows = PQntuples(in);
    struct run *run = req_defer(req, run_free, calloc(1, sizeof *run));
    if (!run)
        abort();
    for (int i = 0; i < rows; i++)
        if (i == 0 || strcmp(PQgetvalue(in, i, IN_ID), PQgetvalue(in, i - 1, IN_ID)) != 0)
            run->nind++;
    run->nmun = col_null(in, 0, IN_MUNICIPALITY) ? 0 : (size_t)rows / run->nind;
    run->inds = calloc(run->nind, sizeof *run->inds);
    run->vals = calloc(run->nind * (run->nmun ? run->nmun : 1), sizeof *run->vals);
    run->first_row = calloc(run->nind, sizeof *run->first_row);
    if (!run->inds || !run->vals || !run->first_row)
        abort();
    size_t block = run->nmun ? run->nmun : 1;
    for (size_t k = 0; k < run->nind; k++) {
        int row = (int)(k * block);
        run->first_row[k] = row;
        struct focal_indicator *ind = &run->inds[k];
        ind->code = PQgetvalue(in, row, IN_CODE);
        ind->decimals = atoi(PQgetvalue(in, row, IN_DECIMALS));
        ind->period = col_null(in, row, IN_PERIOD) ? NULL : PQgetvalue(in, row, IN_PERIOD);
        focal_rule_kind_parse(PQgetvalue(in, row, IN_RULE), &ind->rule.kind);
        ind->rule.value = strtod(PQgetvalue(in, row, IN_RULE_VALUE), NULL);
        ind->rule.lower_is_better =
            strcmp(PQgetvalue(in, row, IN_POLARITY), "lower_is_better") == 0;
        ind->rule.has_min_denominator = !col_null(in, row, IN_MIN_DENOMINATOR);
        if (ind->rule.has_min_denominator)
            ind->rule.min_denominator = strtod(PQgetvalue(in, row, IN_MIN_DENOMINATOR), NULL);
        struct focal_value *v = &run->vals[k * block];
        for (size_t j = 0; j < run->nmun; j++) {
            int r = row + (int)j;
            v[j].has_value = !col_null(in, r, IN_VALUE);
            v[j].value = v[j].has_value ? strtod(PQgetvalue(in, r, IN_VALUE), NULL) : 0;
            if (isnan(v[j].value))
                v[j].has_value = false; /* numeric NaN is no value, and no JSON number */
            v[j].has_denominator = !col_null(in, r, IN_DENOMINATOR);
            v[j].denominator =
                v[j].has_denominator ? strtod(PQgetvalue(in, r, IN_DENOMINATOR), NULL) : 0;
        }
        ind->ranked = focal_rank(&ind->rule, v, run->nmun);
    }
    return run;
}

/* The rule as it was: {"combine", "indicators": [{indicator_id, code,
 * polarity, rule, value, period (the one used), min_denominator}]}. */
static void rule_json(struct buf *b, const struct run *run, const PGresult *in, bool all)
{
    buf_printf(b, "{\"combine\":\"%s\",\"indicators\":[", all ? "all" : "any");
    for (size_t k = 0; k < run->nind; k++) {
        int row = run->first_row[k];
        buf_printf(b, "%s{", k ? "," : "");
        json_number(b, "indicator_id", in, row, IN_ID);
        buf_putc(b, ',');
        json_text(b, "code", run->inds[k].code);
        buf_putc(b, ',');
        json_text(b, "polarity", PQgetvalue(in, row, IN_POLARITY));
        buf_putc(b, ',');
        json_text(b, "rule", PQgetvalue(in, row, IN_RULE));
        buf_putc(b, ',');
        json_number(b, "value", in, row, IN_RULE_VALUE);
        buf_putc(b, ',');
        json_text(b, "period", run->inds[k].period);
        buf_putc(b, ',');
        json_number(b, "min_denominator", in, row, IN_MIN_DENOMINATOR);
        buf_putc(b, '}');
    }
    buf_puts(b, "]}");
}

/* The document STMT_RUN_INSERT takes: the rule, the counts, every value and
 * every municipality's verdict with its reason. */
static void run_document(struct buf *b, const struct run *run, const PGresult *in, bool all)
{
    size_t block = run->nmun ? run->nmun : 1;
    buf_puts(b, "{\"rule\":");
    rule_json(b, run, in, all);
    buf_puts(b, ",\"values\":[");
    for (size_t k = 0; k < run->nind; k++)
        for (size_t j = 0; j < run->nmun; j++) {
            int row = run->first_row[k] + (int)j;
            const struct focal_value *v = &run->vals[k * block + j];
            buf_puts(b, k || j ? ",{" : "{");
            json_number(b, "indicator_id", in, row, IN_ID);
            buf_putc(b, ',');
            json_text(b, "municipality_id", PQgetvalue(in, row, IN_MUNICIPALITY));
            buf_putc(b, ',');
            json_text(b, "period", run->inds[k].period);
            buf_putc(b, ',');
            if (v->has_value)
                json_number(b, "value", in, row, IN_VALUE);
            else
                buf_puts(b, "\"value\":null");
            buf_putc(b, ',');
            json_number(b, "denominator", in, row, IN_DENOMINATOR);
            if (v->rank)
                buf_printf(b, ",\"rank\":%d,\"percentile\":%.2f", v->rank, v->percentile);
            else
                buf_puts(b, ",\"rank\":null,\"percentile\":null");
            buf_printf(b, ",\"status\":\"%s\"}", focal_status_name(v->status));
        }
    buf_puts(b, "],\"results\":[");
    long focal = 0, no_data = 0;
    enum focal_status *st = calloc(run->nind, sizeof *st);
    const struct focal_value **vals = calloc(run->nind, sizeof *vals);
    if (!st || !vals)
        abort();
    struct buf reason = {0};
    for (size_t j = 0; j < run->nmun; j++) {
        for (size_t k = 0; k < run->nind; k++) {
            vals[k] = &run->vals[k * block + j];
            st[k] = vals[k]->status;
        }
        enum focal_verdict verdict = focal_combine(all, st, run->nind);
        focal += verdict == FOCAL_VERDICT_FOCAL;
        no_data += verdict == FOCAL_VERDICT_NO_DATA;
        buf_reset(&reason);
        focal_explain(&reason, verdict, all, run->inds, vals, run->nind);
        buf_puts(b, j ? ",{" : "{");
        json_text(b, "municipality_id", PQgetvalue(in, (int)j, IN_MUNICIPALITY));
        buf_printf(b, ",\"status\":\"%s\",", focal_verdict_name(verdict));
        json_text(b, "reason", buf_cstr(&reason));
        buf_putc(b, '}');
    }
    buf_free(&reason);
    free(st);
    free(vals);
    buf_printf(b, "],\"focal_count\":%ld,\"no_data_count\":%ld,\"municipalities\":%zu}", focal,
               no_data, run->nmun);
}

void focalization_runs_create(struct request *req)
{
    const char *challenge = req_param(req, 0);
    struct challenge_scope ch;
    if (!empty_body(req) || !challenges_begin_write(req, challenge, NULL, &ch))
        return;
    const char *in_params[] = {challenge, ch.state_code};
    const PGresult *in = req_exec(req, &STMT_RUN_INPUT, 2, in_params);
    if (!in)
        return;
    if (PQntuples(in) == 0) {
        resp_problem(req, 422, "no-focalization-rule", "The challenge has no focalization rule",
                     "Give at least one of the challenge's main indicators a focal_rule and a "
                     "focal_value (PATCH /v1/challenges/{challenge_id}/indicators/{indicator_id}) "
                     "before running the focalization.");
        return;
    }
    struct run *run = run_compute(req, in);
    struct buf doc = {0};
    run_document(&doc, run, in, ch.combine_all);
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, challenge, buf_cstr(&doc)};
    const PGresult *r = req_exec(req, &STMT_RUN_INSERT, 3, params);
    buf_free(&doc);
    if (!r)
        return;
    struct audit_actor actor = audit_actor_of(req);
    if (!audit_record(req->db, &actor, "create", "focalization_run", PQgetvalue(r, 0, 0), NULL,
                      PQgetvalue(r, 0, 2))) {
        resp_db_error(req);
        return;
    }
    resp_header(req, "Location", "%s/%s", req->path, PQgetvalue(r, 0, 0));
    resp_json(req, 201, PQgetvalue(r, 0, 1), (size_t)PQgetlength(r, 0, 1));
    req_commit(req);
}

/* $1 challenge, $2 run: one row when the run is the challenge's. */
static const struct db_stmt STMT_RUN_EXISTS = {
    .name = "focalization_run_exists",
    .sql = "SELECT 1 FROM focalization_runs WHERE id = $2::bigint AND challenge_id = $1::bigint",
};

/* $1 run, $2 filters, $3 the key to continue after, $4 limit. */
static const struct db_stmt STMT_RUN_MUNICIPALITIES = {
    .name = "focalization_run_municipalities",
    .sql = "SELECT k, j FROM focalization_run_municipality_rows($1::bigint, $2::jsonb)"
           " WHERE $3::text IS NULL OR k > $3 ORDER BY k LIMIT $4::int",
};
static const struct db_stmt STMT_RUN_MUNICIPALITIES_CSV = {
    .name = "focalization_run_municipalities_csv",
    .sql = "SELECT k, municipality_id, name, status, reason, indicator_code, period, value,"
           "       rank, percentile, indicator_status"
           "  FROM focalization_run_csv_rows($1::bigint, $2::jsonb)"
           " WHERE $3::text IS NULL OR k > $3 ORDER BY k LIMIT $4::int",
};
#define RUN_CSV_HEADER                                                                             \
    "municipality_id,name,status,reason,indicator_code,period,value,rank,percentile,"              \
    "indicator_status"

void focalization_run_municipalities(struct request *req)
{
    static const char *const allowed[] = {"status", "limit", "cursor", NULL};
    static const char *const statuses[] = {"focal", "not_focal", "no_data", NULL};
    const char *challenge = req_param(req, 0), *run = req_param(req, 1);
    struct query q;
    struct page page;
    char list[64];
    snprintf(list, sizeof list, "focalization_run_municipalities:%.24s", run ? run : "");
    const char *filters;
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, list, &page) ||
        !(filters = focal_status_filter(req, &q, statuses)))
        return;
    if (!challenge || !run || !id_is_canonical(challenge) || !id_is_canonical(run)) {
        resp_not_found(req);
        return;
    }
    const char *exists_params[] = {challenge, run};
    bool csv = req_wants_csv(req);
    struct list_query lq = {.stmt = csv ? &STMT_RUN_MUNICIPALITIES_CSV : &STMT_RUN_MUNICIPALITIES,
                            .nparams = 4,
                            .params = {run, filters, NULL, NULL},
                            .after_param = 2,
                            .limit_param = 3,
                            .csv_header = csv ? RUN_CSV_HEADER : NULL};
    focal_answer_list(req, &STMT_RUN_EXISTS, 2, exists_params, &page, &lq);
}
