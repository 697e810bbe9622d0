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

/* A {name} segment of plen bytes at p: lowercase letters, digits and "_". */
static bool is_param_segment(const char *p, size_t plen)
{
    if (plen < 3 || p[0] != '{' || p[plen - 1] != '}')
        return false;
    for (size_t i = 1; i < plen - 1; i++)
        if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
            return false;
    return true;
}

/* NULL when the pattern is well formed, else what is wrong with it. */
static const char *pattern_problem(const char *pattern)
{
    if (pattern[0] != '/')
        return "does not start with /";
    if (strcmp(pattern, "/") == 0)
        return NULL;
    int nparams = 0;
    for (const char *p = pattern; *p; p += strcspn(p, "/")) {
        p++; /* the '/' */
        size_t plen = strcspn(p, "/");
        if (plen == 0)
            return "has an empty segment";
        if (is_param_segment(p, plen))
            nparams++;
        else if (memchr(p, '{', plen) || memchr(p, '}', plen))
            return "has a malformed {parameter} segment";
    }
    if (nparams > ROUTER_MAX_PARAMS)
        return "has more parameters than ROUTER_MAX_PARAMS";
    return NULL;
}

bool router_check(const struct route *routes, size_t n, char *why, size_t whylen)
{
    for (size_t i = 0; i < n; i++) {
        const struct route *r = &routes[i];
        const char *problem = NULL;
        if (!r->pattern) {
            snprintf(why, whylen, "route %zu has no pattern", i);
            return false;
        }
        if (!r->method || !r->method[0])
            problem = "has no method";
        else if (!r->handler)
            problem = "has no handler";
        else if (!policy_is_declared(&r->policy))
            problem = "declares no access policy";
        else
            problem = pattern_problem(r->pattern);
        for (size_t j = 0; !problem && j < i; j++)
            if (strcmp(routes[j].method, r->method) == 0 &&
                strcmp(routes[j].pattern, r->pattern) == 0)
                problem = "is listed twice";
        if (problem) {
            snprintf(why, whylen, "route %s %s %s", r->method ? r->method : "(no method)",
                     r->pattern, problem);
            return false;
        }
    }
    return true;
}

/* How many literal segments a pattern has: among the patterns that match a
 * path, the one with the most is the path's resource ("/v1/municipalities/
 * import" over "/v1/municipalities/{ibge_code}"), whatever the method. */
static int literal_segments(const char *pattern)
{
    int n = 0;
    for (const char *p = pattern; *p; p++)
        if (*p == '/' && p[1] && p[1] != '{')
            n++;
    return n;
}

enum router_result router_match(const struct route *routes, size_t n, const char *method,
                                const char *path, struct router_match *out)
{
    out->route = NULL;
    out->allow[0] = '\0';
    struct router_match tmp;
    int best = -1;
    size_t allow_len = 0;
    for (size_t i = 0; i < n; i++) {
        if (!match_pattern(routes[i].pattern, path, &tmp))
            continue;
        int literals = literal_segments(routes[i].pattern);
        if (literals < best)
            continue;
        if (literals > best) { /* a more literal resource: forget the others */
            best = literals;
            out->route = NULL;
            out->allow[0] = '\0';
            allow_len = 0;
        }
        if (!out->route && strcmp(routes[i].method, method) == 0) {
            *out = tmp;
            out->route = &routes[i];
            continue;
        }
        int w = snprintf(out->allow + allow_len, sizeof out->allow - allow_len, "%s%s",
                         allow_len ? ", " : "", routes[i].method);
        if (w > 0 && (size_t)w < sizeof out->allow - allow_len)
            allow_len += (size_t)w;
    }
    if (out->route)
        return ROUTER_FOUND;
    return best < 0 ? ROUTER_NOT_FOUND : ROUTER_METHOD_NOT_ALLOWED;
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
