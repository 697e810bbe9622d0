/*
 * Unit tests for lib/plans/content: the plan document's form. A sound
 * document passes; every problem is named at once with its path and
 * indexes; read-only and unknown members, texts, ids, amounts, sources,
 * weights, calendar dates and their order, the list limits, and ids or
 * indicators given twice.
 */
#include "suites.h"

#include "plans/content.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checks the JSON document; returns the errors as their JSON text. */
static char *errors_of(const char *json, bool *ok)
{
    cJSON *doc = cJSON_Parse(json);
    ck_assert_msg(doc != NULL, "bad test JSON: %s", json);
    struct field_errors e = {0};
    *ok = plan_content_check(doc, &e);
    cJSON_Delete(doc);
    char *text = strdup(buf_cstr(&e.items));
    field_errors_free(&e);
    return text;
}

/* Asserts that the document is refused naming `field` with `message`. */
static void expect_error(const char *json, const char *field, const char *message)
{
    bool ok;
    char *errors = errors_of(json, &ok);
    char want[256];
    snprintf(want, sizeof want, "\"field\":\"%s\",\"message\":\"%s\"", field, message);
    ck_assert_msg(!ok, "accepted: %s", json);
    ck_assert_msg(strstr(errors, want) != NULL, "%s: wanted %s, got %s", json, want, errors);
    free(errors);
}

static void expect_ok(const char *json)
{
    bool ok;
    char *errors = errors_of(json, &ok);
    ck_assert_msg(ok, "%s refused: %s", json, errors);
    free(errors);
}

START_TEST(a_sound_document_passes)
{
    expect_ok("{}");
    expect_ok("{\"summary\":null,\"targets\":null,\"actions\":null}");
    expect_ok("{\"summary\":\"Reduzir a mortalidade\","
              "\"targets\":[{\"indicator_id\":3,\"target_value\":-12.5,\"justification\":null}],"
              "\"actions\":[{\"id\":7,\"initiative_id\":2,\"title\":\"Busca ativa\","
              "\"description\":\"Visitas\",\"responsible_person\":\"Ana\","
              "\"responsible_unit\":\"SESAU\",\"start_date\":\"2028-02-29\","
              "\"end_date\":\"2028-02-29\","
              "\"resources\":[{\"amount_cents\":0,\"source\":\"federal\"},"
              "{\"amount_cents\":1000000000000000,\"source\":\"other\",\"description\":\"x\"}],"
              "\"deliveries\":[{\"id\":8,\"title\":\"Relatório\",\"due_date\":\"2027-12-31\","
              "\"evidence_expected\":\"PDF\",\"weight\":1000}]},{\"title\":\"Outra\"}]}");
}
END_TEST

START_TEST(read_only_and_unknown_members_are_refused_at_every_level)
{
    expect_error("{\"status\":\"approved\"}", "status", "may not be set");
    expect_error("{\"id\":1}", "id", "may not be set");
    expect_error("{\"colour\":1}", "colour", "is not a field");
    expect_error("{\"targets\":[{\"indicator_id\":1,\"target_value\":1,\"indicator_code\":\"X\"}]}",
                 "targets[0].indicator_code", "is not a field");
    expect_error("{\"actions\":[{\"title\":\"A\",\"status\":1}]}", "actions[0].status",
                 "is not a field");
    expect_error("{\"actions\":[{\"title\":\"A\",\"resources\":[{\"amount_cents\":1,"
                 "\"source\":\"state\",\"id\":3}]}]}",
                 "actions[0].resources[0].id", "is not a field");
    expect_error("{\"actions\":[{\"title\":\"A\",\"deliveries\":[{\"title\":\"D\",\"x\":1}]}]}",
                 "actions[0].deliveries[0].x", "is not a field");
}
END_TEST

START_TEST(required_members_and_types)
{
    expect_error("{\"targets\":[{\"target_value\":1}]}", "targets[0].indicator_id", "is required");
    expect_error("{\"targets\":[{\"indicator_id\":1}]}", "targets[0].target_value", "is required");
    expect_error("{\"actions\":[{}]}", "actions[0].title", "is required");
    expect_error("{\"actions\":[{\"title\":null}]}", "actions[0].title", "is required");
    expect_error("{\"actions\":[{\"title\":\"A\",\"deliveries\":[{}]}]}",
                 "actions[0].deliveries[0].title", "is required");
    expect_error("{\"actions\":[{\"title\":\"A\",\"resources\":[{\"source\":\"state\"}]}]}",
                 "actions[0].resources[0].amount_cents", "is required");
    expect_error("{\"actions\":[1]}", "actions[0]", "must be an object");
    expect_error("{\"actions\":{}}", "actions", "must be an array");
    expect_error("{\"summary\":3}", "summary", "must be a string");
    expect_error("{\"targets\":[{\"indicator_id\":1,\"target_value\":\"1\"}]}",
                 "targets[0].target_value", "must be a number (at most 10^15 in size)");
}
END_TEST

START_TEST(texts_have_limits_and_no_outer_spaces_or_control_characters)
{
    char doc[5200];
    snprintf(doc, sizeof doc, "{\"summary\":\"%4001d\"}", 1);
    for (char *p = doc + 12; *p == ' '; p++)
        *p = 'a';
    expect_error(doc, "summary", "is too long (at most 4000 characters)");
    expect_error("{\"actions\":[{\"title\":\" A\"}]}", "actions[0].title",
                 "must not start or end with spaces");
    expect_error("{\"actions\":[{\"title\":\"A\\u0007\"}]}", "actions[0].title",
                 "must not contain control characters");
    expect_error("{\"actions\":[{\"title\":\"\"}]}", "actions[0].title", "must not be empty");
    /* A title is one line; a description may run over several, but not
     * start or end with a line break. */
    expect_error("{\"actions\":[{\"title\":\"A\\nB\"}]}", "actions[0].title",
                 "must not contain control characters");
    expect_ok("{\"actions\":[{\"title\":\"A\",\"description\":\"Linha 1\\r\\n\\tLinha 2\"}]}");
    expect_error("{\"actions\":[{\"title\":\"A\",\"description\":\"Linha 1\\n\"}]}",
                 "actions[0].description", "must not start or end with spaces");
    expect_error("{\"summary\":\"A\\u0007B\"}", "summary", "must not contain control characters");
    /* 200 characters of two bytes each are fine, 201 are not */
    char title[1200] = "{\"actions\":[{\"title\":\"";
    for (int i = 0; i < 201; i++)
        strcat(title, "é");
    strcat(title, "\"}]}");
    expect_error(title, "actions[0].title", "is too long (at most 200 characters)");
}
END_TEST

START_TEST(ids_amounts_sources_and_weights)
{
    expect_error("{\"actions\":[{\"id\":0,\"title\":\"A\"}]}", "actions[0].id",
                 "must be a positive integer");
    expect_error("{\"actions\":[{\"initiative_id\":1.5,\"title\":\"A\"}]}",
                 "actions[0].initiative_id", "must be a positive integer");
    expect_error("{\"targets\":[{\"indicator_id\":-1,\"target_value\":1}]}",
                 "targets[0].indicator_id", "must be a positive integer");
    static const char *const bad_amounts[] = {"-1", "0.5", "1000000000000001", "\"10\""};
    for (size_t i = 0; i < 4; i++) {
        char doc[256];
        snprintf(doc, sizeof doc,
                 "{\"actions\":[{\"title\":\"A\",\"resources\":[{\"amount_cents\":%s,"
                 "\"source\":\"state\"}]}]}",
                 bad_amounts[i]);
        expect_error(doc, "actions[0].resources[0].amount_cents",
                     "must be an integer from 0 to 10^15 (cents)");
    }
    expect_error("{\"actions\":[{\"title\":\"A\",\"resources\":[{\"amount_cents\":1,"
                 "\"source\":\"bank\"}]}]}",
                 "actions[0].resources[0].source", "must be municipal, state, federal or other");
    static const char *const bad_weights[] = {"0", "-2", "1000.5", "true"};
    for (size_t i = 0; i < 4; i++) {
        char doc[256];
        snprintf(
            doc, sizeof doc,
            "{\"actions\":[{\"title\":\"A\",\"deliveries\":[{\"title\":\"D\",\"weight\":%s}]}]}",
            bad_weights[i]);
        expect_error(doc, "actions[0].deliveries[0].weight",
                     "must be a number greater than 0, at most 1000");
    }
}
END_TEST

START_TEST(dates_are_real_calendar_days_in_order)
{
    ck_assert(plan_content_is_date("2028-02-29"));
    ck_assert(plan_content_is_date("2000-02-29"));
    ck_assert(!plan_content_is_date("1900-02-29"));
    ck_assert(!plan_content_is_date("2027-02-29"));
    ck_assert(!plan_content_is_date("2027-04-31"));
    ck_assert(!plan_content_is_date("2027-13-01"));
    ck_assert(!plan_content_is_date("2027-00-10"));
    ck_assert(!plan_content_is_date("2027-1-01"));
    ck_assert(!plan_content_is_date("2027-01-01T00:00:00Z"));
    ck_assert(!plan_content_is_date("2027/01/01"));
    ck_assert(!plan_content_is_date("+027-01-01"));
    expect_error("{\"actions\":[{\"title\":\"A\",\"deliveries\":[{\"title\":\"D\","
                 "\"due_date\":\"2027-02-30\"}]}]}",
                 "actions[0].deliveries[0].due_date", "must be a calendar date written YYYY-MM-DD");
    expect_error("{\"actions\":[{\"title\":\"A\",\"start_date\":20270101}]}",
                 "actions[0].start_date", "must be a calendar date written YYYY-MM-DD");
    expect_error("{\"actions\":[{\"title\":\"A\",\"start_date\":\"2027-05-01\","
                 "\"end_date\":\"2027-04-30\"}]}",
                 "actions[0].end_date", "must not be before start_date");
}
END_TEST

/* "[{...},{...}]" of n copies of item. */
static char *repeat(const char *item, int n)
{
    size_t len = strlen(item);
    char *s = malloc((len + 1) * (size_t)n + 3), *p = s;
    *p++ = '[';
    for (int i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        memcpy(p, item, len);
        p += len;
    }
    *p++ = ']';
    *p = '\0';
    return s;
}

START_TEST(lists_have_limits)
{
    char *actions = repeat("{\"title\":\"A\"}", 201);
    char *doc = malloc(strlen(actions) + 32);
    sprintf(doc, "{\"actions\":%s}", actions);
    expect_error(doc, "actions", "must have at most 200 items");
    free(doc);
    free(actions);
    actions = repeat("{\"title\":\"A\"}", 200);
    doc = malloc(strlen(actions) + 32);
    sprintf(doc, "{\"actions\":%s}", actions);
    expect_ok(doc);
    free(doc);
    free(actions);
    char *deliveries = repeat("{\"title\":\"D\"}", 51);
    doc = malloc(strlen(deliveries) + 64);
    sprintf(doc, "{\"actions\":[{\"title\":\"A\",\"deliveries\":%s}]}", deliveries);
    expect_error(doc, "actions[0].deliveries", "must have at most 50 items");
    free(doc);
    free(deliveries);
    char *resources = repeat("{\"amount_cents\":1,\"source\":\"state\"}", 21);
    doc = malloc(strlen(resources) + 64);
    sprintf(doc, "{\"actions\":[{\"title\":\"A\",\"resources\":%s}]}", resources);
    expect_error(doc, "actions[0].resources", "must have at most 20 items");
    free(doc);
    free(resources);
    char *targets = repeat("{\"indicator_id\":1,\"target_value\":1}", 21);
    doc = malloc(strlen(targets) + 32);
    sprintf(doc, "{\"targets\":%s}", targets);
    expect_error(doc, "targets", "must have at most 20 items");
    free(doc);
    free(targets);
}
END_TEST

START_TEST(nothing_is_given_twice)
{
    expect_error("{\"targets\":[{\"indicator_id\":4,\"target_value\":1},"
                 "{\"indicator_id\":4,\"target_value\":2}]}",
                 "targets[1].indicator_id", "has a target already");
    expect_error("{\"actions\":[{\"id\":9,\"title\":\"A\"},{\"id\":9,\"title\":\"B\"}]}",
                 "actions[1].id", "is given twice");
    expect_error("{\"actions\":[{\"title\":\"A\",\"deliveries\":[{\"id\":5,\"title\":\"D\"}]},"
                 "{\"title\":\"B\",\"deliveries\":[{\"id\":5,\"title\":\"E\"}]}]}",
                 "actions[1].deliveries[0].id", "is given twice");
}
END_TEST

START_TEST(every_problem_is_reported_at_once)
{
    bool ok;
    char *errors = errors_of("{\"status\":\"x\",\"actions\":[{\"title\":\" \"},"
                             "{\"title\":\"B\",\"deliveries\":[{\"title\":\"D\","
                             "\"due_date\":\"2027-02-30\"},{}]}]}",
                             &ok);
    ck_assert(!ok);
    ck_assert_ptr_nonnull(strstr(errors, "\"status\""));
    ck_assert_ptr_nonnull(strstr(errors, "\"actions[0].title\""));
    ck_assert_ptr_nonnull(strstr(errors, "\"actions[1].deliveries[0].due_date\""));
    ck_assert_ptr_nonnull(strstr(errors, "\"actions[1].deliveries[1].title\""));
    free(errors);
}
END_TEST

Suite *plan_content_suite(void)
{
    Suite *s = suite_create("plan_content");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, a_sound_document_passes);
    tcase_add_test(tc, read_only_and_unknown_members_are_refused_at_every_level);
    tcase_add_test(tc, required_members_and_types);
    tcase_add_test(tc, texts_have_limits_and_no_outer_spaces_or_control_characters);
    tcase_add_test(tc, ids_amounts_sources_and_weights);
    tcase_add_test(tc, dates_are_real_calendar_days_in_order);
    tcase_add_test(tc, lists_have_limits);
    tcase_add_test(tc, nothing_is_given_twice);
    tcase_add_test(tc, every_problem_is_reported_at_once);
    suite_add_tcase(s, tc);
    return s;
}
