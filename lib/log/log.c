/*
 * JSON-lines logging on stdout. A line is written with one fwrite under the
 * stdio lock, so lines from concurrent threads never interleave.
 */
#include "log/log.h"

#include "core/buf.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static atomic_int min_level = LOG_INFO;
static const char *const names[] = {"debug", "info", "warn", "error"};

int log_level_parse(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

void log_set_level(int level) { atomic_store(&min_level, level); }

int log_enabled(int level) { return level >= atomic_load(&min_level); }

void log_timestamp(char out[32])
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03ldZ", (long)(tv.tv_usec / 1000));
}

void log_line(const char *json_object, unsigned long len)
{
    flockfile(stdout);
    fwrite(json_object, 1, len, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    funlockfile(stdout);
}

void log_msg(int level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char ts[32];
    log_timestamp(ts);
    struct buf b = {0};
    buf_printf(&b, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":", ts, names[level]);
    buf_json_string(&b, msg);
    buf_putc(&b, '}');
    log_line(b.data, b.len);
    buf_free(&b);
}
