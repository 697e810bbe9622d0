/*
 * Writing and reading audit events (see audit.h).
 */
#include "audit/audit.h"

#include "http/query.h"
#include "http/response.h"

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

/* Reads exactly n digits at *s into *out and advances *s. */
static bool digits(const char **s, int n, int *out)
{
    *out = 0;
    for (int i = 0; i < n; i++, (*s)++) {
        if (**s < '0' || **s > '9')
            return false;
        *out = *out * 10 + (**s - '0');
    }
    return true;
}

/* Skips one character at *s when it is one of `chars`. */
static bool sep(const char **s, const char *chars)
{
    if (!**s || !strchr(chars, **s))
        return false;
    (*s)++;
    return true;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* RFC 3339 date-times only (YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)), with
 * every field in range: PostgreSQL would accept much more ("now", "epoch",
 * dates without a zone) and refuse out-of-range fields with an error that
 * is not the client's 400. */
static bool is_timestamp(const char *s)
{
    int y, mo, d, h, mi, sec, oh, om;
    if (strlen(s) > 40 || !digits(&s, 4, &y) || !sep(&s, "-") || !digits(&s, 2, &mo) ||
        !sep(&s, "-") || !digits(&s, 2, &d) || !sep(&s, "Tt") || !digits(&s, 2, &h) ||
        !sep(&s, ":") || !digits(&s, 2, &mi) || !sep(&s, ":") || !digits(&s, 2, &sec))
        return false;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        sec > 60) /* 60: a leap second */
        return false;
    if (sep(&s, ".")) {
        size_t n = strspn(s, "0123456789");
        if (n == 0 || n > 9)
            return false;
        s += n;
    }
    if (sep(&s, "Zz"))
        return *s == '\0';
    return sep(&s, "+-") && digits(&s, 2, &oh) && sep(&s, ":") && digits(&s, 2, &om) &&
           *s == '\0' && oh <= 23 && om <= 59;
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
        strcmp(entity, "state") != 0) {
        resp_bad_parameter(req, "entity must be municipality, user or state.");
        return;
    }
    if (actor && !is_id(actor)) {
        resp_bad_parameter(req, "actor_id must be a user id.");
        return;
    }
    if ((since && !is_timestamp(since)) || (until && !is_timestamp(until))) {
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
