/*
 * Citizens' comments on a consultation (see consultations.h): anyone's POST
 * during the window, and the list.
 *
 * A comment is a public write (http/public_writes.h): its Idempotency-Key
 * is the caller's address's, it counts against the address's hourly limit
 * (429), and the same text from the same address on the same consultation
 * within 24 hours is 409 `duplicate`. Every text is plain (no markup) and
 * bounded. The e-mail address is kept only when the consultation requires
 * confirmation, and only until the comment is confirmed; it is never in any
 * answer. The answer to the citizen is their comment as they sent it and
 * what happens next.
 */
#include "consultations/consultations.h"

#include "audit/audit.h"
#include "consultations/confirmation.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/public_writes.h"
#include "http/response.h"
#include "mail/mail.h"
#include "resource/resource.h"
#include "validate/contact.h"
#include "validate/ibge.h"
#include "validate/id.h"
#include "validate/plain_text.h"

#include <stdio.h>
#include <string.h>

#define AUTHOR_MAX 120
#define TEXT_MAX   2000
#define EMAIL_MAX  254

/* $1 consultation, $2 municipality or NULL: the consultation's window as
 * now sees it, whether it wants confirmation, its title, and whether the
 * municipality is known; the consultation shared-locked, so a patch of its
 * window waits for the comments in flight. */
static const struct db_stmt STMT_CONSULTATION = {
    .name = "consultation_comment_target",
    .sql = "SELECT consultation_status(c, now()), c.requires_confirmation, c.title,"
           "       pacto_ts(c.opens_at), pacto_ts(c.closes_at),"
           "       $2::text IS NULL OR EXISTS (SELECT 1 FROM municipalities m"
           "                                    WHERE m.ibge_code = $2)"
           "  FROM consultations c WHERE c.id = $1::bigint FOR SHARE",
};
enum { T_STATUS, T_CONFIRM, T_TITLE, T_OPENS, T_CLOSES, T_MUNICIPALITY };

/* $1 consultation, $2 address hash, $3 text. */
static const struct db_stmt STMT_DUPLICATE = {
    .name = "consultation_comment_duplicate",
    .sql = "SELECT EXISTS (SELECT 1 FROM consultation_comments"
           "                WHERE consultation_id = $1::bigint AND client_hash = $2"
           "                  AND created_at > now() - interval '24 hours'"
           "                  AND consultation_text_key(text) = consultation_text_key($3))",
};

/* $1 consultation, $2 author, $3 municipality, $4 text, $5 e-mail (kept
 * only for a confirmation), $6 address hash, $7 status, $8 what next. */
static const struct db_stmt STMT_INSERT = {
    .name = "consultation_comment_insert",
    .sql = "WITH k AS (INSERT INTO consultation_comments"
           "             (consultation_id, author_name, municipality_id, text, email,"
           "              client_hash, status)"
           "           VALUES ($1::bigint, $2, $3, $4, $5, $6, $7) RETURNING *)"
           " SELECT k.id, (consultation_comment_json(k::consultation_comments, NULL)::jsonb"
           "               || jsonb_build_object('author_name', k.author_name, 'next', "
           "$8::text))::json,"
           "        consultation_comment_snapshot(k::consultation_comments) FROM k",
};

static const char NEXT_UNCONFIRMED[] =
    "We sent a confirmation link to the e-mail address you gave; open it within 48 hours. "
    "Once confirmed, the comment awaits moderation by the state and is public once "
    "published; the name you signed it with is seen by the state only, and the address by "
    "no one.";
static const char NEXT_PENDING[] =
    "The comment awaits moderation by the state; once published it is public. The name you "
    "signed it with is seen by the state only.";

struct comment_input {
    const char *author, *municipality, *text, *email;
    bool email_given; /* set or invalid: not "missing" */
};

/* A plain-text field (already read): adds the markup error. */
static void plain(struct field_errors *e, const char *name, const char *value)
{
    const char *why = value ? plain_text_problem(value) : NULL;
    if (why)
        field_error(e, name, why);
}

/* Reads and judges the body's fields into in, adding every problem to e.
 * in->municipality is left NULL unless it is a well-formed code. */
static void read_comment(const cJSON *body, struct comment_input *in, struct field_errors *e)
{
    static const char *const allowed[] = {"author_name", "municipality_id", "text", "email", NULL};
    fields_only(body, allowed, NULL, e);
    field_required(field_string(body, "author_name", AUTHOR_MAX, &in->author, e), "author_name", e);
    field_required(field_string(body, "text", TEXT_MAX, &in->text, e), "text", e);
    if (field_string(body, "municipality_id", 7, &in->municipality, e) != FIELD_SET) {
        in->municipality = NULL;
    } else if (!ibge_code_is_valid(in->municipality)) {
        field_error(e, "municipality_id", "must be a municipality's 7-digit IBGE code");
        in->municipality = NULL;
    }
    const char *why;
    enum field_state st = field_string(body, "email", EMAIL_MAX, &in->email, e);
    in->email_given = st == FIELD_SET || st == FIELD_INVALID;
    if (st != FIELD_SET)
        in->email = NULL;
    else if ((why = contact_email_problem(in->email)))
        field_error(e, "email", why);
    plain(e, "author_name", in->author);
    plain(e, "text", in->text);
}

/* The window's refusal: when it opens or when it closed. */
static void refuse_window(struct request *req, const PGresult *t)
{
    char detail[200];
    if (strcmp(PQgetvalue(t, 0, T_STATUS), "scheduled") == 0)
        snprintf(detail, sizeof detail, "The consultation opens at %s; comment from then until %s.",
                 PQgetvalue(t, 0, T_OPENS), PQgetvalue(t, 0, T_CLOSES));
    else
        snprintf(detail, sizeof detail, "The consultation closed at %s.",
                 PQgetvalue(t, 0, T_CLOSES));
    resp_problem(req, 422, "consultation-closed", "The consultation is not open", detail);
}

/* In the open transaction, a valid comment on an open consultation t: the
 * limit (429), the duplicate check (409), then the comment, its
 * confirmation when the consultation wants one, its audit event, the 201. */
static void write_comment(struct request *req, const char *consultation,
                          const struct comment_input *in, const PGresult *t, bool confirm)
{
    const char *hash;
    const PGresult *dup, *r;
    if (!public_write_admit(req, "comment") || !(hash = req_client_hash(req)) ||
        !(dup = req_exec(req, &STMT_DUPLICATE, 3, (const char *[]){consultation, hash, in->text})))
        return;
    if (strcmp(PQgetvalue(dup, 0, 0), "t") == 0) {
        resp_problem(req, 409, "duplicate", "Duplicate comment",
                     "The same text was sent to this consultation from this address in the "
                     "last 24 hours.");
        return;
    }
    const char *params[] = {consultation,
                            in->author,
                            in->municipality,
                            in->text,
                            confirm ? in->email : NULL,
                            hash,
                            confirm ? "unconfirmed" : "pending",
                            confirm ? NEXT_UNCONFIRMED : NEXT_PENDING};
    if (!(r = req_exec(req, &STMT_INSERT, 8, params)))
        return;
    const char *id = PQgetvalue(r, 0, 0);
    if (confirm && !confirmation_queue(req, id, in->email, PQgetvalue(t, 0, T_TITLE)))
        return;
    struct audit_actor actor = audit_actor_of(req);
    if (!audit_record(req->db, &actor, "create", "consultation_comment", id, NULL,
                      PQgetvalue(r, 0, 2))) {
        resp_db_error(req);
        return;
    }
    resp_json(req, 201, PQgetvalue(r, 0, 1), (size_t)PQgetlength(r, 0, 1));
    if (req_commit(req) && confirm)
        mail_sender_wake();
}

/* The order of the answers: 404 for no such consultation, 422 for the body
 * (all its problems at once), 422 outside the window, 429 over the limit,
 * 409 for a duplicate. Only a write that is kept counts against the limit. */
void consultation_comments_create(struct request *req)
{
    const char *consultation = req_param(req, 0);
    const cJSON *body;
    struct comment_input in = {0};
    struct field_errors e = {0};
    const PGresult *t;
    if (!(body = req_keep_json(req, req_json_object(req, false))))
        return;
    read_comment(body, &in, &e);
    if (!id_is_canonical(consultation)) {
        resp_not_found(req);
    } else if (!req_db(req)) {
        /* answered */
    } else if (!db_begin(req->db)) {
        resp_db_error(req);
    } else if (!(t = req_exec(req, &STMT_CONSULTATION, 2,
                              (const char *[]){consultation, in.municipality}))) {
        /* answered */
    } else if (PQntuples(t) == 0) {
        resp_not_found(req);
    } else {
        bool confirm = strcmp(PQgetvalue(t, 0, T_CONFIRM), "t") == 0;
        if (confirm && !in.email_given)
            field_error(&e, "email", "is required: this consultation confirms comments by e-mail");
        if (strcmp(PQgetvalue(t, 0, T_MUNICIPALITY), "t") != 0)
            field_error(&e, "municipality_id", "is not a known municipality");
        if (e.count) {
            resp_validation(req, &e, NULL); /* frees e */
            return;
        }
        if (strcmp(PQgetvalue(t, 0, T_STATUS), "open") != 0)
            refuse_window(req, t);
        else
            write_comment(req, consultation, &in, t, confirm);
    }
    field_errors_free(&e);
}

static const char *const comment_statuses[] = {"unconfirmed", "pending", "published", "hidden",
                                               NULL};

/* In CSV column order; the list is read-only (written by the handlers
 * above and in moderation.c). A hidden comment's row has only its id,
 * status, reason and date for the public. */
static const struct res_field comment_fields[] = {
    RES_FIELD("id", RES_ID, RF_CSV),
    RES_FIELD("consultation_id", RES_ID, RF_CSV),
    RES_FIELD("status", RES_ENUM, RF_CSV, .values = comment_statuses),
    RES_FIELD("municipality_id", RES_IBGE, RF_CSV),
    RES_FIELD("text", RES_TEXT, RF_CSV, .max = TEXT_MAX),
    RES_FIELD("hidden_reason", RES_TEXT, RF_CSV, .max = TEXT_MAX),
    RES_FIELD("created_at", RES_TIMESTAMP, RF_CSV),
    RES_FIELD("answer", RES_TEXT, RF_CSV, .max = TEXT_MAX),
    RES_FIELD("answered_at", RES_TIMESTAMP, RF_CSV),
    RES_FIELD("answered_by_municipality_id", RES_IBGE, RF_CSV),
    RES_FIELD("answered_by_area", RES_TEXT, RF_CSV, .max = 32),
    RES_END,
};

static const struct res_filter comment_filters[] = {
    {.name = "status", .type = RES_ENUM, .values = comment_statuses},
    {.name = "answered", .type = RES_BOOL},
    {.name = NULL},
};

static struct resource consultation_comment = {
    .entity = "consultation_comment",
    .table = "consultation_comments",
    .key = "id",
    .key_type = RES_ID,
    .parent = "consultation_id",
    .parent_exists = "SELECT 1 FROM consultations WHERE id = $1::bigint",
    .parent_type = RES_ID,
    .view = "consultation_comment_json",
    .rows = "consultation_comment_rows",
    .list_name = "consultation_comments",
    .fields = comment_fields,
    .filters = comment_filters,
};

void consultation_comments_list(struct request *req) { resource_list(req, &consultation_comment); }
