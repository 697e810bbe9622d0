/*
 * An evidence's files (see evidence.h): uploaded as the raw request body,
 * stored in PostgreSQL once per municipality and SHA-256, served back as an
 * attachment to the municipality and the state.
 *
 * Memory: an upload is read in pieces straight into one buffer of the
 * declared length (the SHA-256 computed as the pieces arrive), and that
 * buffer is the binary parameter PostgreSQL receives: no hex text, no
 * second copy of ours. A download is fetched in binary and sent from the
 * result in chunks.
 *
 * The body is read before the database is asked anything, so a slow upload
 * holds no connection (as the server does for every other body); a file for
 * evidence the caller may not change is read and dropped.
 *
 * The same file attached twice to one evidence is 409 conflict; attached to
 * another evidence of the municipality it reuses the stored row, found by
 * its digest before the bytes would be sent to PostgreSQL again.
 */
#include "evidence/evidence.h"

#include "audit/audit.h"
#include "authz/policy.h"
#include "db/db.h"
#include "evidence/magic.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/response.h"
#include "validate/id.h"

#include <civetweb.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_PIECE (64 * 1024)
#define SEND_PIECE (256 * 1024)

/* $1 viewer, $2 evidence: its status, locked, when it is the viewer's
 * municipality's. */
static const struct db_stmt STMT_FILE_EVIDENCE_LOCK = {
    .name = "evidence_file_evidence_lock",
    .sql = "SELECT e.status, evidence_snapshot(e) FROM evidence e"
           "  JOIN action_plans p ON p.id = e.plan_id"
           " WHERE e.id = $2 AND viewer_is_municipal($1::pacto_viewer, p.municipality_id)"
           "   FOR UPDATE OF e",
};

/* $1 viewer, $2 evidence, $3 sha256, $4 content type, $5 size, $6 the bytes
 * (binary): the municipality's file of that digest, stored now or before. */
static const struct db_stmt STMT_FILE_STORE = {
    .name = "evidence_file_store",
    .sql = "WITH m AS (SELECT p.municipality_id FROM evidence e"
           "             JOIN action_plans p ON p.id = e.plan_id WHERE e.id = $2),"
           "     ins AS (INSERT INTO evidence_files (municipality_id, sha256, content_type,"
           "                                         size_bytes, content, uploaded_by)"
           "             SELECT m.municipality_id, $3, $4, $5::bigint, $6::bytea,"
           "                    ($1::pacto_viewer).user_id FROM m"
           "             ON CONFLICT (municipality_id, sha256) DO NOTHING RETURNING id)"
           " SELECT id FROM ins UNION ALL"
           " SELECT f.id FROM evidence_files f, m"
           "  WHERE f.municipality_id = m.municipality_id AND f.sha256 = $3"
           "  LIMIT 1",
};

/* $1 evidence, $2 sha256: the municipality's stored file of that digest,
 * asked first so that a file stored already is not sent again. */
static const struct db_stmt STMT_FILE_FIND = {
    .name = "evidence_file_find",
    .sql = "SELECT f.id FROM evidence e JOIN action_plans p ON p.id = e.plan_id"
           "  JOIN evidence_files f ON f.municipality_id = p.municipality_id"
           " WHERE e.id = $1 AND f.sha256 = $2",
};

/* $1 evidence, $2 file: attached last; no row when it was attached already. */
static const struct db_stmt STMT_FILE_ATTACH = {
    .name = "evidence_file_attach",
    .sql = "WITH a AS (INSERT INTO evidence_attachments (evidence_id, file_id, position)"
           "           SELECT $1, $2, coalesce(max(position) + 1, 0) FROM evidence_attachments"
           "            WHERE evidence_id = $1"
           "           ON CONFLICT DO NOTHING RETURNING file_id),"
           "     e AS (UPDATE evidence SET version = version + 1, updated_at = now()"
           "            WHERE id = $1 AND EXISTS (SELECT FROM a) RETURNING id)"
           " SELECT evidence_file_json(f) FROM evidence_files f, a WHERE f.id = a.file_id",
};

/* $1 evidence: its snapshot after the attachment. */
static const struct db_stmt STMT_FILE_SNAPSHOT = {
    .name = "evidence_file_snapshot",
    .sql = "SELECT evidence_snapshot(e) FROM evidence e WHERE e.id = $1",
};

/* $1 viewer, $2 evidence, $3 file: the file's digest and type, when it is
 * attached to evidence the viewer may see. */
static const struct db_stmt STMT_FILE_META = {
    .name = "evidence_file_meta",
    .sql = "SELECT f.sha256, f.content_type FROM evidence e"
           "  JOIN evidence_attachments a ON a.evidence_id = e.id"
           "  JOIN evidence_files f ON f.id = a.file_id"
           " WHERE e.id = $2 AND f.id = $3 AND evidence_visible(e, $1::pacto_viewer)",
};

/* $1 file: its bytes (asked for in binary). */
static const struct db_stmt STMT_FILE_CONTENT = {
    .name = "evidence_file_content",
    .sql = "SELECT content FROM evidence_files WHERE id = $1",
};

/* A file read from the body. */
struct upload {
    unsigned char *data; /* the caller frees it */
    size_t len;
    char sha256[65];
};

static void hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static void *must(void *p)
{
    if (!p)
        abort(); /* as struct buf does: no answer is sane without memory */
    return p;
}

/* Reads the whole body into up->data, hashing it on the way. The buffer is
 * the declared length when there is one (the server refused a longer
 * declaration), else grows by doubling; req_stream_read stops it at the
 * route's limit. False after answering 413/400. */
static bool read_file(struct request *req, struct upload *up)
{
    long long declared = mg_get_request_info(req->conn)->content_length;
    size_t cap = declared > 0 ? (size_t)declared : READ_PIECE;
    up->data = must(malloc(cap));
    EVP_MD_CTX *md = must(EVP_MD_CTX_new());
    if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL))
        abort();
    long n;
    for (;;) {
        if (up->len == cap) {
            cap *= 2;
            up->data = must(realloc(up->data, cap));
        }
        size_t room = cap - up->len;
        n = req_stream_read(req, (char *)up->data + up->len, room < READ_PIECE ? room : READ_PIECE);
        if (n <= 0)
            break;
        EVP_DigestUpdate(md, up->data + up->len, (size_t)n);
        up->len += (size_t)n;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    EVP_DigestFinal_ex(md, digest, &dlen);
    EVP_MD_CTX_free(md);
    hex(digest, dlen, up->sha256);
    return n == 0;
}

static void unsupported(struct request *req)
{
    resp_problem(req, 415, "unsupported-media-type", "Unsupported media type",
                 "Send the file as application/pdf, image/jpeg or image/png.");
}

static void empty_file(struct request *req)
{
    struct field_errors e = {0};
    field_error(&e, "body", "the file is empty");
    resp_validation(req, &e, NULL);
}

/* The municipality's stored file of up's digest (one row: its id), stored
 * now when there is none. The second look is for an upload of the same
 * file that committed while STORE waited on the conflict, after STORE's
 * snapshot was taken. NULL after answering. */
static const PGresult *stored_file(struct request *req, const char *const *params,
                                   const struct upload *up)
{
    const int lengths[] = {0, 0, 0, 0, 0, (int)up->len};
    const int formats[] = {0, 0, 0, 0, 0, 1};
    const char *find[] = {params[1], up->sha256};
    const PGresult *f = req_exec(req, &STMT_FILE_FIND, 2, find);
    if (!f || PQntuples(f) > 0)
        return f;
    PGresult *r = db_exec_binary(req->db, &STMT_FILE_STORE, 6, params, lengths, formats, 0);
    if (!r) {
        resp_db_error(req);
        return NULL;
    }
    if (PQntuples(req_keep_result(req, r)) > 0)
        return r;
    if (!(f = req_exec(req, &STMT_FILE_FIND, 2, find)))
        return NULL;
    if (PQntuples(f) == 0) {
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
        return NULL;
    }
    return f;
}

/* Stores the file, attaches it and writes the audit event, in the
 * transaction begun here. Answers. */
static void store(struct request *req, const char *evidence, const char *type,
                  const struct upload *up)
{
    char viewer[AUTHZ_VIEWER_MAX], size[24];
    authz_viewer(&req->who, viewer);
    snprintf(size, sizeof size, "%zu", up->len);
    const char *params[] = {viewer, evidence, up->sha256, type, size, (const char *)up->data};
    const PGresult *cur, *stored, *att, *after;
    if (!req_db(req)) {
        /* answered */
    } else if (!db_begin(req->db)) {
        resp_db_error(req);
    } else if (!(cur = req_exec(req, &STMT_FILE_EVIDENCE_LOCK, 2, params))) {
        /* answered */
    } else if (PQntuples(cur) == 0) {
        resp_not_found(req);
    } else if (strcmp(PQgetvalue(cur, 0, 0), "submitted") != 0) {
        char detail[160];
        snprintf(detail, sizeof detail,
                 "The evidence is %s: files are attached to evidence awaiting review only.",
                 PQgetvalue(cur, 0, 0));
        resp_problem(req, 409, "invalid-transition", "Invalid transition", detail);
    } else if (!(stored = stored_file(req, params, up))) {
        /* answered */
    } else if (!(att = req_exec(req, &STMT_FILE_ATTACH, 2,
                                (const char *[]){evidence, PQgetvalue(stored, 0, 0)}))) {
        /* answered */
    } else if (PQntuples(att) == 0) {
        resp_problem(req, 409, "conflict", "Already attached",
                     "This file is attached to this evidence already.");
    } else if (!(after = req_exec(req, &STMT_FILE_SNAPSHOT, 1, (const char *[]){evidence}))) {
        /* answered */
    } else {
        struct audit_actor actor = audit_actor_of(req);
        if (!audit_record(req->db, &actor, "attach", "evidence", evidence, PQgetvalue(cur, 0, 1),
                          PQgetvalue(after, 0, 0))) {
            resp_db_error(req);
            return;
        }
        resp_json(req, 201, PQgetvalue(att, 0, 0), (size_t)PQgetlength(att, 0, 0));
        resp_header(req, "Location", "/v1/evidence/%s/files/%s", evidence,
                    PQgetvalue(stored, 0, 0));
        req_commit(req);
    }
}

void evidence_files_upload(struct request *req)
{
    const char *evidence = req_param(req, 0);
    const char *type = evidence_media_type(req_header(req, "Content-Type"));
    struct upload up = {0};
    if (!type) {
        unsupported(req);
    } else if (!id_is_canonical(evidence)) {
        resp_not_found(req);
    } else if (!read_file(req, &up)) {
        /* answered */
    } else if (up.len == 0) {
        empty_file(req);
    } else if (!evidence_magic_matches(type, up.data, up.len)) {
        char detail[128];
        snprintf(detail, sizeof detail, "The bytes of the file are not %s.", type);
        resp_problem(req, 422, "file-type-mismatch", "File type mismatch", detail);
    } else {
        store(req, evidence, type, &up);
    }
    free(up.data);
}

/* What a download sends after the headers: the result's bytes, a piece at
 * a time. */
struct download {
    const PGresult *content;
    size_t sent;
};

static int send_piece(struct request *req, struct buf *chunk)
{
    struct download *d = req->stream_ctx;
    size_t total = (size_t)PQgetlength(d->content, 0, 0);
    size_t n = total - d->sent < SEND_PIECE ? total - d->sent : SEND_PIECE;
    buf_append(chunk, PQgetvalue(d->content, 0, 0) + d->sent, n);
    d->sent += n;
    return d->sent < total ? 1 : 0;
}

/* True when If-None-Match names the tag (any of a list, weak or not). */
static bool tag_matches(const char *if_none_match, const char *tag)
{
    return if_none_match && (strstr(if_none_match, tag) || strcmp(if_none_match, "*") == 0);
}

void evidence_files_download(struct request *req)
{
    const char *evidence = req_param(req, 0), *file = req_param(req, 1);
    char viewer[AUTHZ_VIEWER_MAX], tag[70];
    authz_viewer(&req->who, viewer);
    const PGresult *meta, *content;
    PGresult *r;
    struct buf none = {0};
    if (!id_is_canonical(evidence) || !id_is_canonical(file)) {
        resp_not_found(req);
        return;
    }
    if (!(meta = req_exec(req, &STMT_FILE_META, 3, (const char *[]){viewer, evidence, file})))
        return;
    if (PQntuples(meta) == 0) {
        resp_not_found(req);
        return;
    }
    const char *type = PQgetvalue(meta, 0, 1);
    snprintf(tag, sizeof tag, "\"%s\"", PQgetvalue(meta, 0, 0));
    /* The tag is the content's digest: the same tag is the same bytes, so a
     * match needs no bytes fetched. */
    if (tag_matches(req_header(req, "If-None-Match"), tag)) {
        resp_body(req, 304, type, &none);
        resp_header(req, "ETag", "%s", tag);
        return;
    }
    if (!(r = db_exec_binary(req->db, &STMT_FILE_CONTENT, 1, (const char *[]){file}, NULL, NULL,
                             1))) {
        resp_db_error(req);
        return;
    }
    content = req_keep_result(req, r);
    if (PQntuples(content) == 0) {
        resp_not_found(req);
        return;
    }
    struct download *d = req_defer(req, free, must(calloc(1, sizeof *d)));
    d->content = content;
    resp_body(req, 200, type, &none);
    resp_header(req, "ETag", "%s", tag);
    resp_header(req, "Content-Disposition", "attachment; filename=\"evidence-%s-%s.%s\"", evidence,
                file, evidence_extension(type));
    req->stream_ctx = d;
    req->stream_next = send_piece;
}
