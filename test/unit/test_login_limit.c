/*
 * Unit tests for lib/auth/login_limit.c. Time is passed in, never slept.
 */
#include "auth/login_limit.h"
#include "suites.h"

#include <stdio.h>
#include <string.h>

#define T0 1700000000L

static void reset(void) { login_limit_reset(); }

START_TEST(test_fresh_account_may_try)
{
    int retry = -1;
    ck_assert(login_limit_check("ana@example.org", "192.0.2.1", T0, &retry));
    ck_assert_int_eq(retry, 0);
}
END_TEST

START_TEST(test_account_locked_after_five_failures)
{
    int retry = -1;
    for (int i = 0; i < LOGIN_LIMIT_PER_ACCOUNT - 1; i++) {
        login_limit_fail("ana@example.org", "192.0.2.1", T0 + i);
        ck_assert(login_limit_check("ana@example.org", "192.0.2.1", T0 + i, &retry));
    }
    login_limit_fail("ana@example.org", "192.0.2.1", T0 + 10);

    /* Locked from any address, until the window that began at T0 ends. */
    ck_assert(!login_limit_check("ana@example.org", "198.51.100.7", T0 + 10, &retry));
    ck_assert_int_eq(retry, LOGIN_LIMIT_WINDOW - 10);
    ck_assert(!login_limit_check("ana@example.org", NULL, T0 + 100, &retry));
    ck_assert_int_eq(retry, LOGIN_LIMIT_WINDOW - 100);

    /* Other accounts from the same address are not affected. */
    ck_assert(login_limit_check("bia@example.org", "192.0.2.1", T0 + 10, &retry));
    ck_assert_int_eq(retry, 0);
}
END_TEST

START_TEST(test_window_expiry)
{
    int retry = -1;
    for (int i = 0; i < LOGIN_LIMIT_PER_ACCOUNT; i++)
        login_limit_fail("ana@example.org", "192.0.2.1", T0);
    ck_assert(
        !login_limit_check("ana@example.org", "192.0.2.1", T0 + LOGIN_LIMIT_WINDOW - 1, &retry));
    ck_assert_int_eq(retry, 1);
    ck_assert(login_limit_check("ana@example.org", "192.0.2.1", T0 + LOGIN_LIMIT_WINDOW, &retry));
    ck_assert_int_eq(retry, 0);

    /* After the window the count starts again from zero. */
    login_limit_fail("ana@example.org", "192.0.2.1", T0 + LOGIN_LIMIT_WINDOW);
    ck_assert(login_limit_check("ana@example.org", "192.0.2.1", T0 + LOGIN_LIMIT_WINDOW, &retry));
}
END_TEST

START_TEST(test_failures_outside_window_do_not_add_up)
{
    int retry = -1;
    for (int i = 0; i < 3 * LOGIN_LIMIT_PER_ACCOUNT; i++) {
        /* one failure every 4 minutes: never 5 in one 15-minute window */
        login_limit_fail("ana@example.org", "192.0.2.1", T0 + (time_t)i * 240);
    }
    ck_assert(login_limit_check("ana@example.org", "192.0.2.1", T0 + 14 * 240, &retry));
}
END_TEST

START_TEST(test_address_limit)
{
    int retry = -1;
    char account[64];
    for (int i = 0; i < LOGIN_LIMIT_PER_ADDRESS; i++) {
        snprintf(account, sizeof account, "user%d@example.org", i);
        ck_assert(login_limit_check(account, "203.0.113.9", T0 + i, &retry));
        login_limit_fail(account, "203.0.113.9", T0 + i);
    }
    /* A fresh account from that address is refused... */
    ck_assert(!login_limit_check("new@example.org", "203.0.113.9", T0 + 30, &retry));
    ck_assert_int_eq(retry, LOGIN_LIMIT_WINDOW - 30);
    /* ...the same account from another address is not. */
    ck_assert(login_limit_check("new@example.org", "203.0.113.10", T0 + 30, &retry));
    ck_assert(login_limit_check(NULL, "203.0.113.10", T0 + 30, &retry));
}
END_TEST

START_TEST(test_success_resets_account)
{
    int retry = -1;
    for (int i = 0; i < LOGIN_LIMIT_PER_ACCOUNT - 1; i++)
        login_limit_fail("ana@example.org", "192.0.2.1", T0);
    login_limit_success("ana@example.org");
    for (int i = 0; i < LOGIN_LIMIT_PER_ACCOUNT - 1; i++)
        login_limit_fail("ana@example.org", "192.0.2.2", T0 + 1);
    ck_assert(login_limit_check("ana@example.org", "192.0.2.3", T0 + 1, &retry));
    login_limit_fail("ana@example.org", "192.0.2.2", T0 + 1);
    ck_assert(!login_limit_check("ana@example.org", "192.0.2.3", T0 + 1, &retry));
}
END_TEST

START_TEST(test_reset_forgets_everything)
{
    int retry = -1;
    for (int i = 0; i < LOGIN_LIMIT_PER_ADDRESS; i++)
        login_limit_fail("ana@example.org", "192.0.2.1", T0);
    login_limit_reset();
    ck_assert(login_limit_check("ana@example.org", "192.0.2.1", T0, &retry));
}
END_TEST

START_TEST(test_clock_backwards_bounded)
{
    int retry = -1;
    for (int i = 0; i < LOGIN_LIMIT_PER_ACCOUNT; i++)
        login_limit_fail("ana@example.org", NULL, T0);
    ck_assert(!login_limit_check("ana@example.org", NULL, T0 - 3600, &retry));
    ck_assert_int_le(retry, LOGIN_LIMIT_WINDOW);
    ck_assert_int_ge(retry, 1);
}
END_TEST

START_TEST(test_lock_survives_address_spray)
{
    /* Fill the table several times over with one-failure address entries;
     * the locked account must not be the entry forgotten. */
    int retry = -1;
    char addr[64];
    for (int i = 0; i < LOGIN_LIMIT_PER_ACCOUNT; i++) {
        snprintf(addr, sizeof addr, "10.0.0.%d", i);
        login_limit_fail("ana@example.org", addr, T0);
    }
    for (int i = 0; i < 3 * 4096; i++) {
        snprintf(addr, sizeof addr, "10.%d.%d.%d", 1 + i / 65536, i / 256 % 256, i % 256);
        login_limit_fail(NULL, addr, T0 + 1);
    }
    ck_assert(!login_limit_check("ana@example.org", "172.16.0.1", T0 + 2, &retry));
}
END_TEST

START_TEST(test_long_keys)
{
    char account[600];
    memset(account, 'x', sizeof account - 1);
    account[sizeof account - 1] = '\0';
    int retry = -1;
    for (int i = 0; i < LOGIN_LIMIT_PER_ACCOUNT; i++)
        login_limit_fail(account, NULL, T0);
    ck_assert(!login_limit_check(account, NULL, T0, &retry));
    login_limit_success(account);
    ck_assert(login_limit_check(account, NULL, T0, &retry));
}
END_TEST

Suite *login_limit_suite(void)
{
    Suite *s = suite_create("login_limit");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, reset, reset);
    tcase_add_test(tc, test_fresh_account_may_try);
    tcase_add_test(tc, test_account_locked_after_five_failures);
    tcase_add_test(tc, test_window_expiry);
    tcase_add_test(tc, test_failures_outside_window_do_not_add_up);
    tcase_add_test(tc, test_address_limit);
    tcase_add_test(tc, test_success_resets_account);
    tcase_add_test(tc, test_reset_forgets_everything);
    tcase_add_test(tc, test_clock_backwards_bounded);
    tcase_add_test(tc, test_lock_survives_address_spray);
    tcase_add_test(tc, test_long_keys);
    suite_add_tcase(s, tc);
    return s;
}
