/*
 * The exchange recorder of the contract check (see record.h).
 */
#include "record.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Length of the UTF-8 sequence at s[0..n), or 0 when it is not a valid,
 * shortest-form encoding of a scalar value (RFC 3629). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len;
    unsigned cp;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
        cp = s[0] & 0x1Fu;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        cp = s[0] & 0x0Fu;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static bool is_text(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        if (s[i] == 0)
            return false;
        size_t len = utf8_seq(s + i, n - i);
        if (len == 0)
            return false;
        i += len;
    }
    return true;
}

/* Appends s[0..n) as a JSON string literal; bytes that are not valid UTF-8
 * become U+FFFD. */
static void json_string(struct buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    buf_putc(out, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        size_t len = utf8_seq(p + i, n - i);
        if (len == 0) {
            buf_puts(out, "\\ufffd");
            i++;
            continue;
        }
        if (len > 1)
            buf_append(out, p + i, len);
        else if (c == '"' || c == '\\')
            buf_printf(out, "\\%c", c);
        else if (c == '\n')
            buf_puts(out, "\\n");
        else if (c == '\r')
            buf_puts(out, "\\r");
        else if (c == '\t')
            buf_puts(out, "\\t");
        else if (c < 0x20 || c == 0x7F)
            buf_printf(out, "\\u%04x", c);
        else
            buf_putc(out, (char)c);
        i += len;
    }
    buf_putc(out, '"');
}

/* Appends s[0..n) as JSON text, base64-encoded when it is not text. */
static void json_text_or_base64(struct buf *out, const char *s, size_t n, bool *base64)
{
    *base64 = !is_text((const unsigned char *)s, n);
    if (!*base64) {
        json_string(out, s, n);
        return;
    }
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = (const unsigned char *)s;
    buf_putc(out, '"');
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        buf_putc(out, alphabet[(v >> 18) & 63]);
        buf_putc(out, alphabet[(v >> 12) & 63]);
        buf_putc(out, i + 1 < n ? alphabet[(v >> 6) & 63] : '=');
        buf_putc(out, i + 2 < n ? alphabet[v & 63] : '=');
    }
    buf_putc(out, '"');
}

/* Appends the header block as a JSON object: lower-cased names, values
 * trimmed, repeated names joined with ", " (in the order received). */
static void json_headers(struct buf *out, const char *block)
{
    struct hdr {
        char name[128];
        struct buf value;
    } hdrs[64];
    size_t count = 0;
    const char *p = block;
    while (*p) {
        const char *eol = strpbrk(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        if (colon && colon > p && strncmp(p, "HTTP/", 5) != 0) {
            char name[128];
            size_t nlen = (size_t)(colon - p);
            if (nlen >= sizeof name)
                nlen = sizeof name - 1;
            for (size_t i = 0; i < nlen; i++)
                name[i] = (char)tolower((unsigned char)p[i]);
            name[nlen] = '\0';
            const char *v = colon + 1, *end = p + len;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
            size_t i = 0;
            while (i < count && strcmp(hdrs[i].name, name) != 0)
                i++;
            if (i == count && count < sizeof hdrs / sizeof hdrs[0]) {
                memcpy(hdrs[count].name, name, nlen + 1);
                hdrs[count].value = (struct buf){0};
                count++;
            } else if (i < count) {
                buf_puts(&hdrs[i].value, ", ");
            }
            if (i < count)
                buf_append(&hdrs[i].value, v, (size_t)(end - v));
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    buf_putc(out, '{');
    for (size_t i = 0; i < count; i++) {
        if (i)
            buf_putc(out, ',');
        json_string(out, hdrs[i].name, strlen(hdrs[i].name));
        buf_putc(out, ':');
        json_string(out, buf_cstr(&hdrs[i].value), hdrs[i].value.len);
        buf_free(&hdrs[i].value);
    }
    buf_putc(out, '}');
}

void record_exchange(const struct http_request *req, const struct http_response *res)
{
    const char *file = getenv("PACTO_TEST_RECORD");
    if (!file || !*file)
        return;
    const char *q = strchr(req->path, '?');
    size_t plen = q ? (size_t)(q - req->path) : strlen(req->path);
    const char *query = q ? q + 1 : "";
    size_t qlen = strcspn(query, "#");
    /* The request headers the test chose (the token is only noted). */
    struct buf sent = {0};
    if (req->body)
        buf_printf(&sent, "Content-Type: %s\r\n",
                   req->content_type ? req->content_type : "application/json");
    for (const char *const *h = req->headers; h && *h; h++)
        buf_printf(&sent, "%s\r\n", *h);
    bool b64;

    struct buf line = {0};
    buf_puts(&line, "{\"method\":");
    json_string(&line, req->method, strlen(req->method));
    buf_puts(&line, ",\"path\":");
    json_string(&line, req->path, plen);
    buf_puts(&line, ",\"query\":");
    json_string(&line, query, qlen);
    buf_printf(&line, ",\"token\":%s,\"request_headers\":", req->token ? "true" : "false");
    json_headers(&line, buf_cstr(&sent));
    buf_printf(&line, ",\"status\":%ld,\"headers\":", res->status);
    json_headers(&line, buf_cstr(&res->headers));
    buf_puts(&line, ",\"body\":");
    json_text_or_base64(&line, buf_cstr(&res->body), res->body.len, &b64);
    buf_printf(&line, ",\"body_base64\":%s}\n", b64 ? "true" : "false");

    int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "record: %s: %s\n", file, strerror(errno));
    } else {
        /* One write: O_APPEND keeps the lines of concurrent processes whole. */
        ssize_t n = write(fd, line.data, line.len);
        if (n < 0 || (size_t)n != line.len)
            fprintf(stderr, "record: %s: short write\n", file);
        close(fd);
    }
    buf_free(&sent);
    buf_free(&line);
}
