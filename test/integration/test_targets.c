/*
 * Integration tests for state targets and suggested municipal targets (issue
 * 8, "Targets"): the health secretariat sets the state's targets for its
 * challenge, infant mortality (lower is better) and vaccination coverage
 * (higher is better, 0 to 100), and computes the municipalities' suggested
 * targets: half of the gap closed, a municipality already past the state
 * target keeping its baseline (or improving by the minimum, capped at the
 * valid range), a municipality without values listed without a suggestion.
 * The suggestions stay as computed when values change, until the next
 * computation, which is one audit event. Other secretariats, mayors and
 * anonymous callers cannot change them; bad input names the field; every
 * refusal leaves the database as it was. Anyone reads the focal
 * municipalities' suggestions, in JSON or CSV.
 *
 * Indicators, values, challenges and focalization runs have suites of their
 * own: this suite seeds their rows with SQL (seed_world), as those
 * endpoints would store them.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Mato Grosso do Sul, beside the fixture's Campo Grande and Dourados. */
#define AGUA_CLARA  "5000203"
#define ALCINOPOLIS "5000252"
#define AMAMBAI     "5000609"

static struct {
    char challenge[24], tmi[24], vac[24], pop[24], targets[96], compute[128], suggestions[128];
} w;

static long seed_long(const char *sql) { return fixture_long(sql); }

/* The world of every test: a cycle of MS open now (target year 2027), the
 * health challenge SAU-01 with two main indicators and a complementary one,
 * their values, and a focalization run that marks Campo Grande, Dourados,
 * Água Clara and Alcinópolis focal (Amambai is not).
 *
 * Infant mortality (per 1,000 live births, one decimal, >= 0), 2023:
 *   Campo Grande 150/10000 = 15.0, Dourados 20/4000 = 5.0, Água Clara
 *   30/1000 = 30.0, Alcinópolis none, Amambai only 2022: 12/600 = 20.0;
 *   state 2023 = 200/15000 = 13.3; 2022 (Campo Grande 160/10000 and
 *   Amambai) = 172/10600 = 16.2.
 * Vaccination coverage (%, one decimal, 0 to 100), 2023: Campo Grande 80,
 *   Dourados 98, Água Clara 60, Alcinópolis 90, Amambai none; state mean 82.
 */
static void seed_world(void)
{
    fixture_exec("INSERT INTO municipalities (ibge_code, name, state_code) VALUES"
                 " ('" AGUA_CLARA "', 'Água Clara', 50), ('" ALCINOPOLIS "', 'Alcinópolis', 50),"
                 " ('" AMAMBAI "', 'Amambai', 50)");
    long cycle = seed_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments) VALUES ('Ciclo 2027', 50,"
        " now() - interval '1 day', now() + interval '1 day', now() + interval '2 days',"
        " now() + interval '30 days', 2027, '[\"Pactuar metas\"]') RETURNING id");
    long tmi = seed_long(
        "INSERT INTO indicators (code, name, unit, polarity, source, periodicity, decimals,"
        " min_value, area, scale) VALUES ('TMI', 'Mortalidade infantil',"
        " 'per 1,000 live births', 'lower_is_better', 'DATASUS – SIM/SINASC', 'annual', 1, 0,"
        " 'health', 1000) RETURNING id");
    long vac = seed_long(
        "INSERT INTO indicators (code, name, unit, polarity, source, periodicity, decimals,"
        " min_value, max_value, area) VALUES ('VAC', 'Cobertura vacinal', '%',"
        " 'higher_is_better', 'DATASUS – SI-PNI', 'annual', 1, 0, 100, 'health') RETURNING id");
    long pop = seed_long("INSERT INTO indicators (code, name, unit, polarity, source, periodicity,"
                         " decimals, min_value, area) VALUES ('NASC', 'Nascidos vivos', 'births',"
                         " 'higher_is_better', 'DATASUS – SINASC', 'annual', 0, 0, 'health')"
                         " RETURNING id");
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO challenges (cycle_id, code, title, area, responsible_area)"
             " VALUES (%ld, 'SAU-01', 'Saúde da criança', 'health', 'health') RETURNING id",
             cycle);
    long challenge = seed_long(sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO challenge_indicators (challenge_id, indicator_id, role) VALUES"
             " (%ld, %ld, 'main'), (%ld, %ld, 'main'), (%ld, %ld, 'complementary');"
             "INSERT INTO indicator_values (indicator_id, municipality_id, period, value,"
             " numerator, denominator) VALUES"
             " (%ld, '" CG "', '2023', 15, 150, 10000), (%ld, '" DOURADOS "', '2023', 5, 20, 4000),"
             " (%ld, '" AGUA_CLARA "', '2023', 30, 30, 1000),"
             " (%ld, '" AMAMBAI "', '2022', 20, 12, 600), (%ld, '" CG "', '2022', 16, 160, 10000),"
             " (%ld, '" CG "', '2023', 80, NULL, NULL), (%ld, '" DOURADOS
             "', '2023', 98, NULL, NULL),"
             " (%ld, '" AGUA_CLARA "', '2023', 60, NULL, NULL),"
             " (%ld, '" ALCINOPOLIS "', '2023', 90, NULL, NULL)",
             challenge, tmi, challenge, vac, challenge, pop, tmi, tmi, tmi, tmi, tmi, vac, vac, vac,
             vac);
    fixture_exec(sql);
    snprintf(sql, sizeof sql,
             "WITH r AS (INSERT INTO focalization_runs (challenge_id, rule, focal_count)"
             " VALUES (%ld, '{\"combine\":\"any\",\"indicators\":[]}', 4) RETURNING id)"
             " INSERT INTO focalization_results (run_id, municipality_id, status, reason)"
             " SELECT r.id, m.code, m.status, 'seeded' FROM r, (VALUES ('" CG "', 'focal'),"
             " ('" DOURADOS "', 'focal'), ('" AGUA_CLARA "', 'focal'), ('" ALCINOPOLIS
             "', 'focal'),"
             " ('" AMAMBAI "', 'not_focal')) AS m (code, status)",
             challenge);
    fixture_exec(sql);
    snprintf(w.challenge, sizeof w.challenge, "%ld", challenge);
    snprintf(w.tmi, sizeof w.tmi, "%ld", tmi);
    snprintf(w.vac, sizeof w.vac, "%ld", vac);
    snprintf(w.pop, sizeof w.pop, "%ld", pop);
    snprintf(w.targets, sizeof w.targets, "/v1/challenges/%ld/targets", challenge);
    snprintf(w.compute, sizeof w.compute, "/v1/challenges/%ld/suggested-targets/compute",
             challenge);
    snprintf(w.suggestions, sizeof w.suggestions, "/v1/challenges/%ld/suggested-targets",
             challenge);
}

static void setup(void)
{
    fixture_reset();
    seed_world();
}

static double number(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
    return v->valuedouble;
}

static const char *text(const cJSON *obj, const char *name)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, name));
    ck_assert_msg(s != NULL, "%s is not a string", name);
    return s;
}

/* POSTs a state target for `indicator` as `who`, asserting 201. */
static void set_target(enum fixture_user who, const char *indicator, const char *rest)
{
    char body[512];
    snprintf(body, sizeof body, "{\"indicator_id\":%s,%s}", indicator, rest);
    struct http_response r = http_post(w.targets, fixture_token(who), body);
    ck_assert_msg(r.status == 201, "%s: %ld %s", body, r.status, buf_cstr(&r.body));
    http_response_free(&r);
}

/* Both targets: infant mortality 10 and coverage 95, half of the gap. */
static void set_both_targets(void)
{
    set_target(U_HEALTH, w.tmi, "\"target_value\":10,\"rule\":\"gap_closure\",\"rule_value\":0.5");
    set_target(U_HEALTH, w.vac, "\"target_value\":95,\"rule\":\"gap_closure\",\"rule_value\":0.5");
}

static struct http_response compute(enum fixture_user who)
{
    return http_do(
        &(struct http_request){.method = "POST", .path = w.compute, .token = fixture_token(who)});
}

static void compute_ok(void)
{
    struct http_response r = compute(U_HEALTH);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    http_response_free(&r);
}

/* The suggestion of `municipality` for `indicator` in a list answer, or NULL. */
static const cJSON *suggestion(const struct http_response *r, const char *municipality,
                               const char *indicator)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(r->json, "items"))
    {
        if (strcmp(text(item, "municipality_id"), municipality) == 0 &&
            (long)number(item, "indicator_id") == atol(indicator))
            return item;
    }
    return NULL;
}

static void expect_suggestion(const struct http_response *r, const char *municipality,
                              const char *indicator, const char *status, double value)
{
    const cJSON *s = suggestion(r, municipality, indicator);
    ck_assert_msg(s != NULL, "no suggestion for %s / %s in %s", municipality, indicator,
                  buf_cstr(&r->body));
    ck_assert_str_eq(text(s, "status"), status);
    ck_assert_double_eq_tol(number(s, "suggested_value"), value, 1e-9);
}

static struct http_response list(const char *query)
{
    char path[256];
    snprintf(path, sizeof path, "%s%s", w.suggestions, query);
    struct http_response r = http_get(path, NULL);
    ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, buf_cstr(&r.body));
    return r;
}

static int item_count(const struct http_response *r)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json, "items"));
}

START_TEST(health_secretariat_sets_the_state_target_with_its_baseline)
{
    long audit = fixture_count("audit_events");
    char body[256];
    snprintf(body, sizeof body,
             "{\"indicator_id\":%s,\"target_value\":10,\"rule\":\"gap_closure\","
             "\"rule_value\":0.5}",
             w.tmi);
    struct http_response r = http_post(w.targets, fixture_token(U_HEALTH), body);
    ck_assert_msg(r.status == 201, "%s", buf_cstr(&r.body));
    char location[128];
    snprintf(location, sizeof location, "%s/%s", w.targets, w.tmi);
    ck_assert_str_eq(http_header(&r, "Location"), location);
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    /* The state figure is Σdeaths ÷ Σbirths × 1,000 of the latest period. */
    const cJSON *baseline = cJSON_GetObjectItemCaseSensitive(r.json, "baseline");
    ck_assert_double_eq_tol(number(baseline, "value"), 13.3, 1e-9);
    ck_assert_str_eq(text(baseline, "period"), "2023");
    ck_assert_str_eq(text(r.json, "indicator_code"), "TMI");
    ck_assert_str_eq(text(r.json, "polarity"), "lower_is_better");
    ck_assert_int_eq((long)number(r.json, "target_year"), 2027); /* the cycle's */
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r.json, "computed_at")));
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("audit_events"), audit + 1);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity ="
                                   " 'state_target' AND entity_id = '%s/%s' AND action = 'create'",
                                   w.challenge, w.tmi),
                     1);

    /* Anyone reads it; a second target for the indicator is a conflict. */
    r = http_get(location, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_double_eq_tol(number(r.json, "target_value"), 10, 1e-9);
    http_response_free(&r);
    struct fixture_snapshot before = fixture_snapshot();
    r = http_post(w.targets, fixture_token(U_HEALTH), body);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    /* An earlier baseline period recomputes the baseline. */
    r = http_do(
        &(struct http_request){.method = "PATCH",
                               .path = location,
                               .token = fixture_token(U_HEALTH),
                               .content_type = "application/merge-patch+json",
                               .body = "{\"baseline_period\":\"2022\",\"target_year\":2028}"});
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    baseline = cJSON_GetObjectItemCaseSensitive(r.json, "baseline");
    ck_assert_double_eq_tol(number(baseline, "value"), 16.2, 1e-9);
    ck_assert_str_eq(text(baseline, "period"), "2022");
    ck_assert_int_eq((long)number(r.json, "version"), 2);
    http_response_free(&r);

    r = http_get(w.targets, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(item_count(&r), 1);
    http_response_free(&r);
    const char *csv[] = {"Accept: text/csv", NULL};
    r = http_do(&(struct http_request){.method = "GET", .path = w.targets, .headers = csv});
    ck_assert_int_eq(r.status, 200);
    char line[256];
    snprintf(line, sizeof line,
             "challenge_id,indicator_id,indicator_code,polarity,target_value,target_year,rule,"
             "rule_value,min_improvement,computed_at\r\n%s,%s,TMI,lower_is_better,10,2028,"
             "gap_closure,0.5,0,\r\n",
             w.challenge, w.tmi);
    ck_assert_str_eq(buf_cstr(&r.body), line);
    http_response_free(&r);
}
END_TEST

START_TEST(suggestions_for_both_polarities_for_the_focal_municipalities)
{
    set_both_targets();
    long audit = fixture_count("audit_events");
    struct http_response r = compute(U_HEALTH);
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    /* Counts per target, over the five municipalities of MS. */
    const cJSON *t;
    int seen = 0;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(r.json, "targets"))
    {
        ck_assert_int_eq((long)number(t, "municipalities"), 5);
        ck_assert_int_eq((long)number(t, "suggested"), 3);
        ck_assert_int_eq((long)number(t, "kept_baseline"), 1);
        ck_assert_int_eq((long)number(t, "no_baseline"), 1);
        seen++;
    }
    ck_assert_int_eq(seen, 2);
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("audit_events"), audit + 1);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity = 'challenge'"
                                   " AND entity_id = '%s' AND action = 'compute_suggested_targets'",
                                   w.challenge),
                     1);
    ck_assert_int_eq(fixture_count("suggested_targets"), 10);
    /* The coordination reads it in the audit log, with the counts. */
    r = http_get("/v1/audit?entity=challenge", fixture_token(U_COORDINATION));
    ck_assert_int_eq(r.status, 200);
    const cJSON *event = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "items"), 0);
    ck_assert_str_eq(text(event, "action"), "compute_suggested_targets");
    ck_assert_str_eq(text(event, "entity_id"), w.challenge);
    ck_assert_int_eq(
        cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(event, "after"), "targets")), 2);
    http_response_free(&r);

    r = list("");
    ck_assert_int_eq(item_count(&r), 8); /* four focal municipalities, two targets */
    /* Lower is better: 15 -> 12.5 and 30 -> 20, half way to 10. */
    expect_suggestion(&r, CG, w.tmi, "suggested", 12.5);
    expect_suggestion(&r, AGUA_CLARA, w.tmi, "suggested", 20);
    /* Higher is better: 80 -> 87.5, 60 -> 77.5, 90 -> 92.5, half way to 95. */
    expect_suggestion(&r, CG, w.vac, "suggested", 87.5);
    expect_suggestion(&r, AGUA_CLARA, w.vac, "suggested", 77.5);
    expect_suggestion(&r, ALCINOPOLIS, w.vac, "suggested", 92.5);
    /* Already past the state target: Dourados keeps 5.0 and 98. */
    expect_suggestion(&r, DOURADOS, w.tmi, "kept_baseline", 5);
    expect_suggestion(&r, DOURADOS, w.vac, "kept_baseline", 98);
    /* Alcinópolis has no infant mortality: listed, without a suggestion. */
    const cJSON *none = suggestion(&r, ALCINOPOLIS, w.tmi);
    ck_assert_ptr_nonnull(none);
    ck_assert_str_eq(text(none, "status"), "no_baseline");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(none, "suggested_value")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(none, "baseline_value")));
    const cJSON *cg = suggestion(&r, CG, w.tmi);
    ck_assert_double_eq_tol(number(cg, "baseline_value"), 15, 1e-9);
    ck_assert_str_eq(text(cg, "baseline_period"), "2023");
    ck_assert_double_eq_tol(number(cg, "state_target"), 10, 1e-9);
    ck_assert_int_eq((long)number(cg, "target_year"), 2027);
    ck_assert_str_eq(text(cg, "municipality_name"), "Campo Grande");
    ck_assert(suggestion(&r, AMAMBAI, w.tmi) == NULL); /* not focal */
    http_response_free(&r);

    /* Every municipality on request: Amambai's baseline is its 2022 value. */
    char q[64];
    snprintf(q, sizeof q, "?municipalities=all&indicator_id=%s", w.tmi);
    r = list(q);
    ck_assert_int_eq(item_count(&r), 5);
    expect_suggestion(&r, AMAMBAI, w.tmi, "suggested", 15);
    ck_assert_str_eq(text(suggestion(&r, AMAMBAI, w.tmi), "baseline_period"), "2022");
    http_response_free(&r);
    r = list("?status=no_baseline");
    ck_assert_int_eq(item_count(&r), 1);
    http_response_free(&r);

    /* The state targets say when they were last computed. */
    char path[128];
    snprintf(path, sizeof path, "%s/%s", w.targets, w.tmi);
    r = http_get(path, NULL);
    ck_assert_ptr_nonnull(cJSON_GetStringValue(cJSON_GetObjectItem(r.json, "computed_at")));
    http_response_free(&r);
}
END_TEST

START_TEST(past_the_state_target_improves_by_the_minimum_within_the_valid_range)
{
    set_target(U_HEALTH, w.tmi,
               "\"target_value\":10,\"rule\":\"gap_closure\",\"rule_value\":0.5,"
               "\"min_improvement\":10");
    set_target(U_HEALTH, w.vac,
               "\"target_value\":95,\"rule\":\"relative_improvement\",\"rule_value\":50,"
               "\"min_improvement\":5");
    compute_ok();
    struct http_response r = list("");
    /* Dourados is past both: 5.0 - 10% = 4.5; 98 + 5% = 102.9, capped at 100. */
    expect_suggestion(&r, DOURADOS, w.tmi, "kept_baseline", 4.5);
    expect_suggestion(&r, DOURADOS, w.vac, "kept_baseline", 100);
    /* 50% better than 80 is 120, capped at 100; 60 -> 90. */
    expect_suggestion(&r, CG, w.vac, "suggested", 100);
    expect_suggestion(&r, AGUA_CLARA, w.vac, "suggested", 90);
    http_response_free(&r);
}
END_TEST

START_TEST(values_changed_afterwards_wait_for_the_next_computation)
{
    set_both_targets();
    compute_ok();
    /* A revised file lowers Campo Grande's deaths (as the values import would). */
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE indicator_values SET value = 11, numerator = 110 WHERE indicator_id = %s"
             " AND municipality_id = '" CG "' AND period = '2023'",
             w.tmi);
    fixture_exec(sql);
    struct http_response r = list("");
    expect_suggestion(&r, CG, w.tmi, "suggested", 12.5); /* as computed */
    http_response_free(&r);

    long audit = fixture_count("audit_events");
    compute_ok();
    ck_assert_int_eq(fixture_count("audit_events"), audit + 1); /* one event per computation */
    ck_assert_int_eq(fixture_count("suggested_targets"), 10);   /* replaced, not added */
    r = list("");
    expect_suggestion(&r, CG, w.tmi, "suggested", 10.5); /* 11 -> half way to 10 */
    http_response_free(&r);

    /* Deleting a target takes its suggestions with it. */
    char path[128];
    snprintf(path, sizeof path, "%s/%s", w.targets, w.tmi);
    r = http_do(&(struct http_request){
        .method = "DELETE", .path = path, .token = fixture_token(U_COORDINATION)});
    ck_assert_int_eq(r.status, 204);
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("suggested_targets"), 5);
    ck_assert_int_eq(fixture_get_status(path, NULL), 404);
}
END_TEST

START_TEST(only_the_responsible_secretariat_or_the_coordination_may_change_them)
{
    set_target(U_HEALTH, w.tmi, "\"target_value\":10,\"rule\":\"gap_closure\",\"rule_value\":0.5");
    compute_ok();
    char body[256], path[128];
    snprintf(body, sizeof body,
             "{\"indicator_id\":%s,\"target_value\":95,\"rule\":\"gap_closure\","
             "\"rule_value\":0.5}",
             w.vac);
    snprintf(path, sizeof path, "%s/%s", w.targets, w.tmi);
    struct fixture_snapshot before = fixture_snapshot();

    struct http_response r = http_post(w.targets, fixture_token(U_EDUCATION), body);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = compute(U_EDUCATION);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = http_patch(path, fixture_token(U_EDUCATION), "{\"target_value\":8}");
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = http_do(&(struct http_request){
        .method = "DELETE", .path = path, .token = fixture_token(U_EDUCATION)});
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    r = http_post(w.targets, NULL, body);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    r = http_do(&(struct http_request){.method = "POST", .path = w.compute});
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    r = http_post(w.targets, fixture_token(U_MAYOR_CG), body);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = compute(U_MAYOR_CG);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    /* The coordination may. */
    r = compute(U_COORDINATION);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
}
END_TEST

START_TEST(bad_input_names_the_field_and_changes_nothing)
{
    set_target(U_HEALTH, w.tmi, "\"target_value\":10,\"rule\":\"gap_closure\",\"rule_value\":0.5");
    char b[12][256];
    const char *vac = w.vac;
#define BODY(i, fmt) snprintf(b[i], sizeof b[i], "{\"indicator_id\":%s," fmt "}", vac)
    BODY(0, "\"target_value\":95,\"rule\":\"gap_closure\",\"rule_value\":0.5,\"colour\":1");
    BODY(1, "\"target_value\":95,\"rule\":\"gap_closure\",\"rule_value\":1.5");
    BODY(2, "\"target_value\":95,\"rule\":\"gap_closure\",\"rule_value\":0");
    BODY(3, "\"target_value\":95,\"rule\":\"relative_improvement\",\"rule_value\":150");
    BODY(4, "\"target_value\":120,\"rule\":\"gap_closure\",\"rule_value\":0.5");
    BODY(5, "\"target_value\":95,\"rule\":\"gap_closure\",\"rule_value\":0.5,"
            "\"baseline_period\":\"2023-05\"");
    BODY(6, "\"target_value\":95,\"rule\":\"gap_closure\",\"rule_value\":0.5,"
            "\"baseline_period\":\"2010\"");
    BODY(7, "\"target_value\":95,\"rule\":\"gap_closure\",\"rule_value\":0.5,"
            "\"target_year\":1999");
    BODY(8, "\"target_value\":95,\"rule\":\"halve\",\"rule_value\":0.5");
    BODY(9, "\"target_value\":\"95\",\"rule\":\"gap_closure\",\"rule_value\":0.5");
    BODY(10, "\"target_value\":95,\"rule\":\"gap_closure\",\"rule_value\":0.5,"
             "\"min_improvement\":-1");
#undef BODY
    snprintf(b[11], sizeof b[11],
             "{\"indicator_id\":%s,\"target_value\":95,\"rule\":\"gap_closure\","
             "\"rule_value\":0.5}",
             w.pop); /* complementary, not main */
    const struct fixture_invalid_body cases[] = {
        {b[0], "colour"},          {b[1], "rule_value"},       {b[2], "rule_value"},
        {b[3], "rule_value"},      {b[4], "target_value"},     {b[5], "baseline_period"},
        {b[6], "baseline_period"}, {b[7], "target_year"},      {b[8], "rule"},
        {b[9], "target_value"},    {b[10], "min_improvement"}, {b[11], "indicator_id"},
    };
    fixture_expect_invalid_bodies(&(struct http_request){.method = "POST",
                                                         .path = w.targets,
                                                         .token = fixture_token(U_HEALTH)},
                                  cases, sizeof cases / sizeof cases[0]);

    /* A patch is judged on the merged target. */
    char path[128];
    snprintf(path, sizeof path, "%s/%s", w.targets, w.tmi);
    const struct fixture_invalid_body patches[] = {
        {"{\"rule_value\":2}", "rule_value"},
        {"{\"rule\":\"relative_improvement\",\"rule_value\":101}", "rule_value"},
        {"{\"target_value\":-1}", "target_value"},
        {"{\"baseline_period\":\"23\"}", "baseline_period"},
        {"{\"indicator_id\":3}", "indicator_id"},
        {"{\"target_value\":null}", "target_value"},
    };
    fixture_expect_invalid_bodies(
        &(struct http_request){.method = "PATCH",
                               .path = path,
                               .token = fixture_token(U_HEALTH),
                               .content_type = "application/merge-patch+json"},
        patches, sizeof patches / sizeof patches[0]);

    /* Unknown or malformed query parameters are 400. */
    char q[160];
    snprintf(q, sizeof q, "%s?colour=red", w.suggestions);
    ck_assert_int_eq(fixture_get_status(q, NULL), 400);
    snprintf(q, sizeof q, "%s?status=maybe", w.suggestions);
    ck_assert_int_eq(fixture_get_status(q, NULL), 400);
    snprintf(q, sizeof q, "%s?municipalities=some", w.suggestions);
    ck_assert_int_eq(fixture_get_status(q, NULL), 400);
    ck_assert_int_eq(fixture_get_status("/v1/challenges/999999/suggested-targets", NULL), 404);
}
END_TEST

START_TEST(a_closed_cycle_and_a_stale_version_change_nothing)
{
    set_target(U_HEALTH, w.tmi, "\"target_value\":10,\"rule\":\"gap_closure\",\"rule_value\":0.5");
    char path[128];
    snprintf(path, sizeof path, "%s/%s", w.targets, w.tmi);
    struct fixture_snapshot before = fixture_snapshot();
    const char *stale[] = {"If-Match: \"7\"", NULL};
    struct http_response r = http_do(&(struct http_request){.method = "PATCH",
                                                            .path = path,
                                                            .token = fixture_token(U_HEALTH),
                                                            .body = "{\"target_value\":9}",
                                                            .headers = stale});
    http_expect_problem(&r, 412, "precondition-failed");
    http_response_free(&r);
    /* A client holding the current representation is told so. */
    r = http_get(path, NULL);
    char line[128];
    snprintf(line, sizeof line, "If-None-Match: %s", http_header(&r, "ETag"));
    http_response_free(&r);
    const char *held[] = {line, NULL};
    r = http_do(&(struct http_request){.method = "GET", .path = path, .headers = held});
    ck_assert_int_eq(r.status, 304);
    http_response_free(&r);
    fixture_assert_unchanged(before);

    fixture_exec("UPDATE cycles SET adhesion_opens_at = now() - interval '60 days',"
                 " adhesion_closes_at = now() - interval '50 days',"
                 " pact_opens_at = now() - interval '40 days',"
                 " pact_closes_at = now() - interval '30 days'");
    before = fixture_snapshot();
    r = compute(U_HEALTH);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    r = http_patch(path, fixture_token(U_HEALTH), "{\"target_value\":9}");
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    char body[160];
    snprintf(body, sizeof body,
             "{\"indicator_id\":%s,\"target_value\":95,\"rule\":\"gap_closure\","
             "\"rule_value\":0.5}",
             w.vac);
    r = http_post(w.targets, fixture_token(U_HEALTH), body);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(anyone_downloads_the_suggestions_as_csv)
{
    set_both_targets();
    compute_ok();
    const char *csv[] = {"Accept: text/csv", NULL};
    struct http_response r =
        http_do(&(struct http_request){.method = "GET", .path = w.suggestions, .headers = csv});
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(http_header(&r, "Content-Type"), "text/csv"));
    const char *body = buf_cstr(&r.body);
    ck_assert_msg(strncmp(body,
                          "municipality_id,municipality_name,indicator_id,indicator_code,"
                          "baseline_value,baseline_period,suggested_value,status,state_target,"
                          "target_year,focal\r\n",
                          strlen("municipality_id,")) == 0,
                  "%s", body);
    char line[160];
    snprintf(line, sizeof line, CG ",Campo Grande,%s,TMI,15.0,2023,12.5,suggested,10,2027,true",
             w.tmi);
    ck_assert_msg(strstr(body, line) != NULL, "no line %s in %s", line, body);
    snprintf(line, sizeof line, ALCINOPOLIS ",Alcinópolis,%s,TMI,,,,no_baseline,10,2027,true",
             w.tmi);
    ck_assert_msg(strstr(body, line) != NULL, "no line %s in %s", line, body);
    int lines = 0;
    for (const char *p = body; (p = strchr(p, '\n')); p++)
        lines++;
    ck_assert_int_eq(lines, 9); /* the header and eight suggestions */
    http_response_free(&r);
}
END_TEST

Suite *targets_suite(void)
{
    Suite *s = suite_create("targets");
    TCase *tc = tcase_create("targets");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, health_secretariat_sets_the_state_target_with_its_baseline);
    tcase_add_test(tc, suggestions_for_both_polarities_for_the_focal_municipalities);
    tcase_add_test(tc, past_the_state_target_improves_by_the_minimum_within_the_valid_range);
    tcase_add_test(tc, values_changed_afterwards_wait_for_the_next_computation);
    tcase_add_test(tc, only_the_responsible_secretariat_or_the_coordination_may_change_them);
    tcase_add_test(tc, bad_input_names_the_field_and_changes_nothing);
    tcase_add_test(tc, a_closed_cycle_and_a_stale_version_change_nothing);
    tcase_add_test(tc, anyone_downloads_the_suggestions_as_csv);
    suite_add_tcase(s, tc);
    return s;
}
