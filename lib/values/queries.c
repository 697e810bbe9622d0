/*
 * The public queries over an indicator's values, JSON cursor pages or the
 * whole list as CSV (Accept: text/csv), as every list (http/query.h):
 *
 *  - an indicator's values for a period, or each municipality's latest
 *    value (the newest with status ok at or before
 *    indicator_latest_period: a period whose publication is not yet due,
 *    by the indicator's lag, does not count), optionally of one state;
 *  - one municipality's time series, for one indicator or all;
 *  - the state figure per period (indicator_state_aggregate: for a rate
 *    Σnumerator ÷ Σdenominator × scale, never a mean of rates), with how
 *    many of the state's municipalities have a value and how many do not.
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

/* A value row's JSON and CSV cells, from v (indicator_values), m
 * (municipalities) and s (states). */
#define VALUE_COLUMNS                                                                              \
    " json_build_object('municipality_id', v.municipality_id, 'municipality_name', m.name,"        \
    "   'state', s.uf, 'period', v.period, 'value', v.value, 'numerator', v.numerator,"            \
    "   'denominator', v.denominator, 'preliminary', v.preliminary, 'status', v.status,"           \
    "   'raw_code', v.raw_code),"                                                                  \
    " v.municipality_id, m.name, s.uf, v.period, v.value::text, v.numerator::text,"                \
    " v.denominator::text, v.preliminary::text, v.status, v.raw_code"

static const char VALUES_CSV_HEADER[] = "municipality_id,municipality_name,state,period,value,"
                                        "numerator,denominator,preliminary,status,raw_code";

static const struct db_stmt STMT_INDICATOR = {
    .name = "values_indicator",
    .sql = "SELECT periodicity FROM indicators WHERE id = $1::bigint",
};

/* $1 indicator, $2 after, $3 limit, $4 uf or NULL, $5 period */
static const struct db_stmt STMT_VALUES_PERIOD = {
    .name = "values_of_period",
    .sql = "SELECT v.municipality_id," VALUE_COLUMNS
           "  FROM indicator_values v JOIN municipalities m ON m.ibge_code = v.municipality_id"
           "  JOIN states s ON s.code = m.state_code"
           " WHERE v.indicator_id = $1::bigint AND v.period = $5"
           "   AND ($4::text IS NULL OR s.uf = $4) AND ($2::text IS NULL OR v.municipality_id > $2)"
           " ORDER BY v.municipality_id LIMIT $3::int",
};

/* $1 indicator, $2 after, $3 limit, $4 uf or NULL. The latest period is
 * computed once; then each municipality of the page is one probe of
 * indicator_values_municipality_idx for its newest value at or before it,
 * so a page costs its own rows, not a scan of the indicator's values. */
static const struct db_stmt STMT_VALUES_LATEST = {
    .name = "values_latest",
    .sql = "WITH lp AS MATERIALIZED (SELECT i.id, indicator_latest_period(i) AS p"
           "   FROM indicators i WHERE i.id = $1::bigint)"
           " SELECT v.municipality_id," VALUE_COLUMNS
           "  FROM lp CROSS JOIN municipalities m JOIN states s ON s.code = m.state_code"
           "  CROSS JOIN LATERAL (SELECT * FROM indicator_values x"
           "     WHERE x.municipality_id = m.ibge_code AND x.indicator_id = lp.id"
           "       AND x.period <= lp.p AND x.status = 'ok'"
           "     ORDER BY x.period DESC LIMIT 1) v"
           " WHERE ($4::text IS NULL OR s.uf = $4) AND ($2::text IS NULL OR m.ibge_code > $2)"
           " ORDER BY m.ibge_code LIMIT $3::int",
};

static const struct db_stmt STMT_MUNICIPALITY = {
    .name = "values_municipality",
    .sql = "SELECT 1 FROM municipalities WHERE ibge_code = $1",
};

/* $1 municipality, $2 after, $3 limit, $4 indicator or NULL */
static const struct db_stmt STMT_SERIES = {
    .name = "values_series",
    .sql =
        "SELECT lpad(v.indicator_id::text, 19, '0') || ' ' || v.period,"
        " json_build_object('indicator_id', v.indicator_id, 'indicator_code', i.code,"
        "   'period', v.period, 'value', v.value, 'numerator', v.numerator,"
        "   'denominator', v.denominator, 'preliminary', v.preliminary, 'status', v.status,"
        "   'raw_code', v.raw_code),"
        " v.indicator_id::text, i.code, v.period, v.value::text, v.numerator::text,"
        " v.denominator::text, v.preliminary::text, v.status, v.raw_code"
        "  FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id"
        " WHERE v.municipality_id = $1 AND ($4::bigint IS NULL OR v.indicator_id = $4::bigint)"
        "   AND ($2::text IS NULL OR lpad(v.indicator_id::text, 19, '0') || ' ' || v.period > $2)"
        " ORDER BY v.indicator_id, v.period LIMIT $3::int",
};

/* $1 indicator, $2 after, $3 limit, $4 uf */
static const struct db_stmt STMT_AGGREGATES = {
    .name = "values_aggregates",
    .sql = "WITH st AS (SELECT code, uf, (SELECT count(*) FROM municipalities m"
           "              WHERE m.state_code = states.code) AS total"
           "   FROM states WHERE uf = $4),"
           " periods AS (SELECT DISTINCT period FROM indicator_values"
           "   WHERE indicator_id = $1::bigint AND ($2::text IS NULL OR period > $2))"
           " SELECT p.period, json_build_object('period', p.period, 'state', st.uf,"
           "   'value', round(a.value, i.decimals), 'numerator', a.numerator,"
           "   'denominator', a.denominator, 'municipalities_with_data', a.municipalities,"
           "   'municipalities_without_data', st.total - a.municipalities),"
           " p.period, st.uf, round(a.value, i.decimals)::text, a.numerator::text,"
           " a.denominator::text, a.municipalities::text, (st.total - a.municipalities)::text"
           "  FROM indicators i CROSS JOIN st CROSS JOIN periods p"
           "  CROSS JOIN LATERAL indicator_state_aggregate(i, st.code, p.period) a"
           " WHERE i.id = $1::bigint ORDER BY p.period LIMIT $3::int",
};

/* The indicator's periodicity, or false after answering 404. */
static bool indicator_of_path(struct request *req, char periodicity[16])
{
    const char *id = req_param(req, 0);
    if (!id_is_canonical(id)) {
        resp_not_found(req);
        return false;
    }
    const char *p[] = {id};
    PGresult *r = req_exec(req, &STMT_INDICATOR, 1, p);
    if (!r)
        return false;
    if (PQntuples(r) == 0) {
        resp_not_found(req);
        return false;
    }
    snprintf(periodicity, 16, "%s", PQgetvalue(r, 0, 0));
    return true;
}

/* A state filter: a well-formed UF (an unknown one selects nothing). */
static bool state_param(struct request *req, const char *uf)
{
    if (!uf || ibge_uf_is_wellformed(uf))
        return true;
    resp_bad_parameter(req, "state must be a two-letter UF code such as SP.");
    return false;
}

void values_list(struct request *req)
{
    static const char *const allowed[] = {"state", "period", "limit", "cursor", NULL};
    struct query q;
    struct page page;
    char list[48], periodicity[16];
    snprintf(list, sizeof list, "values:%.24s", req_param(req, 0));
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, list, &page))
        return;
    const char *uf = query_get(&q, "state"), *period = query_get(&q, "period");
    if (!state_param(req, uf) || !indicator_of_path(req, periodicity))
        return;
    const char *why = period ? values_period_problem(periodicity, NULL, period) : NULL;
    if (why) {
        char detail[160];
        snprintf(detail, sizeof detail, "period %s.", why);
        resp_bad_parameter(req, detail);
        return;
    }
    struct list_query lq = {.stmt = period ? &STMT_VALUES_PERIOD : &STMT_VALUES_LATEST,
                            .nparams = period ? 5 : 4,
                            .params = {req_param(req, 0), NULL, NULL, uf, period},
                            .after_param = 1,
                            .limit_param = 2,
                            .key_col = 0,
                            .json_col = 1,
                            .csv_first_col = 2,
                            .csv_header = VALUES_CSV_HEADER};
    resp_list(req, &page, &lq);
}

void values_series(struct request *req)
{
    static const char *const allowed[] = {"indicator_id", "limit", "cursor", NULL};
    struct query q;
    struct page page;
    char list[48];
    snprintf(list, sizeof list, "series:%.8s", req_param(req, 0));
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, list, &page))
        return;
    const char *indicator = query_get(&q, "indicator_id");
    if (indicator && !id_is_canonical(indicator)) {
        resp_bad_parameter(req, "indicator_id must be an id.");
        return;
    }
    const char *code[] = {req_param(req, 0)};
    PGresult *r = req_exec(req, &STMT_MUNICIPALITY, 1, code);
    if (!r)
        return;
    if (PQntuples(r) == 0) {
        resp_not_found(req);
        return;
    }
    struct list_query lq = {.stmt = &STMT_SERIES,
                            .nparams = 4,
                            .params = {code[0], NULL, NULL, indicator},
                            .after_param = 1,
                            .limit_param = 2,
                            .key_col = 0,
                            .json_col = 1,
                            .csv_first_col = 2,
                            .csv_header = "indicator_id,indicator_code,period,value,numerator,"
                                          "denominator,preliminary,status,raw_code"};
    resp_list(req, &page, &lq);
}

void values_aggregates(struct request *req)
{
    static const char *const allowed[] = {"state", "limit", "cursor", NULL};
    struct query q;
    struct page page;
    char list[48], periodicity[16];
    snprintf(list, sizeof list, "aggregates:%.24s", req_param(req, 0));
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, list, &page))
        return;
    const char *uf = query_get(&q, "state");
    if (!uf) {
        resp_bad_parameter(req, "state is required (a two-letter UF code such as SP).");
        return;
    }
    if (!state_param(req, uf) || !indicator_of_path(req, periodicity))
        return;
    struct list_query lq = {.stmt = &STMT_AGGREGATES,
                            .nparams = 4,
                            .params = {req_param(req, 0), NULL, NULL, uf},
                            .after_param = 1,
                            .limit_param = 2,
                            .key_col = 0,
                            .json_col = 1,
                            .csv_first_col = 2,
                            .csv_header = "period,state,value,numerator,denominator,"
                                          "municipalities_with_data,municipalities_without_data"};
    resp_list(req, &page, &lq);
}
