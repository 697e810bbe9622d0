/*
 * Statements made from a resource's declaration (lib/resource/statements.c):
 * a list pages by key ascending, or descending when the declaration says so
 * (the audit log, newest first); a resource without a snapshot is read-only
 * and gets no write statements.
 */
#include "suites.h"

#include "resource/resource.h"
#include "resource/statements.h"

#include <string.h>

static const struct res_field no_fields[] = {RES_END};

static void assert_contains(const char *sql, const char *part)
{
    ck_assert_msg(sql && strstr(sql, part), "[%s] not in [%s]", part, sql ? sql : "(null)");
}

START_TEST(lists_page_ascending_by_default)
{
    static struct resource res = {.entity = "unit_asc",
                                  .table = "things",
                                  .key = "id",
                                  .key_type = RES_ID,
                                  .view = "thing_json",
                                  .snapshot = "thing_snapshot",
                                  .fields = no_fields};
    ck_assert(resource_init(&res));
    const char *sql = res_statements_of(&res)->list.sql;
    assert_contains(sql, "t.id > $2::text::bigint");
    assert_contains(sql, "ORDER BY t.id LIMIT $3) x ORDER BY k");
    ck_assert_ptr_null(strstr(sql, "DESC"));
}
END_TEST

START_TEST(descending_lists_page_newest_first)
{
    static struct resource res = {.entity = "unit_desc",
                                  .table = "events",
                                  .key = "id",
                                  .key_type = RES_ID,
                                  .view = "event_json",
                                  .matches = "event_matches",
                                  .descending = true,
                                  .fields = no_fields};
    ck_assert(resource_init(&res));
    const char *sql = res_statements_of(&res)->list.sql;
    /* The cursor holds the last (smallest) key of a page: the next page is below it. */
    assert_contains(sql, "t.id < $2::text::bigint");
    assert_contains(sql, "ORDER BY t.id DESC LIMIT $3) x ORDER BY k DESC");
    assert_contains(sql, "event_matches(t, $4::jsonb, $1::pacto_viewer)");
}
END_TEST

START_TEST(without_snapshot_a_resource_is_read_only)
{
    static struct resource res = {.entity = "unit_ro",
                                  .table = "events",
                                  .key = "id",
                                  .key_type = RES_ID,
                                  .view = "event_json",
                                  .fields = no_fields};
    ck_assert(resource_init(&res));
    const struct res_statements *st = res_statements_of(&res);
    ck_assert_ptr_nonnull(st->list.sql);
    assert_contains(st->get.sql, "NULL::jsonb");
    ck_assert_ptr_null(st->insert.sql);
    ck_assert_ptr_null(st->update.sql);
    ck_assert_ptr_null(st->delete.sql);
    /* A view stays required. */
    static struct resource blind = {
        .entity = "unit_blind", .table = "events", .key = "id", .fields = no_fields};
    ck_assert(!resource_init(&blind));
}
END_TEST

Suite *resource_suite(void)
{
    Suite *s = suite_create("resource");
    TCase *tc = tcase_create("statements");
    tcase_add_test(tc, lists_page_ascending_by_default);
    tcase_add_test(tc, descending_lists_page_newest_first);
    tcase_add_test(tc, without_snapshot_a_resource_is_read_only);
    suite_add_tcase(s, tc);
    return s;
}
