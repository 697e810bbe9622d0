/*
 * The comparison of two versions of a plan (see diff.h). Lists are matched
 * by key with a linear search: a plan holds at most 200 actions of a few
 * deliveries each, so the quadratic cost stays far below a millisecond,
 * and the result keeps the order the municipality wrote things in.
 */
#include "plans/diff.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *must(cJSON *j)
{
    if (!j)
        abort(); /* out of memory: the contract says so */
    return j;
}

static cJSON *dup_or_null(const cJSON *j)
{
    return must(j ? cJSON_Duplicate(j, true) : cJSON_CreateNull());
}

static bool same(const cJSON *a, const cJSON *b)
{
    bool a_null = !a || cJSON_IsNull(a), b_null = !b || cJSON_IsNull(b);
    if (a_null || b_null)
        return a_null && b_null;
    return cJSON_Compare(a, b, true);
}

static const cJSON *member(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}

/* Appends {field, from, to} to changes. */
static void add_change(cJSON *changes, const char *field, const cJSON *from, const cJSON *to)
{
    cJSON *c = must(cJSON_CreateObject());
    cJSON_AddItemToObject(c, "field", must(cJSON_CreateString(field)));
    cJSON_AddItemToObject(c, "from", dup_or_null(from));
    cJSON_AddItemToObject(c, "to", dup_or_null(to));
    cJSON_AddItemToArray(changes, c);
}

static bool is_skipped(const char *name, const char *const *skip)
{
    for (; *skip; skip++)
        if (strcmp(*skip, name) == 0)
            return true;
    return false;
}

/* Appends to changes every field of a or b (a's order, then b's new ones)
 * whose values differ, named prefix+field, leaving out those in skip. */
static void field_changes(cJSON *changes, const char *prefix, const cJSON *a, const cJSON *b,
                          const char *const *skip)
{
    char name[96];
    const cJSON *f;
    cJSON_ArrayForEach(f, a)
    {
        if (!f->string || is_skipped(f->string, skip))
            continue;
        const cJSON *g = member(b, f->string);
        if (!same(f, g)) {
            snprintf(name, sizeof name, "%s%s", prefix, f->string);
            add_change(changes, name, f, g);
        }
    }
    cJSON_ArrayForEach(f, b)
    {
        if (!f->string || is_skipped(f->string, skip) || member(a, f->string))
            continue;
        if (!cJSON_IsNull(f)) {
            snprintf(name, sizeof name, "%s%s", prefix, f->string);
            add_change(changes, name, NULL, f);
        }
    }
}

/* The item of list whose `key` member is the number k, or NULL. */
static const cJSON *find(const cJSON *list, const char *key, const cJSON *k)
{
    if (!cJSON_IsNumber(k))
        return NULL;
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        const cJSON *v = member(item, key);
        if (cJSON_IsNumber(v) && v->valuedouble == k->valuedouble)
            return item;
    }
    return NULL;
}

/* Describes one changed item (matched by key): returns a new object, or
 * NULL when nothing in it changed. */
typedef cJSON *(*compare_fn)(const cJSON *a, const cJSON *b);

/* {added, removed, changed} of two lists matched by `key`. */
static cJSON *list_diff(const cJSON *from, const cJSON *to, const char *key, compare_fn compare)
{
    cJSON *added = must(cJSON_CreateArray()), *removed = must(cJSON_CreateArray());
    cJSON *changed = must(cJSON_CreateArray());
    const cJSON *item;
    cJSON_ArrayForEach(item, to)
    {
        const cJSON *old = find(from, key, member(item, key));
        if (!old) {
            cJSON_AddItemToArray(added, dup_or_null(item));
        } else {
            cJSON *c = compare(old, item);
            if (c)
                cJSON_AddItemToArray(changed, c);
        }
    }
    cJSON_ArrayForEach(item, from)
    {
        if (!find(to, key, member(item, key)))
            cJSON_AddItemToArray(removed, dup_or_null(item));
    }
    cJSON *d = must(cJSON_CreateObject());
    cJSON_AddItemToObject(d, "added", added);
    cJSON_AddItemToObject(d, "removed", removed);
    cJSON_AddItemToObject(d, "changed", changed);
    return d;
}

static bool list_diff_empty(const cJSON *d)
{
    return cJSON_GetArraySize(member(d, "added")) == 0 &&
           cJSON_GetArraySize(member(d, "removed")) == 0 &&
           cJSON_GetArraySize(member(d, "changed")) == 0;
}

/* The item's identity in a changed entry: key and a label from `to`. */
static cJSON *changed_entry(const cJSON *b, const char *key, const char *label, cJSON *changes)
{
    cJSON *e = must(cJSON_CreateObject());
    cJSON_AddItemToObject(e, key, dup_or_null(member(b, key)));
    cJSON_AddItemToObject(e, label, dup_or_null(member(b, label)));
    cJSON_AddItemToObject(e, "changes", changes);
    return e;
}

static cJSON *compare_target(const cJSON *a, const cJSON *b)
{
    static const char *const skip[] = {"indicator_id", "indicator_code", NULL};
    cJSON *changes = must(cJSON_CreateArray());
    field_changes(changes, "", a, b, skip);
    if (cJSON_GetArraySize(changes) == 0) {
        cJSON_Delete(changes);
        return NULL;
    }
    return changed_entry(b, "indicator_id", "indicator_code", changes);
}

static cJSON *compare_delivery(const cJSON *a, const cJSON *b)
{
    static const char *const skip[] = {"id", NULL};
    cJSON *changes = must(cJSON_CreateArray());
    field_changes(changes, "", a, b, skip);
    if (cJSON_GetArraySize(changes) == 0) {
        cJSON_Delete(changes);
        return NULL;
    }
    return changed_entry(b, "id", "title", changes);
}

/* Resources by position, as the action's own changes. */
static void resource_changes(cJSON *changes, const cJSON *a, const cJSON *b)
{
    static const char *const none[] = {NULL};
    int na = cJSON_GetArraySize(a), nb = cJSON_GetArraySize(b);
    char prefix[32];
    for (int i = 0; i < (na > nb ? na : nb); i++) {
        const cJSON *x = cJSON_GetArrayItem(a, i), *y = cJSON_GetArrayItem(b, i);
        snprintf(prefix, sizeof prefix, "resources[%d]", i);
        if (x && y) {
            size_t n = strlen(prefix);
            snprintf(prefix + n, sizeof prefix - n, ".");
            field_changes(changes, prefix, x, y, none);
        } else {
            add_change(changes, prefix, x, y);
        }
    }
}

static cJSON *compare_action(const cJSON *a, const cJSON *b)
{
    static const char *const skip[] = {"id", "resources", "deliveries", NULL};
    cJSON *changes = must(cJSON_CreateArray());
    field_changes(changes, "", a, b, skip);
    resource_changes(changes, member(a, "resources"), member(b, "resources"));
    cJSON *deliveries =
        list_diff(member(a, "deliveries"), member(b, "deliveries"), "id", compare_delivery);
    if (cJSON_GetArraySize(changes) == 0 && list_diff_empty(deliveries)) {
        cJSON_Delete(changes);
        cJSON_Delete(deliveries);
        return NULL;
    }
    cJSON *e = changed_entry(b, "id", "title", changes);
    cJSON_AddItemToObject(e, "deliveries", deliveries);
    return e;
}

cJSON *plans_diff(const cJSON *from, const cJSON *to)
{
    if (!cJSON_IsObject(from) || !cJSON_IsObject(to))
        return NULL;
    cJSON *d = must(cJSON_CreateObject());
    const cJSON *s = member(from, "summary"), *t = member(to, "summary");
    if (same(s, t)) {
        cJSON_AddItemToObject(d, "summary", must(cJSON_CreateNull()));
    } else {
        cJSON *c = must(cJSON_CreateObject());
        cJSON_AddItemToObject(c, "from", dup_or_null(s));
        cJSON_AddItemToObject(c, "to", dup_or_null(t));
        cJSON_AddItemToObject(d, "summary", c);
    }
    cJSON_AddItemToObject(
        d, "targets",
        list_diff(member(from, "targets"), member(to, "targets"), "indicator_id", compare_target));
    cJSON_AddItemToObject(
        d, "actions",
        list_diff(member(from, "actions"), member(to, "actions"), "id", compare_action));
    return d;
}
