/*
 * What the state does with a question (see questions.h): the responsible
 * area's secretariat (or the coordination) answers it, once — a public
 * answer is a record, not a draft, so a second one is 409 — or hides it with
 * a reason when it is abusive; the coordination erases the asker's personal
 * data on request. Each change is one audit event, whose snapshots never
 * hold the personal columns (question_snapshot).
 */
#include "questions/questions.h"

#include "audit/audit.h"
#include "authz/policy.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/response.h"
#include "validate/id.h"
#include "validate/plain_text.h"

#include <stdio.h>
#include <string.h>

#define ANSWER_MAX 2000
#define REASON_MAX 500

/* $1 viewer, $2 question: locked, with its version, its area, whether the
 * viewer answers for it, whether it is answered, hidden, its asker erased,
 * and its snapshot. */
static const struct db_stmt STMT_LOCK = {
    .name = "questions_lock",
    .sql = "SELECT q.version, question_area(q), viewer_manages($1::pacto_viewer, question_area(q)),"
           "       q.answered_at IS NOT NULL, q.hidden_at IS NOT NULL,"
           "       q.asker_name IS NULL AND q.email IS NULL AND q.client_hash IS NULL,"
           "       question_snapshot(q)"
           "  FROM questions q WHERE q.id = $2 FOR UPDATE",
};
enum { L_VERSION, L_AREA, L_MANAGES, L_ANSWERED, L_HIDDEN, L_ERASED, L_SNAPSHOT };

/* Each change: $1 viewer, $2 question, $3 its text (answer, reason) when it
 * takes one; the changed question's JSON, snapshot and version. */
#define RETURNING " RETURNING question_json(q, $1::pacto_viewer), question_snapshot(q), q.version"
static const struct db_stmt STMT_ANSWER = {
    .name = "questions_answer",
    .sql = "UPDATE questions q SET answer_text = $3, answered_at = now(),"
           "       answered_by = ($1::pacto_viewer).user_id, version = version + 1,"
           "       updated_at = now() WHERE q.id = $2" RETURNING,
};
static const struct db_stmt STMT_HIDE = {
    .name = "questions_hide",
    .sql = "UPDATE questions q SET hidden_reason = $3, hidden_at = now(),"
           "       hidden_by = ($1::pacto_viewer).user_id, version = version + 1,"
           "       updated_at = now() WHERE q.id = $2" RETURNING,
};
/* The personal columns set NULL, not hidden: nothing of them is kept. */
static const struct db_stmt STMT_ERASE = {
    .name = "questions_erase",
    .sql = "UPDATE questions q SET asker_name = NULL, email = NULL, client_hash = NULL,"
           "       version = version + 1, updated_at = now()"
           " WHERE q.id = $2" RETURNING,
};

/* The one text member `name` of the body (required, plain). False after
 * answering. */
static bool read_text(struct request *req, const char *name, size_t max, const char **out)
{
    const char *const allowed[] = {name, NULL};
    const cJSON *body = req_keep_json(req, req_json_object(req, false));
    if (!body)
        return false;
    struct field_errors e = {0};
    fields_only(body, allowed, NULL, &e);
    enum field_state st = field_string(body, name, max, out, &e);
    field_required(st, name, &e);
    const char *why;
    if (st == FIELD_SET && (why = plain_text_problem(*out)))
        field_error(&e, name, why);
    if (e.count > 0) {
        resp_validation(req, &e, NULL);
        return false;
    }
    field_errors_free(&e);
    return true;
}

/* Locks the question of the path in a new transaction (404; 412 when
 * If-Match names another version). NULL after answering; PQclear it. */
static PGresult *lock_question(struct request *req, const char *viewer)
{
    const char *id = req_param(req, 0);
    if (!id_is_canonical(id)) {
        resp_not_found(req);
        return NULL;
    }
    return req_lock_row(req, &STMT_LOCK, 2, (const char *[]){viewer, id}, L_VERSION);
}

static bool is_true(const PGresult *r, int col) { return PQgetvalue(r, 0, col)[0] == 't'; }

/* Runs the change and answers `status` with the question (its ETag), after
 * the audit event `action` from the locked row's snapshot; commits. */
static void change(struct request *req, const PGresult *cur, const struct db_stmt *stmt,
                   const char *viewer, const char *text, const char *action, int status)
{
    const char *id = req_param(req, 0);
    const PGresult *r = req_exec(req, stmt, text ? 3 : 2, (const char *[]){viewer, id, text});
    if (!r)
        return;
    struct audit_actor actor = audit_actor_of(req);
    if (!audit_record(req->db, &actor, action, "question", id, PQgetvalue(cur, 0, L_SNAPSHOT),
                      PQgetvalue(r, 0, 1))) {
        resp_db_error(req);
        return;
    }
    if (status == 204) {
        resp_json(req, 204, "", 0);
    } else {
        resp_json(req, status, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
        resp_etag(req, PQgetvalue(r, 0, 2));
    }
    req_commit(req);
}

/* 403 naming the area that answers for the question, when the caller does
 * not; true after answering. */
static bool refuse_other_area(struct request *req, const PGresult *cur, const char *what)
{
    if (is_true(cur, L_MANAGES))
        return false;
    char detail[160];
    snprintf(detail, sizeof detail, "Only the %s secretariat or the coordination may %s.",
             PQgetvalue(cur, 0, L_AREA), what);
    resp_forbidden(req, detail);
    return true;
}

/* The body comes first (422), so that a caller of another area learns
 * nothing it could not learn from a GET. */
void questions_answer(struct request *req)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *text;
    PGresult *cur;
    if (!read_text(req, "text", ANSWER_MAX, &text) || !(cur = lock_question(req, viewer)))
        return;
    if (refuse_other_area(req, cur, "answer this question")) {
        /* answered */
    } else if (is_true(cur, L_HIDDEN)) {
        resp_problem(req, 409, "conflict", "The question is hidden",
                     "A hidden question is not answered.");
    } else if (is_true(cur, L_ANSWERED)) {
        resp_problem(req, 409, "conflict", "Already answered",
                     "The question has its public answer; an answer is given once.");
    } else {
        change(req, cur, &STMT_ANSWER, viewer, text, "answer", 200);
    }
    PQclear(cur);
}

void questions_hide(struct request *req)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *reason;
    PGresult *cur;
    if (!read_text(req, "reason", REASON_MAX, &reason) || !(cur = lock_question(req, viewer)))
        return;
    if (refuse_other_area(req, cur, "hide this question")) {
        /* answered */
    } else if (is_true(cur, L_HIDDEN)) {
        resp_problem(req, 409, "conflict", "Already hidden", "The question is hidden already.");
    } else {
        change(req, cur, &STMT_HIDE, viewer, reason, "hide", 200);
    }
    PQclear(cur);
}

/* Idempotent: erasing what is erased already changes nothing and writes no
 * event. */
void questions_erase_asker(struct request *req)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    PGresult *cur = lock_question(req, viewer);
    if (!cur)
        return;
    if (is_true(cur, L_ERASED)) {
        resp_json(req, 204, "", 0);
        req_commit(req);
    } else {
        change(req, cur, &STMT_ERASE, viewer, NULL, "erase", 204);
    }
    PQclear(cur);
}
