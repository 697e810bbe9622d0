/*
 * The life of an assistance request (see assistance.h). Who may call each
 * route is its policy (assign and answer: the state; close: the
 * municipality and the state); who may see the request is its row
 * (assistance_visible: another municipality or another area gets 404). A
 * secretariat user who sees a request manages its area, so the row rule is
 * the whole of "that area's secretariat or the coordination".
 */
#include "assistance/assistance.h"

#include "authz/policy.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/response.h"
#include "validate/id.h"
#include "validate/plain_text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define TEXT_MAX 2000

/* $1 viewer, $2 request, visible to the viewer: locked, with its version,
 * status, area, whether the viewer is its municipality, and its snapshot. */
static const struct db_stmt STMT_LOCK = {
    .name = "assistance_lock",
    .sql = "SELECT r.version, r.status, r.area,"
           "       viewer_is_municipal($1::pacto_viewer, r.municipality_id),"
           "       assistance_snapshot(r)"
           "  FROM assistance_requests r"
           " WHERE r.id = $2 AND assistance_visible(r, $1::pacto_viewer) FOR UPDATE",
};
enum { L_VERSION, L_STATUS, L_AREA, L_OWN, L_SNAPSHOT };

/* $1 technician, $2 area: one row when they are an active secretariat user
 * of that area or of the coordination. */
static const struct db_stmt STMT_TECHNICIAN = {
    .name = "assistance_technician",
    .sql = "SELECT 1 FROM users WHERE id = $1::bigint AND active AND role = 'secretariat'"
           "   AND secretariat_area IN ($2, 'coordination')",
};

/* $1 request, $2 new status, $3 technician (NULL: unchanged), $4 answer
 * (NULL: unchanged). */
static const struct db_stmt STMT_MOVE = {
    .name = "assistance_move",
    .sql = "UPDATE assistance_requests SET status = $2,"
           "       technician_id = coalesce($3::bigint, technician_id),"
           "       answer = coalesce($4, answer),"
           "       answered_at = CASE WHEN $4 IS NULL THEN answered_at ELSE now() END,"
           "       version = version + 1, updated_at = now()"
           " WHERE id = $1::bigint",
};

/* The locked request of the path, in a new transaction: 404 when the caller
 * may not see it, 412 when If-Match names another version, 428 without
 * If-Match. NULL after answering; PQclear it. */
static PGresult *lock_request(struct request *req, const char *viewer)
{
    const char *id = req_param(req, 0);
    if (!id_is_canonical(id)) {
        resp_not_found(req);
        return NULL;
    }
    PGresult *r = req_lock_row(req, &STMT_LOCK, 2, (const char *[]){viewer, id}, L_VERSION);
    if (r && !req_header(req, "If-Match")) {
        resp_problem(req, 428, "precondition-required", "If-Match is required",
                     "Send the request's ETag (from GET) in If-Match, so that no one acts on a "
                     "request that changed meanwhile.");
        PQclear(r);
        return NULL;
    }
    return r;
}

/* The members of a transition's body: `text` (required when text_required,
 * else not taken), `note` (optional), `technician_id` (required when
 * technician). A missing body is an empty one. False after answering. */
struct move_input {
    const char *text, *note;
    char technician_id[24];
};

static bool read_move(struct request *req, bool text_required, bool technician,
                      struct move_input *in)
{
    const char *allowed[4] = {"note", NULL, NULL, NULL};
    if (text_required)
        allowed[1] = "text";
    if (technician)
        allowed[text_required ? 2 : 1] = "technician_id";
    const cJSON *body = req->raw.len ? req_keep_json(req, req_json_object(req, false))
                                     : req_keep_json(req, cJSON_CreateObject());
    if (!body)
        return false;
    struct field_errors e = {0};
    fields_only(body, allowed, NULL, &e);
    const char *why;
    if (field_string(body, "note", TEXT_MAX, &in->note, &e) != FIELD_SET)
        in->note = NULL;
    else if ((why = plain_text_problem(in->note)))
        field_error(&e, "note", why);
    if (text_required) {
        enum field_state st = field_string(body, "text", TEXT_MAX, &in->text, &e);
        field_required(st, "text", &e);
        if (st == FIELD_SET && (why = plain_text_problem(in->text)))
            field_error(&e, "text", why);
    }
    if (technician) {
        double id = 0;
        enum field_state st = field_number(body, "technician_id", 1, 9007199254740991.0, &id, &e);
        field_required(st, "technician_id", &e);
        if (st == FIELD_SET && floor(id) != id)
            field_error(&e, "technician_id", "must be an integer");
        snprintf(in->technician_id, sizeof in->technician_id, "%.0f", id);
    }
    if (e.count > 0) {
        resp_validation(req, &e, NULL);
        return false;
    }
    field_errors_free(&e);
    return true;
}

static void refuse_status(struct request *req, const PGresult *cur, const char *allowed_from)
{
    char detail[200];
    snprintf(detail, sizeof detail, "The request is %s: %s.", PQgetvalue(cur, 0, L_STATUS),
             allowed_from);
    resp_problem(req, 409, "invalid-transition", "Invalid transition", detail);
}

static bool status_is(const PGresult *cur, const char *s)
{
    return strcmp(PQgetvalue(cur, 0, L_STATUS), s) == 0;
}

/* Moves the locked request to `to` and answers it (assistance_changed). */
static void move(struct request *req, const char *viewer, const PGresult *cur, const char *action,
                 const char *to, const char *technician, const char *answer, const char *note)
{
    const char *id = req_param(req, 0);
    if (!req_exec(req, &STMT_MOVE, 4, (const char *[]){id, to, technician, answer}))
        return;
    assistance_changed(req, viewer, id, action, PQgetvalue(cur, 0, L_STATUS), to, note,
                       PQgetvalue(cur, 0, L_SNAPSHOT), 200);
}

void assistance_assign(struct request *req)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    struct move_input in = {0};
    PGresult *cur = lock_request(req, viewer);
    if (!cur)
        return;
    const PGresult *tech;
    if (!read_move(req, false, true, &in)) {
        /* answered */
    } else if (!status_is(cur, "open") && !status_is(cur, "assigned")) {
        refuse_status(req, cur, "only an open or assigned request is assigned");
    } else if (!(tech = req_exec(req, &STMT_TECHNICIAN, 2,
                                 (const char *[]){in.technician_id, PQgetvalue(cur, 0, L_AREA)}))) {
        /* answered */
    } else if (PQntuples(tech) == 0) {
        struct field_errors e = {0};
        char msg[160];
        snprintf(msg, sizeof msg,
                 "must be an active secretariat user of the %s area or of the coordination",
                 PQgetvalue(cur, 0, L_AREA));
        field_error(&e, "technician_id", msg);
        resp_validation(req, &e, NULL);
    } else {
        move(req, viewer, cur, "assign", "assigned", in.technician_id, NULL, in.note);
    }
    PQclear(cur);
}

void assistance_answer(struct request *req)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    struct move_input in = {0};
    PGresult *cur = lock_request(req, viewer);
    if (!cur)
        return;
    if (!read_move(req, true, false, &in)) {
        /* answered */
    } else if (!status_is(cur, "assigned")) {
        refuse_status(req, cur, "a request is answered once assigned, and once");
    } else {
        move(req, viewer, cur, "answer", "answered", NULL, in.text, in.note);
    }
    PQclear(cur);
}

/* An answered request is closed by either side; before an answer only the
 * municipality may give it up (withdrawn): the area may not drop a request
 * it has not answered. */
void assistance_close(struct request *req)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    struct move_input in = {0};
    PGresult *cur = lock_request(req, viewer);
    if (!cur)
        return;
    bool own = PQgetvalue(cur, 0, L_OWN)[0] == 't';
    bool pending = status_is(cur, "open") || status_is(cur, "assigned");
    if (!read_move(req, false, false, &in)) {
        /* answered */
    } else if (status_is(cur, "answered")) {
        move(req, viewer, cur, "close", "closed", NULL, NULL, in.note);
    } else if (pending && own) {
        move(req, viewer, cur, "withdraw", "withdrawn", NULL, NULL, in.note);
    } else if (pending) {
        refuse_status(req, cur,
                      "the area closes a request once it is answered; before that only the "
                      "municipality may withdraw it");
    } else {
        refuse_status(req, cur, "it is over");
    }
    PQclear(cur);
}
