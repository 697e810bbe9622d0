/*
 * GET /v1/indicators/{indicator_id}/outliers?state=SP&period=: what the
 * state should look at before it focalizes, among the state's values with
 * status ok in the period (default: the indicator's latest period). A
 * municipality is listed with every reason that applies:
 *
 *  - z_score: |value - mean| > 3 population standard deviations of the
 *    state's values in the period (with at least 3 values and a spread);
 *  - out_of_range: outside the indicator's [min_value, max_value] (values
 *    stored before the range was narrowed);
 *  - jump: the change from the municipality's previous period with a value
 *    lies more than 3 standard deviations from the mean of the state's
 *    changes between the same kind of pairs (at least 3 of them).
 *
 * Each row also says small_denominator: a denominator below
 * min_denominator (default 100), whose rate swings with a single event.
 */
#include "values/values.h"

#include "db/db.h"
#include "http/query.h"
#include "http/response.h"
#include "validate/ibge.h"
#include "validate/id.h"
#include "values/parse.h"

#include <stdio.h>
#include <string.h>

/* $1 indicator, $2 after, $3 limit, $4 uf, $5 period or NULL, $6 min denominator */
static const struct db_stmt STMT_OUTLIERS = {
    .name = "values_outliers",
    .sql = "WITH ind AS MATERIALIZED (SELECT i.id, i.min_value, i.max_value,"
           "    coalesce($5::text, indicator_latest_period(i, s.code)) AS p"
           "   FROM indicators i, states s WHERE i.id = $1::bigint AND s.uf = $4),"
           " cur AS (SELECT v.municipality_id, m.name, v.value, v.denominator"
           "   FROM ind JOIN indicator_values v ON v.indicator_id = ind.id AND v.period = ind.p"
           "   JOIN municipalities m ON m.ibge_code = v.municipality_id"
           "   JOIN states s ON s.code = m.state_code"
           "  WHERE v.status = 'ok' AND s.uf = $4),"
           " stats AS (SELECT avg(value) AS mean, stddev_pop(value) AS sd, count(*) AS n FROM cur),"
           " prev AS (SELECT DISTINCT ON (v.municipality_id) v.municipality_id, v.period, v.value"
           "   FROM ind JOIN cur c ON true JOIN indicator_values v"
           "     ON v.indicator_id = ind.id AND v.municipality_id = c.municipality_id"
           "  WHERE v.period < ind.p AND v.status = 'ok'"
           "  ORDER BY v.municipality_id, v.period DESC),"
           " d AS (SELECT c.municipality_id, c.value - p.value AS delta, p.period AS prev_period,"
           "          p.value AS prev_value FROM cur c JOIN prev p USING (municipality_id)),"
           " dstats AS (SELECT avg(delta) AS mean, stddev_pop(delta) AS sd, count(*) AS n FROM d),"
           " r AS (SELECT c.*, ind.p AS period, d.prev_period, d.prev_value, d.delta,"
           "   CASE WHEN s.n >= 3 AND s.sd > 0 THEN (c.value - s.mean) / s.sd END AS z,"
           "   CASE WHEN ds.n >= 3 AND ds.sd > 0 THEN (d.delta - ds.mean) / ds.sd END AS dz,"
           "   coalesce(c.value < ind.min_value, false) OR coalesce(c.value > ind.max_value, false)"
           "     AS out_of_range,"
           "   coalesce(c.denominator < $6::numeric, false) AS small"
           "   FROM cur c CROSS JOIN ind CROSS JOIN stats s CROSS JOIN dstats ds"
           "   LEFT JOIN d USING (municipality_id)),"
           " o AS (SELECT r.*, array_remove(ARRAY["
           "     CASE WHEN abs(z) > 3 THEN 'z_score' END,"
           "     CASE WHEN out_of_range THEN 'out_of_range' END,"
           "     CASE WHEN abs(dz) > 3 THEN 'jump' END], NULL) AS reasons FROM r)"
           " SELECT municipality_id,"
           "  json_build_object('municipality_id', municipality_id, 'municipality_name', name,"
           "    'period', period, 'value', value, 'z_score', round(z, 2),"
           "    'previous_period', prev_period, 'previous_value', prev_value, 'change', delta,"
           "    'change_z_score', round(dz, 2), 'denominator', denominator,"
           "    'small_denominator', small, 'reasons', to_json(reasons)),"
           "  municipality_id, name, period, value::text, round(z, 2)::text, prev_period,"
           "  prev_value::text, delta::text, round(dz, 2)::text, denominator::text, small::text,"
           "  array_to_string(reasons, ';')"
           "  FROM o WHERE cardinality(reasons) > 0 AND ($2::text IS NULL OR municipality_id > $2)"
           " ORDER BY municipality_id LIMIT $3::int",
};

static const struct db_stmt STMT_INDICATOR = {
    .name = "outliers_indicator",
    .sql = "SELECT periodicity FROM indicators WHERE id = $1::bigint",
};

void values_outliers(struct request *req)
{
    static const char *const allowed[] = {"state", "period", "min_denominator",
                                          "limit", "cursor", NULL};
    struct query q;
    struct page page;
    char list[48];
    snprintf(list, sizeof list, "outliers:%.24s", req_param(req, 0));
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, list, &page))
        return;
    const char *uf = query_get(&q, "state"), *period = query_get(&q, "period");
    const char *min_den = query_get(&q, "min_denominator");
    if (!uf || !ibge_uf_is_wellformed(uf)) {
        resp_bad_parameter(req, "state is required: a two-letter UF code such as SP.");
        return;
    }
    char number[VALUES_NUMBER_MAX];
    double v = 0;
    if (min_den && (!values_number(min_den, '.', number, &v) || v < 0)) {
        resp_bad_parameter(req, "min_denominator must be a number of at least 0.");
        return;
    }
    const char *id = req_param(req, 0);
    if (!id_is_canonical(id)) {
        resp_not_found(req);
        return;
    }
    const char *p[] = {id};
    PGresult *r = req_exec(req, &STMT_INDICATOR, 1, p);
    if (!r)
        return;
    if (PQntuples(r) == 0) {
        resp_not_found(req);
        return;
    }
    const char *why = period ? values_period_problem(PQgetvalue(r, 0, 0), NULL, period) : NULL;
    if (why) {
        char detail[160];
        snprintf(detail, sizeof detail, "period %s.", why);
        resp_bad_parameter(req, detail);
        return;
    }
    struct list_query lq = {
        .stmt = &STMT_OUTLIERS,
        .nparams = 6,
        .params = {id, NULL, NULL, uf, period, min_den ? number : "100"},
        .after_param = 1,
        .limit_param = 2,
        .key_col = 0,
        .json_col = 1,
        .csv_first_col = 2,
        .csv_header = "municipality_id,municipality_name,period,value,z_score,previous_period,"
                      "previous_value,change,change_z_score,denominator,small_denominator,reasons"};
    resp_list(req, &page, &lq);
}
