/*
 * Strict unpadded base64url (lib/core/base64url.c), shared by JWTs and cursors.
 */
#include "suites.h"

#include "core/base64url.h"

#include <string.h>

START_TEST(round_trip)
{
    const unsigned char in[] = {0xfb, 0xff, 0x00, 0x41, 0x42};
    for (size_t n = 0; n <= sizeof in; n++) {
        char enc[16];
        unsigned char dec[8];
        size_t len = base64url_encode(in, n, enc);
        ck_assert_uint_eq(len, base64url_encoded_len(n));
        ck_assert(strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
                  len);
        ck_assert_int_eq(base64url_decode(enc, len, dec, sizeof dec), (long)n);
        ck_assert(memcmp(dec, in, n) == 0);
    }
}
END_TEST

START_TEST(one_spelling_only)
{
    unsigned char out[8];
    ck_assert_int_eq(base64url_decode("-_8", 3, out, sizeof out), 2);    /* fb ff */
    ck_assert_int_eq(base64url_decode("-_9", 3, out, sizeof out), -1);   /* tail bits set */
    ck_assert_int_eq(base64url_decode("QQ==", 4, out, sizeof out), -1);  /* padding */
    ck_assert_int_eq(base64url_decode("+/8", 3, out, sizeof out), -1);   /* plain base64 */
    ck_assert_int_eq(base64url_decode("QUJDR", 5, out, sizeof out), -1); /* no such length */
    ck_assert_int_eq(base64url_decode("QUJDRA", 6, out, 3), -1);         /* over cap */
}
END_TEST

Suite *base64url_suite(void)
{
    Suite *s = suite_create("base64url");
    TCase *tc = tcase_create("base64url");
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, one_spelling_only);
    suite_add_tcase(s, tc);
    return s;
}
