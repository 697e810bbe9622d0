/*
 * RFC 3339 date-time checking (see timestamp.h).
 */
#include "validate/timestamp.h"

#include <string.h>

/* Reads exactly n digits at *s into *out and advances *s. */
static bool digits(const char **s, int n, int *out)
{
    *out = 0;
    for (int i = 0; i < n; i++, (*s)++) {
        if (**s < '0' || **s > '9')
            return false;
        *out = *out * 10 + (**s - '0');
    }
    return true;
}

/* Skips one character at *s when it is one of `chars`. */
static bool sep(const char **s, const char *chars)
{
    if (!**s || !strchr(chars, **s))
        return false;
    (*s)++;
    return true;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

bool timestamp_is_rfc3339(const char *s)
{
    int y, mo, d, h, mi, sec, oh, om;
    if (strlen(s) > 40 || !digits(&s, 4, &y) || !sep(&s, "-") || !digits(&s, 2, &mo) ||
        !sep(&s, "-") || !digits(&s, 2, &d) || !sep(&s, "Tt") || !digits(&s, 2, &h) ||
        !sep(&s, ":") || !digits(&s, 2, &mi) || !sep(&s, ":") || !digits(&s, 2, &sec))
        return false;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        sec > 60) /* 60: a leap second */
        return false;
    if (sep(&s, ".")) {
        size_t n = strspn(s, "0123456789");
        if (n == 0 || n > 9)
            return false;
        s += n;
    }
    if (sep(&s, "Zz"))
        return *s == '\0';
    return sep(&s, "+-") && digits(&s, 2, &oh) && sep(&s, ":") && digits(&s, 2, &om) &&
           *s == '\0' && oh <= 23 && om <= 59;
}
