/*
 * Evidence files' storage (see store.h).
 *
 * Memory: an upload is read in pieces straight into one buffer of the
 * declared length (the SHA-256 computed as the pieces arrive), and that
 * buffer is the binary parameter PostgreSQL receives: no hex text, no
 * second copy of ours. A download is fetched in binary and sent from the
 * result in chunks.
 */
#include "evidence/store.h"

#include "db/db.h"
#include "evidence/magic.h"
#include "http/response.h"

#include <civetweb.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_PIECE (64 * 1024)
#define SEND_PIECE (256 * 1024)

/* $1 municipality, $2 sha256: its stored file of that digest. */
static const struct db_stmt STMT_STORE_FIND = {
    .name = "evidence_store_find",
    .sql = "SELECT id FROM evidence_files WHERE municipality_id = $1 AND sha256 = $2",
};

/* $1 municipality, $2 sha256, $3 content type, $4 size, $5 the bytes
 * (binary), $6 the uploader: the new row's id, none when a file of that
 * digest was stored meanwhile. */
static const struct db_stmt STMT_STORE_INSERT = {
    .name = "evidence_store_insert",
    .sql = "INSERT INTO evidence_files (municipality_id, sha256, content_type, size_bytes,"
           "                            content, uploaded_by)"
           " VALUES ($1, $2, $3, $4::bigint, $5::bytea, $6::bigint)"
           " ON CONFLICT (municipality_id, sha256) DO NOTHING RETURNING id",
};

/* $1 file: its bytes (asked for in binary). */
static const struct db_stmt STMT_STORE_CONTENT = {
    .name = "evidence_store_content",
    .sql = "SELECT content FROM evidence_files WHERE id = $1",
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
static bool read_body(struct request *req, struct evidence_upload *up)
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
    req_defer(req, free, up->data);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    EVP_DigestFinal_ex(md, digest, &dlen);
    EVP_MD_CTX_free(md);
    hex(digest, dlen, up->sha256);
    return n == 0;
}

bool evidence_upload_read(struct request *req, struct evidence_upload *up)
{
    *up = (struct evidence_upload){.type = evidence_media_type(req_header(req, "Content-Type"))};
    if (!up->type) {
        resp_problem(req, 415, "unsupported-media-type", "Unsupported media type",
                     "Send the file as application/pdf, image/jpeg or image/png.");
        return false;
    }
    if (!read_body(req, up))
        return false;
    if (up->len == 0) {
        struct field_errors e = {0};
        field_error(&e, "body", "the file is empty");
        resp_validation(req, &e, NULL);
        return false;
    }
    if (!evidence_magic_matches(up->type, up->data, up->len)) {
        char detail[128];
        snprintf(detail, sizeof detail, "The bytes of the file are not %s.", up->type);
        resp_problem(req, 422, "file-type-mismatch", "File type mismatch", detail);
        return false;
    }
    return true;
}

/* The second look, after an insert that found the digest taken, is for an
 * upload of the same file that committed while the insert waited on the
 * conflict, after the first look's snapshot was taken. */
const char *evidence_file_keep(struct request *req, const char *municipality,
                               const struct evidence_upload *up)
{
    const char *find[] = {municipality, up->sha256};
    const PGresult *f = req_exec(req, &STMT_STORE_FIND, 2, find);
    if (!f)
        return NULL;
    if (PQntuples(f) > 0)
        return PQgetvalue(f, 0, 0);
    char size[24];
    snprintf(size, sizeof size, "%zu", up->len);
    const char *params[] = {municipality,           up->sha256,          up->type, size,
                            (const char *)up->data, req->who.user_id_str};
    const int lengths[] = {0, 0, 0, 0, (int)up->len, 0};
    const int formats[] = {0, 0, 0, 0, 1, 0};
    PGresult *r = db_exec_binary(req->db, &STMT_STORE_INSERT, 6, params, lengths, formats, 0);
    if (!r) {
        resp_db_error(req);
        return NULL;
    }
    if (PQntuples(req_keep_result(req, r)) > 0)
        return PQgetvalue(r, 0, 0);
    if (!(f = req_exec(req, &STMT_STORE_FIND, 2, find)))
        return NULL;
    if (PQntuples(f) == 0) {
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
        return NULL;
    }
    return PQgetvalue(f, 0, 0);
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

void evidence_file_send(struct request *req, const char *file, const char *sha256, const char *type,
                        const char *stem)
{
    char tag[70];
    struct buf none = {0};
    snprintf(tag, sizeof tag, "\"%s\"", sha256);
    /* The tag is the content's digest: the same tag is the same bytes, so a
     * match needs no bytes fetched. */
    if (tag_matches(req_header(req, "If-None-Match"), tag)) {
        resp_body(req, 304, type, &none);
        resp_header(req, "ETag", "%s", tag);
        return;
    }
    PGresult *r;
    if (!req_db(req)) /* answered */
        return;
    if (!(r = db_exec_binary(req->db, &STMT_STORE_CONTENT, 1, (const char *[]){file}, NULL, NULL,
                             1))) {
        resp_db_error(req);
        return;
    }
    const PGresult *content = req_keep_result(req, r);
    if (PQntuples(content) == 0) {
        resp_not_found(req);
        return;
    }
    struct download *d = req_defer(req, free, must(calloc(1, sizeof *d)));
    d->content = content;
    resp_body(req, 200, type, &none);
    resp_header(req, "ETag", "%s", tag);
    resp_header(req, "Content-Disposition", "attachment; filename=\"%s.%s\"", stem,
                evidence_extension(type));
    req->stream_ctx = d;
    req->stream_next = send_piece;
}
