/*
 * Writing and reading audit events (see audit.h).
 */
#include "audit/audit.h"

#include "http/query.h"
#include "http/response.h"

#include <stdio.h>
#include <string.h>

static const struct db_stmt STMT_AUDIT_INSERT = {
    "audit_insert",
    "INSERT INTO audit_events (actor_id, actor_role, action, entity, entity_id, before, after,"
    "                          request_id)"
    " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)"};

static const struct db_stmt STMT_AUDIT_LIST = {
    "audit_list",
    "SELECT id, json_build_object('id', id, 'at', pacto_ts(at), 'actor_id', actor_id,"
    "         'actor_role', actor_role, 'action', action, 'entity', entity,"
    "         'entity_id', entity_id, 'before', before, 'after', after,"
    "         'request_id', request_id)"
    "  FROM audit_events"
    " WHERE ($1::text IS NULL OR entity = $1)"
    "   AND ($2::text IS NULL OR entity_id = $2)"
    "   AND ($3::bigint IS NULL OR actor_id = $3)"
    "   AND ($4::timestamptz IS NULL OR at >= $4)"
    "   AND ($5::timestamptz IS NULL OR at < $5)"
    "   AND ($6::bigint IS NULL OR id < $6)"
    " ORDER BY id DESC LIMIT $7"};

struct audit_actor audit_actor_of(const struct request *req)
{
    return (struct audit_actor){
        .user_id = req->who.user_id_str[0] ? req->who.user_id_str : NULL,
        .role = req->who.role[0] ? req->who.role : NULL,
        .request_id = req->request_id,
    };
}

bool audit_record(struct db_conn *db, const struct audit_actor *actor, const char *action,
                  const char *entity, const char *entity_id, const char *before,
                  const char *after)
{
    const char *params[] = {actor->user_id, actor->role, action, entity, entity_id,
                            before,         after,       actor->request_id};
    PGresult *r = db_exec(db, &STMT_AUDIT_INSERT, 8, params);
    PQclear(r);
    return r != NULL;
}

/* RFC 3339 date-times only: PostgreSQL would accept much more ("now", "epoch"). */
static bool is_timestamp(const char *s)
{
    int y, mo, d, h, mi;
    char rest[40];
    return strlen(s) <= 35 &&
           sscanf(s, "%4d-%2d-%2dT%2d:%2d:%39s", &y, &mo, &d, &h, &mi, rest) == 6 &&
           s[4] == '-' && s[7] == '-' && s[10] == 'T' && (strchr(rest, 'Z') || strchr(rest, '+') ||
                                                          strchr(rest, '-'));
}

static bool is_id(const char *s)
{
    return s && *s && strlen(s) <= 18 && strspn(s, "0123456789") == strlen(s);
}

void audit_list(struct request *req)
{
    static const char *const allowed[] = {"entity", "entity_id", "actor_id", "since",
                                          "until",  "limit",     "cursor",   NULL};
    struct query q;
    struct page page;
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, "audit", &page))
        return;
    const char *entity = query_get(&q, "entity");
    const char *actor = query_get(&q, "actor_id");
    const char *since = query_get(&q, "since");
    const char *until = query_get(&q, "until");
    if (entity && strcmp(entity, "municipality") != 0 && strcmp(entity, "user") != 0 &&
        strcmp(entity, "state") != 0)
        {
            resp_bad_parameter(req, "entity must be municipality, user or state.");
            return;
        }
    if (actor && !is_id(actor))
        {
            resp_bad_parameter(req, "actor_id must be a user id.");
            return;
        }
    if ((since && !is_timestamp(since)) || (until && !is_timestamp(until)))
        {
            resp_bad_parameter(req, "since and until must be RFC 3339 date-times.");
            return;
        }
    struct db_conn *db = req_db(req);
    if (!db)
        return;
    const char *params[] = {entity, query_get(&q, "entity_id"), actor, since, until,
                            page.after[0] ? page.after : NULL, page.limit_plus_one};
    PGresult *r = db_exec(db, &STMT_AUDIT_LIST, 7, params);
    if (!r)
        {
            resp_db_error(req);
            return;
        }
    int n = PQntuples(r);
    struct buf items = {0};
    for (int i = 0; i < n && i < page.limit; i++) {
        if (i)
            buf_putc(&items, ',');
        buf_puts(&items, PQgetvalue(r, i, 1));
    }
    resp_page(req, &page, &items, n > page.limit ? PQgetvalue(r, page.limit - 1, 0) : NULL);
    PQclear(r);
}
