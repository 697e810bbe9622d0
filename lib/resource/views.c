/*
 * The packed views of an item (see views.h). Layout: the number of viewers
 * and of distinct JSON texts (one byte each), the version, then per viewer
 * its text and the index of the JSON it is shown (one byte), then the JSON
 * texts; every text NUL-terminated.
 */
#include "resource/views.h"

#include <string.h>

/* The NUL-terminated text at *p, moving *p past it; NULL when it runs past end. */
static const char *text_at(const char **p, const char *end)
{
    const char *s = *p;
    const char *nul = memchr(s, '\0', (size_t)(end - s));
    if (!nul)
        return NULL;
    *p = nul + 1;
    return s;
}

bool res_views_parse(const char *value, size_t len, struct res_views *v)
{
    if (!value || len < 2)
        return false;
    const char *p = value + 2, *end = value + len;
    v->nviewers = (unsigned char)value[0];
    v->njson = (unsigned char)value[1];
    if (v->nviewers < 1 || v->nviewers > RES_VIEWS_MAX || v->njson < 1 || v->njson > v->nviewers ||
        !(v->version = text_at(&p, end)))
        return false;
    for (int i = 0; i < v->nviewers; i++) {
        if (!(v->viewer[i] = text_at(&p, end)) || p == end)
            return false;
        v->shows[i] = (unsigned char)*p++;
        if (v->shows[i] >= v->njson)
            return false;
    }
    for (int i = 0; i < v->njson; i++)
        if (!(v->json[i] = text_at(&p, end)))
            return false;
    return p == end;
}

const char *res_views_find(const struct res_views *v, const char *viewer)
{
    for (int i = 0; i < v->nviewers; i++)
        if (strcmp(v->viewer[i], viewer) == 0)
            return v->json[v->shows[i]];
    return NULL;
}

void res_views_pack(struct buf *out, const struct res_views *old, const char *version,
                    const char *viewer, const char *json)
{
    const char *viewers[RES_VIEWS_MAX], *shown[RES_VIEWS_MAX];
    int n = 0;
    if (old && strcmp(old->version, version) == 0)
        for (int i = 0; i < old->nviewers; i++)
            if (strcmp(old->viewer[i], viewer) != 0) {
                viewers[n] = old->viewer[i];
                shown[n++] = old->json[old->shows[i]];
            }
    if (n == RES_VIEWS_MAX) { /* the oldest goes */
        memmove(viewers, viewers + 1, (RES_VIEWS_MAX - 1) * sizeof *viewers);
        memmove(shown, shown + 1, (RES_VIEWS_MAX - 1) * sizeof *shown);
        n--;
    }
    viewers[n] = viewer;
    shown[n++] = json;

    const char *distinct[RES_VIEWS_MAX];
    unsigned char index[RES_VIEWS_MAX];
    int ndistinct = 0;
    for (int i = 0; i < n; i++) {
        int j = 0;
        while (j < ndistinct && strcmp(distinct[j], shown[i]) != 0)
            j++;
        if (j == ndistinct)
            distinct[ndistinct++] = shown[i];
        index[i] = (unsigned char)j;
    }
    buf_putc(out, (char)n);
    buf_putc(out, (char)ndistinct);
    buf_append(out, version, strlen(version) + 1);
    for (int i = 0; i < n; i++) {
        buf_append(out, viewers[i], strlen(viewers[i]) + 1);
        buf_putc(out, (char)index[i]);
    }
    for (int i = 0; i < ndistinct; i++)
        buf_append(out, distinct[i], strlen(distinct[i]) + 1);
}
