/*
 * Unpadded base64url (RFC 4648 section 5), strict: as JWTs and cursors use it.
 */
#ifndef PACTO_CORE_BASE64URL_H
#define PACTO_CORE_BASE64URL_H

#include <stddef.h>

/* The length of the encoding of n bytes (without a NUL). */
size_t base64url_encoded_len(size_t n);

/* Writes the encoding of in[0..n) and a NUL to out (base64url_encoded_len(n)
 * + 1 bytes); returns its length. */
size_t base64url_encode(const unsigned char *in, size_t n, char *out);

/* Decodes n characters into out, which has room for cap bytes. Returns the
 * decoded length, or -1 for a character outside the URL alphabet, padding, a
 * length no encoding has, leftover bits that are not zero (so each byte
 * string has exactly one spelling), or more than cap bytes. */
long base64url_decode(const char *in, size_t n, unsigned char *out, size_t cap);

#endif
