/*
 * WAL positions as text (see lsn.h).
 */
#include "db/lsn.h"

#include <stdio.h>

/* Reads 1..8 hex digits up to `end` (the character that must follow them).
 * Returns the number of characters read, 0 when they are not that. */
static int hex_part(const char *s, char end, uint32_t *out)
{
    uint32_t v = 0;
    int n = 0;
    for (; s[n] && s[n] != end; n++) {
        char ch = s[n];
        int d = ch >= '0' && ch <= '9'   ? ch - '0'
                : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                         : -1;
        if (d < 0 || n == 8)
            return 0;
        v = v << 4 | (uint32_t)d;
    }
    if (n == 0 || s[n] != end)
        return 0;
    *out = v;
    return n;
}

bool db_lsn_parse(const char *text, uint64_t *out)
{
    if (!text)
        return false;
    uint32_t hi, lo;
    int n = hex_part(text, '/', &hi);
    if (!n || !hex_part(text + n + 1, '\0', &lo))
        return false;
    *out = (uint64_t)hi << 32 | lo;
    return true;
}

void db_lsn_format(uint64_t lsn, char out[DB_LSN_TEXT_MAX])
{
    snprintf(out, DB_LSN_TEXT_MAX, "%X/%X", (unsigned)(lsn >> 32), (unsigned)(lsn & 0xffffffffu));
}
