/*
 * Writing and reading audit events (see audit.h).
 */
#include "audit/audit.h"

#include "http/query.h"
#include "http/response.h"
#include "validate/timestamp.h"

#include <stdio.h>
#include <string.h>

static const struct db_stmt STMT_AUDIT_INSERT = {
    .name = "audit_insert",
    .sql =
        "INSERT INTO audit_events (actor_id, actor_role, action, entity, entity_id, before, after,"
        "                          request_id)"
        " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)",
};

static const struct db_stmt STMT_AUDIT_LIST = {
    .name = "audit_list",
    .sql = "SELECT id, json_build_object('id', id, 'at', pacto_ts(at), 'actor_id', actor_id,"
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
           " ORDER BY id DESC LIMIT $7",
};

struct audit_actor audit_actor_of(const struct request *req)
{
    return (struct audit_actor){
        .user_id = req->who.user_id_str[0] ? req->who.user_id_str : NULL,
        .role = req->who.role[0] ? req->who.role : NULL,
        .request_id = req->request_id,
    };
}

bool audit_record(struct db_conn *db, const struct audit_actor *actor, const char *action,
                  const char *entity, const char *entity_id, const char *before, const char *after)
{
    const char *params[] = {actor->user_id, actor->role, action, entity,
                            entity_id,      before,      after,  actor->request_id};
    PGresult *r = db_exec(db, &STMT_AUDIT_INSERT, 8, params);
    PQclear(r);
    return r != NULL;
}

static bool is_entity(const char *s)
{
    static const char *const entities[] = {"municipality", "user",     "state",
                                           "cycle",        "adhesion", "team_member"};
    for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++)
        if (strcmp(s, entities[i]) == 0)
            return true;
    return false;
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
    if (entity && !is_entity(entity)) {
        resp_bad_parameter(req, "entity must be municipality, user, state, cycle, adhesion or "
                                "team_member.");
        return;
    }
    if (actor && !is_id(actor)) {
        resp_bad_parameter(req, "actor_id must be a user id.");
        return;
    }
    if ((since && !timestamp_is_rfc3339(since)) || (until && !timestamp_is_rfc3339(until))) {
        resp_bad_parameter(req, "since and until must be RFC 3339 date-times.");
        return;
    }
    struct db_conn *db = req_db(req);
    if (!db)
        return;
    const char *params[] = {entity,
                            query_get(&q, "entity_id"),
                            actor,
                            since,
                            until,
                            page.after[0] ? page.after : NULL,
                            page.limit_plus_one};
    PGresult *r = db_exec(db, &STMT_AUDIT_LIST, 7, params);
    if (!r) {
        resp_db_error(req);
        return;
    }
    resp_page_rows(req, &page, r, 0, 1, NULL, 0);
    PQclear(r);
}
