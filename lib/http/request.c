/*
 * Request accessors and body reading with the limits of API.md (see request.h).
 */
#include "http/request.h"

#include "db/db.h"
#include "http/response.h"
#include "json/json_strict.h"

#include <civetweb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DB_ACQUIRE_WAIT_MS 2000

const char *req_header(const struct request *req, const char *name)
{
    return mg_get_header(req->conn, name);
}

const char *req_param(const struct request *req, int i)
{
    return i < req->match.nparams ? req->match.params[i] : "";
}

bool req_is_authenticated(const struct request *req) { return req->who.role[0] != '\0'; }

struct db_conn *req_db(struct request *req)
{
    if (!req->db)
        req->db = db_acquire(DB_ACQUIRE_WAIT_MS);
    if (!req->db)
        resp_db_error(req);
    return req->db;
}

/* Compares the media type of a Content-Type header, ignoring parameters. */
static bool media_type_is(const char *header, const char *type)
{
    if (!header)
        return false;
    size_t n = strcspn(header, "; \t");
    return n == strlen(type) && strncasecmp(header, type, n) == 0;
}

bool req_body(struct request *req, const char *content_type, size_t limit, struct buf *out)
{
    const char *ct = req_header(req, "Content-Type");
    if (!media_type_is(ct, content_type)) {
        char detail[128];
        snprintf(detail, sizeof detail, "Send the body as %s.", content_type);
        resp_problem(req, 415, "unsupported-media-type", "Unsupported media type", detail);
        return false;
    }
    const struct mg_request_info *ri = mg_get_request_info(req->conn);
    bool ok = ri->content_length <= (long long)limit;
    char chunk[16384];
    int n;
    while (ok && (n = mg_read(req->conn, chunk, sizeof chunk)) > 0) {
        ok = out->len + (size_t)n <= limit;
        if (ok)
            buf_append(out, chunk, (size_t)n);
    }
    if (!ok) {
        char detail[96];
        snprintf(detail, sizeof detail, "The body is larger than %zu bytes.", limit);
        req->close_connection = true; /* the unread rest of the body */
        resp_problem(req, 413, "payload-too-large", "Payload too large", detail);
    }
    return ok;
}

cJSON *req_json_object(struct request *req, bool merge_patch)
{
    const char *ct = req_header(req, "Content-Type");
    const char *type = merge_patch && media_type_is(ct, "application/merge-patch+json")
                           ? "application/merge-patch+json"
                           : "application/json";
    struct buf body = {0};
    if (!req_body(req, type, JSON_BODY_LIMIT, &body)) {
        buf_free(&body);
        return NULL;
    }
    const char *why = NULL;
    cJSON *json = json_parse_strict(buf_cstr(&body), body.len, &why);
    buf_free(&body);
    if (json && !cJSON_IsObject(json)) {
        cJSON_Delete(json);
        json = NULL;
        why = "the body must be a JSON object";
    }
    if (!json) {
        char detail[160];
        snprintf(detail, sizeof detail, "The body is not acceptable JSON: %s.", why);
        resp_problem(req, 400, "malformed-request", "Malformed request body", detail);
    }
    return json;
}

bool req_wants_csv(const struct request *req)
{
    const char *accept = req_header(req, "Accept");
    return accept && strstr(accept, "text/csv") != NULL;
}

bool req_if_match(const struct request *req, const char *version)
{
    const char *if_match = req_header(req, "If-Match");
    char tag[32];
    snprintf(tag, sizeof tag, "\"%s\"", version);
    return !if_match || strcmp(if_match, "*") == 0 || strstr(if_match, tag) != NULL;
}
