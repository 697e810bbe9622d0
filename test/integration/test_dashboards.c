/*
 * Integration tests for the dashboards (SPEC 1, steps 9-11), told as the
 * program's story: a cycle of Mato Grosso do Sul that four municipalities
 * joined, its health challenge SAU-01 with plans in several statuses —
 * Campo Grande's and Dourados' pacted, Três Lagoas' submitted, Corumbá's a
 * draft — and an education challenge nobody took up. Campo Grande's
 * deliveries are done on time, done late, late, awaiting review, rejected
 * and pending; its pact is on track and Dourados' off track; the pacts
 * granted three incentives. Anyone, anonymously, reads the cycle's, the
 * challenge's and a municipality's dashboards in JSON and CSV, and every
 * count matches the data; a dashboard is 304 while nothing changed, and new
 * indicator values that put a pact off track show at once.
 *
 * Plans, pacts, deliveries, evidence, indicator values and grants are made
 * by other endpoints: this suite seeds their rows with SQL (seed_world), as
 * those endpoints store them.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"
#include "plans_support.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static struct {
    long cycle, health, education;
    char cycle_dashboard[64], health_dashboard[64], cg_dashboard[96];
} w;

/* The deliveries of the story, by title, and what they are: d1..d6 Campo
 * Grande's, d7..d8 Dourados', d9 on Três Lagoas' submitted plan (no pact:
 * not monitored, so counted nowhere). Due dates and review dates are days
 * from today; d1 weighs 3, the others 1. */
static const char *const SEED_SQL[] = {
    /* Three more of Mato Grosso do Sul's municipalities: five in all. */
    "INSERT INTO municipalities (ibge_code, name, state_code) VALUES"
    " ('5008305', 'Três Lagoas', 50), ('5003207', 'Corumbá', 50), ('5002407', 'Caarapó', 50)",
    "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
    " SELECT c.id, m.code, 'MS-2026-95000' || m.n, u.id, '[]'"
    "   FROM cycles c, users u, (VALUES ('" CG "', 1), ('" DOURADOS "', 2), ('5008305', 3),"
    "                                   ('5003207', 4)) m (code, n)"
    "  WHERE c.name = 'Ciclo Painel' AND u.email = 'coord@test.pacto'",
    "INSERT INTO incentives (challenge_id, title, type, amount_cents, source)"
    " SELECT id, 'Repasse fundo a fundo', 'financial', 50000000, 'Fundo Estadual de Saúde'"
    "   FROM challenges WHERE code = 'SAU-01'"
    " UNION ALL SELECT id, 'Capacitação de equipes', 'training', NULL, NULL"
    "   FROM challenges WHERE code = 'SAU-01'",
    "INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id, status,"
    "                          summary, versions, created_by, submitted_at, approved_at)"
    " SELECT ch.id, ch.cycle_id, a.municipality_id, a.id, s.status, 'Plano', 1, u.id,"
    "        now() - interval '30 days', now() - interval '29 days'"
    "   FROM challenges ch JOIN adhesions a ON a.cycle_id = ch.cycle_id"
    "   JOIN (VALUES ('" CG "', 'pacted'), ('" DOURADOS "', 'pacted'), ('5008305', 'submitted'),"
    "                ('5003207', 'draft')) s (code, status) ON s.code = a.municipality_id,"
    "        users u"
    "  WHERE ch.code = 'SAU-01' AND u.email = 'coord@test.pacto'",
    "INSERT INTO plan_actions (plan_id, position, title)"
    " SELECT id, 0, 'Ação' FROM action_plans WHERE status IN ('pacted', 'submitted')",
    "INSERT INTO plan_deliveries (action_id, plan_id, position, title, due_date, weight)"
    " SELECT a.id, a.plan_id, d.pos, d.title, current_date + d.due, d.weight"
    "   FROM plan_actions a JOIN action_plans p ON p.id = a.plan_id"
    "   JOIN (VALUES ('" CG "', 0, 'd1', -10, 3), ('" CG "', 1, 'd2', -10, NULL),"
    "                ('" CG "', 2, 'd3', -5, NULL), ('" CG "', 3, 'd4', 10, NULL),"
    "                ('" CG "', 4, 'd5', 10, NULL), ('" CG "', 5, 'd6', 20, NULL),"
    "                ('" DOURADOS "', 0, 'd7', -3, NULL), ('" DOURADOS "', 1, 'd8', 5, NULL),"
    "                ('5008305', 0, 'd9', -10, NULL)) d (code, pos, title, due, weight)"
    "     ON d.code = p.municipality_id",
    /* d1 accepted 2 days before its due date (on time), d2 5 days after
     * (done, late), d4 awaiting review, d5 and d7 rejected (d7 past due:
     * late). */
    "INSERT INTO evidence (delivery_id, plan_id, description, status, submitted_by,"
    "                      submitted_at, reviewed_by, reviewed_at, review_reason)"
    " SELECT d.id, d.plan_id, 'Evidência', e.status, u.id, now() - interval '20 days',"
    "        CASE WHEN e.status <> 'submitted' THEN u.id END,"
    "        (current_date + e.reviewed)::timestamptz + interval '12 hours',"
    "        CASE WHEN e.status = 'rejected' THEN 'Ilegível' END"
    "   FROM plan_deliveries d"
    "   JOIN (VALUES ('d1', 'accepted', -12), ('d2', 'accepted', -5), ('d4', 'submitted', NULL),"
    "                ('d5', 'rejected', -1), ('d7', 'rejected', -4)) e (title, status, reviewed)"
    "     ON e.title = d.title, users u"
    "  WHERE u.email = 'rep.cg@test.pacto'",
    "INSERT INTO pacts (plan_id, plan_version, cycle_id, challenge_id, municipality_id,"
    "                   adhesion_id, protocol, signed_by)"
    " SELECT id, 1, cycle_id, challenge_id, municipality_id, adhesion_id,"
    "        'MS-P-2026-9' || municipality_id, created_by"
    "   FROM action_plans WHERE status = 'pacted'",
    /* Both pacts: TMI from 15 (2023) to 10 (2027), VAC from 80 to 95. */
    "INSERT INTO pact_targets (pact_id, indicator_id, target_value, target_year, baseline_value,"
    "                          baseline_period)"
    " SELECT k.id, i.id, t.target, 2027, t.baseline, '2023'"
    "   FROM pacts k, indicators i,"
    "        (VALUES ('TMI', 10, 15), ('VAC', 95, 80)) t (code, target, baseline)"
    "  WHERE i.code = t.code",
    /* Halfway (2025): CG's TMI halfway to the target and its VAC two thirds
     * (on track); Dourados' TMI where it started (off track), no VAC. */
    "INSERT INTO indicator_values (indicator_id, municipality_id, period, value)"
    " SELECT i.id, v.code, v.period, v.value FROM indicators i"
    "   JOIN (VALUES ('" CG "', 'TMI', '2023', 15), ('" CG "', 'TMI', '2025', 12.5),"
    "                ('" CG "', 'VAC', '2025', 90), ('" DOURADOS "', 'TMI', '2025', 15))"
    "        v (code, ind, period, value) ON i.code = v.ind",
    /* CG's pact granted both incentives, Dourados' the financial one. */
    "INSERT INTO incentive_grants (incentive_id, municipality_id, pact_id)"
    " SELECT i.id, k.municipality_id, k.id FROM pacts k"
    "   JOIN incentives i ON i.challenge_id = k.challenge_id"
    "  WHERE k.municipality_id = '" CG "' OR i.type = 'financial'",
};

static void seed_world(void)
{
    w.cycle = fixture_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments) VALUES ('Ciclo Painel', 50,"
        " now() - interval '60 days', now() - interval '50 days', now() - interval '40 days',"
        " now() + interval '10 days', 2027, '[\"Pactuar metas\"]') RETURNING id");
    long tmi, vac;
    w.health = plans_seed_challenge(w.cycle, &tmi, &vac);
    w.education = fixture_longf("INSERT INTO challenges (cycle_id, code, title, area,"
                                " responsible_area) VALUES (%ld, 'EDU-01', 'Alfabetização',"
                                " 'education', 'education') RETURNING id",
                                w.cycle);
    for (size_t i = 0; i < sizeof SEED_SQL / sizeof SEED_SQL[0]; i++)
        fixture_exec(SEED_SQL[i]);
    snprintf(w.cycle_dashboard, sizeof w.cycle_dashboard, "/v1/cycles/%ld/dashboard", w.cycle);
    snprintf(w.health_dashboard, sizeof w.health_dashboard, "/v1/challenges/%ld/dashboard",
             w.health);
    snprintf(w.cg_dashboard, sizeof w.cg_dashboard,
             "/v1/municipalities/" CG "/dashboard?cycle_id=%ld", w.cycle);
}

static void setup(void)
{
    fixture_reset();
    seed_world();
}

/* The member at a dotted path ("metrics.plans_by_status.draft"). */
static const cJSON *at(const cJSON *obj, const char *path)
{
    char name[64];
    while (obj && *path) {
        size_t n = strcspn(path, ".");
        snprintf(name, sizeof name, "%.*s", (int)n, path);
        obj = cJSON_GetObjectItemCaseSensitive(obj, name);
        path += n + (path[n] == '.');
    }
    ck_assert_msg(obj != NULL, "no member %s", path);
    return obj;
}

static void expect_number(const cJSON *obj, const char *path, double want)
{
    const cJSON *v = at(obj, path);
    ck_assert_msg(cJSON_IsNumber(v) && fabs(v->valuedouble - want) < 1e-9,
                  "%s: expected %g, got %g", path, want, cJSON_IsNumber(v) ? v->valuedouble : -1.0);
}

static void expect_string(const cJSON *obj, const char *path, const char *want)
{
    const cJSON *v = at(obj, path);
    ck_assert_msg(cJSON_IsString(v) && strcmp(v->valuestring, want) == 0, "%s: expected %s, got %s",
                  path, want, cJSON_IsString(v) ? v->valuestring : "no string");
}

static void expect_null(const cJSON *obj, const char *path)
{
    ck_assert_msg(cJSON_IsNull(at(obj, path)), "%s: expected null", path);
}

/* got must be want: names where they part. */
static void expect_text(const char *got, const char *want)
{
    size_t i = 0;
    while (got[i] && got[i] == want[i])
        i++;
    ck_assert_msg(got[i] == want[i], "differs at %zu:\n got: %.120s\nwant: %.120s", i,
                  got + (i > 40 ? i - 40 : 0), want + (i > 40 ? i - 40 : 0));
}

/* A GET as an anonymous caller, that must answer 200. */
static struct http_response get_ok(const char *path, bool csv)
{
    const char *headers[] = {"Accept: text/csv", NULL};
    struct http_response r = http_do(
        &(struct http_request){.method = "GET", .path = path, .headers = csv ? headers : NULL});
    ck_assert_msg(r.status == 200, "GET %s: %ld %.300s", path, r.status, r.body.data);
    return r;
}

/* The metrics of SAU-01, which are the cycle's totals too (EDU-01 has no
 * plan): four adhered of the five municipalities of MS the world holds; plans draft 1, submitted 1,
 * pacted 2; deliveries pending d6 d8, late d3 d7, submitted d4, done d1 d2, rejected d5; due by
 * today d1 d2 d3 d7, on time d1 only; CG on track and Dourados off track; three grants worth R$
 * 1,000,000.00; progress CG (3+1)/8 = 0.5 and Dourados 0, mean 0.25. */
static void expect_health_metrics(const cJSON *m)
{
    expect_number(m, "municipalities", 5);
    expect_number(m, "adhered", 4);
    expect_number(m, "adhesion_rate", 0.8);
    expect_number(m, "plans", 4);
    expect_number(m, "plans_by_status.draft", 1);
    expect_number(m, "plans_by_status.submitted", 1);
    expect_number(m, "plans_by_status.returned", 0);
    expect_number(m, "plans_by_status.approved", 0);
    expect_number(m, "plans_by_status.pacted", 2);
    expect_number(m, "plans_by_status.under_revision", 0);
    expect_number(m, "plans_by_status.closed", 0);
    expect_number(m, "pacts", 2);
    expect_number(m, "deliveries_by_status.pending", 2);
    expect_number(m, "deliveries_by_status.late", 2);
    expect_number(m, "deliveries_by_status.submitted", 1);
    expect_number(m, "deliveries_by_status.done", 2);
    expect_number(m, "deliveries_by_status.rejected", 1);
    expect_number(m, "deliveries_due", 4);
    expect_number(m, "deliveries_on_time", 1);
    expect_number(m, "on_time_rate", 0.25);
    expect_number(m, "pacts_by_trajectory.achieved", 0);
    expect_number(m, "pacts_by_trajectory.on_track", 1);
    expect_number(m, "pacts_by_trajectory.off_track", 1);
    expect_number(m, "pacts_by_trajectory.no_data", 0);
    expect_number(m, "incentives_granted.count", 3);
    expect_number(m, "incentives_granted.amount_cents", 100000000);
    expect_number(m, "mean_progress", 0.25);
}

#define HEALTH_CELLS  "5,4,0.8000,4,1,1,0,0,2,0,0,2,2,2,1,2,1,4,1,0.2500,0,1,1,0,3,100000000,0.2500"
#define NOTHING_CELLS "5,4,0.8000,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,0,0,0,0,0,0,"

START_TEST(the_cycle_dashboard_counts_what_the_data_holds)
{
    struct http_response r = get_ok(w.cycle_dashboard, false);
    expect_number(r.json, "cycle_id", (double)w.cycle);
    expect_string(r.json, "state", "MS");
    expect_health_metrics(at(r.json, "totals"));
    const cJSON *challenges = at(r.json, "challenges");
    ck_assert_int_eq(cJSON_GetArraySize(challenges), 2);
    /* By code: EDU-01, nobody's plan, then SAU-01. */
    const cJSON *edu = cJSON_GetArrayItem(challenges, 0), *sau = cJSON_GetArrayItem(challenges, 1);
    expect_string(edu, "code", "EDU-01");
    expect_number(edu, "metrics.plans", 0);
    expect_number(edu, "metrics.adhered", 4);
    expect_null(edu, "metrics.on_time_rate");
    expect_null(edu, "metrics.mean_progress");
    expect_number(edu, "metrics.deliveries_by_status.pending", 0);
    expect_string(sau, "code", "SAU-01");
    expect_number(sau, "challenge_id", (double)w.health);
    expect_health_metrics(at(sau, "metrics"));
    http_response_free(&r);
}
END_TEST

START_TEST(the_cycle_dashboard_as_csv_has_one_row_per_challenge)
{
    struct http_response r = get_ok(w.cycle_dashboard, true);
    ck_assert_msg(strncmp(http_header(&r, "Content-Type"), "text/csv", 8) == 0, "not CSV");
    char want[2048];
    snprintf(want, sizeof want,
             "challenge_id,challenge_code,challenge_title,municipalities,adhered,adhesion_rate,"
             "plans,plans_draft,plans_submitted,plans_returned,plans_approved,plans_pacted,"
             "plans_under_revision,plans_closed,pacts,deliveries_pending,deliveries_late,"
             "deliveries_submitted,deliveries_done,deliveries_rejected,deliveries_due,"
             "deliveries_on_time,on_time_rate,pacts_achieved,pacts_on_track,pacts_off_track,"
             "pacts_no_data,incentives_granted,incentives_amount_cents,mean_progress\r\n"
             "%ld,EDU-01,Alfabetização," NOTHING_CELLS "\r\n"
             "%ld,SAU-01,Saúde da criança," HEALTH_CELLS "\r\n",
             w.education, w.health);
    expect_text(r.body.data, want);
    http_response_free(&r);
}
END_TEST

START_TEST(the_challenge_dashboard_lists_each_public_plan)
{
    struct http_response r = get_ok(w.health_dashboard, false);
    expect_string(r.json, "code", "SAU-01");
    expect_health_metrics(at(r.json, "metrics"));
    /* Corumbá's draft is counted, never named: CG, Dourados, Três Lagoas. */
    const cJSON *list = at(r.json, "municipalities");
    ck_assert_int_eq(cJSON_GetArraySize(list), 3);
    const cJSON *cg = cJSON_GetArrayItem(list, 0), *dourados = cJSON_GetArrayItem(list, 1),
                *tres = cJSON_GetArrayItem(list, 2);
    expect_string(cg, "municipality_id", CG);
    expect_string(cg, "plan_status", "pacted");
    expect_number(cg, "progress", 0.5);
    ck_assert_int_eq(fixture_long("SELECT (plan_progress(id) * 10000)::bigint FROM action_plans"
                                  " WHERE municipality_id = '" CG "'"),
                     5000); /* the dashboard's progress is plan_progress's */
    expect_string(cg, "pact_protocol", "MS-P-2026-9" CG);
    expect_string(cg, "trajectory_status", "on_track");
    expect_number(cg, "deliveries_by_status.pending", 1);
    expect_number(cg, "deliveries_by_status.late", 1);
    expect_number(cg, "deliveries_by_status.submitted", 1);
    expect_number(cg, "deliveries_by_status.done", 2);
    expect_number(cg, "deliveries_by_status.rejected", 1);
    expect_string(dourados, "municipality_id", DOURADOS);
    expect_string(dourados, "trajectory_status", "off_track");
    expect_number(dourados, "progress", 0);
    expect_number(dourados, "deliveries_by_status.late", 1);
    expect_number(dourados, "deliveries_by_status.pending", 1);
    expect_string(tres, "municipality_id", "5008305");
    expect_string(tres, "plan_status", "submitted");
    expect_null(tres, "pact_id");
    expect_null(tres, "trajectory_status");
    expect_null(tres, "progress");
    expect_number(tres, "deliveries_by_status.late", 0); /* not pacted: not monitored */
    http_response_free(&r);

    r = get_ok(w.health_dashboard, true);
    const char *want =
        "municipality_id,municipality_name,plan_id,plan_status,progress,pact_id,pact_protocol,"
        "trajectory_status,deliveries_pending,deliveries_late,deliveries_submitted,"
        "deliveries_done,deliveries_rejected\r\n";
    ck_assert_msg(strncmp(r.body.data, want, strlen(want)) == 0, "header: %.300s", r.body.data);
    const char *row = r.body.data + strlen(want);
    ck_assert_msg(strncmp(row, CG ",Campo Grande,", strlen(CG ",Campo Grande,")) == 0,
                  "first row: %.300s", row);
    ck_assert_msg(strstr(row, ",pacted,0.5000,") &&
                      strstr(row, ",MS-P-2026-9" CG ",on_track,1,1,1,2,1\r\n"),
                  "CG's row: %.300s", row);
    ck_assert_msg(strstr(row, ",off_track,1,1,0,0,0\r\n"), "Dourados' row: %.300s", row);
    ck_assert_msg(strstr(row, "5008305,Três Lagoas,"), "Três Lagoas' row: %.300s", row);
    ck_assert_msg(!strstr(row, "5003207"), "the draft is named: %.300s", row);
    int lines = 0;
    for (const char *p = r.body.data; (p = strstr(p, "\r\n")); p += 2)
        lines++;
    ck_assert_int_eq(lines, 4);
    http_response_free(&r);
}
END_TEST

START_TEST(the_municipality_dashboard_shows_it_in_each_challenge)
{
    struct http_response r = get_ok(w.cg_dashboard, false);
    expect_string(r.json, "municipality_id", CG);
    ck_assert(cJSON_IsTrue(at(r.json, "adhered")));
    expect_string(r.json, "adhesion_protocol", "MS-2026-950001");
    const cJSON *list = at(r.json, "challenges");
    ck_assert_int_eq(cJSON_GetArraySize(list), 2);
    const cJSON *edu = cJSON_GetArrayItem(list, 0), *sau = cJSON_GetArrayItem(list, 1);
    expect_string(edu, "code", "EDU-01");
    expect_null(edu, "plan_status");
    expect_null(edu, "trajectory_status");
    expect_number(edu, "incentives_granted.count", 0);
    expect_string(sau, "plan_status", "pacted");
    expect_number(sau, "progress", 0.5);
    expect_string(sau, "trajectory_status", "on_track");
    expect_number(sau, "deliveries_by_status.done", 2);
    expect_number(sau, "deliveries_by_status.late", 1);
    expect_number(sau, "incentives_granted.count", 2);
    expect_number(sau, "incentives_granted.amount_cents", 50000000);
    http_response_free(&r);

    r = get_ok(w.cg_dashboard, true);
    char want[1024];
    snprintf(want, sizeof want,
             "challenge_id,challenge_code,challenge_title,plan_id,plan_status,progress,pact_id,"
             "pact_protocol,trajectory_status,deliveries_pending,deliveries_late,"
             "deliveries_submitted,deliveries_done,deliveries_rejected,incentives_granted,"
             "incentives_amount_cents\r\n"
             "%ld,EDU-01,Alfabetização,,,,,,,0,0,0,0,0,0,0\r\n",
             w.education);
    ck_assert_msg(strncmp(r.body.data, want, strlen(want)) == 0, "CSV: %.300s", r.body.data);
    ck_assert_msg(strstr(r.body.data, ",pacted,0.5000,") &&
                      strstr(r.body.data, ",MS-P-2026-9" CG ",on_track,1,1,1,2,1,2,50000000\r\n"),
                  "SAU-01's row: %.300s", r.body.data);
    http_response_free(&r);

    /* A municipality of the state that did not adhere. */
    char path[96];
    snprintf(path, sizeof path, "/v1/municipalities/5002407/dashboard?cycle_id=%ld", w.cycle);
    r = get_ok(path, false);
    ck_assert(cJSON_IsFalse(at(r.json, "adhered")));
    expect_null(r.json, "adhesion_protocol");
    http_response_free(&r);
}
END_TEST

START_TEST(a_dashboard_is_not_modified_until_new_values_put_a_pact_off_track)
{
    struct http_response r = get_ok(w.cycle_dashboard, false);
    char etag[96];
    snprintf(etag, sizeof etag, "If-None-Match: %s", http_header(&r, "ETag"));
    http_response_free(&r);
    const char *headers[] = {etag, NULL};
    struct http_request again = {.method = "GET", .path = w.cycle_dashboard, .headers = headers};
    r = http_do(&again);
    ck_assert_int_eq(r.status, 304);
    http_response_free(&r);

    /* 2026's final TMI of Campo Grande is back at the baseline: three
     * quarters of the way in time, no progress at all. */
    fixture_exec("INSERT INTO indicator_values (indicator_id, municipality_id, period, value)"
                 " SELECT id, '" CG "', '2026', 15 FROM indicators WHERE code = 'TMI'");
    r = http_do(&again);
    ck_assert_int_eq(r.status, 200);
    expect_number(r.json, "totals.pacts_by_trajectory.on_track", 0);
    expect_number(r.json, "totals.pacts_by_trajectory.off_track", 2);
    http_response_free(&r);
    r = get_ok(w.cg_dashboard, false);
    expect_string(cJSON_GetArrayItem(at(r.json, "challenges"), 1), "trajectory_status",
                  "off_track");
    http_response_free(&r);
}
END_TEST

START_TEST(unknown_dashboards_are_404_and_bad_parameters_400)
{
    struct fixture_snapshot before = fixture_snapshot();
    static const char *const missing[] = {
        "/v1/cycles/999999/dashboard",
        "/v1/cycles/abc/dashboard",
        "/v1/challenges/999999/dashboard",
        "/v1/municipalities/1234/dashboard?cycle_id=1",
    };
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        struct http_response r = http_get(missing[i], NULL);
        http_expect_problem(&r, 404, "not-found");
        http_response_free(&r);
    }
    char path[128];
    snprintf(path, sizeof path, "/v1/municipalities/" CG "/dashboard?cycle_id=999999");
    struct http_response r = http_get(path, NULL);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    const char *bad[] = {"/v1/municipalities/" CG "/dashboard",
                         "/v1/municipalities/" CG "/dashboard?cycle_id=abc",
                         "/v1/municipalities/" CG "/dashboard?cycle_id=01", NULL, NULL};
    char extra1[96], extra2[96];
    snprintf(extra1, sizeof extra1, "%s?limit=5", w.cycle_dashboard);
    snprintf(extra2, sizeof extra2, "%s?state=MS", w.health_dashboard);
    bad[3] = extra1;
    bad[4] = extra2;
    for (size_t i = 0; i < 5; i++) {
        r = http_get(bad[i], NULL);
        http_expect_problem(&r, 400, "invalid-parameter");
        http_response_free(&r);
    }
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(every_caller_reads_the_same_dashboard)
{
    struct http_response anonymous = get_ok(w.health_dashboard, false);
    const enum fixture_user users[] = {U_MAYOR_DOURADOS, U_HEALTH, U_MAYOR_CG};
    for (size_t i = 0; i < sizeof users / sizeof users[0]; i++) {
        struct http_response r = http_get(w.health_dashboard, fixture_token(users[i]));
        ck_assert_int_eq(r.status, 200);
        ck_assert_str_eq(r.body.data, anonymous.body.data);
        http_response_free(&r);
    }
    http_response_free(&anonymous);
}
END_TEST

Suite *dashboards_suite(void)
{
    Suite *s = suite_create("dashboards");
    TCase *tc = tcase_create("dashboards");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, the_cycle_dashboard_counts_what_the_data_holds);
    tcase_add_test(tc, the_cycle_dashboard_as_csv_has_one_row_per_challenge);
    tcase_add_test(tc, the_challenge_dashboard_lists_each_public_plan);
    tcase_add_test(tc, the_municipality_dashboard_shows_it_in_each_challenge);
    tcase_add_test(tc, a_dashboard_is_not_modified_until_new_values_put_a_pact_off_track);
    tcase_add_test(tc, unknown_dashboards_are_404_and_bad_parameters_400);
    tcase_add_test(tc, every_caller_reads_the_same_dashboard);
    suite_add_tcase(s, tc);
    return s;
}
