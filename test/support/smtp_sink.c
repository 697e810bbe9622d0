/*
 * The SMTP sink (see smtp_sink.h): one thread, one client at a time.
 */
#include "smtp_sink.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SINK_MAX  16
#define LINE_MAX_ 4096

static struct {
    int fd;
    pthread_t thread;
    atomic_bool stop;
    pthread_mutex_t lock;
    int count;
    char *rcpt[SINK_MAX], *data[SINK_MAX];
} sink = {.fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER};

/* Reads one line (without CRLF) into out; false at the end of input. */
static bool read_line(int fd, char *out, size_t cap)
{
    size_t n = 0;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 200) == 0) {
            if (atomic_load(&sink.stop))
                return false;
            continue;
        }
        char c;
        if (read(fd, &c, 1) != 1)
            return false;
        if (c == '\n') {
            if (n && out[n - 1] == '\r')
                n--;
            out[n] = '\0';
            return true;
        }
        if (n + 1 < cap)
            out[n++] = c;
    }
}

static void say(int fd, const char *s)
{
    ssize_t ignored = write(fd, s, strlen(s));
    (void)ignored;
}

static void serve(int fd)
{
    char line[LINE_MAX_], rcpt[512] = "";
    say(fd, "220 sink ESMTP\r\n");
    while (read_line(fd, line, sizeof line)) {
        if (strncasecmp(line, "EHLO", 4) == 0 || strncasecmp(line, "HELO", 4) == 0 ||
            strncasecmp(line, "MAIL", 4) == 0 || strncasecmp(line, "RSET", 4) == 0 ||
            strncasecmp(line, "NOOP", 4) == 0) {
            say(fd, "250 ok\r\n");
        } else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
            snprintf(rcpt, sizeof rcpt, "%.500s", line + 8);
            say(fd, "250 ok\r\n");
        } else if (strncasecmp(line, "DATA", 4) == 0) {
            say(fd, "354 end with .\r\n");
            size_t cap = 1 << 16, len = 0;
            char *data = calloc(1, cap);
            while (read_line(fd, line, sizeof line) && strcmp(line, ".") != 0) {
                const char *l = line[0] == '.' ? line + 1 : line; /* dot-stuffing */
                size_t n = strlen(l);
                if (len + n + 3 < cap) {
                    memcpy(data + len, l, n);
                    memcpy(data + len + n, "\r\n", 3);
                    len += n + 2;
                }
            }
            pthread_mutex_lock(&sink.lock);
            if (sink.count < SINK_MAX) {
                sink.rcpt[sink.count] = strdup(rcpt);
                sink.data[sink.count++] = data;
                data = NULL;
            }
            pthread_mutex_unlock(&sink.lock);
            free(data);
            say(fd, "250 queued\r\n");
        } else if (strncasecmp(line, "QUIT", 4) == 0) {
            say(fd, "221 bye\r\n");
            return;
        } else {
            say(fd, "502 not here\r\n");
        }
    }
}

static void *sink_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&sink.stop)) {
        struct pollfd p = {.fd = sink.fd, .events = POLLIN};
        if (poll(&p, 1, 200) <= 0)
            continue;
        int c = accept(sink.fd, NULL, NULL);
        if (c < 0)
            continue;
        serve(c);
        close(c);
    }
    return NULL;
}

int smtp_sink_start(void)
{
    sink.fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(sink.fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(sink.fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(sink.fd, 4), 0);
    ck_assert_int_eq(getsockname(sink.fd, (struct sockaddr *)&a, &len), 0);
    atomic_store(&sink.stop, false);
    ck_assert_int_eq(pthread_create(&sink.thread, NULL, sink_main, NULL), 0);
    return ntohs(a.sin_port);
}

void smtp_sink_stop(void)
{
    atomic_store(&sink.stop, true);
    pthread_join(sink.thread, NULL);
    close(sink.fd);
    sink.fd = -1;
    for (int i = 0; i < sink.count; i++) {
        free(sink.rcpt[i]);
        free(sink.data[i]);
    }
    sink.count = 0;
}

int smtp_sink_count(void)
{
    pthread_mutex_lock(&sink.lock);
    int n = sink.count;
    pthread_mutex_unlock(&sink.lock);
    return n;
}

bool smtp_sink_message(int n, int timeout_ms, char *rcpt, size_t rcpt_cap, char *data,
                       size_t data_cap)
{
    for (int waited = 0;; waited += 50) {
        pthread_mutex_lock(&sink.lock);
        bool there = n < sink.count;
        if (there) {
            snprintf(rcpt, rcpt_cap, "%s", sink.rcpt[n]);
            snprintf(data, data_cap, "%s", sink.data[n]);
        }
        pthread_mutex_unlock(&sink.lock);
        if (there)
            return true;
        if (waited >= timeout_ms)
            return false;
        usleep(50000);
    }
}
