/*
 * A request body checked against a resource's fields (see resource.h):
 * every problem is collected, and what passes is copied, normalized, into the
 * document the write hands to PostgreSQL.
 */
#include "resource/resource.h"

#include "http/fields.h"
#include "validate/contact.h"
#include "validate/cpf.h"
#include "validate/ibge.h"
#include "validate/timestamp.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const struct res_field *field_named(const struct resource *res, const char *name)
{
    for (const struct res_field *f = res->fields; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static bool is_enum_value(const char *const *values, const char *s)
{
    for (; values && *values; values++)
        if (strcmp(*values, s) == 0)
            return true;
    return false;
}

void resource_enum_message(const char *const *values, char *out, size_t n)
{
    size_t len = (size_t)snprintf(out, n, "must be ");
    for (size_t i = 0; values[i] && len < n; i++) {
        const char *sep = i == 0 ? "" : values[i + 1] ? ", " : " or ";
        len += (size_t)snprintf(out + len, n - len, "%s%s", sep, values[i]);
    }
}

/* The first of two reasons, or NULL when there is none. */
static const char *either(const char *why, const char *other) { return why ? why : other; }

/* Checks a text value of the field's type; NULL when fine, else the reason.
 * Writes the normalized form (a CPF's digits) to norm, or leaves it "". */
static const char *text_problem(const struct res_field *f, const char *s, char *msg, size_t n,
                                char norm[12])
{
    norm[0] = '\0';
    switch (f->type) {
    case RES_TEXT: {
        const char *why = field_text_problem(s, (size_t)f->max);
        if (why && strcmp(why, "is too long") == 0) {
            snprintf(msg, n, "is too long (at most %d characters)", (int)f->max);
            return msg;
        }
        return why ? why : f->check ? f->check(s) : NULL;
    }
    case RES_ENUM:
        if (is_enum_value(f->values, s))
            return NULL;
        resource_enum_message(f->values, msg, n);
        return msg;
    case RES_EMAIL: /* and, as every text, no control characters or outer spaces */
        return either(field_text_problem(s, 254), contact_email_problem(s));
    case RES_PHONE:
        return strlen(s) > 32 || !*s ? "must be 1 to 32 characters"
                                     : either(field_text_problem(s, 32), contact_phone_problem(s));
    case RES_CPF:
        return strlen(s) <= 14 && cpf_normalize(s, norm) ? NULL : "is not a valid CPF";
    case RES_IBGE:
        return ibge_code_is_valid(s) ? NULL : "is not an IBGE municipality code";
    case RES_UF:
        return ibge_uf_is_wellformed(s) ? NULL : "must be a two-letter state code (UF) such as SP";
    case RES_TIMESTAMP:
        return timestamp_is_rfc3339(s)
                   ? NULL
                   : "must be an RFC 3339 date-time with an offset, e.g. 2026-08-22T03:00:00Z";
    case RES_SECRET:
        return f->check ? f->check(s) : NULL;
    default:
        return "must not be a string";
    }
}

static bool is_text_type(enum res_type t)
{
    return t == RES_TEXT || t == RES_ENUM || t == RES_EMAIL || t == RES_PHONE || t == RES_CPF ||
           t == RES_IBGE || t == RES_UF || t == RES_TIMESTAMP || t == RES_SECRET;
}

/* Checks a list of strings; NULL when fine, else the reason. */
static const char *list_problem(const struct res_field *f, const cJSON *v, char *msg, size_t n)
{
    int count = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
    if (count < (int)f->min || count > (int)f->max) {
        snprintf(msg, n, "must be an array of %d to %d strings", (int)f->min, (int)f->max);
        return msg;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, v)
    {
        const char *why = cJSON_IsString(item)
                              ? field_text_problem(item->valuestring, (size_t)f->item_max)
                              : "must be a string";
        if (why) {
            snprintf(msg, n, "each item (1 to %d characters): %s", f->item_max, why);
            return msg;
        }
    }
    return NULL;
}

/* Checks one value of field f; NULL when fine, else the reason (in msg when
 * it needs formatting). Adds the value, normalized, to doc unless doc is
 * NULL. */
static const char *value_problem(const struct res_field *f, const cJSON *v, cJSON *doc, char *msg,
                                 size_t n)
{
    char norm[12];
    const char *why = NULL;
    if (is_text_type(f->type)) {
        if (!cJSON_IsString(v))
            why = "must be a string";
        else if (!(why = text_problem(f, v->valuestring, msg, n, norm)) && doc)
            cJSON_AddStringToObject(doc, f->name, norm[0] ? norm : v->valuestring);
    } else if (f->type == RES_INTEGER || f->type == RES_NUMBER) {
        double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
        if (!isfinite(d))
            why = "must be a number";
        else if (f->type == RES_INTEGER && d != floor(d))
            why = "must be an integer";
        else if (d < f->min || d > f->max)
            snprintf(msg, n, "must be between %g and %g", f->min, f->max), why = msg;
        else if (doc)
            cJSON_AddNumberToObject(doc, f->name, d);
    } else if (f->type == RES_BOOL) {
        if (!cJSON_IsBool(v))
            why = "must be true or false";
        else if (doc)
            cJSON_AddBoolToObject(doc, f->name, cJSON_IsTrue(v));
    } else if (f->type == RES_TEXT_LIST) {
        if (!(why = list_problem(f, v, msg, n)) && doc)
            cJSON_AddItemToObject(doc, f->name, cJSON_Duplicate(v, true));
    } else {
        why = "may not be set";
    }
    return why;
}

/* Checks one value and adds its normalized copy to doc. */
static void check_value(const struct res_field *f, const cJSON *v, cJSON *doc,
                        struct field_errors *e)
{
    char msg[192];
    const char *why = value_problem(f, v, doc, msg, sizeof msg);
    if (why)
        field_error(e, f->name, why);
}

/* True when the caller of w may write field f (its writers). */
static bool may_write(const struct res_field *f, const struct res_write *w)
{
    return !f->writers || (f->writers & w->caller);
}

const char *resource_field_problem(const struct resource *res, const char *name, const cJSON *value,
                                   char *msg, size_t n)
{
    const struct res_field *f = field_named(res, name);
    if (!f)
        return "unknown field";
    if (cJSON_IsNull(value))
        return f->flags & RF_NULLABLE ? NULL : "may not be null";
    return value_problem(f, value, NULL, msg, n);
}

void resource_validate(const struct resource *res, const cJSON *body, bool create,
                       struct res_write *w)
{
    unsigned may = create ? RF_CREATE : RF_PATCH;
    struct field_errors *e = &w->errors;
    w->doc = cJSON_CreateObject();
    if (!w->doc)
        abort();
    for (const cJSON *it = body->child; it; it = it->next) {
        const struct res_field *f = field_named(res, it->string);
        if (!f || (f->flags & RF_INTERNAL))
            field_error(e, it->string, "unknown field");
        else if (!(f->flags & may) || !may_write(f, w))
            field_error(e, f->name, "may not be set");
        else if (!cJSON_IsNull(it))
            check_value(f, it, w->doc, e);
        else if (f->flags & RF_NULLABLE)
            cJSON_AddNullToObject(w->doc, f->name);
        else
            field_error(e, f->name,
                        create && (f->flags & RF_REQUIRED) ? "is required" : "may not be null");
    }
    if (!create)
        return;
    for (const struct res_field *f = res->fields; f->name; f++) {
        if (cJSON_GetObjectItemCaseSensitive(body, f->name))
            continue;
        if (f->flags & RF_REQUIRED)
            field_error(e, f->name, "is required");
        else if (f->def)
            cJSON_AddItemToObject(w->doc, f->name, cJSON_Parse(f->def));
    }
}
