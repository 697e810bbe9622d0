/*
 * Trusted proxies (lib/http/proxy.c): whose X-Forwarded-For is believed.
 */
#include "suites.h"

#include "http/proxy.h"

START_TEST(lists_parse)
{
    struct proxy_list l;
    const char *bad;
    ck_assert(proxy_list_parse("", &l, &bad));
    ck_assert_int_eq(l.n, 0);
    ck_assert(proxy_list_parse(" 127.0.0.1 , 10.0.0.0/8,::1, fd00::/8", &l, &bad));
    ck_assert_int_eq(l.n, 4);
    ck_assert(!proxy_list_parse("127.0.0.1, nginx", &l, &bad));
    ck_assert_str_eq(bad, " nginx");
    ck_assert(!proxy_list_parse("10.0.0.0/33", &l, &bad));
    ck_assert(!proxy_list_parse("10.0.0.0/", &l, &bad));
    ck_assert(!proxy_list_parse("10.0.0.0/8x", &l, &bad));
    ck_assert(proxy_list_parse("10.0.0.1,,", &l, &bad)); /* empty items are skipped */
}
END_TEST

START_TEST(networks_match)
{
    struct proxy_list l;
    const char *bad;
    ck_assert(proxy_list_parse("10.0.0.0/8, 192.168.1.7, fd00::/8", &l, &bad));
    ck_assert(proxy_is_trusted(&l, "10.255.0.1"));
    ck_assert(!proxy_is_trusted(&l, "11.0.0.1"));
    ck_assert(proxy_is_trusted(&l, "192.168.1.7"));
    ck_assert(!proxy_is_trusted(&l, "192.168.1.8"));
    ck_assert(proxy_is_trusted(&l, "fd12::1"));
    ck_assert(!proxy_is_trusted(&l, "fe80::1"));
    ck_assert(!proxy_is_trusted(&l, "not-an-address"));
}
END_TEST

START_TEST(forwarded_for_is_believed_only_from_trusted_peers)
{
    struct proxy_list l;
    const char *bad;
    char out[PROXY_ADDR_MAX];
    ck_assert(proxy_list_parse("127.0.0.1, 10.0.0.0/8", &l, &bad));
    /* An untrusted peer's header is ignored: the client cannot choose its address. */
    proxy_client_addr(&l, "203.0.113.9", "1.2.3.4", out);
    ck_assert_str_eq(out, "203.0.113.9");
    /* nginx on the host: the last address it appended is the client. */
    proxy_client_addr(&l, "127.0.0.1", "198.51.100.7", out);
    ck_assert_str_eq(out, "198.51.100.7");
    /* A forged leftmost entry does not count: the walk stops at the first untrusted. */
    proxy_client_addr(&l, "127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3", out);
    ck_assert_str_eq(out, "198.51.100.7");
    /* Garbage stops the walk at the last address believed. */
    proxy_client_addr(&l, "127.0.0.1", "junk, 10.1.2.3", out);
    ck_assert_str_eq(out, "10.1.2.3");
    proxy_client_addr(&l, "127.0.0.1", NULL, out);
    ck_assert_str_eq(out, "127.0.0.1");
    /* With no trusted proxy configured, the peer is the client. */
    struct proxy_list none = {0};
    proxy_client_addr(&none, "127.0.0.1", "198.51.100.7", out);
    ck_assert_str_eq(out, "127.0.0.1");
}
END_TEST

Suite *proxy_suite(void)
{
    Suite *s = suite_create("proxy");
    TCase *tc = tcase_create("proxy");
    tcase_add_test(tc, lists_parse);
    tcase_add_test(tc, networks_match);
    tcase_add_test(tc, forwarded_for_is_believed_only_from_trusted_peers);
    suite_add_tcase(s, tc);
    return s;
}
