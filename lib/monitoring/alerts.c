/*
 * The state's alerts of a cycle (see monitoring.h): one list of five kinds
 * from alert_rows (sql/032_questions_assistance.sql, after sql/026) — pact
 * targets off track, deliveries late, evidence awaiting review for more than
 * the configured days, public questions past their due time unanswered,
 * assistance requests pending for more than the same days — filtered by the
 * responsible area, the municipality and the kind, in JSON pages or as one
 * CSV download.
 */
#include "monitoring/monitoring.h"

#include "authz/policy.h"
#include "config/config.h"
#include "db/db.h"
#include "http/query.h"
#include "http/response.h"
#include "validate/ibge.h"
#include "validate/id.h"

#include <stdio.h>
#include <string.h>

/* pacto_is_secretariat_area in sql/014. */
static const char *const kinds[] = {"pact_off_track",   "delivery_late",      "evidence_waiting",
                                    "question_overdue", "assistance_pending", NULL};

static const struct db_stmt STMT_CYCLE_EXISTS = {
    .name = "alerts_cycle_exists",
    .sql = "SELECT 1 FROM cycles WHERE id = $1",
};

/* $1 cycle, $2 filters, $3 review days, $4 the key to continue after,
 * $5 limit: key and JSON of a page. */
static const struct db_stmt STMT_ALERTS = {
    .name = "alerts_list",
    .sql = "SELECT r.k, r.j FROM alert_rows($1::bigint, $2::jsonb, $3::integer) r"
           " WHERE ($4::text IS NULL OR r.k > $4::text) ORDER BY r.k LIMIT $5",
};

/* The same, with the CSV cells (ALERTS_CSV_HEADER's order) after the JSON:
 * taken apart only for a download, as it costs a parse of every row's JSON. */
static const struct db_stmt STMT_ALERTS_CSV = {
    .name = "alerts_list_csv",
    .sql = "SELECT r.k, r.j, c.* FROM alert_rows($1::bigint, $2::jsonb, $3::integer) r"
           " CROSS JOIN LATERAL json_to_record(r.j) AS c (kind text, municipality_id text,"
           "   municipality_name text, challenge_id text, challenge_code text, area text,"
           "   plan_id text, pact_id text, protocol text, indicator_id text,"
           "   indicator_code text, latest_value text, latest_period text,"
           "   expected_value text, delivery_id text, delivery_title text, due_date text,"
           "   days_late text, evidence_id text, submitted_at text, days_waiting text,"
           "   question_id text, subject_type text, subject_id text, due_at text,"
           "   days_overdue text, assistance_request_id text, topic text, request_status text)"
           " WHERE ($4::text IS NULL OR r.k > $4::text) ORDER BY r.k LIMIT $5",
};

static const char ALERTS_CSV_HEADER[] =
    "kind,municipality_id,municipality_name,challenge_id,challenge_code,area,plan_id,pact_id,"
    "protocol,indicator_id,indicator_code,latest_value,latest_period,expected_value,delivery_id,"
    "delivery_title,due_date,days_late,evidence_id,submitted_at,days_waiting,question_id,"
    "subject_type,subject_id,due_at,days_overdue,assistance_request_id,topic,request_status";

void monitoring_alerts_list(struct request *req)
{
    static const char *const allowed[] = {"area",  "municipality_id", "kind",
                                          "limit", "cursor",          NULL};
    const char *cycle = req_param(req, 0);
    if (!id_is_canonical(cycle)) {
        resp_not_found(req);
        return;
    }
    struct query q;
    struct page page;
    char list[48];
    snprintf(list, sizeof list, "alerts:%.24s", cycle);
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, list, &page))
        return;
    cJSON *filters = req_keep_json(req, cJSON_CreateObject());
    if (!query_filter(req, &q, "area", policy_areas, NULL,
                      "area must be coordination, health, education, security or economy.",
                      filters) ||
        !query_filter(req, &q, "municipality_id", NULL, ibge_code_is_valid,
                      "municipality_id must be a 7-digit IBGE code.", filters) ||
        !query_filter(req, &q, "kind", kinds, NULL,
                      "kind must be pact_off_track, delivery_late, evidence_waiting, "
                      "question_overdue or assistance_pending.",
                      filters))
        return;
    const char *f = req_defer(req, cJSON_free, cJSON_PrintUnformatted(filters));
    PGresult *exists = req_exec(req, &STMT_CYCLE_EXISTS, 1, &cycle);
    if (!exists)
        return;
    if (PQntuples(exists) == 0) {
        resp_not_found(req);
        return;
    }
    char days[16];
    snprintf(days, sizeof days, "%d", req->cfg->alert_review_days);
    bool csv = req_wants_csv(req);
    struct list_query lq = {.stmt = csv ? &STMT_ALERTS_CSV : &STMT_ALERTS,
                            .nparams = 5,
                            .params = {cycle, f, days, NULL, NULL},
                            .after_param = 3,
                            .limit_param = 4,
                            .key_col = 0,
                            .json_col = 1,
                            .csv_first_col = 2,
                            .csv_header = csv ? ALERTS_CSV_HEADER : NULL};
    resp_list(req, &page, &lq);
}
