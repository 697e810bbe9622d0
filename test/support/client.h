/*
 * A small HTTP client for the integration tests (libcurl), talking to the
 * server at PACTO_TEST_URL.
 */
#ifndef PACTO_TEST_CLIENT_H
#define PACTO_TEST_CLIENT_H

#include "core/buf.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

struct http_response {
    long status;
    struct buf body;
    struct buf headers; /* raw header block of the final response */
    cJSON *json;        /* parsed body when it is JSON, else NULL */
};

struct http_request {
    const char *method;
    const char *path;         /* with query string */
    const char *token;        /* bearer token or NULL */
    const char *content_type; /* default application/json when body is set */
    const char *body;
    size_t body_len;            /* 0: strlen(body) */
    const char *const *headers; /* extra "Name: value" lines, NULL-terminated, or NULL */
    const char *base_url;       /* default: PACTO_TEST_URL */
};

/* Performs the request; aborts the test on a transport error. */
struct http_response http_do(const struct http_request *req);

struct http_response http_get(const char *path, const char *token);
struct http_response http_post(const char *path, const char *token, const char *json);
struct http_response http_patch(const char *path, const char *token, const char *json);

/* The value of a response header (case-insensitive name), or NULL. The
 * string is valid until the next call. */
const char *http_header(struct http_response *r, const char *name);

/* A TCP connection to the server at PACTO_TEST_URL, for requests the
 * client cannot make (raw bytes, a body sent late); fails the test when it
 * cannot connect. close() it. */
int http_raw_connect(void);

/* Sends only the head of a POST to path (as token, with content_type and a
 * Content-Length of `length`, no body) and asserts the answer is 413
 * payload-too-large: a body over a route's limit is refused before a byte
 * of it is read. */
void http_expect_too_large_unread(const char *path, const char *token, const char *content_type,
                                  long length);

/* True when GET base_url/healthz answers 200; never fails the test. */
bool http_reachable(const char *base_url);

/* A string member of the JSON body, or NULL. */
const char *http_json_string(const struct http_response *r, const char *name);

/* Asserts an RFC 9457 answer: this status, Content-Type
 * application/problem+json, and type https://pacto.dev/problems/<slug>.
 * Does not free r. */
void http_expect_problem(struct http_response *r, long status, const char *slug);

void http_response_free(struct http_response *r);

#endif
