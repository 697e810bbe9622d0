/*
 * Token claims against the users table (see session.h).
 */
#include "auth/session.h"

#include "db/db.h"

#include <stdio.h>
#include <string.h>

static const struct db_stmt STMT_SESSION_USER = {
    "session_user",
    "SELECT role, coalesce(municipality_id, ''), coalesce(secretariat_area, ''),"
    "       coalesce(cpf, ''), active"
    "  FROM users WHERE id = $1"};

enum session_result session_resolve(struct db_conn *db, const struct token_claims *claims,
                                    struct identity *who)
{
    if (strspn(claims->sub, "0123456789") != strlen(claims->sub) || !claims->sub[0] ||
        strlen(claims->sub) > 18)
        return SESSION_REVOKED;
    const char *params[] = {claims->sub};
    PGresult *r = db_exec(db, &STMT_SESSION_USER, 1, params);
    if (!r)
        return SESSION_DB_ERROR;
    enum session_result res = SESSION_REVOKED;
    if (PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 4), "t") == 0 &&
        strcmp(PQgetvalue(r, 0, 0), claims->role) == 0 &&
        strcmp(PQgetvalue(r, 0, 1), claims->municipality_id) == 0 &&
        strcmp(PQgetvalue(r, 0, 2), claims->secretariat_area) == 0) {
        res = SESSION_OK;
        snprintf(who->user_id_str, sizeof who->user_id_str, "%s", claims->sub);
        sscanf(claims->sub, "%lld", &who->user_id);
        snprintf(who->role, sizeof who->role, "%s", claims->role);
        snprintf(who->municipality_id, sizeof who->municipality_id, "%s", claims->municipality_id);
        snprintf(who->secretariat_area, sizeof who->secretariat_area, "%s",
                 claims->secretariat_area);
        snprintf(who->cpf, sizeof who->cpf, "%s", PQgetvalue(r, 0, 3));
    }
    PQclear(r);
    return res;
}

bool authz_is_coordination(const struct identity *who)
{
    return strcmp(who->role, "secretariat") == 0 &&
           strcmp(who->secretariat_area, "coordination") == 0;
}

bool authz_is_secretariat(const struct identity *who)
{
    return strcmp(who->role, "secretariat") == 0;
}

bool authz_is_municipal(const struct identity *who, const char *ibge_code)
{
    return (strcmp(who->role, "mayor") == 0 || strcmp(who->role, "representative") == 0) &&
           strcmp(who->municipality_id, ibge_code) == 0;
}
