/*
 * Accept q-values (lib/http/negotiate.c): which of JSON and CSV a client prefers.
 */
#include "suites.h"

#include "http/negotiate.h"

START_TEST(q_values_decide)
{
    ck_assert_double_eq(http_accept_q("text/csv", "text/csv"), 1);
    ck_assert_double_eq(http_accept_q("text/csv", "application/json"), 0);
    ck_assert_double_eq(http_accept_q("application/json, text/csv;q=0.5", "text/csv"), 0.5);
    ck_assert_double_eq(http_accept_q("application/json, text/csv;q=0.5", "application/json"), 1);
    ck_assert_double_eq(http_accept_q("text/*;q=0.3, */*;q=0.1", "text/csv"), 0.3);
    ck_assert_double_eq(http_accept_q("text/*;q=0.3, */*;q=0.1", "application/json"), 0.1);
    /* The most specific range wins, wherever it stands. */
    ck_assert_double_eq(http_accept_q("text/csv;q=0, text/*", "text/csv"), 0);
    ck_assert_double_eq(http_accept_q("TEXT/CSV ; q=0.7", "text/csv"), 0.7);
    ck_assert_double_eq(http_accept_q("text/csv;charset=utf-8;q=0.2", "text/csv"), 0.2);
    ck_assert_double_eq(http_accept_q("text/csvx, text/cs", "text/csv"), 0);
    ck_assert_double_eq(http_accept_q("text/csv;q=7", "text/csv"), 0); /* out of range: ignored */
    ck_assert_double_eq(http_accept_q("", "text/csv"), 0);
}
END_TEST

Suite *negotiate_suite(void)
{
    Suite *s = suite_create("negotiate");
    TCase *tc = tcase_create("negotiate");
    tcase_add_test(tc, q_values_decide);
    suite_add_tcase(s, tc);
    return s;
}
