/*
 * A growable byte buffer, always NUL-terminated. Allocation failure aborts
 * the process: there is no sane way to answer a request without memory.
 */
#ifndef PACTO_CORE_BUF_H
#define PACTO_CORE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *data; /* NULL until the first append; then NUL-terminated */
    size_t len;
    size_t cap;
};

void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
__attribute__((format(printf, 2, 3))) void buf_printf(struct buf *b, const char *fmt, ...);
/* Appends s as a JSON string literal, quotes included. */
void buf_json_string(struct buf *b, const char *s);
/* Appends the whole file at path. Returns false, b unchanged, when it cannot
 * be opened or read. */
bool buf_read_file(struct buf *b, const char *path);
void buf_reset(struct buf *b); /* len = 0, keeps memory */
void buf_free(struct buf *b);
/* Returns the data (never NULL: "" when empty), still owned by b. */
const char *buf_cstr(const struct buf *b);

#endif
