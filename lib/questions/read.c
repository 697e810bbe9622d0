/*
 * Reading questions (see questions.h): the public list with its filters, one
 * question, and a cycle's counts per responsible area. All public; the state
 * sees the askers' names in the JSON (question_json), no one in the CSV.
 */
#include "questions/questions.h"

#include "authz/policy.h"
#include "db/db.h"
#include "http/query.h"
#include "http/response.h"
#include "resource/resource.h"
#include "validate/id.h"

#include <stdio.h>

static const char *const subject_types[] = {"cycle", "challenge", "plan", "pact", NULL};
/* pacto_is_secretariat_area in sql/014. */
static const char *const statuses[] = {"open", "answered", "overdue", "hidden", NULL};

/* $1 viewer, $2 filters, $3 the key to continue after, $4 limit. */
static const struct db_stmt STMT_LIST = {
    .name = "questions_list",
    .sql = "SELECT r.* FROM question_rows($1::pacto_viewer, $2::jsonb) r"
           " WHERE ($3::text IS NULL OR r.k > $3::text) ORDER BY r.k LIMIT $4",
};

static const char LIST_CSV_HEADER[] =
    "id,subject_type,subject_id,cycle_id,challenge_id,municipality_id,area,status,asked_at,"
    "due_at,text,answer_text,answered_at,answered_late,hidden_reason";

/* $1 viewer, $2 question. */
static const struct db_stmt STMT_GET = {
    .name = "questions_get",
    .sql = "SELECT question_json(q, $1::pacto_viewer), q.version FROM questions q WHERE q.id = $2",
};

static const struct db_stmt STMT_CYCLE_EXISTS = {
    .name = "questions_cycle_exists",
    .sql = "SELECT 1 FROM cycles WHERE id = $1",
};

/* $1 cycle, $2 the key to continue after, $3 limit. */
static const struct db_stmt STMT_COUNTS = {
    .name = "questions_counts",
    .sql = "SELECT r.* FROM question_count_rows($1::bigint) r"
           " WHERE ($2::text IS NULL OR r.k > $2::text) ORDER BY r.k LIMIT $3",
};

static const char COUNTS_CSV_HEADER[] =
    "area,asked,hidden,answered,answered_late,open,overdue,median_days_to_answer";

void questions_list(struct request *req)
{
    static const char *const allowed[] = {"subject_type", "subject_id", "cycle_id", "area",
                                          "status",       "limit",      "cursor",   NULL};
    struct query q;
    struct page page;
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, "questions", &page))
        return;
    if (query_get(&q, "subject_id") && !query_get(&q, "subject_type")) {
        resp_bad_parameter(req, "subject_id comes with subject_type.");
        return;
    }
    cJSON *filters = req_keep_json(req, cJSON_CreateObject());
    if (!query_filter(req, &q, "subject_type", subject_types, NULL,
                      "subject_type must be cycle, challenge, plan or pact.", filters) ||
        !query_filter(req, &q, "subject_id", NULL, id_is_canonical,
                      "subject_id must be a positive integer.", filters) ||
        !query_filter(req, &q, "cycle_id", NULL, id_is_canonical,
                      "cycle_id must be a positive integer.", filters) ||
        !query_filter(req, &q, "area", policy_areas, NULL,
                      "area must be coordination, health, education, security or economy.",
                      filters) ||
        !query_filter(req, &q, "status", statuses, NULL,
                      "status must be open, answered, overdue or hidden.", filters))
        return;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *f = req_defer(req, cJSON_free, cJSON_PrintUnformatted(filters));
    struct list_query lq = {.stmt = &STMT_LIST,
                            .nparams = 4,
                            .params = {viewer, f, NULL, NULL},
                            .after_param = 2,
                            .limit_param = 3,
                            .key_col = 0,
                            .json_col = 1,
                            .csv_first_col = 2,
                            .csv_header = LIST_CSV_HEADER};
    resp_list(req, &page, &lq);
}

void questions_get(struct request *req) { resource_show_by(req, &STMT_GET); }

void questions_counts(struct request *req)
{
    static const char *const allowed[] = {"limit", "cursor", NULL};
    const char *cycle = req_param(req, 0);
    if (!id_is_canonical(cycle)) {
        resp_not_found(req);
        return;
    }
    struct query q;
    struct page page;
    char list[48];
    snprintf(list, sizeof list, "question-counts:%.24s", cycle);
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, list, &page))
        return;
    const PGresult *exists = req_exec(req, &STMT_CYCLE_EXISTS, 1, &cycle);
    if (!exists)
        return;
    if (PQntuples(exists) == 0) {
        resp_not_found(req);
        return;
    }
    struct list_query lq = {.stmt = &STMT_COUNTS,
                            .nparams = 3,
                            .params = {cycle, NULL, NULL},
                            .after_param = 1,
                            .limit_param = 2,
                            .key_col = 0,
                            .json_col = 1,
                            .csv_first_col = 2,
                            .csv_header = COUNTS_CSV_HEADER};
    resp_list(req, &page, &lq);
}
