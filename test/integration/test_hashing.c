/*
 * Password work (Argon2, tens of milliseconds) is done while the request
 * holds no database connection: logins, activations and password changes
 * read what they need, give the connection back, hash, and take one again
 * to write. These tests show that what holding the connection used to
 * guarantee still holds without it:
 *   - a burst of concurrent logins all succeed.
 * (That no connection is held while hashing is not observable from outside
 * without timing, which these tests do not use.)
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t discard(char *data, size_t size, size_t n, void *userdata)
{
    (void)data;
    (void)userdata;
    return size * n;
}

/* POSTs a JSON body without a token from the source address `from`.
 * Returns the status, or 0 on a transport error. No test assertions, so
 * threads may call it. */
static long post_from(const char *from, const char *path, const char *json)
{
    char url[256], interface[64];
    snprintf(url, sizeof url, "%s%s", getenv("PACTO_TEST_URL"), path);
    snprintf(interface, sizeof interface, "host!%s", from);
    CURL *curl = curl_easy_init();
    if (!curl)
        return 0;
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_INTERFACE, interface);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return status;
}

#define LOGINS 12

struct login {
    const char *email;
    long status;
};

static void *log_in(void *arg)
{
    struct login *l = arg;
    char body[256];
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"" FIXTURE_PASSWORD "\"}",
             l->email);
    l->status = post_from("127.0.0.1", "/v1/auth/token", body);
    return NULL;
}

START_TEST(a_burst_of_logins_all_succeed)
{
    struct login logins[LOGINS];
    pthread_t threads[LOGINS];
    for (int i = 0; i < LOGINS; i++) {
        logins[i] = (struct login){.email = fixture_email((enum fixture_user)(i % U_COUNT))};
        ck_assert_int_eq(pthread_create(&threads[i], NULL, log_in, &logins[i]), 0);
    }
    long ready = fixture_get_status("/readyz", NULL);
    for (int i = 0; i < LOGINS; i++)
        pthread_join(threads[i], NULL);
    ck_assert_int_eq(ready, 200);
    for (int i = 0; i < LOGINS; i++)
        ck_assert_msg(logins[i].status == 200, "login %d of %s: %ld", i, logins[i].email,
                      logins[i].status);
}
END_TEST

Suite *hashing_suite(void)
{
    Suite *s = suite_create("hashing");
    TCase *tc = tcase_create("password work outside connections");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, a_burst_of_logins_all_succeed);
    suite_add_tcase(s, tc);
    return s;
}
