/*
 * libcurl-based HTTP client for the integration tests (see client.h).
 */
#include "client.h"
#include "record.h"

#include <check.h>
#include <curl/curl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static size_t collect(char *data, size_t size, size_t n, void *userdata)
{
    buf_append(userdata, data, size * n);
    return size * n;
}

static size_t collect_header(char *data, size_t size, size_t n, void *userdata)
{
    struct buf *b = userdata;
    /* A new status line starts a new header block (after 100 Continue). */
    if (size * n >= 5 && strncmp(data, "HTTP/", 5) == 0)
        buf_reset(b);
    buf_append(b, data, size * n);
    return size * n;
}

struct http_response http_do(const struct http_request *req)
{
    const char *base = req->base_url ? req->base_url : getenv("PACTO_TEST_URL");
    ck_assert_msg(base != NULL, "PACTO_TEST_URL is not set");
    struct http_response res = {0};
    struct buf url = {0};
    buf_printf(&url, "%s%s", base, req->path);
    CURL *curl = curl_easy_init();
    ck_assert_ptr_nonnull(curl);
    struct curl_slist *headers = NULL;
    struct buf line = {0};
    if (req->token) {
        buf_printf(&line, "Authorization: Bearer %s", req->token);
        headers = curl_slist_append(headers, buf_cstr(&line));
        buf_reset(&line);
    }
    if (req->body) {
        buf_printf(&line, "Content-Type: %s",
                   req->content_type ? req->content_type : "application/json");
        headers = curl_slist_append(headers, buf_cstr(&line));
        headers = curl_slist_append(headers, "Expect:");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(req->body_len ? req->body_len : strlen(req->body)));
    }
    for (const char *const *h = req->headers; h && *h; h++)
        headers = curl_slist_append(headers, *h);
    curl_easy_setopt(curl, CURLOPT_URL, buf_cstr(&url));
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
    if (strcmp(req->method, "HEAD") == 0)
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &res.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &res.headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    CURLcode rc = curl_easy_perform(curl);
    ck_assert_msg(rc == CURLE_OK, "%s %s: %s", req->method, req->path, curl_easy_strerror(rc));
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res.status);
    record_exchange(req, &res);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    buf_free(&url);
    buf_free(&line);
    if (res.body.len)
        res.json = cJSON_ParseWithLength(res.body.data, res.body.len);
    return res;
}

bool http_reachable(const char *base_url)
{
    struct buf url = {0};
    buf_printf(&url, "%s/healthz", base_url);
    CURL *curl = curl_easy_init();
    long status = 0;
    if (curl) {
        curl_easy_setopt(curl, CURLOPT_URL, buf_cstr(&url));
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, 2L);
        if (curl_easy_perform(curl) == CURLE_OK)
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(curl);
    }
    buf_free(&url);
    return status == 200;
}

struct http_response http_get(const char *path, const char *token)
{
    return http_do(&(struct http_request){.method = "GET", .path = path, .token = token});
}

struct http_response http_post(const char *path, const char *token, const char *json)
{
    return http_do(
        &(struct http_request){.method = "POST", .path = path, .token = token, .body = json});
}

struct http_response http_patch(const char *path, const char *token, const char *json)
{
    return http_do(&(struct http_request){.method = "PATCH",
                                          .path = path,
                                          .token = token,
                                          .body = json,
                                          .content_type = "application/merge-patch+json"});
}

const char *http_header(struct http_response *r, const char *name)
{
    size_t n = strlen(name);
    const char *p = buf_cstr(&r->headers);
    while (p && *p) {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > n && p[n] == ':' && strncasecmp(p, name, n) == 0) {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            /* Keep the value after the header block, NUL-terminated. */
            size_t vlen = (size_t)(p + len - v);
            static _Thread_local char value[2048];
            if (vlen >= sizeof value)
                vlen = sizeof value - 1;
            memcpy(value, v, vlen);
            value[vlen] = '\0';
            return value;
        }
        p = eol ? eol + 2 : NULL;
    }
    return NULL;
}

const char *http_json_string(const struct http_response *r, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->json, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

void http_expect_problem(struct http_response *r, long status, const char *slug)
{
    ck_assert_msg(r->status == status, "status %ld, expected %ld: %s", r->status, status,
                  buf_cstr(&r->body));
    const char *ct = http_header(r, "Content-Type");
    ck_assert_msg(ct && strcmp(ct, "application/problem+json") == 0, "Content-Type: %s",
                  ct ? ct : "(none)");
    char type[160];
    snprintf(type, sizeof type, "https://pacto.dev/problems/%s", slug);
    const char *got = http_json_string(r, "type");
    ck_assert_msg(got && strcmp(got, type) == 0, "type %s, expected %s", got ? got : "(none)",
                  type);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(r->json, "status");
    ck_assert_msg(cJSON_IsNumber(st) && st->valueint == status, "body status differs");
}

void http_response_free(struct http_response *r)
{
    buf_free(&r->body);
    buf_free(&r->headers);
    cJSON_Delete(r->json);
    r->json = NULL;
}

int http_raw_connect(void)
{
    const char *base = getenv("PACTO_TEST_URL");
    ck_assert_ptr_nonnull(base);
    char host[128] = "", port[8] = "80";
    ck_assert(sscanf(base, "http://%127[^:/]:%7[0-9]", host, port) >= 1);
    struct addrinfo *ai = NULL, hints = {.ai_socktype = SOCK_STREAM};
    ck_assert_int_eq(getaddrinfo(host, port, &hints, &ai), 0);
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(connect(fd, ai->ai_addr, ai->ai_addrlen), 0);
    freeaddrinfo(ai);
    return fd;
}

void http_expect_too_large_unread(const char *path, const char *token, const char *content_type,
                                  long length)
{
    int fd = http_raw_connect();
    char head[2048];
    int n = snprintf(head, sizeof head,
                     "POST %s HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer %s\r\n"
                     "Content-Type: %s\r\nContent-Length: %ld\r\n\r\n",
                     path, token, content_type, length);
    ck_assert(n > 0 && (size_t)n < sizeof head);
    ck_assert_int_eq(write(fd, head, (size_t)n), n);
    char answer[512] = {0};
    ssize_t got = read(fd, answer, sizeof answer - 1);
    close(fd);
    ck_assert_msg(got > 12 && strncmp(answer, "HTTP/1.1 413", 12) == 0, "%s", answer);
    ck_assert(strstr(answer, "payload-too-large") != NULL);
}
