/*
 * Statements made from a resource's declaration (lib/resource/statements.c):
 * a list pages by key ascending, or descending when the declaration says so
 * (the audit log, newest first); a resource without a snapshot is read-only
 * and gets no write statements; a second resource of an entity names its
 * statements apart; internal columns are patched, never inserted; a secret is
 * never a column. And validation (lib/resource/validate.c): e-mail addresses
 * and phone numbers are checked as text first; a field with writers is
 * refused to every other caller; an internal column is unknown to clients; a
 * secret is any string its check accepts.
 */
#include "suites.h"

#include "authz/policy.h"
#include "resource/resource.h"
#include "resource/statements.h"

#include <stdio.h>
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
    assert_contains(sql, "ORDER BY t.id LIMIT $3) x ORDER BY x.k");
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
    assert_contains(sql, "ORDER BY t.id DESC LIMIT $3) x ORDER BY x.k DESC");
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

/* Validates body as a create of a resource with an e-mail and a phone; returns
 * the number of errors and their JSON in out. */
static int validate_contact(const char *body_json, char out[512])
{
    static const struct res_field fields[] = {
        RES_FIELD("email", RES_EMAIL, RF_CREATE | RF_NULLABLE),
        RES_FIELD("phone", RES_PHONE, RF_CREATE | RF_NULLABLE),
        RES_END,
    };
    static const struct resource res = {.entity = "unit_contact", .fields = fields};
    cJSON *body = cJSON_Parse(body_json);
    ck_assert_ptr_nonnull(body);
    struct res_write w = {0};
    resource_validate(&res, body, true, &w);
    int count = w.errors.count;
    snprintf(out, 512, "%s", buf_cstr(&w.errors.items));
    field_errors_free(&w.errors);
    cJSON_Delete(w.doc);
    cJSON_Delete(body);
    return count;
}

static void assert_refused(const char *body_json, const char *message)
{
    char errors[512];
    ck_assert_int_eq(validate_contact(body_json, errors), 1);
    ck_assert_msg(strstr(errors, message), "%s: [%s], want %s", body_json, errors, message);
}

START_TEST(contact_fields_are_text_first)
{
    assert_refused("{\"email\":\"a\\u0001b@example.com\"}", "control characters");
    assert_refused("{\"email\":\"a\\u007fb@example.com\"}", "control characters");
    assert_refused("{\"email\":\"ab@example\"}", "is not an e-mail address");
    assert_refused("{\"phone\":\" 67 3314-9000\"}", "must not start or end with spaces");
    assert_refused("{\"phone\":\"67 3314 ramal 2\"}", "may hold only digits");
    char errors[512];
    ck_assert_int_eq(
        validate_contact("{\"email\":\"ab@example.com\",\"phone\":\"+55 (67) 3314-9000\"}", errors),
        0);
}
END_TEST

static const char *long_enough(const char *s) { return strlen(s) < 8 ? "is too short" : NULL; }

/* A second resource of an entity, with an internal column and a secret. */
static const struct res_field account_fields[] = {
    RES_FIELD("id", RES_ID, 0),
    RES_FIELD("name", RES_TEXT, RF_PATCH, .max = 20),
    RES_FIELD("position", RES_TEXT, RF_PATCH, .max = 20, .writers = ROLE_REPRESENTATIVE),
    RES_FIELD("motto", RES_TEXT, RF_PATCH, .max = 20, .writers = ROLE_MAYOR | ROLE_COORDINATION),
    RES_FIELD("password", RES_SECRET, RF_PATCH | RF_VIRTUAL, .check = long_enough),
    RES_FIELD("password_hash", RES_TEXT, RF_INTERNAL),
    RES_END,
};

START_TEST(a_second_resource_of_an_entity_names_its_statements)
{
    static struct resource res = {.entity = "unit_account",
                                  .name = "unit_profile",
                                  .table = "accounts",
                                  .key = "id",
                                  .key_type = RES_ID,
                                  .view = "account_json",
                                  .snapshot = "account_snapshot",
                                  .fields = account_fields};
    ck_assert(resource_init(&res));
    const struct res_statements *st = res_statements_of(&res);
    ck_assert_str_eq(st->get.name, "res_unit_profile_get");
    ck_assert_str_eq(st->update.name, "res_unit_profile_update");
    /* The internal column is patched from the document; the secret is no column. */
    assert_contains(st->update.sql, "SET (name, position, motto, password_hash) = (SELECT r.name,");
}
END_TEST

START_TEST(a_secret_is_never_a_column)
{
    static const struct res_field fields[] = {RES_FIELD("pin", RES_SECRET, RF_PATCH), RES_END};
    static struct resource res = {.entity = "unit_secret",
                                  .table = "things",
                                  .key = "id",
                                  .key_type = RES_ID,
                                  .view = "thing_json",
                                  .fields = fields};
    ck_assert(!resource_init(&res));
}
END_TEST

/* Validates body as a patch of the account resource by a caller of kind
 * `caller`; returns the number of errors, their JSON in out and the
 * document's text in doc. */
static int validate_patch(const char *body_json, unsigned caller, char out[512], char doc[512])
{
    static const struct resource res = {.entity = "unit_writers", .fields = account_fields};
    cJSON *body = cJSON_Parse(body_json);
    ck_assert_ptr_nonnull(body);
    struct res_write w = {.caller = caller};
    resource_validate(&res, body, false, &w);
    int count = w.errors.count;
    snprintf(out, 512, "%s", buf_cstr(&w.errors.items));
    char *text = cJSON_PrintUnformatted(w.doc);
    snprintf(doc, 512, "%s", text);
    cJSON_free(text);
    field_errors_free(&w.errors);
    cJSON_Delete(w.doc);
    cJSON_Delete(body);
    return count;
}

START_TEST(a_field_with_writers_is_refused_to_others)
{
    char errors[512], doc[512];
    ck_assert_int_eq(validate_patch("{\"position\":\"Adjunta\"}", ROLE_REPRESENTATIVE, errors, doc),
                     0);
    ck_assert_str_eq(doc, "{\"position\":\"Adjunta\"}");
    ck_assert_int_eq(validate_patch("{\"position\":\"Adjunta\"}", ROLE_MAYOR, errors, doc), 1);
    assert_contains(errors, "{\"field\":\"position\",\"message\":\"may not be set\"}");
    ck_assert_str_eq(doc, "{}");
    /* Outside a request the caller is nobody. */
    ck_assert_int_eq(validate_patch("{\"position\":\"Adjunta\"}", 0, errors, doc), 1);
    /* Any one of several writers will do; a field without writers is anyone's. */
    ck_assert_int_eq(
        validate_patch("{\"motto\":\"Sempre\",\"name\":\"Ana\"}", ROLE_COORDINATION, errors, doc),
        0);
    ck_assert_int_eq(
        validate_patch("{\"motto\":\"Sempre\",\"name\":\"Ana\"}", ROLE_HEALTH, errors, doc), 1);
    assert_contains(errors, "\"motto\"");
    ck_assert_str_eq(doc, "{\"name\":\"Ana\"}");
}
END_TEST

START_TEST(internal_columns_are_unknown_to_clients)
{
    char errors[512], doc[512];
    ck_assert_int_eq(validate_patch("{\"password_hash\":\"x\"}", ROLE_ANY_USER, errors, doc), 1);
    assert_contains(errors, "{\"field\":\"password_hash\",\"message\":\"unknown field\"}");
}
END_TEST

START_TEST(a_secret_is_any_string)
{
    char errors[512], doc[512];
    ck_assert_int_eq(validate_patch("{\"password\":\"  spaced \\u0001 out  \"}", 0, errors, doc),
                     0);
    assert_contains(doc, "\"password\":\"  spaced \\u0001 out  \"");
    ck_assert_int_eq(validate_patch("{\"password\":12}", 0, errors, doc), 1);
    assert_contains(errors, "must be a string");
    ck_assert_int_eq(validate_patch("{\"password\":\"short\"}", 0, errors, doc), 1);
    assert_contains(errors, "{\"field\":\"password\",\"message\":\"is too short\"}");
}
END_TEST

Suite *resource_suite(void)
{
    Suite *s = suite_create("resource");
    TCase *tc = tcase_create("statements");
    tcase_add_test(tc, lists_page_ascending_by_default);
    tcase_add_test(tc, descending_lists_page_newest_first);
    tcase_add_test(tc, without_snapshot_a_resource_is_read_only);
    tcase_add_test(tc, a_second_resource_of_an_entity_names_its_statements);
    tcase_add_test(tc, a_secret_is_never_a_column);
    suite_add_tcase(s, tc);
    tc = tcase_create("validate");
    tcase_add_test(tc, contact_fields_are_text_first);
    tcase_add_test(tc, a_field_with_writers_is_refused_to_others);
    tcase_add_test(tc, internal_columns_are_unknown_to_clients);
    tcase_add_test(tc, a_secret_is_any_string);
    suite_add_tcase(s, tc);
    return s;
}
