/*
 * The plan document's form (see content.h): every member of every object
 * is known, of its type and within its limits, and every problem is
 * reported at once under its path. Texts follow the rule of every text the
 * API takes (field_text_problem: no control characters, no outer spaces).
 */
#include "plans/content.h"

#include "http/fields.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest integer a JSON number carries exactly (2^53 - 1). */
#define ID_MAX 9007199254740991.0

/* What a plan's JSON shows but no client sets. */
static const char *const read_only[] = {"id",
                                        "challenge_id",
                                        "challenge_code",
                                        "cycle_id",
                                        "municipality_id",
                                        "municipality_name",
                                        "status",
                                        "total_amount_cents",
                                        "current_version",
                                        "open_comments",
                                        "pact",
                                        "allowed_actions",
                                        "submitted_at",
                                        "approved_at",
                                        "created_at",
                                        "updated_at",
                                        "version",
                                        NULL};

static const char *const sources[] = {"municipal", "state", "federal", "other", NULL};

/* A member's kind: how its value is judged. */
enum kind {
    K_TEXT,   /* max characters */
    K_ID,     /* a positive integer */
    K_NUMBER, /* finite, |x| <= 1e15 */
    K_AMOUNT, /* an integer in 0..10^15 */
    K_WEIGHT, /* in (0, 1000] */
    K_DATE,   /* YYYY-MM-DD */
    K_SOURCE, /* one of sources */
    K_LIST    /* an array judged by the caller */
};

struct member {
    const char *name;
    enum kind kind;
    int max;       /* K_TEXT: characters; K_LIST: items */
    bool required; /* absent or null is "is required" */
};

static const struct member top_members[] = {
    {"summary", K_TEXT, 4000, false},
    {"targets", K_LIST, PLAN_MAX_TARGETS, false},
    {"actions", K_LIST, PLAN_MAX_ACTIONS, false},
    {NULL, K_TEXT, 0, false},
};
static const struct member target_members[] = {
    {"indicator_id", K_ID, 0, true},
    {"target_value", K_NUMBER, 0, true},
    {"justification", K_TEXT, 2000, false},
    {NULL, K_TEXT, 0, false},
};
static const struct member action_members[] = {
    {"id", K_ID, 0, false},
    {"initiative_id", K_ID, 0, false},
    /* Good practices: the published practice the action adopts (which is
     * plan_document_problems' to judge, sql/033). */
    {"practice_id", K_ID, 0, false},
    {"title", K_TEXT, 200, true},
    {"description", K_TEXT, 4000, false},
    {"responsible_person", K_TEXT, 200, false},
    {"responsible_unit", K_TEXT, 200, false},
    {"start_date", K_DATE, 0, false},
    {"end_date", K_DATE, 0, false},
    {"resources", K_LIST, PLAN_MAX_RESOURCES, false},
    {"deliveries", K_LIST, PLAN_MAX_DELIVERIES, false},
    {NULL, K_TEXT, 0, false},
};
static const struct member resource_members[] = {
    {"amount_cents", K_AMOUNT, 0, true},
    {"source", K_SOURCE, 0, true},
    {"description", K_TEXT, 500, false},
    {NULL, K_TEXT, 0, false},
};
static const struct member delivery_members[] = {
    {"id", K_ID, 0, false},         {"title", K_TEXT, 200, true},
    {"due_date", K_DATE, 0, false}, {"evidence_expected", K_TEXT, 1000, false},
    {"weight", K_WEIGHT, 0, false}, {NULL, K_TEXT, 0, false},
};

/* The ids already seen in the document, to refuse one given twice. */
struct seen {
    double *ids;
    size_t n, cap;
};

static void error_at(struct field_errors *e, const char *path, const char *name, const char *why)
{
    char field[160];
    if (*path)
        snprintf(field, sizeof field, "%s.%s", path, name);
    else
        snprintf(field, sizeof field, "%s", name);
    field_error(e, field, why);
}

bool plan_content_is_date(const char *s)
{
    int y, m, d, n = 0;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
        return false;
    for (int i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return false;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

static bool is_source(const char *s)
{
    for (const char *const *v = sources; *v; v++)
        if (strcmp(*v, s) == 0)
            return true;
    return false;
}

/* Judges one present, non-null value; NULL when fine, else the reason (in
 * msg when it needs formatting). */
static const char *value_problem(const struct member *m, const cJSON *v, char *msg, size_t n)
{
    double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    switch (m->kind) {
    case K_TEXT: {
        if (!cJSON_IsString(v))
            return "must be a string";
        const char *why = field_text_problem(v->valuestring, (size_t)m->max);
        if (why && strcmp(why, "is too long") == 0) {
            snprintf(msg, n, "is too long (at most %d characters)", m->max);
            return msg;
        }
        return why;
    }
    case K_ID:
        return isfinite(d) && d == floor(d) && d >= 1 && d <= ID_MAX ? NULL
                                                                     : "must be a positive integer";
    case K_NUMBER:
        return isfinite(d) && fabs(d) <= 1e15 ? NULL : "must be a number (at most 10^15 in size)";
    case K_AMOUNT:
        return isfinite(d) && d == floor(d) && d >= 0 && d <= 1e15
                   ? NULL
                   : "must be an integer from 0 to 10^15 (cents)";
    case K_WEIGHT:
        return isfinite(d) && d > 0 && d <= 1000 ? NULL
                                                 : "must be a number greater than 0, at most 1000";
    case K_DATE:
        return cJSON_IsString(v) && plan_content_is_date(v->valuestring)
                   ? NULL
                   : "must be a calendar date written YYYY-MM-DD";
    case K_SOURCE:
        return cJSON_IsString(v) && is_source(v->valuestring)
                   ? NULL
                   : "must be municipal, state, federal or other";
    case K_LIST:
        if (!cJSON_IsArray(v))
            return "must be an array";
        if (cJSON_GetArraySize(v) > m->max) {
            snprintf(msg, n, "must have at most %d items", m->max);
            return msg;
        }
        return NULL;
    }
    return "is not valid";
}

static const struct member *member_named(const struct member *ms, const char *name)
{
    for (; ms->name; ms++)
        if (strcmp(ms->name, name) == 0)
            return ms;
    return NULL;
}

static bool is_read_only(const char *name)
{
    for (const char *const *s = read_only; *s; s++)
        if (strcmp(*s, name) == 0)
            return true;
    return false;
}

/* Judges the members of object obj at path (every one known, each value
 * of its kind, the required ones there). Returns false when obj is not an
 * object (reported). Lists are judged here for their form only. */
static bool check_object(const cJSON *obj, const char *path, const struct member *ms, bool top,
                         struct field_errors *e)
{
    if (!cJSON_IsObject(obj)) {
        field_error(e, path, "must be an object");
        return false;
    }
    for (const cJSON *it = obj->child; it; it = it->next) {
        const struct member *m = member_named(ms, it->string);
        char msg[96];
        const char *why = NULL;
        if (!m)
            why = top && is_read_only(it->string) ? "may not be set" : "is not a field";
        else if (cJSON_IsNull(it))
            why = m->required ? "is required" : NULL;
        else
            why = value_problem(m, it, msg, sizeof msg);
        if (why)
            error_at(e, path, it->string, why);
    }
    for (const struct member *m = ms; m->name; m++)
        if (m->required && !cJSON_GetObjectItemCaseSensitive(obj, m->name))
            error_at(e, path, m->name, "is required");
    return true;
}

/* The list member `name` of obj when it is a well-formed array, else NULL
 * (absent, null, or reported by check_object). */
static const cJSON *list_of(const cJSON *obj, const char *name, int max)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsArray(v) && cJSON_GetArraySize(v) <= max ? v : NULL;
}

/* Refuses an id given twice among `seen` (an action's or a delivery's). */
static void check_unique_id(const cJSON *obj, const char *path, struct seen *seen,
                            struct field_errors *e)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "id");
    if (!cJSON_IsNumber(id))
        return;
    for (size_t i = 0; i < seen->n; i++)
        if (seen->ids[i] == id->valuedouble) {
            error_at(e, path, "id", "is given twice");
            return;
        }
    if (seen->n < seen->cap)
        seen->ids[seen->n++] = id->valuedouble;
}

static void check_targets(const cJSON *targets, struct field_errors *e)
{
    double indicators[PLAN_MAX_TARGETS];
    int n = 0, i = 0;
    for (const cJSON *t = targets->child; t; t = t->next, i++) {
        char path[32];
        snprintf(path, sizeof path, "targets[%d]", i);
        if (!check_object(t, path, target_members, false, e))
            continue;
        const cJSON *ind = cJSON_GetObjectItemCaseSensitive(t, "indicator_id");
        if (!cJSON_IsNumber(ind))
            continue;
        bool twice = false;
        for (int k = 0; k < n; k++)
            twice |= indicators[k] == ind->valuedouble;
        if (twice)
            error_at(e, path, "indicator_id", "has a target already");
        else
            indicators[n++] = ind->valuedouble;
    }
}

static void check_action(const cJSON *a, const char *path, struct seen *actions,
                         struct seen *deliveries, struct field_errors *e)
{
    if (!check_object(a, path, action_members, false, e))
        return;
    check_unique_id(a, path, actions, e);
    const char *start = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "start_date"));
    const char *end = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "end_date"));
    /* YYYY-MM-DD compares as text in the order of the days. */
    if (start && end && plan_content_is_date(start) && plan_content_is_date(end) &&
        strcmp(end, start) < 0)
        error_at(e, path, "end_date", "must not be before start_date");
    const cJSON *list = list_of(a, "resources", PLAN_MAX_RESOURCES);
    int i = 0;
    for (const cJSON *r = list ? list->child : NULL; r; r = r->next, i++) {
        char sub[64];
        snprintf(sub, sizeof sub, "%s.resources[%d]", path, i);
        check_object(r, sub, resource_members, false, e);
    }
    list = list_of(a, "deliveries", PLAN_MAX_DELIVERIES);
    i = 0;
    for (const cJSON *d = list ? list->child : NULL; d; d = d->next, i++) {
        char sub[64];
        snprintf(sub, sizeof sub, "%s.deliveries[%d]", path, i);
        if (check_object(d, sub, delivery_members, false, e))
            check_unique_id(d, sub, deliveries, e);
    }
}

bool plan_content_check(const cJSON *doc, struct field_errors *e)
{
    int before = e->count;
    if (!check_object(doc, "", top_members, true, e))
        return false;
    const cJSON *targets = list_of(doc, "targets", PLAN_MAX_TARGETS);
    if (targets)
        check_targets(targets, e);
    const cJSON *actions = list_of(doc, "actions", PLAN_MAX_ACTIONS);
    double action_seen[PLAN_MAX_ACTIONS];
    struct seen action_ids = {action_seen, 0, PLAN_MAX_ACTIONS};
    struct seen delivery_ids = {NULL, 0, (size_t)PLAN_MAX_ACTIONS * PLAN_MAX_DELIVERIES};
    delivery_ids.ids = malloc(delivery_ids.cap * sizeof *delivery_ids.ids);
    if (!delivery_ids.ids)
        abort();
    int i = 0;
    for (const cJSON *a = actions ? actions->child : NULL; a; a = a->next, i++) {
        char path[32];
        snprintf(path, sizeof path, "actions[%d]", i);
        check_action(a, path, &action_ids, &delivery_ids, e);
    }
    free(delivery_ids.ids);
    return e->count == before;
}
