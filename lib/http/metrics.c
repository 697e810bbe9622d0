/*
 * In-memory metrics (see metrics.h). Series are few (routes x statuses), so a
 * small table under one mutex is simpler and fast enough.
 */
#include "http/metrics.h"

#include "db/db.h"

#include <pthread.h>
#include <string.h>

#define MAX_SERIES 512
#define MAX_ROUTES 64

static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])

static struct {
    pthread_mutex_t lock;
    struct {
        const char *route;
        char method[8];
        int status;
        unsigned long count;
    } series[MAX_SERIES];
    int nseries;
    struct {
        const char *route;
        unsigned long buckets[NBOUNDS];
        unsigned long count;
        double sum;
    } hist[MAX_ROUTES];
    int nhist;
} m = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void count_series(const char *route, const char *method, int status)
{
    for (int i = 0; i < m.nseries; i++)
        if (m.series[i].route == route && m.series[i].status == status &&
            strcmp(m.series[i].method, method) == 0) {
            m.series[i].count++;
            return;
        }
    if (m.nseries == MAX_SERIES)
        return;
    m.series[m.nseries].route = route;
    strncpy(m.series[m.nseries].method, method, sizeof m.series[0].method - 1);
    m.series[m.nseries].status = status;
    m.series[m.nseries].count = 1;
    m.nseries++;
}

static void observe_latency(const char *route, double seconds)
{
    int i = 0;
    while (i < m.nhist && m.hist[i].route != route)
        i++;
    if (i == m.nhist) {
        if (m.nhist == MAX_ROUTES)
            return;
        m.hist[m.nhist++].route = route;
    }
    for (size_t b = 0; b < NBOUNDS; b++)
        if (seconds <= bounds[b])
            m.hist[i].buckets[b]++;
    m.hist[i].count++;
    m.hist[i].sum += seconds;
}

void metrics_observe(const char *route, const char *method, int status, double seconds)
{
    pthread_mutex_lock(&m.lock);
    count_series(route, method, status);
    observe_latency(route, seconds);
    pthread_mutex_unlock(&m.lock);
}

void metrics_render(struct buf *out)
{
    pthread_mutex_lock(&m.lock);
    buf_puts(out, "# HELP pacto_http_requests_total HTTP requests answered.\n"
                  "# TYPE pacto_http_requests_total counter\n");
    for (int i = 0; i < m.nseries; i++)
        buf_printf(out, "pacto_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} %lu\n",
                   m.series[i].route, m.series[i].method, m.series[i].status, m.series[i].count);
    buf_puts(out, "# HELP pacto_http_request_duration_seconds Time to answer a request.\n"
                  "# TYPE pacto_http_request_duration_seconds histogram\n");
    for (int i = 0; i < m.nhist; i++) {
        for (size_t b = 0; b < NBOUNDS; b++)
            buf_printf(out,
                       "pacto_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n",
                       m.hist[i].route, bounds[b], m.hist[i].buckets[b]);
        buf_printf(out, "pacto_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n",
                   m.hist[i].route, m.hist[i].count);
        buf_printf(out, "pacto_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
                   m.hist[i].route, m.hist[i].sum);
        buf_printf(out, "pacto_http_request_duration_seconds_count{route=\"%s\"} %lu\n",
                   m.hist[i].route, m.hist[i].count);
    }
    pthread_mutex_unlock(&m.lock);
    buf_printf(out,
               "# HELP pacto_db_errors_total Database errors (connection failures and failed "
               "statements other than constraint violations).\n"
               "# TYPE pacto_db_errors_total counter\npacto_db_errors_total %lu\n"
               "# HELP pacto_db_connections_in_use Database connections handed out now.\n"
               "# TYPE pacto_db_connections_in_use gauge\npacto_db_connections_in_use %d\n",
               db_error_count(), db_in_use());
}
