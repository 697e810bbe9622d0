/*
 * Watchdogs for blocking libpq calls (see watchdog.h): one thread each,
 * waiting on a condition variable until it is stopped or its deadline
 * passes. They are started once per values import, so a thread each is
 * cheap enough and keeps the code obvious.
 */
#include "db/watchdog.h"

#include "log/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

struct db_watchdog {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct timespec until; /* CLOCK_MONOTONIC */
    int fd;
    bool stopped, fired;
};

static void *watch(void *arg)
{
    struct db_watchdog *w = arg;
    pthread_mutex_lock(&w->lock);
    int rc = 0;
    while (!w->stopped && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&w->wake, &w->lock, &w->until);
    if (!w->stopped) {
        w->fired = true;
        shutdown(w->fd, SHUT_RDWR);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

struct db_watchdog *db_watchdog_start(int fd, int ms)
{
    struct db_watchdog *w = calloc(1, sizeof *w);
    pthread_condattr_t attr;
    if (!w || fd < 0 || pthread_condattr_init(&attr) != 0) {
        free(w);
        log_msg(LOG_WARN, "database watchdog: cannot start one");
        return NULL;
    }
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    w->fd = fd;
    clock_gettime(CLOCK_MONOTONIC, &w->until);
    w->until.tv_sec += ms / 1000;
    w->until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (w->until.tv_nsec >= 1000000000L) {
        w->until.tv_sec++;
        w->until.tv_nsec -= 1000000000L;
    }
    if (pthread_create(&w->thread, NULL, watch, w) != 0) {
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
        log_msg(LOG_WARN, "database watchdog: cannot start its thread");
        return NULL;
    }
    return w;
}

bool db_watchdog_stop(struct db_watchdog *w)
{
    if (!w)
        return false;
    pthread_mutex_lock(&w->lock);
    w->stopped = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    bool fired = w->fired;
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
    return fired;
}
