/*
 * Segment-by-segment matching of request paths against route templates.
 */
#include "http/router.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Matches one template against path, capturing {params}. */
static bool match_pattern(const char *pattern, const char *path, struct router_match *m)
{
    m->nparams = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return false;
        p++;
        s++;
        size_t plen = strcspn(p, "/");
        size_t slen = strcspn(s, "/");
        if (plen > 1 && p[0] == '{' && p[plen - 1] == '}') {
            if (slen == 0 || slen >= ROUTER_PARAM_MAX || m->nparams == ROUTER_MAX_PARAMS)
                return false;
            memcpy(m->params[m->nparams], s, slen);
            m->params[m->nparams][slen] = '\0';
            m->nparams++;
        } else if (plen != slen || memcmp(p, s, plen) != 0) {
            return false;
        }
        p += plen;
        s += slen;
    }
    return *p == '\0' && *s == '\0';
}

enum router_result router_match(const struct route *routes, size_t n, const char *method,
                                const char *path, struct router_match *out)
{
    bool path_known = false;
    out->route = NULL;
    out->allow[0] = '\0';
    size_t allow_len = 0;
    struct router_match tmp;
    for (size_t i = 0; i < n; i++) {
        if (!match_pattern(routes[i].pattern, path, &tmp))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, method) == 0) {
            *out = tmp;
            out->route = &routes[i];
            return ROUTER_FOUND;
        }
        int w = snprintf(out->allow + allow_len, sizeof out->allow - allow_len, "%s%s",
                         allow_len ? ", " : "", routes[i].method);
        if (w > 0 && (size_t)w < sizeof out->allow - allow_len)
            allow_len += (size_t)w;
    }
    return path_known ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
}

int router_param_index(const char *pattern, const char *name)
{
    size_t n = strlen(name);
    int index = 0;
    for (const char *p = strchr(pattern, '{'); p; p = strchr(p + 1, '{'), index++)
        if (strncmp(p + 1, name, n) == 0 && p[n + 1] == '}')
            return index;
    return -1;
}
