/*
 * Plain text (see plain_text.h).
 */
#include "validate/plain_text.h"

#include <stdbool.h>
#include <stddef.h>

static bool opens_markup(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '!' || c == '?';
}

const char *plain_text_problem(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (p[0] == '<' && opens_markup(p[1]))
            return "must be plain text: HTML markup (\"<\" followed by a letter, \"/\", \"!\" or "
                   "\"?\") is not accepted";
    return NULL;
}
