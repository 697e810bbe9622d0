/*
 * Public questions, through HTTP: a citizen asks, without a token, why Campo
 * Grande's health pact is late; the question is public at once, with its due
 * time 20 days on; the health secretariat answers it (education may not,
 * nor a mayor), once. The asker's name is the state's to see, the e-mail
 * nobody's, and the coordination erases both on request, leaving an audit
 * event without them. A question past its due time is overdue (in the list,
 * the counts per area and the state's alerts); an abusive one is hidden with
 * a reason and shows as a placeholder. Bounded: markup, long texts and a
 * private subject are 422, the same question again is 409 duplicate, the
 * 21st question of an address in an hour is 429; an anonymous retry with the
 * same Idempotency-Key gets the first answer.
 *
 * The cycle, challenge, plans and pact are seeded by SQL as their routes
 * store them (sql/019-023). The suite's server sees every client as
 * 127.0.0.1, whose hourly writes each test starts without.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"
#include "plans_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    long cycle, challenge, plan_cg, pact_cg, plan_dourados;
} w;

static void seed_world(void)
{
    w.cycle = fixture_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments) VALUES ('Ciclo 2027', 50,"
        " now() - interval '40 days', now() - interval '30 days', now() - interval '20 days',"
        " now() + interval '10 days', 2027, '[\"Pactuar metas\"]') RETURNING id");
    long tmi, vac;
    w.challenge = plans_seed_challenge(w.cycle, &tmi, &vac);
    const char *muni[] = {CG, DOURADOS};
    const char *mayor[] = {fixture_user_id(U_MAYOR_CG), fixture_user_id(U_MAYOR_DOURADOS)};
    const char *status[] = {"pacted", "draft"};
    long plan[2];
    for (int i = 0; i < 2; i++) {
        long adhesion = fixture_longf(
            "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
            " VALUES (%ld, '%s', 'MS-2026-91000%d', %s, '[\"Pactuar metas\"]') RETURNING id",
            w.cycle, muni[i], i + 1, mayor[i]);
        plan[i] = fixture_longf(
            "INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id,"
            " status, summary, versions, created_by) VALUES (%ld, %ld, '%s', %ld, '%s', 'Plano',"
            " 1, %s) RETURNING id",
            w.challenge, w.cycle, muni[i], adhesion, status[i], mayor[i]);
    }
    w.plan_cg = plan[0];
    w.plan_dourados = plan[1];
    w.pact_cg = fixture_longf(
        "INSERT INTO pacts (plan_id, plan_version, cycle_id, challenge_id, municipality_id,"
        " adhesion_id, protocol, signed_by) SELECT p.id, 1, p.cycle_id, p.challenge_id,"
        " p.municipality_id, p.adhesion_id, pact_next_protocol('MS'), p.created_by"
        " FROM action_plans p WHERE p.id = %ld RETURNING id",
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

static struct http_response ask(const char *body)
{
    return fixture_call("POST", "/v1/questions", U_COUNT, body, NULL);
}

/* Asks anonymously about the subject; the question's id. */
static long ask_ok(const char *type, long subject, const char *text)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"subject_type\":\"%s\",\"subject_id\":%ld,\"text\":\"%s\","
             "\"asker_name\":\"Ana Cidadã\",\"email\":\"ana@example.org\"}",
             type, subject, text);
    struct http_response r = ask(body);
    ck_assert_msg(r.status == 201, "ask: %ld %s", r.status, buf_cstr(&r.body));
    long id = id_of(r.json, "id");
    http_response_free(&r);
    return id;
}

static struct http_response act(enum fixture_user who, long question, const char *action,
                                const char *body)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/questions/%ld/%s", question, action);
    return fixture_call("POST", path, who, body, NULL);
}

static struct http_response get_question(long id, enum fixture_user who)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/questions/%ld", id);
    return fixture_call("GET", path, who, NULL, NULL);
}

static int count_items(const char *query, enum fixture_user who)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/questions?%s", query);
    struct http_response r = fixture_call("GET", path, who, NULL, NULL);
    ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, buf_cstr(&r.body));
    int n = cJSON_GetArraySize(member(r.json, "items"));
    http_response_free(&r);
    return n;
}

/* Moves a question's clock back `days` days (asked and due alike). */
static void age_question(long id, int days)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE questions SET asked_at = asked_at - interval '%d days',"
             " due_at = due_at - interval '%d days' WHERE id = %ld",
             days, days, id);
    fixture_exec(sql);
}

START_TEST(a_citizen_asks_and_the_area_answers_in_public)
{
    struct http_request req = {.method = "POST",
                               .path = "/v1/questions",
                               .body = NULL,
                               .headers = (const char *const[]){"Idempotency-Key: q-1", NULL}};
    char body[512];
    snprintf(body, sizeof body,
             "{\"subject_type\":\"pact\",\"subject_id\":%ld,"
             "\"text\":\"Por que a busca ativa de gestantes atrasou?\\nQuando retoma?\","
             "\"asker_name\":\"Ana Cidadã\",\"email\":\"ana@example.org\"}",
             w.pact_cg);
    req.body = body;
    struct http_response r = http_do(&req);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    long id = id_of(r.json, "id");
    char location[64];
    snprintf(location, sizeof location, "/v1/questions/%ld", id);
    ck_assert_str_eq(http_header(&r, "Location"), location);
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    ck_assert_str_eq(http_json_string(&r, "status"), "open");
    ck_assert_str_eq(http_json_string(&r, "area"), "health");
    ck_assert_str_eq(http_json_string(&r, "municipality_id"), CG);
    ck_assert_int_eq(id_of(r.json, "challenge_id"), w.challenge);
    ck_assert(cJSON_IsFalse(member(r.json, "answered_late")));
    ck_assert(cJSON_IsNull(member(r.json, "answer")));
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(r.json, "asker_name"));
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "ana@example.org"));
    http_response_free(&r);
    /* Due 20 days after it was asked (PACTO_QUESTION_ANSWER_DAYS' default). */
    ck_assert_int_eq(
        fixture_longf("SELECT (due_at - asked_at = interval '20 days')::int FROM questions"
                      " WHERE id = %ld",
                      id),
        1);

    /* Public at once, without the asker; the state sees the name, nobody
     * the e-mail or the address hash. */
    r = get_question(id, U_COUNT);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(r.json, "asker_name"));
    ck_assert_str_eq(http_json_string(&r, "text"),
                     "Por que a busca ativa de gestantes atrasou?\nQuando retoma?");
    http_response_free(&r);
    r = get_question(id, U_HEALTH);
    ck_assert_str_eq(http_json_string(&r, "asker_name"), "Ana Cidadã");
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "ana@example.org"));
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(r.json, "client_hash"));
    http_response_free(&r);
    r = get_question(id, U_MAYOR_CG);
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(r.json, "asker_name"));
    http_response_free(&r);

    /* The list and its filters. */
    char q[160];
    snprintf(q, sizeof q, "subject_type=pact&subject_id=%ld", w.pact_cg);
    ck_assert_int_eq(count_items(q, U_COUNT), 1);
    snprintf(q, sizeof q, "cycle_id=%ld&area=health&status=open", w.cycle);
    ck_assert_int_eq(count_items(q, U_COUNT), 1);
    ck_assert_int_eq(count_items("area=education", U_COUNT), 0);
    ck_assert_int_eq(count_items("status=answered", U_COUNT), 0);

    /* Only the responsible area answers: education 403 naming health,
     * municipal roles 403, anonymous 401. */
    struct fixture_snapshot before = fixture_snapshot();
    const char *answer = "{\"text\":\"A equipe foi recomposta; retoma em março.\"}";
    r = act(U_EDUCATION, id, "answer", answer);
    http_expect_problem(&r, 403, "forbidden");
    ck_assert_ptr_nonnull(strstr(http_json_string(&r, "detail"), "health"));
    http_response_free(&r);
    r = act(U_MAYOR_CG, id, "answer", answer);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = act(U_COUNT, id, "answer", answer);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    r = act(U_HEALTH, id, "answer", "{\"text\":\"<b>Logo</b>\"}");
    fixture_expect_invalid(&r, "text");
    http_response_free(&r);
    r = act(U_HEALTH, id, "answer", "{}");
    fixture_expect_invalid(&r, "text");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    r = act(U_HEALTH, id, "answer", answer);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_str_eq(http_json_string(&r, "status"), "answered");
    ck_assert(cJSON_IsFalse(member(r.json, "answered_late")));
    ck_assert_str_eq(
        cJSON_GetObjectItemCaseSensitive(member(r.json, "answer"), "text")->valuestring,
        "A equipe foi recomposta; retoma em março.");
    http_response_free(&r);
    r = get_question(id, U_COUNT);
    ck_assert_str_eq(http_json_string(&r, "status"), "answered");
    http_response_free(&r);

    /* Once: a second answer is 409, even from the coordination. */
    before = fixture_snapshot();
    r = act(U_COORDINATION, id, "answer", "{\"text\":\"Outra resposta\"}");
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    /* One event per change, none holding the personal data. */
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity = 'question'"
                                   " AND entity_id = '%ld'",
                                   id),
                     2);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE entity = 'question'"
                                  " AND (after ? 'asker_name' OR after ? 'email'"
                                  "      OR after ? 'client_hash' OR after::text LIKE '%Ana%'"
                                  "      OR after::text LIKE '%example.org%')"),
                     0);
}
END_TEST

START_TEST(an_anonymous_retry_with_the_same_key_gets_the_first_answer)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"subject_type\":\"cycle\",\"subject_id\":%ld,\"text\":\"Quando abre o ciclo?\","
             "\"asker_name\":\"Beto\"}",
             w.cycle);
    struct http_request req = {.method = "POST",
                               .path = "/v1/questions",
                               .body = body,
                               .headers = (const char *const[]){"Idempotency-Key: retry-1", NULL}};
    fixture_expect_replayed(&req, "questions");
    /* The same key with another body is refused. */
    struct fixture_snapshot before = fixture_snapshot();
    req.body =
        "{\"subject_type\":\"cycle\",\"subject_id\":1,\"text\":\"Outra\",\"asker_name\":\"B\"}";
    struct http_response r = http_do(&req);
    http_expect_problem(&r, 422, "idempotency-key-reused");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    /* A cycle's questions are the coordination's. */
    r = fixture_call("GET", "/v1/questions?subject_type=cycle", U_COUNT, NULL, NULL);
    const cJSON *first = cJSON_GetArrayItem(member(r.json, "items"), 0);
    ck_assert_str_eq(member(first, "area")->valuestring, "coordination");
    http_response_free(&r);
}
END_TEST

START_TEST(bad_questions_are_refused_naming_the_field)
{
    char long_text[2100];
    memset(long_text, 'a', 2001);
    long_text[2001] = '\0';
    char too_long[2300], draft[256], missing[256], pact[256];
    snprintf(too_long, sizeof too_long,
             "{\"subject_type\":\"pact\",\"subject_id\":%ld,\"text\":\"%s\",\"asker_name\":\"A\"}",
             w.pact_cg, long_text);
    /* Dourados' draft plan is not public: it cannot be asked about publicly. */
    snprintf(draft, sizeof draft,
             "{\"subject_type\":\"plan\",\"subject_id\":%ld,\"text\":\"E o plano?\","
             "\"asker_name\":\"A\"}",
             w.plan_dourados);
    snprintf(missing, sizeof missing,
             "{\"subject_type\":\"cycle\",\"subject_id\":%ld,\"text\":\"E o ciclo?\","
             "\"asker_name\":\"A\"}",
             w.cycle + 1000);
#define PACT_Q(extra) "{\"subject_type\":\"pact\",\"subject_id\":%ld," extra "}"
    snprintf(pact, sizeof pact, PACT_Q("\"text\":\"Ok\""), w.pact_cg);
    char markup[256], name_markup[256], name_lines[256], email[256], type[256], unknown[256];
    snprintf(markup, sizeof markup,
             PACT_Q("\"text\":\"Veja <script>alert(1)</script>\",\"asker_name\":\"A\""), w.pact_cg);
    snprintf(name_markup, sizeof name_markup,
             PACT_Q("\"text\":\"Pergunta\",\"asker_name\":\"<img src=x>\""), w.pact_cg);
    snprintf(name_lines, sizeof name_lines,
             PACT_Q("\"text\":\"Pergunta\",\"asker_name\":\"Ana\\nSilva\""), w.pact_cg);
    snprintf(email, sizeof email,
             PACT_Q("\"text\":\"Pergunta\",\"asker_name\":\"Ana\",\"email\":\"ana@\""), w.pact_cg);
    snprintf(
        type, sizeof type,
        "{\"subject_type\":\"delivery\",\"subject_id\":1,\"text\":\"P\",\"asker_name\":\"A\"}");
    snprintf(unknown, sizeof unknown,
             PACT_Q("\"text\":\"Pergunta\",\"asker_name\":\"Ana\",\"ip\":\"1.2.3.4\""), w.pact_cg);
#undef PACT_Q
    const struct fixture_invalid_body cases[] = {
        {too_long, "text"},
        {draft, "subject_id"},
        {missing, "subject_id"},
        {pact, "asker_name"},
        {markup, "text"},
        {name_markup, "asker_name"},
        {name_lines, "asker_name"},
        {email, "email"},
        {type, "subject_type"},
        {unknown, "ip"},
        {"{\"text\":\"P\",\"asker_name\":\"A\"}", "subject_id"},
    };
    struct http_request req = {.method = "POST", .path = "/v1/questions"};
    fixture_expect_invalid_bodies(&req, cases, sizeof cases / sizeof cases[0]);
    /* "a < b" is plain text, not markup. */
    ck_assert_int_gt(ask_ok("pact", w.pact_cg, "A meta < 10 é possível?"), 0);
}
END_TEST

START_TEST(the_same_question_again_is_a_duplicate)
{
    ask_ok("pact", w.pact_cg, "Qual o orçamento da ação?");
    struct fixture_snapshot before = fixture_snapshot();
    char body[256];
    snprintf(body, sizeof body,
             "{\"subject_type\":\"pact\",\"subject_id\":%ld,"
             "\"text\":\"QUAL o   orçamento\\nda ação?\",\"asker_name\":\"Outro nome\"}",
             w.pact_cg);
    struct http_response r = ask(body);
    http_expect_problem(&r, 409, "duplicate");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    /* The same text about another subject is another question. */
    ask_ok("plan", w.plan_cg, "Qual o orçamento da ação?");
    /* After 24 hours it may be asked again. */
    fixture_exec("UPDATE questions SET asked_at = asked_at - interval '25 hours'");
    ask_ok("pact", w.pact_cg, "Qual o orçamento da ação?");
}
END_TEST

START_TEST(an_address_asks_at_most_its_hourly_limit)
{
    for (int i = 0; i < 20; i++) {
        char text[64];
        snprintf(text, sizeof text, "Pergunta número %d", i);
        ask_ok("cycle", w.cycle, text);
    }
    struct fixture_snapshot before = fixture_snapshot();
    char body[256];
    snprintf(body, sizeof body,
             "{\"subject_type\":\"cycle\",\"subject_id\":%ld,\"text\":\"A vigésima primeira\","
             "\"asker_name\":\"Ana\"}",
             w.cycle);
    struct http_response r = ask(body);
    http_expect_problem(&r, 429, "too-many-requests");
    const char *retry = http_header(&r, "Retry-After");
    ck_assert_ptr_nonnull(retry);
    ck_assert_int_gt(atol(retry), 0);
    ck_assert_int_le(atol(retry), 3600);
    http_response_free(&r);
    fixture_assert_unchanged(before);
    /* An hour later there is room again. */
    fixture_exec("UPDATE public_writes SET at = at - interval '61 minutes'");
    r = ask(body);
    ck_assert_int_eq(r.status, 201);
    http_response_free(&r);
}
END_TEST

START_TEST(a_question_past_its_due_time_is_overdue_then_answered_late)
{
    long late = ask_ok("pact", w.pact_cg, "Quando sai a licitação?");
    long fresh = ask_ok("challenge", w.challenge, "Qual a meta estadual?");
    long cycle_q = ask_ok("cycle", w.cycle, "Quem coordena o programa?");
    age_question(late, 25);
    age_question(cycle_q, 21);
    struct http_response r = get_question(late, U_COUNT);
    ck_assert_str_eq(http_json_string(&r, "status"), "overdue");
    http_response_free(&r);
    ck_assert_int_eq(count_items("status=overdue", U_COUNT), 2);
    ck_assert_int_eq(count_items("status=open", U_COUNT), 1);

    /* The state's alerts list both, the oldest due first, with its area. */
    char path[128];
    snprintf(path, sizeof path, "/v1/cycles/%ld/alerts?kind=question_overdue", w.cycle);
    r = fixture_call("GET", path, U_COORDINATION, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    const cJSON *items = member(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 2);
    const cJSON *a = cJSON_GetArrayItem(items, 0);
    ck_assert_int_eq(id_of(a, "question_id"), late);
    ck_assert_str_eq(member(a, "area")->valuestring, "health");
    ck_assert_str_eq(member(a, "subject_type")->valuestring, "pact");
    ck_assert_int_eq(id_of(a, "pact_id"), w.pact_cg);
    ck_assert_int_eq(id_of(a, "plan_id"), w.plan_cg);
    ck_assert_int_eq(id_of(a, "days_overdue"), 5);
    ck_assert_str_eq(member(a, "municipality_id")->valuestring, CG);
    a = cJSON_GetArrayItem(items, 1);
    ck_assert_str_eq(member(a, "area")->valuestring, "coordination");
    ck_assert(cJSON_IsNull(member(a, "municipality_id")));
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/cycles/%ld/alerts?area=health&kind=question_overdue", w.cycle);
    r = fixture_call("GET", path, U_HEALTH, NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 1);
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/cycles/%ld/alerts?municipality_id=" DOURADOS, w.cycle);
    r = fixture_call("GET", path, U_HEALTH, NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 0);
    http_response_free(&r);

    /* Answered after its due time: answered, late, and no longer an alert. */
    r = act(U_HEALTH, late, "answer", "{\"text\":\"Em abril.\"}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "status"), "answered");
    ck_assert(cJSON_IsTrue(member(r.json, "answered_late")));
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/cycles/%ld/alerts?kind=question_overdue", w.cycle);
    r = fixture_call("GET", path, U_COORDINATION, NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 1);
    http_response_free(&r);
    (void)fresh;
}
END_TEST

START_TEST(an_abusive_question_is_hidden_with_a_reason)
{
    long id = ask_ok("pact", w.pact_cg, "Texto ofensivo");
    age_question(id, 30);
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = act(U_EDUCATION, id, "hide", "{\"reason\":\"Ofensivo\"}");
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = act(U_REP_CG, id, "hide", "{\"reason\":\"Ofensivo\"}");
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = act(U_HEALTH, id, "hide", "{}");
    fixture_expect_invalid(&r, "reason");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    r = act(U_HEALTH, id, "hide", "{\"reason\":\"Linguagem ofensiva\"}");
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    http_response_free(&r);
    /* Publicly: its id, status and reason, nothing else. */
    r = get_question(id, U_COUNT);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(cJSON_GetArraySize(r.json), 3);
    ck_assert_str_eq(http_json_string(&r, "status"), "hidden");
    ck_assert_str_eq(http_json_string(&r, "hidden_reason"), "Linguagem ofensiva");
    http_response_free(&r);
    ck_assert_int_eq(count_items("status=hidden", U_COUNT), 1);
    /* The state still reads it. */
    r = get_question(id, U_HEALTH);
    ck_assert_str_eq(http_json_string(&r, "text"), "Texto ofensivo");
    http_response_free(&r);
    /* Not overdue, not answerable, not hidden twice. */
    char path[128];
    snprintf(path, sizeof path, "/v1/cycles/%ld/alerts?kind=question_overdue", w.cycle);
    r = fixture_call("GET", path, U_COORDINATION, NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 0);
    http_response_free(&r);
    before = fixture_snapshot();
    r = act(U_HEALTH, id, "answer", "{\"text\":\"Resposta\"}");
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    r = act(U_HEALTH, id, "hide", "{\"reason\":\"De novo\"}");
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    /* The CSV row keeps the placeholder's members alone. */
    r = fixture_call("GET", "/v1/questions", U_COUNT, NULL,
                     (const char *const[]){"Accept: text/csv", NULL});
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "ofensivo"));
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), ",hidden,,,,,,,Linguagem ofensiva"));
    http_response_free(&r);
}
END_TEST

START_TEST(the_counts_per_area_are_public)
{
    long a = ask_ok("pact", w.pact_cg, "Primeira");
    long b = ask_ok("plan", w.plan_cg, "Segunda");
    long c = ask_ok("challenge", w.challenge, "Terceira");
    long d = ask_ok("challenge", w.challenge, "Quarta");
    ask_ok("cycle", w.cycle, "Quinta");
    /* a answered in 2 days, b in 30 (late), c overdue, d hidden. */
    age_question(a, 4);
    age_question(b, 40);
    age_question(c, 25);
    fixture_exec("UPDATE questions SET answer_text = 'Sim', answered_at = asked_at + interval "
                 "'2 days' WHERE text = 'Primeira';"
                 "UPDATE questions SET answer_text = 'Sim', answered_at = asked_at + interval "
                 "'30 days' WHERE text = 'Segunda';"
                 "UPDATE questions SET hidden_reason = 'Spam', hidden_at = now()"
                 " WHERE text = 'Quarta'");
    (void)d;
    char path[96];
    snprintf(path, sizeof path, "/v1/cycles/%ld/question-counts", w.cycle);
    struct http_response r = fixture_call("GET", path, U_COUNT, NULL, NULL);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    const cJSON *items = member(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 5);
    const cJSON *coord = cJSON_GetArrayItem(items, 0), *health = cJSON_GetArrayItem(items, 1);
    ck_assert_str_eq(member(coord, "area")->valuestring, "coordination");
    ck_assert_int_eq(id_of(coord, "asked"), 1);
    ck_assert_int_eq(id_of(coord, "open"), 1);
    ck_assert_str_eq(member(health, "area")->valuestring, "health");
    ck_assert_int_eq(id_of(health, "asked"), 4);
    ck_assert_int_eq(id_of(health, "hidden"), 1);
    ck_assert_int_eq(id_of(health, "answered"), 2);
    ck_assert_int_eq(id_of(health, "answered_late"), 1);
    ck_assert_int_eq(id_of(health, "open"), 0);
    ck_assert_int_eq(id_of(health, "overdue"), 1);
    ck_assert_double_eq_tol(member(health, "median_days_to_answer")->valuedouble, 16.0, 0.01);
    ck_assert(cJSON_IsNull(member(cJSON_GetArrayItem(items, 2), "median_days_to_answer")));
    http_response_free(&r);
    r = fixture_call("GET", path, U_COUNT, NULL, (const char *const[]){"Accept: text/csv", NULL});
    ck_assert_int_eq(r.status, 200);
    const char *body = buf_cstr(&r.body);
    ck_assert_msg(strncmp(body,
                          "area,asked,hidden,answered,answered_late,open,overdue,"
                          "median_days_to_answer\r\ncoordination,1,0,0,0,1,0,\r\n"
                          "health,4,1,2,1,0,1,16.0\r\n",
                          strlen("area,asked,hidden,answered,answered_late,open,overdue,"
                                 "median_days_to_answer\r\ncoordination,1,0,0,0,1,0,\r\n"
                                 "health,4,1,2,1,0,1,16.0\r\n")) == 0,
                  "%s", body);
    http_response_free(&r);
    r = fixture_call("GET", "/v1/cycles/999999/question-counts", U_COUNT, NULL, NULL);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
}
END_TEST

START_TEST(the_coordination_erases_the_askers_data)
{
    long id = ask_ok("pact", w.pact_cg, "Minha pergunta");
    char path[96];
    snprintf(path, sizeof path, "/v1/questions/%ld/asker", id);
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = fixture_call("DELETE", path, U_HEALTH, NULL, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = fixture_call("DELETE", path, U_COUNT, NULL, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    fixture_assert_unchanged(before);

    r = fixture_call("DELETE", path, U_COORDINATION, NULL, NULL);
    ck_assert_msg(r.status == 204, "%ld %s", r.status, buf_cstr(&r.body));
    http_response_free(&r);
    /* NULL, not hidden; the text stays public. */
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM questions WHERE id = %ld AND"
                                   " asker_name IS NULL AND email IS NULL AND client_hash IS NULL",
                                   id),
                     1);
    r = get_question(id, U_HEALTH);
    ck_assert(cJSON_IsNull(member(r.json, "asker_name")));
    ck_assert_str_eq(http_json_string(&r, "text"), "Minha pergunta");
    http_response_free(&r);
    /* One erase event, without the personal data; nothing of it anywhere
     * in the log. */
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE action = 'erase'"
                                   " AND entity = 'question' AND entity_id = '%ld'"
                                   " AND (after->>'asker_erased')::boolean"
                                   " AND NOT (before->>'asker_erased')::boolean",
                                   id),
                     1);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE before::text LIKE"
                                  " '%Ana%' OR after::text LIKE '%Ana%'"
                                  " OR after::text LIKE '%example.org%'"),
                     0);
    /* Again: nothing left to erase, no second event. */
    long events = fixture_count("audit_events");
    r = fixture_call("DELETE", path, U_COORDINATION, NULL, NULL);
    ck_assert_int_eq(r.status, 204);
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("audit_events"), events);
    r = fixture_call("DELETE", "/v1/questions/999999/asker", U_COORDINATION, NULL, NULL);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
}
END_TEST

START_TEST(a_challenge_asked_about_is_kept)
{
    long bare = fixture_longf("INSERT INTO challenges (cycle_id, code, title, area,"
                              " responsible_area) VALUES (%ld, 'EDU-09', 'Leitura', 'education',"
                              " 'education') RETURNING id",
                              w.cycle);
    long id = ask_ok("challenge", bare, "Quais escolas participam?");
    struct http_response r = get_question(id, U_COUNT);
    ck_assert_str_eq(http_json_string(&r, "area"), "education");
    http_response_free(&r);
    char path[64];
    snprintf(path, sizeof path, "/v1/challenges/%ld", bare);
    struct fixture_snapshot before = fixture_snapshot();
    r = fixture_call("DELETE", path, U_EDUCATION, NULL, NULL);
    http_expect_problem(&r, 409, "conflict");
    ck_assert_str_eq(http_json_string(&r, "detail"), "The challenge has public questions.");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(lists_refuse_bad_filters_and_answer_csv)
{
    ask_ok("pact", w.pact_cg, "Pergunta, com vírgula");
    const char *bad[] = {"/v1/questions?status=late",  "/v1/questions?area=social",
                         "/v1/questions?subject_id=3", "/v1/questions?subject_type=x",
                         "/v1/questions?cycle_id=abc", "/v1/questions?q=1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_response r = fixture_call("GET", bad[i], U_COUNT, NULL, NULL);
        http_expect_problem(&r, 400, "invalid-parameter");
        http_response_free(&r);
    }
    struct http_response r = fixture_call("GET", "/v1/questions", U_HEALTH, NULL,
                                          (const char *const[]){"Accept: text/csv", NULL});
    ck_assert_int_eq(r.status, 200);
    const char *body = buf_cstr(&r.body);
    ck_assert_ptr_nonnull(strstr(body, "id,subject_type,subject_id,cycle_id,challenge_id,"));
    ck_assert_ptr_nonnull(strstr(body, "\"Pergunta, com vírgula\""));
    ck_assert_ptr_null(strstr(body, "Ana"));
    ck_assert_ptr_nonnull(strstr(body, ",open,"));
    ck_assert_ptr_nonnull(strstr(body, ",,,false,\r\n")); /* no answer yet, not late */
    http_response_free(&r);
    r = get_question(999999, U_COUNT);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
}
END_TEST

Suite *questions_suite(void)
{
    Suite *s = suite_create("questions");
    TCase *tc = tcase_create("questions");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, a_citizen_asks_and_the_area_answers_in_public);
    tcase_add_test(tc, an_anonymous_retry_with_the_same_key_gets_the_first_answer);
    tcase_add_test(tc, bad_questions_are_refused_naming_the_field);
    tcase_add_test(tc, the_same_question_again_is_a_duplicate);
    tcase_add_test(tc, an_address_asks_at_most_its_hourly_limit);
    tcase_add_test(tc, a_question_past_its_due_time_is_overdue_then_answered_late);
    tcase_add_test(tc, an_abusive_question_is_hidden_with_a_reason);
    tcase_add_test(tc, the_counts_per_area_are_public);
    tcase_add_test(tc, the_coordination_erases_the_askers_data);
    tcase_add_test(tc, a_challenge_asked_about_is_kept);
    tcase_add_test(tc, lists_refuse_bad_filters_and_answer_csv);
    suite_add_tcase(s, tc);
    return s;
}
