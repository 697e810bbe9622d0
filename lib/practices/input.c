/*
 * A practice's lists (see input.h): every item judged, every problem
 * reported at once under its path.
 */
#include "practices/input.h"

#include "http/fields.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest integer a JSON number carries exactly (2^53 - 1). */
#define ID_MAX 9007199254740991.0

static void *must(void *p)
{
    if (!p)
        abort(); /* as resource_validate: no answer is sane without memory */
    return p;
}

static bool is_integer_in(const cJSON *v, double min, double max)
{
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
           v->valuedouble == floor(v->valuedouble) && v->valuedouble >= min &&
           v->valuedouble <= max;
}

static void error_at(struct field_errors *e, const char *list, int i, const char *member,
                     const char *why)
{
    char field[96];
    if (member)
        snprintf(field, sizeof field, "%s[%d].%s", list, i, member);
    else
        snprintf(field, sizeof field, "%s[%d]", list, i);
    field_error(e, field, why);
}

/* Whether v is an array of at most max items, reported under name when not. */
static bool is_list(const cJSON *v, const char *name, int max, struct field_errors *e)
{
    char msg[64];
    if (!cJSON_IsArray(v)) {
        field_error(e, name, "must be an array");
        return false;
    }
    if (cJSON_GetArraySize(v) > max) {
        snprintf(msg, sizeof msg, "must have at most %d items", max);
        field_error(e, name, msg);
        return false;
    }
    return true;
}

void practice_read_sdg_goals(const cJSON *v, bool create, cJSON *doc, struct field_errors *e)
{
    if (!v && !create)
        return;
    if (!v || cJSON_IsNull(v)) {
        field_error(e, "sdg_goals", "is required");
        return;
    }
    if (!is_list(v, "sdg_goals", PRACTICE_SDG_MAX, e))
        return;
    if (cJSON_GetArraySize(v) == 0) {
        field_error(e, "sdg_goals", "must name at least one goal");
        return;
    }
    bool seen[PRACTICE_SDG_MAX + 1] = {false}, ok = true;
    int i = 0;
    for (const cJSON *g = v->child; g; g = g->next, i++) {
        if (!is_integer_in(g, 1, PRACTICE_SDG_MAX)) {
            error_at(e, "sdg_goals", i, NULL, "must be an SDG goal number from 1 to 17");
            ok = false;
        } else if (seen[(int)g->valuedouble]) {
            error_at(e, "sdg_goals", i, NULL, "is given twice");
            ok = false;
        } else {
            seen[(int)g->valuedouble] = true;
        }
    }
    if (!ok)
        return;
    cJSON *out = must(cJSON_AddArrayToObject(doc, "sdg_goals"));
    for (int g = 1; g <= PRACTICE_SDG_MAX; g++)
        if (seen[g])
            cJSON_AddItemToArray(out, must(cJSON_CreateNumber(g)));
}

void practice_read_action_ids(const cJSON *v, bool create, cJSON *doc, struct field_errors *e)
{
    if (!v && !create)
        return;
    if (!v || cJSON_IsNull(v)) {
        must(cJSON_AddArrayToObject(doc, "action_ids"));
        return;
    }
    if (!is_list(v, "action_ids", PRACTICE_ACTIONS_MAX, e))
        return;
    bool ok = true;
    int i = 0;
    for (const cJSON *a = v->child; a; a = a->next, i++) {
        if (!is_integer_in(a, 1, ID_MAX)) {
            error_at(e, "action_ids", i, NULL, "must be a positive integer");
            ok = false;
            continue;
        }
        for (const cJSON *b = v->child; b != a; b = b->next)
            if (cJSON_IsNumber(b) && b->valuedouble == a->valuedouble) {
                error_at(e, "action_ids", i, NULL, "is given twice");
                ok = false;
                break;
            }
    }
    if (ok)
        cJSON_AddItemToObject(doc, "action_ids", must(cJSON_Duplicate(v, true)));
}

/* A period's problem, NULL when it is one. */
static const char *period_problem(const cJSON *p)
{
    if (!p || cJSON_IsNull(p))
        return "is required";
    if (!cJSON_IsString(p))
        return "must be a string";
    const char *why = field_text_problem(p->valuestring, PRACTICE_PERIOD_MAX);
    return why && strcmp(why, "is too long") == 0 ? "is too long (at most 20 characters)" : why;
}

/* Judges item i; true when it is sound. */
static bool check_indicator_value(const cJSON *x, int i, const cJSON *list, struct field_errors *e)
{
    static const char *const members[] = {"indicator_id", "from_period", "to_period"};
    if (!cJSON_IsObject(x)) {
        error_at(e, "indicator_values", i, NULL, "must be an object");
        return false;
    }
    int before = e->count;
    for (const cJSON *m = x->child; m; m = m->next) {
        bool known = false;
        for (size_t k = 0; k < sizeof members / sizeof members[0]; k++)
            known |= strcmp(m->string, members[k]) == 0;
        if (!known)
            error_at(e, "indicator_values", i, m->string, "is not a field");
    }
    const cJSON *ind = cJSON_GetObjectItemCaseSensitive(x, "indicator_id");
    if (!ind || cJSON_IsNull(ind)) {
        error_at(e, "indicator_values", i, "indicator_id", "is required");
    } else if (!is_integer_in(ind, 1, ID_MAX)) {
        error_at(e, "indicator_values", i, "indicator_id", "must be a positive integer");
    } else {
        for (const cJSON *y = list->child; y != x; y = y->next)
            if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(y, "indicator_id")) &&
                cJSON_GetObjectItemCaseSensitive(y, "indicator_id")->valuedouble ==
                    ind->valuedouble) {
                error_at(e, "indicator_values", i, "indicator_id", "is given twice");
                break;
            }
    }
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(x, "from_period");
    const cJSON *to = cJSON_GetObjectItemCaseSensitive(x, "to_period");
    const char *why_from = period_problem(from), *why_to = period_problem(to);
    if (why_from)
        error_at(e, "indicator_values", i, "from_period", why_from);
    if (why_to)
        error_at(e, "indicator_values", i, "to_period", why_to);
    /* Periods of one indicator are written alike ("2019", "2023"), so that
     * their text's order is time's. */
    if (!why_from && !why_to && strcmp(to->valuestring, from->valuestring) <= 0)
        error_at(e, "indicator_values", i, "to_period", "must be after from_period");
    return e->count == before;
}

void practice_read_indicator_values(const cJSON *v, bool create, cJSON *doc, struct field_errors *e)
{
    if (!v && !create)
        return;
    if (!v || cJSON_IsNull(v)) {
        must(cJSON_AddArrayToObject(doc, "indicator_values"));
        return;
    }
    if (!is_list(v, "indicator_values", PRACTICE_INDICATORS_MAX, e))
        return;
    bool ok = true;
    int i = 0;
    for (const cJSON *x = v->child; x; x = x->next, i++)
        ok &= check_indicator_value(x, i, v, e);
    if (ok)
        cJSON_AddItemToObject(doc, "indicator_values", must(cJSON_Duplicate(v, true)));
}
