/*
 * Parsing of values' cells (see parse.h).
 */
#include "values/parse.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *values_trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    size_t lead = strspn(s, " \t");
    if (lead)
        memmove(s, s + lead, n - lead + 1);
    return s;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool values_number(const char *s, char decimal, char out[VALUES_NUMBER_MAX], double *value)
{
    s += strspn(s, " \t");
    size_t n = 0, digits = 0;
    if (*s == '-' || *s == '+') {
        if (*s == '-')
            out[n++] = '-';
        s++;
    }
    for (; is_digit(*s) && n < VALUES_NUMBER_MAX - 2; s++, digits++)
        out[n++] = *s;
    if (*s == decimal) {
        s++;
        out[n++] = '.';
        size_t frac = 0;
        for (; is_digit(*s) && n < VALUES_NUMBER_MAX - 1; s++, frac++)
            out[n++] = *s;
        if (!frac)
            return false;
        digits += frac;
    }
    s += strspn(s, " \t\r");
    if (!digits || *s || n >= VALUES_NUMBER_MAX)
        return false;
    out[n] = '\0';
    *value = strtod(out, NULL);
    return true;
}

enum values_code values_missing_code(const char *s)
{
    static const char *const not_available[] = {"", "NA", "N/A", "-", "--", "...", "..", NULL};
    for (const char *const *c = not_available; *c; c++)
        if (strcasecmp(s, *c) == 0)
            return VALUES_CODE_NOT_AVAILABLE;
    if (strncasecmp(s, "ND", 2) == 0 && strspn(s + 2, "*") == strlen(s + 2))
        return VALUES_CODE_NOT_AVAILABLE;
    if (strcasecmp(s, "X") == 0)
        return VALUES_CODE_SUPPRESSED;
    return VALUES_CODE_NONE;
}

enum values_code_form values_code_form(const char *s, char out[8])
{
    s += strspn(s, " \t");
    size_t n = strspn(s, "0123456789");
    const char *rest = s + n;
    if (*rest && *rest != ' ' && *rest != '\t' && *rest != '\r')
        return VALUES_CODE_BAD;
    if (n != 6 && n != 7)
        return VALUES_CODE_BAD;
    memcpy(out, s, n);
    out[n] = '\0';
    return n == 7 ? VALUES_CODE_FULL : VALUES_CODE_SHORT;
}

/* The year of a period that has the right shape, or -1. */
static int period_shape(const char *periodicity, const char *p)
{
    bool monthly = strcmp(periodicity, "monthly") == 0;
    size_t len = strlen(p);
    if (len != (monthly ? 7u : 4u) || strspn(p, "0123456789") < 4)
        return -1;
    if (!(p[0] == '1' && p[1] == '9') && !(p[0] == '2' && p[1] == '0'))
        return -1;
    if (monthly) {
        if (p[4] != '-' || !is_digit(p[5]) || !is_digit(p[6]))
            return -1;
        int month = (p[5] - '0') * 10 + (p[6] - '0');
        if (month < 1 || month > 12)
            return -1;
    }
    return atoi(p);
}

const char *values_period_problem(const char *periodicity, const char *first, const char *p)
{
    int year = period_shape(periodicity, p);
    if (year < 0)
        return strcmp(periodicity, "monthly") == 0 ? "must be a month such as 2019-05"
                                                   : "must be a year such as 2019";
    if (first && *first) {
        if (strcmp(p, first) < 0)
            return "is before the indicator's first period";
        if (strcmp(periodicity, "biennial") == 0 && (year - atoi(first)) % 2 != 0)
            return "is not a period of this biennial indicator (its first period plus 2, 4, ...)";
    }
    return NULL;
}

bool values_boolean(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "1", "t", "yes", "sim", "s", NULL};
    static const char *const no[] = {"", "false", "0", "f", "no", "não", "nao", "n", NULL};
    for (const char *const *c = yes; *c; c++)
        if (strcasecmp(s, *c) == 0)
            return *out = true;
    for (const char *const *c = no; *c; c++)
        if (strcasecmp(s, *c) == 0 || (strcmp(*c, "não") == 0 && strcmp(s, "NÃO") == 0)) {
            *out = false;
            return true;
        }
    return false;
}

void values_latin1_to_utf8(const char *in, size_t n, struct buf *out)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x80)
            continue;
        buf_append(out, in + start, i - start);
        char two[2] = {(char)(0xc0 | (p[i] >> 6)), (char)(0x80 | (p[i] & 0x3f))};
        buf_append(out, two, 2);
        start = i + 1;
    }
    buf_append(out, in + start, n - start);
}

enum values_tabnet_line values_tabnet_classify(const char *first_cell)
{
    if (is_digit(first_cell[0]))
        return VALUES_TABNET_DATA;
    if (strcasecmp(first_cell, "Total") == 0)
        return VALUES_TABNET_TOTAL;
    return VALUES_TABNET_FOOTER;
}
