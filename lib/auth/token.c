/*
 * Access tokens (see token.h): issuing HS256 JWTs and verifying JWTs signed
 * with the one algorithm fixed by configuration.
 *
 * libjwt 1.10 is only trusted for what it does correctly, the signature
 * arithmetic. Everything around it is done here, before and after it runs:
 *
 *   - the length is capped first (libjwt copies the token onto the stack);
 *   - the token is split into exactly three strict base64url parts and the
 *     header and payload are parsed with cJSON; duplicate member names are
 *     refused, because libjwt's JSON parser (jansson) keeps the *last*
 *     duplicate while cJSON finds the *first*, and the two must never see
 *     different values for "alg" or a claim;
 *   - the header's "alg" must equal the configured algorithm, so "none",
 *     HS* tokens keyed with an RSA public key, and similar downgrades never
 *     reach libjwt;
 *   - for HS256 the MAC is also checked here in constant time, since libjwt
 *     compares MACs with strcmp();
 *   - jwt_decode runs with the configured key and its idea of the algorithm
 *     is checked again;
 *   - claim types, iss, aud, exp, nbf and iat are validated here.
 *
 * Nothing here keeps mutable static state, so every function is safe to call
 * from several threads at once (cJSON's parser does write an unused global
 * error position; that is a benign race inside cJSON).
 */
#include "auth/token.h"

#include "core/base64url.h"

#include <cJSON.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_MIN_SECRET     32
#define TOKEN_DEFAULT_LEEWAY 30
#define TOKEN_MAX_PEM        (64 * 1024)
#define TOKEN_MAX_MEMBERS    64                 /* header or payload members; ours have ~9 */
#define TOKEN_MAX_TIME       9007199254740992.0 /* 2^53: beyond it doubles skip integers */

/* The three dot-separated parts of a compact JWS, pointing into the token. */
struct jws_parts {
    const char *part[3];
    size_t len[3];
};

static const char *alg_name(enum token_alg alg)
{
    switch (alg) {
    case TOKEN_HS256:
        return "HS256";
    case TOKEN_RS256:
        return "RS256";
    case TOKEN_ES256:
        return "ES256";
    }
    return NULL;
}

static jwt_alg_t alg_libjwt(enum token_alg alg)
{
    switch (alg) {
    case TOKEN_HS256:
        return JWT_ALG_HS256;
    case TOKEN_RS256:
        return JWT_ALG_RS256;
    case TOKEN_ES256:
        return JWT_ALG_ES256;
    }
    return JWT_ALG_INVAL;
}

/* Copies a NUL-terminated string into a fixed buffer. False when it does not
 * fit (or is NULL/empty and `nonempty` is asked for); dst is then "". */
static bool copy_str(char *dst, size_t cap, const char *src, bool nonempty)
{
    dst[0] = '\0';
    if (!src)
        return false;
    size_t n = strnlen(src, cap);
    if (n >= cap || (nonempty && n == 0))
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

static bool config_names(struct token_config *c, const char *issuer, const char *audience)
{
    return copy_str(c->issuer, sizeof c->issuer, issuer, true) &&
           copy_str(c->audience, sizeof c->audience, audience, true);
}

bool token_config_hs256(struct token_config *c, const char *secret, const char *issuer,
                        const char *audience, int ttl_seconds)
{
    assert(c);
    memset(c, 0, sizeof *c);
    if (!secret || strlen(secret) < TOKEN_MIN_SECRET || ttl_seconds <= 0)
        return false;
    if (!config_names(c, issuer, audience))
        return false;
    size_t n = strlen(secret);
    if (n > INT32_MAX) /* libjwt takes the key length as an int */
        return false;
    c->key = malloc(n + 1);
    if (!c->key)
        return false;
    memcpy(c->key, secret, n + 1);
    c->key_len = n;
    c->alg = TOKEN_HS256;
    c->ttl_seconds = ttl_seconds;
    c->leeway_seconds = TOKEN_DEFAULT_LEEWAY;
    return true;
}

/* Reads a whole (small) file into a NUL-terminated malloc'd buffer. */
static unsigned char *read_small_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    unsigned char *data = malloc(TOKEN_MAX_PEM + 1);
    if (!data) {
        snprintf(err, errlen, "out of memory reading %s", path);
        fclose(f);
        return NULL;
    }
    size_t n = fread(data, 1, TOKEN_MAX_PEM + 1, f);
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed || n == 0 || n > TOKEN_MAX_PEM) {
        snprintf(err, errlen, "%s: %s", path,
                 failed   ? "read error"
                 : n == 0 ? "empty file"
                          : "file too large for a public key");
        free(data);
        return NULL;
    }
    data[n] = '\0';
    *len = n;
    return data;
}

/* Decides the algorithm from the key itself; false (with a reason) for key
 * types this service does not accept. */
static bool pick_alg_for_key(EVP_PKEY *pkey, enum token_alg *alg, char *err, size_t errlen)
{
    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA:
        if (EVP_PKEY_get_bits(pkey) < 2048) {
            snprintf(err, errlen, "RSA key has %d bits, at least 2048 are required",
                     EVP_PKEY_get_bits(pkey));
            return false;
        }
        *alg = TOKEN_RS256;
        return true;
    case EVP_PKEY_EC: {
        char group[64];
        size_t glen = 0;
        if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &glen) != 1 ||
            OBJ_sn2nid(group) != NID_X9_62_prime256v1) {
            snprintf(err, errlen, "EC key is not on curve P-256 (ES256 is the only EC algorithm)");
            return false;
        }
        *alg = TOKEN_ES256;
        return true;
    }
    default:
        snprintf(err, errlen, "unsupported public key type (need RSA or EC P-256)");
        return false;
    }
}

bool token_config_public_key(struct token_config *c, const char *pem_path, const char *issuer,
                             const char *audience, char *err, size_t errlen)
{
    assert(c && pem_path && err && errlen > 0);
    memset(c, 0, sizeof *c);
    err[0] = '\0';
    if (!config_names(c, issuer, audience)) {
        snprintf(err, errlen, "issuer and audience must be non-empty and shorter than %zu bytes",
                 sizeof c->issuer);
        return false;
    }
    size_t len = 0;
    unsigned char *pem = read_small_file(pem_path, &len, err, errlen);
    if (!pem)
        return false;

    /* Parse the very bytes libjwt will be given, so the key inspected here is
     * the key that verifies signatures. */
    bool ok = false;
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
    if (!pkey)
        snprintf(err, errlen, "%s: no PEM public key (\"BEGIN PUBLIC KEY\") found", pem_path);
    else
        ok = pick_alg_for_key(pkey, &c->alg, err, errlen);
    EVP_PKEY_free(pkey);
    BIO_free(bio);
    if (!ok) {
        free(pem);
        memset(c, 0, sizeof *c);
        return false;
    }
    c->key = pem;
    c->key_len = len;
    c->ttl_seconds = 0; /* verification only: token_issue refuses non-HS256 */
    c->leeway_seconds = TOKEN_DEFAULT_LEEWAY;
    return true;
}

void token_config_free(struct token_config *c)
{
    if (!c)
        return;
    if (c->key) {
        OPENSSL_cleanse(c->key, c->key_len);
        free(c->key);
    }
    memset(c, 0, sizeof *c);
}

char *token_issue(const struct token_config *c, const struct token_claims *claims, time_t now)
{
    assert(c && claims);
    if (c->alg != TOKEN_HS256 || !c->key || c->key_len > INT32_MAX || c->ttl_seconds <= 0)
        return NULL;
    /* The claims must be what token_verify will accept back. */
    size_t sub_len = strnlen(claims->sub, sizeof claims->sub);
    size_t role_len = strnlen(claims->role, sizeof claims->role);
    if (sub_len == 0 || sub_len == sizeof claims->sub || role_len == 0 ||
        role_len == sizeof claims->role ||
        strnlen(claims->municipality_id, sizeof claims->municipality_id) ==
            sizeof claims->municipality_id ||
        strnlen(claims->secretariat_area, sizeof claims->secretariat_area) ==
            sizeof claims->secretariat_area)
        return NULL;

    jwt_t *jwt = NULL;
    char *out = NULL;
    if (jwt_new(&jwt) != 0)
        return NULL;
    long iat = (long)now;
    long exp = iat + c->ttl_seconds;
    int rc = jwt_set_alg(jwt, JWT_ALG_HS256, c->key, (int)c->key_len);
    rc = rc ? rc : jwt_add_grant(jwt, "sub", claims->sub);
    rc = rc ? rc : jwt_add_grant(jwt, "role", claims->role);
    if (!rc && claims->municipality_id[0])
        rc = jwt_add_grant(jwt, "municipality_id", claims->municipality_id);
    if (!rc && claims->secretariat_area[0])
        rc = jwt_add_grant(jwt, "secretariat_area", claims->secretariat_area);
    rc = rc ? rc : jwt_add_grant_int(jwt, "iat", iat);
    rc = rc ? rc : jwt_add_grant_int(jwt, "exp", exp);
    rc = rc ? rc : jwt_add_grant(jwt, "iss", c->issuer);
    rc = rc ? rc : jwt_add_grant(jwt, "aud", c->audience);
    if (!rc)
        out = jwt_encode_str(jwt); /* plain malloc in libjwt 1.10: free() it */
    jwt_free(jwt);
    if (out && strlen(out) > TOKEN_MAX_LEN) {
        free(out);
        out = NULL;
    }
    return out;
}

/* ---- verification ---- */

static bool split_token(const char *token, size_t len, struct jws_parts *p)
{
    const char *start = token;
    int n = 0;
    for (const char *s = token;; s++) {
        if (s == token + len || *s == '.') {
            if (n == 3)
                return false; /* a fourth part: JWE or garbage */
            p->part[n] = start;
            p->len[n] = (size_t)(s - start);
            n++;
            if (s == token + len)
                break;
            start = s + 1;
        }
    }
    return n == 3 && p->len[0] > 0 && p->len[1] > 0;
}

/* True when some member name occurs twice at the top level of `obj`. */
static bool has_duplicate_members(const cJSON *obj)
{
    for (const cJSON *a = obj->child; a; a = a->next)
        for (const cJSON *b = a->next; b; b = b->next)
            if (strcmp(a->string, b->string) == 0)
                return true;
    return false;
}

/* Decodes one base64url part holding a JSON object. NULL when it is not
 * exactly one object (with no NUL bytes, trailing data or duplicate names). */
static cJSON *decode_json_part(const char *part, size_t len)
{
    unsigned char *buf = malloc(len * 3 / 4 + 1);
    if (!buf)
        return NULL;
    cJSON *json = NULL;
    long n = base64url_decode(part, len, buf, len * 3 / 4);
    if (n >= 0) {
        buf[n] = '\0'; /* cJSON below wants the NUL counted in the length */
        if (memchr(buf, '\0', (size_t)n) == NULL)
            json = cJSON_ParseWithLengthOpts((const char *)buf, (size_t)n + 1, NULL, 1);
    }
    free(buf);
    if (json && (!cJSON_IsObject(json) || cJSON_GetArraySize(json) > TOKEN_MAX_MEMBERS ||
                 has_duplicate_members(json))) {
        cJSON_Delete(json);
        json = NULL;
    }
    return json;
}

/* Header rules: alg exactly the configured one; typ, when present, "JWT";
 * no "crit" (we understand no extensions, RFC 7515 4.1.11). */
static enum token_result check_header(const struct token_config *c, const cJSON *header)
{
    const cJSON *alg = cJSON_GetObjectItemCaseSensitive(header, "alg");
    if (!cJSON_IsString(alg) || strcmp(alg->valuestring, alg_name(c->alg)) != 0)
        return TOKEN_BAD_ALGORITHM;
    const cJSON *typ = cJSON_GetObjectItemCaseSensitive(header, "typ");
    if (typ && (!cJSON_IsString(typ) || strcmp(typ->valuestring, "JWT") != 0))
        return TOKEN_MALFORMED;
    if (cJSON_GetObjectItemCaseSensitive(header, "crit"))
        return TOKEN_MALFORMED;
    return TOKEN_OK;
}

/* libjwt compares HMACs with strcmp(); this comparison does not leak how
 * many leading bytes matched. */
static bool hs256_signature_ok(const struct token_config *c, const char *token,
                               const struct jws_parts *p)
{
    unsigned char sig[TOKEN_MAX_LEN];
    if (base64url_decode(p->part[2], p->len[2], sig, sizeof sig) != 32)
        return false;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    size_t signed_len = (size_t)(p->part[2] - 1 - token); /* "header.payload" */
    if (!HMAC(EVP_sha256(), c->key, (int)c->key_len, (const unsigned char *)token, signed_len, mac,
              &mac_len) ||
        mac_len != 32)
        return false;
    bool ok = CRYPTO_memcmp(mac, sig, 32) == 0;
    OPENSSL_cleanse(mac, sizeof mac);
    return ok;
}

/* Cheap shape checks on the signature before libjwt sees it. */
static bool signature_shape_ok(const struct token_config *c, const struct jws_parts *p)
{
    unsigned char sig[TOKEN_MAX_LEN];
    long sig_len = p->len[2] ? base64url_decode(p->part[2], p->len[2], sig, sizeof sig) : -1;
    if (sig_len < 0)
        return false;
    if (c->alg == TOKEN_ES256 && sig_len != 64) /* JWS ES256 is raw r || s */
        return false;
    return true;
}

static enum token_result verify_signature(const struct token_config *c, const char *token,
                                          const struct jws_parts *p)
{
    if (!signature_shape_ok(c, p))
        return TOKEN_BAD_SIGNATURE;
    if (c->alg == TOKEN_HS256 && !hs256_signature_ok(c, token, p))
        return TOKEN_BAD_SIGNATURE;

    jwt_t *jwt = NULL;
    if (jwt_decode(&jwt, token, c->key, (int)c->key_len) != 0 || !jwt)
        return TOKEN_BAD_SIGNATURE;
    /* Belt and braces: what libjwt itself believed the algorithm to be. */
    jwt_alg_t got = jwt_get_alg(jwt);
    jwt_free(jwt);
    return got == alg_libjwt(c->alg) ? TOKEN_OK : TOKEN_BAD_ALGORITHM;
}

/* An integer NumericDate. Absent: MALFORMED when required, else *present is
 * false. Not an integral number in [0, 2^53]: BAD_CLAIMS. */
static enum token_result claim_time(const cJSON *payload, const char *name, bool required,
                                    bool *present, long long *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(payload, name);
    *present = item != NULL;
    if (!item)
        return required ? TOKEN_MALFORMED : TOKEN_OK;
    if (!cJSON_IsNumber(item))
        return TOKEN_BAD_CLAIMS;
    double d = item->valuedouble;
    if (!(d >= 0.0 && d <= TOKEN_MAX_TIME) || (double)(long long)d != d)
        return TOKEN_BAD_CLAIMS;
    *out = (long long)d;
    return TOKEN_OK;
}

/* A string claim copied into dst. Absent: MALFORMED when required, else "".
 * Not a string, too long for dst, or empty when required: BAD_CLAIMS. */
static enum token_result claim_str(const cJSON *payload, const char *name, bool required, char *dst,
                                   size_t cap)
{
    dst[0] = '\0';
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(payload, name);
    if (!item)
        return required ? TOKEN_MALFORMED : TOKEN_OK;
    if (!cJSON_IsString(item))
        return TOKEN_BAD_CLAIMS;
    return copy_str(dst, cap, item->valuestring, required) ? TOKEN_OK : TOKEN_BAD_CLAIMS;
}

/* aud is a string or an array of strings (RFC 7519 4.1.3); ours must be in it. */
static bool audience_ok(const struct token_config *c, const cJSON *aud)
{
    if (cJSON_IsString(aud))
        return strcmp(aud->valuestring, c->audience) == 0;
    if (!cJSON_IsArray(aud))
        return false;
    bool found = false;
    for (const cJSON *e = aud->child; e; e = e->next) {
        if (!cJSON_IsString(e))
            return false;
        if (strcmp(e->valuestring, c->audience) == 0)
            found = true;
    }
    return found;
}

static enum token_result check_claims(const struct token_config *c, const cJSON *payload,
                                      time_t now, struct token_claims *out)
{
    long long exp = 0, iat = 0, nbf = 0;
    bool has_exp, has_iat, has_nbf;
    enum token_result r;

    /* Shape first: missing required claims, then wrong types. */
    if ((r = claim_time(payload, "exp", true, &has_exp, &exp)) != TOKEN_OK ||
        (r = claim_time(payload, "iat", true, &has_iat, &iat)) != TOKEN_OK ||
        (r = claim_time(payload, "nbf", false, &has_nbf, &nbf)) != TOKEN_OK ||
        (r = claim_str(payload, "sub", true, out->sub, sizeof out->sub)) != TOKEN_OK ||
        (r = claim_str(payload, "role", true, out->role, sizeof out->role)) != TOKEN_OK ||
        (r = claim_str(payload, "municipality_id", false, out->municipality_id,
                       sizeof out->municipality_id)) != TOKEN_OK ||
        (r = claim_str(payload, "secretariat_area", false, out->secretariat_area,
                       sizeof out->secretariat_area)) != TOKEN_OK)
        return r;

    const cJSON *iss = cJSON_GetObjectItemCaseSensitive(payload, "iss");
    if (!cJSON_IsString(iss) || strcmp(iss->valuestring, c->issuer) != 0)
        return TOKEN_BAD_ISSUER;
    if (!audience_ok(c, cJSON_GetObjectItemCaseSensitive(payload, "aud")))
        return TOKEN_BAD_AUDIENCE;

    long long t = (long long)now;
    long long leeway = c->leeway_seconds > 0 ? c->leeway_seconds : 0;
    if (t >= exp + leeway)
        return TOKEN_EXPIRED;
    if (has_nbf && t + leeway < nbf)
        return TOKEN_NOT_YET_VALID;
    if (t + leeway < iat)
        return TOKEN_NOT_YET_VALID;

    out->iat = (long)iat;
    out->exp = (long)exp;
    return TOKEN_OK;
}

enum token_result token_verify(const struct token_config *c, const char *token, time_t now,
                               struct token_claims *out)
{
    assert(c && out);
    struct token_claims claims;
    memset(&claims, 0, sizeof claims);
    if (!token || !c->key || c->key_len == 0 || c->key_len > INT32_MAX)
        return TOKEN_MALFORMED;
    size_t len = strnlen(token, TOKEN_MAX_LEN + 1);
    if (len > TOKEN_MAX_LEN)
        return TOKEN_TOO_LONG;

    struct jws_parts p;
    if (!split_token(token, len, &p))
        return TOKEN_MALFORMED;

    enum token_result r = TOKEN_MALFORMED;
    cJSON *header = decode_json_part(p.part[0], p.len[0]);
    cJSON *payload = NULL;
    if (!header)
        goto done;
    if ((r = check_header(c, header)) != TOKEN_OK)
        goto done;
    /* Parsed before the signature check only to refuse what libjwt's parser
     * could read differently; no claim is trusted until the signature is. */
    if (!(payload = decode_json_part(p.part[1], p.len[1]))) {
        r = TOKEN_MALFORMED;
        goto done;
    }
    if ((r = verify_signature(c, token, &p)) != TOKEN_OK)
        goto done;
    if ((r = check_claims(c, payload, now, &claims)) != TOKEN_OK)
        goto done;
    *out = claims;

done:
    cJSON_Delete(header);
    cJSON_Delete(payload);
    return r;
}

const char *token_result_message(enum token_result r)
{
    switch (r) {
    case TOKEN_OK:
        return "token valid";
    case TOKEN_MALFORMED:
        return "malformed token";
    case TOKEN_TOO_LONG:
        return "token too long";
    case TOKEN_BAD_ALGORITHM:
        return "token algorithm not accepted";
    case TOKEN_BAD_SIGNATURE:
        return "invalid token signature";
    case TOKEN_EXPIRED:
        return "token expired";
    case TOKEN_NOT_YET_VALID:
        return "token not yet valid";
    case TOKEN_BAD_ISSUER:
        return "token issuer not accepted";
    case TOKEN_BAD_AUDIENCE:
        return "token audience not accepted";
    case TOKEN_BAD_CLAIMS:
        return "invalid token claims";
    }
    return "invalid token";
}
