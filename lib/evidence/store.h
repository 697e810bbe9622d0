/*
 * The file storage under evidence, for every file a municipality shows the
 * state (a delivery's evidence, a good practice's attachments): a file is
 * the raw body of an upload, checked for its declared type's magic bytes,
 * stored in PostgreSQL once per municipality and SHA-256 (evidence_files,
 * sql/024), and served back as an attachment whose ETag is its digest.
 * What a file is attached to, and who may attach or read it, is the
 * caller's.
 */
#ifndef PACTO_EVIDENCE_STORE_H
#define PACTO_EVIDENCE_STORE_H

#include "http/request.h"

#include <stdbool.h>
#include <stddef.h>

/* A file read from a request's body. */
struct evidence_upload {
    const char *type;    /* the accepted media type it was sent as (a constant) */
    unsigned char *data; /* released with the request */
    size_t len;
    char sha256[65]; /* lowercase hex */
};

/* Reads the request's raw body (a ROUTE_STREAM route) as a file, hashing it
 * on the way, before the database is asked anything (a slow upload holds no
 * connection). Returns false after answering: 415 for a Content-Type that is
 * not PDF, JPEG or PNG, 413/400 as req_stream_read does, 422 for an empty
 * body (field "body") and 422 file-type-mismatch when the bytes are not the
 * declared type. */
bool evidence_upload_read(struct request *req, struct evidence_upload *up);

/* In the request's open transaction: the id (text, kept by the request) of
 * municipality's stored file with up's digest, stored now, uploaded by the
 * caller, when there is none. Asks for it first, so that a file stored
 * already is not sent to PostgreSQL again. NULL after answering the
 * database's error. */
const char *evidence_file_keep(struct request *req, const char *municipality,
                               const struct evidence_upload *up);

/* Answers with stored file `file` (its digest and type known to the
 * caller, who checked the viewer may read it): 304 when If-None-Match names
 * the digest (no bytes fetched), else 200 with the bytes streamed in pieces,
 * the ETag, and Content-Disposition: attachment; filename="<stem>.<ext>". */
void evidence_file_send(struct request *req, const char *file, const char *sha256, const char *type,
                        const char *stem);

#endif
