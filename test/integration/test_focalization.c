/*
 * Integration tests for focalization: the health secretariat runs
 * the rule of a challenge over the municipalities of São Paulo and reads who
 * is focal and why; ties at the cut are all in; a municipality without data
 * is no_data, never silently focal or not; small denominators are not
 * ranked; indicators combine by any or all; a second run keeps the first one
 * readable; a manual decision shows in the public result and in the
 * municipalities' view and list; a municipality's position among its peers.
 * Every refused write leaves the database as it was.
 *
 * Indicators, their values, challenges and their indicators' rules have
 * suites of their own: these tests insert those rows with fixture_exec, as
 * their endpoints store them.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Municipalities of São Paulo (real IBGE codes), besides the fixture's
 * capital SAO_PAULO. */
#define ADAMANTINA "3500105"
#define ADOLFO     "3500204"
#define AGUAI      "3500303"
#define PRATA      "3500402"
#define LINDOIA    "3500501"
#define BARBARA    "3500550"

static void sp_municipalities(void)
{
    fixture_exec("INSERT INTO municipalities (ibge_code, name, state_code) VALUES"
                 " ('" ADAMANTINA "', 'Adamantina', 35), ('" ADOLFO "', 'Adolfo', 35),"
                 " ('" AGUAI "', 'Aguaí', 35), ('" PRATA "', 'Águas da Prata', 35),"
                 " ('" LINDOIA "', 'Águas de Lindóia', 35),"
                 " ('" BARBARA "', 'Águas de Santa Bárbara', 35)");
}

/* A cycle of São Paulo, open for adhesions, or closed (its pact window over). */
static long sp_cycle(bool closed)
{
    return fixture_longf(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        "                    pact_opens_at, pact_closes_at, target_year, commitments)"
        " VALUES ('Ciclo SP', 35, now() - interval '%d days', now() + interval '%d days',"
        "         now() + interval '%d days', now() + interval '%d days', 2027, '[\"Acompanhar\"]')"
        " RETURNING id",
        closed ? 10 : 1, closed ? -9 : 1, closed ? -8 : 2, closed ? -1 : 30);
}

/* A challenge of the health secretariat (seeded: the challenges' endpoints
 * have a suite of their own). */
static long health_challenge(long cycle, const char *combine)
{
    return fixture_longf("INSERT INTO challenges (cycle_id, code, title, area, responsible_area,"
                         "                        focal_combine)"
                         " VALUES (%ld, 'SAU-01', 'Mortalidade infantil', 'health', 'health',"
                         "         '%s') RETURNING id",
                         cycle, combine);
}

static long indicator(const char *code, const char *polarity, int decimals)
{
    return fixture_longf("INSERT INTO indicators (code, name, unit, polarity, source, periodicity,"
                         "                        area, decimals)"
                         " VALUES ('%s', '%s', 'per 1,000 live births', '%s', 'DATASUS',"
                         "         'annual', 'health', %d) RETURNING id",
                         code, code, polarity, decimals);
}

/* The indicator as a main one of the challenge with its rule, on 2022. */
static void rule(long challenge, long ind, const char *kind, const char *value,
                 const char *min_denominator)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO challenge_indicators (challenge_id, indicator_id, role, focal_rule,"
             "                                  focal_value, focal_period, focal_min_denominator)"
             " VALUES (%ld, %ld, 'main', '%s', %s, '2022', %s)",
             challenge, ind, kind, value, min_denominator ? min_denominator : "NULL");
    fixture_exec(sql);
}

static void value(long ind, const char *code, const char *period, const char *v,
                  const char *denominator)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO indicator_values (indicator_id, municipality_id, period, value,"
             "                              denominator)"
             " VALUES (%ld, '%s', '%s', %s, %s)",
             ind, code, period, v, denominator ? denominator : "NULL");
    fixture_exec(sql);
}

static struct http_response post_run(long challenge, const char *token)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/challenges/%ld/focalization/runs", challenge);
    return http_post(path, token, "{}");
}

/* Runs the focalization as the health secretariat and returns the run's id. */
static long run_ok(long challenge)
{
    struct http_response r = post_run(challenge, fixture_token(U_HEALTH));
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    long id = (long)cJSON_GetObjectItemCaseSensitive(r.json, "id")->valuedouble;
    char location[128];
    snprintf(location, sizeof location, "/v1/challenges/%ld/focalization/runs/%ld", challenge, id);
    ck_assert_str_eq(http_header(&r, "Location"), location);
    http_response_free(&r);
    return id;
}

/* The item of a list's page whose municipality_id is code, or NULL. */
static const cJSON *item_of(const struct http_response *r, const char *code)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(r->json, "items"))
    {
        const char *id =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "municipality_id"));
        if (id && strcmp(id, code) == 0)
            return item;
    }
    return NULL;
}

static const char *str_of(const cJSON *o, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static double num_of(const cJSON *o, const char *name)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, name);
    ck_assert_msg(cJSON_IsNumber(n), "%s is not a number", name);
    return n->valuedouble;
}

/* A run's municipalities (one page of all of them). */
static struct http_response run_municipalities(long challenge, long run, const char *query)
{
    char path[160];
    snprintf(path, sizeof path,
             "/v1/challenges/%ld/focalization/runs/%ld/municipalities?limit=500%s", challenge, run,
             query ? query : "");
    struct http_response r = http_get(path, NULL);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    return r;
}

static const char *status_in(const struct http_response *r, const char *code)
{
    const cJSON *item = item_of(r, code);
    ck_assert_msg(item != NULL, "%s is not listed", code);
    return str_of(item, "status");
}

/* Infant mortality, lower is better, worst 2 on 2022: Adamantina 30, then
 * Adolfo and Aguaí tied at 20 at the cut, Águas da Prata 10, Lindóia 5,
 * São Paulo 8; Santa Bárbara has no value. */
static long mortality_challenge(long *ind_out)
{
    sp_municipalities();
    long challenge = health_challenge(sp_cycle(false), "any");
    long ind = indicator("MORT-INF", "lower_is_better", 1);
    rule(challenge, ind, "worst_count", "2", NULL);
    value(ind, ADAMANTINA, "2022", "30", NULL);
    value(ind, ADOLFO, "2022", "20", NULL);
    value(ind, AGUAI, "2022", "20", NULL);
    value(ind, PRATA, "2022", "10", NULL);
    value(ind, LINDOIA, "2022", "5", NULL);
    value(ind, SAO_PAULO, "2022", "8", NULL);
    value(ind, BARBARA, "2021", "99", NULL); /* another year: no value in 2022 */
    if (ind_out)
        *ind_out = ind;
    return challenge;
}

START_TEST(lower_is_better_picks_the_highest_rates_and_ties_at_the_cut_are_all_in)
{
    long challenge = mortality_challenge(NULL);
    long audit = fixture_count("audit_events");
    struct http_response r = post_run(challenge, fixture_token(U_HEALTH));
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_int_eq((long)num_of(r.json, "focal_count"), 3);
    ck_assert_int_eq((long)num_of(r.json, "no_data_count"), 1);
    ck_assert_int_eq((long)num_of(r.json, "municipalities"), 7);
    const cJSON *ind0 =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                               cJSON_GetObjectItemCaseSensitive(r.json, "rule"), "indicators"),
                           0);
    ck_assert_str_eq(str_of(ind0, "period"), "2022");
    ck_assert_str_eq(str_of(ind0, "rule"), "worst_count");
    long run = (long)num_of(r.json, "id");
    http_response_free(&r);
    /* One run, one audit event. */
    ck_assert_int_eq(fixture_count("audit_events"), audit + 1);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events"
                                  " WHERE entity = 'focalization_run' AND action = 'create'"),
                     1);

    char path[512];
    r = run_municipalities(challenge, run, NULL);
    ck_assert_str_eq(status_in(&r, ADAMANTINA), "focal");
    ck_assert_str_eq(status_in(&r, ADOLFO), "focal");
    ck_assert_str_eq(status_in(&r, AGUAI), "focal");
    ck_assert_str_eq(status_in(&r, PRATA), "not_focal");
    ck_assert_str_eq(status_in(&r, SAO_PAULO), "not_focal");
    ck_assert_str_eq(status_in(&r, BARBARA), "no_data");
    const cJSON *adolfo = item_of(&r, ADOLFO);
    ck_assert_str_eq(str_of(adolfo, "reason"),
                     "Focal: MORT-INF 20.0 in 2022: rank 2 of 6, among the worst 2");
    const cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(adolfo, "indicators"), 0);
    ck_assert_int_eq((long)num_of(v, "rank"), 2);
    ck_assert_double_eq_tol(num_of(v, "percentile"), 50, 1e-9); /* 3 of 6 at least as bad */
    ck_assert_str_eq(str_of(v, "status"), "critical");
    ck_assert_str_eq(str_of(item_of(&r, BARBARA), "reason"), "No data: MORT-INF: no value in 2022");
    http_response_free(&r);

    /* Pages of two, by IBGE code, until the last. */
    snprintf(path, sizeof path, "/v1/challenges/%ld/focalization/runs/%ld/municipalities?limit=2",
             challenge, run);
    int seen = 0;
    for (int page = 0; page < 10; page++) {
        r = http_get(path, NULL);
        ck_assert_int_eq(r.status, 200);
        seen += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "items"));
        const char *next = http_json_string(&r, "next_cursor");
        if (!next) {
            http_response_free(&r);
            break;
        }
        ck_assert_ptr_nonnull(http_header(&r, "Link"));
        char cursor[256];
        snprintf(cursor, sizeof cursor, "%s", next);
        snprintf(path, sizeof path,
                 "/v1/challenges/%ld/focalization/runs/%ld/municipalities?limit=2&cursor=%s",
                 challenge, run, cursor);
        http_response_free(&r);
    }
    ck_assert_int_eq(seen, 7);

    /* A retry under the same Idempotency-Key runs nothing more. */
    char runs_path[96];
    snprintf(runs_path, sizeof runs_path, "/v1/challenges/%ld/focalization/runs", challenge);
    const char *key[] = {"Idempotency-Key: run-2022-1", NULL};
    fixture_expect_replayed(&(struct http_request){.method = "POST",
                                                   .path = runs_path,
                                                   .token = fixture_token(U_HEALTH),
                                                   .body = "{}",
                                                   .headers = key},
                            "focalization_runs");

    /* The filter, and the CSV in long form. */
    r = run_municipalities(challenge, run, "&status=no_data");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "items")), 1);
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/challenges/%ld/focalization/runs/%ld/municipalities",
             challenge, run);
    const char *accept[] = {"Accept: text/csv", NULL};
    r = http_do(&(struct http_request){.method = "GET", .path = path, .headers = accept});
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(strstr(buf_cstr(&r.body),
                         "municipality_id,name,status,reason,indicator_code,period,value,rank,"
                         "percentile,indicator_status\r\n") == buf_cstr(&r.body),
                  "%s", buf_cstr(&r.body));
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), ADAMANTINA ",Adamantina,focal,"));
    http_response_free(&r);
}
END_TEST

START_TEST(a_small_denominator_is_not_ranked)
{
    sp_municipalities();
    long challenge = health_challenge(sp_cycle(false), "any");
    long ind = indicator("MORT-INF", "lower_is_better", 1);
    rule(challenge, ind, "worst_count", "1", "100");
    value(ind, ADAMANTINA, "2022", "83.3", "12"); /* one death in 12 births: says little */
    value(ind, ADOLFO, "2022", "15", "400");
    value(ind, AGUAI, "2022", "9", "900");
    long run = run_ok(challenge);
    struct http_response r = run_municipalities(challenge, run, NULL);
    ck_assert_str_eq(status_in(&r, ADAMANTINA), "no_data");
    ck_assert_str_eq(str_of(item_of(&r, ADAMANTINA), "reason"),
                     "No data: MORT-INF 83.3 in 2022: denominator 12 below the minimum 100, "
                     "not ranked");
    const cJSON *v = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(item_of(&r, ADAMANTINA), "indicators"), 0);
    ck_assert_str_eq(str_of(v, "status"), "small_denominator");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(v, "rank")));
    ck_assert_str_eq(status_in(&r, ADOLFO), "focal"); /* the worst of those ranked */
    ck_assert_str_eq(status_in(&r, AGUAI), "not_focal");
    http_response_free(&r);
}
END_TEST

START_TEST(worst_percent_on_the_latest_period_when_the_rule_names_none)
{
    sp_municipalities();
    long challenge = health_challenge(sp_cycle(false), "any");
    long ideb = indicator("IDEB", "higher_is_better", 1);
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO challenge_indicators (challenge_id, indicator_id, role, focal_rule,"
             "                                  focal_value)"
             " VALUES (%ld, %ld, 'main', 'worst_percent', 30)",
             challenge, ideb);
    fixture_exec(sql);
    value(ideb, ADAMANTINA, "2019", "3.0", NULL); /* the worst in 2019, not ranked in 2021 */
    const char *codes[] = {ADOLFO, AGUAI, PRATA, LINDOIA, BARBARA};
    const char *scores[] = {"4.0", "5.1", "6.2", "5.5", "6.9"};
    for (int i = 0; i < 5; i++)
        value(ideb, codes[i], "2021", scores[i], NULL);
    struct http_response r = post_run(challenge, fixture_token(U_HEALTH));
    ck_assert_int_eq(r.status, 201);
    const cJSON *rule0 =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                               cJSON_GetObjectItemCaseSensitive(r.json, "rule"), "indicators"),
                           0);
    ck_assert_str_eq(str_of(rule0, "period"), "2021");
    long run = (long)num_of(r.json, "id");
    ck_assert_int_eq((long)num_of(r.json, "focal_count"), 2); /* ceil(30% of 5) */
    http_response_free(&r);
    r = run_municipalities(challenge, run, "&status=focal");
    ck_assert_ptr_nonnull(item_of(&r, ADOLFO));
    ck_assert_ptr_nonnull(item_of(&r, AGUAI));
    ck_assert_str_eq(str_of(item_of(&r, AGUAI), "reason"),
                     "Focal: IDEB 5.1 in 2021: rank 2 of 5, among the worst 30%");
    http_response_free(&r);
    r = run_municipalities(challenge, run, NULL);
    ck_assert_str_eq(status_in(&r, ADAMANTINA), "no_data");
    http_response_free(&r);
}
END_TEST

START_TEST(indicators_combine_by_any_or_all)
{
    sp_municipalities();
    long cycle = sp_cycle(false);
    long any = health_challenge(cycle, "any");
    long all =
        fixture_longf("INSERT INTO challenges (cycle_id, code, title, area, responsible_area,"
                      "                        focal_combine)"
                      " VALUES (%ld, 'SAU-02', 'Saúde', 'health', 'health', 'all')"
                      " RETURNING id",
                      cycle);
    long mort = indicator("MORT-INF", "lower_is_better", 1);
    long ideb = indicator("IDEB", "higher_is_better", 1);
    for (int i = 0; i < 2; i++) {
        long c = i ? all : any;
        rule(c, mort, "threshold", "20", NULL);  /* critical at 20 or more */
        rule(c, ideb, "threshold", "4.5", NULL); /* critical at 4.5 or less */
    }
    value(mort, ADAMANTINA, "2022", "25", NULL); /* critical on both */
    value(ideb, ADAMANTINA, "2022", "4.0", NULL);
    value(mort, ADOLFO, "2022", "25", NULL); /* critical on one */
    value(ideb, ADOLFO, "2022", "6.0", NULL);
    value(mort, AGUAI, "2022", "25", NULL); /* critical on one, no data on the other */
    value(mort, PRATA, "2022", "10", NULL); /* on neither */
    value(ideb, PRATA, "2022", "6.0", NULL);

    struct http_response r = run_municipalities(any, run_ok(any), NULL);
    ck_assert_str_eq(status_in(&r, ADAMANTINA), "focal");
    ck_assert_str_eq(status_in(&r, ADOLFO), "focal");
    ck_assert_str_eq(status_in(&r, AGUAI), "focal");
    ck_assert_str_eq(status_in(&r, PRATA), "not_focal");
    ck_assert_str_eq(status_in(&r, LINDOIA), "no_data"); /* no data on every indicator */
    ck_assert_str_eq(str_of(item_of(&r, ADOLFO), "reason"),
                     "Focal: MORT-INF 25.0 in 2022: rank 1 of 4, at or above the critical "
                     "threshold 20");
    http_response_free(&r);

    r = run_municipalities(all, run_ok(all), NULL);
    ck_assert_str_eq(status_in(&r, ADAMANTINA), "focal");
    ck_assert_str_eq(status_in(&r, ADOLFO), "not_focal");
    ck_assert_str_eq(status_in(&r, AGUAI), "no_data"); /* all: no data on any one */
    ck_assert_str_eq(status_in(&r, PRATA), "not_focal");
    http_response_free(&r);
}
END_TEST

START_TEST(running_again_keeps_the_old_run_readable)
{
    long ind;
    long challenge = mortality_challenge(&ind);
    long first = run_ok(challenge);
    /* The state revises a value: Águas da Prata is now the worst. */
    fixture_exec("UPDATE indicator_values SET value = 50 WHERE municipality_id = '" PRATA "'");
    /* A run needs no body at all. */
    char path[128];
    snprintf(path, sizeof path, "/v1/challenges/%ld/focalization/runs", challenge);
    struct http_response r = http_do(
        &(struct http_request){.method = "POST", .path = path, .token = fixture_token(U_HEALTH)});
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    long second = (long)num_of(r.json, "id");
    http_response_free(&r);
    ck_assert_int_gt(second, first);

    r = http_get(path, NULL);
    ck_assert_int_eq(r.status, 200);
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 2);
    const cJSON *newest = cJSON_GetArrayItem(items, 0);
    ck_assert_int_eq((long)num_of(newest, "id"), second); /* newest first */
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(newest, "current")));
    ck_assert(
        cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(items, 1), "current")));
    http_response_free(&r);

    r = run_municipalities(challenge, first, NULL);
    ck_assert_str_eq(status_in(&r, PRATA), "not_focal");
    http_response_free(&r);
    r = run_municipalities(challenge, second, NULL);
    ck_assert_str_eq(status_in(&r, PRATA), "focal");
    ck_assert_str_eq(status_in(&r, ADOLFO), "not_focal"); /* 50, 30: the cut is 2 */
    http_response_free(&r);

    snprintf(path, sizeof path, "/v1/challenges/%ld/focalization/runs/%ld", challenge, first);
    r = http_get(path, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq((long)num_of(r.json, "focal_count"), 3);
    http_response_free(&r);
    /* A run of another challenge is not found under this one. */
    snprintf(path, sizeof path, "/v1/challenges/%ld/focalization/runs/%ld/municipalities",
             challenge + 1, first);
    ck_assert_int_eq(fixture_get_status(path, NULL), 404);
}
END_TEST

/* The public result's page as anyone sees it. */
static struct http_response focal_list(long challenge, const char *query)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/challenges/%ld/focal-municipalities%s", challenge,
             query ? query : "");
    struct http_response r = http_get(path, NULL);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    return r;
}

static struct http_response decide(long challenge, const char *code, const char *body,
                                   enum fixture_user who)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/challenges/%ld/focal-municipalities/%s", challenge, code);
    return http_do(&(struct http_request){
        .method = "PUT", .path = path, .token = fixture_token(who), .body = body});
}

START_TEST(a_manual_removal_shows_in_the_public_result)
{
    long challenge = mortality_challenge(NULL);
    run_ok(challenge);
    struct http_response r = focal_list(challenge, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "items")), 3);
    ck_assert_str_eq(str_of(item_of(&r, ADOLFO), "decision"), "run");
    http_response_free(&r);

    long audit = fixture_count("audit_events");
    r = decide(challenge, ADOLFO,
               "{\"focal\":false,\"reason\":\"Rate revised by the municipality's own records\"}",
               U_HEALTH);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    http_response_free(&r);
    r = decide(challenge, LINDOIA, "{\"focal\":true,\"reason\":\"Outbreak in 2023\"}", U_HEALTH);
    ck_assert_int_eq(r.status, 201);
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("audit_events"), audit + 2);

    r = focal_list(challenge, NULL);
    const cJSON *adolfo = item_of(&r, ADOLFO);
    ck_assert_ptr_nonnull(adolfo); /* a manual removal shows too */
    ck_assert_str_eq(str_of(adolfo, "status"), "not_focal");
    ck_assert_str_eq(str_of(adolfo, "decision"), "manual");
    ck_assert_str_eq(str_of(adolfo, "manual_reason"),
                     "Rate revised by the municipality's own records");
    ck_assert_str_eq(str_of(adolfo, "run_status"), "focal");
    ck_assert_str_eq(str_of(item_of(&r, LINDOIA), "status"), "focal");
    ck_assert_str_eq(str_of(item_of(&r, ADAMANTINA), "decision"), "run");
    http_response_free(&r);
    ck_assert_int_eq(
        fixture_longf("SELECT count(*) FROM challenge_focal_municipalities(%ld)", challenge),
        3); /* Adamantina, Aguaí, Lindóia */
    /* The CSV, one line per municipality and indicator. */
    char csv_path[96];
    snprintf(csv_path, sizeof csv_path, "/v1/challenges/%ld/focal-municipalities", challenge);
    const char *accept[] = {"Accept: text/csv", NULL};
    r = http_do(&(struct http_request){.method = "GET", .path = csv_path, .headers = accept});
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body),
                                 ADOLFO ",Adolfo,not_focal,manual,\"Focal: MORT-INF 20.0 in 2022: "
                                        "rank 2 of 6, among the worst 2\",Rate revised by the "
                                        "municipality's own records,MORT-INF,2022,20.0,2,50.00,"
                                        "critical\r\n"));
    http_response_free(&r);
    r = focal_list(challenge, "?status=not_focal");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "items")), 3);
    http_response_free(&r);

    /* Replacing the decision is an update; deleting it gives the run's verdict back. */
    r = decide(challenge, ADOLFO, "{\"focal\":false,\"reason\":\"Confirmed\"}", U_COORDINATION);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    char path[128];
    snprintf(path, sizeof path, "/v1/challenges/%ld/focal-municipalities/%s", challenge, ADOLFO);
    r = http_do(
        &(struct http_request){.method = "DELETE", .path = path, .token = fixture_token(U_HEALTH)});
    ck_assert_int_eq(r.status, 204);
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("audit_events"), audit + 4);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE entity ="
                                  " 'focal_override' AND action = 'delete'"),
                     1);
    r = focal_list(challenge, NULL);
    ck_assert_str_eq(str_of(item_of(&r, ADOLFO), "status"), "focal");
    ck_assert_str_eq(str_of(item_of(&r, ADOLFO), "decision"), "run");
    http_response_free(&r);
    /* Nothing left to delete. */
    r = http_do(
        &(struct http_request){.method = "DELETE", .path = path, .token = fixture_token(U_HEALTH)});
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
}
END_TEST

START_TEST(only_the_challenges_secretariat_may_run_or_decide)
{
    long challenge = mortality_challenge(NULL);
    struct fixture_snapshot before = fixture_snapshot();

    struct http_response r = post_run(challenge, fixture_token(U_EDUCATION));
    http_expect_problem(&r, 403, "forbidden");
    ck_assert_ptr_nonnull(strstr(http_json_string(&r, "detail"), "health secretariat"));
    http_response_free(&r);
    fixture_assert_unchanged(before);

    r = post_run(challenge, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    r = post_run(challenge, fixture_token(U_MAYOR_CG));
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = decide(challenge, ADOLFO, "{\"focal\":true,\"reason\":\"x\"}", U_EDUCATION);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    /* A municipality outside the cycle's state. */
    r = decide(challenge, CG, "{\"focal\":true,\"reason\":\"x\"}", U_HEALTH);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    /* A decision needs its reason, at most 1000 characters. */
    r = decide(challenge, ADOLFO, "{\"focal\":true}", U_HEALTH);
    fixture_expect_invalid(&r, "reason");
    http_response_free(&r);
    char body[1200];
    snprintf(body, sizeof body, "{\"focal\":true,\"reason\":\"%01001d\"}", 0);
    r = decide(challenge, ADOLFO, body, U_HEALTH);
    fixture_expect_invalid(&r, "reason");
    http_response_free(&r);
    /* A run takes no parameters. */
    char path[96];
    snprintf(path, sizeof path, "/v1/challenges/%ld/focalization/runs", challenge);
    r = http_post(path, fixture_token(U_HEALTH), "{\"period\":\"2022\"}");
    fixture_expect_invalid(&r, "period");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    /* Nor an unknown challenge. */
    r = post_run(challenge + 1000, fixture_token(U_HEALTH));
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(a_closed_cycle_or_a_challenge_without_a_rule_cannot_run)
{
    sp_municipalities();
    long closed = health_challenge(sp_cycle(true), "any");
    long ind = indicator("MORT-INF", "lower_is_better", 1);
    rule(closed, ind, "worst_count", "1", NULL);
    long open = fixture_longf("INSERT INTO challenges (cycle_id, code, title, area,"
                              " responsible_area) VALUES (%ld, 'SAU-09', 'Sem regra', 'health',"
                              " 'health') RETURNING id",
                              sp_cycle(false));
    fixture_exec("INSERT INTO challenge_indicators (challenge_id, indicator_id, role)"
                 " SELECT max(id), (SELECT max(id) FROM indicators), 'main' FROM challenges");
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = post_run(closed, fixture_token(U_HEALTH));
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    r = decide(closed, ADOLFO, "{\"focal\":true,\"reason\":\"x\"}", U_HEALTH);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    r = post_run(open, fixture_token(U_HEALTH));
    http_expect_problem(&r, 422, "no-focalization-rule");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(municipalities_show_where_they_are_focal)
{
    long challenge = mortality_challenge(NULL);
    /* Read first, so that the server has the pages and the item cached. */
    char path[96];
    snprintf(path, sizeof path, "/v1/municipalities?focal_challenge=%ld", challenge);
    struct http_response r = http_get(path, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "items")), 0);
    http_response_free(&r);
    r = http_get("/v1/municipalities/" ADAMANTINA, NULL);
    ck_assert_int_eq(
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "focal_challenges")), 0);
    http_response_free(&r);

    run_ok(challenge);
    r = decide(challenge, ADOLFO, "{\"focal\":false,\"reason\":\"Revised\"}", U_HEALTH);
    http_response_free(&r);

    r = http_get(path, NULL);
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 2); /* Adamantina and Aguaí */
    ck_assert_str_eq(str_of(cJSON_GetArrayItem(items, 0), "ibge_code"), ADAMANTINA);
    ck_assert_str_eq(str_of(cJSON_GetArrayItem(items, 1), "ibge_code"), AGUAI);
    http_response_free(&r);

    r = http_get("/v1/municipalities/" ADAMANTINA, NULL);
    const cJSON *fc =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json, "focal_challenges"), 0);
    ck_assert_ptr_nonnull(fc);
    ck_assert_int_eq((long)num_of(fc, "challenge_id"), challenge);
    ck_assert_str_eq(str_of(fc, "code"), "SAU-01");
    http_response_free(&r);
    r = http_get("/v1/municipalities/" ADOLFO, NULL);
    ck_assert_int_eq(
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "focal_challenges")), 0);
    http_response_free(&r);
    ck_assert_int_eq(fixture_get_status("/v1/municipalities?focal_challenge=x", NULL), 400);
}
END_TEST

START_TEST(a_municipality_among_its_peers)
{
    sp_municipalities();
    long pop = fixture_long("INSERT INTO indicators (code, name, unit, polarity, source,"
                            " periodicity, area, decimals, is_population)"
                            " VALUES ('POP', 'População', 'inhabitants', 'higher_is_better',"
                            "         'IBGE', 'annual', 'coordination', 0, true) RETURNING id");
    long mort = indicator("MORT-INF", "lower_is_better", 2);
    /* Five municipalities of 10,001 to 20,000 inhabitants, one of 5,001 to
     * 10,000, and the capital. The newest population counts: Adolfo grew. */
    const char *band4[] = {ADAMANTINA, AGUAI, PRATA, LINDOIA, ADOLFO};
    const char *rates[] = {"10", "20", "30", "40", "50"};
    for (int i = 0; i < 5; i++) {
        value(pop, band4[i], "2022", i == 4 ? "12000" : "15000", NULL);
        value(mort, band4[i], "2022", rates[i], NULL);
    }
    value(pop, ADOLFO, "2010", "3500", NULL);
    value(pop, BARBARA, "2022", "6000", NULL);
    value(mort, BARBARA, "2022", "1", NULL);
    value(pop, SAO_PAULO, "2022", "11451245", NULL);
    value(mort, SAO_PAULO, "2022", "11", NULL);

    char path[128];
    snprintf(path, sizeof path, "/v1/municipalities/" AGUAI "/peers?indicator_id=%ld", mort);
    struct http_response r = http_get(path, NULL);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_str_eq(str_of(r.json, "period"), "2022"); /* the latest */
    const cJSON *band = cJSON_GetObjectItemCaseSensitive(r.json, "band");
    ck_assert_int_eq((long)num_of(band, "band"), 3);
    ck_assert_str_eq(str_of(band, "label"), "10,001 to 20,000");
    ck_assert_int_eq((long)num_of(r.json, "peer_count"), 5);
    ck_assert_double_eq_tol(num_of(r.json, "value"), 20, 1e-9);
    ck_assert_int_eq((long)num_of(r.json, "rank"), 2); /* lower is better: 10 is first */
    ck_assert_double_eq_tol(num_of(r.json, "median"), 30, 1e-9);
    ck_assert_double_eq_tol(num_of(r.json, "first_quartile"), 20, 1e-9);
    ck_assert_double_eq_tol(num_of(r.json, "third_quartile"), 40, 1e-9);
    /* The state: the mean of the municipal values (no scale): 162 / 7. */
    ck_assert_double_eq_tol(num_of(cJSON_GetObjectItemCaseSensitive(r.json, "state"), "value"),
                            23.14, 1e-9);
    http_response_free(&r);

    /* Interpolated quartiles of four values: 10, 20, 30, 50 without Lindóia. */
    fixture_exec("DELETE FROM indicator_values WHERE municipality_id = '" LINDOIA "'"
                 " AND period = '2022' AND indicator_id <> (SELECT id FROM indicators"
                 " WHERE is_population)");
    snprintf(path, sizeof path, "/v1/municipalities/" PRATA "/peers?indicator_id=%ld&period=2022",
             mort);
    r = http_get(path, NULL);
    ck_assert_int_eq((long)num_of(r.json, "peer_count"), 4);
    ck_assert_double_eq_tol(num_of(r.json, "median"), 25, 1e-9);
    ck_assert_double_eq_tol(num_of(r.json, "first_quartile"), 17.5, 1e-9);
    ck_assert_double_eq_tol(num_of(r.json, "third_quartile"), 35, 1e-9);
    ck_assert_int_eq((long)num_of(r.json, "rank"), 3);
    http_response_free(&r);

    snprintf(path, sizeof path, "/v1/municipalities/" PRATA "/peers?indicator_id=%ld&period=22",
             mort);
    ck_assert_int_eq(fixture_get_status(path, NULL), 400);
    ck_assert_int_eq(fixture_get_status("/v1/municipalities/" PRATA "/peers", NULL), 400);
    /* Without a population indicator there are no bands. */
    fixture_exec("UPDATE indicators SET is_population = false");
    snprintf(path, sizeof path, "/v1/municipalities/" PRATA "/peers?indicator_id=%ld", mort);
    r = http_get(path, NULL);
    http_expect_problem(&r, 409, "no-population");
    http_response_free(&r);
}
END_TEST

Suite *focalization_suite(void)
{
    Suite *s = suite_create("focalization");
    TCase *tc = tcase_create("focalization");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, lower_is_better_picks_the_highest_rates_and_ties_at_the_cut_are_all_in);
    tcase_add_test(tc, a_small_denominator_is_not_ranked);
    tcase_add_test(tc, worst_percent_on_the_latest_period_when_the_rule_names_none);
    tcase_add_test(tc, indicators_combine_by_any_or_all);
    tcase_add_test(tc, running_again_keeps_the_old_run_readable);
    tcase_add_test(tc, a_manual_removal_shows_in_the_public_result);
    tcase_add_test(tc, only_the_challenges_secretariat_may_run_or_decide);
    tcase_add_test(tc, a_closed_cycle_or_a_challenge_without_a_rule_cannot_run);
    tcase_add_test(tc, municipalities_show_where_they_are_focal);
    tcase_add_test(tc, a_municipality_among_its_peers);
    suite_add_tcase(s, tc);
    return s;
}
