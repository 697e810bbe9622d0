/*
 * The HTTP ceiling for bench/run.sh: civetweb with pacto's settings and one
 * handler that answers a constant JSON body, no routing, no database.
 * usage: bench_bare HOST:PORT THREADS
 */
#include <civetweb.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static int constant(struct mg_connection *conn, void *cbdata)
{
    static const char body[] =
        "{\"ibge_code\":\"3550308\",\"name\":\"São Paulo\",\"state\":\"SP\"}";
    (void)cbdata;
    char length[16];
    snprintf(length, sizeof length, "%zu", sizeof body - 1);
    mg_response_header_start(conn, 200);
    mg_response_header_add(conn, "Content-Type", "application/json", -1);
    mg_response_header_add(conn, "Content-Length", length, -1);
    mg_response_header_send(conn);
    mg_write(conn, body, sizeof body - 1);
    return 200;
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
                             "enable_keep_alive",
                             "yes",
                             "keep_alive_timeout_ms",
                             "15000",
                             "tcp_nodelay",
                             "1",
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
    mg_set_request_handler(ctx, "/", constant, NULL);
    int sig;
    sigwait(&stop, &sig);
    mg_stop(ctx);
    mg_exit_library();
    return 0;
}
