/*
 * Password work (Argon2, tens of milliseconds) is done while the request
 * holds no database connection: logins, activations and password changes
 * read what they need, give the connection back, hash, and take one again
 * to write. These tests show that what holding the connection used to
 * guarantee still holds without it:
 *   - a burst of concurrent logins all succeed;
 *   - an invitation activates once, however many activations race for it,
 *     and one used while an activation hashes its password is refused to it;
 *   - a password change whose current password was verified against a hash
 *     that changed before the write is refused, and the newer hash is kept.
 * (That no connection is held while hashing is not observable from outside
 * without timing, which these tests do not use.)
 */
#include "suites.h"

#include "auth/password.h"
#include "client.h"
#include "fixture.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RACERS 8

/* Source addresses for requests that fail on purpose: every 127.0.0.0/8
 * address reaches the server over loopback, and each has its own budget in
 * the per-address login throttle, which 127.0.0.1 shares with every suite. */
#define RACE_ADDRESS "127.0.0.7"

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

/* Waits until a server session is blocked on a row lock taken by FOR UPDATE;
 * fails the test if none is within 30 s (a bound for a hung server, not a
 * measurement). */
static void await_blocked_lock(void)
{
    for (int i = 0; i < 1500; i++) {
        if (fixture_long("SELECT count(*) FROM pg_stat_activity"
                         " WHERE wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%'"
                         "   AND pid <> pg_backend_pid()") > 0)
            return;
        usleep(20000);
    }
    ck_abort_msg("no request came to wait for the row lock");
}

static void exec_ok(PGconn *c, const char *sql, int n, const char *const *params)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
                  PQresultErrorMessage(r));
    PQclear(r);
}

/* The coordination invites Bruno; returns the invitation token in out. */
static void invite_bruno(char out[64])
{
    struct http_response inv =
        http_post("/v1/users", fixture_token(U_COORDINATION),
                  "{\"name\":\"Bruno\",\"email\":\"bruno@test.pacto\",\"role\":\"secretariat\","
                  "\"secretariat_area\":\"education\"}");
    ck_assert_msg(inv.status == 201, "%ld %s", inv.status, buf_cstr(&inv.body));
    snprintf(out, 64, "%s", fixture_invitation_token(&inv));
    http_response_free(&inv);
}

struct racer {
    pthread_barrier_t *start;
    const char *token;
    char password[32];
    long status;
};

static void *activate_racer(void *arg)
{
    struct racer *r = arg;
    char body[256];
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"%s\"}", r->token, r->password);
    pthread_barrier_wait(r->start);
    r->status = post_from(RACE_ADDRESS, "/v1/auth/activate", body);
    return NULL;
}

START_TEST(racing_activations_use_an_invitation_once)
{
    char token[64];
    invite_bruno(token);

    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, RACERS);
    struct racer racers[RACERS];
    pthread_t threads[RACERS];
    for (int i = 0; i < RACERS; i++) {
        racers[i] = (struct racer){.start = &start, .token = token};
        snprintf(racers[i].password, sizeof racers[i].password, "racer-password-%02d", i);
        ck_assert_int_eq(pthread_create(&threads[i], NULL, activate_racer, &racers[i]), 0);
    }
    for (int i = 0; i < RACERS; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&start);

    int winner = -1;
    for (int i = 0; i < RACERS; i++) {
        ck_assert_msg(racers[i].status == 200 || racers[i].status == 422, "racer %d: %ld", i,
                      racers[i].status);
        if (racers[i].status == 200) {
            ck_assert_msg(winner < 0, "racers %d and %d both activated", winner, i);
            winner = i;
        }
    }
    ck_assert_msg(winner >= 0, "no activation succeeded");
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM users WHERE email = 'bruno@test.pacto'"
                                  " AND active AND invitation_hash IS NULL"),
                     1);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE action = 'activate'"),
                     1);
    /* The password kept is the winner's. */
    char access[2048];
    fixture_login("bruno@test.pacto", racers[winner].password, access, sizeof access);
}
END_TEST

static void *activate_once(void *arg)
{
    struct racer *r = arg;
    char body[256];
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"%s\"}", r->token, r->password);
    r->status = post_from(RACE_ADDRESS, "/v1/auth/activate", body);
    return NULL;
}

START_TEST(an_invitation_used_while_the_password_is_hashed_is_refused)
{
    char token[64];
    invite_bruno(token);
    PGconn *other = PQconnectdb(getenv("PACTO_DATABASE_URL"));
    ck_assert_msg(PQstatus(other) == CONNECTION_OK, "%s", PQerrorMessage(other));
    exec_ok(other, "BEGIN", 0, NULL);
    exec_ok(other, "SELECT 1 FROM users WHERE email = 'bruno@test.pacto' FOR UPDATE", 0, NULL);

    struct racer late = {.token = token, .password = "too-late-password"};
    pthread_t thread;
    ck_assert_int_eq(pthread_create(&thread, NULL, activate_once, &late), 0);
    await_blocked_lock();
    /* What a racing activation that commits first does to the invitation. */
    exec_ok(other,
            "UPDATE users SET invitation_hash = NULL, invitation_expires_at = NULL,"
            " active = true WHERE email = 'bruno@test.pacto'",
            0, NULL);
    exec_ok(other, "COMMIT", 0, NULL);
    PQfinish(other);
    pthread_join(thread, NULL);

    ck_assert_int_eq(late.status, 422);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM users WHERE email = 'bruno@test.pacto'"
                                  " AND password_hash IS NULL"),
                     1);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE action = 'activate'"),
                     0);
}
END_TEST

struct patcher {
    const char *token;
    long status;
    char body[512];
};

static void *patch_password(void *arg)
{
    struct patcher *p = arg;
    struct http_response r = http_patch("/v1/me", p->token,
                                        "{\"current_password\":\"" FIXTURE_PASSWORD "\","
                                        "\"password\":\"patched-password-2026\"}");
    p->status = r.status;
    snprintf(p->body, sizeof p->body, "%s", buf_cstr(&r.body));
    http_response_free(&r);
    return NULL;
}

START_TEST(a_password_changed_meanwhile_is_kept)
{
    const char *id = fixture_user_id(U_HEALTH);
    char newer[PASSWORD_HASH_MAX];
    ck_assert(password_hash("changed-meanwhile-2026", newer));

    /* Another session holds the account's row while the request runs... */
    PGconn *other = PQconnectdb(getenv("PACTO_DATABASE_URL"));
    ck_assert_msg(PQstatus(other) == CONNECTION_OK, "%s", PQerrorMessage(other));
    const char *by_id[] = {id};
    exec_ok(other, "BEGIN", 0, NULL);
    exec_ok(other, "SELECT 1 FROM users WHERE id = $1 FOR UPDATE", 1, by_id);

    struct patcher p = {.token = fixture_token(U_HEALTH)};
    pthread_t thread;
    ck_assert_int_eq(pthread_create(&thread, NULL, patch_password, &p), 0);
    await_blocked_lock();

    /* ...and changes the password before the request can write. */
    const char *change[] = {id, newer};
    exec_ok(other, "UPDATE users SET password_hash = $2 WHERE id = $1", 2, change);
    exec_ok(other, "COMMIT", 0, NULL);
    PQfinish(other);
    pthread_join(thread, NULL);

    ck_assert_msg(p.status == 409, "%ld %s", p.status, p.body);
    ck_assert_ptr_nonnull(strstr(p.body, "https://pacto.dev/problems/conflict"));
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM users WHERE id = %s"
                                   " AND password_hash = '%s'",
                                   id, newer),
                     1);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE entity = 'user'"), 0);
}
END_TEST

Suite *hashing_suite(void)
{
    Suite *s = suite_create("hashing");
    TCase *tc = tcase_create("password work outside connections");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, a_burst_of_logins_all_succeed);
    tcase_add_test(tc, racing_activations_use_an_invitation_once);
    tcase_add_test(tc, an_invitation_used_while_the_password_is_hashed_is_refused);
    tcase_add_test(tc, a_password_changed_meanwhile_is_kept);
    suite_add_tcase(s, tc);
    return s;
}
