/*
 * The cache (see cache.h): a chained hash table under one read-write lock.
 * Reads, the common case, proceed in parallel.
 */
#include "cache/cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 8192

struct entry {
    struct entry *next;
    size_t len;
    char *key;
    char value[];
};

struct cache {
    pthread_rwlock_t lock;
    struct entry *buckets[NBUCKETS];
    size_t count, max;
    atomic_ulong generation;
    atomic_bool enabled;
};

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h % NBUCKETS;
}

struct cache *cache_create(size_t max_entries)
{
    struct cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    pthread_rwlock_init(&c->lock, NULL);
    c->max = max_entries;
    return c;
}

/* Caller holds the write lock. */
static void clear_locked(struct cache *c)
{
    for (size_t i = 0; i < NBUCKETS; i++) {
        struct entry *e = c->buckets[i];
        while (e) {
            struct entry *next = e->next;
            free(e);
            e = next;
        }
        c->buckets[i] = NULL;
    }
    c->count = 0;
}

void cache_destroy(struct cache *c)
{
    if (!c)
        return;
    clear_locked(c);
    pthread_rwlock_destroy(&c->lock);
    free(c);
}

/* See cache_thread_begin. */
static _Thread_local struct {
    bool skip_gets, no_puts, missed;
} thread_policy;

void cache_thread_begin(bool skip_gets)
{
    thread_policy.skip_gets = skip_gets;
    thread_policy.no_puts = thread_policy.missed = false;
}

void cache_thread_no_puts(void) { thread_policy.no_puts = true; }

bool cache_thread_missed(void) { return thread_policy.missed; }

bool cache_get(struct cache *c, const char *key, struct buf *out)
{
    /* Not a miss: a disabled cache stores nothing, and a skipped get is the
     * caller's, whose put may follow (see cache_thread_missed). */
    if (!atomic_load(&c->enabled) || thread_policy.skip_gets)
        return false;
    bool hit = false;
    pthread_rwlock_rdlock(&c->lock);
    for (struct entry *e = c->buckets[hash(key)]; e; e = e->next)
        if (strcmp(e->key, key) == 0) {
            buf_append(out, e->value, e->len);
            hit = true;
            break;
        }
    pthread_rwlock_unlock(&c->lock);
    if (!hit)
        thread_policy.missed = true;
    return hit;
}

unsigned long cache_generation(struct cache *c) { return atomic_load(&c->generation); }

/* Caller holds the write lock. */
static void evict_locked(struct cache *c, const char *key)
{
    for (struct entry **p = &c->buckets[hash(key)]; *p; p = &(*p)->next)
        if (strcmp((*p)->key, key) == 0) {
            struct entry *e = *p;
            *p = e->next;
            free(e);
            c->count--;
            return;
        }
}

void cache_put(struct cache *c, const char *key, const void *value, size_t len,
               unsigned long generation)
{
    if (thread_policy.no_puts)
        return;
    size_t klen = strlen(key) + 1;
    struct entry *e = malloc(sizeof *e + len + klen);
    if (!e)
        return;
    e->len = len;
    memcpy(e->value, value, len);
    e->key = e->value + len;
    memcpy(e->key, key, klen);
    pthread_rwlock_wrlock(&c->lock);
    /* Checked under the lock: evictions take it too, so none can slip between. */
    if (!atomic_load(&c->enabled) || atomic_load(&c->generation) != generation) {
        pthread_rwlock_unlock(&c->lock);
        free(e);
        return;
    }
    evict_locked(c, key);
    if (c->count >= c->max)
        clear_locked(c);
    size_t h = hash(key);
    e->next = c->buckets[h];
    c->buckets[h] = e;
    c->count++;
    pthread_rwlock_unlock(&c->lock);
}

void cache_evict(struct cache *c, const char *key)
{
    pthread_rwlock_wrlock(&c->lock);
    atomic_fetch_add(&c->generation, 1);
    evict_locked(c, key);
    pthread_rwlock_unlock(&c->lock);
}

void cache_clear(struct cache *c)
{
    pthread_rwlock_wrlock(&c->lock);
    atomic_fetch_add(&c->generation, 1);
    clear_locked(c);
    pthread_rwlock_unlock(&c->lock);
}

void cache_set_enabled(struct cache *c, bool enabled)
{
    pthread_rwlock_wrlock(&c->lock);
    atomic_store(&c->enabled, enabled);
    atomic_fetch_add(&c->generation, 1);
    clear_locked(c);
    pthread_rwlock_unlock(&c->lock);
}
