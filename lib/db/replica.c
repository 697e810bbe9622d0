/*
 * The replica monitor (see replica.h).
 *
 * One query, ten times a second, on a connection of its own. On a standby,
 * the lag is how old the last replayed commit is while WAL it has received
 * still waits to be replayed, and 0 once it has replayed all it received
 * (an idle primary makes no commits to be behind of). A server that is not
 * in recovery (a read URL that names a primary, as some tests do) has
 * replayed everything by definition: its position is its own WAL's end.
 */
#include "db/replica.h"

#include "db/db.h"
#include "db/lsn.h"
#include "log/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POLL_US          100000
#define STALE_MS         1000
#define CALL_DEADLINE_MS 500

static const char SQL_REPLICA_STATE[] =
    "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
    "             ELSE pg_current_wal_lsn() END)::text,"
    "       CASE WHEN NOT pg_is_in_recovery() THEN 0"
    "            WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn()"
    "            THEN 0"
    "            ELSE (extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::bigint"
    "       END";

static const struct db_stmt STMT_REPLAYED = {
    .name = "replica_replayed",
    .sql = "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
           "             ELSE pg_current_wal_lsn() END)::text",
};

static struct {
    pthread_t thread;
    bool running;
    atomic_bool stop;
    char *url;
    atomic_ullong replay_lsn;
    atomic_llong lag_ms;  /* -1: unknown */
    atomic_llong seen_ms; /* monotonic ms of the last answer; 0: never */
    atomic_ulong reads_replica, reads_primary;
} mon = {.lag_ms = -1};

static long long monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* One look at the replica. False when it did not answer. */
static bool look(struct db_conn *c)
{
    PGresult *r = db_exec_sql(c, SQL_REPLICA_STATE);
    if (!r)
        return false;
    uint64_t lsn = 0;
    bool ok = PQntuples(r) == 1 && db_lsn_parse(PQgetvalue(r, 0, 0), &lsn);
    if (ok) {
        atomic_store(&mon.replay_lsn, lsn);
        atomic_store(&mon.lag_ms, PQgetisnull(r, 0, 1) ? -1 : atoll(PQgetvalue(r, 0, 1)));
        atomic_store(&mon.seen_ms, monotonic_ms());
    }
    PQclear(r);
    return ok;
}

static void *monitor_main(void *arg)
{
    (void)arg;
    bool warned = false;
    while (!atomic_load(&mon.stop)) {
        struct db_conn *c = db_open_quiet(mon.url);
        if (c) {
            db_set_call_deadline(c, CALL_DEADLINE_MS);
            if (warned)
                log_msg(LOG_INFO, "replica is back: public reads may go to it again");
            warned = false;
            while (!atomic_load(&mon.stop) && look(c))
                usleep(POLL_US);
            db_close(c);
        }
        if (!warned && !atomic_load(&mon.stop)) {
            log_msg(LOG_WARN, "replica unreachable: every read goes to the primary");
            warned = true;
        }
        for (int i = 0; i < 10 && !atomic_load(&mon.stop); i++)
            usleep(POLL_US);
    }
    return NULL;
}

bool db_replica_monitor_start(const char *url)
{
    mon.url = strdup(url);
    atomic_store(&mon.stop, false);
    mon.running = mon.url && pthread_create(&mon.thread, NULL, monitor_main, NULL) == 0;
    return mon.running;
}

void db_replica_monitor_stop(void)
{
    if (!mon.running)
        return;
    atomic_store(&mon.stop, true);
    pthread_join(mon.thread, NULL);
    mon.running = false;
    free(mon.url);
    mon.url = NULL;
}

void db_replica_view(struct db_replica_view *out)
{
    long long seen = atomic_load(&mon.seen_ms);
    out->configured = mon.running;
    out->up = mon.running && seen && monotonic_ms() - seen <= STALE_MS;
    out->replay_lsn = atomic_load(&mon.replay_lsn);
    out->lag_ms = atomic_load(&mon.lag_ms);
}

bool db_replica_has_replayed(struct db_conn *c, unsigned long long lsn)
{
    PGresult *r = db_exec(c, &STMT_REPLAYED, 0, NULL);
    uint64_t replayed = 0;
    bool ok = r && PQntuples(r) == 1 && db_lsn_parse(PQgetvalue(r, 0, 0), &replayed);
    PQclear(r);
    return ok && replayed >= lsn;
}

void db_replica_count_read(bool on_replica)
{
    atomic_fetch_add(on_replica ? &mon.reads_replica : &mon.reads_primary, 1);
}

void db_replica_render_metrics(struct buf *out)
{
    struct db_replica_view v;
    db_replica_view(&v);
    if (!v.configured)
        return;
    buf_printf(out,
               "# HELP pacto_replica_up Whether the read replica answered in the last second.\n"
               "# TYPE pacto_replica_up gauge\npacto_replica_up %d\n"
               "# HELP pacto_replica_lag_seconds How far the replica's replay is behind "
               "(-1: unknown).\n"
               "# TYPE pacto_replica_lag_seconds gauge\npacto_replica_lag_seconds %.3f\n"
               "# HELP pacto_replica_replay_lsn_bytes The WAL position the replica has "
               "replayed.\n"
               "# TYPE pacto_replica_replay_lsn_bytes gauge\npacto_replica_replay_lsn_bytes "
               "%llu\n"
               "# HELP pacto_public_reads_total Anonymous public reads, by the database that "
               "served them.\n"
               "# TYPE pacto_public_reads_total counter\n"
               "pacto_public_reads_total{target=\"replica\"} %lu\n"
               "pacto_public_reads_total{target=\"primary\"} %lu\n"
               "# HELP pacto_db_replica_connections_in_use Replica connections handed out.\n"
               "# TYPE pacto_db_replica_connections_in_use gauge\n"
               "pacto_db_replica_connections_in_use %d\n",
               v.up ? 1 : 0, v.lag_ms < 0 ? -1.0 : (double)v.lag_ms / 1000.0,
               (unsigned long long)v.replay_lsn, atomic_load(&mon.reads_replica),
               atomic_load(&mon.reads_primary), db_read_in_use());
}
