/*
 * Building responses: JSON bodies, headers, and RFC 9457 problem details.
 * Every error a client can see goes through resp_problem, so all errors have
 * the same shape and a stable type URI.
 */
#ifndef PACTO_HTTP_RESPONSE_H
#define PACTO_HTTP_RESPONSE_H

#include "http/request.h"

#define PROBLEM_BASE "https://pacto.dev/problems/"

/* Sets status and a JSON body (copied). */
void resp_json(struct request *req, int status, const char *json, size_t len);
/* Sets status and a JSON body, taking the contents of b (b is left empty). */
void resp_json_buf(struct request *req, int status, struct buf *b);
/* Sets status and a body of the given content type, taking b's contents. */
void resp_body(struct request *req, int status, const char *content_type, struct buf *b);
/* Adds a response header; the value is printf-formatted. Values must not
 * contain CR or LF (callers pass server-made values only). */
__attribute__((format(printf, 3, 4))) void resp_header(struct request *req, const char *name,
                                                       const char *fmt, ...);

/* Says the answer shows version `version` of a resource. The server makes
 * the ETag from it and the body: "<version>-<digest of the body>", strong and
 * different for every representation (a municipality's view changes with its
 * adhesions, a cycle's with the clock), while If-Match checks the version. */
void resp_etag(struct request *req, const char *version);

/* Makes the answer's ETag header (once): "<version>-<digest>" after
 * resp_etag, "<digest>" for any other whole 200 answer to a GET, none for
 * the rest. The server calls it before sending; a stored answer (an
 * Idempotency-Key's) calls it first, so its replay carries the same tag. */
void resp_seal_etag(struct request *req);

/* Answers application/problem+json with type PROBLEM_BASE slug. detail may
 * be NULL. Replaces any body set before. */
void resp_problem(struct request *req, int status, const char *slug, const char *title,
                  const char *detail);

/* Field-level validation errors, collected then sent as one 422. */
struct field_errors {
    struct buf items; /* JSON objects separated by commas */
    int count;
};
void field_error(struct field_errors *e, const char *field, const char *message);
void field_error_line(struct field_errors *e, long line, const char *field, const char *message);
/* Answers 422 validation-failed with the collected errors and frees them. */
void resp_validation(struct request *req, struct field_errors *e, const char *detail);
void field_errors_free(struct field_errors *e);

/* Common answers. */
void resp_not_found(struct request *req);
void resp_forbidden(struct request *req, const char *detail);
void resp_bad_parameter(struct request *req, const char *detail);
/* Answers for a failed database operation: 503 (with Retry-After) when the
 * database is unreachable, 409 for a unique violation, else 500. */
void resp_db_error(struct request *req);

#endif
