/*
 * Unit tests of an initiative's nested lists (lib/portfolio/
 * initiative_lists.c): deliveries and links are judged item by item, every
 * problem named to its item, and what passes is normalized into the
 * document.
 */
#include "suites.h"

#include "portfolio/portfolio.h"

#include <check.h>
#include <string.h>

/* Judges `json` as the deliveries (or links) of a create; returns the
 * number of errors, the document in *doc and the errors' JSON in out. */
static int judge(bool links, const char *json, cJSON **doc, char *out, size_t n)
{
    cJSON *v = json ? cJSON_Parse(json) : NULL;
    struct field_errors e = {0};
    *doc = cJSON_CreateObject();
    if (links)
        portfolio_read_links(v, true, *doc, &e);
    else
        portfolio_read_deliveries(v, true, *doc, &e);
    snprintf(out, n, "%s", e.items.data ? e.items.data : "");
    int count = e.count;
    field_errors_free(&e);
    cJSON_Delete(v);
    return count;
}

START_TEST(deliveries_are_normalized)
{
    cJSON *doc;
    char errs[512];
    ck_assert_int_eq(judge(false,
                           "[{\"title\":\"Ata\",\"evidence_expected\":\"PDF\"},"
                           "{\"title\":\"Lista\",\"evidence_expected\":null}]",
                           &doc, errs, sizeof errs),
                     0);
    char *s = cJSON_PrintUnformatted(doc);
    ck_assert_str_eq(s, "{\"deliveries\":[{\"title\":\"Ata\",\"evidence_expected\":\"PDF\"},"
                        "{\"title\":\"Lista\",\"evidence_expected\":null}]}");
    cJSON_free(s);
    cJSON_Delete(doc);
}
END_TEST

START_TEST(absent_lists_default_to_empty_on_create_only)
{
    cJSON *doc;
    char errs[64];
    ck_assert_int_eq(judge(false, NULL, &doc, errs, sizeof errs), 0);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "deliveries")), 0);
    ck_assert(cJSON_IsArray(cJSON_GetObjectItem(doc, "deliveries")));
    cJSON_Delete(doc);
    struct field_errors e = {0};
    doc = cJSON_CreateObject();
    portfolio_read_links(NULL, false, doc, &e);
    ck_assert_ptr_null(doc->child); /* a patch keeps the stored list */
    ck_assert_int_eq(e.count, 0);
    cJSON_Delete(doc);
}
END_TEST

START_TEST(every_bad_delivery_is_named)
{
    cJSON *doc;
    char errs[1024];
    ck_assert_int_eq(judge(false, "[{\"title\":\"Ok\"},{},\"x\",{\"title\":\"A\",\"due\":1}]", &doc,
                           errs, sizeof errs),
                     3);
    ck_assert_ptr_nonnull(strstr(errs, "\"deliveries[1].title\""));
    ck_assert_ptr_nonnull(strstr(errs, "\"deliveries[2]\""));
    ck_assert_ptr_nonnull(strstr(errs, "\"deliveries[3].due\""));
    cJSON_Delete(doc);
    char title[300] = "[{\"title\":\"";
    memset(title + strlen(title), 'a', 201);
    strcat(title, "\"}]");
    ck_assert_int_eq(judge(false, title, &doc, errs, sizeof errs), 1);
    ck_assert_ptr_nonnull(strstr(errs, "at most 200 characters"));
    cJSON_Delete(doc);
    ck_assert_int_eq(judge(false, "null", &doc, errs, sizeof errs), 1);
    ck_assert_ptr_nonnull(strstr(errs, "may not be null"));
    cJSON_Delete(doc);
}
END_TEST

START_TEST(at_most_fifty_deliveries_and_twenty_links)
{
    char json[2048] = "[";
    for (int i = 0; i < PORTFOLIO_DELIVERIES_MAX; i++)
        strcat(json, i ? ",{\"title\":\"E\"}" : "{\"title\":\"E\"}");
    strcat(json, "]");
    cJSON *doc;
    char errs[256];
    ck_assert_int_eq(judge(false, json, &doc, errs, sizeof errs), 0);
    cJSON_Delete(doc);
    strcpy(json + strlen(json) - 1, ",{\"title\":\"E\"}]");
    ck_assert_int_eq(judge(false, json, &doc, errs, sizeof errs), 1);
    ck_assert_ptr_nonnull(strstr(errs, "at most 50 deliveries"));
    cJSON_Delete(doc);

    strcpy(json, "[");
    for (int i = 0; i <= PORTFOLIO_LINKS_MAX; i++)
        strcat(json, i ? ",\"https://a.org\"" : "\"https://a.org\"");
    strcat(json, "]");
    ck_assert_int_eq(judge(true, json, &doc, errs, sizeof errs), 1);
    ck_assert_ptr_nonnull(strstr(errs, "\"links\""));
    cJSON_Delete(doc);
}
END_TEST

START_TEST(links_are_https_urls)
{
    ck_assert_ptr_null(portfolio_link_problem("https://www.saude.ms.gov.br/pre-natal?x=1#y"));
    ck_assert_ptr_null(portfolio_link_problem("https://localhost:8443"));
    ck_assert_ptr_nonnull(portfolio_link_problem("http://www.saude.ms.gov.br"));
    ck_assert_ptr_nonnull(portfolio_link_problem("HTTPS://a.org"));
    ck_assert_ptr_nonnull(portfolio_link_problem("https://"));
    ck_assert_ptr_nonnull(portfolio_link_problem("https:///path"));
    ck_assert_ptr_nonnull(portfolio_link_problem("https://a b.org"));
    ck_assert_ptr_nonnull(portfolio_link_problem("https://a.org/ x"));
    ck_assert_ptr_nonnull(portfolio_link_problem("https://us@er.org"));
    ck_assert_ptr_nonnull(portfolio_link_problem(""));
    char big[2100] = "https://a.org/";
    memset(big + strlen(big), 'x', 2000);
    ck_assert_ptr_nonnull(strstr(portfolio_link_problem(big), "2000"));
    cJSON *doc;
    char errs[256];
    ck_assert_int_eq(judge(true, "[\"https://a.org\",\"ftp://a.org\",7]", &doc, errs, sizeof errs),
                     2);
    ck_assert_ptr_nonnull(strstr(errs, "\"links[1]\""));
    ck_assert_ptr_nonnull(strstr(errs, "\"links[2]\""));
    cJSON_Delete(doc);
}
END_TEST

Suite *portfolio_lists_suite(void)
{
    Suite *s = suite_create("portfolio_lists");
    TCase *tc = tcase_create("portfolio_lists");
    tcase_add_test(tc, deliveries_are_normalized);
    tcase_add_test(tc, absent_lists_default_to_empty_on_create_only);
    tcase_add_test(tc, every_bad_delivery_is_named);
    tcase_add_test(tc, at_most_fifty_deliveries_and_twenty_links);
    tcase_add_test(tc, links_are_https_urls);
    suite_add_tcase(s, tc);
    return s;
}
