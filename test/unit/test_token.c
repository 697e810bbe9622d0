/*
 * Unit tests for lib/auth/token.c: one test per known JWT attack, plus the
 * happy paths for HS256 (token_issue), RS256 and ES256.
 *
 * Attack tokens are built by hand (base64url + OpenSSL HMAC) so that each one
 * is exactly the malformation under test; RSA and EC keys are generated at
 * run time, and RS256/ES256 tokens are signed by libjwt with the private key.
 */
#include "auth/token.h"
#include "auth/verified.h"
#include "suites.h"

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECRET "0123456789abcdef0123456789abcdef-test-secret"
#define ISS    "pacto-test"
#define AUD    "pacto-api"
#define NOW    1700000000L

/* Keys generated once per test case by an unchecked fixture (in the parent,
 * before Check forks each test). */
struct test_key {
    EVP_PKEY *pkey;
    char *priv_pem; /* PKCS#8 PEM, for libjwt signing */
    char pub_path[64];
};

static struct test_key rsa_key, rsa_other, ec_key, ec_other;

/* ---- helpers ---- */

static char *b64url(const void *data, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const unsigned char *p = data;
    char *out = malloc(len * 4 / 3 + 4);
    ck_assert_ptr_nonnull(out);
    size_t o = 0, i = 0;
    for (; i + 2 < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = alphabet[v >> 6 & 63];
        out[o++] = alphabet[v & 63];
    }
    if (len - i == 1) {
        unsigned v = (unsigned)p[i] << 16;
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
    } else if (len - i == 2) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = alphabet[v >> 6 & 63];
    }
    out[o] = '\0';
    return out;
}

/* "b64(header).b64(payload)" */
static char *signing_input(const char *header, const char *payload)
{
    char *h = b64url(header, strlen(header));
    char *p = b64url(payload, strlen(payload));
    size_t n = strlen(h) + strlen(p) + 2;
    char *out = malloc(n);
    ck_assert_ptr_nonnull(out);
    snprintf(out, n, "%s.%s", h, p);
    free(h);
    free(p);
    return out;
}

static char *join_sig(char *input, const char *sig)
{
    size_t n = strlen(input) + strlen(sig) + 2;
    char *out = malloc(n);
    ck_assert_ptr_nonnull(out);
    snprintf(out, n, "%s.%s", input, sig);
    free(input);
    return out;
}

/* A token MAC'd with `md` over `key`, whatever the header claims. */
static char *hmac_token(const char *header, const char *payload, const EVP_MD *md, const void *key,
                        size_t key_len)
{
    char *input = signing_input(header, payload);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    ck_assert_ptr_nonnull(
        HMAC(md, key, (int)key_len, (const unsigned char *)input, strlen(input), mac, &mac_len));
    char *sig = b64url(mac, mac_len);
    char *token = join_sig(input, sig);
    free(sig);
    return token;
}

static char *hs256(const char *payload)
{
    return hmac_token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, EVP_sha256(), SECRET,
                      strlen(SECRET));
}

/* A payload valid at NOW, with `extra` members appended (may be ""). */
static char *payload_with(const char *extra)
{
    static const char base[] = "{\"sub\":\"42\",\"role\":\"mayor\",\"municipality_id\":\"3550308\","
                               "\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"iat\":%ld,\"exp\":%ld%s}";
    size_t n = sizeof base + strlen(extra) + 64;
    char *out = malloc(n);
    ck_assert_ptr_nonnull(out);
    snprintf(out, n, base, NOW - 10, NOW + 600, extra);
    return out;
}

static struct token_config hs_config(void)
{
    struct token_config c;
    ck_assert(token_config_hs256(&c, SECRET, ISS, AUD, 900));
    return c;
}

static enum token_result verify_hs(const char *token)
{
    struct token_config c = hs_config();
    struct token_claims out;
    enum token_result r = token_verify(&c, token, NOW, &out);
    token_config_free(&c);
    return r;
}

static enum token_result verify_hs_payload(const char *payload)
{
    char *token = hs256(payload);
    enum token_result r = verify_hs(token);
    free(token);
    return r;
}

/* Payload given literally, times included. */
#define ck_payload(json, expected) ck_assert_int_eq(verify_hs_payload(json), expected)

/* Payload built from the valid base plus extra members. */
static enum token_result verify_hs_extra(const char *extra)
{
    char *payload = payload_with(extra);
    enum token_result r = verify_hs_payload(payload);
    free(payload);
    return r;
}

static void key_make(struct test_key *k, EVP_PKEY *pkey)
{
    ck_assert_ptr_nonnull(pkey);
    k->pkey = pkey;

    BIO *bio = BIO_new(BIO_s_mem());
    ck_assert(PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) == 1);
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    k->priv_pem = malloc((size_t)n + 1);
    memcpy(k->priv_pem, data, (size_t)n);
    k->priv_pem[n] = '\0';
    BIO_free(bio);

    snprintf(k->pub_path, sizeof k->pub_path, "/tmp/pacto-test-pub-XXXXXX");
    int fd = mkstemp(k->pub_path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert(PEM_write_PUBKEY(f, pkey) == 1);
    fclose(f);
}

static void key_free(struct test_key *k)
{
    if (k->pub_path[0])
        unlink(k->pub_path);
    EVP_PKEY_free(k->pkey);
    free(k->priv_pem);
    memset(k, 0, sizeof *k);
}

static void rsa_setup(void)
{
    key_make(&rsa_key, EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048));
    key_make(&rsa_other, EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048));
}

static void rsa_teardown(void)
{
    key_free(&rsa_key);
    key_free(&rsa_other);
}

static void ec_setup(void)
{
    key_make(&ec_key, EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    key_make(&ec_other, EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
}

static void ec_teardown(void)
{
    key_free(&ec_key);
    key_free(&ec_other);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *buf = malloc(65536);
    *len = fread(buf, 1, 65535, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* Signs `payload` (a JSON object) with libjwt and a private key PEM. */
static char *libjwt_sign(jwt_alg_t alg, const char *priv_pem, const char *payload)
{
    jwt_t *jwt = NULL;
    ck_assert_int_eq(jwt_new(&jwt), 0);
    ck_assert_int_eq(jwt_add_grants_json(jwt, payload), 0);
    ck_assert_int_eq(jwt_set_alg(jwt, alg, (const unsigned char *)priv_pem, (int)strlen(priv_pem)),
                     0);
    char *token = jwt_encode_str(jwt);
    ck_assert_ptr_nonnull(token);
    jwt_free(jwt);
    return token;
}

static enum token_result verify_with_key(const struct test_key *k, const char *token,
                                         enum token_alg expect_alg, struct token_claims *out)
{
    struct token_config c;
    char err[256];
    ck_assert_msg(token_config_public_key(&c, k->pub_path, ISS, AUD, err, sizeof err), "%s", err);
    ck_assert_int_eq(c.alg, expect_alg);
    enum token_result r = token_verify(&c, token, NOW, out);
    token_config_free(&c);
    return r;
}

/* ---- configuration ---- */

START_TEST(test_config_short_secret_refused)
{
    struct token_config c;
    ck_assert(!token_config_hs256(&c, "0123456789abcdef0123456789abcde", ISS, AUD, 900));
    ck_assert_ptr_null(c.key);
    ck_assert(!token_config_hs256(&c, "", ISS, AUD, 900));
    ck_assert(!token_config_hs256(&c, NULL, ISS, AUD, 900));
    token_config_free(&c);
    ck_assert(token_config_hs256(&c, "0123456789abcdef0123456789abcdef", ISS, AUD, 900));
    ck_assert_int_eq(c.leeway_seconds, 30);
    ck_assert_int_eq(c.alg, TOKEN_HS256);
    token_config_free(&c);
    ck_assert_ptr_null(c.key);
}
END_TEST

START_TEST(test_config_bad_names_refused)
{
    struct token_config c;
    char long_name[200];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    ck_assert(!token_config_hs256(&c, SECRET, "", AUD, 900));
    ck_assert(!token_config_hs256(&c, SECRET, ISS, long_name, 900));
    ck_assert(!token_config_hs256(&c, SECRET, ISS, AUD, 0));
}
END_TEST

START_TEST(test_config_missing_file)
{
    struct token_config c;
    char err[256];
    ck_assert(!token_config_public_key(&c, "/nonexistent/pacto.pem", ISS, AUD, err, sizeof err));
    ck_assert(strlen(err) > 0);
    ck_assert_ptr_null(c.key);
}
END_TEST

START_TEST(test_config_private_key_file_refused)
{
    char path[] = "/tmp/pacto-test-priv-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert(write(fd, rsa_key.priv_pem, strlen(rsa_key.priv_pem)) ==
              (ssize_t)strlen(rsa_key.priv_pem));
    close(fd);
    struct token_config c;
    char err[256];
    bool ok = token_config_public_key(&c, path, ISS, AUD, err, sizeof err);
    unlink(path);
    ck_assert(!ok);
    ck_assert(strlen(err) > 0);
}
END_TEST

START_TEST(test_config_p384_refused)
{
    struct test_key k = {0};
    key_make(&k, EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"));
    struct token_config c;
    char err[256];
    bool ok = token_config_public_key(&c, k.pub_path, ISS, AUD, err, sizeof err);
    key_free(&k);
    ck_assert(!ok);
    ck_assert_ptr_nonnull(strstr(err, "P-256"));
}
END_TEST

/* ---- HS256 happy path ---- */

START_TEST(test_issue_round_trip)
{
    struct token_config c = hs_config();
    struct token_claims in = {.sub = "7f1c",
                              .role = "secretariat",
                              .municipality_id = "3550308",
                              .secretariat_area = "health"};
    char *token = token_issue(&c, &in, NOW);
    ck_assert_ptr_nonnull(token);
    ck_assert_int_eq(strncmp(token, "eyJ", 3), 0);

    struct token_claims out;
    ck_assert_int_eq(token_verify(&c, token, NOW + 5, &out), TOKEN_OK);
    ck_assert_str_eq(out.sub, "7f1c");
    ck_assert_str_eq(out.role, "secretariat");
    ck_assert_str_eq(out.municipality_id, "3550308");
    ck_assert_str_eq(out.secretariat_area, "health");
    ck_assert_int_eq(out.iat, NOW);
    ck_assert_int_eq(out.exp, NOW + 900);

    /* Lifetime plus leeway, then no more. */
    ck_assert_int_eq(token_verify(&c, token, NOW + 929, &out), TOKEN_OK);
    ck_assert_int_eq(token_verify(&c, token, NOW + 930, &out), TOKEN_EXPIRED);

    /* Another secret must not verify it. */
    struct token_config other;
    ck_assert(token_config_hs256(&other, SECRET "-other", ISS, AUD, 900));
    ck_assert_int_eq(token_verify(&other, token, NOW, &out), TOKEN_BAD_SIGNATURE);
    token_config_free(&other);
    free(token);
    token_config_free(&c);
}
END_TEST

/* A remembered verification answers like token_verify: the same claims,
 * expiry at the same second, and only for the very same bytes. */
START_TEST(test_remembered_verifications)
{
    struct token_config c = hs_config();
    struct token_claims in = {.sub = "42", .role = "mayor", .municipality_id = "5002704"};
    char *token = token_issue(&c, &in, NOW);
    struct token_claims out;
    for (int i = 0; i < 2; i++) { /* verified, then remembered */
        memset(&out, 0, sizeof out);
        ck_assert_int_eq(token_verify_remembered(&c, token, NOW + 5, &out), TOKEN_OK);
        ck_assert_str_eq(out.sub, "42");
        ck_assert_str_eq(out.municipality_id, "5002704");
    }
    ck_assert_int_eq(token_verify_remembered(&c, token, NOW + 929, &out), TOKEN_OK);
    ck_assert_int_eq(token_verify_remembered(&c, token, NOW + 930, &out), TOKEN_EXPIRED);
    ck_assert_int_eq(token_verify_remembered(&c, token, NOW + 930, &out), TOKEN_EXPIRED);
    /* One byte changed in the signature is another token, checked anew. */
    char *forged = strdup(token);
    char *last = forged + strlen(forged) - 2;
    *last = *last == 'A' ? 'B' : 'A';
    ck_assert_int_eq(token_verify_remembered(&c, forged, NOW + 5, &out), TOKEN_BAD_SIGNATURE);
    ck_assert_int_eq(token_verify_remembered(&c, forged, NOW + 5, &out), TOKEN_BAD_SIGNATURE);
    free(forged);
    free(token);
    token_config_free(&c);
}
END_TEST

START_TEST(test_issue_omits_empty_optional_claims)
{
    struct token_config c = hs_config();
    struct token_claims in = {.sub = "1", .role = "representative"};
    char *token = token_issue(&c, &in, NOW);
    ck_assert_ptr_nonnull(token);
    jwt_t *jwt = NULL;
    ck_assert_int_eq(jwt_decode(&jwt, token, c.key, (int)c.key_len), 0);
    ck_assert_ptr_null(jwt_get_grant(jwt, "municipality_id"));
    ck_assert_ptr_null(jwt_get_grant(jwt, "secretariat_area"));
    ck_assert_str_eq(jwt_get_grant(jwt, "aud"), AUD);
    jwt_free(jwt);

    struct token_claims out;
    ck_assert_int_eq(token_verify(&c, token, NOW, &out), TOKEN_OK);
    ck_assert_str_eq(out.municipality_id, "");
    ck_assert_str_eq(out.secretariat_area, "");
    free(token);

    struct token_claims no_sub = {.role = "mayor"};
    ck_assert_ptr_null(token_issue(&c, &no_sub, NOW));
    token_config_free(&c);
}
END_TEST

START_TEST(test_hand_built_token_ok)
{
    ck_assert_int_eq(verify_hs_extra(""), TOKEN_OK);
    /* aud as an array that contains ours */
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":[\"x\",\"" AUD
               "\"],\"iat\":1699999990,\"exp\":1700000600}",
               TOKEN_OK);
}
END_TEST

/* ---- algorithm attacks ---- */

START_TEST(test_alg_none_refused)
{
    char *payload = payload_with("");
    const char *headers[] = {"{\"alg\":\"none\",\"typ\":\"JWT\"}", "{\"alg\":\"None\"}",
                             "{\"alg\":\"NONE\"}", "{\"typ\":\"JWT\"}"};
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        char *unsigned_token = join_sig(signing_input(headers[i], payload), "");
        ck_assert_int_eq(verify_hs(unsigned_token), TOKEN_BAD_ALGORITHM);
        free(unsigned_token);
        /* ... and with a signature attached anyway */
        char *t = hmac_token(headers[i], payload, EVP_sha256(), SECRET, strlen(SECRET));
        ck_assert_int_eq(verify_hs(t), TOKEN_BAD_ALGORITHM);
        free(t);
    }
    free(payload);
}
END_TEST

START_TEST(test_hs384_hs512_refused_when_hs256)
{
    char *payload = payload_with("");
    char *t384 = hmac_token("{\"alg\":\"HS384\",\"typ\":\"JWT\"}", payload, EVP_sha384(), SECRET,
                            strlen(SECRET));
    char *t512 = hmac_token("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", payload, EVP_sha512(), SECRET,
                            strlen(SECRET));
    ck_assert_int_eq(verify_hs(t384), TOKEN_BAD_ALGORITHM);
    ck_assert_int_eq(verify_hs(t512), TOKEN_BAD_ALGORITHM);
    /* Case matters: "hs256" is not "HS256". */
    char *lower = hmac_token("{\"alg\":\"hs256\"}", payload, EVP_sha256(), SECRET, strlen(SECRET));
    ck_assert_int_eq(verify_hs(lower), TOKEN_BAD_ALGORITHM);
    free(t384);
    free(t512);
    free(lower);
    free(payload);
}
END_TEST

START_TEST(test_hs256_with_rsa_public_key_refused)
{
    size_t pem_len = 0;
    char *pem = read_file(rsa_key.pub_path, &pem_len);
    char *payload = payload_with("");
    char *forged =
        hmac_token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, EVP_sha256(), pem, pem_len);

    /* The hazard is real: libjwt alone accepts the forgery with the RSA key. */
    jwt_t *jwt = NULL;
    ck_assert_int_eq(jwt_decode(&jwt, forged, (const unsigned char *)pem, (int)pem_len), 0);
    jwt_free(jwt);

    struct token_claims out;
    ck_assert_int_eq(verify_with_key(&rsa_key, forged, TOKEN_RS256, &out), TOKEN_BAD_ALGORITHM);
    free(forged);
    free(payload);
    free(pem);
}
END_TEST

START_TEST(test_duplicate_alg_refused)
{
    /* cJSON would see the first "alg", libjwt's jansson the last one. */
    size_t pem_len = 0;
    char *pem = read_file(rsa_key.pub_path, &pem_len);
    char *payload = payload_with("");
    char *forged = hmac_token("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"alg\":\"HS256\"}", payload,
                              EVP_sha256(), pem, pem_len);
    struct token_claims out;
    ck_assert_int_eq(verify_with_key(&rsa_key, forged, TOKEN_RS256, &out), TOKEN_MALFORMED);
    free(forged);
    free(payload);
    free(pem);
}
END_TEST

START_TEST(test_bad_typ_and_crit_refused)
{
    char *payload = payload_with("");
    char *t1 = hmac_token("{\"alg\":\"HS256\",\"typ\":\"JWE\"}", payload, EVP_sha256(), SECRET,
                          strlen(SECRET));
    char *t2 = hmac_token("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", payload, EVP_sha256(), SECRET,
                          strlen(SECRET));
    char *t3 = hmac_token("{\"alg\":\"HS256\"}", payload, EVP_sha256(), SECRET, strlen(SECRET));
    ck_assert_int_eq(verify_hs(t1), TOKEN_MALFORMED);
    ck_assert_int_eq(verify_hs(t2), TOKEN_MALFORMED);
    ck_assert_int_eq(verify_hs(t3), TOKEN_OK); /* typ is optional */
    free(t1);
    free(t2);
    free(t3);
    free(payload);
}
END_TEST

/* ---- claim attacks ---- */

START_TEST(test_wrong_audience)
{
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"other-api\","
               "\"iat\":1699999990,\"exp\":1700000600}",
               TOKEN_BAD_AUDIENCE);
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":[\"other-api\"],"
               "\"iat\":1699999990,\"exp\":1700000600}",
               TOKEN_BAD_AUDIENCE);
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"PACTO-API\","
               "\"iat\":1699999990,\"exp\":1700000600}",
               TOKEN_BAD_AUDIENCE);
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":[\"" AUD "\",7],"
               "\"iat\":1699999990,\"exp\":1700000600}",
               TOKEN_BAD_AUDIENCE);
}
END_TEST

START_TEST(test_absent_audience)
{
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\","
               "\"iat\":1699999990,\"exp\":1700000600}",
               TOKEN_BAD_AUDIENCE);
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":null,"
               "\"iat\":1699999990,\"exp\":1700000600}",
               TOKEN_BAD_AUDIENCE);
}
END_TEST

START_TEST(test_wrong_issuer)
{
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"evil\",\"aud\":\"" AUD "\","
               "\"iat\":1699999990,\"exp\":1700000600}",
               TOKEN_BAD_ISSUER);
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"aud\":\"" AUD "\","
               "\"iat\":1699999990,\"exp\":1700000600}",
               TOKEN_BAD_ISSUER);
}
END_TEST

START_TEST(test_expired)
{
    /* exp 31 s ago is beyond the 30 s leeway; 29 s ago is within it. */
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"iat\":1699999000,\"exp\":1699999969}",
               TOKEN_EXPIRED);
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"iat\":1699999000,\"exp\":1699999971}",
               TOKEN_OK);
}
END_TEST

START_TEST(test_future_nbf)
{
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"iat\":1699999990,\"nbf\":1700000031,\"exp\":1700000600}",
               TOKEN_NOT_YET_VALID);
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"iat\":1699999990,\"nbf\":1700000030,\"exp\":1700000600}",
               TOKEN_OK);
}
END_TEST

START_TEST(test_future_iat)
{
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"iat\":1700000031,\"exp\":1700000600}",
               TOKEN_NOT_YET_VALID);
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"iat\":1700000030,\"exp\":1700000600}",
               TOKEN_OK);
}
END_TEST

START_TEST(test_string_exp)
{
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"iat\":1699999990,\"exp\":\"1700000600\"}",
               TOKEN_BAD_CLAIMS);
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"iat\":1699999990,\"exp\":1700000600.5}",
               TOKEN_BAD_CLAIMS);
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"iat\":1699999990,\"exp\":1e300}",
               TOKEN_BAD_CLAIMS);
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"iat\":\"now\",\"exp\":1700000600}",
               TOKEN_BAD_CLAIMS);
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"iat\":1699999990,\"nbf\":true,\"exp\":1700000600}",
               TOKEN_BAD_CLAIMS);
}
END_TEST

START_TEST(test_missing_required_claims)
{
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"iat\":1699999990}",
               TOKEN_MALFORMED);
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"exp\":1700000600}",
               TOKEN_MALFORMED);
    ck_payload("{\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"iat\":1699999990,\"exp\":1700000600}",
               TOKEN_MALFORMED);
    /* "EXP" is not "exp": names are case-sensitive. */
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"iat\":1699999990,\"EXP\":1700000600}",
               TOKEN_MALFORMED);
}
END_TEST

START_TEST(test_bad_string_claims)
{
    ck_assert_int_eq(verify_hs_extra(",\"secretariat_area\":7"), TOKEN_BAD_CLAIMS);
    ck_payload("{\"sub\":42,\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"iat\":1699999990,\"exp\":1700000600}",
               TOKEN_BAD_CLAIMS);
    ck_payload("{\"sub\":\"1\",\"role\":\"mayor\",\"municipality_id\":\"355030812\","
               "\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"iat\":1699999990,\"exp\":1700000600}",
               TOKEN_BAD_CLAIMS);
    ck_payload("{\"sub\":\"\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
               "\"iat\":1699999990,\"exp\":1700000600}",
               TOKEN_BAD_CLAIMS);
    char sub[100];
    memset(sub, 'a', 64);
    sub[64] = '\0';
    char payload[400];
    snprintf(payload, sizeof payload,
             "{\"sub\":\"%s\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD
             "\",\"iat\":1699999990,\"exp\":1700000600}",
             sub);
    ck_payload(payload, TOKEN_BAD_CLAIMS);
    sub[63] = '\0'; /* 63 bytes fit in char[64] */
    snprintf(payload, sizeof payload,
             "{\"sub\":\"%s\",\"role\":\"mayor\",\"iss\":\"" ISS "\",\"aud\":\"" AUD
             "\",\"iat\":1699999990,\"exp\":1700000600}",
             sub);
    ck_payload(payload, TOKEN_OK);
}
END_TEST

START_TEST(test_duplicate_claim_refused)
{
    ck_assert_int_eq(verify_hs_extra(",\"role\":\"secretariat\""), TOKEN_MALFORMED);
}
END_TEST

/* ---- shape attacks ---- */

START_TEST(test_huge_token)
{
    /* A correctly signed token whose only fault is its size. */
    size_t pad = TOKEN_MAX_LEN;
    char *extra = malloc(pad + 16);
    memcpy(extra, ",\"pad\":\"", 8);
    memset(extra + 8, 'x', pad);
    memcpy(extra + 8 + pad, "\"", 2);
    char *payload = payload_with(extra);
    char *token = hs256(payload);
    ck_assert_int_gt(strlen(token), TOKEN_MAX_LEN);
    ck_assert_int_eq(verify_hs(token), TOKEN_TOO_LONG);
    free(token);
    free(payload);
    free(extra);

    /* Exactly one byte over, of no particular content; one byte less is
     * merely malformed. */
    char *over = malloc(TOKEN_MAX_LEN + 2);
    memset(over, 'A', TOKEN_MAX_LEN + 1);
    over[TOKEN_MAX_LEN + 1] = '\0';
    ck_assert_int_eq(verify_hs(over), TOKEN_TOO_LONG);
    over[TOKEN_MAX_LEN] = '\0';
    ck_assert_int_eq(verify_hs(over), TOKEN_MALFORMED);
    free(over);
}
END_TEST

START_TEST(test_tampered_signature)
{
    char *payload = payload_with("");
    char *token = hs256(payload);
    char *last = token + strlen(token) - 2; /* not the last char: its low bits are padding */
    *last = *last == 'A' ? 'B' : 'A';
    ck_assert_int_eq(verify_hs(token), TOKEN_BAD_SIGNATURE);

    /* Truncated signature, and no signature at all */
    *strrchr(token, '.') = '\0';
    char *nosig = join_sig(strdup(token), "");
    ck_assert_int_eq(verify_hs(nosig), TOKEN_BAD_SIGNATURE);
    free(nosig);
    free(token);
    free(payload);
}
END_TEST

START_TEST(test_tampered_payload)
{
    char *payload = payload_with("");
    char *token = hs256(payload);
    /* Same signature, payload promoting the subject. */
    char *sig = strrchr(token, '.') + 1;
    char *evil_payload = payload_with("");
    char *role = strstr(evil_payload, "\"mayor\"");
    memcpy(role, "\"admin\"", 7);
    char *forged =
        join_sig(signing_input("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", evil_payload), sig);
    ck_assert_int_eq(verify_hs(forged), TOKEN_BAD_SIGNATURE);
    free(forged);
    free(evil_payload);
    free(token);
    free(payload);
}
END_TEST

START_TEST(test_garbage_tokens)
{
    const char *garbage[] = {
        "",
        ".",
        "..",
        "...",
        "abc",
        "abc.def",
        "eyJhbGciOiJIUzI1NiJ9.e30",         /* two parts */
        "eyJhbGciOiJIUzI1NiJ9.e30.e30.e30", /* four parts */
        "eyJhbGciOiJIUzI1NiJ9..c2ln",       /* empty payload */
        ".e30.c2ln",                        /* empty header */
        "eyJhbGciOiJIUzI1NiJ9=.e30.c2ln",   /* padding */
        "eyJhbGciOiJIUzI1NiJ9.e3+.c2ln",    /* standard, not URL, alphabet */
        "eyJhbGciOiJIUzI1NiJ9.e30 .c2ln",   /* whitespace */
        "bm90IGpzb24.e30.c2ln",             /* header "not json" */
        "WzFd.e30.c2ln",                    /* header is an array */
        "eyJhbGciOiJIUzI1NiJ9.bnVsbA.c2ln", /* payload "null" */
        "eyJhbGciOiJIUzI1NiJ9.e30xx.c2ln",  /* impossible length */
        "eyJhbGciOiJIUzI1NiJ9.e31.c2ln",    /* non-zero padding bits */
    };
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++)
        ck_assert_msg(verify_hs(garbage[i]) == TOKEN_MALFORMED, "accepted or misread: %s",
                      garbage[i]);
    ck_assert_int_eq(verify_hs(NULL), TOKEN_MALFORMED);

    /* A NUL byte inside the header JSON */
    char hdr[] = "{\"alg\":\"HS256\"}\0x";
    char *t = join_sig(join_sig(b64url(hdr, sizeof hdr - 1), "e30"), "c2ln");
    ck_assert_int_eq(verify_hs(t), TOKEN_MALFORMED);
    free(t);

    /* Well-formed but unsigned garbage is a signature failure, not a parse one. */
    ck_assert_int_eq(verify_hs("eyJhbGciOiJIUzI1NiJ9.e30.c2ln"), TOKEN_BAD_SIGNATURE);
}
END_TEST

START_TEST(test_result_messages)
{
    for (int r = TOKEN_OK; r <= TOKEN_BAD_CLAIMS; r++) {
        const char *m = token_result_message((enum token_result)r);
        ck_assert_ptr_nonnull(m);
        ck_assert(strlen(m) > 0);
    }
    ck_assert_str_eq(token_result_message(TOKEN_EXPIRED), "token expired");
}
END_TEST

/* ---- RS256 ---- */

START_TEST(test_rs256_happy_path)
{
    char *payload = payload_with(",\"secretariat_area\":\"health\"");
    char *token = libjwt_sign(JWT_ALG_RS256, rsa_key.priv_pem, payload);
    struct token_claims out;
    ck_assert_int_eq(verify_with_key(&rsa_key, token, TOKEN_RS256, &out), TOKEN_OK);
    ck_assert_str_eq(out.sub, "42");
    ck_assert_str_eq(out.role, "mayor");
    ck_assert_str_eq(out.municipality_id, "3550308");
    ck_assert_str_eq(out.secretariat_area, "health");
    ck_assert_int_eq(out.exp, NOW + 600);
    free(token);
    free(payload);
}
END_TEST

START_TEST(test_rs256_wrong_key)
{
    char *payload = payload_with("");
    char *token = libjwt_sign(JWT_ALG_RS256, rsa_other.priv_pem, payload);
    struct token_claims out;
    ck_assert_int_eq(verify_with_key(&rsa_key, token, TOKEN_RS256, &out), TOKEN_BAD_SIGNATURE);
    free(token);
    free(payload);
}
END_TEST

START_TEST(test_rs256_issue_refused)
{
    struct token_config c;
    char err[256];
    ck_assert(token_config_public_key(&c, rsa_key.pub_path, ISS, AUD, err, sizeof err));
    struct token_claims in = {.sub = "1", .role = "mayor"};
    ck_assert_ptr_null(token_issue(&c, &in, NOW));
    token_config_free(&c);
}
END_TEST

START_TEST(test_rs512_refused_when_rs256)
{
    char *payload = payload_with("");
    char *token = libjwt_sign(JWT_ALG_RS512, rsa_key.priv_pem, payload);
    struct token_claims out;
    ck_assert_int_eq(verify_with_key(&rsa_key, token, TOKEN_RS256, &out), TOKEN_BAD_ALGORITHM);
    free(token);
    free(payload);
}
END_TEST

/* ---- ES256 ---- */

START_TEST(test_es256_happy_path)
{
    char *payload = payload_with("");
    char *token = libjwt_sign(JWT_ALG_ES256, ec_key.priv_pem, payload);
    struct token_claims out;
    ck_assert_int_eq(verify_with_key(&ec_key, token, TOKEN_ES256, &out), TOKEN_OK);
    ck_assert_str_eq(out.sub, "42");
    free(token);
    free(payload);
}
END_TEST

START_TEST(test_es256_wrong_key)
{
    char *payload = payload_with("");
    char *token = libjwt_sign(JWT_ALG_ES256, ec_other.priv_pem, payload);
    struct token_claims out;
    ck_assert_int_eq(verify_with_key(&ec_key, token, TOKEN_ES256, &out), TOKEN_BAD_SIGNATURE);
    free(token);
    free(payload);
}
END_TEST

START_TEST(test_es256_refuses_rs256_and_hs256)
{
    char *payload = payload_with("");
    char *rs = libjwt_sign(JWT_ALG_RS256, rsa_key.priv_pem, payload);
    size_t pem_len = 0;
    char *pem = read_file(ec_key.pub_path, &pem_len);
    char *hs =
        hmac_token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, EVP_sha256(), pem, pem_len);
    struct token_claims out;
    ck_assert_int_eq(verify_with_key(&ec_key, rs, TOKEN_ES256, &out), TOKEN_BAD_ALGORITHM);
    ck_assert_int_eq(verify_with_key(&ec_key, hs, TOKEN_ES256, &out), TOKEN_BAD_ALGORITHM);
    free(rs);
    free(hs);
    free(pem);
    free(payload);
}
END_TEST

Suite *token_suite(void)
{
    Suite *s = suite_create("token");

    TCase *hs = tcase_create("hs256");
    tcase_add_test(hs, test_config_short_secret_refused);
    tcase_add_test(hs, test_config_bad_names_refused);
    tcase_add_test(hs, test_config_missing_file);
    tcase_add_test(hs, test_issue_round_trip);
    tcase_add_test(hs, test_remembered_verifications);
    tcase_add_test(hs, test_issue_omits_empty_optional_claims);
    tcase_add_test(hs, test_hand_built_token_ok);
    tcase_add_test(hs, test_alg_none_refused);
    tcase_add_test(hs, test_hs384_hs512_refused_when_hs256);
    tcase_add_test(hs, test_bad_typ_and_crit_refused);
    tcase_add_test(hs, test_wrong_audience);
    tcase_add_test(hs, test_absent_audience);
    tcase_add_test(hs, test_wrong_issuer);
    tcase_add_test(hs, test_expired);
    tcase_add_test(hs, test_future_nbf);
    tcase_add_test(hs, test_future_iat);
    tcase_add_test(hs, test_string_exp);
    tcase_add_test(hs, test_missing_required_claims);
    tcase_add_test(hs, test_bad_string_claims);
    tcase_add_test(hs, test_duplicate_claim_refused);
    tcase_add_test(hs, test_huge_token);
    tcase_add_test(hs, test_tampered_signature);
    tcase_add_test(hs, test_tampered_payload);
    tcase_add_test(hs, test_garbage_tokens);
    tcase_add_test(hs, test_result_messages);
    suite_add_tcase(s, hs);

    TCase *rs = tcase_create("rs256");
    tcase_add_unchecked_fixture(rs, rsa_setup, rsa_teardown);
    tcase_set_timeout(rs, 30);
    tcase_add_test(rs, test_config_private_key_file_refused);
    tcase_add_test(rs, test_hs256_with_rsa_public_key_refused);
    tcase_add_test(rs, test_duplicate_alg_refused);
    tcase_add_test(rs, test_rs256_happy_path);
    tcase_add_test(rs, test_rs256_wrong_key);
    tcase_add_test(rs, test_rs256_issue_refused);
    tcase_add_test(rs, test_rs512_refused_when_rs256);
    suite_add_tcase(s, rs);

    TCase *es = tcase_create("es256");
    tcase_add_unchecked_fixture(es, ec_setup, ec_teardown);
    tcase_add_unchecked_fixture(es, rsa_setup, rsa_teardown);
    tcase_set_timeout(es, 30);
    tcase_add_test(es, test_config_p384_refused);
    tcase_add_test(es, test_es256_happy_path);
    tcase_add_test(es, test_es256_wrong_key);
    tcase_add_test(es, test_es256_refuses_rs256_and_hs256);
    suite_add_tcase(s, es);

    return s;
}
