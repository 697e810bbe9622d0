/*
 * Asking a public question (see questions.h): the first write anyone may make
 * without a token. What it takes is bounded (plain text, at most 2,000
 * characters; a one-line name), its subject must be public, an address may
 * ask PACTO_PUBLIC_WRITES_PER_HOUR questions an hour, and the same question
 * from the same address about the same subject within 24 hours is a
 * duplicate.
 */
#include "questions/questions.h"

#include "audit/audit.h"
#include "authz/policy.h"
#include "config/config.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/public_writes.h"
#include "http/response.h"
#include "validate/contact.h"
#include "validate/plain_text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define TEXT_MAX       2000
#define ASKER_NAME_MAX 120
#define EMAIL_MAX      254

static const char *const subject_types[] = {"cycle", "challenge", "plan", "pact", NULL};

/* $1 subject type, $2 subject id: its cycle, challenge and municipality,
 * when it exists and is public. */
static const struct db_stmt STMT_SUBJECT = {
    .name = "questions_subject",
    .sql = "SELECT cycle_id, challenge_id, municipality_id FROM question_subject($1, $2::bigint)",
};

/* $1 address hash, $2 subject type, $3 subject id, $4 text: the same
 * question (normalized as questions.normalized is) in the last 24 hours. */
static const struct db_stmt STMT_DUPLICATE = {
    .name = "questions_duplicate",
    .sql = "SELECT 1 FROM questions WHERE client_hash = $1 AND subject_type = $2"
           "   AND subject_id = $3::bigint AND asked_at > now() - interval '24 hours'"
           "   AND normalized = lower(regexp_replace(btrim($4), '\\s+', ' ', 'g')) LIMIT 1",
};

/* $1..$9 the columns, $10 the days to answer, $11 the viewer. */
static const struct db_stmt STMT_INSERT = {
    .name = "questions_insert",
    .sql = "INSERT INTO questions AS q (subject_type, subject_id, cycle_id, challenge_id,"
           "                          municipality_id, text, asker_name, email, client_hash,"
           "                          due_at)"
           " VALUES ($1, $2::bigint, $3::bigint, $4::bigint, $5, $6, $7, $8, $9,"
           "         now() + make_interval(days => $10::integer))"
           " RETURNING q.id, q.version, question_json(q, $11::pacto_viewer), question_snapshot(q)",
};

struct question_input {
    const char *subject_type, *text, *asker_name, *email;
    char subject_id[24];
};

/* A text that must also be plain (no markup). */
static void plain_field(const cJSON *body, const char *name, size_t max, bool required,
                        const char **out, struct field_errors *e)
{
    enum field_state st = field_string(body, name, max, out, e);
    if (required)
        field_required(st, name, e);
    const char *why;
    if (st == FIELD_SET && (why = plain_text_problem(*out)))
        field_error(e, name, why);
    if (st != FIELD_SET)
        *out = NULL;
}

/* The body of a question, every problem at once. False after answering 422. */
static bool read_question(struct request *req, const cJSON *body, struct question_input *in)
{
    static const char *const allowed[] = {"subject_type", "subject_id", "text",
                                          "asker_name",   "email",      NULL};
    struct field_errors e = {0};
    fields_only(body, allowed, NULL, &e);
    enum field_state st = field_string(body, "subject_type", 16, &in->subject_type, &e);
    field_required(st, "subject_type", &e);
    bool known = false;
    for (const char *const *t = subject_types; st == FIELD_SET && *t; t++)
        known |= strcmp(*t, in->subject_type) == 0;
    if (st == FIELD_SET && !known)
        field_error(&e, "subject_type", "must be cycle, challenge, plan or pact");
    double id = 0;
    st = field_number(body, "subject_id", 1, 9007199254740991.0, &id, &e);
    field_required(st, "subject_id", &e);
    if (st == FIELD_SET && floor(id) != id)
        field_error(&e, "subject_id", "must be an integer");
    snprintf(in->subject_id, sizeof in->subject_id, "%.0f", id);
    plain_field(body, "text", TEXT_MAX, true, &in->text, &e);
    plain_field(body, "asker_name", ASKER_NAME_MAX, true, &in->asker_name, &e);
    st = field_string(body, "email", EMAIL_MAX, &in->email, &e);
    const char *why;
    if (st == FIELD_SET && (why = contact_email_problem(in->email)))
        field_error(&e, "email", why);
    if (st != FIELD_SET)
        in->email = NULL;
    if (e.count > 0) {
        resp_validation(req, &e, NULL);
        return false;
    }
    field_errors_free(&e);
    return true;
}

/* Inside the transaction: the subject's row, or NULL after answering (422
 * naming subject_id when there is no public one). */
static const PGresult *find_subject(struct request *req, const struct question_input *in)
{
    const PGresult *r =
        req_exec(req, &STMT_SUBJECT, 2, (const char *[]){in->subject_type, in->subject_id});
    if (r && PQntuples(r) == 0) {
        struct field_errors e = {0};
        char msg[96];
        snprintf(msg, sizeof msg, "no public %s with this id", in->subject_type);
        field_error(&e, "subject_id", msg);
        resp_validation(req, &e, NULL);
        return NULL;
    }
    return r;
}

/* True when the address asked the same about the same subject in the last
 * 24 hours (answered 409 duplicate), or on a database error (answered). */
static bool is_duplicate(struct request *req, const char *hash, const struct question_input *in)
{
    const PGresult *r =
        req_exec(req, &STMT_DUPLICATE, 4,
                 (const char *[]){hash, in->subject_type, in->subject_id, in->text});
    if (!r)
        return true;
    if (PQntuples(r) == 0)
        return false;
    resp_problem(req, 409, "duplicate", "Duplicate question",
                 "The same question about the same subject was sent from this address in the "
                 "last 24 hours.");
    return true;
}

static const char *or_null(const PGresult *r, int col)
{
    return PQgetisnull(r, 0, col) ? NULL : PQgetvalue(r, 0, col);
}

/* Refusals in order: the body (422), the subject (422), the hourly limit
 * (429: a refused question does not use it up, as its count is rolled back
 * with it), a duplicate (409). The limit's lock makes one address's
 * questions wait for each other, so two copies at once are one duplicate. */
void questions_ask(struct request *req)
{
    struct question_input in = {0};
    char viewer[AUTHZ_VIEWER_MAX], days[16];
    authz_viewer(&req->who, viewer);
    snprintf(days, sizeof days, "%d", req->cfg->question_answer_days);
    const cJSON *body;
    const PGresult *subject, *r;
    const char *hash;
    if (!(body = req_keep_json(req, req_json_object(req, false))) ||
        !read_question(req, body, &in) || !req_db(req))
        return;
    if (!db_begin(req->db)) {
        resp_db_error(req);
        return;
    }
    if (!(subject = find_subject(req, &in)) || !(hash = req_client_hash(req)) ||
        !public_write_admit(req, "question") || is_duplicate(req, hash, &in))
        return;
    const char *params[] = {in.subject_type,
                            in.subject_id,
                            PQgetvalue(subject, 0, 0),
                            or_null(subject, 1),
                            or_null(subject, 2),
                            in.text,
                            in.asker_name,
                            in.email,
                            hash,
                            days,
                            viewer};
    if (!(r = req_exec(req, &STMT_INSERT, 11, params)))
        return;
    const char *id = PQgetvalue(r, 0, 0);
    struct audit_actor actor = audit_actor_of(req);
    if (!audit_record(req->db, &actor, "create", "question", id, NULL, PQgetvalue(r, 0, 3))) {
        resp_db_error(req);
        return;
    }
    resp_json(req, 201, PQgetvalue(r, 0, 2), (size_t)PQgetlength(r, 0, 2));
    resp_header(req, "Location", "/v1/questions/%s", id);
    resp_etag(req, PQgetvalue(r, 0, 1));
    req_commit(req);
}
