/*
 * Read routing decisions (see route.h).
 */
#include "db/route.h"

#include <assert.h>

enum db_target db_route_read(const struct db_replica_view *v, uint64_t min_lsn, int max_lag_ms)
{
    assert(v && max_lag_ms >= 0);
    if (!v->configured || !v->up || v->lag_ms < 0)
        return DB_TARGET_PRIMARY;
    if (max_lag_ms > 0 && v->lag_ms > max_lag_ms)
        return DB_TARGET_PRIMARY;
    if (min_lsn == UINT64_MAX)
        return DB_TARGET_PRIMARY; /* not a position any database reaches */
    if (min_lsn && (!v->replay_lsn || v->replay_lsn < min_lsn))
        return DB_TARGET_REPLICA_IF_REPLAYED;
    return DB_TARGET_REPLICA;
}
