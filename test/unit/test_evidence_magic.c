/*
 * Unit tests for lib/evidence/magic and lib/evidence/link: which media types
 * evidence may be, their magic numbers, and the shape of a link.
 */
#include "suites.h"

#include "evidence/link.h"
#include "evidence/magic.h"

#include <string.h>

#define U(s) ((const unsigned char *)(s))

START_TEST(names_the_accepted_types_whatever_case_and_parameters)
{
    ck_assert_str_eq(evidence_media_type("application/pdf"), "application/pdf");
    ck_assert_str_eq(evidence_media_type("Application/PDF; name=x.pdf"), "application/pdf");
    ck_assert_str_eq(evidence_media_type("image/jpeg"), "image/jpeg");
    ck_assert_str_eq(evidence_media_type("image/png;charset=x"), "image/png");
    ck_assert_ptr_null(evidence_media_type(NULL));
    ck_assert_ptr_null(evidence_media_type("application/json"));
    ck_assert_ptr_null(evidence_media_type("image/pngx"));
    ck_assert_ptr_null(evidence_media_type("image/jpg"));
    ck_assert_ptr_null(evidence_media_type("application/pd"));
    ck_assert_str_eq(evidence_extension("image/jpeg"), "jpg");
    ck_assert_str_eq(evidence_extension("application/pdf"), "pdf");
    ck_assert_str_eq(evidence_extension("image/png"), "png");
    ck_assert_ptr_null(evidence_extension("text/plain"));
}
END_TEST

START_TEST(each_type_matches_its_own_magic_number_only)
{
    static const unsigned char pdf[] = "%PDF-1.7\n";
    static const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10};
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0};
    ck_assert(evidence_magic_matches("application/pdf", pdf, sizeof pdf - 1));
    ck_assert(evidence_magic_matches("image/jpeg", jpeg, sizeof jpeg));
    ck_assert(evidence_magic_matches("image/png", png, sizeof png));
    ck_assert(!evidence_magic_matches("application/pdf", png, sizeof png));
    ck_assert(!evidence_magic_matches("application/pdf", jpeg, sizeof jpeg));
    ck_assert(!evidence_magic_matches("image/png", pdf, sizeof pdf - 1));
    ck_assert(!evidence_magic_matches("image/jpeg", png, sizeof png));
    ck_assert(!evidence_magic_matches("text/plain", pdf, sizeof pdf - 1));
    /* a PNG signature broken by a text-mode transfer (CRLF made LF) */
    ck_assert(!evidence_magic_matches("image/png", U("\x89PNG\n\x1A\n\0"), 8));
}
END_TEST

START_TEST(too_few_bytes_match_nothing)
{
    ck_assert(!evidence_magic_matches("application/pdf", U("%PDF"), 4));
    ck_assert(evidence_magic_matches("application/pdf", U("%PDF-"), 5));
    ck_assert(!evidence_magic_matches("image/jpeg", U("\xFF\xD8"), 2));
    ck_assert(!evidence_magic_matches("image/png", U("\x89PNG\r\n\x1A"), 7));
    ck_assert(!evidence_magic_matches("application/pdf", NULL, 0));
}
END_TEST

START_TEST(a_link_is_an_https_url_with_a_host)
{
    ck_assert_ptr_null(evidence_link_problem("https://campogrande.ms.gov.br/saude?x=1#a"));
    ck_assert_ptr_nonnull(evidence_link_problem("HTTPS://example.org")); /* stored lowercase */
    ck_assert_ptr_null(evidence_link_problem("https://example.org:8443/a"));
    ck_assert_ptr_nonnull(evidence_link_problem("http://example.org"));
    ck_assert_ptr_nonnull(evidence_link_problem("javascript:alert(1)"));
    ck_assert_ptr_nonnull(evidence_link_problem("https://"));
    ck_assert_ptr_nonnull(evidence_link_problem("https:///path"));
    ck_assert_ptr_nonnull(evidence_link_problem("https://user@evil.example/"));
    ck_assert_ptr_nonnull(evidence_link_problem("https://example.org/a b"));
    ck_assert_ptr_nonnull(evidence_link_problem("https://example.org/\x01"));
}
END_TEST

Suite *evidence_magic_suite(void)
{
    Suite *s = suite_create("evidence_magic");
    TCase *tc = tcase_create("evidence_magic");
    tcase_add_test(tc, names_the_accepted_types_whatever_case_and_parameters);
    tcase_add_test(tc, each_type_matches_its_own_magic_number_only);
    tcase_add_test(tc, too_few_bytes_match_nothing);
    tcase_add_test(tc, a_link_is_an_https_url_with_a_host);
    suite_add_tcase(s, tc);
    return s;
}
