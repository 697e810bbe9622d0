/*
 * Canonical ids (see id.h).
 */
#include "validate/id.h"

#include <string.h>

bool id_is_canonical(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= 18 && s[0] >= '1' && s[0] <= '9' && strspn(s, "0123456789") == n;
}
