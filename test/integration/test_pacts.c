/*
 * Integration tests for the pact (SPEC 1, step 8), told as the program's
 * story: Campo Grande's action plan for the health challenge SAU-01 has been
 * approved; inside the cycle's pact window its mayor signs with the wrong CPF
 * and is refused, then with her own: the plan is pacted, the targets signed
 * carry their baselines, the challenge's incentives show as granted, and the
 * adhesion can no longer be withdrawn. A retry with the same Idempotency-Key
 * replays the pact. Outside the window, on a plan not approved, under a
 * withdrawn adhesion, by the representative, another municipality's mayor, a
 * secretariat or anonymously, the pact is refused and the database left as
 * it was. Anyone reads the pacts of a cycle and a municipality's grants, in
 * JSON or CSV, never with the signer's CPF or name.
 *
 * Cycles, adhesions, indicators, challenges, state and suggested targets,
 * incentives and approved plans are made by other endpoints: this suite
 * seeds their rows with SQL (seed_world), as those endpoints store them.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"
#include "plans_support.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CG_PACTS       "{\"mayor_cpf\":\"529.982.247-25\"}"
#define DOURADOS_PACTS "{\"mayor_cpf\":\"11144477735\"}"
#define ANONYMOUS      (-1)
#define PACTS_CSV_HEADER                                                                           \
    "id,protocol,municipality_id,municipality_name,challenge_id,challenge_code,signed_at,"         \
    "targets\r\n"
#define GRANTS_CSV_HEADER                                                                          \
    "incentive_id,title,type,amount_cents,source,cycle_id,challenge_id,challenge_code,pact_id,"    \
    "protocol,granted_at\r\n"

static struct {
    long cycle, challenge, tmi, vac, adhesion_cg, plan_cg, plan_dourados;
    char pact[96], pacts[64];
} w;

/* The world of every test: a cycle of MS in its pact window (target year
 * 2027), CG's and Dourados' active adhesions, the health challenge SAU-01
 * with two main indicators (infant mortality TMI, vaccination coverage VAC)
 * and their state targets, CG's suggested TMI target (baseline 15.0 in 2023;
 * none for VAC), two incentives of the challenge, and CG's and Dourados'
 * approved plans (CG commits to TMI 12 and VAC 90). */
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
    w.adhesion_cg = fixture_long(sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
             " VALUES (%ld, '" DOURADOS "', 'MS-2026-900002', %s, '[\"Pactuar metas\"]')"
             " RETURNING id",
             w.cycle, fixture_user_id(U_MAYOR_DOURADOS));
    long adhesion_dourados = fixture_long(sql);
    w.challenge = plans_seed_challenge(w.cycle, &w.tmi, &w.vac);
    snprintf(sql, sizeof sql,
             "INSERT INTO suggested_targets (challenge_id, indicator_id, municipality_id,"
             " baseline_value, baseline_period, suggested_value, status) VALUES"
             " (%ld, %ld, '" CG "', 15, '2023', 12.5, 'suggested');"
             "INSERT INTO incentives (challenge_id, title, type, amount_cents, source) VALUES"
             " (%ld, 'Repasse fundo a fundo', 'financial', 50000000, 'Fundo Estadual de Saúde'),"
             " (%ld, 'Capacitação de equipes', 'training', NULL, NULL)",
             w.challenge, w.tmi, w.challenge, w.challenge);
    fixture_exec(sql);
    /* Approved plans, as submit and approve leave them: one frozen version. */
#define PLAN                                                                                       \
    "INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id, status,"      \
    " summary, versions, created_by, submitted_at, approved_at) VALUES (%ld, %ld, '%s', %ld,"      \
    " 'approved', 'Plano', 1, %s, now() - interval '3 days', now() - interval '2 days')"           \
    " RETURNING id"
    snprintf(sql, sizeof sql, PLAN, w.challenge, w.cycle, CG, w.adhesion_cg,
             fixture_user_id(U_REP_CG));
    w.plan_cg = fixture_long(sql);
    snprintf(sql, sizeof sql, PLAN, w.challenge, w.cycle, DOURADOS, adhesion_dourados,
             fixture_user_id(U_MAYOR_DOURADOS));
    w.plan_dourados = fixture_long(sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO plan_targets (plan_id, indicator_id, target_value) VALUES"
             " (%ld, %ld, 12), (%ld, %ld, 90), (%ld, %ld, 4.5), (%ld, %ld, 98)",
             w.plan_cg, w.tmi, w.plan_cg, w.vac, w.plan_dourados, w.tmi, w.plan_dourados, w.vac);
    fixture_exec(sql);
    snprintf(w.pact, sizeof w.pact, "/v1/action-plans/%ld/pact", w.plan_cg);
    snprintf(w.pacts, sizeof w.pacts, "/v1/cycles/%ld/pacts", w.cycle);
}

static void setup(void)
{
    fixture_reset();
    seed_world();
}

static const char *token_of(int user)
{
    return user == ANONYMOUS ? NULL : fixture_token((enum fixture_user)user);
}

/* POSTs body to path as user, with an Idempotency-Key when key is not NULL. */
static struct http_response post_as(int user, const char *path, const char *body, const char *key)
{
    char header[128];
    snprintf(header, sizeof header, "Idempotency-Key: %s", key ? key : "");
    const char *headers[] = {header, NULL};
    return http_do(&(struct http_request){.method = "POST",
                                          .path = path,
                                          .token = token_of(user),
                                          .body = body,
                                          .headers = key ? headers : NULL});
}

static const cJSON *member(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}

static long id_of(const cJSON *obj, const char *name)
{
    const cJSON *v = member(obj, name);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
    return (long)v->valuedouble;
}

/* A refused POST: who sends what to which plan, the expected problem, and a
 * text its body must mention (a field name, a detail), or NULL. */
struct refusal {
    int user;
    long plan;
    const char *body;
    long status;
    const char *slug, *mention;
};

/* POSTs each case and asserts its refusal left the database as it was. */
static void expect_refusals(const struct refusal *cases, size_t n)
{
    struct fixture_snapshot before = fixture_snapshot();
    for (size_t i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof path, "/v1/action-plans/%ld/pact", cases[i].plan);
        struct http_response r = post_as(cases[i].user, path, cases[i].body, NULL);
        ck_assert_msg(r.status == cases[i].status, "case %zu: %ld %s", i, r.status,
                      buf_cstr(&r.body));
        http_expect_problem(&r, cases[i].status, cases[i].slug);
        if (cases[i].mention)
            ck_assert_msg(strstr(buf_cstr(&r.body), cases[i].mention), "case %zu: no \"%s\" in %s",
                          i, cases[i].mention, buf_cstr(&r.body));
        http_response_free(&r);
        fixture_assert_unchanged(before);
    }
}

/* Pacts CG's plan as its mayor and returns the pact's id (asserting 201). */
static long pact_cg(void)
{
    struct http_response r = post_as(U_MAYOR_CG, w.pact, CG_PACTS, NULL);
    ck_assert_msg(r.status == 201, "%s", buf_cstr(&r.body));
    long id = id_of(r.json, "id");
    http_response_free(&r);
    return id;
}

/* Asserts the pact JSON of CG's plan: the targets signed and the incentives. */
static void expect_cg_pact(const cJSON *pact)
{
    ck_assert_int_eq(id_of(pact, "plan_id"), w.plan_cg);
    ck_assert_int_eq(id_of(pact, "plan_version"), 1);
    ck_assert_int_eq(id_of(pact, "cycle_id"), w.cycle);
    ck_assert_int_eq(id_of(pact, "challenge_id"), w.challenge);
    ck_assert_str_eq(member(pact, "challenge_code")->valuestring, "SAU-01");
    ck_assert_str_eq(member(pact, "municipality_id")->valuestring, CG);
    ck_assert_str_eq(member(pact, "municipality_name")->valuestring, "Campo Grande");
    ck_assert(cJSON_IsString(member(pact, "signed_at")));
    const cJSON *targets = member(pact, "targets");
    ck_assert_int_eq(cJSON_GetArraySize(targets), 2);
    const cJSON *tmi = cJSON_GetArrayItem(targets, 0), *vac = cJSON_GetArrayItem(targets, 1);
    ck_assert_int_eq(id_of(tmi, "indicator_id"), w.tmi);
    ck_assert_str_eq(member(tmi, "indicator_code")->valuestring, "TMI");
    ck_assert_double_eq(member(tmi, "target_value")->valuedouble, 12);
    ck_assert_int_eq(id_of(tmi, "target_year"), 2027);
    ck_assert_double_eq(member(tmi, "baseline_value")->valuedouble, 15);
    ck_assert_str_eq(member(tmi, "baseline_period")->valuestring, "2023");
    /* No suggested target for VAC: no baseline. */
    ck_assert_str_eq(member(vac, "indicator_code")->valuestring, "VAC");
    ck_assert_double_eq(member(vac, "target_value")->valuedouble, 90);
    ck_assert(cJSON_IsNull(member(vac, "baseline_value")));
    ck_assert(cJSON_IsNull(member(vac, "baseline_period")));
    const cJSON *incentives = member(pact, "incentives");
    ck_assert_int_eq(cJSON_GetArraySize(incentives), 2);
    const cJSON *money = cJSON_GetArrayItem(incentives, 0);
    ck_assert_str_eq(member(money, "title")->valuestring, "Repasse fundo a fundo");
    ck_assert_str_eq(member(money, "type")->valuestring, "financial");
    ck_assert_int_eq(id_of(money, "amount_cents"), 50000000);
    const cJSON *training = cJSON_GetArrayItem(incentives, 1);
    ck_assert_str_eq(member(training, "type")->valuestring, "training");
    ck_assert(cJSON_IsNull(member(training, "amount_cents")));
}

/* No CPF of the signer's, formatted or not, and not her name. */
static void expect_no_personal_data(const char *body)
{
    ck_assert_ptr_null(strstr(body, CG_MAYOR_CPF));
    ck_assert_ptr_null(strstr(body, "529.982"));
    ck_assert_ptr_null(strstr(body, "Maria"));
}

START_TEST(the_mayor_pacts_the_approved_plan_with_her_own_cpf)
{
    /* The wrong CPF first (Dourados' mayor's, then no CPF at all). */
    const struct refusal wrong[] = {
        {U_MAYOR_CG, w.plan_cg, DOURADOS_PACTS, 422, "validation-failed", "\"mayor_cpf\""},
        {U_MAYOR_CG, w.plan_cg, "{\"mayor_cpf\":\"123.456.789-00\"}", 422, "validation-failed",
         "\"mayor_cpf\""},
    };
    expect_refusals(wrong, sizeof wrong / sizeof wrong[0]);

    long audit = fixture_count("audit_events");
    long plan_version = fixture_longf("SELECT version FROM action_plans WHERE id = %ld", w.plan_cg);
    struct http_response r = post_as(U_MAYOR_CG, w.pact, CG_PACTS, "pact-cg-1");
    ck_assert_msg(r.status == 201, "%s", buf_cstr(&r.body));
    long id = id_of(r.json, "id");
    char location[64];
    snprintf(location, sizeof location, "/v1/pacts/%ld", id);
    ck_assert_str_eq(http_header(&r, "Location"), location);
    expect_cg_pact(r.json);
    expect_no_personal_data(buf_cstr(&r.body));
    /* The protocol: MS-P-<year signed, UTC>-<6 digits>. */
    char year[8];
    time_t now = time(NULL);
    struct tm tm;
    strftime(year, sizeof year, "%Y", gmtime_r(&now, &tm));
    const char *protocol = http_json_string(&r, "protocol");
    ck_assert_msg(strlen(protocol) == 16 && strncmp(protocol, "MS-P-", 5) == 0 &&
                      strncmp(protocol + 5, year, 4) == 0 && protocol[9] == '-' &&
                      strspn(protocol + 10, "0123456789") == 6,
                  "protocol %s", protocol);
    http_response_free(&r);

    /* The plan is pacted (its version, the ETag, bumped), with the
     * transition logged; the change is one audit event. */
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM action_plans WHERE id = %ld"
                                   " AND status = 'pacted' AND version = %ld",
                                   w.plan_cg, plan_version + 1),
                     1);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM plan_transitions WHERE plan_id = %ld"
                                   " AND action = 'pact' AND from_status = 'approved'"
                                   " AND to_status = 'pacted' AND version = 1 AND user_id = %s",
                                   w.plan_cg, fixture_user_id(U_MAYOR_CG)),
                     1);
    ck_assert_int_eq(fixture_count("audit_events"), audit + 1);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity = 'pact'"
                                   " AND action = 'create' AND entity_id = '%ld'"
                                   " AND before IS NULL AND after->>'protocol' IS NOT NULL"
                                   " AND after::text !~ '52998224725'",
                                   id),
                     1);

    /* Anyone reads the pact, with an ETag. */
    r = http_get(location, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    ck_assert_int_eq(id_of(r.json, "id"), id);
    expect_cg_pact(r.json);
    expect_no_personal_data(buf_cstr(&r.body));
    http_response_free(&r);
    ck_assert_int_eq(fixture_get_status("/v1/pacts/999999999", NULL), 404);
    ck_assert_int_eq(fixture_get_status("/v1/pacts/x1", NULL), 404);
}
END_TEST

START_TEST(the_incentives_show_as_granted_to_the_municipality)
{
    long id = pact_cg();
    struct http_response r = http_get("/v1/municipalities/" CG "/incentive-grants", NULL);
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    const cJSON *items = member(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 2);
    const cJSON *money = cJSON_GetArrayItem(items, 0);
    ck_assert_str_eq(member(money, "title")->valuestring, "Repasse fundo a fundo");
    ck_assert_str_eq(member(money, "source")->valuestring, "Fundo Estadual de Saúde");
    ck_assert_int_eq(id_of(money, "amount_cents"), 50000000);
    ck_assert_int_eq(id_of(money, "pact_id"), id);
    ck_assert_int_eq(id_of(money, "cycle_id"), w.cycle);
    ck_assert_int_eq(id_of(money, "challenge_id"), w.challenge);
    ck_assert_str_eq(member(money, "challenge_code")->valuestring, "SAU-01");
    ck_assert_int_eq(strncmp(member(money, "protocol")->valuestring, "MS-P-", 5), 0);
    ck_assert(cJSON_IsString(member(money, "granted_at")));
    ck_assert(cJSON_IsNull(member(r.json, "next_cursor")));
    http_response_free(&r);

    /* In CSV, with the cycle filter; another cycle's grants are none. */
    char path[128];
    snprintf(path, sizeof path, "/v1/municipalities/" CG "/incentive-grants?cycle_id=%ld", w.cycle);
    const char *csv[] = {"Accept: text/csv", NULL};
    r = http_do(&(struct http_request){.method = "GET", .path = path, .headers = csv});
    ck_assert_int_eq(r.status, 200);
    const char *body = buf_cstr(&r.body);
    ck_assert_msg(strncmp(body, GRANTS_CSV_HEADER, strlen(GRANTS_CSV_HEADER)) == 0, "%s", body);
    ck_assert_ptr_nonnull(strstr(body, ",Repasse fundo a fundo,financial,50000000,"
                                       "Fundo Estadual de Saúde,"));
    ck_assert_ptr_nonnull(strstr(body, ",Capacitação de equipes,training,,,"));
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/municipalities/" CG "/incentive-grants?cycle_id=%ld",
             w.cycle + 1000);
    r = http_get(path, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 0);
    http_response_free(&r);
    /* Dourados has pacted nothing, so it was granted nothing. */
    r = http_get("/v1/municipalities/" DOURADOS "/incentive-grants", NULL);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 0);
    http_response_free(&r);
    ck_assert_int_eq(
        fixture_get_status("/v1/municipalities/" CG "/incentive-grants?cycle_id=x", NULL), 400);
    ck_assert_int_eq(fixture_get_status("/v1/municipalities/" CG "/incentive-grants?pact=1", NULL),
                     400);
    ck_assert_int_eq(fixture_get_status("/v1/municipalities/1234567/incentive-grants", NULL), 404);
}
END_TEST

START_TEST(an_incentive_is_granted_once_per_municipality)
{
    /* An incentive CG already holds (as a pact on a revised plan would find
     * it): the pact grants the other one only, and keeps the first grant. */
    fixture_exec("INSERT INTO pacts (plan_id, plan_version, cycle_id, challenge_id,"
                 " municipality_id, adhesion_id, protocol, signed_by)"
                 " SELECT p.id, 0, p.cycle_id, p.challenge_id, p.municipality_id, p.adhesion_id,"
                 " 'MS-P-2026-900000', p.created_by FROM action_plans p WHERE p.municipality_id"
                 " = '" CG "';"
                 "INSERT INTO incentive_grants (incentive_id, municipality_id, pact_id)"
                 " SELECT min(i.id), '" CG "', (SELECT id FROM pacts) FROM incentives i");
    long first = fixture_long("SELECT id FROM pacts");
    long id = pact_cg();
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM incentive_grants"), 2);
    ck_assert_int_eq(
        fixture_longf("SELECT count(*) FROM incentive_grants WHERE pact_id = %ld", first), 1);
    char path[32];
    snprintf(path, sizeof path, "/v1/pacts/%ld", id);
    struct http_response r = http_get(path, NULL);
    const cJSON *incentives = member(r.json, "incentives");
    ck_assert_int_eq(cJSON_GetArraySize(incentives), 1);
    ck_assert_str_eq(member(cJSON_GetArrayItem(incentives, 0), "type")->valuestring, "training");
    http_response_free(&r);
}
END_TEST

START_TEST(the_adhesion_can_no_longer_be_withdrawn_once_pacted)
{
    pact_cg();
    char path[96];
    snprintf(path, sizeof path, "/v1/cycles/%ld/adhesions/%ld/withdraw", w.cycle, w.adhesion_cg);
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = post_as(U_MAYOR_CG, path, NULL, NULL);
    http_expect_problem(&r, 409, "conflict");
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "A pact was signed under this adhesion."));
    http_response_free(&r);
    fixture_assert_unchanged(before);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM adhesions WHERE id = %ld"
                                   " AND status = 'active'",
                                   w.adhesion_cg),
                     1);
}
END_TEST

START_TEST(a_retry_with_the_same_key_replays_the_pact)
{
    const char *key[] = {"Idempotency-Key: pact-cg-retry", NULL};
    fixture_expect_replayed(&(struct http_request){.method = "POST",
                                                   .path = w.pact,
                                                   .token = fixture_token(U_MAYOR_CG),
                                                   .body = CG_PACTS,
                                                   .headers = key},
                            "pacts");
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM incentive_grants"), 2);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM plan_transitions"), 1);
    /* Another key is another request: the plan is pacted already. */
    struct http_response r = post_as(U_MAYOR_CG, w.pact, CG_PACTS, "pact-cg-other");
    http_expect_problem(&r, 409, "plan-not-approved");
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "pacted"));
    http_response_free(&r);
}
END_TEST

struct signature {
    pthread_t thread;
    const char *key;
    struct http_response response;
};

static void *sign(void *arg)
{
    struct signature *s = arg;
    s->response = post_as(U_MAYOR_CG, w.pact, CG_PACTS, s->key);
    return NULL;
}

START_TEST(two_signatures_at_once_make_one_pact)
{
    /* Two devices, two keys, the same plan at the same moment: the plan's
     * lock makes one wait, and it then finds the plan pacted. */
    struct signature s[2] = {{.key = "pact-cg-phone"}, {.key = "pact-cg-laptop"}};
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&s[i].thread, NULL, sign, &s[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(s[i].thread, NULL);
    int created = 0;
    for (int i = 0; i < 2; i++) {
        if (s[i].response.status == 201)
            created++;
        else
            http_expect_problem(&s[i].response, 409, "plan-not-approved");
        http_response_free(&s[i].response);
    }
    ck_assert_int_eq(created, 1);
    ck_assert_int_eq(fixture_count("pacts"), 1);
    ck_assert_int_eq(fixture_count("incentive_grants"), 2);
    ck_assert_int_eq(fixture_count("plan_transitions"), 1);
}
END_TEST

START_TEST(a_pact_outside_the_window_is_refused)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE cycles SET pact_opens_at = now() + interval '1 day',"
             " pact_closes_at = now() + interval '9 days' WHERE id = %ld",
             w.cycle);
    fixture_exec(sql);
    const struct refusal early[] = {
        {U_MAYOR_CG, w.plan_cg, CG_PACTS, 422, "pact-window-closed", "not open yet: it opens at"},
    };
    expect_refusals(early, 1);
    snprintf(sql, sizeof sql,
             "UPDATE cycles SET pact_opens_at = now() - interval '2 days',"
             " pact_closes_at = now() - interval '1 second' WHERE id = %ld",
             w.cycle);
    fixture_exec(sql);
    const struct refusal late[] = {
        {U_MAYOR_CG, w.plan_cg, CG_PACTS, 422, "pact-window-closed", "closed at"},
    };
    expect_refusals(late, 1);
}
END_TEST

START_TEST(a_plan_not_approved_or_without_adhesion_is_refused)
{
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE action_plans SET status = 'submitted' WHERE id = %ld",
             w.plan_cg);
    fixture_exec(sql);
    const struct refusal submitted[] = {
        {U_MAYOR_CG, w.plan_cg, CG_PACTS, 409, "plan-not-approved", "The plan is submitted"},
    };
    expect_refusals(submitted, 1);
    /* Approved again, but the adhesion was withdrawn since. */
    snprintf(sql, sizeof sql,
             "UPDATE action_plans SET status = 'approved' WHERE id = %ld;"
             "UPDATE adhesions SET status = 'withdrawn', withdrawn_at = now() WHERE id = %ld",
             w.plan_cg, w.adhesion_cg);
    fixture_exec(sql);
    const struct refusal withdrawn[] = {
        {U_MAYOR_CG, w.plan_cg, CG_PACTS, 422, "adhesion-required", "withdrawn"},
    };
    expect_refusals(withdrawn, 1);
}
END_TEST

START_TEST(only_the_municipality_s_own_mayor_pacts)
{
    const struct refusal cases[] = {
        {U_REP_CG, w.plan_cg, CG_PACTS, 403, "forbidden", "mayor"},
        {U_MAYOR_DOURADOS, w.plan_cg, DOURADOS_PACTS, 404, "not-found", NULL},
        {U_HEALTH, w.plan_cg, CG_PACTS, 403, "forbidden", NULL},
        {U_COORDINATION, w.plan_cg, CG_PACTS, 403, "forbidden", NULL},
        {ANONYMOUS, w.plan_cg, CG_PACTS, 401, "unauthenticated", NULL},
        /* Her own CPF does not sign Dourados' plan. */
        {U_MAYOR_CG, w.plan_dourados, CG_PACTS, 404, "not-found", NULL},
        {U_MAYOR_CG, 999999999, CG_PACTS, 404, "not-found", NULL},
    };
    expect_refusals(cases, sizeof cases / sizeof cases[0]);
    /* After an election the registered mayor is someone else: the former
     * mayor's account signs neither with her CPF nor with the new one. */
    fixture_exec("UPDATE municipalities SET mayor_cpf = '86147352008' WHERE ibge_code = '" CG "'");
    const struct refusal former[] = {
        {U_MAYOR_CG, w.plan_cg, CG_PACTS, 422, "validation-failed", "\"mayor_cpf\""},
        {U_MAYOR_CG, w.plan_cg, "{\"mayor_cpf\":\"861.473.520-08\"}", 422, "validation-failed",
         "\"mayor_cpf\""},
    };
    expect_refusals(former, sizeof former / sizeof former[0]);
}
END_TEST

START_TEST(a_bad_body_is_refused_naming_the_field)
{
    const struct refusal cases[] = {
        {U_MAYOR_CG, w.plan_cg, "{}", 422, "validation-failed", "\"mayor_cpf\""},
        {U_MAYOR_CG, w.plan_cg, "{\"mayor_cpf\":52998224725}", 422, "validation-failed",
         "\"mayor_cpf\""},
        {U_MAYOR_CG, w.plan_cg, "{\"mayor_cpf\":\"52998224725\",\"protocol\":\"X\"}", 422,
         "validation-failed", "\"protocol\""},
        {U_MAYOR_CG, w.plan_cg, "[]", 400, "malformed-request", NULL},
    };
    expect_refusals(cases, sizeof cases / sizeof cases[0]);
}
END_TEST

START_TEST(anyone_reads_the_pacts_of_a_cycle_in_json_or_csv)
{
    long cg = pact_cg();
    char path[160];
    snprintf(path, sizeof path, "/v1/action-plans/%ld/pact", w.plan_dourados);
    struct http_response r = post_as(U_MAYOR_DOURADOS, path, DOURADOS_PACTS, NULL);
    ck_assert_msg(r.status == 201, "%s", buf_cstr(&r.body));
    long dourados = id_of(r.json, "id");
    http_response_free(&r);

    /* Pages in signing order. */
    snprintf(path, sizeof path, "%s?limit=1", w.pacts);
    r = http_get(path, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    const cJSON *items = member(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    expect_cg_pact(cJSON_GetArrayItem(items, 0));
    const char *cursor = cJSON_GetStringValue(member(r.json, "next_cursor"));
    ck_assert_ptr_nonnull(cursor);
    char next[512];
    snprintf(next, sizeof next, "%s?limit=1&cursor=%s", w.pacts, cursor);
    http_response_free(&r);
    r = http_get(next, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(id_of(cJSON_GetArrayItem(member(r.json, "items"), 0), "id"), dourados);
    ck_assert(cJSON_IsNull(member(r.json, "next_cursor")));
    http_response_free(&r);

    /* Filtered by municipality; by a challenge with no pacts. */
    snprintf(path, sizeof path, "%s?municipality_id=" DOURADOS "&challenge_id=%ld", w.pacts,
             w.challenge);
    r = http_get(path, NULL);
    items = member(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    ck_assert_int_eq(id_of(cJSON_GetArrayItem(items, 0), "id"), dourados);
    http_response_free(&r);
    snprintf(path, sizeof path, "%s?challenge_id=%ld", w.pacts, w.challenge + 1000);
    r = http_get(path, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 0);
    http_response_free(&r);

    /* CSV: one row per pact, the targets in one cell. */
    const char *csv[] = {"Accept: text/csv", NULL};
    r = http_do(&(struct http_request){.method = "GET", .path = w.pacts, .headers = csv});
    ck_assert_int_eq(r.status, 200);
    const char *body = buf_cstr(&r.body);
    ck_assert_msg(strncmp(body, PACTS_CSV_HEADER, strlen(PACTS_CSV_HEADER)) == 0, "%s", body);
    char row[128];
    snprintf(row, sizeof row, "\r\n%ld,MS-P-", cg);
    ck_assert_msg(strstr(body, row), "%s", body);
    ck_assert_ptr_nonnull(strstr(body, "," CG ",Campo Grande,"));
    ck_assert_ptr_nonnull(strstr(body, ",TMI=12@2027; VAC=90@2027\r\n"));
    ck_assert_ptr_nonnull(strstr(body, ",TMI=4.5@2027; VAC=98@2027\r\n"));
    expect_no_personal_data(body);
    http_response_free(&r);

    ck_assert_int_eq(fixture_get_status("/v1/cycles/999999999/pacts", NULL), 404);
    snprintf(path, sizeof path, "%s?municipality_id=123", w.pacts);
    ck_assert_int_eq(fixture_get_status(path, NULL), 400);
    snprintf(path, sizeof path, "%s?challenge_id=-1", w.pacts);
    ck_assert_int_eq(fixture_get_status(path, NULL), 400);
    snprintf(path, sizeof path, "%s?state=MS", w.pacts);
    ck_assert_int_eq(fixture_get_status(path, NULL), 400);
}
END_TEST

Suite *pacts_suite(void)
{
    Suite *s = suite_create("pacts");
    TCase *tc = tcase_create("pact");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, the_mayor_pacts_the_approved_plan_with_her_own_cpf);
    tcase_add_test(tc, the_incentives_show_as_granted_to_the_municipality);
    tcase_add_test(tc, an_incentive_is_granted_once_per_municipality);
    tcase_add_test(tc, the_adhesion_can_no_longer_be_withdrawn_once_pacted);
    tcase_add_test(tc, a_retry_with_the_same_key_replays_the_pact);
    tcase_add_test(tc, two_signatures_at_once_make_one_pact);
    tcase_add_test(tc, a_pact_outside_the_window_is_refused);
    tcase_add_test(tc, a_plan_not_approved_or_without_adhesion_is_refused);
    tcase_add_test(tc, only_the_municipality_s_own_mayor_pacts);
    tcase_add_test(tc, a_bad_body_is_refused_naming_the_field);
    tcase_add_test(tc, anyone_reads_the_pacts_of_a_cycle_in_json_or_csv);
    suite_add_tcase(s, tc);
    return s;
}
