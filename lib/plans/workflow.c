/*
 * A plan's submit, return and approve, and its transition log (see
 * workflow.h). A revised plan's resubmission ignores the plans deadline
 * (plan_allowed_actions allows submit under revision at any time). Each transition is one statement
 * in the plan's locked transaction: the status, the plan's version (its ETag), the log row and what
 * comes with it (the frozen version, the comments) change together.
 */
#include "plans/workflow.h"

#include "authz/policy.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/response.h"
#include "plans/input.h"
#include "plans/plan.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define REASON_MAX   2000
#define COMMENT_MAX  2000
#define COMMENTS_MAX 100

/* $1 cycle: whether its plan deadline has passed, and when it is. */
static const struct db_stmt STMT_DEADLINE = {
    .name = "plan_deadline",
    .sql = "SELECT now() >= cycle_plans_due_at(c), pacto_ts(cycle_plans_due_at(c))"
           "  FROM cycles c WHERE c.id = $1",
};

/* $1 plan: every rule the plan breaks on submit. */
static const struct db_stmt STMT_SUBMIT_PROBLEMS = {
    .name = "plan_submit_problems",
    .sql = "SELECT x.field, x.message FROM action_plans p, plan_submit_problems(p) x"
           " WHERE p.id = $1",
};

/* $1 viewer, $2 plan, $3 its status: freezes version n+1 and submits. */
static const struct db_stmt STMT_SUBMIT = {
    .name = "plan_submit",
    .sql = "WITH v AS (INSERT INTO plan_versions (plan_id, number, content, submitted_by)"
           "           SELECT p.id, p.versions + 1, plan_content(p), ($1::pacto_viewer).user_id"
           "             FROM action_plans p WHERE p.id = $2 RETURNING number),"
           " u AS (UPDATE action_plans p SET status = 'submitted', submitted_at = now(),"
           "              versions = v.number, version = p.version + 1, updated_at = now()"
           "         FROM v WHERE p.id = $2 RETURNING p.id),"
           " t AS (INSERT INTO plan_transitions (plan_id, action, from_status, to_status,"
           "                                     version, user_id)"
           "       SELECT $2, 'submit', $3, 'submitted', v.number, ($1::pacto_viewer).user_id"
           "         FROM v RETURNING id)"
           " SELECT v.number FROM v, u, t",
};

/* $1 plan, $2 comments [{a, t}]: the 0-based indexes of comments naming an
 * action that is not one of the plan's. */
static const struct db_stmt STMT_FOREIGN_ACTIONS = {
    .name = "plan_comment_foreign_actions",
    .sql = "SELECT x.n - 1 FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS x (c, n)"
           " WHERE x.c->>'a' IS NOT NULL AND NOT EXISTS (SELECT 1 FROM plan_actions a"
           "        WHERE a.plan_id = $1 AND a.id = (x.c->>'a')::bigint)"
           " ORDER BY x.n",
};

/* $1 viewer, $2 plan, $3 its status, $4 reason, $5 comments [{a, t}]. */
static const struct db_stmt STMT_RETURN = {
    .name = "plan_return",
    .sql = "WITH u AS (UPDATE action_plans SET status = 'returned', version = version + 1,"
           "                                   updated_at = now()"
           "            WHERE id = $2 RETURNING versions),"
           " t AS (INSERT INTO plan_transitions (plan_id, action, from_status, to_status,"
           "                                     reason, version, user_id)"
           "       SELECT $2, 'return', $3, 'returned', $4, u.versions,"
           "              ($1::pacto_viewer).user_id FROM u RETURNING id),"
           " c AS (INSERT INTO plan_comments (plan_id, transition_id, action_id, text)"
           "       SELECT $2, t.id, x.a, x.t"
           "         FROM t, ROWS FROM (jsonb_to_recordset($5::jsonb) AS (a bigint, t text))"
           "              WITH ORDINALITY AS x (a, t, n)"
           "        ORDER BY x.n RETURNING 1)"
           " SELECT t.id, (SELECT count(*) FROM c) FROM t",
};

/* $1 viewer, $2 plan, $3 its status, $4 reason or NULL. A revised plan
 * (one with a pact) whose targets are those of its latest pact goes back to
 * execution, pacted; any other is approved, and a revised one awaits the
 * mayor's new signature (pacts.h). */
static const struct db_stmt STMT_APPROVE = {
    .name = "plan_approve",
    .sql = "WITH s AS (SELECT CASE WHEN plan_targets_as_pacted($2) THEN 'pacted'"
           "                       ELSE 'approved' END AS status),"
           " u AS (UPDATE action_plans SET status = s.status, approved_at = now(),"
           "                               version = version + 1, updated_at = now()"
           "         FROM s WHERE id = $2 RETURNING versions)"
           " INSERT INTO plan_transitions (plan_id, action, from_status, to_status, reason,"
           "                               version, user_id)"
           " SELECT $2, 'approve', $3, s.status, $4, u.versions, ($1::pacto_viewer).user_id"
           "   FROM u, s RETURNING id",
};

/* $1 viewer, $2 plan: the log, when the viewer may see the plan. */
static const struct db_stmt STMT_HISTORY = {
    .name = "plan_history",
    .sql = "SELECT json_build_object('items', (SELECT coalesce(json_agg("
           "           plan_transition_json(t, p, $1::pacto_viewer) ORDER BY t.id), '[]')"
           "         FROM plan_transitions t WHERE t.plan_id = p.id))"
           "  FROM action_plans p WHERE p.id = $2 AND plan_visible(p, $1::pacto_viewer)",
};

static bool is_true(const PGresult *r, int col) { return strcmp(PQgetvalue(r, 0, col), "t") == 0; }

/* Refuses a body with a member not in allowed (NULL-terminated; empty for
 * a transition that takes none); returns false after answering 422. */
static bool only(struct request *req, const cJSON *body, const char *const *allowed)
{
    struct field_errors e = {0};
    fields_only(body, allowed, NULL, &e);
    if (e.count == 0)
        return true;
    resp_validation(req, &e, NULL);
    return false;
}

/* True after answering 422 plans-deadline-passed: the status would allow a
 * submit, but the cycle's plan deadline is over (an approved or submitted
 * plan is refused by plans_refuse instead, naming its status). */
static bool deadline_passed(struct request *req, const struct plan_lock *p)
{
    if (!p->own || (strcmp(p->status, "draft") != 0 && strcmp(p->status, "returned") != 0))
        return false;
    const PGresult *r = req_exec(req, &STMT_DEADLINE, 1, &p->cycle_id);
    if (!r)
        return true; /* answered */
    if (PQntuples(r) == 0 || !is_true(r, 0))
        return false;
    char detail[160];
    snprintf(detail, sizeof detail, "The cycle's plans were due by %s.", PQgetvalue(r, 0, 1));
    resp_problem(req, 422, "plans-deadline-passed", "The plan-submission deadline has passed",
                 detail);
    return true;
}

/* True after answering 422 with every rule the plan breaks (or an error). */
static bool breaks_rules(struct request *req, const struct plan_lock *p)
{
    const PGresult *r = req_exec(req, &STMT_SUBMIT_PROBLEMS, 1, &p->id);
    if (!r)
        return true;
    if (PQntuples(r) == 0)
        return false;
    struct field_errors e = {0};
    for (int i = 0; i < PQntuples(r); i++)
        field_error(&e, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
    resp_validation(req, &e, "The plan cannot be submitted: see errors for every problem.");
    return true;
}

void plans_submit(struct request *req)
{
    static const char *const none[] = {NULL};
    const cJSON *body = plans_body(req);
    struct plan_lock p;
    if (!body || !only(req, body, none) || !plans_lock(req, false, &p) ||
        deadline_passed(req, &p) || plans_refuse(req, &p, "submit") || breaks_rules(req, &p))
        return;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, p.id, p.status};
    if (req_exec(req, &STMT_SUBMIT, 3, params))
        plans_changed(req, &p, "submit", 200);
}

/* An action_id of a comment: a positive integer JSON can carry exactly. */
static bool action_id_of(const cJSON *v, char out[24])
{
    if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 9007199254740991.0 ||
        floor(v->valuedouble) != v->valuedouble)
        return false;
    snprintf(out, 24, "%.0f", v->valuedouble);
    return true;
}

/* Validates a return's comments into rows, the JSON array [{a, t}] the
 * return's statement takes, adding every problem to e. */
static void read_comments(const cJSON *body, struct buf *rows, struct field_errors *e)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "comments");
    buf_putc(rows, '[');
    if (!list || cJSON_IsNull(list)) {
        buf_putc(rows, ']');
        return;
    }
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > COMMENTS_MAX) {
        field_error(e, "comments", "must be an array of at most 100 comments");
        buf_putc(rows, ']');
        return;
    }
    int i = 0;
    const cJSON *c;
    char field[64], id[24];
    cJSON_ArrayForEach(c, list)
    {
        if (!cJSON_IsObject(c)) {
            snprintf(field, sizeof field, "comments[%d]", i++);
            field_error(e, field, "must be an object {action_id?, text}");
            continue;
        }
        const cJSON *m;
        cJSON_ArrayForEach(m, c)
        {
            if (strcmp(m->string, "action_id") != 0 && strcmp(m->string, "text") != 0) {
                snprintf(field, sizeof field, "comments[%d].%.32s", i, m->string);
                field_error(e, field, "unknown field");
            }
        }
        const cJSON *action = cJSON_GetObjectItemCaseSensitive(c, "action_id");
        bool has_action = action && !cJSON_IsNull(action);
        if (has_action && !action_id_of(action, id)) {
            snprintf(field, sizeof field, "comments[%d].action_id", i);
            field_error(e, field, "must be the id of an action of this plan");
            has_action = false;
        }
        const char *text;
        int before = e->count;
        snprintf(field, sizeof field, "comments[%d].text", i);
        plans_text(c, "text", field, COMMENT_MAX, &text, e);
        if (!text && e->count == before)
            field_error(e, field, "is required");
        if (text) {
            buf_puts(rows, i ? ",{\"a\":" : "{\"a\":");
            buf_puts(rows, has_action ? id : "null");
            buf_puts(rows, ",\"t\":");
            buf_json_string(rows, text);
            buf_putc(rows, '}');
        }
        i++;
    }
    buf_putc(rows, ']');
}

/* True after answering 422 when a comment names an action of another plan. */
static bool foreign_actions(struct request *req, const struct plan_lock *p, const char *rows)
{
    const char *params[] = {p->id, rows};
    const PGresult *r = req_exec(req, &STMT_FOREIGN_ACTIONS, 2, params);
    if (!r)
        return true;
    if (PQntuples(r) == 0)
        return false;
    struct field_errors e = {0};
    char field[64];
    for (int i = 0; i < PQntuples(r); i++) {
        snprintf(field, sizeof field, "comments[%s].action_id", PQgetvalue(r, i, 0));
        field_error(&e, field, "is not an action of this plan");
    }
    resp_validation(req, &e, NULL);
    return true;
}

void plans_return(struct request *req)
{
    static const char *const allowed[] = {"reason", "comments", NULL};
    const cJSON *body = plans_body(req);
    if (!body)
        return;
    struct field_errors e = {0};
    struct buf rows = {0};
    const char *reason;
    fields_only(body, allowed, NULL, &e);
    int before = e.count;
    plans_text(body, "reason", NULL, REASON_MAX, &reason, &e);
    if (!reason && e.count == before)
        field_error(&e, "reason", "is required: say why the plan goes back");
    read_comments(body, &rows, &e);
    struct plan_lock p;
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, NULL, NULL, reason, buf_cstr(&rows)};
    if (e.count > 0) {
        resp_validation(req, &e, NULL);
    } else if (!plans_lock(req, false, &p) || plans_refuse(req, &p, "return") ||
               foreign_actions(req, &p, buf_cstr(&rows))) {
        /* answered */
    } else {
        params[1] = p.id;
        params[2] = p.status;
        if (req_exec(req, &STMT_RETURN, 5, params))
            plans_changed(req, &p, "return", 200);
    }
    field_errors_free(&e);
    buf_free(&rows);
}

void plans_approve(struct request *req)
{
    static const char *const allowed[] = {"reason", NULL};
    const cJSON *body = plans_body(req);
    if (!body)
        return;
    struct field_errors e = {0};
    const char *reason;
    fields_only(body, allowed, NULL, &e);
    plans_text(body, "reason", NULL, REASON_MAX, &reason, &e);
    struct plan_lock p;
    if (e.count > 0) {
        resp_validation(req, &e, NULL);
    } else if (plans_lock(req, false, &p) && !plans_refuse(req, &p, "approve")) {
        char viewer[AUTHZ_VIEWER_MAX];
        authz_viewer(&req->who, viewer);
        const char *params[] = {viewer, p.id, p.status, reason};
        if (req_exec(req, &STMT_APPROVE, 4, params))
            plans_changed(req, &p, "approve", 200);
    }
    field_errors_free(&e);
}

void plans_history(struct request *req) { plans_answer(req, &STMT_HISTORY, 0, NULL); }
