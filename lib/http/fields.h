/*
 * Reading fields of a JSON request body with validation. Each reader tells
 * whether the field was absent, null, set, or invalid (an error was added),
 * which is what JSON Merge Patch (RFC 7396) needs.
 */
#ifndef PACTO_HTTP_FIELDS_H
#define PACTO_HTTP_FIELDS_H

#include "http/response.h"

#include <cjson/cJSON.h>
#include <libpq-fe.h>

enum field_state { FIELD_ABSENT, FIELD_NULL, FIELD_SET, FIELD_INVALID };

/* Adds an error for every member of obj not in `allowed` (NULL-terminated):
 * "may not be set" for names in `readonly`, else "unknown field". */
void fields_only(const cJSON *obj, const char *const *allowed, const char *const *readonly,
                 struct field_errors *e);

/* A string of 1..max_chars characters (UTF-8 code points), with no control
 * characters and no surrounding white space. */
enum field_state field_string(const cJSON *obj, const char *name, size_t max_chars,
                              const char **out, struct field_errors *e);
/* A number in [min, max]. */
enum field_state field_number(const cJSON *obj, const char *name, double min, double max,
                              double *out, struct field_errors *e);
enum field_state field_bool(const cJSON *obj, const char *name, bool *out, struct field_errors *e);

/* Adds "is required" when st is FIELD_ABSENT or FIELD_NULL. */
void field_required(enum field_state st, const char *name, struct field_errors *e);

/* JSON Merge Patch of one column: the patched value when the field was set,
 * NULL when it was null, else the current row's value (row 0, column col). */
const char *field_merge(enum field_state st, const char *patched, const PGresult *current, int col);

/* Texts of at least this many characters at most are free text: they may
 * hold line breaks (LF, CR) and tabs inside. Shorter ones (names, titles,
 * codes) are one line. */
#define FIELD_PROSE_MIN 500

/* Checks a text value with the rules of field_string: not empty, at most
 * max_chars characters, no control characters (but line breaks and tabs in
 * free text: FIELD_PROSE_MIN), no spaces or line breaks at either end. NULL
 * when fine, else the reason. Also used for CSV cells. */
const char *field_text_problem(const char *s, size_t max_chars);

#endif
