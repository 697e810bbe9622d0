/*
 * Token claims against the users table (see session.h).
 */
#include "auth/session.h"

#include "cache/cache.h"
#include "db/db.h"
#include "http/response.h"
#include "validate/id.h"

#include <pthread.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct db_stmt STMT_SESSION_USER = {
    .name = "session_user",
    .sql = "SELECT role, coalesce(municipality_id, ''), coalesce(secretariat_area, ''),"
           "       coalesce(cpf, ''), active"
           "  FROM users WHERE id = $1",
};

/* What a request needs to know about its caller's account. */
struct account {
    char role[32];
    char municipality_id[8];
    char secretariat_area[32];
    char cpf[12];
    bool active;
};

static struct cache *accounts;
static pthread_once_t accounts_once = PTHREAD_ONCE_INIT;

static void create_accounts(void)
{
    accounts = cache_create(100000);
    if (!accounts)
        abort();
}

struct cache *session_cache(void)
{
    pthread_once(&accounts_once, create_accounts);
    return accounts;
}

/* Reads the account from the cache or the database. Returns SESSION_REVOKED
 * when there is no such account. */
static enum session_result load_account(struct request *req, const char *id, struct account *a)
{
    struct cache *cache = session_cache();
    struct buf b = {0};
    if (cache_get(cache, id, &b) && b.len == sizeof *a) {
        memcpy(a, b.data, sizeof *a);
        buf_free(&b);
        return SESSION_OK;
    }
    buf_free(&b);
    unsigned long generation = cache_generation(cache);
    struct db_conn *db = req_db(req);
    if (!db)
        return SESSION_DB_ERROR;
    const char *params[] = {id};
    PGresult *r = db_exec(db, &STMT_SESSION_USER, 1, params);
    if (!r) {
        resp_db_error(req);
        return SESSION_DB_ERROR;
    }
    bool found = PQntuples(r) == 1;
    if (found) {
        memset(a, 0, sizeof *a);
        snprintf(a->role, sizeof a->role, "%s", PQgetvalue(r, 0, 0));
        snprintf(a->municipality_id, sizeof a->municipality_id, "%s", PQgetvalue(r, 0, 1));
        snprintf(a->secretariat_area, sizeof a->secretariat_area, "%s", PQgetvalue(r, 0, 2));
        snprintf(a->cpf, sizeof a->cpf, "%s", PQgetvalue(r, 0, 3));
        a->active = strcmp(PQgetvalue(r, 0, 4), "t") == 0;
        cache_put(cache, id, a, sizeof *a, generation);
    }
    PQclear(r);
    return found ? SESSION_OK : SESSION_REVOKED;
}

enum session_result session_resolve(struct request *req, const struct token_claims *claims,
                                    struct identity *who)
{
    /* Ids in canonical form only (no leading zero), as the server issues them. */
    if (!id_is_canonical(claims->sub))
        return SESSION_REVOKED;
    struct account a;
    enum session_result res = load_account(req, claims->sub, &a);
    if (res != SESSION_OK)
        return res;
    if (!a.active || strcmp(a.role, claims->role) != 0 ||
        strcmp(a.municipality_id, claims->municipality_id) != 0 ||
        strcmp(a.secretariat_area, claims->secretariat_area) != 0)
        return SESSION_REVOKED;
    /* sub has at most 18 digits (checked above); the precision tells the
     * compiler that it fits (-Wformat-truncation in Debug builds). */
    snprintf(who->user_id_str, sizeof who->user_id_str, "%.23s", claims->sub);
    sscanf(claims->sub, "%lld", &who->user_id);
    snprintf(who->role, sizeof who->role, "%s", a.role);
    snprintf(who->municipality_id, sizeof who->municipality_id, "%s", a.municipality_id);
    snprintf(who->secretariat_area, sizeof who->secretariat_area, "%s", a.secretariat_area);
    snprintf(who->cpf, sizeof who->cpf, "%s", a.cpf);
    return SESSION_OK;
}
