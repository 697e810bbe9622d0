/*
 * GET of an item through a cache of its views (see resource_get_cached in
 * resource.h and views.h). The cache holds what the resource's SQL view gave
 * each viewer, so who sees what stays decided in SQL alone; a hit answers
 * without the database.
 */
#include "resource/resource.h"

#include "authz/policy.h"
#include "cache/cache.h"
#include "resource/statements.h"
#include "resource/views.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

void resource_get_cached(struct request *req, const struct resource *res, struct cache *cache)
{
    assert(!res->parent); /* the cache is keyed by the key alone */
    const char *key = resource_path_key(req, res);
    if (!key) {
        resp_not_found(req);
        return;
    }
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    /* Taken before the cache is read: if the item changes after this, the
     * put below is refused, so neither the views read from the cache nor the
     * one read from the database can outlive the change. */
    unsigned long generation = cache_generation(cache);
    struct buf value = {0};
    struct res_views views;
    bool cached = cache_get(cache, key, &value) && res_views_parse(value.data, value.len, &views);
    req_defer(req, free, value.data);
    const char *json = cached ? res_views_find(&views, viewer) : NULL;
    if (json) {
        res_respond(req, 200, views.version, json);
        return;
    }
    const char *params[] = {viewer, key};
    PGresult *r = req_exec(req, &res_statements_of(res)->get, 2, params);
    if (!r)
        return;
    if (PQntuples(r) == 0) {
        resp_not_found(req);
        return;
    }
    const char *version = PQgetvalue(r, 0, RES_COL_VERSION);
    json = PQgetvalue(r, 0, RES_COL_VIEW);
    res_respond(req, 200, version, json);
    struct buf packed = {0};
    res_views_pack(&packed, cached ? &views : NULL, version, viewer, json);
    cache_put(cache, key, packed.data, packed.len, generation);
    buf_free(&packed);
}
