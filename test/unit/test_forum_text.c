/*
 * Unit tests of forum_plain_text_problem (lib/forum): what a co-evaluation's
 * public justification may hold. Markup is refused, a '<' that opens none
 * is text.
 */
#include "suites.h"

#include "forum/forum.h"

START_TEST(markup_is_refused)
{
    static const char *const markup[] = {
        "<script>alert(1)</script>", "veja <a href=x>isto</a>", "fim </p>",     "<!-- x -->",
        "<?xml version=\"1.0\"?>",   "<B>negrito</B>",          "a<img src=x>", "<!DOCTYPE html>",
    };
    for (size_t i = 0; i < sizeof markup / sizeof markup[0]; i++)
        ck_assert_msg(forum_plain_text_problem(markup[i]) != NULL, "%s passed", markup[i]);
}
END_TEST

START_TEST(text_with_angle_brackets_passes)
{
    static const char *const text[] = {
        "2 < 3",
        "<3",
        "a <= b",
        "<",
        "fim <",
        "x < y > z",
        "Metas: < 50% atingidas",
        "",
        "Atingida, com ressalvas.",
    };
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        ck_assert_msg(forum_plain_text_problem(text[i]) == NULL, "%s refused", text[i]);
}
END_TEST

Suite *forum_text_suite(void)
{
    Suite *s = suite_create("forum_text");
    TCase *tc = tcase_create("plain_text");
    tcase_add_test(tc, markup_is_refused);
    tcase_add_test(tc, text_with_angle_brackets_passes);
    suite_add_tcase(s, tc);
    return s;
}
