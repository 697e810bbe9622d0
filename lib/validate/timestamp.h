/*
 * RFC 3339 date-times as clients send them: strictly checked here, so that
 * PostgreSQL, which accepts far more ("now", "epoch", dates without a zone),
 * only ever parses a well-formed, in-range value.
 */
#ifndef PACTO_VALIDATE_TIMESTAMP_H
#define PACTO_VALIDATE_TIMESTAMP_H

#include <stdbool.h>

/* True when s is YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM) with every
 * field in range (the day within its month, leap years included; second 60
 * for a leap second; 1 to 9 fraction digits), at most 40 bytes long. */
bool timestamp_is_rfc3339(const char *s);

#endif
