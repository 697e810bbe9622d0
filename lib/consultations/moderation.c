/*
 * What the state and the subject's responsible do with a comment (see
 * consultations.h): publish or hide it, answer it, erase its author.
 *
 * Moderation is the subject's area secretariat's or the coordination's
 * (another area 403 naming the one; the route refuses municipal roles). A
 * pending comment is published or hidden (hidden with a reason, which is
 * public); a published one may be hidden and a hidden one published again;
 * an unconfirmed one waits for its author (409). The answer is the plan's
 * municipality's for a plan's consultation, else the area's (or the
 * coordination's), on a published comment; PUT replaces it. The public sees
 * which side answered (the municipality's code, or the area), never who.
 * Erasure (the coordination) sets the author's name, e-mail, address hash
 * and token NULL, and the e-mail of any message not yet sent; the text
 * stays, and the audit event says only that the author was erased.
 */
#include "consultations/consultations.h"

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

#define TEXT_MAX 2000

/* $1 viewer, $2 comment: its status, the responsible area, whether the
 * viewer moderates it, the plan's municipality (or NULL), whether the
 * viewer answers it, and its snapshot; the comment locked. */
static const struct db_stmt STMT_LOCK = {
    .name = "consultation_comment_lock",
    .sql = "SELECT k.status, consultation_area(c), viewer_manages($1::pacto_viewer,"
           "       consultation_area(c)), consultation_municipality(c),"
           "       CASE WHEN consultation_municipality(c) IS NOT NULL"
           "            THEN viewer_is_municipal($1::pacto_viewer, consultation_municipality(c))"
           "            ELSE viewer_manages($1::pacto_viewer, consultation_area(c)) END,"
           "       consultation_comment_snapshot(k), k.author_erased_at IS NOT NULL"
           "  FROM consultation_comments k JOIN consultations c ON c.id = k.consultation_id"
           " WHERE k.id = $2::bigint FOR UPDATE OF k",
};
enum { L_STATUS, L_AREA, L_MODERATES, L_MUNICIPALITY, L_ANSWERS, L_SNAPSHOT, L_ERASED };

/* $1 viewer, $2 comment, $3 published|hidden, $4 reason or NULL. */
static const struct db_stmt STMT_MODERATE = {
    .name = "consultation_comment_moderate",
    .sql = "UPDATE consultation_comments k SET status = $3, hidden_reason = $4,"
           "       moderated_by = ($1::pacto_viewer).user_id, moderated_at = now(),"
           "       version = version + 1, updated_at = now()"
           " WHERE id = $2::bigint"
           " RETURNING consultation_comment_json(k, $1::pacto_viewer),"
           "           consultation_comment_snapshot(k)",
};

/* $1 viewer, $2 comment, $3 text. The side that answers: the viewer's
 * municipality, or their area. */
static const struct db_stmt STMT_ANSWER = {
    .name = "consultation_comment_answer",
    .sql = "UPDATE consultation_comments k SET answer = $3, answered_at = now(),"
           "       answered_by = ($1::pacto_viewer).user_id,"
           "       answered_by_municipality_id = CASE WHEN ($1::pacto_viewer).role <> 'secretariat'"
           "                                          THEN ($1::pacto_viewer).municipality_id END,"
           "       answered_by_area = CASE WHEN ($1::pacto_viewer).role = 'secretariat'"
           "                               THEN ($1::pacto_viewer).secretariat_area END,"
           "       version = version + 1, updated_at = now()"
           " WHERE id = $2::bigint"
           " RETURNING consultation_comment_json(k, $1::pacto_viewer),"
           "           consultation_comment_snapshot(k)",
};

/* $1 comment. The snapshot of an erasure holds no content: the comment's
 * id and consultation, and that its author is erased. */
static const struct db_stmt STMT_ERASE = {
    .name = "consultation_comment_erase",
    .sql = "WITH k AS (UPDATE consultation_comments SET author_name = NULL, email = NULL,"
           "                  client_hash = NULL, token_sha256 = NULL, token_expires_at = NULL,"
           "                  author_erased_at = now(), version = version + 1, updated_at = now()"
           "            WHERE id = $1::bigint RETURNING id, consultation_id),"
           "     m AS (UPDATE mail_outbox SET recipient = NULL"
           "            WHERE comment_id = (SELECT id FROM k) AND recipient IS NOT NULL)"
           " SELECT jsonb_build_object('id', id, 'consultation_id', consultation_id,"
           "                           'author_erased', false),"
           "        jsonb_build_object('id', id, 'consultation_id', consultation_id,"
           "                           'author_erased', true) FROM k",
};

/* Opens the transaction and locks the comment of the path. Returns the row,
 * or NULL after answering (404, the database's error). */
static const PGresult *lock_comment(struct request *req, const char *viewer)
{
    const char *id = req_param(req, 0);
    const PGresult *cur;
    if (!id_is_canonical(id)) {
        resp_not_found(req);
    } else if (!req_db(req)) {
        /* answered */
    } else if (!db_begin(req->db)) {
        resp_db_error(req);
    } else if ((cur = req_exec(req, &STMT_LOCK, 2, (const char *[]){viewer, id}))) {
        if (PQntuples(cur) > 0)
            return cur;
        resp_not_found(req);
    }
    return NULL;
}

static bool is_true(const PGresult *r, int col) { return strcmp(PQgetvalue(r, 0, col), "t") == 0; }

/* Records the event, answers 200 with the comment (column 0 of r, its new
 * snapshot in column 1) and commits. */
static void changed(struct request *req, const char *action, const PGresult *cur, const PGresult *r)
{
    struct audit_actor actor = audit_actor_of(req);
    if (!audit_record(req->db, &actor, action, "consultation_comment", req_param(req, 0),
                      PQgetvalue(cur, 0, L_SNAPSHOT), PQgetvalue(r, 0, 1))) {
        resp_db_error(req);
        return;
    }
    resp_json(req, 200, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
    req_commit(req);
}

/* A required plain-text field of at most TEXT_MAX characters, the body's
 * only one. False after answering 400/413/415 or 422. */
static bool read_text(struct request *req, const char *name, const char **out)
{
    const char *const allowed[] = {name, NULL};
    const cJSON *body = req_keep_json(req, req_json_object(req, false));
    if (!body)
        return false;
    struct field_errors e = {0};
    fields_only(body, allowed, NULL, &e);
    field_required(field_string(body, name, TEXT_MAX, out, &e), name, &e);
    const char *why = *out ? plain_text_problem(*out) : NULL;
    if (why)
        field_error(&e, name, why);
    if (e.count) {
        resp_validation(req, &e, NULL);
        return false;
    }
    field_errors_free(&e);
    return true;
}

/* The refusal of a moderator of another area. */
static void refuse_moderator(struct request *req, const PGresult *cur)
{
    char why[200];
    const char *area = PQgetvalue(cur, 0, L_AREA);
    if (strcmp(area, "coordination") == 0)
        snprintf(why, sizeof why, "Only the coordination moderates this consultation's comments.");
    else
        snprintf(why, sizeof why,
                 "Only the %s secretariat or the coordination moderates this consultation's "
                 "comments.",
                 area);
    resp_forbidden(req, why);
}

/* Publishes (hide false) or hides the comment of the path. The caller's
 * right comes before the body: another area learns nothing from a 422. */
static void moderate(struct request *req, bool hide)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *to = hide ? "hidden" : "published", *reason = NULL;
    const PGresult *cur, *r;
    char detail[200];
    if (!(cur = lock_comment(req, viewer))) {
        /* answered */
    } else if (!is_true(cur, L_MODERATES)) {
        refuse_moderator(req, cur);
    } else if (hide && !read_text(req, "reason", &reason)) {
        /* answered */
    } else if (strcmp(PQgetvalue(cur, 0, L_STATUS), "unconfirmed") == 0) {
        resp_problem(req, 409, "invalid-transition", "Invalid transition",
                     "The comment awaits its author's confirmation by e-mail; it is moderated "
                     "once confirmed.");
    } else if (strcmp(PQgetvalue(cur, 0, L_STATUS), to) == 0) {
        snprintf(detail, sizeof detail, "The comment is %s already.", to);
        resp_problem(req, 409, "invalid-transition", "Invalid transition", detail);
    } else if ((r = req_exec(req, &STMT_MODERATE, 4,
                             (const char *[]){viewer, req_param(req, 0), to, reason}))) {
        changed(req, hide ? "hide" : "publish", cur, r);
    }
}

void consultation_comments_publish(struct request *req) { moderate(req, false); }

void consultation_comments_hide(struct request *req) { moderate(req, true); }

void consultation_comments_answer(struct request *req)
{
    char viewer[AUTHZ_VIEWER_MAX], why[240];
    authz_viewer(&req->who, viewer);
    const char *text = NULL;
    const PGresult *cur, *r;
    if (!(cur = lock_comment(req, viewer))) {
        /* answered */
    } else if (!is_true(cur, L_ANSWERS)) {
        if (!PQgetisnull(cur, 0, L_MUNICIPALITY))
            snprintf(why, sizeof why,
                     "Only the plan's municipality (%s) answers the comments on its plan.",
                     PQgetvalue(cur, 0, L_MUNICIPALITY));
        else if (strcmp(PQgetvalue(cur, 0, L_AREA), "coordination") == 0)
            snprintf(why, sizeof why,
                     "Only the coordination answers this consultation's comments.");
        else
            snprintf(why, sizeof why,
                     "Only the %s secretariat or the coordination answers this consultation's "
                     "comments.",
                     PQgetvalue(cur, 0, L_AREA));
        resp_forbidden(req, why);
    } else if (!read_text(req, "text", &text)) {
        /* answered */
    } else if (strcmp(PQgetvalue(cur, 0, L_STATUS), "published") != 0) {
        snprintf(why, sizeof why, "The comment is %s: only a published comment is answered.",
                 PQgetvalue(cur, 0, L_STATUS));
        resp_problem(req, 409, "invalid-transition", "Invalid transition", why);
    } else if ((r = req_exec(req, &STMT_ANSWER, 3,
                             (const char *[]){viewer, req_param(req, 0), text}))) {
        changed(req, "answer", cur, r);
    }
}

void consultation_comments_erase(struct request *req)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const PGresult *cur, *r;
    if (!(cur = lock_comment(req, viewer))) {
        /* answered */
    } else if (is_true(cur, L_ERASED)) {
        resp_json(req, 204, "", 0); /* nothing left to erase: no change, no event */
        req_commit(req);
    } else if ((r = req_exec(req, &STMT_ERASE, 1, (const char *[]){req_param(req, 0)}))) {
        struct audit_actor actor = audit_actor_of(req);
        if (!audit_record(req->db, &actor, "erase", "consultation_comment", req_param(req, 0),
                          PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1))) {
            resp_db_error(req);
            return;
        }
        resp_json(req, 204, "", 0);
        req_commit(req);
    }
}
