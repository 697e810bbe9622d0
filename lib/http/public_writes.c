/*
 * Public writes (see public_writes.h).
 */
#include "http/public_writes.h"

#include "config/config.h"
#include "db/db.h"
#include "http/response.h"

#include <stdio.h>

static const struct db_stmt STMT_CLIENT_HASH = {
    .name = "client_hash",
    .sql = "SELECT client_hash($1)",
};

/* Held until the write's transaction ends. */
static const struct db_stmt STMT_PUBLIC_WRITE_LOCK = {
    .name = "public_write_lock",
    .sql = "SELECT pg_advisory_xact_lock(hashtextextended('public-write:' || $1 || ':' || $2, 0))",
};

/* Counts the hour's writes and adds this one when there is room; forgets up
 * to 100 expired rows of anyone, so the table stays one hour deep. Answers
 * whether it was admitted and, when not, the seconds until a place frees. */
static const struct db_stmt STMT_PUBLIC_WRITE_ADMIT = {
    .name = "public_write_admit",
    .sql = "WITH expired AS ("
           "  DELETE FROM public_writes WHERE ctid = ANY (ARRAY("
           "    SELECT ctid FROM public_writes WHERE at <= now() - interval '1 hour' LIMIT 100))),"
           " recent AS ("
           "  SELECT count(*) AS n, min(at) AS first FROM public_writes"
           "   WHERE client_hash = $1 AND kind = $2 AND at > now() - interval '1 hour'),"
           " admitted AS ("
           "  INSERT INTO public_writes (client_hash, kind)"
           "  SELECT $1, $2 FROM recent WHERE n < $3::integer RETURNING 1)"
           "SELECT EXISTS (SELECT FROM admitted),"
           "       greatest(1, ceil(extract(epoch FROM first + interval '1 hour' - now())))::bigint"
           "  FROM recent",
};

const char *req_client_hash(struct request *req)
{
    if (req->client_hash[0])
        return req->client_hash;
    const char *params[] = {req->remote_addr};
    PGresult *r = req_exec(req, &STMT_CLIENT_HASH, 1, params);
    if (!r)
        return NULL;
    snprintf(req->client_hash, sizeof req->client_hash, "%s", PQgetvalue(r, 0, 0));
    return req->client_hash;
}

bool public_write_admit(struct request *req, const char *kind)
{
    const char *hash = req_client_hash(req);
    if (!hash)
        return false;
    char limit[16];
    snprintf(limit, sizeof limit, "%d", req->cfg->public_writes_per_hour);
    const char *params[] = {hash, kind, limit};
    if (!req_exec(req, &STMT_PUBLIC_WRITE_LOCK, 2, params))
        return false;
    PGresult *r = req_exec(req, &STMT_PUBLIC_WRITE_ADMIT, 3, params);
    if (!r)
        return false;
    if (PQgetvalue(r, 0, 0)[0] == 't')
        return true;
    resp_header(req, "Retry-After", "%s", PQgetvalue(r, 0, 1));
    char detail[160];
    snprintf(detail, sizeof detail,
             "This address made %d of these in the last hour, the most allowed; try again later.",
             req->cfg->public_writes_per_hour);
    resp_problem(req, 429, "too-many-requests", "Too many requests", detail);
    return false;
}
