/*
 * Password hashing with Argon2id (see password.h).
 *
 * Parameters follow the OWASP minimum for Argon2id: 19 MiB of memory, two
 * passes, one lane, a 16-byte random salt and a 32-byte tag. They are
 * written into every PHC string, so raising them later still verifies old
 * hashes.
 *
 * Login must cost the same whether or not the account exists, so a missing
 * or unreadable stored hash is replaced by a dummy hash computed once, on
 * first use, with the same parameters.
 */
#include "auth/password.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define PASSWORD_T_COST      2
#define PASSWORD_M_COST      19456 /* KiB */
#define PASSWORD_PARALLELISM 1
#define PASSWORD_SALT_LEN    16
#define PASSWORD_TAG_LEN     32

/* Written once under pthread_once, read-only afterwards. */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[PASSWORD_HASH_MAX];
static bool dummy_ready;

static int hash_with_salt(const char *password, size_t len, const unsigned char *salt,
                          char out[PASSWORD_HASH_MAX])
{
    return argon2id_hash_encoded(PASSWORD_T_COST, PASSWORD_M_COST, PASSWORD_PARALLELISM, password,
                                 len, salt, PASSWORD_SALT_LEN, PASSWORD_TAG_LEN, out,
                                 PASSWORD_HASH_MAX);
}

/* The dummy only has to cost what a real verification costs; since it is
 * never allowed to match, its password and salt need not be secret. */
static void dummy_init(void)
{
    static const unsigned char salt[PASSWORD_SALT_LEN] = "pacto-dummy-slt";
    static const char pw[] = "pacto dummy password, never matches";
    dummy_ready = hash_with_salt(pw, sizeof pw - 1, salt, dummy_hash) == ARGON2_OK;
}

/* Burns one verification's worth of time; the result is ignored. */
static void verify_dummy(const char *password, size_t len)
{
    pthread_once(&dummy_once, dummy_init);
    if (dummy_ready)
        (void)argon2id_verify(dummy_hash, password, len);
}

bool password_hash(const char *password, char out[PASSWORD_HASH_MAX])
{
    assert(out);
    out[0] = '\0';
    if (!password)
        return false;
    size_t len = strnlen(password, PASSWORD_MAX_LEN + 1);
    if (len > PASSWORD_MAX_LEN)
        return false;
    unsigned char salt[PASSWORD_SALT_LEN];
    if (RAND_bytes(salt, sizeof salt) != 1)
        return false;
    if (hash_with_salt(password, len, salt, out) != ARGON2_OK) {
        out[0] = '\0';
        return false;
    }
    return true;
}

bool password_verify(const char *encoded, const char *password)
{
    const char *pw = password ? password : "";
    size_t len = strnlen(pw, PASSWORD_MAX_LEN + 1);
    /* Inputs that can never match still pay for one verification. */
    if (!password || len > PASSWORD_MAX_LEN || !encoded ||
        strnlen(encoded, PASSWORD_HASH_MAX) == PASSWORD_HASH_MAX ||
        strncmp(encoded, "$argon2id$", 10) != 0) {
        verify_dummy(pw, len > PASSWORD_MAX_LEN ? PASSWORD_MAX_LEN : len);
        return false;
    }
    int rc = argon2id_verify(encoded, pw, len);
    if (rc == ARGON2_OK)
        return true;
    /* A hash that fails to decode returns before any hashing: make up for it. */
    if (rc != ARGON2_VERIFY_MISMATCH)
        verify_dummy(pw, len);
    return false;
}

const char *password_policy_error(const char *password)
{
    if (!password)
        return "password is required";
    size_t len = strnlen(password, PASSWORD_MAX_LEN + 1);
    if (len < PASSWORD_MIN_LEN)
        return "password is too short (minimum 12 bytes)";
    if (len > PASSWORD_MAX_LEN)
        return "password is too long (maximum 256 bytes)";
    return NULL;
}
