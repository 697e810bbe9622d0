/*
 * Where a read goes: the primary or the replica. Pure decisions on what the
 * replica monitor (replica.h) last saw, so that they can be tested alone.
 */
#ifndef PACTO_DB_ROUTE_H
#define PACTO_DB_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

/* The replica as last seen. */
struct db_replica_view {
    bool configured;     /* PACTO_DATABASE_READ_URL is set */
    bool up;             /* answered recently */
    uint64_t replay_lsn; /* replayed up to here (0: unknown) */
    long long lag_ms;    /* behind the primary by this much; < 0: unknown */
};

enum db_target {
    DB_TARGET_PRIMARY,
    DB_TARGET_REPLICA,
    /* The replica, if asked now it has replayed min_lsn (it had not when
     * last seen; replaying usually takes far less than the monitor's
     * interval); else the primary. */
    DB_TARGET_REPLICA_IF_REPLAYED
};

/* Where an anonymous public read goes. min_lsn is the commit position the
 * client presented in Pacto-Consistency (0: none): the replica serves it only
 * when it has replayed that far, so nobody reads older data than they just
 * wrote (DB_TARGET_REPLICA_IF_REPLAYED when the last look was short of it). It also serves nothing
 * while down, while its lag is unknown, or while it lags more than max_lag_ms (0: no bound). */
enum db_target db_route_read(const struct db_replica_view *v, uint64_t min_lsn, int max_lag_ms);

#endif
