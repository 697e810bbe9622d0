/*
 * Response building and RFC 9457 problem details (see response.h).
 */
#include "http/response.h"

#include "db/db.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void resp_json(struct request *req, int status, const char *json, size_t len)
{
    req->status = status;
    req->content_type = "application/json";
    buf_reset(&req->body);
    buf_append(&req->body, json, len);
}

void resp_body(struct request *req, int status, const char *content_type, struct buf *b)
{
    req->status = status;
    req->content_type = content_type;
    buf_free(&req->body);
    req->body = *b;
    *b = (struct buf){0};
}

void resp_json_buf(struct request *req, int status, struct buf *b)
{
    resp_body(req, status, "application/json", b);
}

void resp_header(struct request *req, const char *name, const char *fmt, ...)
{
    char value[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    value[strcspn(value, "\r\n")] = '\0';
    buf_printf(&req->headers, "%s: %s\r\n", name, value);
}

void resp_etag(struct request *req, const char *version)
{
    snprintf(req->etag_version, sizeof req->etag_version, "%s", version);
}

/* 16 hex digits of the SHA-256 of the body: the representation's part of
 * its ETag. */
/* SHA-256, looked up once: OpenSSL 3 finds the implementation anew for
 * every EVP_sha256() digest, which cost more than the digest itself. */
static EVP_MD *sha256;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void)
{
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!sha256)
        abort();
}

static void body_digest(const struct buf *body, char out[17])
{
    static const char hex[] = "0123456789abcdef";
    pthread_once(&sha256_once, fetch_sha256);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(body->data ? body->data : "", body->len, md, &len, sha256, NULL))
        memset(md, 0, 8);
    for (int i = 0; i < 8; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[16] = '\0';
}

void resp_seal_etag(struct request *req)
{
    /* The API's data: /healthz, /readyz and /metrics are about this moment. */
    bool get = (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) &&
               strncmp(req->path, "/v1/", 4) == 0;
    bool whole = req->status >= 200 && req->status < 300 && req->status != 204 && !req->stream_next;
    if (req->etag[0] || !whole || (!req->etag_version[0] && !(get && req->status == 200)))
        return;
    char digest[17];
    body_digest(&req->body, digest);
    if (req->etag_version[0])
        snprintf(req->etag, sizeof req->etag, "\"%s-%s\"", req->etag_version, digest);
    else
        snprintf(req->etag, sizeof req->etag, "\"%s\"", digest);
    buf_puts(&req->headers, "ETag: ");
    buf_puts(&req->headers, req->etag);
    buf_puts(&req->headers, "\r\n");
}

static void problem_start(struct buf *b, int status, const char *slug, const char *title,
                          const char *detail, const char *request_id)
{
    buf_printf(b, "{\"type\":\"" PROBLEM_BASE "%s\",\"title\":", slug);
    buf_json_string(b, title);
    buf_printf(b, ",\"status\":%d", status);
    if (detail) {
        buf_puts(b, ",\"detail\":");
        buf_json_string(b, detail);
    }
    buf_puts(b, ",\"request_id\":");
    buf_json_string(b, request_id);
}

void resp_problem(struct request *req, int status, const char *slug, const char *title,
                  const char *detail)
{
    struct buf b = {0};
    problem_start(&b, status, slug, title, detail, req_echoed_id(req));
    buf_putc(&b, '}');
    resp_body(req, status, "application/problem+json", &b);
}

static void field_error_json(struct field_errors *e, long line, const char *field,
                             const char *message)
{
    if (e->count++)
        buf_putc(&e->items, ',');
    buf_puts(&e->items, "{\"field\":");
    buf_json_string(&e->items, field);
    buf_puts(&e->items, ",\"message\":");
    buf_json_string(&e->items, message);
    if (line > 0)
        buf_printf(&e->items, ",\"line\":%ld", line);
    buf_putc(&e->items, '}');
}

void field_error(struct field_errors *e, const char *field, const char *message)
{
    field_error_json(e, 0, field, message);
}

void field_error_line(struct field_errors *e, long line, const char *field, const char *message)
{
    field_error_json(e, line, field, message);
}

void field_errors_free(struct field_errors *e)
{
    buf_free(&e->items);
    e->count = 0;
}

void resp_validation(struct request *req, struct field_errors *e, const char *detail)
{
    struct buf b = {0};
    problem_start(&b, 422, "validation-failed", "The request breaks a validation rule",
                  detail ? detail : "See errors for each field.", req_echoed_id(req));
    buf_puts(&b, ",\"errors\":[");
    buf_append(&b, buf_cstr(&e->items), e->items.len);
    buf_puts(&b, "]}");
    field_errors_free(e);
    resp_body(req, 422, "application/problem+json", &b);
}

void resp_not_found(struct request *req)
{
    resp_problem(req, 404, "not-found", "Not found",
                 "No resource at this path, or it is not visible to you.");
}

void resp_forbidden(struct request *req, const char *detail)
{
    resp_problem(req, 403, "forbidden", "Not allowed", detail);
}

void resp_bad_parameter(struct request *req, const char *detail)
{
    resp_problem(req, 400, "invalid-parameter", "Invalid query parameter", detail);
}

void resp_db_error(struct request *req)
{
    enum db_error err = req->db ? db_last_error(req->db) : DB_UNAVAILABLE;
    req->db_conflict = err == DB_SERIALIZATION;
    switch (err) {
    case DB_UNAVAILABLE:
    case DB_SERIALIZATION:
    case DB_TIMEOUT:
        resp_header(req, "Retry-After", "1");
        resp_problem(req, 503, "service-unavailable", "Service temporarily unavailable",
                     "The database is unavailable or busy; retry shortly.");
        break;
    case DB_UNIQUE_VIOLATION:
        resp_problem(req, 409, "conflict", "Conflict with the current state",
                     "A resource with the same identifying data already exists.");
        break;
    case DB_CHECK_VIOLATION:
        resp_problem(req, 422, "validation-failed", "The request breaks a validation rule",
                     "A value is out of range or inconsistent with stored data.");
        break;
    default:
        resp_problem(req, 500, "internal-error", "Internal error",
                     "The request could not be completed; it changed nothing.");
    }
}
