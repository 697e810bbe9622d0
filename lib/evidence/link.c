/*
 * The shape of an evidence link (see link.h).
 */
#include "evidence/link.h"

#include <string.h>

const char *evidence_link_problem(const char *url)
{
    static const char scheme[] = "https://";
    /* lowercase, as stored (sql/024 checks it) */
    if (strncmp(url, scheme, sizeof scheme - 1) != 0)
        return "must be an https URL";
    const char *host = url + sizeof scheme - 1;
    size_t hostlen = strcspn(host, "/?#");
    /* userinfo (https://user@host) hides the real host from a reader */
    if (hostlen == 0 || memchr(host, '@', hostlen) || host[0] == ':' || host[0] == '.')
        return "must name a host";
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return "must not hold spaces or control characters";
    return NULL;
}
