/*
 * Integration tests for the public status of deliveries and a plan's
 * progress (issue 10, "Evidence" and open data): Campo Grande's pacted plan
 * has five deliveries — one with its evidence accepted (done), one past its
 * due date with nothing accepted (late), one whose evidence was rejected,
 * one whose evidence was rejected and then submitted again (awaiting
 * review), and one not yet due (pending). Anyone reads their statuses, per
 * plan and for the whole cycle, in JSON pages and as CSV, filtered by
 * challenge, municipality and status — never the evidence, its files or the
 * names of who reviewed it; Dourados' plan, not pacted, is not in the
 * cycle's list, and its draft is not found by the public. The plan's
 * progress is the weighted mean of its deliveries done.
 *
 * The plans, the pact and the evidence are made by other endpoints: this
 * suite seeds their rows with SQL, as those endpoints store them.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"
#include "plans_support.h"

#include <stdio.h>
#include <string.h>

#define DELIVERIES_CSV_HEADER                                                                      \
    "id,plan_id,challenge_id,challenge_code,municipality_id,municipality_name,plan_status,"        \
    "action_id,action_title,title,due_date,weight,status,done_at\r\n"

static struct {
    long cycle, challenge, tmi, vac, plan_cg, plan_dourados, action, d[5];
    char plan[96], list[64];
} w;

/* Evidence of delivery d by CG's representative in a status, reviewed by
 * the health secretariat unless submitted. */
static void seed_evidence(long d, const char *status, const char *when)
{
    char sql[1024];
    bool reviewed = strcmp(status, "submitted") != 0;
    snprintf(sql, sizeof sql,
             "INSERT INTO evidence (delivery_id, plan_id, description, status, submitted_by,"
             " reviewed_by, reviewed_at, review_reason) VALUES (%ld, %ld,"
             " 'Relatório sigiloso de visitas', '%s', %s, %s, %s, %s)",
             d, w.plan_cg, status, fixture_user_id(U_REP_CG),
             reviewed ? fixture_user_id(U_HEALTH) : "NULL", reviewed ? when : "NULL",
             strcmp(status, "rejected") == 0 ? "'Faltam as assinaturas'" : "NULL");
    fixture_exec(sql);
}

/* A cycle of MS (target year 2027), SAU-01, CG's pacted plan with one
 * action and five deliveries in every status, and Dourados' approved plan
 * with one delivery. */
static void seed_world(void)
{
    w.cycle = fixture_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments) VALUES ('Ciclo 2027', 50,"
        " now() - interval '60 days', now() - interval '50 days', now() - interval '40 days',"
        " now() - interval '30 days', 2027, '[]') RETURNING id");
    w.challenge = plans_seed_challenge(w.cycle, &w.tmi, &w.vac);
    const char *towns[] = {CG, DOURADOS};
    const char *statuses[] = {"pacted", "approved"};
    long *plans[] = {&w.plan_cg, &w.plan_dourados};
    for (int i = 0; i < 2; i++) {
        long adhesion = fixture_longf(
            "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
            " VALUES (%ld, '%s', 'MS-2026-92000%d', %s, '[]') RETURNING id",
            w.cycle, towns[i], i, fixture_user_id(i ? U_MAYOR_DOURADOS : U_MAYOR_CG));
        *plans[i] = fixture_longf(
            "INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id,"
            " status, summary, versions, created_by) VALUES (%ld, %ld, '%s', %ld, '%s', 'Plano',"
            " 1, %s) RETURNING id",
            w.challenge, w.cycle, towns[i], adhesion, statuses[i], fixture_user_id(U_REP_CG));
    }
    w.action = fixture_longf("INSERT INTO plan_actions (plan_id, position, title)"
                             " VALUES (%ld, 0, 'Busca ativa de gestantes') RETURNING id",
                             w.plan_cg);
    static const char *const deliveries[][2] = {
        {"Cadastro no e-SUS", "current_date + 30"},    {"Visitas domiciliares", "current_date - 5"},
        {"Relatório mensal", "current_date + 30"},     {"Capacitação", "current_date + 30"},
        {"Mutirão de consultas", "current_date + 60"},
    };
    for (int i = 0; i < 5; i++)
        w.d[i] = fixture_longf("INSERT INTO plan_deliveries (action_id, plan_id, position, title,"
                               " due_date) VALUES (%ld, %ld, %d, '%s', %s) RETURNING id",
                               w.action, w.plan_cg, i, deliveries[i][0], deliveries[i][1]);
    long other = fixture_longf("INSERT INTO plan_actions (plan_id, position, title)"
                               " VALUES (%ld, 0, 'Ação de Dourados') RETURNING id",
                               w.plan_dourados);
    fixture_longf("INSERT INTO plan_deliveries (action_id, plan_id, position, title, due_date)"
                  " VALUES (%ld, %ld, 0, 'Entrega de Dourados', current_date) RETURNING id",
                  other, w.plan_dourados);
    seed_evidence(w.d[0], "accepted", "'2026-11-20T12:00:00Z'");
    seed_evidence(w.d[2], "rejected", "now()");
    seed_evidence(w.d[3], "rejected", "now() - interval '1 day'");
    seed_evidence(w.d[3], "submitted", NULL);
    snprintf(w.plan, sizeof w.plan, "/v1/action-plans/%ld/deliveries", w.plan_cg);
    snprintf(w.list, sizeof w.list, "/v1/cycles/%ld/deliveries", w.cycle);
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

static const char *text(const cJSON *obj, const char *name)
{
    return cJSON_GetStringValue(member(obj, name));
}

/* GETs path anonymously, asserting 200; the caller frees it. */
static struct http_response get(const char *path)
{
    struct http_response r = http_get(path, NULL);
    ck_assert_msg(r.status == 200, "GET %s: %ld %s", path, r.status, buf_cstr(&r.body));
    return r;
}

/* The statuses of the items of path's answer, comma-separated. */
static void expect_statuses(const char *path, const char *expected)
{
    struct http_response r = get(path);
    char got[256] = "";
    const cJSON *d;
    cJSON_ArrayForEach(d, member(r.json, "items"))
    {
        size_t n = strlen(got);
        snprintf(got + n, sizeof got - n, "%s%s", n ? "," : "", text(d, "status"));
    }
    http_response_free(&r);
    ck_assert_msg(strcmp(got, expected) == 0, "%s: %s, not %s", path, got, expected);
}

/* Nothing of the evidence, its review or the people in it. */
static void expect_no_evidence(const char *body)
{
    ck_assert_ptr_null(strstr(body, "sigiloso"));
    ck_assert_ptr_null(strstr(body, "assinaturas"));
    ck_assert_ptr_null(strstr(body, "@test.pacto"));
    ck_assert_ptr_null(strstr(body, "reviewed_by"));
}

START_TEST(the_public_sees_the_status_of_a_pacted_plans_deliveries)
{
    struct http_response r = get(w.plan);
    const cJSON *items = member(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 5);
    const cJSON *done = cJSON_GetArrayItem(items, 0);
    ck_assert_int_eq((long)member(done, "id")->valuedouble, w.d[0]);
    ck_assert_int_eq((long)member(done, "action_id")->valuedouble, w.action);
    ck_assert_str_eq(text(done, "action_title"), "Busca ativa de gestantes");
    ck_assert_str_eq(text(done, "title"), "Cadastro no e-SUS");
    ck_assert_str_eq(text(done, "done_at"), "2026-11-20T12:00:00Z");
    ck_assert(cJSON_IsNull(member(done, "weight")));
    ck_assert(cJSON_IsString(member(done, "due_date")));
    for (int i = 1; i < 5; i++)
        ck_assert(cJSON_IsNull(member(cJSON_GetArrayItem(items, i), "done_at")));
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    expect_no_evidence(buf_cstr(&r.body));
    http_response_free(&r);
    expect_statuses(w.plan, "done,late,rejected,submitted,pending");

    /* Filtered by status; a status that is none, or another parameter, 400. */
    char path[160];
    snprintf(path, sizeof path, "%s?status=late", w.plan);
    expect_statuses(path, "late");
    snprintf(path, sizeof path, "%s?status=accepted", w.plan);
    ck_assert_int_eq(fixture_get_status(path, NULL), 400);
    snprintf(path, sizeof path, "%s?evidence=1", w.plan);
    ck_assert_int_eq(fixture_get_status(path, NULL), 400);

    /* The progress: one delivery of five done, no weights. */
    snprintf(path, sizeof path, "/v1/action-plans/%ld", w.plan_cg);
    r = get(path);
    ck_assert_double_eq_tol(member(r.json, "progress")->valuedouble, 0.2, 1e-9);
    http_response_free(&r);

    /* A draft is not the public's: 404, but its municipality sees it. */
    fixture_longf("UPDATE action_plans SET status = 'draft' WHERE id = %ld RETURNING id",
                  w.plan_dourados);
    snprintf(path, sizeof path, "/v1/action-plans/%ld/deliveries", w.plan_dourados);
    ck_assert_int_eq(fixture_get_status(path, NULL), 404);
    ck_assert_int_eq(fixture_get_status(path, fixture_token(U_MAYOR_CG)), 404);
    r = fixture_call("GET", path, U_MAYOR_DOURADOS, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(text(cJSON_GetArrayItem(member(r.json, "items"), 0), "status"), "pending");
    http_response_free(&r);
    ck_assert_int_eq(fixture_get_status("/v1/action-plans/999999999/deliveries", NULL), 404);

    /* The same list as CSV: open data; a draft's is still not the public's. */
    const char *csv[] = {"Accept: text/csv", NULL};
    snprintf(path, sizeof path, "%s?status=late", w.plan);
    r = fixture_call("GET", path, U_COUNT, NULL, csv);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(strncmp(buf_cstr(&r.body),
                          "id,action_id,action_title,title,due_date,weight,status,done_at\r\n",
                          64) == 0,
                  "%s", buf_cstr(&r.body));
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), ",late,\r\n"));
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), ",done,"));
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/action-plans/%ld/deliveries", w.plan_dourados);
    r = fixture_call("GET", path, U_COUNT, NULL, csv);
    ck_assert_int_eq(r.status, 404);
    http_response_free(&r);
}
END_TEST

START_TEST(anyone_downloads_the_cycles_deliveries_filtered)
{
    /* Only the pacted plan's, by id; Dourados' approved plan is not in
     * execution. */
    expect_statuses(w.list, "done,late,rejected,submitted,pending");
    struct http_response r = get(w.list);
    const cJSON *first = cJSON_GetArrayItem(member(r.json, "items"), 0);
    ck_assert_int_eq((long)member(first, "plan_id")->valuedouble, w.plan_cg);
    ck_assert_str_eq(text(first, "municipality_id"), CG);
    ck_assert_str_eq(text(first, "municipality_name"), "Campo Grande");
    ck_assert_str_eq(text(first, "challenge_code"), "SAU-01");
    ck_assert_str_eq(text(first, "plan_status"), "pacted");
    ck_assert(cJSON_IsNull(member(r.json, "next_cursor")));
    expect_no_evidence(buf_cstr(&r.body));
    http_response_free(&r);

    char path[192];
    snprintf(path, sizeof path, "%s?status=rejected", w.list);
    expect_statuses(path, "rejected");
    snprintf(path, sizeof path, "%s?municipality_id=" CG "&challenge_id=%ld&status=done", w.list,
             w.challenge);
    expect_statuses(path, "done");
    snprintf(path, sizeof path, "%s?municipality_id=" DOURADOS, w.list);
    expect_statuses(path, "");
    snprintf(path, sizeof path, "%s?challenge_id=%ld", w.list, w.challenge + 1000);
    expect_statuses(path, "");
    /* Under revision the plan is still in execution. */
    fixture_longf("UPDATE action_plans SET status = 'under_revision' WHERE id = %ld RETURNING id",
                  w.plan_cg);
    expect_statuses(w.list, "done,late,rejected,submitted,pending");

    /* Cursor pages. */
    snprintf(path, sizeof path, "%s?limit=2", w.list);
    r = get(path);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 2);
    ck_assert(cJSON_IsString(member(r.json, "next_cursor")));
    http_response_free(&r);

    /* The whole list as CSV. */
    r = http_do(&(struct http_request){
        .method = "GET", .path = w.list, .headers = (const char *[]){"Accept: text/csv", NULL}});
    ck_assert_int_eq(r.status, 200);
    const char *body = buf_cstr(&r.body);
    ck_assert_msg(strncmp(body, DELIVERIES_CSV_HEADER, strlen(DELIVERIES_CSV_HEADER)) == 0, "%s",
                  body);
    char row[256];
    snprintf(row, sizeof row,
             "\r\n%ld,%ld,%ld,SAU-01," CG ",Campo Grande,under_revision,%ld,"
             "Busca ativa de gestantes,Cadastro no e-SUS,",
             w.d[0], w.plan_cg, w.challenge, w.action);
    ck_assert_msg(strstr(body, row), "%s", body);
    ck_assert_ptr_nonnull(strstr(body, ",,done,2026-11-20T12:00:00Z\r\n"));
    ck_assert_ptr_nonnull(strstr(body, ",,late,\r\n"));
    int lines = 0;
    for (const char *p = body; (p = strstr(p, "\r\n")); p += 2)
        lines++;
    ck_assert_int_eq(lines, 6);
    expect_no_evidence(body);
    http_response_free(&r);

    /* Bad filters 400; an unknown cycle 404. */
    const char *bad[] = {"?status=accepted", "?municipality_id=123", "?challenge_id=x",
                         "?plan_id=1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "%s%s", w.list, bad[i]);
        ck_assert_msg(fixture_get_status(path, NULL) == 400, "%s", path);
    }
    ck_assert_int_eq(fixture_get_status("/v1/cycles/999999999/deliveries", NULL), 404);
}
END_TEST

START_TEST(a_plans_progress_is_the_weighted_mean_of_its_deliveries_done)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/action-plans/%ld", w.plan_cg);
    /* Two deliveries weighing 3 and 1, the light one done: 1 / 4. */
    char sql[512];
    snprintf(sql, sizeof sql,
             "DELETE FROM evidence WHERE delivery_id IN (%ld, %ld, %ld);"
             "DELETE FROM plan_deliveries WHERE id IN (%ld, %ld, %ld);"
             "UPDATE plan_deliveries SET weight = 3 WHERE id = %ld;"
             "UPDATE plan_deliveries SET weight = 1 WHERE id = %ld",
             w.d[1], w.d[2], w.d[4], w.d[1], w.d[2], w.d[4], w.d[3], w.d[0]);
    fixture_exec(sql);
    struct http_response r = get(path);
    ck_assert_double_eq_tol(member(r.json, "progress")->valuedouble, 0.25, 1e-9);
    const cJSON *by_action = member(r.json, "progress_by_action");
    ck_assert_int_eq(cJSON_GetArraySize(by_action), 1);
    ck_assert_int_eq((long)member(cJSON_GetArrayItem(by_action, 0), "action_id")->valuedouble,
                     w.action);
    ck_assert_double_eq_tol(member(cJSON_GetArrayItem(by_action, 0), "progress")->valuedouble, 0.25,
                            1e-9);
    http_response_free(&r);
    /* It rolls up from each action's deliveries: a second action, its one
     * delivery (weight 4) not done, brings the plan to 1 / 8. */
    long second = fixture_longf("INSERT INTO plan_actions (plan_id, position, title)"
                                " VALUES (%ld, 1, 'Segunda ação') RETURNING id",
                                w.plan_cg);
    fixture_longf("INSERT INTO plan_deliveries (action_id, plan_id, position, title, due_date,"
                  " weight) VALUES (%ld, %ld, 0, 'Entrega', current_date + 30, 4) RETURNING id",
                  second, w.plan_cg);
    r = get(path);
    ck_assert_double_eq_tol(member(r.json, "progress")->valuedouble, 0.125, 1e-9);
    by_action = member(r.json, "progress_by_action");
    ck_assert_int_eq(cJSON_GetArraySize(by_action), 2);
    ck_assert_double_eq_tol(member(cJSON_GetArrayItem(by_action, 1), "progress")->valuedouble, 0,
                            1e-9);
    http_response_free(&r);
    snprintf(sql, sizeof sql, "DELETE FROM plan_actions WHERE id = %ld", second);
    fixture_exec(sql);
    /* Without weights, the plain mean: 1 / 2. */
    fixture_exec("UPDATE plan_deliveries SET weight = NULL");
    r = get(path);
    ck_assert_double_eq_tol(member(r.json, "progress")->valuedouble, 0.5, 1e-9);
    http_response_free(&r);
    /* Without deliveries, none. */
    snprintf(sql, sizeof sql, "DELETE FROM plan_deliveries WHERE plan_id = %ld", w.plan_cg);
    fixture_exec("DELETE FROM evidence");
    fixture_exec(sql);
    r = get(path);
    ck_assert(cJSON_IsNull(member(r.json, "progress")));
    http_response_free(&r);
}
END_TEST

Suite *deliveries_suite(void)
{
    Suite *s = suite_create("deliveries");
    TCase *tc = tcase_create("deliveries");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, the_public_sees_the_status_of_a_pacted_plans_deliveries);
    tcase_add_test(tc, anyone_downloads_the_cycles_deliveries_filtered);
    tcase_add_test(tc, a_plans_progress_is_the_weighted_mean_of_its_deliveries_done);
    suite_add_tcase(s, tc);
    return s;
}
