/*
 * The views of one item for the viewers who read it, packed into one cache
 * value (see resource_get_cached): the item's version, the viewers, and each
 * distinct JSON once, since most viewers are shown the same JSON.
 *
 * Nothing here knows who may see what: a viewer is the text of its
 * pacto_viewer and is shown exactly what the resource's view() gave it.
 */
#ifndef PACTO_RESOURCE_VIEWS_H
#define PACTO_RESOURCE_VIEWS_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Viewers remembered per item; a new one beyond that replaces the oldest. */
#define RES_VIEWS_MAX 16

/* A parsed value; every pointer points into the value it was parsed from. */
struct res_views {
    const char *version;
    int nviewers, njson;
    const char *viewer[RES_VIEWS_MAX];
    unsigned char shows[RES_VIEWS_MAX]; /* viewer i is shown json[shows[i]] */
    const char *json[RES_VIEWS_MAX];
};

/* Reads a value made by res_views_pack. Returns false when value is not
 * one (v then unusable). */
bool res_views_parse(const char *value, size_t len, struct res_views *v);

/* The JSON `viewer` was shown, or NULL when it has not read the item. */
const char *res_views_find(const struct res_views *v, const char *viewer);

/* Appends to out the value of `old` (NULL: none) with `viewer` shown `json`
 * at `version`. An old value of another version is left out whole: its
 * views are of another row. */
void res_views_pack(struct buf *out, const struct res_views *old, const char *version,
                    const char *viewer, const char *json);

#endif
