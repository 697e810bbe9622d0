/*
 * Strict JSON (see json_strict.h). cJSON is a forgiving parser, so a byte scan
 * runs first to refuse what it would accept but RFC 8259 does not (invalid
 * UTF-8, \u0000, raw control characters, "01" or "+1" as numbers, a BOM) and
 * to bound nesting before cJSON recurses; after parsing, a walk of the tree
 * refuses duplicate keys, which cJSON keeps silently.
 */
#include "json/json_strict.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char json_err_malformed[] = "malformed JSON";

int json_utf8_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = u[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* The allowed range of the second byte is what excludes overlongs
         * (E0, F0), surrogates (ED) and code points above U+10FFFF (F4). */
        size_t extra;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            return 0;
        }
        if (len - i <= extra)
            return 0;
        if (u[i + 1] < lo || u[i + 1] > hi)
            return 0;
        for (size_t k = 2; k <= extra; k++)
            if (u[i + k] < 0x80 || u[i + k] > 0xBF)
                return 0;
        i += extra + 1;
    }
    return 1;
}

static bool json_is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static bool json_is_hex4(const unsigned char *s)
{
    for (int i = 0; i < 4; i++)
        if (!json_is_digit(s[i]) && !((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f'))
            return false;
    return true;
}

/* Length of the RFC 8259 number at s, or 0 if there is none. Anything cJSON
 * would swallow into the same number afterwards ("01", "1.", "1e") makes the
 * whole number invalid. */
static size_t json_number_len(const unsigned char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0') {
        i++;
    } else if (i < n && json_is_digit(s[i])) {
        while (i < n && json_is_digit(s[i]))
            i++;
    } else {
        return 0;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i == n || !json_is_digit(s[i]))
            return 0;
        while (i < n && json_is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i == n || !json_is_digit(s[i]))
            return 0;
        while (i < n && json_is_digit(s[i]))
            i++;
    }
    if (i < n && memchr("0123456789+-.eE", s[i], 15))
        return 0;
    return i;
}

/* The lexical pass. It tokenizes valid JSON exactly; on invalid JSON it only
 * has to catch what cJSON would accept, as cJSON refuses the rest itself. */
static const char *json_scan(const unsigned char *s, size_t len)
{
    int depth = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c == '"') {
            for (i++; i < len && s[i] != '"'; i++) {
                if (s[i] == '\\') {
                    if (i + 1 < len && s[i + 1] == 'u') {
                        /* cJSON reads a bad hex digit as 0, which would turn
                         * "\uzzzz" into a NUL that slips past the check. */
                        if (len - i < 6 || !json_is_hex4(s + i + 2))
                            return json_err_malformed;
                        if (memcmp(s + i + 2, "0000", 4) == 0)
                            return "NUL character in string";
                    }
                    i++; /* the escaped character cannot close the string */
                } else if (s[i] == '\0') {
                    return "NUL character in string";
                } else if (s[i] < 0x20) {
                    return json_err_malformed;
                }
            }
            i++;
            continue;
        }
        if (c == '-' || json_is_digit(c)) {
            size_t n = json_number_len(s + i, len - i);
            if (n == 0)
                return json_err_malformed;
            i += n;
            continue;
        }
        if (c == '[' || c == '{') {
            if (++depth > JSON_MAX_DEPTH)
                return "nesting deeper than 16 levels";
        } else if (c == ']' || c == '}') {
            depth--;
        } else if (!(c >= 'a' && c <= 'z') && !(c != '\0' && strchr(",: \t\n\r", c))) {
            /* Literals are checked by cJSON; any other byte here is foreign. */
            return json_err_malformed;
        }
        i++;
    }
    return NULL;
}

static int json_key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorting the keys keeps this O(n log n): a body with many thousands of keys
 * must not cost quadratic time. Recursion is bounded by JSON_MAX_DEPTH. */
static const char *json_check_tree(const cJSON *node)
{
    if (cJSON_IsNumber(node) && !isfinite(node->valuedouble))
        return json_err_malformed; /* 1e999: cJSON would store infinity */

    size_t n = 0;
    for (const cJSON *c = node->child; c; c = c->next) {
        const char *err = json_check_tree(c);
        if (err)
            return err;
        n++;
    }
    if (!cJSON_IsObject(node) || n < 2)
        return NULL;

    const char **keys = malloc(n * sizeof *keys);
    if (!keys)
        abort(); /* as in core/buf */
    size_t k = 0;
    for (const cJSON *c = node->child; c; c = c->next)
        keys[k++] = c->string;
    qsort(keys, n, sizeof *keys, json_key_cmp);
    const char *err = NULL;
    for (k = 1; k < n && !err; k++)
        if (strcmp(keys[k - 1], keys[k]) == 0)
            err = "duplicate object key";
    free(keys);
    return err;
}

cJSON *json_parse_strict(const char *buf, size_t len, const char **error)
{
    const char *err = NULL;
    cJSON *root = NULL;
    char *copy = NULL;

    if (!buf || len == 0) {
        err = json_err_malformed;
        goto out;
    }
    if (!json_utf8_valid(buf, len)) {
        err = "invalid UTF-8";
        goto out;
    }
    if ((err = json_scan((const unsigned char *)buf, len)))
        goto out;

    /* cJSON gets a NUL-terminated copy so that none of its helpers can read
     * past the caller's bytes. Trailing data is judged here from parse_end,
     * because require_null_terminated would fold it into a plain failure. */
    copy = malloc(len + 1);
    if (!copy)
        abort();
    memcpy(copy, buf, len);
    copy[len] = '\0';
    const char *parse_end = NULL;
    root = cJSON_ParseWithLengthOpts(copy, len + 1, &parse_end, 0);
    if (!root) {
        err = json_err_malformed;
        goto out;
    }
    for (const char *p = parse_end; p < copy + len; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            err = "trailing data after JSON value";
            goto out;
        }
    }
    err = json_check_tree(root);

out:
    free(copy);
    if (err) {
        cJSON_Delete(root);
        root = NULL;
    }
    if (error)
        *error = err;
    return root;
}
