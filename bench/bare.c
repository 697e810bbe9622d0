/*
 * The HTTP ceiling for bench/run.sh: civetweb with pacto's settings (the
 * options of lib/http/server.c http_server_start, and the same no-op
 * authorization handler) and one handler that answers a constant JSON body
 * the size of pacto's GET /v1/municipalities/{ibge_code}. No routing, no
 * token, no database. The answer is made the way pacto's send_response makes
 * it: status line, Date, Content-Type, Content-Length, a fresh 32-hex-digit
 * X-Request-Id, X-Content-Type-Options and the body in one buffer, sent with
 * one mg_write.
 * usage: bench_bare HOST:PORT THREADS
 */
#include <civetweb.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* São Paulo as pacto answers it to a secretariat token (332 bytes). */
static const char body[] =
    "{\"ibge_code\" : \"3550308\", \"name\" : \"S\xc3\xa3o Paulo\", \"state\" : \"SP\", "
    "\"state_code\" : 35, \"region\" : \"sudeste\", \"latitude\" : -23.5329, "
    "\"longitude\" : -46.6395, \"capital\" : true, \"created_at\" : \"2026-11-22T04:50:00Z\", "
    "\"updated_at\" : \"2026-11-22T04:50:00Z\", \"representative\" : null, \"adhesions\" : [], "
    "\"mayor_name\" : null, \"mayor_cpf\" : null}";

/* pacto's request ids: splitmix64 from one random seed per thread. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void request_id_new(char out[33])
{
    static _Thread_local uint64_t state[2];
    static _Thread_local bool seeded;
    if (!seeded) {
        if (getrandom(state, sizeof state, 0) != (ssize_t)sizeof state)
            state[0] = (uint64_t)time(NULL), state[1] = (uint64_t)(uintptr_t)&seeded;
        seeded = true;
    }
    snprintf(out, 33, "%016" PRIx64 "%016" PRIx64, splitmix64(&state[0]), splitmix64(&state[1]));
}

/* The Date header's value, made at most once a second per thread. */
static const char *http_date(void)
{
    static _Thread_local char text[40];
    static _Thread_local time_t made;
    time_t now = time(NULL);
    if (now != made) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        made = now;
    }
    return text;
}

static int constant(struct mg_connection *conn, void *cbdata)
{
    (void)cbdata;
    char id[33];
    request_id_new(id);
    char out[1024];
    int n = snprintf(out, sizeof out,
                     "HTTP/1.1 200 OK\r\nDate: %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                     "X-Request-Id: %s\r\nX-Content-Type-Options: nosniff\r\n\r\n%s",
                     http_date(), sizeof body - 1, id, body);
    if (n > 0 && (size_t)n < sizeof out)
        mg_write(conn, out, (size_t)n);
    return 200;
}

static int authorize_in_handler(struct mg_connection *conn, void *cbdata)
{
    (void)conn;
    (void)cbdata;
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s HOST:PORT THREADS\n", argv[0]);
        return 2;
    }
    const char *options[] = {"listening_ports",
                             argv[1],
                             "num_threads",
                             argv[2],
                             "request_timeout_ms",
                             "30000",
                             "keep_alive_timeout_ms",
                             "15000",
                             "enable_keep_alive",
                             "yes",
                             "tcp_nodelay",
                             "1",
                             "max_request_size",
                             "16384",
                             "access_control_allow_origin",
                             "",
                             "access_control_allow_methods",
                             "",
                             "access_control_allow_headers",
                             "",
                             NULL};
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    mg_init_library(0);
    struct mg_callbacks callbacks;
    memset(&callbacks, 0, sizeof callbacks);
    struct mg_context *ctx = mg_start(&callbacks, NULL, options);
    if (!ctx)
        return 1;
    /* As in pacto: without an authorization handler civetweb looks for a
     * .htpasswd file on every request. */
    mg_set_auth_handler(ctx, "/", authorize_in_handler, NULL);
    mg_set_request_handler(ctx, "/", constant, NULL);
    int sig;
    sigwait(&stop, &sig);
    mg_stop(ctx);
    mg_exit_library();
    return 0;
}
