/*
 * Unit tests for lib/json/json_strict: what it must accept, and each thing
 * cJSON lets through that it must refuse, with its message.
 */
#include "suites.h"

#include "json/json_strict.h"

#include <string.h>

/* Parses the n bytes at s and checks the outcome: want_error NULL means the
 * input must parse. */
static void expect_n(const char *s, size_t n, const char *want_error)
{
    const char *err = "unset";
    cJSON *root = json_parse_strict(s, n, &err);
    if (want_error) {
        ck_assert_msg(root == NULL, "accepted: %.*s", (int)n, s);
        ck_assert_msg(err && strcmp(err, want_error) == 0, "%.*s: got \"%s\", want \"%s\"", (int)n,
                      s, err ? err : "(null)", want_error);
    } else {
        ck_assert_msg(root != NULL, "refused (%s): %.*s", err ? err : "(null)", (int)n, s);
        ck_assert_ptr_null(err);
    }
    cJSON_Delete(root);
}

static void expect(const char *s, const char *want_error) { expect_n(s, strlen(s), want_error); }

START_TEST(accepts_valid_documents)
{
    expect("{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}", NULL);
    expect(" \t\r\n[1, -0.5, 2e10, 1E-3, 0]\n ", NULL);
    expect("\"São Paulo \\u00e9 \\ud83d\\ude00 \\\\u0000\"", NULL); /* escaped backslash */
    expect("42", NULL);
    expect("{\"A\":1,\"a\":2}", NULL);     /* keys compare case-sensitively */
    expect("[{\"a\":1},{\"a\":2}]", NULL); /* same key in sibling objects */

    /* The bytes after len are not part of the input. */
    expect_n("{\"a\":1}garbage", 7, NULL);

    const char *err = "unset";
    cJSON *root = json_parse_strict("{\"Name\":\"x\"}", 12, &err);
    ck_assert_ptr_nonnull(root);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(root, "Name")->valuestring, "x");
    cJSON_Delete(root);
}
END_TEST

START_TEST(refuses_duplicate_keys)
{
    expect("{\"a\":1,\"a\":2}", "duplicate object key");
    expect("{\"a\":1,\"b\":2,\"c\":3,\"b\":4}", "duplicate object key");
    expect("{\"x\":{\"y\":[{\"k\":1,\"k\":1}]}}", "duplicate object key");
    expect("[1,{\"\":1,\"\":2}]", "duplicate object key");
    expect("{\"\\u0061\":1,\"a\":2}", "duplicate object key"); /* same key, other spelling */
}
END_TEST

START_TEST(limits_depth)
{
    char doc[2 * (JSON_MAX_DEPTH + 1) + 1];
    for (int depth = JSON_MAX_DEPTH; depth <= JSON_MAX_DEPTH + 1; depth++) {
        memset(doc, '[', (size_t)depth);
        memset(doc + depth, ']', (size_t)depth);
        doc[2 * depth] = '\0';
        expect(doc, depth <= JSON_MAX_DEPTH ? NULL : "nesting deeper than 16 levels");
    }
    /* Brackets inside strings are not nesting. */
    expect("[\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"]", NULL);
    expect("{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
           "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}}}}}}}}}}}}",
           "nesting deeper than 16 levels");
}
END_TEST

START_TEST(refuses_invalid_utf8)
{
    expect("\"\xC0\xAF\"", "invalid UTF-8");         /* overlong '/' */
    expect("\"\xE0\x80\xAF\"", "invalid UTF-8");     /* overlong, 3 bytes */
    expect("\"\xED\xA0\x80\"", "invalid UTF-8");     /* surrogate U+D800 */
    expect("\"\xF4\x90\x80\x80\"", "invalid UTF-8"); /* above U+10FFFF */
    expect("\"\xE2\x82\"", "invalid UTF-8");         /* truncated euro sign */
    expect_n("\"\xE2\x82\xAC", 3, "invalid UTF-8");  /* truncated at the end */
    expect("\"\x80\"", "invalid UTF-8");             /* lone continuation */
    expect("\"\xFF\"", "invalid UTF-8");

    static const char good[] = "\xE2\x82\xAC \xF0\x9F\x98\x80 \xC3\xA9 "
                               "\xEF\xBF\xBF \xF4\x8F\xBF\xBF"; /* up to U+10FFFF */
    ck_assert(json_utf8_valid(good, sizeof good - 1));
    ck_assert(json_utf8_valid("", 0));
}
END_TEST

START_TEST(refuses_nul_in_strings)
{
    expect("\"a\\u0000b\"", "NUL character in string");
    expect("{\"k\\u0000\":1}", "NUL character in string");
    expect_n("\"a\0b\"", 5, "NUL character in string");
    /* cJSON would decode a bad hex digit as 0, i.e. as another NUL. */
    expect("\"a\\uzzzz\"", "malformed JSON");
    expect("\"a\\u00g0\"", "malformed JSON");
    expect("\"a\\u00\"", "malformed JSON");
}
END_TEST

START_TEST(refuses_trailing_data)
{
    expect("{} x", "trailing data after JSON value");
    expect("{}{}", "trailing data after JSON value");
    expect("[1]]", "trailing data after JSON value");
    expect("1 2", "trailing data after JSON value");
}
END_TEST

START_TEST(refuses_malformed_and_empty)
{
    expect_n("", 0, "malformed JSON");
    expect_n(NULL, 0, "malformed JSON");
    expect("   ", "malformed JSON");
    expect("{", "malformed JSON");
    expect("{\"a\":}", "malformed JSON");
    expect("[1,]", "malformed JSON");
    expect("\"unterminated", "malformed JSON");
    /* Leniencies of cJSON that RFC 8259 does not allow. */
    expect("01", "malformed JSON");
    expect("+1", "malformed JSON");
    expect(".5", "malformed JSON");
    expect("1.", "malformed JSON");
    expect("[1e999]", "malformed JSON");
    expect("\"tab\there\"", "malformed JSON");
    expect("\xEF\xBB\xBF{}", "malformed JSON");
    expect_n("{}\0", 3, "malformed JSON");
    expect("\x01{}", "malformed JSON");
}
END_TEST

Suite *json_strict_suite(void)
{
    Suite *s = suite_create("json_strict");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, accepts_valid_documents);
    tcase_add_test(tc, refuses_duplicate_keys);
    tcase_add_test(tc, limits_depth);
    tcase_add_test(tc, refuses_invalid_utf8);
    tcase_add_test(tc, refuses_nul_in_strings);
    tcase_add_test(tc, refuses_trailing_data);
    tcase_add_test(tc, refuses_malformed_and_empty);
    suite_add_tcase(s, tc);
    return s;
}
