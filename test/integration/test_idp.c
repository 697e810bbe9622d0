/*
 * An external identity provider (PACTO_JWT_PUBLIC_KEY_FILE): a second server
 * is started with the provider's RSA public key. Its RS256 tokens are
 * accepted and still checked against the Pacto account; HS256 tokens and
 * local logins are refused. scripts/test.sh names the binary and a port.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct {
    pid_t pid;
    char url[64];
    char pub_path[64];
    char *priv_pem;
} idp;

static const char *required_env(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v)
        ck_abort_msg("%s is not set: run the integration tests with scripts/test.sh", name);
    return v;
}

/* A fresh 2048-bit RSA key: the private half signs, the public half is the
 * server's PACTO_JWT_PUBLIC_KEY_FILE. */
static void make_key(void)
{
    EVP_PKEY *key = EVP_RSA_gen(2048);
    ck_assert_ptr_nonnull(key);
    snprintf(idp.pub_path, sizeof idp.pub_path, "/tmp/pacto-idp-%d.pem", (int)getpid());
    FILE *f = fopen(idp.pub_path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert(PEM_write_PUBKEY(f, key));
    fclose(f);
    BIO *mem = BIO_new(BIO_s_mem());
    ck_assert(PEM_write_bio_PrivateKey(mem, key, NULL, NULL, 0, NULL, NULL));
    char *data;
    long n = BIO_get_mem_data(mem, &data);
    idp.priv_pem = strndup(data, (size_t)n);
    BIO_free(mem);
    EVP_PKEY_free(key);
}

static void start_idp_server(void)
{
    const char *binary = required_env("PACTO_TEST_BINARY");
    const char *port = required_env("PACTO_TEST_IDP_PORT");
    snprintf(idp.url, sizeof idp.url, "http://127.0.0.1:%s", port);
    make_key();
    idp.pid = fork();
    ck_assert_int_ge(idp.pid, 0);
    if (idp.pid == 0) {
        char listen[32];
        snprintf(listen, sizeof listen, "127.0.0.1:%s", port);
        setenv("PACTO_LISTEN", listen, 1);
        setenv("PACTO_JWT_PUBLIC_KEY_FILE", idp.pub_path, 1);
        setenv("PACTO_LOG_LEVEL", "warn", 1);
        execl(binary, binary, "serve", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100 && !http_reachable(idp.url); i++)
        usleep(100000);
    ck_assert_msg(http_reachable(idp.url), "the IdP server did not start");
}

static void stop_idp_server(void)
{
    int status = -1;
    if (idp.pid > 0) {
        kill(idp.pid, SIGTERM);
        waitpid(idp.pid, &status, 0);
    }
    unlink(idp.pub_path);
    free(idp.priv_pem);
    idp.priv_pem = NULL;
    idp.pid = 0;
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the IdP server did not exit cleanly (status %d)", status);
}

/* An RS256 token from the provider for a fixture account. */
static char *provider_token(enum fixture_user u, const char *role, const char *area,
                            const char *municipality)
{
    jwt_t *jwt = NULL;
    ck_assert_int_eq(jwt_new(&jwt), 0);
    time_t now = time(NULL);
    const char *iss = getenv("PACTO_JWT_ISSUER");
    const char *aud = getenv("PACTO_JWT_AUDIENCE");
    jwt_add_grant(jwt, "sub", fixture_user_id(u));
    jwt_add_grant(jwt, "role", role);
    if (area)
        jwt_add_grant(jwt, "secretariat_area", area);
    if (municipality)
        jwt_add_grant(jwt, "municipality_id", municipality);
    jwt_add_grant(jwt, "iss", iss ? iss : "pacto");
    jwt_add_grant(jwt, "aud", aud ? aud : "pacto-api");
    jwt_add_grant_int(jwt, "iat", (long)now);
    jwt_add_grant_int(jwt, "exp", (long)now + 300);
    ck_assert_int_eq(jwt_set_alg(jwt, JWT_ALG_RS256, (const unsigned char *)idp.priv_pem,
                                 (int)strlen(idp.priv_pem)),
                     0);
    char *token = jwt_encode_str(jwt);
    ck_assert_ptr_nonnull(token);
    jwt_free(jwt);
    return token;
}

static struct http_response idp_get(const char *path, const char *token)
{
    return http_do(
        &(struct http_request){.method = "GET", .base_url = idp.url, .path = path, .token = token});
}

START_TEST(provider_tokens_are_accepted_and_checked_against_the_account)
{
    char *token = provider_token(U_COORDINATION, "secretariat", "coordination", NULL);
    struct http_response r = idp_get("/v1/me", token);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "email"), fixture_email(U_COORDINATION));
    http_response_free(&r);

    /* A token whose role the account does not have, and a deactivated account. */
    char *wrong = provider_token(U_HEALTH, "secretariat", "coordination", NULL);
    r = idp_get("/v1/me", wrong);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    fixture_exec("UPDATE users SET active = false WHERE email = 'coord@test.pacto'");
    r = idp_get("/v1/me", token);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    free(token);
    free(wrong);
}
END_TEST

START_TEST(local_tokens_and_logins_are_refused)
{
    /* Signed with the shared secret (HS256): not the provider's algorithm. */
    struct http_response r = idp_get("/v1/me", fixture_token(U_COORDINATION));
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    r = http_do(
        &(struct http_request){.method = "POST",
                               .base_url = idp.url,
                               .path = "/v1/auth/token",
                               .body = "{\"email\":\"coord@test.pacto\",\"password\":\"x\"}"});
    http_expect_problem(&r, 404, "local-login-disabled");
    http_response_free(&r);
}
END_TEST

Suite *idp_suite(void)
{
    Suite *s = suite_create("idp");
    TCase *tc = tcase_create("external provider");
    tcase_add_unchecked_fixture(tc, start_idp_server, stop_idp_server);
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, provider_tokens_are_accepted_and_checked_against_the_account);
    tcase_add_test(tc, local_tokens_and_logins_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
