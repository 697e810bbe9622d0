/*
 * Unit tests for lib/indicators: the form of a catalogue code (indicators'
 * and, at another length, challenges'), as sql/014's CHECK constraints say
 * it: ^[A-Z0-9][A-Z0-9_.-]{0,max-1}$.
 */
#include "suites.h"

#include "indicators/indicators.h"

START_TEST(accepts_codes_of_the_catalogue)
{
    ck_assert_ptr_null(indicators_code_problem("MORT_INF", 40));
    ck_assert_ptr_null(indicators_code_problem("IDEB.AI-2019", 40));
    ck_assert_ptr_null(indicators_code_problem("SAU-01", 20));
    ck_assert_ptr_null(indicators_code_problem("9", 20));
    ck_assert_ptr_null(indicators_code_problem("ABCDEFGHIJKLMNOPQRST", 20)); /* 20 */
}
END_TEST

START_TEST(refuses_other_forms)
{
    ck_assert_ptr_nonnull(indicators_code_problem("", 40));
    ck_assert_ptr_nonnull(indicators_code_problem("mort_inf", 40));
    ck_assert_ptr_nonnull(indicators_code_problem("-SAU", 20));
    ck_assert_ptr_nonnull(indicators_code_problem("_SAU", 20));
    ck_assert_ptr_nonnull(indicators_code_problem("SAU 01", 20));
    ck_assert_ptr_nonnull(indicators_code_problem("SAÚDE", 20));
    ck_assert_ptr_nonnull(indicators_code_problem("ABCDEFGHIJKLMNOPQRSTU", 20)); /* 21 */
}
END_TEST

Suite *indicators_suite(void)
{
    Suite *s = suite_create("indicators");
    TCase *tc = tcase_create("code");
    tcase_add_test(tc, accepts_codes_of_the_catalogue);
    tcase_add_test(tc, refuses_other_forms);
    suite_add_tcase(s, tc);
    return s;
}
