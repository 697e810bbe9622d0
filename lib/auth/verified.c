/*
 * Remembered token verifications (see verified.h).
 */
#include "auth/verified.h"

#include "cache/cache.h"
#include "core/buf.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Each entry is keyed by the whole token, so only the very same bytes find
 * it; it holds the claims verified from them. */
static struct cache *verified;
static pthread_once_t verified_once = PTHREAD_ONCE_INIT;

static void create_verified(void)
{
    verified = cache_create(50000);
    if (!verified)
        abort();
    cache_set_enabled(verified, true); /* tokens never change: nothing to be told */
}

enum token_result token_verify_remembered(const struct token_config *c, const char *token,
                                          time_t now, struct token_claims *out)
{
    pthread_once(&verified_once, create_verified);
    struct buf hit = {0};
    if (strlen(token) <= TOKEN_MAX_LEN && cache_get(verified, token, &hit) &&
        hit.len == sizeof *out) {
        memcpy(out, hit.data, sizeof *out);
        buf_free(&hit);
        long long leeway = c->leeway_seconds > 0 ? c->leeway_seconds : 0;
        if ((long long)now < (long long)out->exp + leeway) /* as token_verify judges it */
            return TOKEN_OK;
        cache_evict(verified, token);
        return TOKEN_EXPIRED;
    }
    buf_free(&hit);
    unsigned long generation = cache_generation(verified);
    enum token_result r = token_verify(c, token, now, out);
    if (r == TOKEN_OK)
        cache_put(verified, token, out, sizeof *out, generation);
    return r;
}
