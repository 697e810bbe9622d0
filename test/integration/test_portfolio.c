/*
 * Integration tests of the portfolio (cardápio) of a challenge
 * (/v1/challenges/{challenge_id}/initiatives, /v1/initiatives/{id},
 * /v1/challenges/{challenge_id}/incentives, /v1/incentives/{id}): the health
 * secretariat drafts an initiative for its infant-mortality challenge, with
 * the deliveries a plan's action would have, and publishes it; the public
 * sees it only then. It sets the incentives a pact on the challenge grants,
 * an amount exactly for the financial ones. The education secretariat, a
 * mayor and anonymous callers are refused; a closed cycle's portfolio is
 * read-only; an initiative a plan adopts and an incentive a pact granted
 * stay. Every change writes one audit event; every refusal changes nothing.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <stdio.h>
#include <string.h>

#define PRE_NATAL                                                                                  \
    "{\"title\":\"Pré-natal de qualidade\",\"type\":\"program\","                                 \
    "\"description\":\"Apoio às equipes de atenção básica.\","                                 \
    "\"deliveries\":[{\"title\":\"Gestantes cadastradas\","                                        \
    "\"evidence_expected\":\"Relatório do e-SUS\"},{\"title\":\"Equipes capacitadas\"}],"         \
    "\"links\":[\"https://www.saude.ms.gov.br/pre-natal\"]}"
#define BOLSA                                                                                      \
    "{\"title\":\"Repasse fundo a fundo\",\"type\":\"financial\",\"amount_cents\":50000000,"       \
    "\"source\":\"Fundo Estadual de Saúde\"}"

/* What each test works on: a challenge of the health secretariat in an open
 * cycle of Mato Grosso do Sul, and its portfolio's paths. */
struct world {
    long cycle, challenge;
    char initiatives[80], incentives[80];
};

/* POSTs body as `who` and returns the new resource's id (asserting 201). */
static long create(enum fixture_user who, const char *path, const char *body)
{
    struct http_response r = fixture_call("POST", path, who, body, NULL);
    ck_assert_msg(r.status == 201, "POST %s: %ld %s", path, r.status, buf_cstr(&r.body));
    long n = (long)cJSON_GetObjectItem(r.json, "id")->valuedouble;
    http_response_free(&r);
    return n;
}

/* A cycle of MS whose adhesion window opens `first_day` days from now and
 * whose pact window closes 30 days later (-400: a closed cycle), written
 * directly: cycles are another resource's business. */
static long cycle(int first_day)
{
    return fixture_longf(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at,"
        " adhesion_closes_at, pact_opens_at, pact_closes_at, target_year, commitments)"
        " VALUES ('Ciclo', 50, now() + interval '%d days',"
        " now() + interval '%d days', now() + interval '%d days',"
        " now() + interval '%d days', 2028, '[\"Aderir\"]') RETURNING id",
        first_day, first_day + 1, first_day + 2, first_day + 30);
}

/* The health secretariat's challenge, set through the API. */
static struct world world(void)
{
    struct world w = {.cycle = cycle(-1)};
    char path[64];
    snprintf(path, sizeof path, "/v1/cycles/%ld/challenges", w.cycle);
    w.challenge = create(U_HEALTH, path,
                         "{\"code\":\"SAU-01\",\"title\":\"Reduzir a mortalidade infantil\","
                         "\"area\":\"health\",\"responsible_area\":\"health\"}");
    snprintf(w.initiatives, sizeof w.initiatives, "/v1/challenges/%ld/initiatives", w.challenge);
    snprintf(w.incentives, sizeof w.incentives, "/v1/challenges/%ld/incentives", w.challenge);
    return w;
}

static long audit(const char *entity, const char *action)
{
    return fixture_longf("SELECT count(*) FROM audit_events WHERE entity = '%s'"
                         " AND action = '%s'",
                         entity, action);
}

/* The number of items of a JSON list as `who` sees it. */
static int items(const char *path, enum fixture_user who)
{
    struct http_response r = fixture_call("GET", path, who, NULL, NULL);
    ck_assert_msg(r.status == 200, "GET %s: %ld", path, r.status);
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items"));
    http_response_free(&r);
    return n;
}

static long status_as(const char *method, const char *path, enum fixture_user who, const char *body)
{
    struct http_response r = fixture_call(method, path, who, body, NULL);
    long s = r.status;
    http_response_free(&r);
    return s;
}

START_TEST(health_drafts_an_initiative_and_publishes_it)
{
    struct world w = world();
    struct http_response r = fixture_call("POST", w.initiatives, U_HEALTH, PRE_NATAL, NULL);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    long id = (long)cJSON_GetObjectItem(r.json, "id")->valuedouble;
    char item[64];
    snprintf(item, sizeof item, "/v1/initiatives/%ld", id);
    ck_assert_str_eq(http_header(&r, "Location"), item);
    ck_assert_str_eq(http_json_string(&r, "area"), "health"); /* the challenge's */
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r.json, "published")));
    const cJSON *deliveries = cJSON_GetObjectItem(r.json, "deliveries");
    ck_assert_int_eq(cJSON_GetArraySize(deliveries), 2);
    ck_assert(
        cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(deliveries, 1), "evidence_expected")));
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "links")), 1);
    http_response_free(&r);
    ck_assert_int_eq(audit("initiative", "create"), 1);

    /* A draft is the state's: other secretariats see it, the public and
     * municipalities do not know of it. */
    ck_assert_int_eq(status_as("GET", item, U_EDUCATION, NULL), 200);
    ck_assert_int_eq(status_as("GET", item, U_COUNT, NULL), 404);
    ck_assert_int_eq(status_as("GET", item, U_MAYOR_CG, NULL), 404);
    ck_assert_int_eq(items(w.initiatives, U_HEALTH), 1);
    ck_assert_int_eq(items(w.initiatives, U_COUNT), 0);
    ck_assert_int_eq(items(w.initiatives, U_REP_CG), 0);
    /* Nor can a municipality's patch reach it: the route is the state's. */
    ck_assert_int_eq(status_as("PATCH", item, U_MAYOR_CG, "{\"published\":true}"), 403);

    /* The coordination publishes it; now it is public. */
    r = fixture_call("PATCH", item, U_COORDINATION, "{\"published\":true,\"area\":\"education\"}",
                     NULL);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "published")));
    ck_assert_str_eq(http_json_string(&r, "area"), "education");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "deliveries")), 2); /* kept */
    http_response_free(&r);
    ck_assert_int_eq(audit("initiative", "update"), 1);
    ck_assert_int_eq(status_as("GET", item, U_COUNT, NULL), 200);
    ck_assert_int_eq(status_as("GET", item, U_MAYOR_CG, NULL), 200);

    /* A second one, a draft training; the filters. */
    create(U_HEALTH, w.initiatives,
           "{\"title\":\"Capacitação em puericultura\",\"type\":\"training\"}");
    char q[128];
    snprintf(q, sizeof q, "%s?published=true", w.initiatives);
    ck_assert_int_eq(items(q, U_HEALTH), 1);
    snprintf(q, sizeof q, "%s?type=training", w.initiatives);
    ck_assert_int_eq(items(q, U_HEALTH), 1);
    ck_assert_int_eq(items(q, U_COUNT), 0);
    snprintf(q, sizeof q, "%s?published=yes", w.initiatives);
    ck_assert_int_eq(status_as("GET", q, U_COUNT, NULL), 400);

    /* Open data: the whole list as CSV, drafts left out for the public. */
    const char *csv[] = {"Accept: text/csv", NULL};
    r = fixture_call("GET", w.initiatives, U_COUNT, NULL, csv);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "id,challenge_id,title,area,type,published"));
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "Pré-natal de qualidade"));
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "puericultura"));
    http_response_free(&r);

    /* The health secretariat takes it out of the portfolio. */
    ck_assert_int_eq(status_as("DELETE", item, U_HEALTH, NULL), 204);
    ck_assert_int_eq(status_as("GET", item, U_HEALTH, NULL), 404);
    ck_assert_int_eq(audit("initiative", "delete"), 1);
    ck_assert_int_eq(status_as("GET", "/v1/challenges/999/initiatives", U_COUNT, NULL), 404);
    ck_assert_int_eq(status_as("POST", "/v1/challenges/999/initiatives", U_HEALTH, PRE_NATAL), 404);
}
END_TEST

START_TEST(an_incentive_has_an_amount_exactly_when_it_is_money)
{
    struct world w = world();
    struct http_response r = fixture_call("POST", w.incentives, U_HEALTH, BOLSA, NULL);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    long money = (long)cJSON_GetObjectItem(r.json, "id")->valuedouble;
    ck_assert_str_eq(http_json_string(&r, "condition"), "pact");
    ck_assert_int_eq((long)cJSON_GetObjectItem(r.json, "amount_cents")->valuedouble, 50000000);
    http_response_free(&r);
    create(U_COORDINATION, w.incentives,
           "{\"title\":\"Prioridade no Programa Estadual\",\"type\":\"program_priority\"}");
    ck_assert_int_eq(audit("incentive", "create"), 2);

    /* Public, filtered, and as CSV. */
    ck_assert_int_eq(items(w.incentives, U_COUNT), 2);
    char q[128], item[64];
    snprintf(q, sizeof q, "%s?type=financial", w.incentives);
    ck_assert_int_eq(items(q, U_MAYOR_CG), 1);
    snprintf(item, sizeof item, "/v1/incentives/%ld", money);
    ck_assert_int_eq(status_as("GET", item, U_COUNT, NULL), 200);
    const char *csv[] = {"Accept: text/csv", NULL};
    r = fixture_call("GET", w.incentives, U_COUNT, NULL, csv);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(
        strstr(buf_cstr(&r.body), "id,challenge_id,title,type,amount_cents,source,condition"));
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "50000000"));
    http_response_free(&r);

    /* The rule is judged on the incentive as it would be stored. */
    const struct fixture_invalid_body creates[] = {
        {"{\"title\":\"Repasse\",\"type\":\"financial\"}", "amount_cents"},
        {"{\"title\":\"Curso\",\"type\":\"training\",\"amount_cents\":100}", "amount_cents"},
        {"{\"title\":\"Repasse\",\"type\":\"financial\",\"amount_cents\":0}", "amount_cents"},
        {"{\"title\":\"Repasse\",\"type\":\"financial\",\"amount_cents\":1.5}", "amount_cents"},
        {"{\"title\":\"Repasse\",\"type\":\"money\"}", "type"},
        {"{\"title\":\"Repasse\",\"type\":\"other\",\"condition\":\"adhesion\"}", "condition"},
        {"{\"type\":\"other\"}", "title"},
        {"{\"title\":\"Outro\",\"type\":\"other\",\"id\":3}", "id"},
    };
    fixture_expect_invalid_bodies(&(struct http_request){.method = "POST",
                                                         .path = w.incentives,
                                                         .token = fixture_token(U_HEALTH)},
                                  creates, sizeof creates / sizeof creates[0]);
    const struct fixture_invalid_body patches[] = {
        {"{\"type\":\"training\"}", "amount_cents"},
        {"{\"amount_cents\":null}", "amount_cents"},
        {"{\"source\":\"\"}", "source"},
    };
    fixture_expect_invalid_bodies(
        &(struct http_request){.method = "PATCH",
                               .path = item,
                               .token = fixture_token(U_HEALTH),
                               .content_type = "application/merge-patch+json"},
        patches, sizeof patches / sizeof patches[0]);

    /* Turned into technical assistance, it loses its amount. */
    r = fixture_call("PATCH", item, U_HEALTH,
                     "{\"type\":\"technical_assistance\",\"amount_cents\":null}", NULL);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "amount_cents")));
    http_response_free(&r);
    ck_assert_int_eq(audit("incentive", "update"), 1);
    ck_assert_int_eq(status_as("DELETE", item, U_HEALTH, NULL), 204);
    ck_assert_int_eq(audit("incentive", "delete"), 1);
    ck_assert_int_eq(status_as("GET", item, U_COUNT, NULL), 404);
}
END_TEST

START_TEST(bad_initiatives_name_the_field_and_change_nothing)
{
    struct world w = world();
    char many[4096] = "{\"title\":\"Muitas\",\"type\":\"other\",\"deliveries\":[";
    for (int i = 0; i <= 50; i++)
        strcat(many, i ? ",{\"title\":\"E\"}" : "{\"title\":\"E\"}");
    strcat(many, "]}");
    char long_title[400];
    snprintf(long_title, sizeof long_title, "{\"title\":\"%0201d\",\"type\":\"other\"}", 0);
    const struct fixture_invalid_body cases[] = {
        {long_title, "title"},
        {"{\"title\":\"A\"}", "type"},
        {"{\"title\":\"A\",\"type\":\"grant\"}", "type"},
        {"{\"title\":\"A\",\"type\":\"other\",\"area\":\"culture\"}", "area"},
        {"{\"title\":\"A\",\"type\":\"other\",\"published\":\"yes\"}", "published"},
        {"{\"title\":\"A\",\"type\":\"other\",\"challenge_id\":2}", "challenge_id"},
        {"{\"title\":\"A\",\"type\":\"other\",\"deliveries\":{}}", "deliveries"},
        {"{\"title\":\"A\",\"type\":\"other\",\"deliveries\":null}", "deliveries"},
        {many, "deliveries"},
        {"{\"title\":\"A\",\"type\":\"other\",\"deliveries\":"
         "[{\"title\":\"X\"},{\"title\":\"Y\"},{\"evidence_expected\":\"Ata\"}]}",
         "deliveries[2].title"},
        {"{\"title\":\"A\",\"type\":\"other\",\"deliveries\":[\"X\"]}", "deliveries[0]"},
        {"{\"title\":\"A\",\"type\":\"other\",\"deliveries\":[{\"title\":\"X\",\"due\":1}]}",
         "deliveries[0].due"},
        {"{\"title\":\"A\",\"type\":\"other\",\"deliveries\":"
         "[{\"title\":\"X\",\"evidence_expected\":\" Ata\"}]}",
         "deliveries[0].evidence_expected"},
        {"{\"title\":\"A\",\"type\":\"other\",\"links\":[\"http://example.org\"]}", "links[0]"},
        {"{\"title\":\"A\",\"type\":\"other\",\"links\":[\"https://a.org\",\"https://a b\"]}",
         "links[1]"},
        {"{\"title\":\"A\",\"type\":\"other\",\"links\":[\"https:///x\"]}", "links[0]"},
        {"{\"title\":\"A\",\"type\":\"other\",\"links\":[3]}", "links[0]"},
        {"{\"title\":\"A\",\"type\":\"other\",\"links\":\"https://a.org\"}", "links"},
    };
    fixture_expect_invalid_bodies(&(struct http_request){.method = "POST",
                                                         .path = w.initiatives,
                                                         .token = fixture_token(U_HEALTH)},
                                  cases, sizeof cases / sizeof cases[0]);

    char item[64];
    snprintf(item, sizeof item, "/v1/initiatives/%ld", create(U_HEALTH, w.initiatives, PRE_NATAL));
    const struct fixture_invalid_body patches[] = {
        {"{\"deliveries\":null}", "deliveries"},
        {"{\"deliveries\":[{\"title\":\"\"}]}", "deliveries[0].title"},
        {"{\"links\":[\"ftp://a.org\"]}", "links[0]"},
        {"{\"title\":null}", "title"},
        {"{\"published\":1}", "published"},
        {"{\"version\":2}", "version"},
    };
    fixture_expect_invalid_bodies(
        &(struct http_request){.method = "PATCH",
                               .path = item,
                               .token = fixture_token(U_HEALTH),
                               .content_type = "application/merge-patch+json"},
        patches, sizeof patches / sizeof patches[0]);

    /* Every problem at once. */
    struct http_response r = fixture_call(
        "POST", w.initiatives, U_HEALTH,
        "{\"title\":\"\",\"type\":\"other\",\"deliveries\":[{}],\"links\":[\"x\"]}", NULL);
    fixture_expect_invalid(&r, "title");
    ck_assert(fixture_names_error(&r, "deliveries[0].title", 0));
    ck_assert(fixture_names_error(&r, "links[0]", 0));
    http_response_free(&r);

    /* A stale If-Match is 412. */
    const char *stale[] = {"If-Match: \"99\"", NULL};
    struct fixture_snapshot before = fixture_snapshot();
    r = fixture_call("PATCH", item, U_HEALTH, "{\"published\":true}", stale);
    http_expect_problem(&r, 412, "precondition-failed");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(only_the_challenges_secretariat_or_the_coordination_keeps_its_portfolio)
{
    struct world w = world();
    char ini[64], inc[64];
    snprintf(ini, sizeof ini, "/v1/initiatives/%ld", create(U_HEALTH, w.initiatives, PRE_NATAL));
    snprintf(inc, sizeof inc, "/v1/incentives/%ld", create(U_HEALTH, w.incentives, BOLSA));
    struct fixture_snapshot before = fixture_snapshot();

    /* Another area: 403 naming the challenge's. */
    const char *writes[][3] = {
        {"POST", w.initiatives, PRE_NATAL},
        {"PATCH", ini, "{\"title\":\"Outro\"}"},
        {"DELETE", ini, NULL},
        {"POST", w.incentives, BOLSA},
        {"PATCH", inc, "{\"title\":\"Outro\"}"},
        {"DELETE", inc, NULL},
    };
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        struct http_response r =
            fixture_call(writes[i][0], writes[i][1], U_EDUCATION, writes[i][2], NULL);
        http_expect_problem(&r, 403, "forbidden");
        ck_assert_msg(strstr(http_json_string(&r, "detail"), "health"), "%s %s: %s", writes[i][0],
                      writes[i][1], buf_cstr(&r.body));
        http_response_free(&r);
        /* A municipality's mayor: 403 (the route is the state's); anonymous: 401. */
        r = fixture_call(writes[i][0], writes[i][1], U_MAYOR_CG, writes[i][2], NULL);
        http_expect_problem(&r, 403, "forbidden");
        http_response_free(&r);
        r = fixture_call(writes[i][0], writes[i][1], U_COUNT, writes[i][2], NULL);
        fixture_expect_unauthenticated(&r);
        http_response_free(&r);
    }
    fixture_assert_unchanged(before);

    /* The coordination may. */
    ck_assert_int_eq(status_as("PATCH", inc, U_COORDINATION, "{\"source\":\"Tesouro\"}"), 200);
}
END_TEST

START_TEST(a_closed_cycles_portfolio_is_read_only)
{
    /* A cycle whose windows are all past, its challenge and portfolio
     * written directly (the API refuses writes in a closed cycle). */
    long closed = cycle(-400);
    long ch = fixture_longf("INSERT INTO challenges (cycle_id, code, title, area,"
                            " responsible_area) VALUES (%ld, 'SAU-01', 'Mortalidade',"
                            " 'health', 'health') RETURNING id",
                            closed);
    long ini = fixture_longf("INSERT INTO initiatives (challenge_id, title, area, type, published)"
                             " VALUES (%ld, 'Pré-natal', 'health', 'program', true) RETURNING id",
                             ch);
    long inc = fixture_longf("INSERT INTO incentives (challenge_id, title, type)"
                             " VALUES (%ld, 'Curso', 'training') RETURNING id",
                             ch);
    char inis[80], incs[80], ini_item[64], inc_item[64];
    snprintf(inis, sizeof inis, "/v1/challenges/%ld/initiatives", ch);
    snprintf(incs, sizeof incs, "/v1/challenges/%ld/incentives", ch);
    snprintf(ini_item, sizeof ini_item, "/v1/initiatives/%ld", ini);
    snprintf(inc_item, sizeof inc_item, "/v1/incentives/%ld", inc);
    ck_assert_int_eq(status_as("GET", ini_item, U_COUNT, NULL), 200); /* still public */
    ck_assert_int_eq(items(incs, U_COUNT), 1);

    struct fixture_snapshot before = fixture_snapshot();
    const char *writes[][3] = {
        {"POST", inis, PRE_NATAL},
        {"PATCH", ini_item, "{\"title\":\"Outro\"}"},
        {"DELETE", ini_item, NULL},
        {"POST", incs, BOLSA},
        {"PATCH", inc_item, "{\"title\":\"Outro\"}"},
        {"DELETE", inc_item, NULL},
    };
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        struct http_response r =
            fixture_call(writes[i][0], writes[i][1], U_HEALTH, writes[i][2], NULL);
        http_expect_problem(&r, 409, "conflict");
        ck_assert_str_eq(http_json_string(&r, "title"), "The cycle is closed");
        http_response_free(&r);
    }
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(an_adopted_initiative_and_a_granted_incentive_stay)
{
    struct world w = world();
    long ini = create(U_HEALTH, w.initiatives, PRE_NATAL);
    long inc = create(U_HEALTH, w.incentives, BOLSA);
    /* Campo Grande's adhesion, a plan whose action adopts the initiative,
     * and a pact that granted the incentive, as the plan and pact endpoints
     * would record them. */
    long adhesion = fixture_longf("INSERT INTO adhesions (cycle_id, municipality_id, protocol,"
                                  " signed_by, commitments) VALUES (%ld, '" CG "', 'ADH-1', %s,"
                                  " '[]') RETURNING id",
                                  w.cycle, fixture_user_id(U_MAYOR_CG));
    long plan = fixture_longf("INSERT INTO action_plans (challenge_id, cycle_id, municipality_id,"
                              " adhesion_id, status, created_by) VALUES (%ld, %ld, '" CG "', %ld,"
                              " 'approved', %s) RETURNING id",
                              w.challenge, w.cycle, adhesion, fixture_user_id(U_REP_CG));
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO plan_actions (plan_id, position, initiative_id, title)"
             " VALUES (%ld, 0, %ld, 'Pré-natal em Campo Grande')",
             plan, ini);
    fixture_exec(sql);
    long pact = fixture_longf("INSERT INTO pacts (plan_id, plan_version, cycle_id, challenge_id,"
                              " municipality_id, adhesion_id, protocol, signed_by)"
                              " VALUES (%ld, 1, %ld, %ld, '" CG "', %ld, 'PACTO-MS-1', %s)"
                              " RETURNING id",
                              plan, w.cycle, w.challenge, adhesion, fixture_user_id(U_MAYOR_CG));
    snprintf(sql, sizeof sql,
             "INSERT INTO incentive_grants (incentive_id, municipality_id, pact_id)"
             " VALUES (%ld, '" CG "', %ld)",
             inc, pact);
    fixture_exec(sql);

    char ini_item[64], inc_item[64];
    snprintf(ini_item, sizeof ini_item, "/v1/initiatives/%ld", ini);
    snprintf(inc_item, sizeof inc_item, "/v1/incentives/%ld", inc);
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = fixture_call("DELETE", ini_item, U_HEALTH, NULL, NULL);
    http_expect_problem(&r, 409, "conflict");
    ck_assert_str_eq(http_json_string(&r, "title"), "The initiative is in use");
    http_response_free(&r);
    r = fixture_call("DELETE", inc_item, U_COORDINATION, NULL, NULL);
    http_expect_problem(&r, 409, "conflict");
    ck_assert_str_eq(http_json_string(&r, "title"), "The incentive has been granted");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    /* It may still change. */
    ck_assert_int_eq(status_as("PATCH", ini_item, U_HEALTH, "{\"published\":true}"), 200);
}
END_TEST

START_TEST(a_retried_create_adds_one_initiative)
{
    struct world w = world();
    const char *headers[] = {"Idempotency-Key: pre-natal", NULL};
    fixture_expect_replayed(&(struct http_request){.method = "POST",
                                                   .path = w.initiatives,
                                                   .token = fixture_token(U_HEALTH),
                                                   .body = PRE_NATAL,
                                                   .headers = headers},
                            "initiatives");
}
END_TEST

Suite *portfolio_suite(void)
{
    Suite *s = suite_create("portfolio");
    TCase *tc = tcase_create("portfolio");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, health_drafts_an_initiative_and_publishes_it);
    tcase_add_test(tc, an_incentive_has_an_amount_exactly_when_it_is_money);
    tcase_add_test(tc, bad_initiatives_name_the_field_and_change_nothing);
    tcase_add_test(tc, only_the_challenges_secretariat_or_the_coordination_keeps_its_portfolio);
    tcase_add_test(tc, a_closed_cycles_portfolio_is_read_only);
    tcase_add_test(tc, an_adopted_initiative_and_a_granted_incentive_stay);
    tcase_add_test(tc, a_retried_create_adds_one_initiative);
    suite_add_tcase(s, tc);
    return s;
}
