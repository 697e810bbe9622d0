/*
 * Integration tests for an action plan's review workflow (issue 9, "Action
 * plans: workflow"): Campo Grande's representative submits the plan, which
 * freezes version 1; the health secretariat returns it with a comment on
 * one action; the representative answers the comment, the plan is edited
 * and submitted again (version 2), and the diff of the two versions shows
 * the change; the secretariat approves it, and the approved plan is locked.
 * The log keeps every move, naming people only to the municipality and the
 * state. Refusals — a plan breaking every submission rule at once, the
 * deadline passed, another municipality, anonymous callers, another area,
 * a municipality reviewing, a transition its status does not allow, bad
 * bodies and bad diff parameters — leave the database as it was.
 *
 * Plans are created and edited by routes this suite does not cover: it
 * seeds them with SQL in a given status (seed_plan), as those routes store
 * them, and simulates the edit between two versions with SQL (edit_plan).
 * The cycle, adhesion, indicators, challenge, targets and initiatives are
 * seeded with SQL too, as their own suites' endpoints store them.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"
#include "plans_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    long cycle, challenge, tmi, vac, initiative[3];
} w;

/* A plan as seed_plan made it. */
struct plan {
    long id, action[3];
    char path[64];
};

/* A cycle of MS in its adhesion window (its dates run from yesterday to the
 * end of 2027), Campo Grande's adhesion to it, the health challenge SAU-01
 * with two main indicators with state targets — infant mortality (lower is
 * better, Campo Grande's suggested target 12) and vaccination coverage
 * (higher is better) — and three published initiatives of its portfolio. */
static void seed_world(void)
{
    w.cycle = fixture_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments) VALUES ('Ciclo 2027', 50,"
        " now() - interval '1 day', now() + interval '1 day', now() + interval '2 days',"
        " now() + interval '30 days', 2027, '[\"Pactuar metas\"]') RETURNING id");
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
             " VALUES (%ld, '" CG "', 'ADESAO-MS-2026-0001', %s, '[]')",
             w.cycle, fixture_user_id(U_MAYOR_CG));
    fixture_exec(sql);
    w.challenge = plans_seed_challenge(w.cycle, &w.tmi, &w.vac);
    snprintf(sql, sizeof sql,
             "INSERT INTO suggested_targets (challenge_id, indicator_id, municipality_id,"
             " baseline_value, baseline_period, suggested_value, status) VALUES"
             " (%ld, %ld, '" CG "', 14, '2023', 12, 'suggested'),"
             " (%ld, %ld, '" CG "', 80, '2023', 87.5, 'suggested')",
             w.challenge, w.tmi, w.challenge, w.vac);
    fixture_exec(sql);
    for (int i = 0; i < 3; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO initiatives (challenge_id, title, area, type, published)"
                 " VALUES (%ld, 'Iniciativa %d', 'health', 'program', true) RETURNING id",
                 w.challenge, i + 1);
        w.initiative[i] = fixture_long(sql);
    }
}

static void setup(void)
{
    fixture_reset();
    seed_world();
}

/* Campo Grande's plan in `status`, as the plan-editing routes would store
 * it: the suggested targets for both indicators, two actions from the
 * portfolio and one of the municipality's own, each with a resource and
 * two deliveries due inside the cycle. */
static struct plan seed_plan(const char *status)
{
    struct plan p = {0};
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id,"
             " status, summary, created_by)"
             " SELECT %ld, %ld, '" CG "', a.id, '%s', 'Reduzir a mortalidade infantil', %s"
             " FROM adhesions a WHERE a.cycle_id = %ld RETURNING id",
             w.challenge, w.cycle, status, fixture_user_id(U_REP_CG), w.cycle);
    p.id = fixture_long(sql);
    snprintf(p.path, sizeof p.path, "/v1/action-plans/%ld", p.id);
    snprintf(sql, sizeof sql,
             "INSERT INTO plan_targets (plan_id, indicator_id, target_value) VALUES"
             " (%ld, %ld, 12), (%ld, %ld, 87.5)",
             p.id, w.tmi, p.id, w.vac);
    fixture_exec(sql);
    static const char *const titles[3] = {"Busca ativa de gestantes", "Capacitação de equipes",
                                          "Mutirão de vacinação"};
    for (int i = 0; i < 3; i++) {
        char initiative[24];
        snprintf(initiative, sizeof initiative, "%ld", w.initiative[i]);
        snprintf(sql, sizeof sql,
                 "INSERT INTO plan_actions (plan_id, position, initiative_id, title,"
                 " responsible_person, responsible_unit, start_date, end_date)"
                 " VALUES (%ld, %d, %s, '%s', 'Ana Souza', 'SESAU', current_date,"
                 " '2027-11-30') RETURNING id",
                 p.id, i, i < 2 ? initiative : "NULL", titles[i]);
        p.action[i] = fixture_long(sql);
        snprintf(sql, sizeof sql,
                 "INSERT INTO plan_resources (action_id, position, amount_cents, source)"
                 " VALUES (%ld, 0, 500000, 'municipal');"
                 "INSERT INTO plan_deliveries (action_id, plan_id, position, title, due_date)"
                 " VALUES (%ld, %ld, 0, 'Relatório inicial', '2027-03-31'),"
                 " (%ld, %ld, 1, 'Relatório final', '2027-11-30')",
                 p.action[i], p.action[i], p.id, p.action[i], p.id);
        fixture_exec(sql);
    }
    return p;
}

static struct http_response call(const char *method, const struct plan *p, const char *rest,
                                 enum fixture_user who, const char *body)
{
    char path[160];
    snprintf(path, sizeof path, "%s%s", p->path, rest);
    return fixture_call(method, path, who, body, NULL);
}

static const char *text(const cJSON *obj, const char *name)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, name));
    ck_assert_msg(s != NULL, "%s is not a string", name);
    return s;
}

static double number(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
    return v->valuedouble;
}

static const cJSON *items(const struct http_response *r)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(r->json, "items");
    ck_assert_msg(cJSON_IsArray(list), "no items in %s", buf_cstr(&r->body));
    return list;
}

/* Sends the call and asserts the status, then frees the answer. */
static void expect_status(struct http_response r, long status)
{
    ck_assert_msg(r.status == status, "expected %ld, got %ld: %s", status, r.status,
                  buf_cstr(&r.body));
    http_response_free(&r);
}

/* Asserts a plan answer in `status` and returns it (free it). */
static struct http_response expect_plan(struct http_response r, const char *status)
{
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_str_eq(text(r.json, "status"), status);
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    return r;
}

static bool allows(const struct http_response *r, const char *action)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(r->json, "allowed_actions"))
    {
        if (strcmp(cJSON_GetStringValue(a), action) == 0)
            return true;
    }
    return false;
}

/* The representative's edit of a returned plan, as the plan-editing route
 * stores it (that route is not this suite's): the plan goes back to draft
 * with a `reopen` transition, and action 1 gets a new title and a later
 * delivery date; the plan's version is bumped. */
static void edit_plan(const struct plan *p)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "UPDATE plan_actions SET title = 'Capacitação de equipes de saúde' WHERE id = %ld;"
             "UPDATE plan_deliveries SET due_date = '2027-04-30'"
             " WHERE action_id = %ld AND position = 0;"
             "INSERT INTO plan_transitions (plan_id, action, from_status, to_status, version,"
             " user_id) VALUES (%ld, 'reopen', 'returned', 'draft', 1, %s);"
             "UPDATE action_plans SET status = 'draft', version = version + 1,"
             " updated_at = now() WHERE id = %ld",
             p->action[1], p->action[1], p->id, fixture_user_id(U_REP_CG), p->id);
    fixture_exec(sql);
}

START_TEST(submit_return_answer_resubmit_diff_and_approve)
{
    struct plan p = seed_plan("draft");

    /* The representative submits: version 1 is frozen. */
    struct http_response r = expect_plan(call("POST", &p, "/submit", U_REP_CG, NULL), "submitted");
    ck_assert_double_eq(number(r.json, "current_version"), 1);
    ck_assert(!allows(&r, "submit") && !allows(&r, "edit"));
    http_response_free(&r);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM plan_versions WHERE plan_id = %ld", p.id),
                     1);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE action = 'submit'"
                                   " AND entity = 'action_plan' AND entity_id = '%ld'",
                                   p.id),
                     1);

    /* The health secretariat returns it, with a comment on action 1. */
    char body[512];
    snprintf(body, sizeof body,
             "{\"reason\":\"Detalhar as entregas\",\"comments\":[{\"action_id\":%ld,"
             "\"text\":\"Quem será capacitado?\"}]}",
             p.action[1]);
    r = expect_plan(call("POST", &p, "/return", U_HEALTH, body), "returned");
    ck_assert_double_eq(number(r.json, "open_comments"), 1);
    http_response_free(&r);

    /* The representative reads the comment and answers it, once. */
    r = call("GET", &p, "/comments", U_REP_CG, NULL);
    ck_assert_int_eq(r.status, 200);
    const cJSON *comment = cJSON_GetArrayItem(items(&r), 0);
    ck_assert_int_eq(cJSON_GetArraySize(items(&r)), 1);
    ck_assert_double_eq(number(comment, "action_id"), (double)p.action[1]);
    ck_assert_str_eq(text(comment, "text"), "Quem será capacitado?");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(comment, "answered")));
    char answer[96];
    snprintf(answer, sizeof answer, "/comments/%.0f/answer", number(comment, "id"));
    http_response_free(&r);
    r = call("POST", &p, answer, U_REP_CG, "{\"answer\":\"Os agentes comunitários\"}");
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "answered")));
    ck_assert_str_eq(text(r.json, "answer"), "Os agentes comunitários");
    http_response_free(&r);
    struct fixture_snapshot before = fixture_snapshot();
    r = call("POST", &p, answer, U_REP_CG, NULL);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    /* The plan is edited, and submitted again: version 2. */
    edit_plan(&p);
    r = expect_plan(call("POST", &p, "/submit", U_REP_CG, "{}"), "submitted");
    ck_assert_double_eq(number(r.json, "current_version"), 2);
    http_response_free(&r);
    r = call("GET", &p, "/versions", U_COUNT, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(cJSON_GetArraySize(items(&r)), 2);
    ck_assert_double_eq(number(cJSON_GetArrayItem(items(&r), 1), "actions"), 3);
    ck_assert_double_eq(number(cJSON_GetArrayItem(items(&r), 1), "deliveries"), 6);
    http_response_free(&r);

    /* Version 1 as it was, without people for the public. */
    r = call("GET", &p, "/versions/1", U_COUNT, NULL);
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    const cJSON *action =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "actions"), 1);
    ck_assert_str_eq(text(action, "title"), "Capacitação de equipes");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(action, "responsible_person")));
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    http_response_free(&r);
    r = call("GET", &p, "/versions/1", U_HEALTH, NULL);
    action = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "actions"), 1);
    ck_assert_str_eq(text(action, "responsible_person"), "Ana Souza");
    http_response_free(&r);
    expect_status(call("GET", &p, "/versions/3", U_COUNT, NULL), 404);

    /* Version 2's diff shows the change, action by action. */
    r = call("GET", &p, "/diff?from=1&to=2", U_COUNT, NULL);
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    const cJSON *actions = cJSON_GetObjectItemCaseSensitive(r.json, "actions");
    const cJSON *changed = cJSON_GetObjectItemCaseSensitive(actions, "changed");
    ck_assert_int_eq(cJSON_GetArraySize(changed), 1);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(actions, "added")), 0);
    const cJSON *one = cJSON_GetArrayItem(changed, 0);
    ck_assert_double_eq(number(one, "id"), (double)p.action[1]);
    const cJSON *change = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(one, "changes"), 0);
    ck_assert_str_eq(text(change, "field"), "title");
    ck_assert_str_eq(text(change, "from"), "Capacitação de equipes");
    ck_assert_str_eq(text(change, "to"), "Capacitação de equipes de saúde");
    const cJSON *delivery =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                               cJSON_GetObjectItemCaseSensitive(one, "deliveries"), "changed"),
                           0);
    ck_assert_str_eq(
        text(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(delivery, "changes"), 0), "to"),
        "2027-04-30");
    http_response_free(&r);

    /* The secretariat approves: the plan is locked. */
    r = expect_plan(call("POST", &p, "/approve", U_HEALTH, "{\"reason\":\"Plano consistente\"}"),
                    "approved");
    ck_assert(!allows(&r, "edit"));
    ck_assert_ptr_nonnull(text(r.json, "approved_at"));
    http_response_free(&r);
    before = fixture_snapshot();
    r = call("POST", &p, "/submit", U_REP_CG, NULL);
    http_expect_problem(&r, 409, "invalid-transition");
    ck_assert_ptr_nonnull(strstr(text(r.json, "detail"), "approved"));
    http_response_free(&r);
    fixture_assert_unchanged(before);

    /* The log: every move in order; names for the state, roles for all. */
    static const char *const moves[] = {"submit", "return", "reopen", "submit", "approve"};
    r = call("GET", &p, "/history", U_COUNT, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(cJSON_GetArraySize(items(&r)), 5);
    for (int i = 0; i < 5; i++) {
        const cJSON *t = cJSON_GetArrayItem(items(&r), i);
        ck_assert_str_eq(text(t, "action"), moves[i]);
        ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(t, "by_name")));
    }
    const cJSON *returned = cJSON_GetArrayItem(items(&r), 1);
    ck_assert_str_eq(text(returned, "reason"), "Detalhar as entregas");
    ck_assert_str_eq(text(returned, "by_role"), "secretariat");
    ck_assert_double_eq(number(cJSON_GetArrayItem(items(&r), 3), "version"), 2);
    http_response_free(&r);
    r = call("GET", &p, "/history", U_HEALTH, NULL);
    ck_assert_ptr_nonnull(text(cJSON_GetArrayItem(items(&r), 0), "by_name"));
    char if_none_match[96];
    snprintf(if_none_match, sizeof if_none_match, "If-None-Match: %s", http_header(&r, "ETag"));
    http_response_free(&r);
    char history[96];
    snprintf(history, sizeof history, "%s/history", p.path);
    r = fixture_call("GET", history, U_HEALTH, NULL, (const char *[]){if_none_match, NULL});
    ck_assert_int_eq(r.status, 304);
    http_response_free(&r);

    /* One audit event per change: two submits, the return, the answer, the
     * approval. */
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity = 'action_plan'"
                                   " AND entity_id = '%ld'",
                                   p.id),
                     4);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE entity = 'plan_comment'"
                                  " AND action = 'answer'"),
                     1);
}
END_TEST

START_TEST(a_plan_breaking_every_rule_is_refused_with_every_problem_at_once)
{
    struct plan p = seed_plan("draft");
    char sql[1024];
    /* action 0 without deliveries; action 1 starting before the cycle, with
     * a delivery without a due date; action 2's initiative unpublished and
     * its delivery due after the cycle; infant mortality's target above the
     * suggested 12 (lower is better) without a justification; no target for
     * vaccination coverage, a main indicator with a state target. */
    snprintf(sql, sizeof sql,
             "DELETE FROM plan_deliveries WHERE action_id = %ld;"
             "UPDATE plan_actions SET start_date = '2020-01-01' WHERE id = %ld;"
             "UPDATE plan_deliveries SET due_date = NULL WHERE action_id = %ld AND position = 0;"
             "UPDATE initiatives SET published = false WHERE id = %ld;"
             "UPDATE plan_deliveries SET due_date = '2028-01-15'"
             " WHERE action_id = %ld AND position = 1;"
             "UPDATE plan_targets SET target_value = 14 WHERE plan_id = %ld AND indicator_id = %ld;"
             "DELETE FROM plan_targets WHERE plan_id = %ld AND indicator_id = %ld",
             p.action[0], p.action[1], p.action[1], w.initiative[2], p.action[2], p.id, w.tmi, p.id,
             w.vac);
    fixture_exec(sql);
    /* The third action was the municipality's own: give it the initiative. */
    snprintf(sql, sizeof sql, "UPDATE plan_actions SET initiative_id = %ld WHERE id = %ld",
             w.initiative[2], p.action[2]);
    fixture_exec(sql);

    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = call("POST", &p, "/submit", U_REP_CG, NULL);
    http_expect_problem(&r, 422, "validation-failed");
    static const char *const fields[] = {
        "actions[0].deliveries",
        "actions[1].start_date",
        "actions[1].deliveries[0].due_date",
        "actions[2].initiative_id",
        "actions[2].deliveries[1].due_date",
        "targets",
        "targets[0].justification",
    };
    size_t n = sizeof fields / sizeof fields[0];
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(fixture_names_error(&r, fields[i], 0), "%s not named in %s", fields[i],
                      buf_cstr(&r.body));
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "errors")),
                     (int)n);
    http_response_free(&r);
    fixture_assert_unchanged(before);

    /* A plan without any action. */
    snprintf(sql, sizeof sql, "DELETE FROM plan_actions WHERE plan_id = %ld", p.id);
    fixture_exec(sql);
    before = fixture_snapshot();
    r = call("POST", &p, "/submit", U_MAYOR_CG, NULL);
    http_expect_problem(&r, 422, "validation-failed");
    ck_assert(fixture_names_error(&r, "actions", 0));
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(a_submission_after_the_deadline_is_refused)
{
    struct plan p = seed_plan("draft");
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE cycles SET plans_due_at = now() - interval '1 minute' WHERE id = %ld",
             w.cycle);
    fixture_exec(sql);
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = call("POST", &p, "/submit", U_REP_CG, NULL);
    http_expect_problem(&r, 422, "plans-deadline-passed");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

/* SPEC 5: plans require an active adhesion. Once it is withdrawn (by SQL
 * here: the withdrawal route is tested with adhesions), the plan can neither
 * be edited nor submitted, and says so in allowed_actions. */
START_TEST(a_plan_of_a_withdrawn_adhesion_is_refused)
{
    struct plan p = seed_plan("draft");
    fixture_exec("UPDATE adhesions SET status = 'withdrawn', withdrawn_at = now()");
    struct http_response r = call("GET", &p, "", U_REP_CG, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "allowed_actions")), 0);
    http_response_free(&r);
    struct fixture_snapshot before = fixture_snapshot();
    r = call("POST", &p, "/submit", U_REP_CG, NULL);
    http_expect_problem(&r, 422, "adhesion-required");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(only_the_plans_municipality_submits_and_only_its_area_reviews)
{
    struct plan p = seed_plan("draft");
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = call("POST", &p, "/submit", U_MAYOR_DOURADOS, NULL);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    r = call("POST", &p, "/submit", U_COUNT, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    r = call("POST", &p, "/submit", U_HEALTH, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    /* A draft is not for review, and is not public. */
    r = call("POST", &p, "/approve", U_HEALTH, NULL);
    http_expect_problem(&r, 409, "invalid-transition");
    ck_assert_ptr_nonnull(strstr(text(r.json, "detail"), "draft"));
    http_response_free(&r);
    expect_status(call("GET", &p, "/history", U_COUNT, NULL), 404);
    expect_status(call("GET", &p, "/versions", U_MAYOR_DOURADOS, NULL), 404);
    fixture_assert_unchanged(before);

    /* Submitted: another area, a municipality and anonymous callers do not
     * review it; another municipality does not see its comments. */
    fixture_exec("UPDATE action_plans SET status = 'submitted'");
    before = fixture_snapshot();
    r = call("POST", &p, "/return", U_EDUCATION, "{\"reason\":\"Não é da minha área\"}");
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = call("POST", &p, "/approve", U_EDUCATION, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = call("POST", &p, "/return", U_MAYOR_CG, "{\"reason\":\"Volta\"}");
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = call("POST", &p, "/approve", U_COUNT, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    r = call("GET", &p, "/comments", U_MAYOR_DOURADOS, NULL);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    r = call("GET", &p, "/comments", U_COUNT, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    expect_status(call("GET", &p, "/comments", U_EDUCATION, NULL), 200);
    expect_status(call("GET", &p, "/history", U_COUNT, NULL), 200);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(bad_bodies_and_bad_diff_parameters_are_refused)
{
    /* Dourados's plan first (seeded as Campo Grande's, then moved): a plan
     * per municipality and challenge. */
    struct plan other = seed_plan("draft");
    fixture_exec("UPDATE action_plans SET municipality_id = '" DOURADOS "'");
    struct plan p = seed_plan("submitted");
    char path[96], foreign[256], a_lot[2002], long_reason[2100];
    memset(a_lot, 'a', sizeof a_lot - 1);
    a_lot[sizeof a_lot - 1] = '\0';
    snprintf(long_reason, sizeof long_reason, "{\"reason\":\"%s\"}", a_lot);
    snprintf(foreign, sizeof foreign,
             "{\"reason\":\"r\",\"comments\":[{\"text\":\"ok\"},"
             "{\"action_id\":%ld,\"text\":\"of another plan\"}]}",
             other.action[0]);
    snprintf(path, sizeof path, "%s/return", p.path);
    const struct fixture_invalid_body returns[] = {
        {"{}", "reason"},
        {"{\"reason\":\"\"}", "reason"},
        {long_reason, "reason"},
        {"{\"reason\":\"r\",\"status\":\"approved\"}", "status"},
        {"{\"reason\":\"r\",\"comments\":{}}", "comments"},
        {"{\"reason\":\"r\",\"comments\":[{}]}", "comments[0].text"},
        {"{\"reason\":\"r\",\"comments\":[{\"text\":\"x\",\"action_id\":\"1\"}]}",
         "comments[0].action_id"},
        {"{\"reason\":\"r\",\"comments\":[{\"text\":\"x\",\"author\":\"y\"}]}",
         "comments[0].author"},
        {foreign, "comments[1].action_id"},
    };
    fixture_expect_invalid_bodies(
        &(struct http_request){.method = "POST", .path = path, .token = fixture_token(U_HEALTH)},
        returns, sizeof returns / sizeof returns[0]);
    snprintf(path, sizeof path, "%s/approve", p.path);
    const struct fixture_invalid_body approvals[] = {{"{\"reason\":7}", "reason"},
                                                     {"{\"approved\":true}", "approved"}};
    fixture_expect_invalid_bodies(
        &(struct http_request){.method = "POST", .path = path, .token = fixture_token(U_HEALTH)},
        approvals, 2);
    fixture_exec("UPDATE action_plans SET status = 'draft' WHERE municipality_id = '" CG "'");
    snprintf(path, sizeof path, "%s/submit", p.path);
    const struct fixture_invalid_body submits[] = {{"{\"status\":\"submitted\"}", "status"}};
    fixture_expect_invalid_bodies(
        &(struct http_request){.method = "POST", .path = path, .token = fixture_token(U_REP_CG)},
        submits, 1);

    /* The diff takes two version numbers. */
    static const char *const bad[] = {"",
                                      "?from=1",
                                      "?to=1",
                                      "?from=0&to=1",
                                      "?from=1&to=x",
                                      "?from=1&to=2&x=3",
                                      "?from=-1&to=2"};
    struct fixture_snapshot before = fixture_snapshot();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char rest[64];
        snprintf(rest, sizeof rest, "/diff%s", bad[i]);
        struct http_response r = call("GET", &p, rest, U_HEALTH, NULL);
        ck_assert_msg(r.status == 400, "%s: %ld", rest, r.status);
        http_response_free(&r);
    }
    expect_status(call("GET", &p, "/diff?from=1&to=2", U_HEALTH, NULL), 404);
    fixture_assert_unchanged(before);
}
END_TEST

Suite *plans_flow_suite(void)
{
    Suite *s = suite_create("plans_flow");
    TCase *tc = tcase_create("workflow");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, submit_return_answer_resubmit_diff_and_approve);
    tcase_add_test(tc, a_plan_breaking_every_rule_is_refused_with_every_problem_at_once);
    tcase_add_test(tc, a_submission_after_the_deadline_is_refused);
    tcase_add_test(tc, a_plan_of_a_withdrawn_adhesion_is_refused);
    tcase_add_test(tc, only_the_plans_municipality_submits_and_only_its_area_reviews);
    tcase_add_test(tc, bad_bodies_and_bad_diff_parameters_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
