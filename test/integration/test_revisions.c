/*
 * Integration tests for the revision of a pacted plan (issue 10,
 * "Revisions"), told as the program's story: Campo Grande's plan for the
 * health challenge SAU-01 is pacted; the health secretariat proposes a
 * revision with a reason and the plan goes under revision; the
 * representative edits it and submits it again (version 2); the secretariat
 * approves it. With its targets unchanged the plan is pacted again under the
 * pact it had; with a target changed it is approved, and the mayor signs a
 * new pact on version 2 — after the pact window closed, as a revision may
 * come any time in the cycle — with a new protocol and the incentives not
 * granted twice. The history shows every step in order. A municipality,
 * another area's secretariat, a plan that is not pacted and a revision
 * without a reason are refused, and the database left as it was.
 *
 * The pact (its signature, targets and grants), the submission and the
 * approval of version 1 are made by other endpoints: seed_world stores
 * their rows with SQL, as those endpoints leave them.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"
#include "plans_support.h"

#include <stdio.h>
#include <string.h>

#define CG_PACTS "{\"mayor_cpf\":\"529.982.247-25\"}"
#define REASON   "{\"reason\":\"A meta de vacinação precisa ser revista após o novo censo.\"}"

static struct {
    long cycle, challenge, tmi, vac, plan_cg, plan_dourados, action, delivery, pact;
    char path[64], revisions[96];
} w;

/* A cycle of MS in its pact window (target year 2027), CG's and Dourados'
 * adhesions, SAU-01 with its two main indicators, two incentives, CG's plan
 * pacted on version 1 (TMI 12, VAC 90; one action with one delivery) with
 * its pact (baseline TMI 15 in 2023), targets, grants and transitions, and
 * Dourados' plan approved. */
static void seed_world(void)
{
    char sql[4096];
    w.cycle = fixture_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments) VALUES ('Ciclo 2027', 50,"
        " now() - interval '20 days', now() - interval '10 days', now() - interval '1 day',"
        " now() + interval '1 hour', 2027, '[\"Pactuar metas\"]') RETURNING id");
    w.challenge = plans_seed_challenge(w.cycle, &w.tmi, &w.vac);
    long adhesion_cg = fixture_longf(
        "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
        " VALUES (%ld, '" CG "', 'MS-2026-910001', %s, '[]') RETURNING id",
        w.cycle, fixture_user_id(U_MAYOR_CG));
    long adhesion_dourados = fixture_longf(
        "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
        " VALUES (%ld, '" DOURADOS "', 'MS-2026-910002', %s, '[]') RETURNING id",
        w.cycle, fixture_user_id(U_MAYOR_DOURADOS));
    snprintf(sql, sizeof sql,
             "INSERT INTO incentives (challenge_id, title, type, amount_cents, source) VALUES"
             " (%ld, 'Repasse fundo a fundo', 'financial', 50000000, 'Fundo Estadual de Saúde'),"
             " (%ld, 'Capacitação de equipes', 'training', NULL, NULL)",
             w.challenge, w.challenge);
    fixture_exec(sql);
#define PLAN                                                                                       \
    "INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id, status,"      \
    " summary, versions, actions_count, deliveries_count, created_by, submitted_at, approved_at)"  \
    " VALUES (%ld, %ld, '%s', %ld, '%s', 'Plano', 1, 1, 1, %s, now() - interval '3 days',"         \
    " now() - interval '2 days') RETURNING id"
    w.plan_cg = fixture_longf(PLAN, w.challenge, w.cycle, CG, adhesion_cg, "pacted",
                              fixture_user_id(U_REP_CG));
    w.plan_dourados = fixture_longf(PLAN, w.challenge, w.cycle, DOURADOS, adhesion_dourados,
                                    "approved", fixture_user_id(U_MAYOR_DOURADOS));
    w.action = fixture_longf("INSERT INTO plan_actions (plan_id, position, title)"
                             " VALUES (%ld, 0, 'Busca ativa de gestantes') RETURNING id",
                             w.plan_cg);
    w.delivery = fixture_longf("INSERT INTO plan_deliveries (action_id, plan_id, position, title,"
                               " due_date) VALUES (%ld, %ld, 0, 'Visitas domiciliares',"
                               " '2027-03-31') RETURNING id",
                               w.action, w.plan_cg);
    snprintf(sql, sizeof sql,
             "INSERT INTO plan_targets (plan_id, indicator_id, target_value) VALUES"
             " (%ld, %ld, 12), (%ld, %ld, 90), (%ld, %ld, 4.5), (%ld, %ld, 98);"
             "INSERT INTO plan_versions (plan_id, number, content, submitted_by)"
             " SELECT p.id, 1, plan_content(p), %s FROM action_plans p WHERE p.id = %ld;"
             "INSERT INTO plan_transitions (plan_id, action, from_status, to_status, version,"
             " user_id, at) VALUES"
             " (%ld, 'submit', 'draft', 'submitted', 1, %s, now() - interval '3 days'),"
             " (%ld, 'approve', 'submitted', 'approved', 1, %s, now() - interval '2 days'),"
             " (%ld, 'pact', 'approved', 'pacted', 1, %s, now() - interval '1 day')",
             w.plan_cg, w.tmi, w.plan_cg, w.vac, w.plan_dourados, w.tmi, w.plan_dourados, w.vac,
             fixture_user_id(U_REP_CG), w.plan_cg, w.plan_cg, fixture_user_id(U_REP_CG), w.plan_cg,
             fixture_user_id(U_HEALTH), w.plan_cg, fixture_user_id(U_MAYOR_CG));
    fixture_exec(sql);
    w.pact = fixture_longf(
        "INSERT INTO pacts (plan_id, plan_version, cycle_id, challenge_id, municipality_id,"
        " adhesion_id, protocol, signed_by, signed_at) VALUES (%ld, 1, %ld, %ld, '" CG "', %ld,"
        " 'MS-P-2026-900001', %s, now() - interval '1 day') RETURNING id",
        w.plan_cg, w.cycle, w.challenge, adhesion_cg, fixture_user_id(U_MAYOR_CG));
    snprintf(sql, sizeof sql,
             "INSERT INTO pact_targets (pact_id, indicator_id, target_value, target_year,"
             " baseline_value, baseline_period) VALUES (%ld, %ld, 12, 2027, 15, '2023'),"
             " (%ld, %ld, 90, 2027, NULL, NULL);"
             "INSERT INTO incentive_grants (incentive_id, municipality_id, pact_id)"
             " SELECT i.id, '" CG "', %ld FROM incentives i WHERE i.challenge_id = %ld",
             w.pact, w.tmi, w.pact, w.vac, w.pact, w.challenge);
    fixture_exec(sql);
    snprintf(w.path, sizeof w.path, "/v1/action-plans/%ld", w.plan_cg);
    snprintf(w.revisions, sizeof w.revisions, "/v1/action-plans/%ld/revisions", w.plan_cg);
}

static void setup(void)
{
    fixture_reset();
    seed_world();
}

static const cJSON *member(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}

static long long_of(const cJSON *obj, const char *name)
{
    const cJSON *v = member(obj, name);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
    return (long)v->valuedouble;
}

static const char *status_of(const cJSON *plan) { return member(plan, "status")->valuestring; }

/* POSTs body to path as who, asserting the status; returns the response. */
static struct http_response post(const char *path, enum fixture_user who, const char *body,
                                 long status)
{
    struct http_response r = fixture_call("POST", path, who, body, NULL);
    ck_assert_msg(r.status == status, "POST %s: %ld %s", path, r.status, buf_cstr(&r.body));
    return r;
}

/* The secretariat proposes the revision: 200 with the plan under revision. */
static void revise(void)
{
    long audit = fixture_count("audit_events");
    struct http_response r = post(w.revisions, U_HEALTH, REASON, 200);
    ck_assert_str_eq(status_of(r.json), "under_revision");
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("audit_events"), audit + 1);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE action = 'revise'"
                                   " AND entity = 'action_plan' AND entity_id = '%ld'"
                                   " AND before->>'status' = 'pacted'"
                                   " AND after->>'status' = 'under_revision'",
                                   w.plan_cg),
                     1);
}

/* The representative replaces the plan's document (PUT with the plan's
 * ETag), the TMI target at `tmi`, and submits it: version 2. */
static void edit_and_submit(const char *tmi)
{
    struct http_response r = fixture_call("GET", w.path, U_REP_CG, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    char im[128], body[1024];
    snprintf(im, sizeof im, "If-Match: %s", http_header(&r, "ETag"));
    http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"summary\":\"Plano revisto\",\"targets\":[{\"indicator_id\":%ld,"
             "\"target_value\":%s},{\"indicator_id\":%ld,\"target_value\":90}],"
             "\"actions\":[{\"id\":%ld,\"title\":\"Busca ativa de gestantes e puérperas\","
             "\"deliveries\":[{\"id\":%ld,\"title\":\"Visitas domiciliares\","
             "\"due_date\":\"2027-03-31\"}]}]}",
             w.tmi, tmi, w.vac, w.action, w.delivery);
    r = fixture_call("PUT", w.path, U_REP_CG, body, (const char *[]){im, NULL});
    ck_assert_msg(r.status == 200, "PUT: %ld %s", r.status, buf_cstr(&r.body));
    ck_assert_str_eq(status_of(r.json), "under_revision");
    http_response_free(&r);
    char submit[96];
    snprintf(submit, sizeof submit, "%s/submit", w.path);
    r = post(submit, U_REP_CG, NULL, 200);
    ck_assert_str_eq(status_of(r.json), "submitted");
    ck_assert_int_eq(long_of(r.json, "current_version"), 2);
    http_response_free(&r);
}

/* The secretariat approves version 2, which leaves the plan `expected`. */
static void approve(const char *expected)
{
    char approve[96];
    snprintf(approve, sizeof approve, "%s/approve", w.path);
    struct http_response r = post(approve, U_HEALTH, NULL, 200);
    ck_assert_str_eq(status_of(r.json), expected);
    http_response_free(&r);
}

/* The plan's history: its transitions' actions and to-statuses, in order,
 * as "action>status,..." */
static void expect_history(const char *expected)
{
    char path[96], got[512] = "";
    snprintf(path, sizeof path, "%s/history", w.path);
    struct http_response r = http_get(path, NULL);
    ck_assert_int_eq(r.status, 200);
    const cJSON *t;
    cJSON_ArrayForEach(t, member(r.json, "items"))
    {
        size_t n = strlen(got);
        snprintf(got + n, sizeof got - n, "%s%s>%s", n ? "," : "", member(t, "action")->valuestring,
                 member(t, "to_status")->valuestring);
    }
    http_response_free(&r);
    ck_assert_str_eq(got, expected);
}

START_TEST(a_revision_with_unchanged_targets_returns_the_plan_to_its_pact)
{
    revise();
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM plan_transitions WHERE plan_id = %ld"
                                   " AND action = 'revise' AND from_status = 'pacted'"
                                   " AND to_status = 'under_revision' AND version = 1"
                                   " AND reason LIKE 'A meta de vacinação%%' AND user_id = %s",
                                   w.plan_cg, fixture_user_id(U_HEALTH)),
                     1);
    /* Under revision the public still sees the plan, and its latest pact. */
    struct http_response r = http_get(w.path, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(status_of(r.json), "under_revision");
    ck_assert_int_eq(long_of(member(r.json, "pact"), "id"), w.pact);
    http_response_free(&r);

    /* The plans deadline has passed: a revision's resubmission ignores it. */
    fixture_exec("UPDATE cycles SET plans_due_at = adhesion_opens_at + interval '1 day'");
    edit_and_submit("12.0");
    approve("pacted");
    r = http_get(w.path, NULL);
    ck_assert_str_eq(status_of(r.json), "pacted");
    ck_assert_int_eq(long_of(r.json, "current_version"), 2);
    ck_assert_int_eq(long_of(member(r.json, "pact"), "id"), w.pact);
    ck_assert_str_eq(member(r.json, "summary")->valuestring, "Plano revisto");
    http_response_free(&r);
    /* No new pact, no new grant. */
    ck_assert_int_eq(fixture_count("pacts"), 1);
    ck_assert_int_eq(fixture_count("incentive_grants"), 2);
    expect_history("submit>submitted,approve>approved,pact>pacted,revise>under_revision,"
                   "submit>submitted,approve>pacted");
}
END_TEST

START_TEST(a_changed_target_needs_a_new_pact_signed_by_the_mayor)
{
    revise();
    edit_and_submit("11");
    approve("approved");
    struct http_response r = fixture_call("GET", w.path, U_MAYOR_CG, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "\"pact\"]")); /* allowed_actions */
    http_response_free(&r);

    /* The pact window has closed: a revised plan is signed again all the
     * same, the target year not over; a plan never pacted is not. */
    fixture_exec("UPDATE cycles SET pact_opens_at = now() - interval '2 days',"
                 " pact_closes_at = now() - interval '1 hour'");
    char path[96];
    snprintf(path, sizeof path, "/v1/action-plans/%ld/pact", w.plan_dourados);
    struct fixture_snapshot before = fixture_snapshot();
    r = fixture_call("POST", path, U_MAYOR_DOURADOS, "{\"mayor_cpf\":\"11144477735\"}", NULL);
    http_expect_problem(&r, 422, "pact-window-closed");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    snprintf(path, sizeof path, "%s/pact", w.path);
    r = post(path, U_MAYOR_CG, CG_PACTS, 201);
    long pact = long_of(r.json, "id");
    ck_assert_int_ne(pact, w.pact);
    ck_assert_int_eq(long_of(r.json, "plan_version"), 2);
    ck_assert_str_ne(member(r.json, "protocol")->valuestring, "MS-P-2026-900001");
    const cJSON *tmi = cJSON_GetArrayItem(member(r.json, "targets"), 0);
    ck_assert_double_eq(member(tmi, "target_value")->valuedouble, 11);
    http_response_free(&r);

    /* The plan is pacted again, its pact the new one; the incentives stay
     * granted once, by the first pact. */
    r = http_get(w.path, NULL);
    ck_assert_str_eq(status_of(r.json), "pacted");
    ck_assert_int_eq(long_of(member(r.json, "pact"), "id"), pact);
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("pacts"), 2);
    ck_assert_int_eq(
        fixture_longf("SELECT count(*) FROM incentive_grants WHERE pact_id = %ld", w.pact), 2);
    ck_assert_int_eq(fixture_count("incentive_grants"), 2);
    expect_history("submit>submitted,approve>approved,pact>pacted,revise>under_revision,"
                   "submit>submitted,approve>approved,pact>pacted");
}
END_TEST

START_TEST(only_the_areas_secretariat_revises_a_pacted_plan_with_a_reason)
{
    char dourados[96];
    snprintf(dourados, sizeof dourados, "/v1/action-plans/%ld/revisions", w.plan_dourados);
    const struct {
        const char *path;
        int who;
        const char *body;
        long status;
        const char *slug, *mention;
    } cases[] = {
        {w.revisions, U_REP_CG, REASON, 403, "forbidden", NULL},
        {w.revisions, U_MAYOR_CG, REASON, 403, "forbidden", NULL},
        {w.revisions, U_EDUCATION, REASON, 403, "forbidden", "health"},
        {w.revisions, -1, REASON, 401, "unauthenticated", NULL},
        {dourados, U_HEALTH, REASON, 409, "invalid-transition", "approved"},
        {w.revisions, U_HEALTH, "{}", 422, "validation-failed", "\"reason\""},
        {w.revisions, U_HEALTH, NULL, 422, "validation-failed", "\"reason\""},
        {w.revisions, U_HEALTH, "{\"reason\":\"\"}", 422, "validation-failed", "\"reason\""},
        {w.revisions, U_HEALTH, "{\"reason\":\"x\",\"why\":1}", 422, "validation-failed",
         "\"why\""},
        {"/v1/action-plans/999999999/revisions", U_HEALTH, REASON, 404, "not-found", NULL},
    };
    struct fixture_snapshot before = fixture_snapshot();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_response r = cases[i].who < 0 ? http_post(cases[i].path, NULL, cases[i].body)
                                                  : fixture_call("POST", cases[i].path,
                                                                 cases[i].who, cases[i].body, NULL);
        ck_assert_msg(r.status == cases[i].status, "case %zu: %ld %s", i, r.status,
                      buf_cstr(&r.body));
        http_expect_problem(&r, cases[i].status, cases[i].slug);
        if (cases[i].mention)
            ck_assert_msg(strstr(buf_cstr(&r.body), cases[i].mention), "case %zu: %s", i,
                          buf_cstr(&r.body));
        http_response_free(&r);
        fixture_assert_unchanged(before);
    }
    /* A draft is not pacted either. */
    fixture_longf("UPDATE action_plans SET status = 'draft' WHERE id = %ld RETURNING id",
                  w.plan_dourados);
    before = fixture_snapshot();
    struct http_response r = fixture_call("POST", dourados, U_HEALTH, REASON, NULL);
    http_expect_problem(&r, 409, "invalid-transition");
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "draft"));
    http_response_free(&r);
    fixture_assert_unchanged(before);

    /* Once under revision, not again; the coordination may revise too. */
    r = fixture_call("GET", w.path, U_HEALTH, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "\"revise\""));
    http_response_free(&r);
    r = post(w.revisions, U_COORDINATION, REASON, 200);
    http_response_free(&r);
    before = fixture_snapshot();
    r = fixture_call("POST", w.revisions, U_HEALTH, REASON, NULL);
    http_expect_problem(&r, 409, "invalid-transition");
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "under_revision"));
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

Suite *revisions_suite(void)
{
    Suite *s = suite_create("revisions");
    TCase *tc = tcase_create("revisions");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, a_revision_with_unchanged_targets_returns_the_plan_to_its_pact);
    tcase_add_test(tc, a_changed_target_needs_a_new_pact_signed_by_the_mayor);
    tcase_add_test(tc, only_the_areas_secretariat_revises_a_pacted_plan_with_a_reason);
    suite_add_tcase(s, tc);
    return s;
}
