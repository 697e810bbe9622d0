/*
 * Unit tests for lib/auth/password.c: Argon2id hashing and verification,
 * refusal of missing or malformed stored hashes, and the length policy.
 */
#include "auth/password.h"
#include "suites.h"

#include <string.h>

START_TEST(test_hash_and_verify)
{
    char hash[PASSWORD_HASH_MAX];
    ck_assert(password_hash("correct horse battery staple", hash));
    ck_assert_int_eq(strncmp(hash, "$argon2id$v=19$m=19456,t=2,p=1$", 31), 0);
    ck_assert(strlen(hash) < PASSWORD_HASH_MAX);
    ck_assert(password_verify(hash, "correct horse battery staple"));
}
END_TEST

START_TEST(test_salt_is_fresh)
{
    char a[PASSWORD_HASH_MAX], b[PASSWORD_HASH_MAX];
    ck_assert(password_hash("same password twice", a));
    ck_assert(password_hash("same password twice", b));
    ck_assert_str_ne(a, b);
    ck_assert(password_verify(a, "same password twice"));
    ck_assert(password_verify(b, "same password twice"));
}
END_TEST

START_TEST(test_wrong_password)
{
    char hash[PASSWORD_HASH_MAX];
    ck_assert(password_hash("correct horse battery staple", hash));
    ck_assert(!password_verify(hash, "correct horse battery stapl"));
    ck_assert(!password_verify(hash, "Correct horse battery staple"));
    ck_assert(!password_verify(hash, ""));
    ck_assert(!password_verify(hash, NULL));
}
END_TEST

START_TEST(test_null_or_malformed_hash)
{
    ck_assert(!password_verify(NULL, "correct horse battery staple"));
    ck_assert(!password_verify("", "correct horse battery staple"));
    ck_assert(!password_verify("not a hash", "correct horse battery staple"));
    ck_assert(
        !password_verify("$argon2id$v=19$m=19456,t=2,p=1$garbage", "correct horse battery staple"));
    ck_assert(!password_verify("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA",
                               "correct horse battery staple"));
    /* A valid hash with its tag cut off */
    char hash[PASSWORD_HASH_MAX];
    ck_assert(password_hash("correct horse battery staple", hash));
    *strrchr(hash, '$') = '\0';
    ck_assert(!password_verify(hash, "correct horse battery staple"));
}
END_TEST

START_TEST(test_hash_refuses_bad_input)
{
    char hash[PASSWORD_HASH_MAX];
    ck_assert(!password_hash(NULL, hash));
    char long_pw[PASSWORD_MAX_LEN + 2];
    memset(long_pw, 'p', sizeof long_pw - 1);
    long_pw[sizeof long_pw - 1] = '\0';
    ck_assert(!password_hash(long_pw, hash));
    ck_assert(!password_verify("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA", long_pw));
}
END_TEST

START_TEST(test_policy)
{
    ck_assert_ptr_nonnull(password_policy_error(NULL));
    ck_assert_ptr_nonnull(password_policy_error(""));
    ck_assert_ptr_nonnull(password_policy_error("elevenchars"));
    ck_assert_ptr_null(password_policy_error("twelve chars"));
    char pw[PASSWORD_MAX_LEN + 2];
    memset(pw, 'p', PASSWORD_MAX_LEN);
    pw[PASSWORD_MAX_LEN] = '\0';
    ck_assert_ptr_null(password_policy_error(pw));
    pw[PASSWORD_MAX_LEN] = 'p';
    pw[PASSWORD_MAX_LEN + 1] = '\0';
    ck_assert_ptr_nonnull(password_policy_error(pw));
    ck_assert_ptr_nonnull(strstr(password_policy_error("short"), "short"));
    ck_assert_ptr_nonnull(strstr(password_policy_error(pw), "long"));
}
END_TEST

Suite *password_suite(void)
{
    Suite *s = suite_create("password");
    TCase *tc = tcase_create("argon2id");
    tcase_set_timeout(tc, 30); /* Argon2 is slow by design, more so under sanitizers */
    tcase_add_test(tc, test_hash_and_verify);
    tcase_add_test(tc, test_salt_is_fresh);
    tcase_add_test(tc, test_wrong_password);
    tcase_add_test(tc, test_null_or_malformed_hash);
    tcase_add_test(tc, test_hash_refuses_bad_input);
    tcase_add_test(tc, test_policy);
    suite_add_tcase(s, tc);
    return s;
}
