/*
 * A deadline for blocking libpq calls. Code that drives a connection in
 * blocking mode itself (a COPY and the long statements of a values import)
 * has no per-call deadline, and a frozen server (stopped, not down) would
 * hold such a call for ever. A watchdog shuts the connection's socket down
 * when its time is up, so every blocking call on it returns an error at
 * once; the connection is then broken, and db_release drops it.
 */
#ifndef PACTO_DB_WATCHDOG_H
#define PACTO_DB_WATCHDOG_H

#include <stdbool.h>

struct db_watchdog;

/* Starts watching socket fd (PQsocket of the connection) for ms
 * milliseconds. NULL when no watchdog could be started (logged): the calls
 * then run without one. */
struct db_watchdog *db_watchdog_start(int fd, int ms);

/* Stops and frees w (NULL is fine). Returns true when it fired: the socket
 * was shut down and the calls made under it failed for lack of time. */
bool db_watchdog_stop(struct db_watchdog *w);

#endif
