/*
 * Unit tests for lib/validate/plain_text: what counts as markup.
 */
#include "suites.h"

#include "validate/plain_text.h"

#include <stddef.h>

START_TEST(accepts_plain_text)
{
    ck_assert_ptr_null(plain_text_problem(""));
    ck_assert_ptr_null(plain_text_problem("A taxa caiu de 12 para 9 < 10, ótimo."));
    ck_assert_ptr_null(plain_text_problem("<3 para a equipe"));
    ck_assert_ptr_null(plain_text_problem("meta <= 5 e a > b"));
    ck_assert_ptr_null(plain_text_problem("termina com <"));
    ck_assert_ptr_null(plain_text_problem("< espaço depois"));
    ck_assert_ptr_null(plain_text_problem("linha 1\nlinha 2 & mais"));
    ck_assert_ptr_null(plain_text_problem("x < y > z"));
    ck_assert_ptr_null(plain_text_problem("Metas: < 50% atingidas"));
}
END_TEST

START_TEST(refuses_markup)
{
    ck_assert_ptr_nonnull(plain_text_problem("<script>alert(1)</script>"));
    ck_assert_ptr_nonnull(plain_text_problem("olá <b>mundo"));
    ck_assert_ptr_nonnull(plain_text_problem("fim </p>"));
    ck_assert_ptr_nonnull(plain_text_problem("<!-- comentário -->"));
    ck_assert_ptr_nonnull(plain_text_problem("<?xml version='1.0'?>"));
    ck_assert_ptr_nonnull(plain_text_problem("<IMG SRC=x onerror=alert(1)>"));
    ck_assert_ptr_nonnull(plain_text_problem("veja <a href=x>isto</a>"));
    ck_assert_ptr_nonnull(plain_text_problem("a<img src=x>"));
    ck_assert_ptr_nonnull(plain_text_problem("<!DOCTYPE html>"));
}
END_TEST

Suite *plain_text_suite(void)
{
    Suite *s = suite_create("plain_text");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, accepts_plain_text);
    tcase_add_test(tc, refuses_markup);
    suite_add_tcase(s, tc);
    return s;
}
