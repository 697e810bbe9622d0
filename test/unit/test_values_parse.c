/*
 * Unit tests for lib/values/parse: numbers with either decimal separator,
 * the sources' codes for a missing value, the forms of a municipality code,
 * periods of each periodicity, ISO-8859-1 to UTF-8, and the kinds of line
 * of a DATASUS TabNet export.
 */
#include "suites.h"

#include "values/parse.h"

#include <string.h>

START_TEST(numbers_take_either_decimal_separator)
{
    char out[VALUES_NUMBER_MAX];
    double v = 0;
    ck_assert(values_number("16,1", ',', out, &v));
    ck_assert_str_eq(out, "16.1");
    ck_assert_double_eq_tol(v, 16.1, 1e-12);
    ck_assert(values_number(" -0.25 ", '.', out, &v));
    ck_assert_str_eq(out, "-0.25");
    ck_assert(values_number("+3", '.', out, &v));
    ck_assert_str_eq(out, "3");
    ck_assert(values_number("203922", ',', out, &v));
    ck_assert_double_eq(v, 203922);
    /* The other separator, exponents, thousands, empty and signs alone are not numbers. */
    ck_assert(!values_number("16.1", ',', out, &v));
    ck_assert(!values_number("16,1", '.', out, &v));
    ck_assert(!values_number("1e3", '.', out, &v));
    ck_assert(!values_number("1.234,5", ',', out, &v));
    ck_assert(!values_number("", '.', out, &v));
    ck_assert(!values_number("-", '.', out, &v));
    ck_assert(!values_number("5.", '.', out, &v));
    ck_assert(!values_number("NA", '.', out, &v));
}
END_TEST

START_TEST(the_sources_codes_mean_no_value)
{
    ck_assert_int_eq(values_missing_code("NA"), VALUES_CODE_NOT_AVAILABLE);
    ck_assert_int_eq(values_missing_code("-"), VALUES_CODE_NOT_AVAILABLE);
    ck_assert_int_eq(values_missing_code("ND"), VALUES_CODE_NOT_AVAILABLE);
    ck_assert_int_eq(values_missing_code("ND*"), VALUES_CODE_NOT_AVAILABLE);
    ck_assert_int_eq(values_missing_code("ND***"), VALUES_CODE_NOT_AVAILABLE);
    ck_assert_int_eq(values_missing_code("..."), VALUES_CODE_NOT_AVAILABLE);
    ck_assert_int_eq(values_missing_code(""), VALUES_CODE_NOT_AVAILABLE);
    ck_assert_int_eq(values_missing_code("X"), VALUES_CODE_SUPPRESSED);
    ck_assert_int_eq(values_missing_code("NDX"), VALUES_CODE_NONE);
    ck_assert_int_eq(values_missing_code("abc"), VALUES_CODE_NONE);
    ck_assert_int_eq(values_missing_code("0"), VALUES_CODE_NONE);
}
END_TEST

START_TEST(codes_come_in_seven_or_six_digits)
{
    char code[8];
    ck_assert_int_eq(values_code_form("3550308", code), VALUES_CODE_FULL);
    ck_assert_str_eq(code, "3550308");
    ck_assert_int_eq(values_code_form("355030", code), VALUES_CODE_SHORT);
    ck_assert_str_eq(code, "355030");
    /* TabNet's cell: the code, a space, the name. */
    ck_assert_int_eq(values_code_form("355030 São Paulo", code), VALUES_CODE_SHORT);
    ck_assert_str_eq(code, "355030");
    ck_assert_int_eq(values_code_form(" 5002704 ", code), VALUES_CODE_FULL);
    ck_assert_int_eq(values_code_form("35503", code), VALUES_CODE_BAD);
    ck_assert_int_eq(values_code_form("35503080", code), VALUES_CODE_BAD);
    ck_assert_int_eq(values_code_form("355030a", code), VALUES_CODE_BAD);
    ck_assert_int_eq(values_code_form("Total", code), VALUES_CODE_BAD);
}
END_TEST

START_TEST(periods_follow_the_periodicity)
{
    ck_assert_ptr_null(values_period_problem("annual", NULL, "2019"));
    ck_assert_ptr_null(values_period_problem("monthly", "", "2019-05"));
    ck_assert_ptr_nonnull(values_period_problem("monthly", NULL, "2019-13"));
    ck_assert_ptr_nonnull(values_period_problem("annual", NULL, "2019-05"));
    ck_assert_ptr_nonnull(values_period_problem("annual", NULL, "19"));
    ck_assert_ptr_nonnull(values_period_problem("annual", NULL, "2x19"));
    ck_assert_ptr_nonnull(values_period_problem("annual", NULL, "1899"));
    /* Biennial: first + 2k, never before first. */
    ck_assert_ptr_null(values_period_problem("biennial", "2005", "2019"));
    ck_assert_ptr_nonnull(values_period_problem("biennial", "2005", "2018"));
    ck_assert_ptr_nonnull(values_period_problem("biennial", "2005", "2003"));
    ck_assert_ptr_nonnull(values_period_problem("annual", "2000", "1999"));
}
END_TEST

START_TEST(latin1_becomes_utf8)
{
    struct buf b = {0};
    values_latin1_to_utf8("Munic\xedpio S\xe3o Paulo", 19, &b);
    ck_assert_str_eq(buf_cstr(&b), "Município São Paulo");
    buf_free(&b);
}
END_TEST

START_TEST(tabnet_lines_are_told_apart)
{
    ck_assert_int_eq(values_tabnet_classify("355030 São Paulo"), VALUES_TABNET_DATA);
    ck_assert_int_eq(values_tabnet_classify("350000 Município ignorado - SP"), VALUES_TABNET_DATA);
    ck_assert_int_eq(values_tabnet_classify("Total"), VALUES_TABNET_TOTAL);
    ck_assert_int_eq(values_tabnet_classify("Fonte: MS/SVS/DASIS"), VALUES_TABNET_FOOTER);
    ck_assert_int_eq(values_tabnet_classify("Legenda:"), VALUES_TABNET_FOOTER);
    ck_assert_int_eq(values_tabnet_classify(""), VALUES_TABNET_FOOTER);
    ck_assert_int_eq(values_tabnet_classify("-  - Dados numéricos iguais a 0"),
                     VALUES_TABNET_FOOTER);
}
END_TEST

START_TEST(booleans_and_trimming)
{
    bool v = true;
    ck_assert(values_boolean("", &v) && !v);
    ck_assert(values_boolean("sim", &v) && v);
    ck_assert(values_boolean("0", &v) && !v);
    ck_assert(!values_boolean("maybe", &v));
    char s[] = "  12 \r";
    ck_assert_str_eq(values_trim(s), "12");
}
END_TEST

Suite *values_parse_suite(void)
{
    Suite *s = suite_create("values_parse");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, numbers_take_either_decimal_separator);
    tcase_add_test(tc, the_sources_codes_mean_no_value);
    tcase_add_test(tc, codes_come_in_seven_or_six_digits);
    tcase_add_test(tc, periods_follow_the_periodicity);
    tcase_add_test(tc, latin1_becomes_utf8);
    tcase_add_test(tc, tabnet_lines_are_told_apart);
    tcase_add_test(tc, booleans_and_trimming);
    suite_add_tcase(s, tc);
    return s;
}
