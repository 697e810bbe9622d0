/*
 * A bounded in-memory cache of byte strings by string key, for rows that are
 * read on every request and change rarely (accounts, municipalities).
 *
 * Correctness rests on invalidation: whoever learns that a row changed calls
 * cache_evict (see lib/api/changes.c, fed by PostgreSQL NOTIFY). A reader that
 * missed takes cache_generation() *before* reading the database and passes it
 * to cache_put, which stores nothing if anything was evicted in between; so a
 * value read before a change can never be cached after it.
 */
#ifndef PACTO_CACHE_CACHE_H
#define PACTO_CACHE_CACHE_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>

struct cache;

/* A cache of at most max_entries entries, created disabled. Returns NULL on
 * allocation failure. */
struct cache *cache_create(size_t max_entries);
void cache_destroy(struct cache *c);

/* Appends the value of key to out and returns true; false on a miss or while
 * the cache is disabled. Thread-safe. */
bool cache_get(struct cache *c, const char *key, struct buf *out);

/* The eviction counter to pass to cache_put. */
unsigned long cache_generation(struct cache *c);

/* Stores a copy of value under key unless an eviction or clear happened since
 * `generation`, or the cache is disabled. When full, the cache is cleared:
 * simple, and rare at the sizes used. */
void cache_put(struct cache *c, const char *key, const void *value, size_t len,
               unsigned long generation);

void cache_evict(struct cache *c, const char *key);
void cache_clear(struct cache *c);

/* Disabled caches miss every get and ignore every put; enabling or disabling
 * also clears. Caches are disabled while changes cannot be observed. */
void cache_set_enabled(struct cache *c, bool enabled);

/* What the calling thread's current request may do with every cache, set
 * by the dispatcher (a request runs on one thread). A request that must see
 * a given commit (Pacto-Consistency) skips gets: a cache of this server may
 * not have heard of that commit yet. A request that reads a replica, which
 * may be older than the cache, must not put what it read. */
void cache_thread_begin(bool skip_gets);
/* From now on until cache_thread_begin, puts of this thread are dropped. */
void cache_thread_no_puts(void);
/* True when a get of this thread missed an enabled cache since
 * cache_thread_begin (not a skipped get): what it looks for will be read
 * and put, so it had better be read where the cache's evictions come from. */
bool cache_thread_missed(void);

#endif
