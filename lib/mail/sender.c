/*
 * The outbox's sender thread (see mail.h). Each round takes up to a batch
 * of due messages in one transaction (FOR UPDATE SKIP LOCKED, so several
 * servers share the outbox without sending a message twice), sends each by
 * SMTP with libcurl, and records the outcome; then it counts what is left
 * and sleeps until woken or MAIL_LOOK_MS pass. A message is sent at least
 * once: should the commit after a delivery fail, the next round sends it
 * again.
 */
#include "mail/mail.h"

#include "config/config.h"
#include "core/buf.h"
#include "db/db.h"
#include "log/log.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAIL_LOOK_MS           5000 /* between rounds when nobody wakes the sender */
#define MAIL_BATCH             "20"
#define SMTP_TIMEOUT           20L  /* seconds for one message, connection included */
#define MAIL_STATEMENT_TIMEOUT "5s" /* of each statement on the sender's connection */

static struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool woken, stop, running;
    const struct config *cfg;
    atomic_long unsent;
} sender = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .unsent = -1};

static const struct db_stmt STMT_DUE = {
    .name = "mail_due",
    .sql = "SELECT id, recipient, subject, body FROM mail_outbox"
           " WHERE sent_at IS NULL AND recipient IS NOT NULL AND next_attempt_at <= now()"
           "   AND attempts < $1::integer"
           " ORDER BY id LIMIT " MAIL_BATCH " FOR UPDATE SKIP LOCKED",
};

/* Sent: the address goes, and the text, which carries a one-time token. */
static const struct db_stmt STMT_SENT = {
    .name = "mail_sent",
    .sql = "UPDATE mail_outbox SET sent_at = now(), recipient = NULL, body = '',"
           "       attempts = attempts + 1, last_error = NULL WHERE id = $1",
};

static const struct db_stmt STMT_FAILED = {
    .name = "mail_failed",
    .sql = "UPDATE mail_outbox SET attempts = attempts + 1, last_error = left($2, 500),"
           "       next_attempt_at = now() + least(interval '1 hour',"
           "                                       interval '1 minute' * 2 ^ attempts)"
           " WHERE id = $1",
};

static const struct db_stmt STMT_UNSENT = {
    .name = "mail_unsent",
    .sql = "SELECT count(*) FROM mail_outbox"
           " WHERE sent_at IS NULL AND recipient IS NOT NULL AND attempts < $1::integer",
};

/* The message as SMTP carries it: headers, a blank line, the body with
 * CRLF line ends. The subject is RFC 2047 base64 (it is UTF-8). */
static void compose(struct buf *out, const char *from, const char *to, const char *subject,
                    const char *body, const char *id)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", gmtime_r(&now, &tm));
    size_t n = strlen(subject);
    char *encoded = malloc(4 * ((n + 2) / 3) + 1);
    if (!encoded)
        abort();
    EVP_EncodeBlock((unsigned char *)encoded, (const unsigned char *)subject, (int)n);
    const char *at = strchr(from, '@');
    buf_printf(out,
               "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: =?UTF-8?B?%s?=\r\n"
               "Message-ID: <outbox-%s.%lld@%s>\r\nMIME-Version: 1.0\r\n"
               "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
               date, from, to, encoded, id, (long long)now, at ? at + 1 : "pacto");
    free(encoded);
    for (const char *p = body; *p; p++) {
        if (*p == '\n' && (p == body || p[-1] != '\r'))
            buf_putc(out, '\r');
        buf_putc(out, *p);
    }
    if (out->len < 2 || out->data[out->len - 1] != '\n')
        buf_puts(out, "\r\n");
}

struct upload {
    const char *data;
    size_t left;
};

static size_t read_upload(char *dst, size_t size, size_t nmemb, void *arg)
{
    struct upload *u = arg;
    size_t n = size * nmemb < u->left ? size * nmemb : u->left;
    memcpy(dst, u->data, n);
    u->data += n;
    u->left -= n;
    return n;
}

/* Sends one message; NULL when the server took it, else why not. */
static const char *smtp_send(const char *to, const char *subject, const char *body, const char *id,
                             char *err, size_t errlen)
{
    struct buf msg = {0};
    compose(&msg, sender.cfg->mail_from, to, subject, body, id);
    struct upload u = {msg.data, msg.len};
    CURL *curl = curl_easy_init();
    struct curl_slist *rcpt = NULL;
    char from[300];
    snprintf(from, sizeof from, "<%s>", sender.cfg->mail_from);
    char rcpt_line[300];
    snprintf(rcpt_line, sizeof rcpt_line, "<%s>", to);
    rcpt = curl_slist_append(rcpt, rcpt_line);
    CURLcode rc = CURLE_OUT_OF_MEMORY;
    err[0] = '\0';
    if (curl && rcpt) {
        curl_easy_setopt(curl, CURLOPT_URL, sender.cfg->smtp_url);
        curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
        curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
        curl_easy_setopt(curl, CURLOPT_READDATA, &u);
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_INFILESIZE, (long)msg.len);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, SMTP_TIMEOUT);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, err);
        /* smtp:// upgrades to TLS when the server offers it; smtps:// is TLS. */
        curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
        rc = curl_easy_perform(curl);
    }
    if (rc != CURLE_OK && !err[0])
        snprintf(err, errlen, "%s", curl_easy_strerror(rc));
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    buf_free(&msg);
    return rc == CURLE_OK ? NULL : err;
}

/* One round: sends what is due. Returns false when the database failed. */
static bool send_due(struct db_conn *c)
{
    char max[12];
    snprintf(max, sizeof max, "%d", MAIL_MAX_ATTEMPTS);
    const char *params[] = {max};
    if (!db_begin(c))
        return false;
    PGresult *due = db_exec(c, &STMT_DUE, 1, params);
    if (!due)
        return false;
    bool ok = true;
    for (int i = 0; ok && i < PQntuples(due); i++) {
        char err[CURL_ERROR_SIZE];
        const char *id = PQgetvalue(due, i, 0);
        const char *why = smtp_send(PQgetvalue(due, i, 1), PQgetvalue(due, i, 2),
                                    PQgetvalue(due, i, 3), id, err, sizeof err);
        if (why)
            log_msg(LOG_WARN, "mail %s not sent: %s", id, why);
        const char *p[] = {id, why};
        PGresult *r = db_exec(c, why ? &STMT_FAILED : &STMT_SENT, why ? 2 : 1, p);
        ok = r != NULL;
        PQclear(r);
    }
    PQclear(due);
    return ok && db_commit(c);
}

/* False when the query failed. */
static bool count_unsent(struct db_conn *c)
{
    char max[12];
    snprintf(max, sizeof max, "%d", MAIL_MAX_ATTEMPTS);
    const char *params[] = {max};
    PGresult *r = db_exec(c, &STMT_UNSENT, 1, params);
    if (r)
        atomic_store(&sender.unsent, atol(PQgetvalue(r, 0, 0)));
    PQclear(r);
    return r != NULL;
}

/* The thread's own connection, not the pool's: the sender never takes a
 * connection a request may be waiting for, and its SMTP exchanges hold none
 * of theirs. It is the listener's direct connection to the primary
 * (PACTO_DATABASE_LISTEN_URL, by default PACTO_DATABASE_URL), never through
 * a transaction pooler, since it sets a session's statement_timeout; it does
 * not LISTEN. NULL when PostgreSQL cannot be reached now. */
static struct db_conn *connect_db(void)
{
    struct db_conn *c = db_open_quiet(sender.cfg->database_listen_url);
    PGresult *r = NULL;
    if (c && !(r = db_exec_sql(c, "SET statement_timeout = '" MAIL_STATEMENT_TIMEOUT "'"))) {
        db_close(c);
        c = NULL;
    }
    PQclear(r);
    return c;
}

static void *sender_main(void *arg)
{
    (void)arg;
    bool smtp = sender.cfg->smtp_url[0] != '\0';
    struct db_conn *c = NULL;
    pthread_mutex_lock(&sender.lock);
    while (!sender.stop) {
        sender.woken = false;
        pthread_mutex_unlock(&sender.lock);
        if (!c)
            c = connect_db();
        if (c && ((smtp && !send_due(c)) || !count_unsent(c))) {
            db_close(c); /* a failed round: start again on a fresh connection */
            c = NULL;
        }
        pthread_mutex_lock(&sender.lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += MAIL_LOOK_MS / 1000;
        while (!sender.stop && !sender.woken &&
               pthread_cond_timedwait(&sender.wake, &sender.lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&sender.lock);
    db_close(c);
    return NULL;
}

bool mail_sender_start(const struct config *cfg)
{
    sender.cfg = cfg;
    if (cfg->smtp_url[0] && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_msg(LOG_ERROR, "mail: libcurl did not initialize");
        return false;
    }
    sender.stop = false;
    sender.running = pthread_create(&sender.thread, NULL, sender_main, NULL) == 0;
    if (!sender.running)
        log_msg(LOG_ERROR, "mail: the sender thread did not start");
    else if (cfg->smtp_url[0])
        log_msg(LOG_INFO, "mail: sending the outbox by SMTP"); /* the URL may hold a password */
    else
        log_msg(LOG_INFO, "mail: PACTO_SMTP_URL is not set; mail stays in the outbox");
    return sender.running;
}

void mail_sender_stop(void)
{
    if (!sender.running)
        return;
    pthread_mutex_lock(&sender.lock);
    sender.stop = true;
    pthread_cond_signal(&sender.wake);
    pthread_mutex_unlock(&sender.lock);
    pthread_join(sender.thread, NULL);
    sender.running = false;
    if (sender.cfg->smtp_url[0])
        curl_global_cleanup();
}

void mail_sender_wake(void)
{
    pthread_mutex_lock(&sender.lock);
    sender.woken = true;
    pthread_cond_signal(&sender.wake);
    pthread_mutex_unlock(&sender.lock);
}

long mail_unsent(void) { return atomic_load(&sender.unsent); }
