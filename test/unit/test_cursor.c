/*
 * Unit tests for lib/cursor: a cursor round-trips, and nothing forged, edited,
 * borrowed from another list or oversized is accepted.
 */
#include "suites.h"

#include "cursor/cursor.h"

#include <string.h>

static void set_test_secret(void)
{
    static const unsigned char secret[] = "unit-test secret, not for production";
    cursor_set_secret(secret, sizeof secret - 1);
}

START_TEST(round_trips)
{
    char c[CURSOR_MAX_LEN], key[CURSOR_MAX_KEY + 1];
    const char *keys[] = {"", "42", "2024-05-01T10:00:00Z|1234", "line\nbreak", "São Paulo"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        ck_assert(cursor_encode("municipalities", keys[i], c));
        ck_assert_msg(strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                "0123456789-_.") == strlen(c),
                      "not URL-safe: %s", c);
        ck_assert(cursor_decode("municipalities", c, key));
        ck_assert_str_eq(key, keys[i]);
    }

    char longest[CURSOR_MAX_KEY + 1];
    memset(longest, 'k', CURSOR_MAX_KEY);
    longest[CURSOR_MAX_KEY] = '\0';
    ck_assert(cursor_encode("municipalities", longest, c));
    ck_assert(cursor_decode("municipalities", c, key));
    ck_assert_str_eq(key, longest);
}
END_TEST

START_TEST(refuses_tampered_tag_and_payload)
{
    char c[CURSOR_MAX_LEN], key[CURSOR_MAX_KEY + 1];
    ck_assert(cursor_encode("municipalities", "1000", c));
    size_t len = strlen(c);

    char t[CURSOR_MAX_LEN];
    strcpy(t, c);
    t[len - 2] = t[len - 2] == 'A' ? 'B' : 'A';
    ck_assert(!cursor_decode("municipalities", t, key));
    ck_assert_str_eq(key, "");

    strcpy(t, c);
    t[0] = t[0] == 'A' ? 'B' : 'A';
    ck_assert(!cursor_decode("municipalities", t, key));

    /* The tag of another key does not fit this payload. */
    char other[CURSOR_MAX_LEN];
    ck_assert(cursor_encode("municipalities", "2000", other));
    strcpy(t, c);
    strcpy(strchr(t, '.'), strchr(other, '.'));
    ck_assert(!cursor_decode("municipalities", t, key));
}
END_TEST

START_TEST(refuses_cursor_of_another_list)
{
    char c[CURSOR_MAX_LEN], key[CURSOR_MAX_KEY + 1];
    ck_assert(cursor_encode("municipalities", "1000", c));
    ck_assert(!cursor_decode("cycles", c, key));
    ck_assert(!cursor_decode("municipalitie", c, key));
    ck_assert(!cursor_decode("municipalities\n1", c, key));
    ck_assert(!cursor_decode("", c, key));
}
END_TEST

START_TEST(refuses_garbage)
{
    char key[CURSOR_MAX_KEY + 1];
    const char *bad[] = {"x",
                         ".",
                         "abc.",
                         ".abc",
                         "abc.def.ghi",
                         "a b.cd",
                         "YWJj.====",
                         "YWJj+.AAAAAAAAAAAAAAAAAAAAAA",
                         "YWJj.AAAAAAAAAAAAAAAAAAAAAA",
                         "YWJj.AAAAAAAAAAAAAAAAAAAAAAA=",
                         "%00.%00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!cursor_decode("municipalities", bad[i], key), "accepted %s", bad[i]);
    ck_assert(!cursor_decode("municipalities", NULL, key));
}
END_TEST

START_TEST(refuses_too_long)
{
    char c[CURSOR_MAX_LEN], key[CURSOR_MAX_KEY + 1];
    char big[CURSOR_MAX_KEY + 2];
    memset(big, 'k', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert(!cursor_encode("municipalities", big, c));
    ck_assert_str_eq(c, "");

    char list[400];
    memset(list, 'l', sizeof list - 1);
    list[sizeof list - 1] = '\0';
    ck_assert(!cursor_encode(list, "k", c));
    ck_assert(!cursor_encode("bad\nlist", "k", c));

    char huge[CURSOR_MAX_LEN * 2];
    memset(huge, 'A', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    ck_assert(!cursor_decode("municipalities", huge, key));
    huge[CURSOR_MAX_LEN] = '\0';
    ck_assert(!cursor_decode("municipalities", huge, key));
}
END_TEST

START_TEST(refuses_empty)
{
    char key[CURSOR_MAX_KEY + 1] = "x";
    ck_assert(!cursor_decode("municipalities", "", key));
    ck_assert_str_eq(key, "");
}
END_TEST

START_TEST(refuses_cursor_signed_with_another_secret)
{
    char c[CURSOR_MAX_LEN], key[CURSOR_MAX_KEY + 1];
    ck_assert(cursor_encode("municipalities", "1000", c));
    static const unsigned char other[] = "another deployment";
    cursor_set_secret(other, sizeof other - 1);
    ck_assert(!cursor_decode("municipalities", c, key));
}
END_TEST

Suite *cursor_suite(void)
{
    Suite *s = suite_create("cursor");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, set_test_secret, NULL);
    tcase_add_test(tc, round_trips);
    tcase_add_test(tc, refuses_tampered_tag_and_payload);
    tcase_add_test(tc, refuses_cursor_of_another_list);
    tcase_add_test(tc, refuses_garbage);
    tcase_add_test(tc, refuses_too_long);
    tcase_add_test(tc, refuses_empty);
    tcase_add_test(tc, refuses_cursor_signed_with_another_secret);
    suite_add_tcase(s, tc);
    return s;
}
