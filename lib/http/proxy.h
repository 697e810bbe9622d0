/*
 * The client's address behind reverse proxies: X-Forwarded-For is believed
 * only as far as it was written by proxies the operator trusts
 * (PACTO_TRUSTED_PROXIES), so a client cannot choose the address that rate
 * limits and logs see.
 */
#ifndef PACTO_HTTP_PROXY_H
#define PACTO_HTTP_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#define PROXY_LIST_MAX 16
#define PROXY_ADDR_MAX 48

/* IPv4 and IPv6 networks (an address is a network of its full length). */
struct proxy_list {
    int n;
    struct {
        int family; /* AF_INET or AF_INET6 */
        unsigned char addr[16];
        int bits;
    } nets[PROXY_LIST_MAX];
};

/* Parses "127.0.0.1, 10.0.0.0/8, ::1". Returns false, with *bad at the
 * offending item, when an item is not an address or CIDR range, or there are
 * more than PROXY_LIST_MAX. An empty text is an empty list. */
bool proxy_list_parse(const char *text, struct proxy_list *out, const char **bad);

/* True when the address text is in one of the list's networks. */
bool proxy_is_trusted(const struct proxy_list *list, const char *addr);

/* The client's address: the peer itself unless it is trusted; then, walking
 * X-Forwarded-For (may be NULL) from the right, the first address that is not
 * a trusted proxy (or the leftmost, when all are). A malformed entry stops
 * the walk at the last address believed. out gets PROXY_ADDR_MAX bytes. */
void proxy_client_addr(const struct proxy_list *list, const char *peer, const char *xff,
                       char out[PROXY_ADDR_MAX]);

#endif
