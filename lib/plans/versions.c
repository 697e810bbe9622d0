/*
 * A plan's versions and their diff (see versions.h). The database hands
 * over the two contents as the viewer may see them; the comparison is C
 * (plans/diff.c).
 */
#include "plans/versions.h"

#include "authz/policy.h"
#include "core/buf.h"
#include "db/db.h"
#include "http/query.h"
#include "http/response.h"
#include "plans/diff.h"
#include "plans/plan.h"
#include "validate/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* $1 viewer, $2 plan. */
static const struct db_stmt STMT_VERSIONS = {
    .name = "plan_versions",
    .sql = "SELECT json_build_object('items', (SELECT coalesce(json_agg("
           "           plan_version_summary_json(pv) ORDER BY pv.number), '[]')"
           "         FROM plan_versions pv WHERE pv.plan_id = p.id))"
           "  FROM action_plans p WHERE p.id = $2 AND plan_visible(p, $1::pacto_viewer)",
};

/* $1 viewer, $2 plan, $3 number. */
static const struct db_stmt STMT_VERSION = {
    .name = "plan_version",
    .sql = "SELECT plan_version_json(pv, p, $1::pacto_viewer)"
           "  FROM action_plans p JOIN plan_versions pv ON pv.plan_id = p.id"
           " WHERE p.id = $2 AND pv.number = $3::integer AND plan_visible(p, $1::pacto_viewer)",
};

/* $1 viewer, $2 plan, $3 and $4 numbers: each version's content as the
 * viewer may see it. */
static const struct db_stmt STMT_VERSION_PAIR = {
    .name = "plan_version_pair",
    .sql = "SELECT pv.number, plan_content_for(pv.content, p, $1::pacto_viewer)"
           "  FROM action_plans p JOIN plan_versions pv ON pv.plan_id = p.id"
           " WHERE p.id = $2 AND pv.number IN ($3::integer, $4::integer)"
           "   AND plan_visible(p, $1::pacto_viewer)",
};

/* A version number: a canonical positive integer an integer column holds. */
static bool is_number(const char *s) { return s && id_is_canonical(s) && strlen(s) <= 9; }

void plans_versions_list(struct request *req) { plans_answer(req, &STMT_VERSIONS, 0, NULL); }

void plans_versions_get(struct request *req)
{
    const char *number = req_param(req, 1);
    if (!is_number(number)) {
        resp_not_found(req);
        return;
    }
    plans_answer(req, &STMT_VERSION, 1, &number);
}

/* The parsed content of version `number` among r's rows, or NULL. */
static cJSON *content_of(struct request *req, const PGresult *r, const char *number)
{
    for (int i = 0; i < PQntuples(r); i++)
        if (strcmp(PQgetvalue(r, i, 0), number) == 0)
            return req_keep_json(req, cJSON_Parse(PQgetvalue(r, i, 1)));
    return NULL;
}

void plans_versions_diff(struct request *req)
{
    static const char *const allowed[] = {"from", "to", NULL};
    const char *id = plans_path_id(req);
    struct query q;
    if (!id || !query_parse(req, allowed, &q))
        return;
    const char *from = query_get(&q, "from"), *to = query_get(&q, "to");
    if (!is_number(from) || !is_number(to)) {
        resp_bad_parameter(req, "from and to are required: the numbers (positive integers) of "
                                "two versions of the plan.");
        return;
    }
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, id, from, to};
    const PGresult *r = req_exec(req, &STMT_VERSION_PAIR, 4, params);
    if (!r)
        return;
    cJSON *a = content_of(req, r, from), *b = content_of(req, r, to);
    cJSON *d = a && b ? req_keep_json(req, plans_diff(a, b)) : NULL;
    if (!d) {
        resp_not_found(req);
        return;
    }
    struct buf out = {0};
    buf_printf(&out, "{\"plan_id\":%s,\"from\":%s,\"to\":%s,", id, from, to);
    char *rest = cJSON_PrintUnformatted(d);
    if (!rest)
        abort();
    buf_puts(&out, rest + 1); /* the diff's members, after its opening brace */
    free(rest);
    resp_json_buf(req, 200, &out);
}
