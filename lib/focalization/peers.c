/*
 * A municipality's position among its peers (see focalization.h): the
 * municipalities of its state in its IBGE population band, from each one's
 * newest population (the indicator marked is_population), on one indicator
 * and period. The figures are municipality_peers_json's (sql/017), which
 * defines the rank (1 = the best), the median and the quartiles.
 */
#include "focalization/focalization.h"

#include "db/db.h"
#include "focalization/params.h"
#include "http/query.h"
#include "http/response.h"
#include "validate/ibge.h"
#include "validate/id.h"

#include <string.h>

/* $1 municipality, $2 indicator, $3 period or NULL: whether each exists and
 * is usable, so that each refusal can say what is missing. */
static const struct db_stmt STMT_PEERS_CONTEXT = {
    .name = "peers_context",
    .sql = "SELECT EXISTS (SELECT 1 FROM municipalities WHERE ibge_code = $1),"
           "       (SELECT i.periodicity FROM indicators i WHERE i.id = $2::bigint),"
           "       (SELECT period_is_valid(i.periodicity, $3) FROM indicators i"
           "         WHERE i.id = $2::bigint),"
           "       EXISTS (SELECT 1 FROM indicators WHERE is_population)",
};
enum { CTX_MUNICIPALITY, CTX_PERIODICITY, CTX_PERIOD_OK, CTX_POPULATION };

static const struct db_stmt STMT_PEERS = {
    .name = "peers",
    .sql = "SELECT municipality_peers_json($1, i, $3) FROM indicators i WHERE i.id = $2::bigint",
};

void municipality_peers(struct request *req)
{
    static const char *const allowed[] = {"indicator_id", "period", NULL};
    const char *code = req_param(req, 0);
    struct query q;
    if (!query_parse(req, allowed, &q))
        return;
    const char *indicator = query_get(&q, "indicator_id"), *period = query_get(&q, "period");
    if (!code || !ibge_code_is_valid(code)) {
        resp_not_found(req);
        return;
    }
    if (!indicator || !id_is_canonical(indicator)) {
        resp_bad_parameter(req, "indicator_id is required: the id of an indicator.");
        return;
    }
    const char *params[] = {code, indicator, period};
    const PGresult *ctx = req_exec(req, &STMT_PEERS_CONTEXT, 3, params);
    if (!ctx)
        return;
    if (strcmp(PQgetvalue(ctx, 0, CTX_MUNICIPALITY), "t") != 0) {
        resp_not_found(req);
    } else if (PQgetisnull(ctx, 0, CTX_PERIODICITY)) {
        struct field_errors e = {0};
        field_error(&e, "indicator_id", "is not an indicator");
        resp_validation(req, &e, NULL);
    } else if (period && strcmp(PQgetvalue(ctx, 0, CTX_PERIOD_OK), "t") != 0) {
        resp_bad_parameter(req, strcmp(PQgetvalue(ctx, 0, CTX_PERIODICITY), "monthly") == 0
                                    ? "period must be YYYY-MM for a monthly indicator."
                                    : "period must be YYYY for this indicator.");
    } else if (strcmp(PQgetvalue(ctx, 0, CTX_POPULATION), "t") != 0) {
        resp_problem(req, 409, "no-population", "No population indicator",
                     "Peer bands need the municipalities' populations: mark one indicator "
                     "is_population and load its values.");
    } else {
        const PGresult *r = req_exec(req, &STMT_PEERS, 3, params);
        if (!r)
            return;
        if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0))
            resp_problem(req, 409, "no-population", "No population for this municipality",
                         "The population indicator has no value for this municipality, so "
                         "its population band is not known.");
        else
            resp_json(req, 200, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
    }
}
