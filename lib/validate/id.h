/*
 * Server-made integer ids as they appear in paths, tokens and filters.
 */
#ifndef PACTO_VALIDATE_ID_H
#define PACTO_VALIDATE_ID_H

#include <stdbool.h>

/* True for a positive decimal integer in canonical form: 1 to 18 digits, no
 * leading zero, no sign. "01" would reach id 1 under another name and slip
 * past checks that compare ids as text, so only the canonical form is an id. */
bool id_is_canonical(const char *s);

#endif
