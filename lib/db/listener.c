/*
 * The notification listener thread (see db_listener_start in db.h): one
 * dedicated connection that waits for NOTIFYs committed by other sessions,
 * so cached rows are evicted within moments of any change, wherever it was
 * made.
 *
 * Every wait of the thread is bounded, so that db_listener_stop returns
 * within seconds even while PostgreSQL is frozen: db_open gives up after
 * three seconds when the server accepts the connection but never answers
 * (or never answers LISTEN), db_poll_notifications wakes every 250 ms to
 * look at the stop flag, and closing does not wait for the server. As it
 * sends nothing, it cannot tell a frozen server from a quiet one; over TCP,
 * the keepalives of db.c notice a dead one.
 */
#include "db/db.h"

#include "log/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct {
    pthread_t thread;
    atomic_bool stop;
    bool running;
    char *url;
    void (*on_state)(bool listening);
} listener;

static void *listener_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&listener.stop)) {
        struct db_conn *c = db_open(listener.url);
        if (c) {
            listener.on_state(true);
            while (!atomic_load(&listener.stop) && db_poll_notifications(c, 250))
                ;
            listener.on_state(false);
            if (!atomic_load(&listener.stop))
                log_msg(LOG_WARN, "change listener lost its connection; caches are off until "
                                  "it is back");
            db_close(c);
        }
        for (int i = 0; i < 4 && !atomic_load(&listener.stop); i++)
            usleep(250000);
    }
    return NULL;
}

bool db_listener_start(const char *url, void (*on_state)(bool listening))
{
    listener.url = strdup(url);
    listener.on_state = on_state;
    atomic_store(&listener.stop, false);
    listener.running =
        listener.url && pthread_create(&listener.thread, NULL, listener_main, NULL) == 0;
    return listener.running;
}

void db_listener_stop(void)
{
    if (!listener.running)
        return;
    atomic_store(&listener.stop, true);
    pthread_join(listener.thread, NULL);
    listener.running = false;
    free(listener.url);
    listener.url = NULL;
}
