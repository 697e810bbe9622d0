/*
 * Idempotency-Key on creates (API.md): a retried create returns the first
 * response and creates nothing; another body under the same key is 422;
 * concurrent retries create one resource; a failed attempt stores nothing.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* A valid MS municipality the fixture does not have (Aquidauana). */
#define NEW_CODE "5001102"
#define NEW_BODY "{\"ibge_code\":\"" NEW_CODE "\",\"name\":\"Aquidauana\",\"state\":\"MS\"}"

static struct http_response create(const char *path, const char *body, const char *key)
{
    char header[320];
    snprintf(header, sizeof header, "Idempotency-Key: %s", key);
    const char *headers[] = {header, NULL};
    return http_do(&(struct http_request){.method = "POST",
                                          .path = path,
                                          .token = fixture_token(U_COORDINATION),
                                          .body = body,
                                          .headers = headers});
}

static long changes(void)
{
    return fixture_long("SELECT (SELECT count(*) FROM municipalities) * 1000 +"
                        "       (SELECT count(*) FROM users) * 100000 +"
                        "       (SELECT count(*) FROM audit_events)");
}

START_TEST(retry_returns_the_first_response)
{
    struct http_response first = create("/v1/municipalities", NEW_BODY, "key-1");
    ck_assert_int_eq(first.status, 201);
    long after_first = changes();
    char location[128];
    snprintf(location, sizeof location, "%s", http_header(&first, "Location"));

    struct http_response again = create("/v1/municipalities", NEW_BODY, "key-1");
    ck_assert_int_eq(again.status, 201);
    ck_assert_str_eq(buf_cstr(&again.body), buf_cstr(&first.body));
    ck_assert_str_eq(http_header(&again, "Location"), location);
    ck_assert_str_eq(http_header(&again, "Idempotent-Replayed"), "true");
    ck_assert_str_eq(http_header(&again, "Content-Type"), "application/json");
    ck_assert_int_eq(changes(), after_first);
    http_response_free(&first);
    http_response_free(&again);
}
END_TEST

START_TEST(same_key_other_body_is_refused)
{
    struct http_response first = create("/v1/municipalities", NEW_BODY, "key-2");
    ck_assert_int_eq(first.status, 201);
    http_response_free(&first);
    long before = changes();
    static const char other[] =
        "{\"ibge_code\":\"5001003\",\"name\":\"Aparecida do Taboado\",\"state\":\"MS\"}";
    struct http_response r = create("/v1/municipalities", other, "key-2");
    http_expect_problem(&r, 422, "idempotency-key-reused");
    http_response_free(&r);
    /* The key covers the path too: the same key on another create is refused. */
    r = create("/v1/users", NEW_BODY, "key-2");
    http_expect_problem(&r, 422, "idempotency-key-reused");
    http_response_free(&r);
    ck_assert_int_eq(changes(), before);
}
END_TEST

START_TEST(failed_attempt_stores_nothing)
{
    static const char bad[] = "{\"ibge_code\":\"" NEW_CODE "\",\"state\":\"MS\"}";
    struct http_response r = create("/v1/municipalities", bad, "key-3");
    http_expect_problem(&r, 422, "validation-failed");
    http_response_free(&r);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM idempotency_keys"), 0);
    /* Corrected, under the same key, it goes through. */
    r = create("/v1/municipalities", NEW_BODY, "key-3");
    ck_assert_int_eq(r.status, 201);
    http_response_free(&r);
}
END_TEST

START_TEST(malformed_keys_are_refused)
{
    char long_key[300];
    memset(long_key, 'k', 256);
    long_key[256] = '\0';
    const char *keys[] = {long_key, "has space", "cl\xc3\xa9"};
    long before = changes();
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        struct http_response r = create("/v1/municipalities", NEW_BODY, keys[i]);
        http_expect_problem(&r, 400, "invalid-parameter");
        http_response_free(&r);
    }
    ck_assert_int_eq(changes(), before);
}
END_TEST

START_TEST(user_create_is_idempotent)
{
    static const char body[] = "{\"name\":\"Ana\",\"email\":\"ana@test.pacto\","
                               "\"role\":\"secretariat\",\"secretariat_area\":\"health\"}";
    for (int i = 0; i < 3; i++) {
        struct http_response r = create("/v1/users", body, "user-key");
        ck_assert_int_eq(r.status, 201);
        http_response_free(&r);
    }
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM users WHERE email = 'ana@test.pacto'"), 1);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE entity = 'user'"), 1);
}
END_TEST

#define RACERS 6

static void *race(void *arg)
{
    long *status = arg;
    struct http_response r = create("/v1/municipalities", NEW_BODY, "race-key");
    *status = r.status;
    http_response_free(&r);
    return NULL;
}

START_TEST(concurrent_retries_create_once)
{
    pthread_t threads[RACERS];
    long statuses[RACERS];
    for (int i = 0; i < RACERS; i++)
        ck_assert_int_eq(pthread_create(&threads[i], NULL, race, &statuses[i]), 0);
    for (int i = 0; i < RACERS; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < RACERS; i++)
        ck_assert_int_eq(statuses[i], 201);
    ck_assert_int_eq(
        fixture_long("SELECT count(*) FROM municipalities WHERE ibge_code = '" NEW_CODE "'"), 1);
    ck_assert_int_eq(
        fixture_long("SELECT count(*) FROM audit_events WHERE entity_id = '" NEW_CODE "'"), 1);
}
END_TEST

Suite *idempotency_suite(void)
{
    Suite *s = suite_create("idempotency");
    TCase *tc = tcase_create("creates");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, retry_returns_the_first_response);
    tcase_add_test(tc, same_key_other_body_is_refused);
    tcase_add_test(tc, failed_attempt_stores_nothing);
    tcase_add_test(tc, malformed_keys_are_refused);
    tcase_add_test(tc, user_create_is_idempotent);
    tcase_add_test(tc, concurrent_retries_create_once);
    suite_add_tcase(s, tc);
    return s;
}
