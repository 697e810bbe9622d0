/*
 * E-mail and phone checks (see contact.h).
 */
#include "validate/contact.h"

#include <string.h>

const char *contact_phone_problem(const char *s)
{
    if (strspn(s, "0123456789 +-().") != strlen(s))
        return "may hold only digits, spaces and + - ( ) .";
    return NULL;
}

const char *contact_email_problem(const char *s)
{
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n < 3 || n > 254 || !at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
        at[1] == '.' || s[n - 1] == '.' || strpbrk(s, " \t\r\n\"<>,;()[]\\"))
        return "is not an e-mail address";
    return NULL;
}
