/*
 * Content negotiation (see negotiate.h).
 */
#include "http/negotiate.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

double http_accept_q(const char *accept, const char *type)
{
    size_t slash = strcspn(type, "/");
    double q = 0;
    int best = -1; /* specificity of the range q came from */
    for (const char *p = accept; *p;) {
        p += strspn(p, " \t,");
        size_t len = strcspn(p, ",");
        size_t range = strcspn(p, ";, \t");
        int specificity = -1;
        if (range == 3 && strncmp(p, "*/*", 3) == 0)
            specificity = 0;
        else if (range == slash + 2 && strncasecmp(p, type, slash + 1) == 0 && p[slash + 1] == '*')
            specificity = 1;
        else if (range == strlen(type) && strncasecmp(p, type, range) == 0)
            specificity = 2;
        if (specificity > best) {
            double v = 1;
            const char *param = memchr(p, ';', len);
            while (param && param < p + len) {
                param += 1 + strspn(param + 1, " \t");
                if ((param[0] == 'q' || param[0] == 'Q') && param[1] == '=')
                    v = strtod(param + 2, NULL);
                param = memchr(param, ';', (size_t)(p + len - param));
            }
            if (v >= 0 && v <= 1) {
                q = v;
                best = specificity;
            }
        }
        p += len;
    }
    return q;
}
