/*
 * PostgreSQL frozen under a running server, as a stalled host or stuck
 * storage leaves it: every process of the test's cluster is stopped with
 * SIGSTOP, so connections stay open and nothing answers, and the server's
 * statement_timeout cannot fire either. While it lasts, /readyz answers 503
 * within its one-second budget, a request that needs the database answers
 * 503 service-unavailable with Retry-After once its client-side deadline
 * passes instead of hanging for the freeze, and /healthz stays 200; after
 * SIGCONT the server recovers on its own.
 *
 * Only this cluster is signalled: the postmaster is the parent of the test's
 * own backend, and the other processes are those pg_stat_activity lists
 * whose parent it is. They are always continued: before any assertion, by
 * the checked teardown, and by a guard process should this one die.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FREEZE_S         8.0   /* as long as the freeze of the issue */
#define READYZ_WAIT_MS   3000L /* /readyz promises 1 s; curl gives it 3 */
#define ANSWER_MARGIN_MS 3000L /* beyond the database deadline */
#define GUARD_S          60    /* the guard continues the cluster after this */
#define RECOVERY_MAX_S   10.0
#define RETRY_SLEEP_US   200000
#define MAX_FROZEN       256
#define WARM_CONNECTIONS 3

static struct {
    pid_t pids[MAX_FROZEN]; /* the postmaster first */
    int n;
    pid_t guard;
} frozen;

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The client-side deadline of the server's database calls, as
 * config_load_server derives it from the same environment. */
static long db_deadline_ms(void)
{
    const char *deadline = getenv("PACTO_DB_DEADLINE_MS");
    if (deadline && *deadline)
        return atol(deadline);
    const char *timeout = getenv("PACTO_STATEMENT_TIMEOUT_MS");
    return (timeout && *timeout ? atol(timeout) : 5000) + 1000;
}

/* The parent of pid from /proc/<pid>/stat (field 4, after the command name
 * in parentheses, which may itself hold spaces), or -1. */
static pid_t parent_of(pid_t pid)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    const char *end = strrchr(line, ')');
    int ppid;
    if (!end || sscanf(end + 1, " %*c %d", &ppid) != 1)
        return -1;
    return ppid;
}

static bool is_postgres(pid_t pid)
{
    char path[64], comm[32] = "";
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool ok = fgets(comm, sizeof comm, f) && strcmp(comm, "postgres\n") == 0;
    fclose(f);
    return ok;
}

static void send_all(int sig)
{
    for (int i = 0; i < frozen.n; i++)
        kill(frozen.pids[i], sig);
}

/* Continues every stopped process and ends the guard. Safe to call again. */
static void thaw(void)
{
    send_all(SIGCONT);
    frozen.n = 0;
    if (frozen.guard > 0) {
        kill(frozen.guard, SIGKILL);
        waitpid(frozen.guard, NULL, 0);
        frozen.guard = 0;
    }
}

/* A child that continues the cluster if this process dies or forgets to:
 * otherwise the cluster would stay stopped, and scripts/test.sh could not
 * even stop it. */
static void start_guard(void)
{
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < GUARD_S * 10 && getppid() == parent; i++)
            usleep(100000);
        send_all(SIGCONT);
        _exit(0);
    }
    frozen.guard = pid > 0 ? pid : 0;
}

static void stop_one(pid_t pid)
{
    if (frozen.n < MAX_FROZEN && kill(pid, SIGSTOP) == 0)
        frozen.pids[frozen.n++] = pid;
}

/* Stops the postmaster of the test's cluster, then every process it has:
 * once it is stopped it forks no more, so the list is complete. Returns
 * false with the reason in why when it cannot signal them; nothing is
 * stopped then. */
static bool freeze(char *why, size_t whylen)
{
    PGconn *db = fixture_db();
    pid_t own = PQbackendPID(db);
    pid_t postmaster = parent_of(own);
    if (postmaster <= 1 || !is_postgres(postmaster)) {
        snprintf(why, whylen, "cannot find the postmaster of backend %d in /proc", (int)own);
        return false;
    }
    if (kill(postmaster, 0) != 0) {
        snprintf(why, whylen, "cannot signal the postmaster (pid %d) as uid %d: %s",
                 (int)postmaster, (int)getuid(), strerror(errno));
        return false;
    }
    stop_one(postmaster);
    PGresult *r = PQexec(db, "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid()");
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        for (int i = 0; i < PQntuples(r); i++) {
            pid_t pid = (pid_t)atoi(PQgetvalue(r, i, 0));
            if (pid > 1 && parent_of(pid) == postmaster)
                stop_one(pid);
        }
    }
    PQclear(r);
    stop_one(own); /* last: it answered the query above */
    start_guard();
    return true;
}

struct answer {
    long status; /* 0: no answer within the time given */
    char retry_after[16];
    char type[128];
    double seconds;
};

static size_t keep_retry_after(char *data, size_t size, size_t n, void *userdata)
{
    struct answer *a = userdata;
    size_t len = size * n;
    if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
        size_t v = 12 + strspn(data + 12, " \t");
        size_t vlen = strcspn(data + v, "\r\n");
        snprintf(a->retry_after, sizeof a->retry_after, "%.*s", (int)vlen, data + v);
    }
    return len;
}

static size_t keep_body(char *data, size_t size, size_t n, void *userdata)
{
    buf_append(userdata, data, size * n);
    return size * n;
}

/* GETs path, giving the server at most timeout_ms to answer. */
static struct answer get_within(const char *path, long timeout_ms)
{
    struct answer a = {0};
    struct buf url = {0}, body = {0};
    buf_printf(&url, "%s%s", getenv("PACTO_TEST_URL"), path);
    CURL *curl = curl_easy_init();
    if (!curl)
        return a;
    curl_easy_setopt(curl, CURLOPT_URL, buf_cstr(&url));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, keep_retry_after);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &a);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    double started = seconds_now();
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.status);
    a.seconds = seconds_now() - started;
    curl_easy_cleanup(curl);
    cJSON *json = cJSON_Parse(buf_cstr(&body));
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(json, "type");
    if (cJSON_IsString(type))
        snprintf(a.type, sizeof a.type, "%s", type->valuestring);
    cJSON_Delete(json);
    buf_free(&url);
    buf_free(&body);
    return a;
}

static size_t discard(char *data, size_t size, size_t n, void *userdata)
{
    (void)data;
    (void)userdata;
    return size * n;
}

/* Leaves WARM_CONNECTIONS pooled connections open and idle, as under load,
 * so that the requests made while PostgreSQL is frozen find live ones and
 * wait on a statement, not on connecting: that many concurrent requests
 * queue behind a lock the test holds, each on a connection of its own, and
 * finish once it is released. */
static void open_pooled_connections(const char *path)
{
    fixture_exec("BEGIN");
    fixture_exec("LOCK TABLE cycles IN ACCESS EXCLUSIVE MODE");
    struct buf url = {0};
    buf_printf(&url, "%s%s", getenv("PACTO_TEST_URL"), path);
    CURLM *multi = curl_multi_init();
    CURL *easy[WARM_CONNECTIONS];
    for (int i = 0; i < WARM_CONNECTIONS; i++) {
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL, buf_cstr(&url));
        curl_easy_setopt(easy[i], CURLOPT_TIMEOUT, 20L);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, discard);
        curl_multi_add_handle(multi, easy[i]);
    }
    int running = WARM_CONNECTIONS;
    long waiting = 0;
    double until = seconds_now() + 10;
    while (waiting < WARM_CONNECTIONS && running && seconds_now() < until) {
        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 50, NULL);
        waiting = fixture_long("SELECT count(*) FROM pg_locks WHERE NOT granted"
                               " AND relation = 'cycles'::regclass");
    }
    fixture_exec("COMMIT");
    while (running) {
        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    for (int i = 0; i < WARM_CONNECTIONS; i++) {
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
    }
    curl_multi_cleanup(multi);
    buf_free(&url);
    ck_assert_msg(waiting == WARM_CONNECTIONS, "%ld of %d requests held a connection at once",
                  waiting, WARM_CONNECTIONS);
}

/* A 503 service-unavailable with a Retry-After, within the time it was given. */
static void expect_unavailable(const char *path, const struct answer *a, long timeout_ms)
{
    ck_assert_msg(a->status != 0, "GET %s gave no answer within %ld ms while PostgreSQL was frozen",
                  path, timeout_ms);
    ck_assert_msg(a->status == 503, "GET %s while PostgreSQL was frozen: %ld", path, a->status);
    const char *slug = strrchr(a->type, '/');
    ck_assert_msg(slug && strcmp(slug, "/service-unavailable") == 0, "GET %s: problem type \"%s\"",
                  path, a->type);
    ck_assert_msg(atoi(a->retry_after) > 0, "GET %s: Retry-After \"%s\"", path, a->retry_after);
}

START_TEST(a_frozen_database_gets_prompt_503s)
{
    /* A list that reads the database every time (the municipalities' pages
     * are cached). */
    static const char list[] = "/v1/cycles?limit=5";
    const long list_wait_ms = db_deadline_ms() + ANSWER_MARGIN_MS;
    ck_assert_int_eq(fixture_get_status("/readyz", NULL), 200);
    ck_assert_int_eq(fixture_get_status(list, NULL), 200);
    open_pooled_connections(list);

    char why[200];
    double started = seconds_now();
    if (!freeze(why, sizeof why)) {
        fprintf(stderr, "frozen suite: skipped: %s\n", why);
        return;
    }
    struct answer ready = get_within("/readyz", READYZ_WAIT_MS);
    struct answer listed = get_within(list, list_wait_ms);
    struct answer health = get_within("/healthz", READYZ_WAIT_MS);
    while (seconds_now() - started < FREEZE_S)
        usleep(RETRY_SLEEP_US);
    thaw(); /* before any assertion: a failed one does not return */
    fprintf(stderr, "frozen suite: while frozen, /readyz %ld in %.2f s, %s %ld in %.2f s\n",
            ready.status, ready.seconds, list, listed.status, listed.seconds);

    expect_unavailable("/readyz", &ready, READYZ_WAIT_MS);
    expect_unavailable(list, &listed, list_wait_ms);
    ck_assert_msg(health.status == 200, "/healthz while PostgreSQL was frozen: %ld", health.status);

    double deadline = seconds_now() + RECOVERY_MAX_S;
    long status;
    while ((status = fixture_get_status("/readyz", NULL)) != 200 && seconds_now() < deadline)
        usleep(RETRY_SLEEP_US);
    ck_assert_msg(status == 200, "/readyz still answers %ld %.0f s after SIGCONT", status,
                  RECOVERY_MAX_S);
    ck_assert_int_eq(fixture_get_status(list, NULL), 200);
    ck_assert_int_eq(fixture_count("municipalities"), 3);
}
END_TEST

Suite *frozen_suite(void)
{
    Suite *s = suite_create("frozen");
    TCase *tc = tcase_create("postgresql frozen");
    tcase_add_checked_fixture(tc, fixture_reset, thaw);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, a_frozen_database_gets_prompt_503s);
    suite_add_tcase(s, tc);
    return s;
}
