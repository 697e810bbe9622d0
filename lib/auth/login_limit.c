/*
 * Failed-login throttling (see login_limit.h).
 *
 * One fixed table of LL_SLOTS entries, keyed by "a:<account>" and
 * "i:<address>", guarded by one mutex. Each entry counts failures in a fixed
 * window that starts at its first failure; once the window has passed, the
 * entry counts as empty and its next failure starts a new window.
 *
 * Lookups scan the whole table. That is a few microseconds, next to the tens
 * of milliseconds Argon2 spends on every login, and it makes eviction exact:
 * when the table is full the entry to forget is an expired one if any, else
 * the least recently failed entry that is not locked, and only as a last
 * resort a locked one. An attacker spraying failures from many addresses
 * therefore pushes out its own one-failure entries before it can push out a
 * victim account's lock.
 */
#include "auth/login_limit.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define LL_SLOTS 4096
/* "a:" + a 254-byte e-mail address + NUL fits; longer keys are cut, which
 * can only merge keys that are not valid e-mail addresses or IP addresses. */
#define LL_KEY_MAX 264

struct ll_entry {
    bool used;
    uint64_t hash;
    char key[LL_KEY_MAX];
    int failures;
    time_t window_start; /* time of the first failure in the window */
    time_t last_failure;
};

static pthread_mutex_t ll_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ll_entry ll_table[LL_SLOTS];

static void ll_make_key(char key[LL_KEY_MAX], char kind, const char *name)
{
    key[0] = kind;
    key[1] = ':';
    size_t n = strnlen(name, LL_KEY_MAX - 3);
    memcpy(key + 2, name, n);
    key[2 + n] = '\0';
}

/* FNV-1a: only a fast pre-filter before strcmp, so it need not be keyed. */
static uint64_t ll_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static bool ll_expired(const struct ll_entry *e, time_t now)
{
    return now - e->window_start >= LOGIN_LIMIT_WINDOW;
}

static struct ll_entry *ll_find(const char *key, uint64_t hash)
{
    for (size_t i = 0; i < LL_SLOTS; i++) {
        struct ll_entry *e = &ll_table[i];
        if (e->used && e->hash == hash && strcmp(e->key, key) == 0)
            return e;
    }
    return NULL;
}

static bool ll_locked(const struct ll_entry *e, time_t now)
{
    int limit = e->key[0] == 'a' ? LOGIN_LIMIT_PER_ACCOUNT : LOGIN_LIMIT_PER_ADDRESS;
    return !ll_expired(e, now) && e->failures >= limit;
}

/* The slot to reuse when `key` has no entry: see the eviction order above. */
static struct ll_entry *ll_victim(time_t now)
{
    struct ll_entry *unlocked = NULL, *locked = NULL;
    for (size_t i = 0; i < LL_SLOTS; i++) {
        struct ll_entry *e = &ll_table[i];
        if (!e->used || ll_expired(e, now))
            return e;
        struct ll_entry **best = ll_locked(e, now) ? &locked : &unlocked;
        if (!*best || e->last_failure < (*best)->last_failure)
            *best = e;
    }
    return unlocked ? unlocked : locked;
}

static void ll_fail_key(char kind, const char *name, time_t now)
{
    char key[LL_KEY_MAX];
    ll_make_key(key, kind, name);
    uint64_t hash = ll_hash(key);
    struct ll_entry *e = ll_find(key, hash);
    if (!e) {
        e = ll_victim(now);
        memset(e, 0, sizeof *e);
        e->used = true;
        e->hash = hash;
        memcpy(e->key, key, sizeof key);
    }
    if (e->failures == 0 || ll_expired(e, now)) {
        e->failures = 0;
        e->window_start = now;
    }
    if (e->failures < INT32_MAX)
        e->failures++;
    e->last_failure = now;
}

/* Seconds until the key may try again; 0 when it may now. */
static int ll_wait(char kind, const char *name, time_t now)
{
    char key[LL_KEY_MAX];
    ll_make_key(key, kind, name);
    const struct ll_entry *e = ll_find(key, ll_hash(key));
    if (!e || !ll_locked(e, now))
        return 0;
    time_t left = e->window_start + LOGIN_LIMIT_WINDOW - now;
    /* A clock that stepped backwards must not lock anyone for longer than
     * one window. */
    if (left > LOGIN_LIMIT_WINDOW)
        left = LOGIN_LIMIT_WINDOW;
    return left < 1 ? 1 : (int)left;
}

bool login_limit_check(const char *account, const char *address, time_t now, int *retry_after)
{
    int wait = 0;
    pthread_mutex_lock(&ll_lock);
    if (account) {
        int w = ll_wait('a', account, now);
        wait = w > wait ? w : wait;
    }
    if (address) {
        int w = ll_wait('i', address, now);
        wait = w > wait ? w : wait;
    }
    pthread_mutex_unlock(&ll_lock);
    if (retry_after)
        *retry_after = wait;
    return wait == 0;
}

void login_limit_fail(const char *account, const char *address, time_t now)
{
    pthread_mutex_lock(&ll_lock);
    if (account)
        ll_fail_key('a', account, now);
    if (address)
        ll_fail_key('i', address, now);
    pthread_mutex_unlock(&ll_lock);
}

void login_limit_success(const char *account)
{
    if (!account)
        return;
    char key[LL_KEY_MAX];
    ll_make_key(key, 'a', account);
    uint64_t hash = ll_hash(key);
    pthread_mutex_lock(&ll_lock);
    struct ll_entry *e = ll_find(key, hash);
    if (e)
        memset(e, 0, sizeof *e);
    pthread_mutex_unlock(&ll_lock);
}

void login_limit_reset(void)
{
    pthread_mutex_lock(&ll_lock);
    memset(ll_table, 0, sizeof ll_table);
    pthread_mutex_unlock(&ll_lock);
}
