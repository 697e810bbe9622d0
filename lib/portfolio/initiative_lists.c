/*
 * An initiative's nested lists (see portfolio.h): its typical deliveries,
 * objects of title and evidence expected, and its reference links. They are
 * judged here, item by item, because a resource's fields are flat; every
 * problem is reported at once, named to the item.
 */
#include "portfolio/portfolio.h"

#include "http/fields.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define DELIVERY_TITLE_MAX    200
#define DELIVERY_EVIDENCE_MAX 1000
#define LINK_MAX              2000

/* The error of a text rule, with the limit when the text is too long. */
static void text_error(struct field_errors *e, const char *field, const char *why, size_t max)
{
    char msg[96];
    if (strcmp(why, "is too long") == 0) {
        snprintf(msg, sizeof msg, "is too long (at most %zu characters)", max);
        why = msg;
    }
    field_error(e, field, why);
}

/* Judges a string member `name` of item `at` ("deliveries[2]"); returns it,
 * or NULL when absent, null (both fine unless required) or wrong. */
static const char *member_text(const cJSON *item, const char *at, const char *name, size_t max,
                               bool required, bool *ok, struct field_errors *e)
{
    char field[64];
    snprintf(field, sizeof field, "%s.%s", at, name);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, name);
    const char *why = NULL;
    if (!v || cJSON_IsNull(v))
        why = required ? "is required" : NULL;
    else if (!cJSON_IsString(v))
        why = "must be a string";
    else
        why = field_text_problem(v->valuestring, max);
    if (why) {
        text_error(e, field, why, max);
        *ok = false;
        return NULL;
    }
    return v ? cJSON_GetStringValue(v) : NULL;
}

/* Judges one delivery; adds its normalized copy to out when it is fine. */
static void read_delivery(const cJSON *item, int i, cJSON *out, struct field_errors *e)
{
    char at[32];
    snprintf(at, sizeof at, "deliveries[%d]", i);
    if (!cJSON_IsObject(item)) {
        field_error(e, at, "must be an object with title and evidence_expected");
        return;
    }
    bool ok = true;
    for (const cJSON *m = item->child; m; m = m->next) {
        if (strcmp(m->string, "title") != 0 && strcmp(m->string, "evidence_expected") != 0) {
            char field[96];
            snprintf(field, sizeof field, "%s.%.40s", at, m->string);
            field_error(e, field, "unknown field");
            ok = false;
        }
    }
    const char *title = member_text(item, at, "title", DELIVERY_TITLE_MAX, true, &ok, e);
    const char *evidence =
        member_text(item, at, "evidence_expected", DELIVERY_EVIDENCE_MAX, false, &ok, e);
    if (!ok)
        return;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "title", title);
    if (evidence)
        cJSON_AddStringToObject(d, "evidence_expected", evidence);
    else
        cJSON_AddNullToObject(d, "evidence_expected");
    cJSON_AddItemToArray(out, d);
}

/* The checks both lists share: present on a patch, not null, an array of
 * at most max items. Returns the array to fill, already in doc, or NULL
 * when there is nothing more to judge. */
static cJSON *list_start(const cJSON *v, const char *name, int max, const char *what, bool create,
                         cJSON *doc, struct field_errors *e)
{
    if (!v) {
        if (create)
            cJSON_AddItemToObject(doc, name, cJSON_CreateArray());
        return NULL;
    }
    if (cJSON_IsNull(v)) {
        field_error(e, name, "may not be null");
        return NULL;
    }
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "must be an array of at most %d %s", max, what);
        field_error(e, name, msg);
        return NULL;
    }
    cJSON *out = cJSON_CreateArray();
    cJSON_AddItemToObject(doc, name, out);
    return out;
}

void portfolio_read_deliveries(const cJSON *v, bool create, cJSON *doc, struct field_errors *e)
{
    cJSON *out =
        list_start(v, "deliveries", PORTFOLIO_DELIVERIES_MAX, "deliveries", create, doc, e);
    int i = 0;
    for (const cJSON *item = out ? v->child : NULL; item; item = item->next)
        read_delivery(item, i++, out, e);
}

const char *portfolio_link_problem(const char *s)
{
    const char *why = field_text_problem(s, LINK_MAX);
    if (why)
        return strcmp(why, "is too long") == 0 ? "is too long (at most 2000 characters)" : why;
    for (const char *p = s; *p; p++)
        if (isspace((unsigned char)*p))
            return "must not contain white space";
    static const char scheme[] = "https://";
    if (strncmp(s, scheme, sizeof scheme - 1) != 0)
        return "must be an https URL";
    const char *host = s + sizeof scheme - 1;
    size_t n = strcspn(host, "/?#");
    if (n == 0)
        return "must be an https URL with a host";
    for (size_t k = 0; k < n; k++)
        if (!isalnum((unsigned char)host[k]) && !strchr(".-:", host[k]))
            return "must be an https URL with a host";
    return NULL;
}

void portfolio_read_links(const cJSON *v, bool create, cJSON *doc, struct field_errors *e)
{
    cJSON *out = list_start(v, "links", PORTFOLIO_LINKS_MAX, "https URLs", create, doc, e);
    int i = 0;
    for (const cJSON *item = out ? v->child : NULL; item; item = item->next, i++) {
        char at[32];
        snprintf(at, sizeof at, "links[%d]", i);
        const char *why =
            cJSON_IsString(item) ? portfolio_link_problem(item->valuestring) : "must be a string";
        if (why)
            field_error(e, at, why);
        else
            cJSON_AddItemToArray(out, cJSON_CreateString(item->valuestring));
    }
}
