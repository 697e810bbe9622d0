/*
 * Opaque pagination cursors. A cursor carries the sort key of the last item of
 * a page and the name of the list it belongs to, base64url-encoded with an
 * HMAC-SHA256 tag so that clients cannot forge or edit one and a cursor from
 * one list is refused by another.
 */
#ifndef PACTO_CURSOR_CURSOR_H
#define PACTO_CURSOR_CURSOR_H

#include <stdbool.h>
#include <stddef.h>

#define CURSOR_MAX_KEY 256
#define CURSOR_MAX_LEN 512

/* Sets the process-wide HMAC key (copied). Call once at start-up, before any
 * other cursor function. Until a non-empty key is set, cursor_encode and
 * cursor_decode refuse everything (return false). */
void cursor_set_secret(const unsigned char *key, size_t len);

/* Encodes (list, key) into out (at most CURSOR_MAX_LEN bytes incl. NUL).
 * Returns false when key is longer than CURSOR_MAX_KEY, when list contains a
 * newline (it separates list from key in the signed payload) or is so long
 * that the cursor would not fit in CURSOR_MAX_LEN (list names are short
 * constants; up to 100 bytes always fits). */
bool cursor_encode(const char *list, const char *key, char out[CURSOR_MAX_LEN]);

/* Decodes a client cursor for `list` into key_out. Returns false, key_out
 * empty, when the cursor is malformed, too long, was made for another list, or
 * its tag does not verify. */
bool cursor_decode(const char *list, const char *cursor, char key_out[CURSOR_MAX_KEY + 1]);

#endif
