/*
 * From change notifications to cache evictions (see changes.h).
 */
#include "api/changes.h"

#include "auth/session.h"
#include "cache/cache.h"
#include "municipalities/municipalities.h"

#include <string.h>

const struct changes_source changes_sources[] = {
    /* session.c: the account behind a token */
    {"accounts", "SELECT role, municipality_id, secretariat_area, cpf, active FROM users"},
    /* municipalities.c: each viewer's municipality_json (the resource's view) */
    {"municipalities",
     "SELECT municipality_json(m, v) FROM municipalities m,"
     " unnest(ARRAY['(,,,,)', '(1,secretariat,,coordination,)', '(2,mayor,5002704,,)']"
     "        ::pacto_viewer[]) AS v"},
    /* municipalities.c: pages of the public list, every filter used */
    {"municipality pages", "SELECT j FROM municipality_rows('(,,,,)', jsonb_build_object("
                           "  'state', 'MS', 'region', 'centro_oeste', 'q', 'campo',"
                           "  'cycle_id', (SELECT max(id) FROM cycles)::text, 'adhered', false))"},
    /* focalization: the focal_challenge filter of the list; the
     * views above read the focal challenges too */
    {"municipality pages, focal filter",
     "SELECT j FROM municipality_rows('(,,,,)', jsonb_build_object("
     "  'focal_challenge', (SELECT max(id) FROM challenges)::text))"},
};
const int changes_sources_count = sizeof changes_sources / sizeof changes_sources[0];

static void evict(struct cache *c, const char *key)
{
    if (strcmp(key, "*") == 0)
        cache_clear(c);
    else
        cache_evict(c, key);
}

void changes_on_notify(const char *payload)
{
    const char *colon = strchr(payload, ':');
    if (!colon)
        return;
    size_t n = (size_t)(colon - payload);
    const char *key = colon + 1;
    if (n == 5 && strncmp(payload, "users", n) == 0) {
        evict(session_cache(), key);
        if (strcmp(key, "*") == 0) /* representatives are part of municipalities */
            cache_clear(municipalities_cache());
    } else if ((n == 9 && strncmp(payload, "adhesions", n) == 0) ||
               (n == 6 && strncmp(payload, "cycles", n) == 0)) {
        cache_clear(municipalities_cache());
        cache_clear(municipalities_list_cache()); /* the cycle_id + adhered filter */
    } else if (n == 14 && strncmp(payload, "municipalities", n) == 0) {
        evict(municipalities_cache(), key);
        cache_clear(municipalities_list_cache());
    } else if ((n == 10 && strncmp(payload, "challenges", n) == 0) ||
               (n == 17 && strncmp(payload, "focalization_runs", n) == 0) ||
               (n == 20 && strncmp(payload, "focalization_results", n) == 0) ||
               (n == 15 && strncmp(payload, "focal_overrides", n) == 0)) {
        /* focalization: a municipality's focal_challenges */
        cache_clear(municipalities_cache());
        cache_clear(municipalities_list_cache());
    } else if (n == 6 && strncmp(payload, "states", n) == 0) {
        cache_clear(municipalities_cache());
        cache_clear(municipalities_list_cache());
    }
}

void changes_on_listener(bool listening)
{
    cache_set_enabled(session_cache(), listening);
    cache_set_enabled(municipalities_cache(), listening);
    cache_set_enabled(municipalities_list_cache(), listening);
}
