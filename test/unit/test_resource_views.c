/*
 * Generic pieces of lib/resource that need no database: the views of an
 * item packed into one cache value (views.c), a field's rule applied on its
 * own (validate.c) and the list statements made from a declaration
 * (statements.c).
 */
#include "suites.h"

#include "resource/resource.h"
#include "resource/statements.h"
#include "resource/views.h"

#include <stdio.h>
#include <string.h>

#define ANON  "(,,,,)"
#define COORD "(1,secretariat,,coordination,)"

/* Packs `viewer` shown `json` at `version` onto *v (NULL: none) into out and
 * parses the result back into *v. */
static void add(struct buf *out, struct res_views *v, bool has_old, const char *version,
                const char *viewer, const char *json)
{
    struct buf next = {0};
    res_views_pack(&next, has_old ? v : NULL, version, viewer, json);
    buf_free(out);
    *out = next;
    ck_assert(res_views_parse(out->data, out->len, v));
}

START_TEST(views_remember_each_viewer)
{
    struct buf value = {0};
    struct res_views v;
    add(&value, &v, false, "3", ANON, "{\"public\":1}");
    ck_assert_str_eq(v.version, "3");
    ck_assert_str_eq(res_views_find(&v, ANON), "{\"public\":1}");
    ck_assert_ptr_null(res_views_find(&v, COORD));

    add(&value, &v, true, "3", COORD, "{\"private\":1}");
    add(&value, &v, true, "3", "(2,secretariat,,health,)", "{\"private\":1}");
    ck_assert_int_eq(v.nviewers, 3);
    ck_assert_int_eq(v.njson, 2); /* the same JSON is kept once */
    ck_assert_str_eq(res_views_find(&v, ANON), "{\"public\":1}");
    ck_assert_str_eq(res_views_find(&v, COORD), "{\"private\":1}");
    ck_assert_str_eq(res_views_find(&v, "(2,secretariat,,health,)"), "{\"private\":1}");

    /* The same viewer again replaces its view rather than adding one. */
    add(&value, &v, true, "3", ANON, "{\"public\":2}");
    ck_assert_int_eq(v.nviewers, 3);
    ck_assert_str_eq(res_views_find(&v, ANON), "{\"public\":2}");
    buf_free(&value);
}
END_TEST

START_TEST(views_of_another_version_are_dropped)
{
    struct buf value = {0};
    struct res_views v;
    add(&value, &v, false, "3", ANON, "{\"v\":3}");
    add(&value, &v, true, "3", COORD, "{\"v\":3,\"mayor\":1}");
    add(&value, &v, true, "4", ANON, "{\"v\":4}");
    ck_assert_str_eq(v.version, "4");
    ck_assert_int_eq(v.nviewers, 1);
    ck_assert_ptr_null(res_views_find(&v, COORD));
    buf_free(&value);
}
END_TEST

START_TEST(views_keep_the_newest_viewers)
{
    struct buf value = {0};
    struct res_views v;
    char viewer[32];
    for (int i = 0; i < RES_VIEWS_MAX + 3; i++) {
        snprintf(viewer, sizeof viewer, "(%d,mayor,5002704,,)", i);
        add(&value, &v, i > 0, "1", viewer, i % 2 ? "{\"odd\":1}" : "{\"even\":1}");
    }
    ck_assert_int_eq(v.nviewers, RES_VIEWS_MAX);
    ck_assert_int_eq(v.njson, 2);
    ck_assert_ptr_null(res_views_find(&v, "(0,mayor,5002704,,)"));
    ck_assert_ptr_null(res_views_find(&v, "(2,mayor,5002704,,)"));
    ck_assert_str_eq(res_views_find(&v, "(3,mayor,5002704,,)"), "{\"odd\":1}");
    ck_assert_str_eq(res_views_find(&v, viewer), "{\"even\":1}");
    buf_free(&value);
}
END_TEST

START_TEST(views_refuse_what_they_did_not_pack)
{
    struct buf value = {0};
    struct res_views v;
    add(&value, &v, false, "1", ANON, "{}");
    ck_assert(!res_views_parse(NULL, 0, &v));
    ck_assert(!res_views_parse("", 0, &v));
    for (size_t len = 0; len < value.len; len++) /* every truncation */
        ck_assert(!res_views_parse(value.data, len, &v));
    value.data[value.len - 4] = 7; /* the viewer's index, before "{}": past the texts */
    ck_assert(!res_views_parse(value.data, value.len, &v));
    buf_free(&value);
}
END_TEST

static const struct res_field example_fields[] = {
    RES_FIELD("code", RES_ID, RF_CSV),
    RES_FIELD("name", RES_TEXT, RF_WRITE | RF_REQUIRED | RF_CSV, .max = 10),
    RES_FIELD("note", RES_TEXT, RF_WRITE, .max = 10),
    RES_END,
};

START_TEST(one_field_rule_for_other_readers)
{
    static const struct res_field fields[] = {
        RES_FIELD("name", RES_TEXT, 0, .max = 3),
        RES_FIELD("lat", RES_NUMBER, RF_WRITE | RF_NULLABLE, .min = -90, .max = 90),
        RES_END,
    };
    static const struct resource res = {.entity = "x", .fields = fields};
    char msg[192];
    cJSON *v = cJSON_CreateString("abcd");
    ck_assert_str_eq(resource_field_problem(&res, "name", v, msg, sizeof msg),
                     "is too long (at most 3 characters)");
    cJSON_Delete(v);
    v = cJSON_CreateString("abc"); /* read-only fields have rules too */
    ck_assert_ptr_null(resource_field_problem(&res, "name", v, msg, sizeof msg));
    ck_assert_str_eq(resource_field_problem(&res, "lat", v, msg, sizeof msg), "must be a number");
    ck_assert_str_eq(resource_field_problem(&res, "nope", v, msg, sizeof msg), "unknown field");
    cJSON_Delete(v);
    v = cJSON_CreateNumber(91);
    ck_assert_str_eq(resource_field_problem(&res, "lat", v, msg, sizeof msg),
                     "must be between -90 and 90");
    cJSON_Delete(v);
    v = cJSON_CreateNull();
    ck_assert_ptr_null(resource_field_problem(&res, "lat", v, msg, sizeof msg));
    ck_assert_str_eq(resource_field_problem(&res, "name", v, msg, sizeof msg), "may not be null");
    cJSON_Delete(v);
}
END_TEST

START_TEST(list_statements_from_a_rows_function)
{
    static struct resource example = {.entity = "example",
                                      .table = "examples",
                                      .key = "code",
                                      .key_type = RES_ID,
                                      .view = "example_json",
                                      .snapshot = "example_snapshot",
                                      .rows = "example_rows",
                                      .fields = example_fields};
    const struct res_statements *st = res_statements_of(&example);
    ck_assert_ptr_nonnull(strstr(st->list.sql, "FROM example_rows($1::pacto_viewer, $4::jsonb) r"));
    ck_assert_ptr_nonnull(strstr(st->list.sql, "r.k > $2::text::bigint"));
    ck_assert_ptr_null(strstr(st->list.sql, "example_json"));
    /* CSV columns only where CSV is asked for, in field order. */
    ck_assert_ptr_null(strstr(st->list.sql, "j->>"));
    ck_assert_ptr_nonnull(strstr(st->list_csv.sql, "SELECT x.k, x.j, c.\"code\", c.\"name\" FROM"));
    ck_assert_ptr_nonnull(strstr(st->list_csv.sql, "json_to_record(x.j::json) AS c (\"code\" text, "
                                                   "\"name\" text)"));
    ck_assert_int_eq(st->list_params, 4);
    /* A read computes no audit snapshot. */
    ck_assert_ptr_null(strstr(st->get.sql, "example_snapshot"));
    ck_assert_ptr_nonnull(strstr(st->lock.sql, "example_snapshot(t)"));
}
END_TEST

START_TEST(list_statements_from_view_and_matches)
{
    static struct resource example = {.entity = "example2",
                                      .table = "examples",
                                      .key = "code",
                                      .key_type = RES_ID,
                                      .view = "example_json",
                                      .snapshot = "example_snapshot",
                                      .matches = "example_matches",
                                      .fields = example_fields};
    const struct res_statements *st = res_statements_of(&example);
    ck_assert_ptr_nonnull(strstr(st->list.sql, "example_json(t, $1::pacto_viewer) AS j"));
    ck_assert_ptr_nonnull(strstr(st->list.sql, "example_matches(t, $4::jsonb, $1::pacto_viewer)"));
    ck_assert_ptr_null(strstr(st->list.sql, "j->>"));
    ck_assert_ptr_nonnull(strstr(st->list_csv.sql, "c.\"name\""));
}
END_TEST

Suite *resource_views_suite(void)
{
    Suite *s = suite_create("resource_views");
    TCase *tc = tcase_create("views");
    tcase_add_test(tc, views_remember_each_viewer);
    tcase_add_test(tc, views_of_another_version_are_dropped);
    tcase_add_test(tc, views_keep_the_newest_viewers);
    tcase_add_test(tc, views_refuse_what_they_did_not_pack);
    suite_add_tcase(s, tc);
    tc = tcase_create("fields");
    tcase_add_test(tc, one_field_rule_for_other_readers);
    suite_add_tcase(s, tc);
    tc = tcase_create("statements");
    tcase_add_test(tc, list_statements_from_a_rows_function);
    tcase_add_test(tc, list_statements_from_view_and_matches);
    suite_add_tcase(s, tc);
    return s;
}
