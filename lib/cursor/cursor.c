/*
 * Signed pagination cursors (see cursor.h). A token is
 *     b64url(list "\n" key) "." b64url(first 16 bytes of HMAC-SHA256(payload))
 * The list name is inside the signed payload, so a cursor made for one list
 * fails the comparison when presented to another.
 */
#include "cursor/cursor.h"

#include "core/base64url.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#define CURSOR_TAG_LEN 16
/* Largest payload whose encoding still fits in CURSOR_MAX_LEN. */
#define CURSOR_MAX_PAYLOAD (CURSOR_MAX_LEN * 3 / 4)

static unsigned char cursor_secret[64];
static size_t cursor_secret_len;

void cursor_set_secret(const unsigned char *key, size_t len)
{
    /* Keys longer than the SHA-256 block are hashed by HMAC anyway; hashing
     * them here keeps the static buffer fixed-size with the same result. */
    if (len > sizeof cursor_secret) {
        unsigned int n = 0;
        EVP_Digest(key, len, cursor_secret, &n, EVP_sha256(), NULL);
        cursor_secret_len = n;
    } else {
        memcpy(cursor_secret, key, len);
        cursor_secret_len = len;
    }
}

static void cursor_tag(const unsigned char *payload, size_t n, unsigned char tag[CURSOR_TAG_LEN])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    HMAC(EVP_sha256(), cursor_secret, (int)cursor_secret_len, payload, n, md, &md_len);
    memcpy(tag, md, CURSOR_TAG_LEN);
    OPENSSL_cleanse(md, sizeof md);
}

bool cursor_encode(const char *list, const char *key, char out[CURSOR_MAX_LEN])
{
    out[0] = '\0';
    /* Without a secret every tag would be forgeable; refusing is safer. */
    if (!cursor_secret_len || !list || !key || strchr(list, '\n'))
        return false;
    size_t list_len = strlen(list), key_len = strlen(key);
    if (key_len > CURSOR_MAX_KEY || list_len > CURSOR_MAX_PAYLOAD)
        return false;

    unsigned char payload[CURSOR_MAX_PAYLOAD];
    size_t n = list_len + 1 + key_len;
    if (n > sizeof payload ||
        base64url_encoded_len(n) + 1 + base64url_encoded_len(CURSOR_TAG_LEN) + 1 > CURSOR_MAX_LEN)
        return false;
    memcpy(payload, list, list_len);
    payload[list_len] = '\n';
    memcpy(payload + list_len + 1, key, key_len);

    unsigned char tag[CURSOR_TAG_LEN];
    cursor_tag(payload, n, tag);
    size_t o = base64url_encode(payload, n, out);
    out[o++] = '.';
    base64url_encode(tag, sizeof tag, out + o);
    return true;
}

bool cursor_decode(const char *list, const char *cursor, char key_out[CURSOR_MAX_KEY + 1])
{
    key_out[0] = '\0';
    if (!cursor_secret_len || !list || !cursor)
        return false;
    size_t len = strnlen(cursor, CURSOR_MAX_LEN);
    if (len == 0 || len >= CURSOR_MAX_LEN)
        return false;
    const char *dot = memchr(cursor, '.', len);
    if (!dot)
        return false;
    size_t payload_chars = (size_t)(dot - cursor);
    size_t tag_chars = len - payload_chars - 1;

    unsigned char payload[CURSOR_MAX_PAYLOAD], tag[CURSOR_TAG_LEN + 1], want[CURSOR_TAG_LEN];
    long n = base64url_decode(cursor, payload_chars, payload, sizeof payload);
    if (n <= 0 || base64url_decode(dot + 1, tag_chars, tag, sizeof tag) != CURSOR_TAG_LEN)
        return false;

    /* Authenticate before looking inside: the payload is attacker-chosen
     * until the tag verifies. */
    cursor_tag(payload, (size_t)n, want);
    if (CRYPTO_memcmp(tag, want, CURSOR_TAG_LEN) != 0)
        return false;

    size_t list_len = strlen(list);
    if ((size_t)n <= list_len || memcmp(payload, list, list_len) != 0 || payload[list_len] != '\n')
        return false;
    size_t key_len = (size_t)n - list_len - 1;
    if (key_len > CURSOR_MAX_KEY || memchr(payload + list_len + 1, '\0', key_len))
        return false;
    memcpy(key_out, payload + list_len + 1, key_len);
    key_out[key_len] = '\0';
    return true;
}
