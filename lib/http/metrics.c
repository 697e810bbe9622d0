/*
 * In-memory metrics (see metrics.h). Every counter is an atomic in a table
 * laid out at first use per route, so recording a request takes no lock:
 * worker threads never wait on each other here.
 */
#include "http/metrics.h"

#include "db/db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define MAX_ROUTES 64

static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])
static const char *const methods[] = {"GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS", "other"};
#define NMETHODS (sizeof methods / sizeof methods[0])
#define NSTATUS  500 /* statuses 100..599 */

struct route_metrics {
    _Atomic(const char *) route;
    atomic_ulong requests[NMETHODS][NSTATUS];
    atomic_ulong buckets[NBOUNDS];
    atomic_ulong count;
    atomic_ulong micros; /* sum of durations */
};

static struct route_metrics table[MAX_ROUTES];
static pthread_mutex_t claim = PTHREAD_MUTEX_INITIALIZER;

/* The slot of a route; claiming a new slot is the only locked step, once per route. */
static struct route_metrics *slot(const char *route)
{
    for (int i = 0; i < MAX_ROUTES; i++) {
        const char *r = atomic_load(&table[i].route);
        if (r == route)
            return &table[i];
        if (!r) {
            pthread_mutex_lock(&claim);
            struct route_metrics *m = NULL;
            for (int j = i; j < MAX_ROUTES && !m; j++) {
                const char *rj = atomic_load(&table[j].route);
                if (rj == route || !rj) {
                    if (!rj)
                        atomic_store(&table[j].route, route);
                    m = &table[j];
                }
            }
            pthread_mutex_unlock(&claim);
            return m;
        }
    }
    return NULL;
}

void metrics_observe(const char *route, const char *method, int status, double seconds)
{
    struct route_metrics *m = slot(route);
    if (!m || status < 100 || status > 599)
        return;
    size_t mi = 0;
    while (mi < NMETHODS - 1 && strcmp(methods[mi], method) != 0)
        mi++;
    atomic_fetch_add(&m->requests[mi][status - 100], 1);
    for (size_t b = 0; b < NBOUNDS; b++)
        if (seconds <= bounds[b])
            atomic_fetch_add(&m->buckets[b], 1);
    atomic_fetch_add(&m->count, 1);
    atomic_fetch_add(&m->micros, (unsigned long)(seconds * 1e6));
}

void metrics_render(struct buf *out)
{
    buf_puts(out, "# HELP pacto_http_requests_total HTTP requests answered.\n"
                  "# TYPE pacto_http_requests_total counter\n");
    for (int i = 0; i < MAX_ROUTES; i++) {
        const char *route = atomic_load(&table[i].route);
        for (size_t mi = 0; route && mi < NMETHODS; mi++)
            for (int st = 0; st < NSTATUS; st++) {
                unsigned long n = atomic_load(&table[i].requests[mi][st]);
                if (n)
                    buf_printf(out,
                               "pacto_http_requests_total{route=\"%s\",method=\"%s\","
                               "status=\"%d\"} %lu\n",
                               route, methods[mi], st + 100, n);
            }
    }
    buf_puts(out, "# HELP pacto_http_request_duration_seconds Time to answer a request.\n"
                  "# TYPE pacto_http_request_duration_seconds histogram\n");
    for (int i = 0; i < MAX_ROUTES; i++) {
        const char *route = atomic_load(&table[i].route);
        if (!route)
            continue;
        for (size_t b = 0; b < NBOUNDS; b++)
            buf_printf(out,
                       "pacto_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n",
                       route, bounds[b], atomic_load(&table[i].buckets[b]));
        unsigned long count = atomic_load(&table[i].count);
        buf_printf(out,
                   "pacto_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n"
                   "pacto_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                   "pacto_http_request_duration_seconds_count{route=\"%s\"} %lu\n",
                   route, count, route, (double)atomic_load(&table[i].micros) / 1e6, route, count);
    }
    buf_printf(out,
               "# HELP pacto_db_errors_total Database errors (connection failures and failed "
               "statements other than constraint violations).\n"
               "# TYPE pacto_db_errors_total counter\npacto_db_errors_total %lu\n"
               "# HELP pacto_db_connections_in_use Database connections handed out now.\n"
               "# TYPE pacto_db_connections_in_use gauge\npacto_db_connections_in_use %d\n",
               db_error_count(), db_in_use());
}
