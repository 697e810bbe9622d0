/*
 * Unit tests of a good practice's lists (lib/practices/input.c): SDG goals,
 * action ids and indicator values are judged item by item, every problem
 * named to its item and member, and what passes is normalized into the
 * document (goals in ascending order; null lists emptied).
 */
#include "suites.h"

#include "practices/input.h"

#include <check.h>
#include <string.h>

enum list { SDG, ACTIONS, VALUES };

/* Judges `json` (NULL: absent) as list `which` of a create or a patch;
 * returns the number of errors, the document as text in doc and the
 * errors' JSON in errs. */
static int judge(enum list which, bool create, const char *json, char *doc, char *errs, size_t n)
{
    cJSON *v = json ? cJSON_Parse(json) : NULL;
    ck_assert(!json || v);
    cJSON *d = cJSON_CreateObject();
    struct field_errors e = {0};
    if (which == SDG)
        practice_read_sdg_goals(v, create, d, &e);
    else if (which == ACTIONS)
        practice_read_action_ids(v, create, d, &e);
    else
        practice_read_indicator_values(v, create, d, &e);
    char *text = cJSON_PrintUnformatted(d);
    snprintf(doc, n, "%s", text);
    snprintf(errs, n, "%s", e.items.data ? e.items.data : "");
    int count = e.count;
    cJSON_free(text);
    field_errors_free(&e);
    cJSON_Delete(d);
    cJSON_Delete(v);
    return count;
}

START_TEST(sdg_goals_are_sorted_distinct_and_required)
{
    char doc[512], errs[512];
    ck_assert_int_eq(judge(SDG, true, "[16,3,10]", doc, errs, sizeof doc), 0);
    ck_assert_str_eq(doc, "{\"sdg_goals\":[3,10,16]}");
    ck_assert_int_eq(judge(SDG, true, "[0,3,3,18,2.5,\"4\"]", doc, errs, sizeof doc), 5);
    ck_assert_ptr_nonnull(strstr(errs, "\"sdg_goals[0]\""));
    ck_assert_ptr_nonnull(strstr(errs, "\"sdg_goals[2]\",\"message\":\"is given twice\""));
    ck_assert_ptr_nonnull(strstr(errs, "\"sdg_goals[5]\""));
    ck_assert_str_eq(doc, "{}");
    ck_assert_int_eq(judge(SDG, true, "[]", doc, errs, sizeof doc), 1);
    ck_assert_int_eq(judge(SDG, true, NULL, doc, errs, sizeof doc), 1);
    ck_assert_ptr_nonnull(strstr(errs, "is required"));
    ck_assert_int_eq(judge(SDG, false, "null", doc, errs, sizeof doc), 1);
    ck_assert_int_eq(judge(SDG, false, NULL, doc, errs, sizeof doc), 0);
    ck_assert_str_eq(doc, "{}");
    ck_assert_int_eq(judge(SDG, true, "{\"a\":1}", doc, errs, sizeof doc), 1);
    ck_assert_ptr_nonnull(strstr(errs, "must be an array"));
}
END_TEST

START_TEST(action_ids_are_distinct_positive_integers)
{
    char doc[512], errs[512];
    ck_assert_int_eq(judge(ACTIONS, true, "[7,3]", doc, errs, sizeof doc), 0);
    ck_assert_str_eq(doc, "{\"action_ids\":[7,3]}");
    ck_assert_int_eq(judge(ACTIONS, true, NULL, doc, errs, sizeof doc), 0);
    ck_assert_str_eq(doc, "{\"action_ids\":[]}");
    ck_assert_int_eq(judge(ACTIONS, false, "null", doc, errs, sizeof doc), 0);
    ck_assert_str_eq(doc, "{\"action_ids\":[]}");
    ck_assert_int_eq(judge(ACTIONS, false, NULL, doc, errs, sizeof doc), 0);
    ck_assert_str_eq(doc, "{}");
    ck_assert_int_eq(judge(ACTIONS, true, "[7,0,7,-1,1.5]", doc, errs, sizeof doc), 4);
    ck_assert_ptr_nonnull(strstr(errs, "\"action_ids[2]\",\"message\":\"is given twice\""));
    ck_assert_str_eq(doc, "{}");
    char many[256] = "[1";
    for (int i = 2; i <= PRACTICE_ACTIONS_MAX + 1; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), ",%d", i);
    strcat(many, "]");
    ck_assert_int_eq(judge(ACTIONS, true, many, doc, errs, sizeof doc), 1);
    ck_assert_ptr_nonnull(strstr(errs, "at most 50 items"));
}
END_TEST

START_TEST(indicator_values_name_each_member)
{
    char doc[1024], errs[1024];
    ck_assert_int_eq(judge(VALUES, true,
                           "[{\"indicator_id\":4,\"from_period\":\"2019\",\"to_period\":\"2023\"}]",
                           doc, errs, sizeof doc),
                     0);
    ck_assert_str_eq(
        doc, "{\"indicator_values\":[{\"indicator_id\":4,\"from_period\":\"2019\",\"to_period\":"
             "\"2023\"}]}");
    ck_assert_int_eq(judge(VALUES, true,
                           "[{\"indicator_id\":4,\"from_period\":\"2023\",\"to_period\":\"2019\"},"
                           "{\"indicator_id\":4,\"from_period\":\" 2019\",\"extra\":1},"
                           "{\"indicator_id\":\"x\",\"from_period\":2019,\"to_period\":\"2020\"},"
                           "3]",
                           doc, errs, sizeof doc),
                     8);
    ck_assert_ptr_nonnull(strstr(errs, "\"indicator_values[0].to_period\",\"message\":\"must be "
                                       "after from_period\""));
    ck_assert_ptr_nonnull(strstr(errs, "\"indicator_values[1].extra\",\"message\":\"is not a "
                                       "field\""));
    ck_assert_ptr_nonnull(strstr(errs, "\"indicator_values[1].indicator_id\",\"message\":\"is "
                                       "given twice\""));
    ck_assert_ptr_nonnull(strstr(errs, "\"indicator_values[1].from_period\""));
    ck_assert_ptr_nonnull(strstr(errs, "\"indicator_values[1].to_period\",\"message\":\"is "
                                       "required\""));
    ck_assert_ptr_nonnull(strstr(errs, "\"indicator_values[2].indicator_id\""));
    ck_assert_ptr_nonnull(strstr(errs, "\"indicator_values[2].from_period\",\"message\":\"must "
                                       "be a string\""));
    ck_assert_ptr_nonnull(strstr(errs, "\"indicator_values[3]\",\"message\":\"must be an "
                                       "object\""));
    ck_assert_str_eq(doc, "{}");
}
END_TEST

Suite *practice_input_suite(void)
{
    Suite *s = suite_create("practice_input");
    TCase *tc = tcase_create("lists");
    tcase_add_test(tc, sdg_goals_are_sorted_distinct_and_required);
    tcase_add_test(tc, action_ids_are_distinct_positive_integers);
    tcase_add_test(tc, indicator_values_name_each_member);
    suite_add_tcase(s, tc);
    return s;
}
