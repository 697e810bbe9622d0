/*
 * The replica monitor: a thread that asks the streaming replica
 * (PACTO_DATABASE_READ_URL) ten times a second how far it has replayed the
 * primary's WAL and how far behind it is, so that routing a read costs no
 * query, and /metrics and /readyz can tell.
 */
#ifndef PACTO_DB_REPLICA_H
#define PACTO_DB_REPLICA_H

#include "core/buf.h"
#include "db/route.h"

#include <stdbool.h>

struct db_conn;

/* Starts watching the replica at url with its own connection (never one of
 * the pool's). Returns false when the thread cannot start. */
bool db_replica_monitor_start(const char *url);
/* Stops the thread; returns within a second whatever the replica does. */
void db_replica_monitor_stop(void);

/* The replica as last seen. It counts as down when the last answer is more
 * than a second old, so a replica that stops answering is not read from
 * for longer than that (and a read that finds it gone goes to the primary,
 * see db_acquire_read). configured is false when no monitor runs. */
void db_replica_view(struct db_replica_view *out);

/* Asks the replica on c (one of its pool's) whether it has replayed lsn
 * now. False also when it cannot tell (the statement failed). */
bool db_replica_has_replayed(struct db_conn *c, unsigned long long lsn);

/* Counts one routed read: to the replica, or to the primary instead. */
void db_replica_count_read(bool on_replica);

/* Appends the replica's Prometheus metrics (up, lag, reads by target). */
void db_replica_render_metrics(struct buf *out);

#endif
