/*
 * Integration tests for trajectories and alerts (SPEC 1, steps 9-11), told
 * as the program's story: Campo Grande pacted infant mortality TMI from 15.0
 * (2023) down to 12 in 2027 and vaccination VAC from 80 up to 90; Dourados
 * pacted to keep TMI at 10 (T = B). Before any value after the baselines
 * every target is no_data; the health secretariat imports 2024's values and
 * Campo Grande is on track, the next request already says so; worse 2025
 * values put it off track, and the alert shows for the state, filterable by
 * area and municipality. A preliminary value is shown apart and does not
 * count; Dourados' flat target is achieved only while no worse. A tolerance
 * raised by the secretariat moves a borderline pact back on track. A late
 * delivery and evidence awaiting review for ten days are alerts too. Alerts
 * are the state's: a mayor is refused, an anonymous caller asked to log in.
 *
 * Cycles, adhesions, the challenge, pacted plans with their deliveries,
 * pacts with their targets and baselines, and evidence are made by other
 * endpoints: this suite seeds their rows by SQL (seed_world, seed_*), as
 * those endpoints store them. Values arrive through the import route.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"
#include "plans_support.h"
#include "values_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRAJECTORIES_CSV_HEADER                                                                    \
    "pact_id,protocol,municipality_id,municipality_name,challenge_id,challenge_code,"              \
    "indicator_id,indicator_code,polarity,baseline_value,baseline_period,target_value,"            \
    "target_year,latest_value,latest_period,preliminary_value,preliminary_period,elapsed,"         \
    "expected_value,progress,status\r\n"
#define ALERTS_CSV_HEADER                                                                          \
    "kind,municipality_id,municipality_name,challenge_id,challenge_code,area,plan_id,pact_id,"     \
    "protocol,indicator_id,indicator_code,latest_value,latest_period,expected_value,"              \
    "delivery_id,delivery_title,due_date,days_late,evidence_id,submitted_at,days_waiting,"         \
    "question_id,subject_type,subject_id,due_at,days_overdue,assistance_request_id,topic,"         \
    "request_status\r\n"

static struct {
    long cycle, challenge, tmi, vac, plan_cg, plan_dourados, pact_cg, pact_dourados;
    char tmi_id[24], vac_id[24];
    char trajectory_cg[64], trajectory_dourados[64], trajectories[64], alerts[64];
    char challenge_path[64];
} w;

/* A pacted plan of `municipality` on the world's challenge and its pact
 * (signed `signed_ago` ago), as POST .../pact leaves them; returns the
 * pact's id and sets *plan. */
static long seed_pact(const char *municipality, long adhesion, const char *signer,
                      const char *signed_ago, long *plan)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id,"
             " status, summary, versions, created_by, submitted_at, approved_at) VALUES"
             " (%ld, %ld, '%s', %ld, 'pacted', 'Plano', 1, %s, now() - interval '5 days',"
             " now() - interval '4 days') RETURNING id",
             w.challenge, w.cycle, municipality, adhesion, signer);
    *plan = fixture_long(sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO pacts (plan_id, plan_version, cycle_id, challenge_id, municipality_id,"
             " adhesion_id, protocol, signed_by, signed_at) VALUES (%ld, 1, %ld, %ld, '%s', %ld,"
             " pact_next_protocol('MS'), %s, now() - interval '%s') RETURNING id",
             *plan, w.cycle, w.challenge, municipality, adhesion, signer, signed_ago);
    return fixture_long(sql);
}

/* The world of every test: a cycle of MS in its pact window (target year
 * 2027), CG's and Dourados' adhesions, the health challenge SAU-01 (TMI
 * lower is better, VAC higher is better), CG's pact (TMI 15 in 2023 -> 12
 * in 2027, VAC 80 -> 90) and Dourados' (TMI 10 -> 10, signed later), and
 * the 2023 values the baselines came from (they are not after the
 * baseline: they do not count). */
static void seed_world(void)
{
    char sql[2048];
    w.cycle = fixture_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments) VALUES ('Ciclo 2027', 50,"
        " now() - interval '20 days', now() - interval '10 days', now() - interval '1 day',"
        " now() + interval '1 hour', 2027, '[\"Pactuar metas\"]') RETURNING id");
    snprintf(sql, sizeof sql,
             "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
             " VALUES (%ld, '" CG "', 'MS-2026-900001', %s, '[\"Pactuar metas\"]') RETURNING id",
             w.cycle, fixture_user_id(U_MAYOR_CG));
    long adhesion_cg = fixture_long(sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
             " VALUES (%ld, '" DOURADOS "', 'MS-2026-900002', %s, '[\"Pactuar metas\"]')"
             " RETURNING id",
             w.cycle, fixture_user_id(U_MAYOR_DOURADOS));
    long adhesion_dourados = fixture_long(sql);
    w.challenge = plans_seed_challenge(w.cycle, &w.tmi, &w.vac);
    w.pact_cg = seed_pact(CG, adhesion_cg, fixture_user_id(U_MAYOR_CG), "3 days", &w.plan_cg);
    w.pact_dourados = seed_pact(DOURADOS, adhesion_dourados, fixture_user_id(U_MAYOR_DOURADOS),
                                "2 days", &w.plan_dourados);
    snprintf(sql, sizeof sql,
             "INSERT INTO pact_targets (pact_id, indicator_id, target_value, target_year,"
             " baseline_value, baseline_period) VALUES (%ld, %ld, 12, 2027, 15, '2023'),"
             " (%ld, %ld, 90, 2027, 80, '2023'), (%ld, %ld, 10, 2027, 10, '2023');"
             "INSERT INTO indicator_values (indicator_id, municipality_id, period, value) VALUES"
             " (%ld, '" CG "', '2023', 15), (%ld, '" CG "', '2023', 80),"
             " (%ld, '" DOURADOS "', '2023', 10)",
             w.pact_cg, w.tmi, w.pact_cg, w.vac, w.pact_dourados, w.tmi, w.tmi, w.vac, w.tmi);
    fixture_exec(sql);
    snprintf(w.tmi_id, sizeof w.tmi_id, "%ld", w.tmi);
    snprintf(w.vac_id, sizeof w.vac_id, "%ld", w.vac);
    snprintf(w.trajectory_cg, sizeof w.trajectory_cg, "/v1/pacts/%ld/trajectory", w.pact_cg);
    snprintf(w.trajectory_dourados, sizeof w.trajectory_dourados, "/v1/pacts/%ld/trajectory",
             w.pact_dourados);
    snprintf(w.trajectories, sizeof w.trajectories, "/v1/cycles/%ld/trajectories", w.cycle);
    snprintf(w.alerts, sizeof w.alerts, "/v1/cycles/%ld/alerts", w.cycle);
    snprintf(w.challenge_path, sizeof w.challenge_path, "/v1/challenges/%ld", w.challenge);
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

/* Imports one final (or preliminary) value of the indicator as the health
 * secretariat, through the import route's JSON body. */
static void import_value(const char *indicator, const char *municipality, const char *period,
                         const char *value, bool preliminary)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"values\":[{\"municipality_id\":\"%s\",\"period\":\"%s\",\"value\":%s%s}]}",
             municipality, period, value, preliminary ? ",\"preliminary\":true" : "");
    struct http_response r = values_post(U_HEALTH, indicator, NULL, "application/json", body, 0);
    ck_assert_msg(r.status == 200, "import: %ld %s", r.status, buf_cstr(&r.body));
    http_response_free(&r);
}

/* GETs path anonymously and asserts 200. */
static struct http_response get_ok(const char *path, enum fixture_user who)
{
    struct http_response r = fixture_call("GET", path, who, NULL, NULL);
    ck_assert_msg(r.status == 200, "GET %s: %ld %s", path, r.status, buf_cstr(&r.body));
    return r;
}

/* The target of indicator `indicator` in a trajectory's JSON. */
static const cJSON *target_of(const cJSON *trajectory, long indicator)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, member(trajectory, "targets"))
    {
        if ((long)member(t, "indicator_id")->valuedouble == indicator)
            return t;
    }
    ck_abort_msg("no target of indicator %ld", indicator);
    return NULL;
}

static const char *status_of(const cJSON *target) { return member(target, "status")->valuestring; }

static void expect_number(const cJSON *obj, const char *name, double want)
{
    const cJSON *v = member(obj, name);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
    ck_assert_msg(v->valuedouble > want - 1e-9 && v->valuedouble < want + 1e-9, "%s: %g, not %g",
                  name, v->valuedouble, want);
}

/* The status of CG's TMI target, read anonymously now. */
static const char *cg_tmi_status(char *out, size_t n)
{
    struct http_response r = get_ok(w.trajectory_cg, U_COUNT);
    snprintf(out, n, "%s", status_of(target_of(r.json, w.tmi)));
    http_response_free(&r);
    return out;
}

START_TEST(values_move_a_pact_from_no_data_to_on_track_then_off_track)
{
    /* Before any value after the baselines: no data (the 2023 values are
     * the baselines' own). */
    struct http_response r = get_ok(w.trajectory_cg, U_COUNT);
    ck_assert_int_eq((long)member(r.json, "pact_id")->valuedouble, w.pact_cg);
    ck_assert_str_eq(member(r.json, "municipality_id")->valuestring, CG);
    ck_assert_str_eq(member(r.json, "challenge_code")->valuestring, "SAU-01");
    ck_assert(cJSON_IsTrue(member(r.json, "current")));
    expect_number(r.json, "trajectory_tolerance", 0.1);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "targets")), 2);
    const cJSON *tmi = target_of(r.json, w.tmi);
    ck_assert_str_eq(member(tmi, "indicator_code")->valuestring, "TMI");
    ck_assert_str_eq(member(tmi, "indicator_name")->valuestring, "Mortalidade infantil");
    ck_assert_str_eq(member(tmi, "unit")->valuestring, "per 1,000 live births");
    ck_assert_str_eq(member(tmi, "polarity")->valuestring, "lower_is_better");
    expect_number(tmi, "baseline_value", 15);
    ck_assert_str_eq(member(tmi, "baseline_period")->valuestring, "2023");
    expect_number(tmi, "target_value", 12);
    expect_number(tmi, "target_year", 2027);
    ck_assert_str_eq(status_of(tmi), "no_data");
    const char *nulls[] = {
        "latest_value", "latest_period",  "preliminary_value", "preliminary_period",
        "elapsed",      "expected_value", "progress"};
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
        ck_assert_msg(cJSON_IsNull(member(tmi, nulls[i])), "%s is not null", nulls[i]);
    ck_assert_str_eq(status_of(target_of(r.json, w.vac)), "no_data");
    char etag[160];
    snprintf(etag, sizeof etag, "If-None-Match: %s", http_header(&r, "ETag"));
    http_response_free(&r);
    const char *inm[] = {etag, NULL};
    r = fixture_call("GET", w.trajectory_cg, U_COUNT, NULL, inm);
    ck_assert_int_eq(r.status, 304);
    http_response_free(&r);

    /* 2024's values arrive: one year of four, TMI 14.2 (expected 14.25 ->
     * 14.3, progress 0.8 / 3) is on track; VAC 91 is past its target. The
     * very next request says so, and the old ETag no longer matches. */
    import_value(w.tmi_id, CG, "2024", "14.2", false);
    import_value(w.vac_id, CG, "2024", "91", false);
    r = fixture_call("GET", w.trajectory_cg, U_COUNT, NULL, inm);
    ck_assert_int_eq(r.status, 200);
    tmi = target_of(r.json, w.tmi);
    ck_assert_str_eq(status_of(tmi), "on_track");
    expect_number(tmi, "latest_value", 14.2);
    ck_assert_str_eq(member(tmi, "latest_period")->valuestring, "2024");
    expect_number(tmi, "elapsed", 0.25);
    expect_number(tmi, "expected_value", 14.3);
    expect_number(tmi, "progress", 0.2667);
    const cJSON *vac = target_of(r.json, w.vac);
    ck_assert_str_eq(status_of(vac), "achieved");
    expect_number(vac, "progress", 1.1);
    http_response_free(&r);

    /* 2025 is worse: 14.9, progress 0.1 / 3 with half the way gone. */
    import_value(w.tmi_id, CG, "2025", "14.9", false);
    r = get_ok(w.trajectory_cg, U_COUNT);
    tmi = target_of(r.json, w.tmi);
    ck_assert_str_eq(status_of(tmi), "off_track");
    expect_number(tmi, "elapsed", 0.5);
    expect_number(tmi, "expected_value", 13.5);
    expect_number(tmi, "progress", 0.0333);
    http_response_free(&r);

    /* The cycle's list says the same, row by row, and filters by status. */
    char path[160];
    snprintf(path, sizeof path, "%s?status=off_track", w.trajectories);
    r = get_ok(path, U_COUNT);
    const cJSON *items = member(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    const cJSON *row = cJSON_GetArrayItem(items, 0);
    ck_assert_int_eq((long)member(row, "pact_id")->valuedouble, w.pact_cg);
    ck_assert_int_eq((long)member(row, "indicator_id")->valuedouble, w.tmi);
    ck_assert_str_eq(member(row, "municipality_name")->valuestring, "Campo Grande");
    expect_number(row, "latest_value", 14.9);
    ck_assert(cJSON_IsNull(member(r.json, "next_cursor")));
    http_response_free(&r);
}
END_TEST

START_TEST(the_cycles_trajectories_page_and_download_whole)
{
    import_value(w.tmi_id, CG, "2024", "14.2", false);
    /* Three targets, by pact then indicator: CG's TMI and VAC, Dourados'. */
    char path[160];
    snprintf(path, sizeof path, "%s?limit=2", w.trajectories);
    struct http_response r = get_ok(path, U_MAYOR_DOURADOS);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 2);
    const cJSON *first = cJSON_GetArrayItem(member(r.json, "items"), 0);
    ck_assert_int_eq((long)member(first, "pact_id")->valuedouble, w.pact_cg);
    ck_assert_str_eq(member(first, "status")->valuestring, "on_track");
    const cJSON *next = member(r.json, "next_cursor");
    ck_assert(cJSON_IsString(next));
    snprintf(path, sizeof path, "%s?limit=2&cursor=%s", w.trajectories, next->valuestring);
    http_response_free(&r);
    r = get_ok(path, U_COUNT);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 1);
    ck_assert_int_eq(
        (long)member(cJSON_GetArrayItem(member(r.json, "items"), 0), "pact_id")->valuedouble,
        w.pact_dourados);
    http_response_free(&r);
    /* Filters: the municipality, the challenge. */
    snprintf(path, sizeof path, "%s?municipality_id=" DOURADOS "&challenge_id=%ld", w.trajectories,
             w.challenge);
    r = get_ok(path, U_COUNT);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 1);
    http_response_free(&r);
    /* The whole list as CSV, nulls as empty cells. */
    const char *csv[] = {"Accept: text/csv", NULL};
    r = fixture_call("GET", w.trajectories, U_COUNT, NULL, csv);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_header(&r, "Content-Type"), "text/csv; charset=utf-8");
    const char *body = buf_cstr(&r.body);
    ck_assert_msg(strncmp(body, TRAJECTORIES_CSV_HEADER, strlen(TRAJECTORIES_CSV_HEADER)) == 0,
                  "%s", body);
    char line[256];
    snprintf(line, sizeof line,
             ",Campo Grande,%ld,SAU-01,%ld,TMI,lower_is_better,15,2023,12,2027,14.2,2024,,,"
             "0.2500,14.3,0.2667,on_track\r\n",
             w.challenge, w.tmi);
    ck_assert_msg(strstr(body, line), "no %s in %s", line, body);
    int lines = 0;
    for (const char *p = body; (p = strstr(p, "\r\n")); p += 2)
        lines++;
    ck_assert_int_eq(lines, 4);
    http_response_free(&r);
}
END_TEST

START_TEST(a_plan_signed_again_is_followed_by_its_new_pact)
{
    /* CG's plan, revised, is signed again (version 2) with TMI 11: the
     * cycle's list and the alerts follow the new pact; the old one still
     * answers, no longer current. */
    char sql[1024];
    snprintf(sql, sizeof sql,
             "WITH k AS (INSERT INTO pacts (plan_id, plan_version, cycle_id, challenge_id,"
             " municipality_id, adhesion_id, protocol, signed_by) SELECT plan_id, 2, cycle_id,"
             " challenge_id, municipality_id, adhesion_id, pact_next_protocol('MS'), signed_by"
             " FROM pacts WHERE id = %ld RETURNING id)"
             " INSERT INTO pact_targets (pact_id, indicator_id, target_value, target_year,"
             " baseline_value, baseline_period) SELECT k.id, %ld, 11, 2027, 15, '2023' FROM k"
             " RETURNING pact_id",
             w.pact_cg, w.tmi);
    long pact = fixture_long(sql);
    import_value(w.tmi_id, CG, "2025", "14.9", false);
    char path[160];
    snprintf(path, sizeof path, "%s?municipality_id=" CG, w.trajectories);
    struct http_response r = get_ok(path, U_COUNT);
    const cJSON *items = member(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    ck_assert_int_eq((long)member(cJSON_GetArrayItem(items, 0), "pact_id")->valuedouble, pact);
    expect_number(cJSON_GetArrayItem(items, 0), "target_value", 11);
    http_response_free(&r);
    r = get_ok(w.trajectory_cg, U_COUNT);
    ck_assert(cJSON_IsFalse(member(r.json, "current")));
    ck_assert_str_eq(status_of(target_of(r.json, w.tmi)), "off_track");
    http_response_free(&r);
    r = get_ok(w.alerts, U_HEALTH);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 1);
    ck_assert_int_eq(
        (long)member(cJSON_GetArrayItem(member(r.json, "items"), 0), "pact_id")->valuedouble, pact);
    http_response_free(&r);
}
END_TEST

START_TEST(preliminary_values_are_shown_apart_and_do_not_count)
{
    import_value(w.tmi_id, CG, "2024", "14.2", false);
    /* A preliminary 2025 figure that would reach the target. */
    import_value(w.tmi_id, CG, "2025", "11.5", true);
    struct http_response r = get_ok(w.trajectory_cg, U_COUNT);
    const cJSON *tmi = target_of(r.json, w.tmi);
    expect_number(tmi, "preliminary_value", 11.5);
    ck_assert_str_eq(member(tmi, "preliminary_period")->valuestring, "2025");
    expect_number(tmi, "latest_value", 14.2);
    ck_assert_str_eq(member(tmi, "latest_period")->valuestring, "2024");
    ck_assert_str_eq(status_of(tmi), "on_track");
    http_response_free(&r);
    /* Only preliminary values after the baseline: still no data. */
    import_value(w.vac_id, CG, "2024", "95", true);
    r = get_ok(w.trajectory_cg, U_COUNT);
    ck_assert_str_eq(status_of(target_of(r.json, w.vac)), "no_data");
    expect_number(target_of(r.json, w.vac), "preliminary_value", 95);
    http_response_free(&r);
}
END_TEST

START_TEST(a_flat_target_is_achieved_only_while_no_worse)
{
    import_value(w.tmi_id, DOURADOS, "2024", "10", false);
    struct http_response r = get_ok(w.trajectory_dourados, U_COUNT);
    const cJSON *tmi = target_of(r.json, w.tmi);
    ck_assert_str_eq(status_of(tmi), "achieved");
    ck_assert(cJSON_IsNull(member(tmi, "progress")));
    expect_number(tmi, "expected_value", 10);
    http_response_free(&r);
    import_value(w.tmi_id, DOURADOS, "2025", "9.5", false);
    r = get_ok(w.trajectory_dourados, U_COUNT);
    ck_assert_str_eq(status_of(target_of(r.json, w.tmi)), "achieved");
    http_response_free(&r);
    /* Higher infant mortality is worse. */
    import_value(w.tmi_id, DOURADOS, "2026", "10.5", false);
    r = get_ok(w.trajectory_dourados, U_COUNT);
    ck_assert_str_eq(status_of(target_of(r.json, w.tmi)), "off_track");
    http_response_free(&r);
}
END_TEST

START_TEST(the_challenges_tolerance_moves_a_borderline_pact)
{
    /* 2025: 13.9, progress 1.1 / 3 = 0.37 with half the way gone: off track
     * by 0.1, on track by 0.2. */
    import_value(w.tmi_id, CG, "2025", "13.9", false);
    char status[32];
    ck_assert_str_eq(cg_tmi_status(status, sizeof status), "off_track");
    struct http_response r =
        fixture_call("PATCH", w.challenge_path, U_HEALTH, "{\"trajectory_tolerance\":0.2}", NULL);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    expect_number(r.json, "trajectory_tolerance", 0.2);
    http_response_free(&r);
    ck_assert_str_eq(cg_tmi_status(status, sizeof status), "on_track");
    r = get_ok(w.trajectory_cg, U_COUNT);
    expect_number(r.json, "trajectory_tolerance", 0.2);
    http_response_free(&r);
    r = fixture_call("PATCH", w.challenge_path, U_COORDINATION, "{\"trajectory_tolerance\":0}",
                     NULL);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    http_response_free(&r);
    ck_assert_str_eq(cg_tmi_status(status, sizeof status), "off_track");

    /* Out of range, not a number, another area: refused, nothing changed. */
    struct fixture_snapshot before = fixture_snapshot();
    const char *bodies[] = {"{\"trajectory_tolerance\":1.5}", "{\"trajectory_tolerance\":-0.1}",
                            "{\"trajectory_tolerance\":\"0.2\"}",
                            "{\"trajectory_tolerance\":null}"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        r = fixture_call("PATCH", w.challenge_path, U_HEALTH, bodies[i], NULL);
        fixture_expect_invalid(&r, "trajectory_tolerance");
        http_response_free(&r);
        fixture_assert_unchanged(before);
    }
    r = fixture_call("PATCH", w.challenge_path, U_EDUCATION, "{\"trajectory_tolerance\":0.5}",
                     NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = fixture_call("PATCH", w.challenge_path, U_MAYOR_CG, "{\"trajectory_tolerance\":0.5}", NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

/* An action of the plan with a delivery due `due` (SQL, relative to
 * current_date) titled `title`; returns the delivery's id. */
static long seed_delivery(long plan, const char *title, const char *due)
{
    char sql[768];
    snprintf(sql, sizeof sql,
             "WITH a AS (INSERT INTO plan_actions (plan_id, position, title)"
             "           SELECT %ld, coalesce(max(position) + 1, 0), 'Ação' FROM plan_actions"
             "            WHERE plan_id = %ld RETURNING id)"
             " INSERT INTO plan_deliveries (action_id, plan_id, position, title, due_date)"
             " SELECT a.id, %ld, 0, '%s', %s FROM a RETURNING id",
             plan, plan, plan, title, due);
    return fixture_long(sql);
}

/* Evidence of the delivery in `status`, submitted `ago` ago, as the
 * evidence routes store it; returns its id. */
static long seed_evidence(long delivery, long plan, const char *status, const char *ago)
{
    char sql[768];
    bool reviewed = strcmp(status, "submitted") != 0;
    snprintf(sql, sizeof sql,
             "INSERT INTO evidence (delivery_id, plan_id, description, status, submitted_by,"
             " submitted_at, reviewed_by, reviewed_at) VALUES (%ld, %ld, 'Relatório', '%s', %s,"
             " now() - interval '%s', %s, %s) RETURNING id",
             delivery, plan, status, fixture_user_id(U_REP_CG), ago,
             reviewed ? fixture_user_id(U_HEALTH) : "NULL", reviewed ? "now()" : "NULL");
    return fixture_long(sql);
}

/* The alerts of the world's cycle with this query, as the health
 * secretariat. */
static struct http_response alerts(const char *query)
{
    char path[192];
    snprintf(path, sizeof path, "%s%s%s", w.alerts, query ? "?" : "", query ? query : "");
    return get_ok(path, U_HEALTH);
}

static const cJSON *alert_of(const cJSON *list, int i)
{
    return cJSON_GetArrayItem(member(list, "items"), i);
}

START_TEST(the_state_sees_what_is_off_track_late_or_waiting)
{
    /* Nothing yet. */
    struct http_response r = alerts(NULL);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 0);
    http_response_free(&r);

    /* CG's TMI goes off track; Dourados' flat target too, later signed. */
    import_value(w.tmi_id, CG, "2025", "14.9", false);
    import_value(w.tmi_id, DOURADOS, "2025", "11", false);
    /* CG's deliveries: one 5 days late, one past due but accepted (done),
     * one due next month with evidence waiting 10 days, one with evidence
     * waiting 3 days (not yet an alert). */
    long late = seed_delivery(w.plan_cg, "Gestantes cadastradas", "current_date - 5");
    long done = seed_delivery(w.plan_cg, "Equipes capacitadas", "current_date - 9");
    seed_evidence(done, w.plan_cg, "accepted", "12 days");
    long waiting = seed_delivery(w.plan_cg, "Salas de vacina", "current_date + 30");
    long evidence = seed_evidence(waiting, w.plan_cg, "submitted", "10 days");
    long recent = seed_delivery(w.plan_cg, "Busca ativa", "current_date + 30");
    seed_evidence(recent, w.plan_cg, "submitted", "3 days");

    r = alerts(NULL);
    const cJSON *items = member(r.json, "items");
    ck_assert_msg(cJSON_GetArraySize(items) == 4, "%s", buf_cstr(&r.body));
    /* By kind, then the oldest first: CG's pact was signed before Dourados'. */
    const cJSON *a = alert_of(r.json, 0);
    ck_assert_str_eq(member(a, "kind")->valuestring, "pact_off_track");
    ck_assert_str_eq(member(a, "municipality_id")->valuestring, CG);
    ck_assert_int_eq((long)member(a, "pact_id")->valuedouble, w.pact_cg);
    ck_assert_int_eq((long)member(a, "indicator_id")->valuedouble, w.tmi);
    ck_assert_str_eq(member(a, "indicator_code")->valuestring, "TMI");
    ck_assert_str_eq(member(a, "area")->valuestring, "health");
    expect_number(a, "latest_value", 14.9);
    ck_assert_str_eq(member(a, "latest_period")->valuestring, "2025");
    expect_number(a, "expected_value", 13.5);
    ck_assert(cJSON_IsNull(member(a, "delivery_id")));
    ck_assert(cJSON_IsNull(member(a, "evidence_id")));
    a = alert_of(r.json, 1);
    ck_assert_str_eq(member(a, "kind")->valuestring, "pact_off_track");
    ck_assert_str_eq(member(a, "municipality_id")->valuestring, DOURADOS);
    a = alert_of(r.json, 2);
    ck_assert_str_eq(member(a, "kind")->valuestring, "delivery_late");
    ck_assert_int_eq((long)member(a, "delivery_id")->valuedouble, late);
    ck_assert_str_eq(member(a, "delivery_title")->valuestring, "Gestantes cadastradas");
    ck_assert_int_eq((long)member(a, "days_late")->valuedouble, 5);
    ck_assert_int_eq((long)member(a, "plan_id")->valuedouble, w.plan_cg);
    ck_assert(cJSON_IsString(member(a, "due_date")));
    ck_assert(cJSON_IsNull(member(a, "pact_id")));
    a = alert_of(r.json, 3);
    ck_assert_str_eq(member(a, "kind")->valuestring, "evidence_waiting");
    ck_assert_int_eq((long)member(a, "evidence_id")->valuedouble, evidence);
    ck_assert_int_eq((long)member(a, "delivery_id")->valuedouble, waiting);
    ck_assert_int_eq((long)member(a, "days_waiting")->valuedouble, 10);
    ck_assert(cJSON_IsString(member(a, "submitted_at")));
    ck_assert(cJSON_IsNull(member(a, "days_late")));
    http_response_free(&r);

    /* Filters: the municipality, the kind, the area. */
    r = alerts("municipality_id=" DOURADOS);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 1);
    http_response_free(&r);
    r = alerts("area=health&kind=delivery_late");
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 1);
    ck_assert_str_eq(member(alert_of(r.json, 0), "kind")->valuestring, "delivery_late");
    http_response_free(&r);
    r = alerts("area=education");
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 0);
    http_response_free(&r);
    /* Pages, and the whole list as CSV. */
    r = alerts("limit=3");
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 3);
    char path[192];
    snprintf(path, sizeof path, "%s?limit=3&cursor=%s", w.alerts,
             member(r.json, "next_cursor")->valuestring);
    http_response_free(&r);
    r = get_ok(path, U_EDUCATION);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 1);
    ck_assert_str_eq(member(alert_of(r.json, 0), "kind")->valuestring, "evidence_waiting");
    http_response_free(&r);
    const char *csv[] = {"Accept: text/csv", NULL};
    r = fixture_call("GET", w.alerts, U_COORDINATION, NULL, csv);
    ck_assert_int_eq(r.status, 200);
    const char *body = buf_cstr(&r.body);
    ck_assert_msg(strncmp(body, ALERTS_CSV_HEADER, strlen(ALERTS_CSV_HEADER)) == 0, "%s", body);
    char line[256];
    snprintf(line, sizeof line,
             "delivery_late," CG ",Campo Grande,%ld,SAU-01,health,%ld,,,,,,,,%ld,"
             "Gestantes cadastradas,",
             w.challenge, w.plan_cg, late);
    ck_assert_msg(strstr(body, line), "no %s in %s", line, body);
    http_response_free(&r);

    /* The evidence accepted, the late delivery's too: both alerts go. */
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE evidence SET status = 'accepted', reviewed_by = %s, reviewed_at = now()"
             " WHERE id = %ld",
             fixture_user_id(U_HEALTH), evidence);
    fixture_exec(sql);
    seed_evidence(late, w.plan_cg, "accepted", "1 day");
    r = alerts("kind=evidence_waiting");
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 0);
    http_response_free(&r);
    r = alerts("kind=delivery_late");
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 0);
    http_response_free(&r);
}
END_TEST

START_TEST(refusals_change_nothing)
{
    import_value(w.tmi_id, CG, "2025", "14.9", false);
    struct fixture_snapshot before = fixture_snapshot();
    /* Alerts are the state's. */
    struct http_response r = fixture_call("GET", w.alerts, U_MAYOR_CG, NULL, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = fixture_call("GET", w.alerts, U_REP_CG, NULL, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = fixture_call("GET", w.alerts, U_COUNT, NULL, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    /* Bad filters and unknown parameters are 400. */
    const char *bad[] = {"?area=finance", "?kind=late",       "?municipality_id=500270",
                         "?limit=0",      "?cursor=nonsense", "?status=off_track"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[160];
        snprintf(path, sizeof path, "%s%s", w.alerts, bad[i]);
        r = fixture_call("GET", path, U_HEALTH, NULL, NULL);
        ck_assert_msg(r.status == 400, "%s: %ld", bad[i], r.status);
        http_expect_problem(&r, 400, "invalid-parameter");
        http_response_free(&r);
    }
    const char *bad_lists[] = {"?status=late", "?challenge_id=x", "?municipality_id=1",
                               "?area=health"};
    for (size_t i = 0; i < sizeof bad_lists / sizeof bad_lists[0]; i++) {
        char path[160];
        snprintf(path, sizeof path, "%s%s", w.trajectories, bad_lists[i]);
        r = fixture_call("GET", path, U_COUNT, NULL, NULL);
        http_expect_problem(&r, 400, "invalid-parameter");
        http_response_free(&r);
    }
    r = fixture_call("GET", w.trajectory_cg, U_COUNT, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    char path[96];
    snprintf(path, sizeof path, "%s?x=1", w.trajectory_cg);
    r = fixture_call("GET", path, U_COUNT, NULL, NULL);
    http_expect_problem(&r, 400, "invalid-parameter");
    http_response_free(&r);
    /* Unknown cycles and pacts are 404. */
    const char *missing[] = {"/v1/cycles/999999/alerts", "/v1/cycles/abc/alerts",
                             "/v1/cycles/999999/trajectories", "/v1/pacts/999999/trajectory",
                             "/v1/pacts/0/trajectory"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        r = fixture_call("GET", missing[i], U_HEALTH, NULL, NULL);
        http_expect_problem(&r, 404, "not-found");
        http_response_free(&r);
    }
    fixture_assert_unchanged(before);
}
END_TEST

Suite *trajectories_suite(void)
{
    Suite *s = suite_create("trajectories");
    TCase *tc = tcase_create("trajectories");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, values_move_a_pact_from_no_data_to_on_track_then_off_track);
    tcase_add_test(tc, the_cycles_trajectories_page_and_download_whole);
    tcase_add_test(tc, a_plan_signed_again_is_followed_by_its_new_pact);
    tcase_add_test(tc, preliminary_values_are_shown_apart_and_do_not_count);
    tcase_add_test(tc, a_flat_target_is_achieved_only_while_no_worse);
    tcase_add_test(tc, the_challenges_tolerance_moves_a_borderline_pact);
    tcase_add_test(tc, the_state_sees_what_is_off_track_late_or_waiting);
    tcase_add_test(tc, refusals_change_nothing);
    suite_add_tcase(s, tc);
    return s;
}
