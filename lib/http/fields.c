/*
 * JSON body field readers (see fields.h).
 */
#include "http/fields.h"

#include <math.h>
#include <stdio.h>
#include <ctype.h>
#include <string.h>

static bool listed(const char *const *names, const char *name)
{
    for (; names && *names; names++)
        if (strcmp(*names, name) == 0)
            return true;
    return false;
}

void fields_only(const cJSON *obj, const char *const *allowed, const char *const *readonly,
                 struct field_errors *e)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        if (listed(allowed, it->string))
            continue;
        field_error(e, it->string,
                    listed(readonly, it->string) ? "may not be set" : "unknown field");
    }
}

const char *field_text_problem(const char *s, size_t max_chars)
{
    if (!*s)
        return "must not be empty";
    /* Free text (a description, a reason) may run over several lines. */
    bool prose = max_chars >= FIELD_PROSE_MIN;
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool line = *p == '\n' || *p == '\r' || *p == '\t';
        if ((*p < 0x20 && !(prose && line)) || *p == 0x7f)
            return "must not contain control characters";
        if ((*p & 0xc0) != 0x80)
            chars++;
    }
    if (chars > max_chars)
        return "is too long";
    size_t n = strlen(s);
    if (isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1]))
        return "must not start or end with spaces";
    return NULL;
}

static enum field_state lookup(const cJSON *obj, const char *name, const cJSON **item)
{
    *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!*item)
        return FIELD_ABSENT;
    return cJSON_IsNull(*item) ? FIELD_NULL : FIELD_SET;
}

enum field_state field_string(const cJSON *obj, const char *name, size_t max_chars,
                              const char **out, struct field_errors *e)
{
    const cJSON *item;
    enum field_state st = lookup(obj, name, &item);
    *out = NULL;
    if (st != FIELD_SET)
        return st;
    if (!cJSON_IsString(item)) {
        field_error(e, name, "must be a string");
        return FIELD_INVALID;
    }
    const char *why = field_text_problem(item->valuestring, max_chars);
    if (why) {
        char msg[96];
        snprintf(msg, sizeof msg, "%s (at most %zu characters)", why, max_chars);
        field_error(e, name, strcmp(why, "is too long") == 0 ? msg : why);
        return FIELD_INVALID;
    }
    *out = item->valuestring;
    return FIELD_SET;
}

enum field_state field_number(const cJSON *obj, const char *name, double min, double max,
                              double *out, struct field_errors *e)
{
    const cJSON *item;
    enum field_state st = lookup(obj, name, &item);
    if (st != FIELD_SET)
        return st;
    if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble)) {
        field_error(e, name, "must be a number");
        return FIELD_INVALID;
    }
    if (item->valuedouble < min || item->valuedouble > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "must be between %g and %g", min, max);
        field_error(e, name, msg);
        return FIELD_INVALID;
    }
    *out = item->valuedouble;
    return FIELD_SET;
}

enum field_state field_bool(const cJSON *obj, const char *name, bool *out, struct field_errors *e)
{
    const cJSON *item;
    enum field_state st = lookup(obj, name, &item);
    if (st != FIELD_SET)
        return st;
    if (!cJSON_IsBool(item)) {
        field_error(e, name, "must be true or false");
        return FIELD_INVALID;
    }
    *out = cJSON_IsTrue(item);
    return FIELD_SET;
}

void field_required(enum field_state st, const char *name, struct field_errors *e)
{
    if (st == FIELD_ABSENT || st == FIELD_NULL)
        field_error(e, name, "is required");
}

const char *field_merge(enum field_state st, const char *patched, const PGresult *current, int col)
{
    if (st == FIELD_SET)
        return patched;
    if (st == FIELD_NULL || PQgetisnull(current, 0, col))
        return NULL;
    return PQgetvalue(current, 0, col);
}
