/*
 * Strict JSON parsing on top of cJSON: refuses what cJSON lets through
 * (invalid UTF-8, \u0000 in strings, duplicate object keys, deep nesting).
 */
#ifndef PACTO_JSON_JSON_STRICT_H
#define PACTO_JSON_JSON_STRICT_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define JSON_MAX_DEPTH 16

/* Parses exactly `len` bytes (no NUL needed) as one JSON value. Returns the
 * tree (free with cJSON_Delete), or NULL with *error set to a static message
 * safe to show to a client: "invalid UTF-8", "NUL character in string",
 * "duplicate key \"...\"" is not static, so duplicate keys report
 * "duplicate object key", "nesting deeper than 16 levels", "malformed JSON",
 * "trailing data after JSON value". Thread-safe (does not use cJSON_GetErrorPtr). */
cJSON *json_parse_strict(const char *buf, size_t len, const char **error);

/* True when the len bytes at s are valid UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF). */
int json_utf8_valid(const char *s, size_t len);

#endif
