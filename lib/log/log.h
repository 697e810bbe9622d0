/*
 * Logging: one JSON object per line on stdout. Never pass tokens, passwords
 * or CPFs to these functions.
 */
#ifndef PACTO_LOG_LOG_H
#define PACTO_LOG_LOG_H

enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Returns the level for "debug", "info", "warn", "error", or -1. */
int log_level_parse(const char *name);
void log_set_level(int level);
int log_enabled(int level);

/* Writes {"time":...,"level":...,"msg":...}; msg is printf-formatted. */
__attribute__((format(printf, 2, 3))) void log_msg(int level, const char *fmt, ...);

/* Writes an already-built JSON object (no newline) as one line, atomically. */
void log_line(const char *json_object, unsigned long len);

/* Formats the current UTC time as RFC 3339 with milliseconds into out[32]. */
void log_timestamp(char out[32]);

#endif
