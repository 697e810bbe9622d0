/*
 * Keeping the in-memory caches true: PostgreSQL notifies every change to a
 * cached table (sql/002_change_notify.sql), and this evicts the entry.
 */
#ifndef PACTO_API_CHANGES_H
#define PACTO_API_CHANGES_H

#include <stdbool.h>

/* The notification channel the triggers use. */
#define CHANGES_CHANNEL "pacto_changes"

/* Handles one payload, "<table>:<key>" or "<table>:*". */
void changes_on_notify(const char *payload);

/* Caches are used only while changes can be heard: on when the listener is
 * connected, off (and emptied) when it is not. */
void changes_on_listener(bool listening);

/* What each cache is made of, as a query that reads everything an entry
 * can hold, for every kind of viewer. A test runs each one and checks that
 * every table it reads notifies its changes: a cache of a table that does
 * not would serve stale data. Add a line here with every new cache. */
struct changes_source {
    const char *cache;
    const char *sql;
};
extern const struct changes_source changes_sources[];
extern const int changes_sources_count;

#endif
