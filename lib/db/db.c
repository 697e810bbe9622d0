/*
 * The connection pool and statement execution (see db.h).
 *
 * A slot holds one PGconn and the set of statements already prepared on it.
 * Slots are handed out under one mutex; connecting and querying happen
 * outside it.
 *
 * Nothing here waits on PostgreSQL without a deadline. Connections are
 * non-blocking; every statement is sent with PQsend* and its results are
 * awaited with poll() on the socket until the call's deadline (the
 * statement timeout plus a margin, see db_pool_set_deadline), and connecting
 * polls PQconnectPoll until DB_CONNECT_TIMEOUT_MS. A server that is alive
 * answers a slow statement with its own statement_timeout error first, so a
 * deadline that passes means the server is frozen or unreachable: the
 * connection is closed (a later acquire opens a new one) and the call fails
 * with DB_TIMEOUT. It is not cancelled: PQcancel opens a new connection to
 * the same unresponsive server and blocks until it answers, and the server
 * drops the statement itself once it runs again and finds the client gone.
 *
 * There are two pools of the same kind: the primary's, and an optional one
 * for a streaming replica (db_read_pool_init). A replica connection whose
 * first statement finds the replica gone is reconnected to the primary for
 * that request (a "borrowed" connection, closed on release), so a replica
 * that stops makes no request fail. Through a transaction pooler
 * (db_pool_set_pooler) statements are sent unnamed, as a pooler that hands
 * each transaction another server connection cannot keep them, and pool
 * connections do not LISTEN.
 */
#include "db/db.h"

#include "log/log.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The statements prepared on one connection, by address: an open-addressing
 * hash set that doubles before it is half full, so there is no limit on how
 * many distinct statements a program may have. */
struct stmt_set {
    const struct db_stmt **slots; /* NULL: empty */
    size_t cap;                   /* 0 or a power of two */
    size_t count;
};

/* How long connecting (and LISTEN on the new connection) may take. */
#define DB_CONNECT_TIMEOUT_MS 3000

struct pool;

struct db_conn {
    struct pool *pool; /* NULL: a standalone connection (db_open) */
    bool borrowed;     /* a replica slot connected to the primary for one request */
    PGconn *pg;
    struct stmt_set prepared;
    bool busy;
    bool in_tx;
    int statements;         /* run since acquire; only the first may be retried */
    int deadline_ms;        /* per call; 0: calls may wait for ever (db_open) */
    long long budget_until; /* monotonic ms every call must end by; 0: none */
    bool timed_out;         /* the last call ran out of time; pg was closed */
    enum db_error error;
    char constraint[64];
};

/* A thread waiting for a connection. Connections are handed to waiters in
 * arrival order, so no request starves behind newcomers. */
struct waiter {
    pthread_cond_t wake;
    struct db_conn *conn;
    struct waiter *next;
};

struct pool {
    pthread_mutex_t lock;
    struct waiter *head, *tail;
    struct db_conn *slots;
    int size;
    int in_use;
    char *url;
    char options[64];
    bool listens; /* each connection LISTENs (not a replica's, nor through a pooler) */
    bool unnamed; /* no named prepared statements (a transaction pooler) */
    /* CLOCK_MONOTONIC milliseconds of the last failed connect, or of the
     * last statement the server left unanswered past its deadline; 0 for
     * none. Atomic because acquire reads it without the pool lock. */
    atomic_llong last_unreachable_ms;
};

static struct pool primary = {.lock = PTHREAD_MUTEX_INITIALIZER, .listens = true};
static struct pool replica = {.lock = PTHREAD_MUTEX_INITIALIZER};

static atomic_ulong errors_total;

static struct {
    char listen_sql[96];
    void (*handler)(const char *payload);
} notify;

static size_t stmt_slot(const struct stmt_set *set, const struct db_stmt *s)
{
    /* Fibonacci hashing of the address; statements are at least 8 bytes apart. */
    uint64_t h = ((uint64_t)(uintptr_t)s >> 3) * UINT64_C(11400714819323198485);
    size_t i = (size_t)(h >> 32) & (set->cap - 1);
    while (set->slots[i] && set->slots[i] != s)
        i = (i + 1) & (set->cap - 1);
    return i;
}

static bool stmt_set_has(const struct stmt_set *set, const struct db_stmt *s)
{
    return set->cap && set->slots[stmt_slot(set, s)] == s;
}

/* Makes room for one more statement, so that stmt_set_add cannot fail.
 * Returns false when out of memory; the set is unchanged then. */
static bool stmt_set_reserve(struct stmt_set *set)
{
    if (2 * (set->count + 1) <= set->cap)
        return true;
    struct stmt_set bigger = {.cap = set->cap ? 2 * set->cap : 64, .count = set->count};
    bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
    if (!bigger.slots)
        return false;
    for (size_t i = 0; i < set->cap; i++)
        if (set->slots[i])
            bigger.slots[stmt_slot(&bigger, set->slots[i])] = set->slots[i];
    free(set->slots);
    *set = bigger;
    return true;
}

/* Adds s after a successful stmt_set_reserve. */
static void stmt_set_add(struct stmt_set *set, const struct db_stmt *s)
{
    assert(2 * (set->count + 1) <= set->cap);
    size_t i = stmt_slot(set, s);
    if (!set->slots[i]) {
        set->slots[i] = s;
        set->count++;
    }
}

/* Forgets every statement (the connection was replaced), keeping the memory. */
static void stmt_set_clear(struct stmt_set *set)
{
    if (set->cap)
        memset(set->slots, 0, set->cap * sizeof *set->slots);
    set->count = 0;
}

static void stmt_set_free(struct stmt_set *set)
{
    free(set->slots);
    *set = (struct stmt_set){0};
}

/* Passes on every notification libpq has collected on this connection. */
static void drain_notifications(PGconn *pg)
{
    PGnotify *n;
    while ((n = PQnotifies(pg)) != NULL) {
        if (notify.handler)
            notify.handler(n->extra);
        PQfreemem(n);
    }
}

void db_set_notify_handler(const char *channel, void (*handler)(const char *payload))
{
    snprintf(notify.listen_sql, sizeof notify.listen_sql, "LISTEN %s", channel);
    notify.handler = handler;
}

/* Server notices ("relation already exists, skipping") are for operators of
 * psql, not for our log. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    log_msg(LOG_DEBUG, "database notice: %.200s", message);
}

static long long monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* The earlier of two monotonic deadlines, where 0 means none. */
static long long earlier(long long a, long long b)
{
    if (!a)
        return b;
    return (b && b < a) ? b : a;
}

/* When a call on c that starts now must be over: its per-call deadline,
 * cut short by the budget of db_acquire_within. 0: no limit. */
static long long call_deadline(const struct db_conn *c)
{
    return earlier(c->deadline_ms ? monotonic_ms() + c->deadline_ms : 0, c->budget_until);
}

/* When connecting c, starting now, must be over. */
static long long connect_deadline(const struct db_conn *c)
{
    return earlier(monotonic_ms() + DB_CONNECT_TIMEOUT_MS, c->budget_until);
}

/* Waits until pg's socket is ready for `events` or the deadline (monotonic
 * ms, 0: none) passes. Returns 1 when ready, 0 past the deadline, -1 when
 * there is no socket or poll fails. */
static int wait_socket(PGconn *pg, short events, long long deadline)
{
    int fd = PQsocket(pg);
    if (fd < 0)
        return -1;
    for (;;) {
        int timeout = -1;
        if (deadline) {
            long long left = deadline - monotonic_ms();
            if (left <= 0)
                return 0;
            timeout = left > INT_MAX ? INT_MAX : (int)left;
        }
        struct pollfd pfd = {.fd = fd, .events = events};
        int n = poll(&pfd, 1, timeout);
        if (n > 0)
            return 1;
        if (n < 0 && errno != EINTR)
            return -1;
    }
}

/* Closes c's connection and forgets what was prepared on it. */
static void close_conn(struct db_conn *c)
{
    PQfinish(c->pg); /* non-blocking: does not wait for a frozen server */
    c->pg = NULL;
    stmt_set_clear(&c->prepared);
}

/* Sends what a PQsend* call queued and collects its results, by deadline.
 * Returns the last result, as PQexec does (the error, when one statement of
 * several failed), or NULL when the connection failed (PQerrorMessage says
 * why). Past the deadline the connection is closed, c->timed_out is set
 * and NULL is returned. */
static PGresult *finish_call(struct db_conn *c, long long deadline)
{
    PGconn *pg = c->pg;
    PGresult *last = NULL;
    int flushed, ready = 1;
    while ((flushed = PQflush(pg)) == 1) {
        if ((ready = wait_socket(pg, POLLIN | POLLOUT, deadline)) <= 0 || !PQconsumeInput(pg))
            break;
    }
    while (flushed == 0) {
        while (PQisBusy(pg) && (ready = wait_socket(pg, POLLIN, deadline)) > 0 &&
               PQconsumeInput(pg))
            ;
        if (PQisBusy(pg))
            break; /* out of time, or the connection failed */
        PGresult *r = PQgetResult(pg);
        if (!r)
            return last;
        PQclear(last);
        last = r;
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH ||
            PQstatus(pg) == CONNECTION_BAD)
            return last;
    }
    if (ready == 0) {
        PQclear(last);
        close_conn(c);
        c->timed_out = true;
        return NULL;
    }
    /* The connection failed: a result that says why (57P01 after a
     * restart) is better than none. Closed if libpq still thinks it open,
     * as it is mid-call and could not run another statement. */
    if (PQstatus(pg) != CONNECTION_BAD) {
        log_msg(LOG_ERROR, "database connection failed mid-call: %.200s", PQerrorMessage(pg));
        close_conn(c);
    }
    return last;
}

/* LISTENs on the channel of db_set_notify_handler, by the deadline. */
static bool listen_on(struct db_conn *c, long long deadline)
{
    PGresult *r = PQsendQuery(c->pg, notify.listen_sql) ? finish_call(c, deadline) : NULL;
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok;
}

/* Options for every connection; the URL may override them (they come before
 * it). Keepalives and tcp_user_timeout let the kernel notice a dead server
 * or a broken network over TCP, also on idle and listener connections; they
 * do not apply to a Unix-domain socket (as the test cluster uses), where
 * only the deadlines of finish_call and connect_conn bound the waits. */
static const char *const connect_keys[] = {
    "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
};
static const char *const connect_vals[] = {"1", "10", "5", "3", "10000"};

/* Opens c->pg by the deadline, without blocking on a server that does not
 * answer (PQconnectdbParams would, for connect_timeout: whole seconds, at
 * least 2), then LISTENs when `listen` and a notification handler is set. Returns false
 * and logs the reason on failure; c->timed_out then says whether the
 * deadline passed. The host name is resolved before the deadline applies:
 * use an address (hostaddr) where DNS could hang. */
static bool connect_conn(struct db_conn *c, const char *url, const char *options, bool listen,
                         long long deadline)
{
    enum { NOPTS = sizeof connect_keys / sizeof *connect_keys };
    const char *keys[NOPTS + 4], *vals[NOPTS + 4];
    memcpy(keys, connect_keys, sizeof connect_keys);
    memcpy(vals, connect_vals, sizeof connect_vals);
    keys[NOPTS] = "dbname";
    vals[NOPTS] = url;
    keys[NOPTS + 1] = "application_name";
    vals[NOPTS + 1] = "pacto";
    keys[NOPTS + 2] = "options";
    vals[NOPTS + 2] = options;
    keys[NOPTS + 3] = vals[NOPTS + 3] = NULL;

    c->timed_out = false;
    stmt_set_clear(&c->prepared);
    c->pg = PQconnectStartParams(keys, vals, 1);
    if (!c->pg) {
        log_msg(LOG_ERROR, "database connection failed: out of memory");
        atomic_fetch_add(&errors_total, 1);
        return false;
    }
    PostgresPollingStatusType st = PGRES_POLLING_WRITING; /* as the libpq manual says to start */
    int ready = 1;
    while (PQstatus(c->pg) != CONNECTION_BAD && st != PGRES_POLLING_OK &&
           st != PGRES_POLLING_FAILED) {
        ready = wait_socket(c->pg, st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
        if (ready <= 0)
            break;
        st = PQconnectPoll(c->pg);
    }
    const char *why = NULL;
    if (ready == 0) {
        c->timed_out = true;
        why = "no answer in time";
    } else if (PQstatus(c->pg) != CONNECTION_OK || PQsetnonblocking(c->pg, 1) != 0) {
        why = PQerrorMessage(c->pg);
    } else {
        PQsetNoticeProcessor(c->pg, ignore_notice, NULL);
        if (listen && notify.handler && !listen_on(c, deadline))
            why = c->timed_out ? "no answer to LISTEN in time" : "cannot LISTEN";
    }
    if (!why)
        return true;
    char msg[256];
    snprintf(msg, sizeof msg, "%s", why);
    msg[strcspn(msg, "\n")] = '\0';
    log_msg(LOG_ERROR, "database connection failed: %s", msg);
    if (c->pg)
        close_conn(c);
    atomic_fetch_add(&errors_total, 1);
    return false;
}

static bool pool_init(struct pool *p, const char *url, int size, int statement_timeout_ms)
{
    assert(size > 0);
    p->slots = calloc((size_t)size, sizeof *p->slots);
    p->url = strdup(url);
    if (!p->slots || !p->url)
        return false;
    p->size = size;
    for (int i = 0; i < size; i++)
        p->slots[i].pool = p;
    snprintf(p->options, sizeof p->options, "-c statement_timeout=%d", statement_timeout_ms);
    return true;
}

bool db_pool_init(const char *url, int size, int statement_timeout_ms)
{
    if (!pool_init(&primary, url, size, statement_timeout_ms))
        return false;
    db_pool_set_deadline(statement_timeout_ms ? statement_timeout_ms + DB_DEADLINE_MARGIN_MS : 0);
    return true;
}

bool db_read_pool_init(const char *url, int size)
{
    assert(primary.size > 0); /* after db_pool_init: the same settings */
    if (!pool_init(&replica, url, size, 0))
        return false;
    memcpy(replica.options, primary.options, sizeof replica.options);
    replica.unnamed = primary.unnamed;
    int deadline_ms = primary.slots[0].deadline_ms;
    for (int i = 0; i < replica.size; i++)
        replica.slots[i].deadline_ms = deadline_ms;
    return true;
}

bool db_read_pool_configured(void) { return replica.size > 0; }

void db_pool_set_pooler(bool transaction)
{
    assert(!primary.in_use && !replica.in_use);
    primary.unnamed = replica.unnamed = transaction;
    primary.listens = !transaction;
    if (transaction) /* a pooler refuses (or drops) startup options: see README */
        primary.options[0] = replica.options[0] = '\0';
}

void db_pool_set_deadline(int deadline_ms)
{
    assert(deadline_ms >= 0);
    for (int i = 0; i < primary.size; i++)
        primary.slots[i].deadline_ms = deadline_ms;
    for (int i = 0; i < replica.size; i++)
        replica.slots[i].deadline_ms = deadline_ms;
}

static void pool_shutdown(struct pool *p)
{
    for (int i = 0; i < p->size; i++) {
        if (p->slots[i].pg)
            PQfinish(p->slots[i].pg);
        stmt_set_free(&p->slots[i].prepared);
    }
    free(p->slots);
    free(p->url);
    p->slots = NULL;
    p->url = NULL;
    p->size = 0;
}

void db_pool_shutdown(void)
{
    pool_shutdown(&replica);
    pool_shutdown(&primary);
}

/* True within one second of finding p's server unreachable. */
static bool recently_failed(struct pool *p)
{
    long long failed = atomic_load(&p->last_unreachable_ms);
    return failed && monotonic_ms() - failed < 1000;
}

static struct db_conn *free_slot(struct pool *p)
{
    struct db_conn *unconnected = NULL;
    for (int i = 0; i < p->size; i++) {
        if (p->slots[i].busy)
            continue;
        if (p->slots[i].pg)
            return &p->slots[i]; /* prefer a live connection */
        if (!unconnected)
            unconnected = &p->slots[i];
    }
    return unconnected;
}

static void unlink_waiter(struct pool *pool, struct waiter *w)
{
    struct waiter **p = &pool->head, *prev = NULL;
    while (*p && *p != w) {
        prev = *p;
        p = &(*p)->next;
    }
    if (*p) {
        *p = w->next;
        if (pool->tail == w)
            pool->tail = prev;
    }
}

/* Waits in line for a connection handed over by db_release. */
static struct db_conn *wait_in_line(struct pool *pool, int wait_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += wait_ms / 1000;
    deadline.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    struct waiter w = {.conn = NULL, .next = NULL};
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w.wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pool->tail)
        pool->tail->next = &w;
    else
        pool->head = &w;
    pool->tail = &w;
    while (!w.conn && pthread_cond_timedwait(&w.wake, &pool->lock, &deadline) == 0)
        ;
    if (!w.conn)
        unlink_waiter(pool, &w);
    pthread_cond_destroy(&w.wake);
    return w.conn;
}

/* db_acquire, with every use of the connection until db_release to end by
 * budget_until (monotonic ms; 0: only the per-call deadlines apply). */
static struct db_conn *acquire(struct pool *p, int wait_ms, long long budget_until)
{
    if (!p->size)
        return NULL;
    pthread_mutex_lock(&p->lock);
    struct db_conn *c = p->head ? NULL : free_slot(p);
    if (c) {
        c->busy = true;
        p->in_use++;
    } else {
        c = wait_in_line(p, wait_ms); /* handed over already marked busy */
    }
    pthread_mutex_unlock(&p->lock);
    if (!c) {
        log_msg(LOG_WARN, "no %s database connection free within %d ms",
                p == &replica ? "replica" : "primary", wait_ms);
        return NULL;
    }
    c->budget_until = budget_until;
    if (!c->pg && recently_failed(p)) { /* PostgreSQL was unreachable a moment ago: fail fast */
        db_release(c);
        return NULL;
    }
    if (!c->pg) {
        long long by = connect_deadline(c);
        if (!connect_conn(c, p->url, p->options, p->listens, by)) {
            /* A connect cut short by the budget says nothing of the server. */
            if (!c->timed_out || by != budget_until)
                atomic_store(&p->last_unreachable_ms, monotonic_ms());
            db_release(c);
            return NULL;
        }
    }
    c->statements = 0;
    c->in_tx = false;
    c->error = DB_OK;
    c->constraint[0] = '\0';
    return c;
}

struct db_conn *db_acquire(int wait_ms) { return acquire(&primary, wait_ms, 0); }

struct db_conn *db_acquire_within(int budget_ms)
{
    assert(budget_ms > 0);
    return acquire(&primary, budget_ms, monotonic_ms() + budget_ms);
}

struct db_conn *db_acquire_read(int wait_ms) { return acquire(&replica, wait_ms, 0); }

struct db_conn *db_acquire_read_within(int budget_ms)
{
    assert(budget_ms > 0);
    return acquire(&replica, budget_ms, monotonic_ms() + budget_ms);
}

bool db_conn_on_replica(const struct db_conn *c)
{
    return c && c->pool == &replica && !c->borrowed;
}

static void drop_if_broken(struct db_conn *c)
{
    if (c->pg &&
        (PQstatus(c->pg) != CONNECTION_OK || PQtransactionStatus(c->pg) == PQTRANS_UNKNOWN))
        close_conn(c);
}

void db_release(struct db_conn *c)
{
    if (!c)
        return;
    if (c->pg && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        db_rollback(c);
    drop_if_broken(c);
    if (c->borrowed && c->pg) /* the slot is the replica's: it reconnects there */
        close_conn(c);
    c->borrowed = false;
    struct pool *p = c->pool;
    pthread_mutex_lock(&p->lock);
    struct waiter *w = p->head;
    if (w) { /* hand over directly: it stays busy and counted in use */
        p->head = w->next;
        if (!p->head)
            p->tail = NULL;
        w->conn = c;
        pthread_cond_signal(&w->wake);
    } else {
        c->busy = false;
        p->in_use--;
    }
    pthread_mutex_unlock(&p->lock);
}

static enum db_error classify(const char *sqlstate)
{
    if (!sqlstate)
        return DB_UNAVAILABLE;
    if (strcmp(sqlstate, "23505") == 0)
        return DB_UNIQUE_VIOLATION;
    if (strcmp(sqlstate, "23503") == 0)
        return DB_FOREIGN_KEY_VIOLATION;
    if (strncmp(sqlstate, "23", 2) == 0 || strncmp(sqlstate, "22", 2) == 0)
        return DB_CHECK_VIOLATION;
    if (strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0)
        return DB_SERIALIZATION;
    if (strcmp(sqlstate, "57014") == 0)
        return DB_TIMEOUT;
    if (strncmp(sqlstate, "08", 2) == 0 || strcmp(sqlstate, "57P01") == 0 ||
        strcmp(sqlstate, "57P02") == 0 || strcmp(sqlstate, "57P03") == 0)
        return DB_UNAVAILABLE;
    return DB_FAILED;
}

/* One attempt, over by the deadline. NULL when it could not be sent or the
 * connection failed (PQerrorMessage says why), or when the deadline passed
 * (c->timed_out; the connection is closed then). */
/* How the parameters and the result of db_exec_binary travel; NULL: text. */
struct wire_format {
    const int *lengths;
    const int *formats;
    int result_format;
};

static PGresult *run_once(struct db_conn *c, const struct db_stmt *s, const char *sql, int nparams,
                          const char *const *params, const struct wire_format *w,
                          long long deadline)
{
    c->timed_out = false;
    if (!c->pg)
        return NULL;
    if (!s)
        return PQsendQuery(c->pg, sql) ? finish_call(c, deadline) : NULL;
    if (c->pool && c->pool->unnamed)
        return PQsendQueryParams(c->pg, s->sql, nparams, NULL, params, w ? w->lengths : NULL,
                                 w ? w->formats : NULL, w ? w->result_format : 0)
                   ? finish_call(c, deadline)
                   : NULL;
    if (!stmt_set_has(&c->prepared, s)) {
        /* Room first: a statement prepared but not remembered would be
         * prepared again next time, which PostgreSQL refuses (42P05). */
        if (!stmt_set_reserve(&c->prepared)) {
            log_msg(LOG_ERROR, "out of memory preparing statement %s", s->name);
            return NULL;
        }
        PGresult *r =
            PQsendPrepare(c->pg, s->name, s->sql, 0, NULL) ? finish_call(c, deadline) : NULL;
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
            return r;
        PQclear(r);
        stmt_set_add(&c->prepared, s);
    }
    return PQsendQueryPrepared(c->pg, s->name, nparams, params, w ? w->lengths : NULL,
                               w ? w->formats : NULL, w ? w->result_format : 0)
               ? finish_call(c, deadline)
               : NULL;
}

static bool ok_status(const PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

/* The rule of db_exec for a first statement, which may be sent twice: literal
 * SQL that is one BEGIN, or SQL that starts with SELECT. WITH is refused, as
 * a data-modifying CTE writes; a SELECT of a writing function is the
 * caller's to avoid. */
static bool safe_to_retry(const struct db_stmt *s, const char *sql)
{
    const char *text = s ? s->sql : sql;
    text += strspn(text, " \t\r\n");
    if (!s && strchr(text, ';'))
        return false; /* literal SQL may hold several statements */
    if (!s && strncasecmp(text, "BEGIN", 5) == 0 && (!text[5] || isspace((unsigned char)text[5])))
        return true;
    return strncasecmp(text, "SELECT", 6) == 0 && !isalnum((unsigned char)text[6]) &&
           text[6] != '_';
}

static PGresult *run(struct db_conn *c, const struct db_stmt *s, const char *sql, int nparams,
                     const char *const *params, const struct wire_format *w)
{
    bool first = c->statements++ == 0 && !c->in_tx;
    assert(!first || safe_to_retry(s, sql)); /* the contract of db_exec */
    bool retryable = first && safe_to_retry(s, sql);
    long long started = monotonic_ms(), deadline = call_deadline(c);
    PGresult *r = run_once(c, s, sql, nparams, params, w, deadline);
    bool late = c->timed_out;
    if ((!r || !ok_status(r)) && retryable && !late &&
        (!c->pg || PQstatus(c->pg) == CONNECTION_BAD)) {
        /* The server restarted since this connection was last used; nothing
         * of this request has run yet and this statement changes nothing, so
         * one fresh attempt is safe. Not after a deadline: that server did
         * not answer, and would not answer a second time either. */
        PQclear(r);
        r = NULL;
        if (c->pg)
            close_conn(c);
        struct pool *p = c->pool;
        assert(p); /* db_open connections never retry */
        bool connected = connect_conn(c, p->url, p->options, p->listens, connect_deadline(c));
        if (!connected && p == &replica) {
            /* The replica is gone: this read is served by the primary. */
            atomic_store(&p->last_unreachable_ms, monotonic_ms());
            c->borrowed = connected =
                connect_conn(c, primary.url, primary.options, false, connect_deadline(c));
        }
        if (connected) {
            started = monotonic_ms();
            deadline = call_deadline(c);
            r = run_once(c, s, sql, nparams, params, w, deadline);
            late = c->timed_out;
        }
    }
    if (c->pg)
        drain_notifications(c->pg);
    if (r && ok_status(r)) {
        c->error = DB_OK;
        return r;
    }
    if (late) {
        c->error = DB_TIMEOUT;
        c->constraint[0] = '\0';
        log_msg(LOG_ERROR,
                "statement %s failed: no answer from the database within %lld ms; connection "
                "closed",
                s ? s->name : "(sql)", deadline - started);
        atomic_fetch_add(&errors_total, 1);
        /* Past the per-call deadline, the server did not even enforce its own
         * statement_timeout: it is frozen or unreachable, and acquires that
         * would connect to it fail fast for a while. A budget that ran out
         * says nothing of the kind. */
        if (deadline != c->budget_until && c->pool)
            atomic_store(&c->pool->last_unreachable_ms, monotonic_ms());
        return NULL;
    }
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    c->error = classify(state);
    const char *constraint = r ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : NULL;
    snprintf(c->constraint, sizeof c->constraint, "%s", constraint ? constraint : "");
    char msg[300];
    snprintf(msg, sizeof msg, "%s",
             r ? PQresultErrorMessage(r) : (c->pg ? PQerrorMessage(c->pg) : "no connection"));
    msg[strcspn(msg, "\n")] = '\0';
    int level = (c->error == DB_UNIQUE_VIOLATION || c->error == DB_FOREIGN_KEY_VIOLATION)
                    ? LOG_DEBUG
                    : LOG_ERROR;
    log_msg(level, "statement %s failed: [%s] %s", s ? s->name : "(sql)", state ? state : "-", msg);
    if (c->error != DB_UNIQUE_VIOLATION && c->error != DB_FOREIGN_KEY_VIOLATION &&
        c->error != DB_CHECK_VIOLATION)
        atomic_fetch_add(&errors_total, 1);
    PQclear(r);
    return NULL;
}

PGresult *db_exec(struct db_conn *c, const struct db_stmt *s, int nparams,
                  const char *const *params)
{
    assert(c && s);
    return run(c, s, NULL, nparams, params, NULL);
}

PGresult *db_exec_binary(struct db_conn *c, const struct db_stmt *s, int nparams,
                         const char *const *params, const int *lengths, const int *formats,
                         int result_format)
{
    assert(c && s);
    struct wire_format w = {.lengths = lengths, .formats = formats, .result_format = result_format};
    return run(c, s, NULL, nparams, params, &w);
}

PGresult *db_exec_sql(struct db_conn *c, const char *sql)
{
    assert(c && sql);
    return run(c, NULL, sql, 0, NULL, NULL);
}

bool db_begin(struct db_conn *c)
{
    if (c->in_tx && c->pg && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        return true; /* one transaction: what began it (idempotency's lock) ends with it */
    PGresult *r = db_exec_sql(c, "BEGIN");
    PQclear(r);
    c->in_tx = r != NULL;
    return r != NULL;
}

bool db_commit(struct db_conn *c)
{
    PGresult *r = db_exec_sql(c, "COMMIT");
    /* COMMIT of an aborted transaction "succeeds" as a ROLLBACK. */
    bool ok = r && strcmp(PQcmdStatus(r), "COMMIT") == 0;
    if (r && !ok)
        c->error = DB_FAILED;
    PQclear(r);
    c->in_tx = false;
    return ok;
}

void db_rollback(struct db_conn *c)
{
    if (c->pg && PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
        PQclear(run_once(c, NULL, "ROLLBACK", 0, NULL, NULL, call_deadline(c)));
        if (c->timed_out)
            log_msg(LOG_ERROR, "ROLLBACK got no answer from the database in time; connection "
                               "closed");
    }
    c->in_tx = false;
}

enum db_error db_last_error(const struct db_conn *c) { return c->error; }

const char *db_last_constraint(const struct db_conn *c) { return c->constraint; }

PGconn *db_pg(struct db_conn *c) { return c->pg; }

static int in_use(struct pool *p)
{
    pthread_mutex_lock(&p->lock);
    int n = p->in_use;
    pthread_mutex_unlock(&p->lock);
    return n;
}

int db_in_use(void) { return in_use(&primary); }

int db_read_in_use(void) { return in_use(&replica); }

unsigned long db_error_count(void) { return atomic_load(&errors_total); }

static struct db_conn *open_standalone(const char *url, bool listen)
{
    struct db_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (!connect_conn(c, url, "-c statement_timeout=0", listen, connect_deadline(c))) {
        free(c);
        return NULL;
    }
    c->statements = 1; /* commands see errors as they are; no silent retry */
    return c;
}

struct db_conn *db_open(const char *url) { return open_standalone(url, true); }

struct db_conn *db_open_quiet(const char *url) { return open_standalone(url, false); }

void db_set_call_deadline(struct db_conn *c, int deadline_ms)
{
    assert(!c->pool && deadline_ms >= 0);
    c->deadline_ms = deadline_ms;
}

void db_close(struct db_conn *c)
{
    if (!c)
        return;
    if (c->pg)
        PQfinish(c->pg);
    stmt_set_free(&c->prepared);
    free(c);
}

bool db_poll_notifications(struct db_conn *c, int timeout_ms)
{
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK)
        return false;
    struct pollfd pfd = {.fd = PQsocket(c->pg), .events = POLLIN};
    int n = poll(&pfd, 1, timeout_ms);
    if (n < 0 || (n > 0 && !PQconsumeInput(c->pg)))
        return false;
    drain_notifications(c->pg);
    return PQstatus(c->pg) == CONNECTION_OK;
}
