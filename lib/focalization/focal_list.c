/*
 * The public result of a challenge's focalization (see focalization.h):
 * every municipality's status now — the current run's verdict, or a manual
 * decision over it — with its values, ranks and reasons
 * (challenge_focal_rows in sql/017). By default the focal municipalities and
 * the manual removals; status=<s> lists every municipality with that status.
 */
#include "focalization/focalization.h"

#include "db/db.h"
#include "focalization/params.h"
#include "http/query.h"
#include "http/response.h"
#include "validate/id.h"

#include <stdio.h>

static const struct db_stmt STMT_CHALLENGE_EXISTS = {
    .name = "focal_list_challenge",
    .sql = "SELECT 1 FROM challenges WHERE id = $1::bigint",
};

/* $1 challenge, $2 filters, $3 the key to continue after, $4 limit. */
static const struct db_stmt STMT_FOCAL_LIST = {
    .name = "focal_municipalities_list",
    .sql = "SELECT k, j FROM challenge_focal_rows($1::bigint, $2::jsonb)"
           " WHERE $3::text IS NULL OR k > $3 ORDER BY k LIMIT $4::int",
};
static const struct db_stmt STMT_FOCAL_LIST_CSV = {
    .name = "focal_municipalities_csv",
    .sql = "SELECT k, municipality_id, name, status, decision, reason, manual_reason,"
           "       indicator_code, period, value, rank, percentile, indicator_status"
           "  FROM challenge_focal_csv_rows($1::bigint, $2::jsonb)"
           " WHERE $3::text IS NULL OR k > $3 ORDER BY k LIMIT $4::int",
};
#define FOCAL_CSV_HEADER                                                                           \
    "municipality_id,name,status,decision,reason,manual_reason,indicator_code,period,value,"       \
    "rank,percentile,indicator_status"

void focal_municipalities_list(struct request *req)
{
    static const char *const allowed[] = {"status", "limit", "cursor", NULL};
    static const char *const statuses[] = {"focal", "not_focal", "no_data", NULL};
    const char *challenge = req_param(req, 0);
    struct query q;
    struct page page;
    char list[64];
    snprintf(list, sizeof list, "focal_municipalities:%.24s", challenge ? challenge : "");
    const char *filters;
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, list, &page) ||
        !(filters = focal_status_filter(req, &q, statuses)))
        return;
    if (!challenge || !id_is_canonical(challenge)) {
        resp_not_found(req);
        return;
    }
    const char *exists_params[] = {challenge};
    bool csv = req_wants_csv(req);
    struct list_query lq = {.stmt = csv ? &STMT_FOCAL_LIST_CSV : &STMT_FOCAL_LIST,
                            .nparams = 4,
                            .params = {challenge, filters, NULL, NULL},
                            .after_param = 2,
                            .limit_param = 3,
                            .csv_header = csv ? FOCAL_CSV_HEADER : NULL};
    focal_answer_list(req, &STMT_CHALLENGE_EXISTS, 1, exists_params, &page, &lq);
}
