/*
 * PostgreSQL access: one process-wide pool of connections shared by the HTTP
 * worker threads, statements prepared once per connection, transactions, and
 * errors classified so the HTTP layer can answer 409/503/500 correctly.
 */
#ifndef PACTO_DB_DB_H
#define PACTO_DB_DB_H

#include <libpq-fe.h>
#include <stdbool.h>

/* A statement known by name. Names must be unique in the program; define each
 * as a static const next to the code that runs it. */
struct db_stmt {
    const char *name;
    const char *sql;
};

enum db_error {
    DB_OK = 0,
    DB_UNAVAILABLE,           /* cannot connect, or the connection was lost */
    DB_UNIQUE_VIOLATION,      /* SQLSTATE 23505 */
    DB_FOREIGN_KEY_VIOLATION, /* 23503 */
    DB_CHECK_VIOLATION,       /* 23514, 23502, 22xxx data exceptions */
    DB_SERIALIZATION,         /* 40001, 40P01 */
    DB_TIMEOUT,               /* 57014 statement timeout, or no answer by the deadline */
    DB_FAILED                 /* anything else: a bug or an operator problem */
};

struct db_conn;

/* What the client-side deadline of a pool statement adds to the server's
 * statement_timeout by default: time for the server's own timeout error to
 * arrive, so that the deadline only ever fires on a server that cannot
 * answer at all. */
#define DB_DEADLINE_MARGIN_MS 1000

/* Creates the pool; connections are opened lazily. `url` is a libpq URL or
 * conninfo string. Returns false if the arguments are unusable. Statements
 * get statement_timeout_ms + DB_DEADLINE_MARGIN_MS as their deadline (none
 * when statement_timeout_ms is 0) until db_pool_set_deadline says otherwise. */
bool db_pool_init(const char *url, int size, int statement_timeout_ms);
/* Sets the client-side deadline of every call on a pool connection (0: none).
 * A call (db_exec, db_exec_sql, db_begin, db_commit, the rollback of
 * db_release) that gets no complete answer from PostgreSQL within it fails
 * with DB_TIMEOUT and closes its connection, so a frozen or unreachable
 * server cannot hold a request for longer. It should exceed the statement
 * timeout, which a server that is alive enforces first. Call after
 * db_pool_init, before the first db_acquire. */
void db_pool_set_deadline(int deadline_ms);
/* Closes every connection of both pools. No db_conn may be in use. */
void db_pool_shutdown(void);

/* Creates the pool of a streaming replica (PACTO_DATABASE_READ_URL), with the
 * settings of the primary's: call after db_pool_init and db_pool_set_pooler,
 * before the first acquire. Its connections never LISTEN (a standby cannot),
 * and what they read may be older than the primary: only callers that may
 * see that take one (anonymous public reads, see http/request.c). */
bool db_read_pool_init(const char *url, int size);
bool db_read_pool_configured(void);

/* Through a pooler in transaction mode (PACTO_DB_POOLER=transaction), which
 * gives each transaction any server connection: statements are sent unnamed
 * (no prepared statement outlives its call), pool connections do not LISTEN
 * (the listener must connect directly), and no startup options are sent
 * (pgbouncer refuses them: set statement_timeout on the role). Call after
 * db_pool_init, before db_read_pool_init and the first acquire. */
void db_pool_set_pooler(bool transaction);

/* Takes a connection, waiting at most wait_ms for a free one, connecting if
 * needed (within 3 s, not blocking on a server that does not answer).
 * Returns NULL when none is free in time or PostgreSQL is unreachable; for
 * one second after a failed connect, or after a statement got no answer by
 * its deadline, acquires that would have to connect fail fast. */
struct db_conn *db_acquire(int wait_ms);
/* db_acquire for a caller that must answer promptly whatever PostgreSQL does
 * (/readyz): waiting, connecting and every call on the connection until
 * db_release together take at most budget_ms (plus moments to close a
 * connection). A call that reaches the end of the budget fails with
 * DB_TIMEOUT and closes its connection. */
struct db_conn *db_acquire_within(int budget_ms);
/* db_acquire and db_acquire_within from the replica's pool. NULL when there
 * is none, or as db_acquire; the caller then reads the primary. When the
 * first statement on the connection finds the replica gone, it is sent to
 * the primary instead (db_conn_on_replica turns false). */
struct db_conn *db_acquire_read(int wait_ms);
struct db_conn *db_acquire_read_within(int budget_ms);
/* True when c reads the replica (not the primary). */
bool db_conn_on_replica(const struct db_conn *c);

/* Returns c to the pool, rolling back an open transaction first. A broken
 * connection is closed and reopened on a later acquire. NULL is ignored. */
void db_release(struct db_conn *c);

/* Runs a prepared statement with text parameters (NULL entries are SQL NULL).
 * Returns the result (PQclear it) when it succeeded, else NULL with
 * db_last_error() set and the server's message logged. Any number of
 * distinct statements may be used; each is prepared once per connection.
 *
 * The first statement after db_acquire is retried once on a fresh connection
 * if the old one was found dead, which makes a PostgreSQL restart invisible
 * to clients. A lost connection does not tell whether the statement ran, so
 * the retry is only safe because that first statement must change nothing:
 * it is a read (SQL that starts with SELECT, not WITH, and calls no function
 * that writes) or a literal BEGIN (db_begin); writes come after it. Debug
 * builds assert this of every first statement; release builds run one that
 * breaks it without the retry. Connections from db_open are never retried.
 * Nor is a statement that got no answer by its deadline (DB_TIMEOUT; see
 * db_pool_set_deadline): that server is not restarting but unresponsive. */
PGresult *db_exec(struct db_conn *c, const struct db_stmt *s, int nparams,
                  const char *const *params);
/* db_exec for bytes: parameter i is lengths[i] bytes in binary when
 * formats[i] is 1 (text when 0; NULL arrays: all text), and every column of
 * the result comes in binary when result_format is 1 (bytea as its raw
 * bytes, no hex to decode). libpq sends the parameters from where they are. */
PGresult *db_exec_binary(struct db_conn *c, const struct db_stmt *s, int nparams,
                         const char *const *params, const int *lengths, const int *formats,
                         int result_format);
/* Runs literal SQL with no parameters (BEGIN, migrations). Same contract. */
PGresult *db_exec_sql(struct db_conn *c, const char *sql);

/* Opens a transaction; inside one already, does nothing and returns true. */
bool db_begin(struct db_conn *c);
bool db_commit(struct db_conn *c);
void db_rollback(struct db_conn *c);

enum db_error db_last_error(const struct db_conn *c);
/* The violated constraint's name after a 23xxx error, else "". */
const char *db_last_constraint(const struct db_conn *c);

/* The raw connection, for code that needs libpq directly (COPY, migrations). */
PGconn *db_pg(struct db_conn *c);

/* Receives the payload of every notification on `channel` that reaches a
 * pool connection: each pool connection LISTENs on it, so a change committed
 * through this server is reported on the committing connection before the
 * commit returns. Set before the first db_acquire. */
void db_set_notify_handler(const char *channel, void (*handler)(const char *payload));

/* Starts a thread with its own connection that LISTENs on the channel of
 * db_set_notify_handler and passes on what other sessions commit. It calls
 * on_state(true) each time it is (re)connected and listening, and
 * on_state(false) when the connection is lost; it reconnects every second. */
bool db_listener_start(const char *url, void (*on_state)(bool listening));
void db_listener_stop(void);

/* Waits up to timeout_ms for input on c without sending anything, and passes
 * any notifications to the handler. Returns false when the connection is lost. */
bool db_poll_notifications(struct db_conn *c, int timeout_ms);

/* For /metrics: connections handed out now, and errors since start. */
int db_in_use(void);
int db_read_in_use(void);
unsigned long db_error_count(void);

/* Opens a standalone connection (commands, migrations) with the same settings
 * but neither statement timeout nor call deadline; connecting (and LISTEN,
 * when a notification handler is set) is bounded as in db_acquire.
 * Returns NULL and logs the reason on failure. Free with db_close(). */
struct db_conn *db_open(const char *url);
/* db_open that never LISTENs: for a standby, or to ask a server about
 * itself (the replica monitor). */
struct db_conn *db_open_quiet(const char *url);
/* Gives every later call on a db_open connection a deadline (0: none), as
 * db_pool_set_deadline does for the pool's. */
void db_set_call_deadline(struct db_conn *c, int deadline_ms);
void db_close(struct db_conn *c);

#endif
