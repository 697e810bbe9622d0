/*
 * Unit tests for lib/plans/diff: two versions of a plan compared action by
 * action and field by field — an action added, one removed, one changed in
 * its title, a resource and a delivery; a target raised; the summary
 * rewritten; identical versions giving an empty diff; and a plan of 60
 * actions of 3 deliveries compared quickly.
 */
#include "suites.h"

#include "plans/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Version 1: two actions; version 2: action 11 retitled, its resource's
 * amount raised, delivery 101 given a later date and delivery 103 added;
 * action 12 removed; action 13 added; the target raised with a reason. */
static const char V1[] =
    "{\"summary\":\"Reduzir a mortalidade infantil\","
    "\"targets\":[{\"indicator_id\":5,\"indicator_code\":\"TMI\",\"target_value\":12,"
    "\"justification\":null}],"
    "\"actions\":["
    "{\"id\":11,\"initiative_id\":3,\"title\":\"Busca ativa de gestantes\",\"description\":null,"
    "\"responsible_person\":\"Ana\",\"responsible_unit\":\"SESAU\",\"start_date\":\"2026-12-01\","
    "\"end_date\":\"2027-06-30\",\"resources\":[{\"amount_cents\":100000,\"source\":\"municipal\","
    "\"description\":null}],\"deliveries\":[{\"id\":101,\"title\":\"Mapa de gestantes\","
    "\"due_date\":\"2027-02-01\",\"evidence_expected\":null,\"weight\":null},"
    "{\"id\":102,\"title\":\"Relatório\",\"due_date\":\"2027-06-01\",\"evidence_expected\":null,"
    "\"weight\":null}]},"
    "{\"id\":12,\"initiative_id\":null,\"title\":\"Mutirão\",\"description\":null,"
    "\"responsible_person\":null,\"responsible_unit\":null,\"start_date\":null,\"end_date\":null,"
    "\"resources\":[],\"deliveries\":[{\"id\":104,\"title\":\"Ata\",\"due_date\":\"2027-03-01\","
    "\"evidence_expected\":null,\"weight\":null}]}]}";

static const char V2[] =
    "{\"summary\":\"Reduzir a mortalidade infantil em Campo Grande\","
    "\"targets\":[{\"indicator_id\":5,\"indicator_code\":\"TMI\",\"target_value\":11,"
    "\"justification\":\"Meta mais ambiciosa\"}],"
    "\"actions\":["
    "{\"id\":13,\"initiative_id\":null,\"title\":\"Capacitação\",\"description\":null,"
    "\"responsible_person\":null,\"responsible_unit\":null,\"start_date\":null,\"end_date\":null,"
    "\"resources\":[],\"deliveries\":[]},"
    "{\"id\":11,\"initiative_id\":3,\"title\":\"Busca ativa de gestantes e puérperas\","
    "\"description\":null,\"responsible_person\":\"Ana\",\"responsible_unit\":\"SESAU\","
    "\"start_date\":\"2026-12-01\",\"end_date\":\"2027-06-30\","
    "\"resources\":[{\"amount_cents\":150000,\"source\":\"municipal\",\"description\":null},"
    "{\"amount_cents\":5000,\"source\":\"state\",\"description\":null}],"
    "\"deliveries\":[{\"id\":101,\"title\":\"Mapa de gestantes\",\"due_date\":\"2027-03-01\","
    "\"evidence_expected\":null,\"weight\":null},{\"id\":102,\"title\":\"Relatório\","
    "\"due_date\":\"2027-06-01\",\"evidence_expected\":null,\"weight\":null},"
    "{\"id\":103,\"title\":\"Visitas\",\"due_date\":\"2027-05-01\",\"evidence_expected\":null,"
    "\"weight\":2}]}]}";

static cJSON *diff_of(const char *a, const char *b)
{
    cJSON *x = cJSON_Parse(a), *y = cJSON_Parse(b);
    ck_assert(x && y);
    cJSON *d = plans_diff(x, y);
    cJSON_Delete(x);
    cJSON_Delete(y);
    ck_assert_ptr_nonnull(d);
    return d;
}

static const cJSON *at(const cJSON *j, const char *path)
{
    /* a dotted path of member names and array indexes: "actions.changed.0.id" */
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save = NULL, *p = strtok_r(buf, ".", &save); p; p = strtok_r(NULL, ".", &save)) {
        j = (*p >= '0' && *p <= '9') ? cJSON_GetArrayItem(j, atoi(p))
                                     : cJSON_GetObjectItemCaseSensitive(j, p);
        ck_assert_msg(j != NULL, "no %s in the diff (at %s)", path, p);
    }
    return j;
}

static int size(const cJSON *d, const char *path) { return cJSON_GetArraySize(at(d, path)); }
static double num(const cJSON *d, const char *path) { return at(d, path)->valuedouble; }
static const char *str(const cJSON *d, const char *path)
{
    const char *s = cJSON_GetStringValue(at(d, path));
    ck_assert_msg(s != NULL, "%s is not a string", path);
    return s;
}

START_TEST(an_added_a_removed_and_a_changed_action)
{
    cJSON *d = diff_of(V1, V2);
    ck_assert_int_eq(size(d, "actions.added"), 1);
    ck_assert_double_eq(num(d, "actions.added.0.id"), 13);
    ck_assert_int_eq(size(d, "actions.removed"), 1);
    ck_assert_double_eq(num(d, "actions.removed.0.id"), 12);
    ck_assert_int_eq(size(d, "actions.changed"), 1);
    ck_assert_double_eq(num(d, "actions.changed.0.id"), 11);
    cJSON_Delete(d);
}
END_TEST

START_TEST(a_changed_action_names_each_field_with_from_and_to)
{
    cJSON *d = diff_of(V1, V2);
    /* the title, then the resources by position: one changed, one added */
    ck_assert_int_eq(size(d, "actions.changed.0.changes"), 3);
    ck_assert_str_eq(str(d, "actions.changed.0.changes.0.field"), "title");
    ck_assert_str_eq(str(d, "actions.changed.0.changes.0.from"), "Busca ativa de gestantes");
    ck_assert_str_eq(str(d, "actions.changed.0.changes.0.to"),
                     "Busca ativa de gestantes e puérperas");
    ck_assert_str_eq(str(d, "actions.changed.0.changes.1.field"), "resources[0].amount_cents");
    ck_assert_double_eq(num(d, "actions.changed.0.changes.1.from"), 100000);
    ck_assert_double_eq(num(d, "actions.changed.0.changes.1.to"), 150000);
    ck_assert_str_eq(str(d, "actions.changed.0.changes.2.field"), "resources[1]");
    ck_assert(cJSON_IsNull(at(d, "actions.changed.0.changes.2.from")));
    ck_assert_str_eq(str(d, "actions.changed.0.changes.2.to.source"), "state");
    cJSON_Delete(d);
}
END_TEST

START_TEST(deliveries_are_compared_by_id_inside_their_action)
{
    cJSON *d = diff_of(V1, V2);
    ck_assert_int_eq(size(d, "actions.changed.0.deliveries.added"), 1);
    ck_assert_double_eq(num(d, "actions.changed.0.deliveries.added.0.id"), 103);
    ck_assert_int_eq(size(d, "actions.changed.0.deliveries.removed"), 0);
    ck_assert_int_eq(size(d, "actions.changed.0.deliveries.changed"), 1);
    ck_assert_double_eq(num(d, "actions.changed.0.deliveries.changed.0.id"), 101);
    ck_assert_str_eq(str(d, "actions.changed.0.deliveries.changed.0.changes.0.field"), "due_date");
    ck_assert_str_eq(str(d, "actions.changed.0.deliveries.changed.0.changes.0.from"), "2027-02-01");
    ck_assert_str_eq(str(d, "actions.changed.0.deliveries.changed.0.changes.0.to"), "2027-03-01");
    cJSON_Delete(d);
}
END_TEST

START_TEST(targets_by_indicator_and_the_summary)
{
    cJSON *d = diff_of(V1, V2);
    ck_assert_str_eq(str(d, "summary.to"), "Reduzir a mortalidade infantil em Campo Grande");
    ck_assert_int_eq(size(d, "targets.changed"), 1);
    ck_assert_double_eq(num(d, "targets.changed.0.indicator_id"), 5);
    ck_assert_str_eq(str(d, "targets.changed.0.indicator_code"), "TMI");
    ck_assert_int_eq(size(d, "targets.changed.0.changes"), 2);
    ck_assert_str_eq(str(d, "targets.changed.0.changes.0.field"), "target_value");
    ck_assert_double_eq(num(d, "targets.changed.0.changes.0.to"), 11);
    ck_assert_str_eq(str(d, "targets.changed.0.changes.1.field"), "justification");
    ck_assert(cJSON_IsNull(at(d, "targets.changed.0.changes.1.from")));
    cJSON_Delete(d);
}
END_TEST

START_TEST(the_same_version_twice_has_no_difference)
{
    cJSON *d = diff_of(V2, V2);
    ck_assert(cJSON_IsNull(at(d, "summary")));
    const char *lists[] = {"targets.added", "targets.removed", "targets.changed",
                           "actions.added", "actions.removed", "actions.changed"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        ck_assert_msg(size(d, lists[i]) == 0, "%s is not empty", lists[i]);
    cJSON_Delete(d);
}
END_TEST

START_TEST(what_is_not_a_content_is_refused)
{
    cJSON *x = cJSON_Parse("[]"), *y = cJSON_Parse(V1);
    ck_assert_ptr_null(plans_diff(x, y));
    ck_assert_ptr_null(plans_diff(y, NULL));
    cJSON_Delete(x);
    cJSON_Delete(y);
}
END_TEST

/* 60 actions of 3 deliveries each, every title of the second one changed. */
static cJSON *big_plan(const char *suffix)
{
    cJSON *p = cJSON_CreateObject(), *actions = cJSON_AddArrayToObject(p, "actions");
    cJSON_AddStringToObject(p, "summary", "Plano");
    cJSON_AddArrayToObject(p, "targets");
    char title[64];
    for (int a = 0; a < 60; a++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "id", 1000 + a);
        snprintf(title, sizeof title, "Ação %d%s", a, suffix);
        cJSON_AddStringToObject(x, "title", title);
        cJSON_AddArrayToObject(x, "resources");
        cJSON *ds = cJSON_AddArrayToObject(x, "deliveries");
        for (int i = 0; i < 3; i++) {
            cJSON *dl = cJSON_CreateObject();
            cJSON_AddNumberToObject(dl, "id", 5000 + a * 3 + i);
            snprintf(title, sizeof title, "Entrega %d%s", i, suffix);
            cJSON_AddStringToObject(dl, "title", title);
            cJSON_AddItemToArray(ds, dl);
        }
        cJSON_AddItemToArray(actions, x);
    }
    return p;
}

/* Its speed is measured by bench/plans.sh, never asserted here. */
START_TEST(sixty_actions_of_three_deliveries_all_changed)
{
    cJSON *a = big_plan(""), *b = big_plan(" (revista)");
    cJSON *d = plans_diff(a, b);
    ck_assert_int_eq(size(d, "actions.changed"), 60);
    ck_assert_int_eq(size(d, "actions.changed.59.deliveries.changed"), 3);
    cJSON_Delete(d);
    cJSON_Delete(a);
    cJSON_Delete(b);
}
END_TEST

Suite *plan_diff_suite(void)
{
    Suite *s = suite_create("plan_diff");
    TCase *tc = tcase_create("diff");
    tcase_add_test(tc, an_added_a_removed_and_a_changed_action);
    tcase_add_test(tc, a_changed_action_names_each_field_with_from_and_to);
    tcase_add_test(tc, deliveries_are_compared_by_id_inside_their_action);
    tcase_add_test(tc, targets_by_indicator_and_the_summary);
    tcase_add_test(tc, the_same_version_twice_has_no_difference);
    tcase_add_test(tc, what_is_not_a_content_is_refused);
    tcase_add_test(tc, sixty_actions_of_three_deliveries_all_changed);
    suite_add_tcase(s, tc);
    return s;
}
