/*
 * The file types evidence may be, and whether a file's first bytes (its
 * magic number) are the type it is declared to be. Pure: no I/O.
 */
#ifndef PACTO_EVIDENCE_MAGIC_H
#define PACTO_EVIDENCE_MAGIC_H

#include <stdbool.h>
#include <stddef.h>

/* The longest magic number checked: what evidence_magic_matches needs to see. */
#define EVIDENCE_MAGIC_MAX 8

/* The accepted media type that a Content-Type header value names (case and
 * parameters ignored: "application/PDF; x=y" is "application/pdf"), or NULL
 * when the header is NULL or names another type. The result is a constant. */
const char *evidence_media_type(const char *content_type);

/* The file name extension of an accepted media type ("pdf", "jpg", "png"),
 * or NULL for any other. */
const char *evidence_extension(const char *media_type);

/* True when the first len bytes of a file begin with the magic number of
 * media_type (an accepted one): "%PDF-", FF D8 FF, or the PNG signature.
 * False for fewer bytes than the magic number, or another type. */
bool evidence_magic_matches(const char *media_type, const unsigned char *head, size_t len);

#endif
