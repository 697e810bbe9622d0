/*
 * Technical assistance, through HTTP: Campo Grande's representative asks the
 * health area for help with an action of its plan; the health secretariat
 * assigns it to one of its technicians, who answers; the municipality closes
 * it, and the request shows each step — who, by role and name, when, from and
 * to. Each step needs the request's ETag in If-Match. Dourados, the education
 * secretariat and anonymous callers know nothing of it (404, 401); a mayor
 * may not assign or answer (403); a step out of order is 409. An unanswered
 * request may be withdrawn by the municipality alone. Requests pending for
 * more than PACTO_ALERT_REVIEW_DAYS days are alerts.
 *
 * The cycle, challenge and plans are seeded by SQL as their routes store them
 * (sql/019-021).
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"
#include "plans_support.h"

#include <stdio.h>
#include <string.h>

static struct {
    long cycle, plan_cg, action_cg, plan_dourados, action_dourados;
    long technician, inactive;
    char requests_of_cg[96];
} w;

static void seed_world(void)
{
    w.cycle = fixture_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments) VALUES ('Ciclo 2027', 50,"
        " now() - interval '40 days', now() - interval '30 days', now() - interval '20 days',"
        " now() + interval '10 days', 2027, '[\"Pactuar metas\"]') RETURNING id");
    long tmi, vac;
    long challenge = plans_seed_challenge(w.cycle, &tmi, &vac);
    const char *muni[] = {CG, DOURADOS};
    const char *mayor[] = {fixture_user_id(U_MAYOR_CG), fixture_user_id(U_MAYOR_DOURADOS)};
    long plan[2], action[2];
    for (int i = 0; i < 2; i++) {
        long adhesion = fixture_longf(
            "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
            " VALUES (%ld, '%s', 'MS-2026-92000%d', %s, '[\"Pactuar metas\"]') RETURNING id",
            w.cycle, muni[i], i + 1, mayor[i]);
        plan[i] = fixture_longf(
            "INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id,"
            " summary, created_by) VALUES (%ld, %ld, '%s', %ld, 'Plano', %s) RETURNING id",
            challenge, w.cycle, muni[i], adhesion, mayor[i]);
        action[i] = fixture_longf("INSERT INTO plan_actions (plan_id, position, title)"
                                  " VALUES (%ld, 0, 'Busca ativa de gestantes') RETURNING id",
                                  plan[i]);
    }
    w.plan_cg = plan[0];
    w.action_cg = action[0];
    w.plan_dourados = plan[1];
    w.action_dourados = action[1];
    w.technician = fixture_long("INSERT INTO users (name, email, role, secretariat_area)"
                                " VALUES ('Téc. Helena', 'helena@test.pacto', 'secretariat',"
                                " 'health') RETURNING id");
    w.inactive = fixture_long("INSERT INTO users (name, email, role, secretariat_area, active)"
                              " VALUES ('Téc. Antigo', 'antigo@test.pacto', 'secretariat',"
                              " 'health', false) RETURNING id");
    snprintf(w.requests_of_cg, sizeof w.requests_of_cg, "/v1/action-plans/%ld/assistance-requests",
             w.plan_cg);
}

static void setup(void)
{
    fixture_reset();
    seed_world();
}

static const cJSON *member(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    ck_assert_msg(v != NULL, "no member %s", name);
    return v;
}

static long id_of(const cJSON *obj, const char *name)
{
    const cJSON *v = member(obj, name);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
    return (long)v->valuedouble;
}

/* A request of CG's on its plan; its id, and its ETag in etag. */
static long request_ok(const char *body, char *etag, size_t n)
{
    struct http_response r = fixture_call("POST", w.requests_of_cg, U_REP_CG, body, NULL);
    ck_assert_msg(r.status == 201, "request: %ld %s", r.status, buf_cstr(&r.body));
    long id = id_of(r.json, "id");
    snprintf(etag, n, "%s", http_header(&r, "ETag"));
    http_response_free(&r);
    return id;
}

/* POSTs the step with If-Match etag (NULL: none). */
static struct http_response step(enum fixture_user who, long id, const char *action,
                                 const char *body, const char *etag)
{
    char path[96], match[160];
    snprintf(path, sizeof path, "/v1/assistance-requests/%ld/%s", id, action);
    snprintf(match, sizeof match, "If-Match: %s", etag ? etag : "");
    const char *headers[] = {match, NULL};
    return fixture_call("POST", path, who, body, etag ? headers : NULL);
}

/* step that must succeed; the new ETag goes to etag. */
static void step_ok(enum fixture_user who, long id, const char *action, const char *body,
                    char *etag, size_t n, const char *status)
{
    struct http_response r = step(who, id, action, body, etag);
    ck_assert_msg(r.status == 200, "%s: %ld %s", action, r.status, buf_cstr(&r.body));
    ck_assert_str_eq(http_json_string(&r, "status"), status);
    snprintf(etag, n, "%s", http_header(&r, "ETag"));
    http_response_free(&r);
}

static struct http_response get_request(long id, enum fixture_user who)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/assistance-requests/%ld", id);
    return fixture_call("GET", path, who, NULL, NULL);
}

static int count_items(const char *query, enum fixture_user who)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/assistance-requests%s", query);
    struct http_response r = fixture_call("GET", path, who, NULL, NULL);
    ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, buf_cstr(&r.body));
    int n = cJSON_GetArraySize(member(r.json, "items"));
    http_response_free(&r);
    return n;
}

START_TEST(a_request_goes_from_open_to_closed_with_its_history)
{
    char body[256], etag[128];
    snprintf(body, sizeof body,
             "{\"action_id\":%ld,\"topic\":\"indicators\","
             "\"description\":\"Como calcular a cobertura da busca ativa?\"}",
             w.action_cg);
    long id = request_ok(body, etag, sizeof etag);
    struct http_response r = get_request(id, U_HEALTH);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "status"), "open");
    ck_assert_str_eq(http_json_string(&r, "area"), "health");
    ck_assert_int_eq(id_of(r.json, "action_id"), w.action_cg);
    ck_assert_int_eq(id_of(r.json, "days_pending"), 0);
    const cJSON *history = member(r.json, "history");
    ck_assert_int_eq(cJSON_GetArraySize(history), 1);
    const cJSON *first = cJSON_GetArrayItem(history, 0);
    ck_assert_str_eq(member(first, "action")->valuestring, "request");
    ck_assert_str_eq(member(first, "by_role")->valuestring, "representative");
    ck_assert(cJSON_IsNull(member(first, "from_status")));
    ck_assert_str_eq(member(first, "to_status")->valuestring, "open");
    http_response_free(&r);

    /* Who knows of it: the municipality, the area, the coordination. */
    ck_assert_int_eq(count_items("", U_REP_CG), 1);
    ck_assert_int_eq(count_items("", U_HEALTH), 1);
    ck_assert_int_eq(count_items("", U_COORDINATION), 1);
    ck_assert_int_eq(count_items("", U_MAYOR_DOURADOS), 0);
    ck_assert_int_eq(count_items("", U_EDUCATION), 0);
    ck_assert_int_eq(count_items("?status=open&area=health&municipality_id=" CG, U_HEALTH), 1);
    ck_assert_int_eq(count_items("?status=closed", U_HEALTH), 0);
    r = get_request(id, U_MAYOR_DOURADOS);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    r = get_request(id, U_EDUCATION);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    r = get_request(id, U_COUNT);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    r = fixture_call("GET", "/v1/assistance-requests", U_COUNT, NULL, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);

    /* Assigning: If-Match required and current; a technician of the area;
     * not by a mayor, not by another area. */
    struct fixture_snapshot before = fixture_snapshot();
    char assign[96];
    snprintf(assign, sizeof assign, "{\"technician_id\":%ld,\"note\":\"Para a Helena\"}",
             w.technician);
    r = step(U_HEALTH, id, "assign", assign, NULL);
    http_expect_problem(&r, 428, "precondition-required");
    http_response_free(&r);
    r = step(U_HEALTH, id, "assign", assign, "\"999-x\"");
    http_expect_problem(&r, 412, "precondition-failed");
    http_response_free(&r);
    r = step(U_MAYOR_CG, id, "assign", assign, etag);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = step(U_EDUCATION, id, "assign", assign, etag);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    r = step(U_COUNT, id, "assign", assign, etag);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    char other[96];
    snprintf(other, sizeof other, "{\"technician_id\":%s}", fixture_user_id(U_EDUCATION));
    r = step(U_HEALTH, id, "assign", other, etag);
    fixture_expect_invalid(&r, "technician_id");
    http_response_free(&r);
    snprintf(other, sizeof other, "{\"technician_id\":%ld}", w.inactive);
    r = step(U_HEALTH, id, "assign", other, etag);
    fixture_expect_invalid(&r, "technician_id");
    http_response_free(&r);
    snprintf(other, sizeof other, "{\"technician_id\":%s}", fixture_user_id(U_MAYOR_CG));
    r = step(U_HEALTH, id, "assign", other, etag);
    fixture_expect_invalid(&r, "technician_id");
    http_response_free(&r);
    r = step(U_HEALTH, id, "assign", "{}", etag);
    fixture_expect_invalid(&r, "technician_id");
    http_response_free(&r);
    /* Answering before it is assigned is out of order. */
    r = step(U_HEALTH, id, "answer", "{\"text\":\"Já?\"}", etag);
    http_expect_problem(&r, 409, "invalid-transition");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    step_ok(U_HEALTH, id, "assign", assign, etag, sizeof etag, "assigned");

    /* Answering: the state only, plain text. */
    before = fixture_snapshot();
    const char *answer = "{\"text\":\"Use o SINASC como denominador; enviamos a planilha.\"}";
    r = step(U_REP_CG, id, "answer", answer, etag);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = step(U_HEALTH, id, "answer", "{\"text\":\"<a href=x>planilha</a>\"}", etag);
    fixture_expect_invalid(&r, "text");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    step_ok(U_HEALTH, id, "answer", answer, etag, sizeof etag, "answered");
    r = step(U_HEALTH, id, "answer", answer, etag);
    http_expect_problem(&r, 409, "invalid-transition");
    http_response_free(&r);

    /* Closing: Dourados may not know of it; the municipality closes. */
    r = step(U_MAYOR_DOURADOS, id, "close", "{}", etag);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    step_ok(U_MAYOR_CG, id, "close", "{\"note\":\"Resolvido, obrigado\"}", etag, sizeof etag,
            "closed");
    r = step(U_HEALTH, id, "close", NULL, etag);
    http_expect_problem(&r, 409, "invalid-transition");
    http_response_free(&r);

    /* The whole history, by role and name. */
    r = get_request(id, U_REP_CG);
    history = member(r.json, "history");
    ck_assert_int_eq(cJSON_GetArraySize(history), 4);
    const char *actions[] = {"request", "assign", "answer", "close"};
    const char *to[] = {"open", "assigned", "answered", "closed"};
    const char *names[] = {"Rita", "Saúde", "Saúde", "Maria"};
    for (int i = 0; i < 4; i++) {
        const cJSON *h = cJSON_GetArrayItem(history, i);
        ck_assert_str_eq(member(h, "action")->valuestring, actions[i]);
        ck_assert_str_eq(member(h, "to_status")->valuestring, to[i]);
        ck_assert_str_eq(member(h, "by_name")->valuestring, names[i]);
        ck_assert_ptr_nonnull(member(h, "at")->valuestring);
    }
    ck_assert_str_eq(member(cJSON_GetArrayItem(history, 1), "by_area")->valuestring, "health");
    ck_assert_str_eq(member(cJSON_GetArrayItem(history, 1), "note")->valuestring, "Para a Helena");
    ck_assert_str_eq(member(cJSON_GetArrayItem(history, 3), "by_role")->valuestring, "mayor");
    ck_assert_str_eq(member(cJSON_GetArrayItem(history, 2), "from_status")->valuestring,
                     "assigned");
    ck_assert_int_eq(id_of(member(r.json, "technician"), "id"), w.technician);
    ck_assert_str_eq(member(member(r.json, "technician"), "name")->valuestring, "Téc. Helena");
    ck_assert(cJSON_IsNull(member(r.json, "days_pending")));
    http_response_free(&r);
    /* One audit event per change. */
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity ="
                                   " 'assistance_request' AND entity_id = '%ld'",
                                   id),
                     4);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity ="
                                   " 'assistance_request' AND entity_id = '%ld' AND action IN"
                                   " ('create', 'assign', 'answer', 'close')",
                                   id),
                     4);
}
END_TEST

START_TEST(the_municipality_may_withdraw_an_unanswered_request)
{
    char etag[128];
    long id = request_ok("{\"topic\":\"budget\",\"description\":\"Podemos usar o fundo?\"}", etag,
                         sizeof etag);
    /* The area may not drop it before an answer. */
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = step(U_HEALTH, id, "close", "{}", etag);
    http_expect_problem(&r, 409, "invalid-transition");
    http_response_free(&r);
    r = step(U_COORDINATION, id, "close", NULL, etag);
    http_expect_problem(&r, 409, "invalid-transition");
    http_response_free(&r);
    r = step(U_REP_CG, id, "close", "{\"note\":\"<i>x</i>\"}", etag);
    fixture_expect_invalid(&r, "note");
    http_response_free(&r);
    r = step(U_REP_CG, id, "close", "{\"reason\":\"x\"}", etag);
    fixture_expect_invalid(&r, "reason");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    step_ok(U_REP_CG, id, "close", NULL, etag, sizeof etag, "withdrawn");
    /* Over: nothing follows. */
    char assign[64];
    snprintf(assign, sizeof assign, "{\"technician_id\":%ld}", w.technician);
    r = step(U_HEALTH, id, "assign", assign, etag);
    http_expect_problem(&r, 409, "invalid-transition");
    http_response_free(&r);
    ck_assert_int_eq(count_items("?status=withdrawn", U_REP_CG), 1);
}
END_TEST

START_TEST(bad_requests_and_other_callers_are_refused)
{
    struct fixture_snapshot before = fixture_snapshot();
    char other_action[128];
    snprintf(other_action, sizeof other_action,
             "{\"action_id\":%ld,\"topic\":\"legal\",\"description\":\"Pode?\"}",
             w.action_dourados);
    const struct fixture_invalid_body cases[] = {
        {"{\"topic\":\"weather\",\"description\":\"Chove?\"}", "topic"},
        {"{\"description\":\"Sem tema\"}", "topic"},
        {"{\"topic\":\"legal\"}", "description"},
        {"{\"topic\":\"legal\",\"description\":\"\"}", "description"},
        {"{\"topic\":\"legal\",\"description\":\"Pode?\",\"status\":\"closed\"}", "status"},
        {"{\"topic\":\"legal\",\"description\":\"Pode?\",\"action_id\":\"x\"}", "action_id"},
        {other_action, "action_id"},
    };
    struct http_request req = {
        .method = "POST", .path = w.requests_of_cg, .token = fixture_token(U_MAYOR_CG)};
    fixture_expect_invalid_bodies(&req, cases, sizeof cases / sizeof cases[0]);
    /* Another municipality's plan is not found; the state does not request. */
    const char *ok = "{\"topic\":\"legal\",\"description\":\"Pode?\"}";
    struct http_response r = fixture_call("POST", w.requests_of_cg, U_MAYOR_DOURADOS, ok, NULL);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    r = fixture_call("POST", w.requests_of_cg, U_HEALTH, ok, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = fixture_call("POST", w.requests_of_cg, U_COUNT, ok, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    r = fixture_call("POST", "/v1/action-plans/999999/assistance-requests", U_MAYOR_CG, ok, NULL);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    /* Retried with the same key: one request. */
    struct http_request keyed = {.method = "POST",
                                 .path = w.requests_of_cg,
                                 .token = fixture_token(U_MAYOR_CG),
                                 .body = ok,
                                 .headers = (const char *const[]){"Idempotency-Key: a-1", NULL}};
    fixture_expect_replayed(&keyed, "assistance_requests");
    /* Bad filters. */
    const char *bad[] = {"?status=late", "?area=social", "?municipality_id=123", "?plan_id=x",
                         "?topic=legal"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[96];
        snprintf(path, sizeof path, "/v1/assistance-requests%s", bad[i]);
        r = fixture_call("GET", path, U_HEALTH, NULL, NULL);
        http_expect_problem(&r, 400, "invalid-parameter");
        http_response_free(&r);
    }
    /* The CSV download. */
    r = fixture_call("GET", "/v1/assistance-requests", U_HEALTH, NULL,
                     (const char *const[]){"Accept: text/csv", NULL});
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(strncmp(buf_cstr(&r.body),
                          "id,plan_id,action_id,municipality_id,area,topic,status,technician_id,"
                          "created_at,answered_at,description,answer\r\n",
                          90) == 0,
                  "%s", buf_cstr(&r.body));
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), ",health,legal,open,"));
    http_response_free(&r);
}
END_TEST

START_TEST(requests_pending_too_long_are_alerts)
{
    char etag[128], other[128];
    long old = request_ok("{\"topic\":\"planning\",\"description\":\"Como priorizar?\"}", etag,
                          sizeof etag);
    long fresh =
        request_ok("{\"topic\":\"other\",\"description\":\"Outra dúvida\"}", other, sizeof other);
    char sql[160];
    snprintf(sql, sizeof sql,
             "UPDATE assistance_requests SET created_at = created_at - interval '10 days'"
             " WHERE id = %ld",
             old);
    fixture_exec(sql);
    char path[128];
    snprintf(path, sizeof path, "/v1/cycles/%ld/alerts?kind=assistance_pending", w.cycle);
    struct http_response r = fixture_call("GET", path, U_HEALTH, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    const cJSON *items = member(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    const cJSON *a = cJSON_GetArrayItem(items, 0);
    ck_assert_int_eq(id_of(a, "assistance_request_id"), old);
    ck_assert_int_eq(id_of(a, "days_waiting"), 10);
    ck_assert_str_eq(member(a, "topic")->valuestring, "planning");
    ck_assert_str_eq(member(a, "request_status")->valuestring, "open");
    ck_assert_str_eq(member(a, "area")->valuestring, "health");
    ck_assert_int_eq(id_of(a, "plan_id"), w.plan_cg);
    ck_assert(cJSON_IsNull(member(a, "question_id")));
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/cycles/%ld/alerts?area=education", w.cycle);
    r = fixture_call("GET", path, U_EDUCATION, NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 0);
    http_response_free(&r);
    r = fixture_call("GET", path, U_MAYOR_CG, NULL, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    /* Assigned, still pending; answered, no longer. */
    char assign[64];
    snprintf(assign, sizeof assign, "{\"technician_id\":%ld}", w.technician);
    struct http_response g = get_request(old, U_HEALTH);
    snprintf(etag, sizeof etag, "%s", http_header(&g, "ETag"));
    http_response_free(&g);
    step_ok(U_HEALTH, old, "assign", assign, etag, sizeof etag, "assigned");
    snprintf(path, sizeof path, "/v1/cycles/%ld/alerts?kind=assistance_pending", w.cycle);
    r = fixture_call("GET", path, U_HEALTH, NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 1);
    http_response_free(&r);
    step_ok(U_COORDINATION, old, "answer", "{\"text\":\"Comece pelas focais.\"}", etag, sizeof etag,
            "answered");
    r = fixture_call("GET", path, U_HEALTH, NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 0);
    http_response_free(&r);
    (void)fresh;
}
END_TEST

Suite *assistance_suite(void)
{
    Suite *s = suite_create("assistance");
    TCase *tc = tcase_create("assistance");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, a_request_goes_from_open_to_closed_with_its_history);
    tcase_add_test(tc, the_municipality_may_withdraw_an_unanswered_request);
    tcase_add_test(tc, bad_requests_and_other_callers_are_refused);
    tcase_add_test(tc, requests_pending_too_long_are_alerts);
    suite_add_tcase(s, tc);
    return s;
}
