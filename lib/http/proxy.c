/*
 * Trusted proxies and X-Forwarded-For (see proxy.h).
 */
#include "http/proxy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses one address into family and bytes; false when it is none. */
static bool parse_addr(const char *s, int *family, unsigned char addr[16])
{
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, s, addr) == 1) {
        *family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, s, addr) == 1) {
        *family = AF_INET6;
        return true;
    }
    return false;
}

/* Copies the item [s, s+n) without surrounding blanks into out (cap bytes). */
static bool trimmed(const char *s, size_t n, char *out, size_t cap)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= cap)
        return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

bool proxy_list_parse(const char *text, struct proxy_list *out, const char **bad)
{
    out->n = 0;
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, ",");
        char item[64];
        if (strspn(p, " \t") < n) {
            *bad = p;
            if (out->n == PROXY_LIST_MAX || !trimmed(p, n, item, sizeof item))
                return false;
            char *slash = strchr(item, '/');
            if (slash)
                *slash = '\0';
            int family;
            if (!parse_addr(item, &family, out->nets[out->n].addr))
                return false;
            int max = family == AF_INET ? 32 : 128, bits = max;
            if (slash) {
                char *end;
                long v = strtol(slash + 1, &end, 10);
                if (!slash[1] || *end || v < 0 || v > max)
                    return false;
                bits = (int)v;
            }
            out->nets[out->n].family = family;
            out->nets[out->n].bits = bits;
            out->n++;
        }
        p += n;
        if (*p)
            p++;
    }
    *bad = NULL;
    return true;
}

static bool in_net(const unsigned char *a, const unsigned char *net, int bits)
{
    int whole = bits / 8, rest = bits % 8;
    if (memcmp(a, net, (size_t)whole) != 0)
        return false;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return rest == 0 || (a[whole] & mask) == (net[whole] & mask);
}

bool proxy_is_trusted(const struct proxy_list *list, const char *addr)
{
    int family;
    unsigned char a[16];
    if (!parse_addr(addr, &family, a))
        return false;
    for (int i = 0; i < list->n; i++)
        if (list->nets[i].family == family && in_net(a, list->nets[i].addr, list->nets[i].bits))
            return true;
    return false;
}

void proxy_client_addr(const struct proxy_list *list, const char *peer, const char *xff,
                       char out[PROXY_ADDR_MAX])
{
    snprintf(out, PROXY_ADDR_MAX, "%s", peer);
    if (!xff || !proxy_is_trusted(list, peer))
        return;
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        char item[PROXY_ADDR_MAX];
        int family;
        unsigned char a[16];
        if (!trimmed(xff + start, end - start, item, sizeof item) || !parse_addr(item, &family, a))
            return; /* not an address: believe no further */
        memcpy(out, item, strlen(item) + 1);
        if (!proxy_is_trusted(list, item))
            return;
        end = start > 0 ? start - 1 : 0;
    }
}
