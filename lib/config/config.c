/*
 * Configuration from the environment. Every bad value stops start-up with one
 * line that names the variable, so an operator can fix it without reading code.
 */
#include "config/config.h"

#include "db/db.h"
#include "log/log.h"
#include "validate/contact.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return (v && *v) ? v : fallback;
}

bool config_parse_int(const char *s, int min, int max, int *out)
{
    if (!s || !*s)
        return false;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = (int)v;
    return true;
}

static bool copy_value(char *dst, size_t cap, const char *value, const char *name, char *err,
                       size_t errlen)
{
    if (strlen(value) >= cap) {
        snprintf(err, errlen, "%s is too long (at most %zu bytes)", name, cap - 1);
        return false;
    }
    strcpy(dst, value);
    return true;
}

bool config_load_database(struct config *c, char *err, size_t errlen)
{
    const char *url = getenv("PACTO_DATABASE_URL");
    if (!url || !*url) {
        snprintf(err, errlen, "PACTO_DATABASE_URL is not set (a libpq connection URL)");
        return false;
    }
    return copy_value(c->database_url, sizeof c->database_url, url, "PACTO_DATABASE_URL", err,
                      errlen);
}

static bool load_int(const char *name, const char *fallback, int min, int max, int *out, char *err,
                     size_t errlen)
{
    const char *v = env_or(name, fallback);
    if (!config_parse_int(v, min, max, out)) {
        snprintf(err, errlen, "%s must be an integer from %d to %d, got \"%s\"", name, min, max, v);
        return false;
    }
    return true;
}

static bool load_cors(struct config *c, char *err, size_t errlen)
{
    const char *v = env_or("PACTO_CORS_ORIGINS", "");
    c->cors_origin_count = 0;
    while (*v) {
        size_t n = strcspn(v, ",");
        const char *start = v;
        v += n;
        if (*v == ',')
            v++;
        while (n && (*start == ' ')) {
            start++;
            n--;
        }
        while (n && start[n - 1] == ' ')
            n--;
        if (!n)
            continue;
        if (n == 1 && *start == '*') {
            snprintf(err, errlen, "PACTO_CORS_ORIGINS: \"*\" is not allowed; list the origins");
            return false;
        }
        if (c->cors_origin_count == CONFIG_MAX_ORIGINS || n >= sizeof c->cors_origins[0]) {
            snprintf(err, errlen, "PACTO_CORS_ORIGINS: at most %d origins of at most %zu bytes",
                     CONFIG_MAX_ORIGINS, sizeof c->cors_origins[0] - 1);
            return false;
        }
        if (strncmp(start, "http://", 7) != 0 && strncmp(start, "https://", 8) != 0) {
            snprintf(err, errlen, "PACTO_CORS_ORIGINS: \"%.*s\" is not an http(s) origin", (int)n,
                     start);
            return false;
        }
        memcpy(c->cors_origins[c->cors_origin_count], start, n);
        c->cors_origins[c->cors_origin_count][n] = '\0';
        c->cors_origin_count++;
    }
    return true;
}

static bool load_token(struct config *c, char *err, size_t errlen)
{
    const char *issuer = env_or("PACTO_JWT_ISSUER", "pacto");
    const char *audience = env_or("PACTO_JWT_AUDIENCE", "pacto-api");
    int ttl;
    if (!load_int("PACTO_TOKEN_TTL", "900", 60, 86400, &ttl, err, errlen))
        return false;
    const char *key_file = getenv("PACTO_JWT_PUBLIC_KEY_FILE");
    if (key_file && *key_file) {
        c->local_login = false;
        return token_config_public_key(&c->token, key_file, issuer, audience, err, errlen);
    }
    c->local_login = true;
    const char *secret = getenv("PACTO_JWT_SECRET");
    if (!secret || !*secret) {
        snprintf(err, errlen,
                 "PACTO_JWT_SECRET is not set (at least 32 bytes; or set "
                 "PACTO_JWT_PUBLIC_KEY_FILE for an external identity provider)");
        return false;
    }
    if (!token_config_hs256(&c->token, secret, issuer, audience, ttl)) {
        snprintf(err, errlen, "PACTO_JWT_SECRET is too short: it must have at least 32 bytes");
        return false;
    }
    return true;
}

static bool load_public_url(struct config *c, char *err, size_t errlen)
{
    const char *v = env_or("PACTO_PUBLIC_URL", "");
    size_t n = strlen(v);
    if (!n)
        return true;
    bool scheme = strncmp(v, "http://", 7) == 0 || strncmp(v, "https://", 8) == 0;
    if (!scheme || n >= sizeof c->public_url || v[n - 1] == '/' || strpbrk(v, "?# \t\r\n\"<>")) {
        snprintf(err, errlen,
                 "PACTO_PUBLIC_URL must be an http(s) URL without a trailing slash, e.g. "
                 "https://api.pacto.example");
        return false;
    }
    memcpy(c->public_url, v, n + 1);
    return true;
}

static bool load_proxies(struct config *c, char *err, size_t errlen)
{
    const char *bad = NULL;
    if (proxy_list_parse(env_or("PACTO_TRUSTED_PROXIES", ""), &c->trusted_proxies, &bad))
        return true;
    snprintf(err, errlen,
             "PACTO_TRUSTED_PROXIES: \"%.64s\" is not an IP address or CIDR range (at most %d)",
             bad ? bad : "", PROXY_LIST_MAX);
    return false;
}

/* Public consultations: the confirmation mail's server, sender and link. */
static bool load_mail(struct config *c, char *err, size_t errlen)
{
    const char *url = env_or("PACTO_SMTP_URL", ""), *from = env_or("PACTO_MAIL_FROM", "");
    const char *link = env_or("PACTO_CONFIRM_URL", "");
    if (!copy_value(c->smtp_url, sizeof c->smtp_url, url, "PACTO_SMTP_URL", err, errlen) ||
        !copy_value(c->mail_from, sizeof c->mail_from, from, "PACTO_MAIL_FROM", err, errlen) ||
        !copy_value(c->confirm_url, sizeof c->confirm_url, link, "PACTO_CONFIRM_URL", err, errlen))
        return false;
    if (!*url != !*from) {
        snprintf(err, errlen,
                 "PACTO_SMTP_URL and PACTO_MAIL_FROM go together: set both or neither");
        return false;
    }
    if (*url && strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0) {
        snprintf(err, errlen,
                 "PACTO_SMTP_URL must be an smtp:// or smtps:// URL, e.g. "
                 "smtp://127.0.0.1:25");
        return false;
    }
    if (*from && contact_email_problem(from)) {
        snprintf(err, errlen, "PACTO_MAIL_FROM must be an e-mail address");
        return false;
    }
    bool web = strncmp(link, "http://", 7) == 0 || strncmp(link, "https://", 8) == 0;
    if (*link && (!web || !strstr(link, "{token}") || strpbrk(link, " \t\r\n\"<>"))) {
        snprintf(err, errlen,
                 "PACTO_CONFIRM_URL must be an http(s) URL holding {token} (and "
                 "usually {comment_id})");
        return false;
    }
    return true;
}

/* --- Scale-out: replica, pooler, listener --- */
static bool load_scale_out(struct config *c, char *err, size_t errlen)
{
    if (!copy_value(c->database_read_url, sizeof c->database_read_url,
                    env_or("PACTO_DATABASE_READ_URL", ""), "PACTO_DATABASE_READ_URL", err,
                    errlen) ||
        !copy_value(c->database_listen_url, sizeof c->database_listen_url,
                    env_or("PACTO_DATABASE_LISTEN_URL", c->database_url),
                    "PACTO_DATABASE_LISTEN_URL", err, errlen))
        return false;
    const char *pooler = env_or("PACTO_DB_POOLER", "none");
    if (strcmp(pooler, "transaction") != 0 && strcmp(pooler, "session") != 0 &&
        strcmp(pooler, "none") != 0) {
        snprintf(err, errlen, "PACTO_DB_POOLER must be none, session or transaction, got \"%s\"",
                 pooler);
        return false;
    }
    c->db_pooler_transaction = strcmp(pooler, "transaction") == 0;
    /* Through the pooler, LISTEN would land on whichever server connection
     * ran it, and notifications would go to whoever holds it next. */
    if (c->db_pooler_transaction && !*env_or("PACTO_DATABASE_LISTEN_URL", "")) {
        snprintf(err, errlen,
                 "PACTO_DATABASE_LISTEN_URL must be set with PACTO_DB_POOLER=transaction (a "
                 "direct connection to the primary, for the change listener)");
        return false;
    }
    char pool[16];
    snprintf(pool, sizeof pool, "%d", c->db_pool);
    return load_int("PACTO_DB_READ_POOL", pool, 1, 256, &c->db_read_pool, err, errlen) &&
           load_int("PACTO_REPLICA_MAX_LAG_MS", "5000", 0, 86400000, &c->replica_max_lag_ms, err,
                    errlen);
}
/* --- end of scale-out --- */

bool config_load_server(struct config *c, char *err, size_t errlen)
{
    if (!config_load_database(c, err, errlen))
        return false;
    if (!copy_value(c->listen, sizeof c->listen, env_or("PACTO_LISTEN", "127.0.0.1:8080"),
                    "PACTO_LISTEN", err, errlen))
        return false;
    if (!load_int("PACTO_THREADS", "64", 2, 1024, &c->threads, err, errlen) ||
        !load_int("PACTO_DB_POOL", "8", 1, 256, &c->db_pool, err, errlen) ||
        !load_int("PACTO_STATEMENT_TIMEOUT_MS", "5000", 100, 600000, &c->statement_timeout_ms, err,
                  errlen) ||
        !load_int("PACTO_PUBLIC_MAX_AGE", "60", 0, 86400, &c->public_max_age, err, errlen) ||
        !load_int("PACTO_IMPORT_MAX_BYTES", "268435456", 1024, 2147483647, &c->import_max_bytes,
                  err, errlen) ||
        !load_int("PACTO_EVIDENCE_MAX_BYTES", "10485760", 1024, 1073741824, &c->evidence_max_bytes,
                  err, errlen))
        return false;
    /* Citizens' comments and questions per address and hour. */
    if (!load_int("PACTO_PUBLIC_WRITES_PER_HOUR", "20", 1, 100000, &c->public_writes_per_hour, err,
                  errlen))
        return false;
    /* Public questions: the days the responsible area has to answer (the
     * access-to-information law's term, Lei 12.527/2011, art. 11). */
    if (!load_int("PACTO_QUESTION_ANSWER_DAYS", "20", 1, 3650, &c->question_answer_days, err,
                  errlen))
        return false;
    /* Alerts: how long evidence may await review before it is one. */
    if (!load_int("PACTO_ALERT_REVIEW_DAYS", "7", 1, 3650, &c->alert_review_days, err, errlen))
        return false;
    /* Longer than the statement timeout, so that a server that is alive
     * always answers first with its own timeout error. */
    char deadline[16];
    snprintf(deadline, sizeof deadline, "%d", c->statement_timeout_ms + DB_DEADLINE_MARGIN_MS);
    if (!load_int("PACTO_DB_DEADLINE_MS", deadline, c->statement_timeout_ms + 100, 600000 + 60000,
                  &c->db_deadline_ms, err, errlen))
        return false;
    const char *level = env_or("PACTO_LOG_LEVEL", "info");
    c->log_level = log_level_parse(level);
    if (c->log_level < 0) {
        snprintf(err, errlen, "PACTO_LOG_LEVEL must be debug, info, warn or error, got \"%s\"",
                 level);
        return false;
    }
    return load_cors(c, err, errlen) && load_public_url(c, err, errlen) &&
           load_proxies(c, err, errlen) && load_mail(c, err, errlen) &&
           load_token(c, err, errlen) && load_scale_out(c, err, errlen);
}

void config_free(struct config *c) { token_config_free(&c->token); }
