/*
 * A practice's curation (see practices.h): the municipality submits its
 * draft (or a returned practice as it stands); the challenge's responsible
 * secretariat or the coordination publishes a submitted one, or returns a
 * submitted or published one with a reason (unpublishing it, unless a
 * plan's action cites it). Each is one transaction with its audit event.
 */
#include "practices/practices.h"

#include "authz/policy.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/response.h"
#include "practices/row.h"

#include <stdio.h>
#include <string.h>

#define REASON_MAX 2000

/* $1 practice: submitted. */
static const struct db_stmt STMT_SUBMIT = {
    .name = "practice_submit",
    .sql = "UPDATE practices SET status = 'submitted', return_reason = NULL,"
           "       submitted_at = now(), version = version + 1, updated_at = now()"
           " WHERE id = $1",
};

/* $1 practice, $2 viewer: published by the viewer. */
static const struct db_stmt STMT_PUBLISH = {
    .name = "practice_publish",
    .sql = "UPDATE practices SET status = 'published', published_at = now(),"
           "       reviewed_by = ($2::pacto_viewer).user_id, version = version + 1,"
           "       updated_at = now()"
           " WHERE id = $1",
};

/* $1 practice, $2 viewer, $3 reason: returned by the viewer. */
static const struct db_stmt STMT_RETURN = {
    .name = "practice_return",
    .sql = "UPDATE practices SET status = 'returned', return_reason = $3, published_at = NULL,"
           "       reviewed_by = ($2::pacto_viewer).user_id, version = version + 1,"
           "       updated_at = now()"
           " WHERE id = $1",
};

/* The body of an action: none (or {}) for submit and publish; {reason} for
 * a return. False after answering. */
static bool read_action(struct request *req, bool with_reason, const char **reason)
{
    static const char *const none[] = {NULL};
    static const char *const reason_only[] = {"reason", NULL};
    *reason = NULL;
    cJSON *body;
    if (!with_reason && !req->raw.len && !req_header(req, "Content-Type"))
        body = req_keep_json(req, cJSON_CreateObject());
    else if (!(body = req_keep_json(req, req_json_object(req, false))))
        return false;
    struct field_errors e = {0};
    fields_only(body, with_reason ? reason_only : none, NULL, &e);
    if (with_reason)
        field_required(field_string(body, "reason", REASON_MAX, reason, &e), "reason", &e);
    if (e.count > 0) {
        resp_validation(req, &e, NULL);
        return false;
    }
    field_errors_free(&e);
    return true;
}

static bool is(const char *status, const char *a) { return strcmp(status, a) == 0; }

/* Refuses what the caller may not do to p now; true when it did. */
static bool refuse(struct request *req, const struct practice_lock *p, const char *action)
{
    char detail[200];
    bool review = !is(action, "submit");
    if (!review && !p->own) {
        resp_forbidden(req, "Only the proposing municipality's mayor or representative may "
                            "submit its practice.");
    } else if (review && !p->curates) {
        snprintf(detail, sizeof detail,
                 "Only the %s secretariat or the coordination curate the practices of this "
                 "challenge.",
                 p->area);
        resp_forbidden(req, detail);
    } else if (!review && !is(p->status, "draft") && !is(p->status, "returned")) {
        practices_refuse_status(req, p, "only a draft or a returned practice is submitted");
    } else if (is(action, "publish") && !is(p->status, "submitted")) {
        practices_refuse_status(req, p, "only a submitted practice is published");
    } else if (is(action, "return") && !is(p->status, "submitted") && !is(p->status, "published")) {
        practices_refuse_status(req, p, "only a submitted or published practice is returned");
    } else if (is(action, "return") && is(p->status, "published") && p->cited) {
        practices_refuse_cited(req, "unpublished");
    } else {
        return false;
    }
    return true;
}

/* Runs `action` on the practice of the path: stmt takes the practice, then
 * (nparams 2) the viewer, then (3) the reason. */
static void transition(struct request *req, const char *action, const struct db_stmt *stmt,
                       int nparams)
{
    const char *reason;
    struct practice_lock p;
    if (!read_action(req, is(action, "return"), &reason) || !practices_lock(req, &p) ||
        refuse(req, &p, action))
        return;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    if (req_exec(req, stmt, nparams, (const char *[]){p.id, viewer, reason}))
        practices_changed(req, p.id, p.snapshot, action, 200);
}

void practices_submit(struct request *req) { transition(req, "submit", &STMT_SUBMIT, 1); }
void practices_publish(struct request *req) { transition(req, "publish", &STMT_PUBLISH, 2); }
void practices_return(struct request *req) { transition(req, "return", &STMT_RETURN, 3); }
