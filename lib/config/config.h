/*
 * Server configuration, read from PACTO_* environment variables (command-line
 * flags may override some of them afterwards).
 */
#ifndef PACTO_CONFIG_CONFIG_H
#define PACTO_CONFIG_CONFIG_H

#include "auth/token.h"
#include "http/proxy.h"

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_ORIGINS 16

struct config {
    char database_url[1024];
    char listen[128]; /* "host:port" */
    int threads;      /* HTTP worker threads */
    int db_pool;      /* PostgreSQL connections */
    int statement_timeout_ms;
    int db_deadline_ms; /* client-side limit of one database call */
    bool migrate_on_start;
    struct token_config token;
    bool local_login; /* false when tokens come from an external provider */
    char cors_origins[CONFIG_MAX_ORIGINS][256];
    int cors_origin_count;
    int log_level; /* LOG_DEBUG .. LOG_ERROR */
    /* The API's public base URL, for absolute links ("https://api.example");
     * "" until set: then http://<listen>. No trailing slash. */
    char public_url[256];
    /* max-age of Cache-Control on anonymous GETs (PACTO_PUBLIC_MAX_AGE). */
    int public_max_age;
    /* Peers whose X-Forwarded-For is believed (PACTO_TRUSTED_PROXIES). */
    struct proxy_list trusted_proxies;
    /* The largest body a ROUTE_STREAM route reads, in bytes
     * (PACTO_IMPORT_MAX_BYTES, default 256 MiB): value imports. */
    int import_max_bytes;
    /* Alerts: evidence awaiting review for more than this many days
     * (PACTO_ALERT_REVIEW_DAYS, default 7). */
    int alert_review_days;
    /* The largest evidence file, in bytes (PACTO_EVIDENCE_MAX_BYTES, default
     * 10 MiB): the cap of a ROUTE_STREAM | ROUTE_UPLOAD route. */
    int evidence_max_bytes;
    /* Comments, or questions, one client address may send per hour
     * (PACTO_PUBLIC_WRITES_PER_HOUR, default 20). */
    int public_writes_per_hour;
    /* Public questions: days from a question to its due time
     * (PACTO_QUESTION_ANSWER_DAYS, default 20). */
    int question_answer_days;
    /* Public consultations: the mail that confirms a citizen's comment.
     * smtp_url (PACTO_SMTP_URL, e.g. smtp://127.0.0.1:25) and mail_from
     * (PACTO_MAIL_FROM) are both set or both "": then mail waits in the
     * outbox. confirm_url (PACTO_CONFIRM_URL): the link a message carries,
     * with {comment_id} and {token} in it; "": the API's own confirm route
     * with the token as a query parameter (lib/consultations/confirm.c). */
    char smtp_url[256];
    char mail_from[256];
    char confirm_url[512];
    /* --- Scale-out: replica, pooler, listener (README "Several servers") --- */
    /* A streaming replica for anonymous public reads (PACTO_DATABASE_READ_URL);
     * "" for none. */
    char database_read_url[1024];
    /* The listener's own connection, direct to the primary, never through a
     * transaction pooler (PACTO_DATABASE_LISTEN_URL; default
     * PACTO_DATABASE_URL). */
    char database_listen_url[1024];
    /* PACTO_DB_POOLER=transaction: the URLs lead to pgbouncer in
     * transaction mode (unnamed statements, no LISTEN on the pool). */
    bool db_pooler_transaction;
    /* Replica connections (PACTO_DB_READ_POOL; default PACTO_DB_POOL). */
    int db_read_pool;
    /* Past this lag public reads go to the primary (PACTO_REPLICA_MAX_LAG_MS,
     * default 5000; 0: no bound). */
    int replica_max_lag_ms;
    /* --- end of scale-out --- */
};

/* Reads the database URL only (for commands that need nothing else).
 * Returns false with a one-line reason in err when it is unset. */
bool config_load_database(struct config *c, char *err, size_t errlen);

/* Reads everything `pacto serve` needs. Returns false with a one-line reason
 * in err on the first bad or missing value. */
bool config_load_server(struct config *c, char *err, size_t errlen);

/* Parses a positive integer option value; false when it is not one in [min, max]. */
bool config_parse_int(const char *s, int min, int max, int *out);

void config_free(struct config *c);

#endif
