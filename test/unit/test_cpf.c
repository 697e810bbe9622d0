/*
 * Unit tests for lib/validate/cpf: accepted forms, check digits, masking.
 */
#include "suites.h"

#include "validate/cpf.h"

START_TEST(accepts_both_forms)
{
    char out[12];
    ck_assert(cpf_normalize("12345678909", out));
    ck_assert_str_eq(out, "12345678909");
    ck_assert(cpf_normalize("529.982.247-25", out));
    ck_assert_str_eq(out, "52998224725");
    ck_assert(cpf_is_valid("000.000.001-91")); /* leading zeros are real CPFs */
    ck_assert(cpf_is_valid("98765432100"));
}
END_TEST

START_TEST(refuses_wrong_check_digits)
{
    char out[12] = "x";
    ck_assert(!cpf_normalize("12345678900", out));
    ck_assert_str_eq(out, "");
    ck_assert(!cpf_is_valid("123.456.789-19"));
    ck_assert(!cpf_is_valid("529.982.247-52"));
}
END_TEST

START_TEST(refuses_repeated_digits)
{
    /* Each of these passes the arithmetic. */
    ck_assert(!cpf_is_valid("111.111.111-11"));
    ck_assert(!cpf_is_valid("00000000000"));
    ck_assert(!cpf_is_valid("99999999999"));
}
END_TEST

START_TEST(refuses_other_shapes)
{
    const char *bad[] = {"",
                         "1234567890",
                         "123456789090",
                         "123.456.78909",
                         "123456789-09",
                         "123-456.789.09",
                         "123.456.789/09",
                         " 12345678909",
                         "12345678909 ",
                         "1234567890a",
                         "123.456.789-0a",
                         "１２３45678909"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!cpf_is_valid(bad[i]), "accepted \"%s\"", bad[i]);
    ck_assert(!cpf_is_valid(NULL));
}
END_TEST

START_TEST(masks_middle_digits_only)
{
    char out[15] = "x";
    ck_assert(cpf_mask("12345678909", out));
    ck_assert_str_eq(out, "***.456.789-**");
    ck_assert(!cpf_mask("123.456.789-09", out));
    ck_assert_str_eq(out, "");
    ck_assert(!cpf_mask("1234567890", out));
    ck_assert(!cpf_mask("1234567890a", out));
}
END_TEST

Suite *cpf_suite(void)
{
    Suite *s = suite_create("cpf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, accepts_both_forms);
    tcase_add_test(tc, refuses_wrong_check_digits);
    tcase_add_test(tc, refuses_repeated_digits);
    tcase_add_test(tc, refuses_other_shapes);
    tcase_add_test(tc, masks_middle_digits_only);
    suite_add_tcase(s, tc);
    return s;
}
