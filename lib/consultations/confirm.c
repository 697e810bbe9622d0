/*
 * A comment's e-mail confirmation (see confirmation.h): the token and its
 * message, and POST /v1/comments/{comment_id}/confirm.
 *
 * The answers to a token: the right one, unused and in time, moves the
 * comment from unconfirmed to pending (200) and forgets the e-mail address,
 * which served only this; a token that is not the comment's is 422 naming
 * the field `token`; the comment's own token once used is 410
 * `confirmation-used`, and after CONFIRMATION_HOURS 410
 * `confirmation-expired` (the citizen comments again). Which comments exist
 * is public already (their ids are in the public list), so a 404 tells
 * nothing.
 */
#include "consultations/confirmation.h"

#include "audit/audit.h"
#include "config/config.h"
#include "consultations/consultations.h"
#include "core/base64url.h"
#include "core/buf.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/response.h"
#include "mail/mail.h"
#include "validate/id.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_BYTES 32
#define TOKEN_MAX   64 /* characters a token field may have */

/* $1 comment, $2 token. */
static const struct db_stmt STMT_TOKEN_STORE = {
    .name = "consultation_token_store",
    .sql = "UPDATE consultation_comments"
           "   SET token_sha256 = encode(sha256(convert_to($2, 'UTF8')), 'hex'),"
           "       token_expires_at = now() + interval '" CONFIRMATION_HOURS " hours'"
           " WHERE id = $1::bigint",
};

/* $1 comment, $2 recipient, $3 subject, $4 body. */
static const struct db_stmt STMT_MAIL_QUEUE = {
    .name = "consultation_mail_queue",
    .sql = "INSERT INTO mail_outbox (comment_id, recipient, subject, body)"
           " VALUES ($1::bigint, $2, $3, $4)",
};

/* $1 comment, $2 token: whether it is the comment's token, whether it was
 * used, whether it expired, and the snapshot; the comment locked. */
static const struct db_stmt STMT_CONFIRM_LOCK = {
    .name = "consultation_confirm_lock",
    .sql = "SELECT token_sha256 IS NOT DISTINCT FROM encode(sha256(convert_to($2, 'UTF8')), 'hex')"
           "       AND token_sha256 IS NOT NULL,"
           "       confirmed_at IS NOT NULL, token_expires_at <= now(),"
           "       consultation_comment_snapshot(k)"
           "  FROM consultation_comments k WHERE id = $1::bigint FOR UPDATE",
};
enum { C_MATCHES, C_USED, C_EXPIRED, C_SNAPSHOT };

/* $1 comment. */
static const struct db_stmt STMT_CONFIRM = {
    .name = "consultation_confirm",
    .sql =
        "UPDATE consultation_comments k SET status = 'pending', confirmed_at = now(),"
        "       email = NULL, version = version + 1, updated_at = now()"
        " WHERE id = $1::bigint AND status = 'unconfirmed'"
        " RETURNING (consultation_comment_json(k, NULL)::jsonb"
        "            || jsonb_build_object('author_name', k.author_name, 'next', $2::text))::json,"
        "           consultation_comment_snapshot(k)",
};

static const char SUBJECT[] = "Confirme seu comentário na consulta pública";

static const char NEXT_PENDING[] =
    "The comment is confirmed and awaits moderation by the state; once published it is "
    "public. The name you signed it with is seen by the state only.";

/* Appends template t with {comment_id} and {token} replaced. */
static void fill_link(struct buf *b, const char *t, const char *comment_id, const char *token)
{
    while (*t) {
        if (strncmp(t, "{comment_id}", 12) == 0) {
            buf_puts(b, comment_id);
            t += 12;
        } else if (strncmp(t, "{token}", 7) == 0) {
            buf_puts(b, token);
            t += 7;
        } else {
            buf_putc(b, *t++);
        }
    }
}

/* The confirmation link of the comment (see confirmation.h). */
static void make_link(struct request *req, struct buf *b, const char *comment_id, const char *token)
{
    const struct config *cfg = req->cfg;
    if (cfg->confirm_url[0]) {
        fill_link(b, cfg->confirm_url, comment_id, token);
        return;
    }
    if (cfg->public_url[0])
        buf_puts(b, cfg->public_url);
    else
        buf_printf(b, "http://%s%s", strchr(cfg->listen, ':') ? "" : "127.0.0.1:", cfg->listen);
    buf_printf(b, "/v1/comments/%s/confirm?token=%s", comment_id, token);
}

bool confirmation_queue(struct request *req, const char *comment_id, const char *email,
                        const char *title)
{
    unsigned char raw[TOKEN_BYTES];
    char token[TOKEN_MAX + 1];
    if (RAND_bytes(raw, sizeof raw) != 1)
        abort(); /* no randomness: nothing safe to hand out */
    base64url_encode(raw, sizeof raw, token);
    struct buf link = {0}, body = {0};
    make_link(req, &link, comment_id, token);
    buf_printf(&body,
               "Olá,\n\n"
               "Recebemos um comentário enviado com este endereço de e-mail à consulta pública "
               "\"%s\".\n\n"
               "Para confirmá-lo, abra o link abaixo em até " CONFIRMATION_HOURS " horas:\n\n"
               "%s\n\n"
               "Sem a confirmação, o comentário não será publicado. Se você não o enviou, "
               "ignore esta mensagem.\n",
               title, buf_cstr(&link));
    const char *store[] = {comment_id, token};
    const char *mail[] = {comment_id, email, SUBJECT, buf_cstr(&body)};
    bool ok =
        req_exec(req, &STMT_TOKEN_STORE, 2, store) && req_exec(req, &STMT_MAIL_QUEUE, 4, mail);
    buf_free(&link);
    buf_free(&body);
    return ok;
}

/* The token of the body. False after answering 400/413/415 or 422. */
static bool read_token(struct request *req, const char **token)
{
    static const char *const allowed[] = {"token", NULL};
    const cJSON *body = req_keep_json(req, req_json_object(req, false));
    if (!body)
        return false;
    struct field_errors e = {0};
    fields_only(body, allowed, NULL, &e);
    field_required(field_string(body, "token", TOKEN_MAX, token, &e), "token", &e);
    if (e.count) {
        resp_validation(req, &e, NULL);
        return false;
    }
    field_errors_free(&e);
    return true;
}

void consultation_comments_confirm(struct request *req)
{
    const char *id = req_param(req, 0), *token = NULL;
    const PGresult *cur, *r;
    if (!read_token(req, &token)) {
        /* answered */
    } else if (!id_is_canonical(id)) {
        resp_not_found(req);
    } else if (!req_db(req)) {
        /* answered */
    } else if (!db_begin(req->db)) {
        resp_db_error(req);
    } else if (!(cur = req_exec(req, &STMT_CONFIRM_LOCK, 2, (const char *[]){id, token}))) {
        /* answered */
    } else if (PQntuples(cur) == 0) {
        resp_not_found(req);
    } else if (strcmp(PQgetvalue(cur, 0, C_MATCHES), "t") != 0) {
        struct field_errors e = {0};
        field_error(&e, "token", "is not this comment's confirmation token");
        resp_validation(req, &e, NULL);
    } else if (strcmp(PQgetvalue(cur, 0, C_USED), "t") == 0) {
        resp_problem(req, 410, "confirmation-used", "Confirmation already used",
                     "This link confirmed the comment already; it awaits moderation or was "
                     "moderated.");
    } else if (strcmp(PQgetvalue(cur, 0, C_EXPIRED), "t") == 0) {
        resp_problem(req, 410, "confirmation-expired", "Confirmation expired",
                     "The link was valid for " CONFIRMATION_HOURS
                     " hours and the comment was not confirmed in time; comment again "
                     "while the consultation is open.");
    } else if (!(r = req_exec(req, &STMT_CONFIRM, 2, (const char *[]){id, NEXT_PENDING}))) {
        /* answered */
    } else if (PQntuples(r) == 0) { /* erased meanwhile: no token any more */
        resp_problem(req, 410, "confirmation-used", "Confirmation already used",
                     "The comment no longer awaits confirmation.");
    } else {
        struct audit_actor actor = audit_actor_of(req);
        if (!audit_record(req->db, &actor, "confirm", "consultation_comment", id,
                          PQgetvalue(cur, 0, C_SNAPSHOT), PQgetvalue(r, 0, 1))) {
            resp_db_error(req);
            return;
        }
        resp_json(req, 200, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
        req_commit(req);
    }
}
