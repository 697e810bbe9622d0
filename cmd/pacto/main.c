/*
 * pacto: the command-line entry point. It only parses arguments and calls
 * into lib/; see `pacto --help`.
 */
#include "api/changes.h"
#include "api/routes.h"
#include "audit/audit.h"
#include "auth/token.h"
#include "config/config.h"
#include "cursor/cursor.h"
#include "db/db.h"
#include "db/replica.h"
#include "db/migrate.h"
#include "http/server.h"
#include "log/log.h"
#include "mail/mail.h"
#include "municipalities/municipalities.h"
#include "auth/password.h"
#include "users/users.h"

#include <getopt.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: pacto COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  serve [--listen HOST:PORT] [--threads N] [--migrate]\n"
    "                      serve the API (configuration from PACTO_* variables)\n"
    "  migrate             apply pending database migrations\n"
    "  user add --email E --name N --role mayor|representative|secretariat\n"
    "           [--area AREA] [--municipality IBGE] [--cpf CPF] [--phone PHONE]\n"
    "                      create an account; the password is read from stdin\n"
    "                      (exit 3 when the e-mail is already in use)\n"
    "  import-states FILE  upsert states from IBGE CSV (codigo_uf,uf,nome,...)\n"
    "  import-municipalities FILE\n"
    "                      upsert municipalities from IBGE CSV\n"
    "                      (codigo_ibge,nome,latitude,longitude,capital,codigo_uf)\n"
    "  routes              list the API's routes\n"
    "\n"
    "environment: PACTO_DATABASE_URL (required), PACTO_LISTEN, PACTO_THREADS,\n"
    "  PACTO_DB_POOL, PACTO_JWT_SECRET, PACTO_JWT_ISSUER, PACTO_JWT_AUDIENCE,\n"
    "  PACTO_JWT_PUBLIC_KEY_FILE, PACTO_TOKEN_TTL, PACTO_CORS_ORIGINS,\n"
    "  PACTO_LOG_LEVEL, PACTO_STATEMENT_TIMEOUT_MS (see README.md)\n";

static int fail(const char *msg)
{
    fprintf(stderr, "pacto: %s\n", msg);
    return 1;
}

static struct db_conn *open_database(void)
{
    struct config cfg = {0};
    char err[256];
    if (!config_load_database(&cfg, err, sizeof err)) {
        fail(err);
        return NULL;
    }
    struct db_conn *db = db_open(cfg.database_url);
    if (!db)
        fail("cannot connect to the database (see the log line above)");
    return db;
}

static int cmd_migrate(void)
{
    struct db_conn *db = open_database();
    if (!db)
        return 1;
    bool ok = migrate_run(db);
    db_close(db);
    return ok ? 0 : fail("migration failed");
}

/* Cursor tags are keyed from the JWT secret so that they stay valid across
 * restarts and instances; with an external identity provider there is no
 * shared secret, and cursors last as long as the process. */
static void set_cursor_secret(const struct config *cfg)
{
    unsigned char key[SHA256_DIGEST_LENGTH];
    if (cfg->token.alg == TOKEN_HS256) {
        static const unsigned char label[] = "pacto-cursor";
        if (!HMAC(EVP_sha256(), cfg->token.key, (int)cfg->token.key_len, label, sizeof label - 1,
                  key, NULL))
            abort();
    } else if (RAND_bytes(key, sizeof key) != 1) {
        abort();
    }
    cursor_set_secret(key, sizeof key);
}

static int cmd_serve(int argc, char **argv)
{
    static struct config cfg;
    char err[512];
    if (!config_load_server(&cfg, err, sizeof err))
        return fail(err);
    static const struct option options[] = {{"listen", required_argument, NULL, 'l'},
                                            {"threads", required_argument, NULL, 't'},
                                            {"migrate", no_argument, NULL, 'm'},
                                            {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'l')
            snprintf(cfg.listen, sizeof cfg.listen, "%s", optarg);
        else if (c == 't' && !config_parse_int(optarg, 2, 1024, &cfg.threads))
            return fail("--threads must be an integer from 2 to 1024");
        else if (c == 'm')
            cfg.migrate_on_start = true;
        else if (c == '?')
            return fail("unknown option for serve; see pacto --help");
    }
    log_set_level(cfg.log_level);
    set_cursor_secret(&cfg);
    if (cfg.migrate_on_start && cmd_migrate() != 0)
        return 1;
    db_set_notify_handler(CHANGES_CHANNEL, changes_on_notify);
    if (!db_pool_init(cfg.database_url, cfg.db_pool, cfg.statement_timeout_ms))
        return fail("cannot create the database pool");
    db_pool_set_deadline(cfg.db_deadline_ms);
    db_pool_set_pooler(cfg.db_pooler_transaction);
    if (cfg.database_read_url[0] && !db_read_pool_init(cfg.database_read_url, cfg.db_read_pool))
        return fail("cannot create the replica's database pool");

    /* Block the stop signals before threads start, so only sigwait sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (!db_listener_start(cfg.database_listen_url, changes_on_listener) ||
        (cfg.database_read_url[0] && !db_replica_monitor_start(cfg.database_read_url)) ||
        !mail_sender_start(&cfg) || !http_server_start(&cfg, api_routes, api_routes_count)) {
        mail_sender_stop();
        db_replica_monitor_stop();
        db_listener_stop();
        db_pool_shutdown();
        return 1;
    }
    log_msg(LOG_INFO, "pacto listening on http://%s (%d threads, %d database connections)",
            cfg.listen, cfg.threads, cfg.db_pool);
    int sig = 0;
    sigwait(&stop, &sig);
    log_msg(LOG_INFO, "signal %d: finishing requests in flight, then stopping", sig);
    http_server_stop(10000);
    mail_sender_stop();
    db_replica_monitor_stop();
    db_listener_stop();
    db_pool_shutdown();
    config_free(&cfg);
    log_msg(LOG_INFO, "stopped");
    return 0;
}

static int cmd_user_add(int argc, char **argv)
{
    struct user_input in = {0};
    static const struct option options[] = {
        {"email", required_argument, NULL, 'e'},        {"name", required_argument, NULL, 'n'},
        {"role", required_argument, NULL, 'r'},         {"area", required_argument, NULL, 'a'},
        {"municipality", required_argument, NULL, 'm'}, {"cpf", required_argument, NULL, 'c'},
        {"phone", required_argument, NULL, 'p'},        {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 'e':
            in.email = optarg;
            break;
        case 'n':
            in.name = optarg;
            break;
        case 'r':
            in.role = optarg;
            break;
        case 'a':
            in.secretariat_area = optarg;
            break;
        case 'm':
            in.municipality_id = optarg;
            break;
        case 'c':
            in.cpf = optarg;
            break;
        case 'p':
            in.phone = optarg;
            break;
        default:
            return fail("unknown option for user add; see pacto --help");
        }
    }
    char password[PASSWORD_MAX_LEN + 2];
    if (!fgets(password, sizeof password, stdin))
        return fail("no password on standard input");
    password[strcspn(password, "\r\n")] = '\0';
    in.password = password;
    struct db_conn *db = open_database();
    if (!db)
        return 1;
    struct audit_actor actor = {0};
    struct field_errors e = {0};
    struct buf json = {0};
    char id[24];
    int rc = 0;
    switch (users_create(db, &actor, &in, &e, &json, id)) {
    case USER_CREATED:
        if (db_commit(db))
            printf("%s\n", buf_cstr(&json));
        else
            rc = fail("database error; the user was not created");
        break;
    case USER_INVALID:
        fprintf(stderr, "pacto: invalid user: [%s]\n", buf_cstr(&e.items));
        rc = 2;
        break;
    case USER_EMAIL_TAKEN:
        fprintf(stderr, "pacto: e-mail already in use\n");
        rc = 3;
        break;
    case USER_DB_ERROR:
        rc = fail("database error");
        break;
    }
    field_errors_free(&e);
    buf_free(&json);
    db_close(db);
    return rc;
}

static int cmd_import(const char *path, bool states)
{
    struct buf data = {0};
    if (!buf_read_file(&data, path)) {
        fprintf(stderr, "pacto: cannot read %s\n", path);
        return 1;
    }
    struct db_conn *db = open_database();
    if (!db) {
        buf_free(&data);
        return 1;
    }
    struct audit_actor actor = {0};
    struct import_result res;
    struct field_errors e = {0};
    enum import_status st =
        states ? states_import_csv(db, &actor, buf_cstr(&data), data.len, &res, &e)
               : municipalities_import_csv(db, &actor, buf_cstr(&data), data.len, &res, &e);
    int rc = 0;
    if (st == IMPORT_OK)
        printf("{\"rows\":%ld,\"inserted\":%ld,\"updated\":%ld,\"unchanged\":%ld}\n", res.rows,
               res.inserted, res.updated, res.unchanged);
    else if (st == IMPORT_INVALID)
        rc = (fprintf(stderr, "pacto: %s not imported: [%s]\n", path, buf_cstr(&e.items)), 2);
    else
        rc = fail("database error; nothing was imported");
    field_errors_free(&e);
    buf_free(&data);
    db_close(db);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "migrate") == 0)
        return cmd_migrate();
    if (strcmp(cmd, "user") == 0 && argc >= 3 && strcmp(argv[2], "add") == 0)
        return cmd_user_add(argc - 2, argv + 2);
    if (strcmp(cmd, "import-states") == 0 && argc == 3)
        return cmd_import(argv[2], true);
    if (strcmp(cmd, "import-municipalities") == 0 && argc == 3)
        return cmd_import(argv[2], false);
    if (strcmp(cmd, "routes") == 0) {
        for (size_t i = 0; i < api_routes_count; i++)
            printf("%s %s\n", api_routes[i].method, api_routes[i].pattern);
        return 0;
    }
    fprintf(stderr, "pacto: unknown command \"%s\"\n\n%s", cmd, usage);
    return 2;
}
