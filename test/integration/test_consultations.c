/*
 * Public consultations, through HTTP: Campo Grande opens a consultation on
 * its submitted health plan; citizens comment without an account; the
 * health secretariat publishes one comment and the coordination hides
 * another with a public reason; Campo Grande answers, and the public sees
 * the answer and which side gave it, the hidden comment as a placeholder,
 * and the counts. Who may open, move, moderate and answer; the window;
 * plain text, bounds and duplicates; the e-mail confirmation through the
 * outbox; the coordination erasing a citizen's name and e-mail. A second
 * server of the suite's own (a small hourly limit, a trusted proxy, an SMTP
 * sink on loopback) shows the limit per forwarded address, anonymous
 * Idempotency-Keys and the delivery of the confirmation mail.
 *
 * Cycles, the challenge and the plans are seeded by SQL as their routes
 * store them (sql/008, 014, 019).
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"
#include "plans_support.h"
#include "smtp_sink.h"

#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ANON U_COUNT

static struct {
    long cycle, closed_cycle, challenge, closed_challenge, plan_cg, plan_dourados;
} w;

/* An open cycle of MS (its pact window ends in 30 days) with the health
 * challenge, CG's submitted plan and Dourados' draft; and a closed cycle
 * with a challenge of its own. */
static void seed_world(void)
{
    w.cycle = fixture_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments) VALUES ('Ciclo 2027', 50,"
        " now() - interval '40 days', now() - interval '30 days', now() - interval '20 days',"
        " now() + interval '30 days', 2027, '[\"Pactuar metas\"]') RETURNING id");
    w.closed_cycle = fixture_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments) VALUES ('Ciclo 2023', 50,"
        " now() - interval '400 days', now() - interval '390 days', now() - interval '380 days',"
        " now() - interval '370 days', 2023, '[\"Pactuar metas\"]') RETURNING id");
    long tmi, vac;
    w.challenge = plans_seed_challenge(w.cycle, &tmi, &vac);
    w.closed_challenge = fixture_longf(
        "INSERT INTO challenges (cycle_id, code, title, area, responsible_area)"
        " VALUES (%ld, 'EDU-01', 'Alfabetização', 'education', 'education') RETURNING id",
        w.closed_cycle);
    const char *muni[] = {CG, DOURADOS};
    const char *mayor[] = {fixture_user_id(U_MAYOR_CG), fixture_user_id(U_MAYOR_DOURADOS)};
    const char *status[] = {"submitted", "draft"};
    long plan[2];
    for (int i = 0; i < 2; i++) {
        long adhesion = fixture_longf(
            "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
            " VALUES (%ld, '%s', 'MS-2026-91000%d', %s, '[\"Pactuar metas\"]') RETURNING id",
            w.cycle, muni[i], i + 1, mayor[i]);
        plan[i] = fixture_longf(
            "INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id,"
            " status, summary, versions, created_by, submitted_at)"
            " VALUES (%ld, %ld, '%s', %ld, '%s', 'Plano', %d, %s, %s) RETURNING id",
            w.challenge, w.cycle, muni[i], adhesion, status[i], i == 0 ? 1 : 0, mayor[i],
            i == 0 ? "now()" : "NULL");
    }
    w.plan_cg = plan[0];
    w.plan_dourados = plan[1];
}

static void setup(void)
{
    fixture_reset();
    seed_world();
}

/* now + seconds, as RFC 3339. */
static const char *at(long seconds, char out[32])
{
    time_t t = time(NULL) + seconds;
    struct tm tm;
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    return out;
}

static long id_of(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
    return (long)v->valuedouble;
}

static long count_of(const cJSON *obj, const char *name) { return id_of(obj, name); }

static struct http_response call(const char *method, const char *path, enum fixture_user who,
                                 const char *body)
{
    return fixture_call(method, path, who, body, NULL);
}

/* The body of a consultation on subject `kind` `subject`, open from `opens`
 * to `closes` seconds from now. */
static void consultation_body(char *out, size_t n, const char *kind, long subject, long opens,
                              long closes, bool confirm)
{
    char a[32], b[32];
    snprintf(out, n,
             "{\"subject_type\":\"%s\",\"subject_id\":%ld,\"title\":\"Plano de saúde de Campo "
             "Grande\",\"description\":\"Diga o que falta no plano.\",\"opens_at\":\"%s\","
             "\"closes_at\":\"%s\",\"requires_confirmation\":%s}",
             kind, subject, at(opens, a), at(closes, b), confirm ? "true" : "false");
}

/* Opens a consultation as `who`; its id. */
static long open_consultation(enum fixture_user who, const char *kind, long subject, long opens,
                              long closes, bool confirm)
{
    char body[512];
    consultation_body(body, sizeof body, kind, subject, opens, closes, confirm);
    struct http_response r = call("POST", "/v1/consultations", who, body);
    ck_assert_msg(r.status == 201, "POST /v1/consultations: %ld %s", r.status, buf_cstr(&r.body));
    long id = id_of(r.json, "id");
    char location[64];
    snprintf(location, sizeof location, "/v1/consultations/%ld", id);
    ck_assert_str_eq(http_header(&r, "Location"), location);
    http_response_free(&r);
    return id;
}

/* Sends a comment anonymously (with the extra headers, or NULL). */
static struct http_response comment_on(long consultation, const char *body,
                                       const char *const *headers)
{
    char path[80];
    snprintf(path, sizeof path, "/v1/consultations/%ld/comments", consultation);
    return http_do(
        &(struct http_request){.method = "POST", .path = path, .body = body, .headers = headers});
}

/* Comments anonymously; the new comment's id. */
static long comment(long consultation, const char *author, const char *text)
{
    char body[2600];
    snprintf(body, sizeof body, "{\"author_name\":\"%s\",\"text\":\"%s\"}", author, text);
    struct http_response r = comment_on(consultation, body, NULL);
    ck_assert_msg(r.status == 201, "comment: %ld %s", r.status, buf_cstr(&r.body));
    long id = id_of(r.json, "id");
    http_response_free(&r);
    return id;
}

static struct http_response comments(long consultation, const char *query, enum fixture_user who)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/consultations/%ld/comments%s", consultation, query);
    return call("GET", path, who, NULL);
}

static struct http_response consultation_get(long id, enum fixture_user who)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/consultations/%ld", id);
    return call("GET", path, who, NULL);
}

static struct http_response on_comment(const char *method, long comment, const char *action,
                                       enum fixture_user who, const char *body)
{
    char path[80];
    snprintf(path, sizeof path, "/v1/comments/%ld/%s", comment, action);
    return call(method, path, who, body);
}

/* Asserts the status of a call on a comment and frees the answer. */
static void expect_on_comment(const char *method, long comment, const char *action,
                              enum fixture_user who, const char *body, long status)
{
    struct http_response r = on_comment(method, comment, action, who, body);
    ck_assert_msg(r.status == status, "%s /v1/comments/%ld/%s: %ld %s", method, comment, action,
                  r.status, buf_cstr(&r.body));
    http_response_free(&r);
}

static const cJSON *items_of(const struct http_response *r)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(r->json, "items");
    ck_assert(cJSON_IsArray(items));
    return items;
}

/* The item of list r with this id, or NULL. */
static const cJSON *item_with_id(const struct http_response *r, long id)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, items_of(r)) if (id_of(it, "id") == id) return it;
    return NULL;
}

static void expect_forbidden_naming(struct http_response *r, const char *name)
{
    http_expect_problem(r, 403, "forbidden");
    const char *detail = http_json_string(r, "detail");
    ck_assert_msg(detail && strstr(detail, name), "the refusal does not name %s: %s", name,
                  detail ? detail : "(none)");
}

START_TEST(a_plan_consultation_is_commented_moderated_and_answered)
{
    long c = open_consultation(U_REP_CG, "plan", w.plan_cg, -3600, 7 * 86400, false);
    struct http_response r =
        comment_on(c,
                   "{\"author_name\":\"Ana do Bairro\",\"municipality_id\":\"" CG "\","
                   "\"text\":\"Faltam agentes de saúde na região norte.\\nE no sul também.\","
                   "\"email\":\"ana@example.org\"}",
                   NULL);
    ck_assert_msg(r.status == 201, "%s", buf_cstr(&r.body));
    long first = id_of(r.json, "id");
    ck_assert_str_eq(http_json_string(&r, "status"), "pending");
    ck_assert_str_eq(http_json_string(&r, "author_name"), "Ana do Bairro");
    ck_assert_ptr_nonnull(strstr(http_json_string(&r, "next"), "moderation"));
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "ana@example.org"));
    http_response_free(&r);
    /* Without confirmation the address serves nothing: it is not kept. */
    ck_assert_int_eq(fixture_count("mail_outbox"), 0);
    ck_assert_int_eq(
        fixture_longf("SELECT count(*) FROM consultation_comments WHERE email IS NOT NULL"), 0);
    long second = comment(c, "Zé", "Propaganda do meu candidato");

    /* Pending: the public sees nothing yet; the state and CG do. */
    r = comments(c, "", ANON);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(cJSON_GetArraySize(items_of(&r)), 0);
    http_response_free(&r);
    enum fixture_user insiders[] = {U_HEALTH, U_EDUCATION, U_MAYOR_CG};
    for (size_t i = 0; i < 3; i++) {
        r = comments(c, "", insiders[i]);
        ck_assert_int_eq(cJSON_GetArraySize(items_of(&r)), 2);
        http_response_free(&r);
    }
    r = comments(c, "", U_MAYOR_DOURADOS);
    ck_assert_int_eq(cJSON_GetArraySize(items_of(&r)), 0);
    http_response_free(&r);
    r = consultation_get(c, ANON);
    ck_assert_str_eq(http_json_string(&r, "status"), "open");
    ck_assert_int_eq(count_of(r.json, "comments_received"), 2);
    ck_assert_int_eq(count_of(r.json, "comments_pending"), 2);
    ck_assert_int_eq(count_of(r.json, "comments_published"), 0);
    http_response_free(&r);

    /* Health publishes the first; the coordination hides the second. */
    r = on_comment("POST", first, "publish", U_HEALTH, NULL);
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    ck_assert_str_eq(http_json_string(&r, "status"), "published");
    http_response_free(&r);
    r = on_comment("POST", second, "hide", U_COORDINATION,
                   "{\"reason\":\"Propaganda eleitoral não é permitida.\"}");
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    http_response_free(&r);

    /* Campo Grande answers the published one. */
    r = on_comment("PUT", first, "answer", U_MAYOR_CG,
                   "{\"text\":\"Vamos contratar 12 agentes em 2027.\"}");
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    http_response_free(&r);

    r = comments(c, "", ANON);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(cJSON_GetArraySize(items_of(&r)), 2);
    const cJSON *pub = item_with_id(&r, first), *hid = item_with_id(&r, second);
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(pub, "text")),
                     "Faltam agentes de saúde na região norte.\nE no sul também.");
    /* The author's name is personal data: not public. */
    ck_assert_ptr_null(cJSON_GetObjectItem(pub, "author_name"));
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(pub, "answer")),
                     "Vamos contratar 12 agentes em 2027.");
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(pub, "answered_by_municipality_id")),
                     CG);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(pub, "answered_by_area")));
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(pub, "answered_at")));
    /* The hidden one: its id, status, reason and date, nothing else. */
    ck_assert_int_eq(cJSON_GetArraySize(hid), 4);
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(hid, "status")), "hidden");
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(hid, "hidden_reason")),
                     "Propaganda eleitoral não é permitida.");
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "Propaganda do meu"));
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "Zé"));
    http_response_free(&r);
    /* The state still reads what it hid. */
    r = comments(c, "?status=hidden", U_EDUCATION);
    ck_assert_int_eq(cJSON_GetArraySize(items_of(&r)), 1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "Propaganda do meu"));
    http_response_free(&r);
    /* And the state alone sees who signed the published one. */
    r = comments(c, "?status=published", U_HEALTH);
    ck_assert_str_eq(cJSON_GetStringValue(
                         cJSON_GetObjectItem(cJSON_GetArrayItem(items_of(&r), 0), "author_name")),
                     "Ana do Bairro");
    http_response_free(&r);
    r = comments(c, "?status=published", U_MAYOR_CG);
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "Ana do Bairro"));
    http_response_free(&r);

    r = consultation_get(c, ANON);
    ck_assert_int_eq(count_of(r.json, "comments_received"), 2);
    ck_assert_int_eq(count_of(r.json, "comments_published"), 1);
    ck_assert_int_eq(count_of(r.json, "comments_hidden"), 1);
    ck_assert_int_eq(count_of(r.json, "comments_answered"), 1);
    ck_assert_int_eq(count_of(r.json, "comments_pending"), 0);
    http_response_free(&r);

    /* Filters and the CSV download. */
    r = comments(c, "?answered=true", ANON);
    ck_assert_int_eq(cJSON_GetArraySize(items_of(&r)), 1);
    http_response_free(&r);
    r = comments(c, "?status=published&answered=false", ANON);
    ck_assert_int_eq(cJSON_GetArraySize(items_of(&r)), 0);
    http_response_free(&r);
    r = comments(c, "?status=maybe", ANON);
    http_expect_problem(&r, 400, "invalid-parameter");
    http_response_free(&r);
    char path[96];
    snprintf(path, sizeof path, "/v1/consultations/%ld/comments", c);
    r = fixture_call("GET", path, ANON, NULL, (const char *const[]){"Accept: text/csv", NULL});
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_header(&r, "Content-Type"), "text/csv; charset=utf-8");
    ck_assert_ptr_nonnull(
        strstr(buf_cstr(&r.body), "id,consultation_id,status,municipality_id,text,"));
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "Ana do Bairro"));
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "Vamos contratar 12 agentes"));
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "Propaganda do meu"));
    http_response_free(&r);

    /* A hidden comment may be published again (a moderation mended). */
    expect_on_comment("POST", second, "publish", U_HEALTH, NULL, 200);
    expect_on_comment("POST", second, "hide", U_HEALTH, "{\"reason\":\"Propaganda.\"}", 200);
    /* Every step is audited, with no personal data. */
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events"
                                  " WHERE entity = 'consultation_comment'"),
                     2 + 1 + 1 + 1 + 2);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events"
                                  " WHERE entity = 'consultation' AND action = 'create'"),
                     1);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events"
                                  " WHERE entity = 'consultation_comment'"
                                  "   AND (coalesce(before::text, '') || after::text"
                                  "        ~ 'Ana do Bairro|client_hash|author_name')"),
                     0);
}
END_TEST

START_TEST(who_opens_a_consultation_and_on_what)
{
    char body[512];
    struct fixture_snapshot before = fixture_snapshot();
    /* A cycle is the coordination's. */
    consultation_body(body, sizeof body, "cycle", w.cycle, 0, 86400, false);
    struct http_response r = call("POST", "/v1/consultations", U_HEALTH, body);
    expect_forbidden_naming(&r, "coordination");
    http_response_free(&r);
    /* A portfolio is its challenge's area's. */
    consultation_body(body, sizeof body, "portfolio", w.challenge, 0, 86400, false);
    r = call("POST", "/v1/consultations", U_EDUCATION, body);
    expect_forbidden_naming(&r, "health");
    http_response_free(&r);
    r = call("POST", "/v1/consultations", U_MAYOR_CG, body);
    expect_forbidden_naming(&r, "health");
    http_response_free(&r);
    /* A plan is its municipality's or its area's: not another municipality's. */
    consultation_body(body, sizeof body, "plan", w.plan_cg, 0, 86400, false);
    r = call("POST", "/v1/consultations", U_MAYOR_DOURADOS, body);
    expect_forbidden_naming(&r, CG);
    http_response_free(&r);
    r = call("POST", "/v1/consultations", U_EDUCATION, body);
    expect_forbidden_naming(&r, "health");
    http_response_free(&r);
    r = call("POST", "/v1/consultations", ANON, body);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    /* A draft is private: 404 to whoever may not see it, 409 to its municipality. */
    consultation_body(body, sizeof body, "plan", w.plan_dourados, 0, 86400, false);
    r = call("POST", "/v1/consultations", U_MAYOR_CG, body);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    r = call("POST", "/v1/consultations", U_MAYOR_DOURADOS, body);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    /* No such subject; a closed cycle. */
    consultation_body(body, sizeof body, "portfolio", 999999, 0, 86400, false);
    r = call("POST", "/v1/consultations", U_COORDINATION, body);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    consultation_body(body, sizeof body, "portfolio", w.closed_challenge, 0, 86400, false);
    r = call("POST", "/v1/consultations", U_EDUCATION, body);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    consultation_body(body, sizeof body, "cycle", w.closed_cycle, 0, 86400, false);
    r = call("POST", "/v1/consultations", U_COORDINATION, body);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    /* Bad bodies. */
    static const struct fixture_invalid_body bad[] = {
        {"{\"subject_type\":\"pact\",\"subject_id\":1,\"title\":\"T\","
         "\"opens_at\":\"2026-01-01T00:00:00Z\",\"closes_at\":\"2027-01-01T00:00:00Z\"}",
         "subject_type"},
        {"{\"subject_type\":\"cycle\",\"subject_id\":1,\"title\":\"T\","
         "\"opens_at\":\"2026-01-01T00:00:00Z\",\"closes_at\":\"2025-01-01T00:00:00Z\"}",
         "closes_at"},
        {"{\"subject_type\":\"cycle\",\"subject_id\":1,\"title\":\"T\","
         "\"opens_at\":\"2026-01-01\",\"closes_at\":\"2027-01-01T00:00:00Z\"}",
         "opens_at"},
        {"{\"subject_type\":\"cycle\",\"subject_id\":1,\"opens_at\":\"2026-01-01T00:00:00Z\","
         "\"closes_at\":\"2027-01-01T00:00:00Z\"}",
         "title"},
        {"{\"subject_type\":\"cycle\",\"subject_id\":1,\"title\":\"T\",\"status\":\"open\","
         "\"opens_at\":\"2026-01-01T00:00:00Z\",\"closes_at\":\"2027-01-01T00:00:00Z\"}",
         "status"},
    };
    char cycle_bodies[5][400];
    struct fixture_invalid_body cases[5];
    for (int i = 0; i < 5; i++) {
        /* the world's cycle, so that only the body is wrong */
        char id[24];
        snprintf(id, sizeof id, "%ld", w.cycle);
        const char *p = strstr(bad[i].body, "\"subject_id\":1");
        snprintf(cycle_bodies[i], sizeof cycle_bodies[i], "%.*s\"subject_id\":%s%s",
                 (int)(p - bad[i].body), bad[i].body, id, p + strlen("\"subject_id\":1"));
        cases[i] = (struct fixture_invalid_body){cycle_bodies[i], bad[i].field};
    }
    fixture_expect_invalid_bodies(&(struct http_request){.method = "POST",
                                                         .path = "/v1/consultations",
                                                         .token = fixture_token(U_COORDINATION)},
                                  cases, 5);
    fixture_assert_unchanged(before);

    /* What may be opened: each by its responsible. */
    open_consultation(U_COORDINATION, "cycle", w.cycle, 0, 86400, false);
    open_consultation(U_HEALTH, "portfolio", w.challenge, 0, 86400, false);
    open_consultation(U_MAYOR_CG, "plan", w.plan_cg, 0, 86400, false);
    open_consultation(U_HEALTH, "plan", w.plan_cg, 0, 86400, true);
    ck_assert_int_eq(fixture_count("consultations"), 4);
}
END_TEST

START_TEST(the_window_opens_moves_and_ends)
{
    long later = open_consultation(U_HEALTH, "portfolio", w.challenge, 86400, 2 * 86400, false);
    struct http_response r = comment_on(later, "{\"author_name\":\"Ana\",\"text\":\"Cedo\"}", NULL);
    http_expect_problem(&r, 422, "consultation-closed");
    ck_assert_ptr_nonnull(strstr(http_json_string(&r, "detail"), "opens at"));
    http_response_free(&r);
    r = consultation_get(later, ANON);
    ck_assert_str_eq(http_json_string(&r, "status"), "scheduled");
    char etag[64];
    snprintf(etag, sizeof etag, "If-Match: %s", http_header(&r, "ETag"));
    http_response_free(&r);

    /* Health moves it to now; another area may not; a stale ETag is 412. */
    char path[64], body[160], a[32], b[32];
    snprintf(path, sizeof path, "/v1/consultations/%ld", later);
    snprintf(body, sizeof body, "{\"opens_at\":\"%s\"}", at(-60, a));
    struct fixture_snapshot before = fixture_snapshot();
    r = call("PATCH", path, U_EDUCATION, body);
    expect_forbidden_naming(&r, "health");
    http_response_free(&r);
    r = call("PATCH", path, U_MAYOR_CG, body);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = call("PATCH", path, U_HEALTH, "{\"closes_at\":\"2000-01-01T00:00:00Z\"}");
    fixture_expect_invalid(&r, "closes_at");
    http_response_free(&r);
    r = call("PATCH", path, U_HEALTH, "{\"subject_id\":1}");
    fixture_expect_invalid(&r, "subject_id");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    r = fixture_call("PATCH", path, U_HEALTH, body, (const char *const[]){etag, NULL});
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    ck_assert_str_eq(http_json_string(&r, "status"), "open");
    http_response_free(&r);
    r = fixture_call("PATCH", path, U_HEALTH, body, (const char *const[]){etag, NULL});
    http_expect_problem(&r, 412, "precondition-failed");
    http_response_free(&r);
    comment(later, "Ana", "Agora sim");

    /* Ending it: closes now. */
    snprintf(body, sizeof body, "{\"opens_at\":\"%s\",\"closes_at\":\"%s\"}", at(-120, a),
             at(-1, b));
    r = call("PATCH", path, U_COORDINATION, body);
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    ck_assert_str_eq(http_json_string(&r, "status"), "closed");
    http_response_free(&r);
    r = comment_on(later, "{\"author_name\":\"Ana\",\"text\":\"Tarde\"}", NULL);
    http_expect_problem(&r, 422, "consultation-closed");
    ck_assert_ptr_nonnull(strstr(http_json_string(&r, "detail"), "closed at"));
    http_response_free(&r);

    /* The public list and its filters. */
    long open = open_consultation(U_MAYOR_CG, "plan", w.plan_cg, -60, 86400, false);
    char query[128];
    r = call("GET", "/v1/consultations?status=closed", ANON, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(items_of(&r)), 1);
    ck_assert_ptr_nonnull(item_with_id(&r, later));
    http_response_free(&r);
    r = call("GET", "/v1/consultations?subject_type=plan&status=open", ANON, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(items_of(&r)), 1);
    ck_assert_ptr_nonnull(item_with_id(&r, open));
    http_response_free(&r);
    snprintf(query, sizeof query, "/v1/consultations?cycle_id=%ld", w.closed_cycle);
    r = call("GET", query, ANON, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(items_of(&r)), 0);
    http_response_free(&r);
    r = fixture_call("GET", "/v1/consultations", ANON, NULL,
                     (const char *const[]){"Accept: text/csv", NULL});
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "comments_received"));
    http_response_free(&r);
    r = call("GET", "/v1/consultations?status=someday", ANON, NULL);
    http_expect_problem(&r, 400, "invalid-parameter");
    http_response_free(&r);
}
END_TEST

START_TEST(bad_comments_change_nothing)
{
    long c = open_consultation(U_HEALTH, "portfolio", w.challenge, -60, 86400, false);
    long confirmed = open_consultation(U_HEALTH, "plan", w.plan_cg, -60, 86400, true);
    char path[80], long_text[2100], long_name[200], body[2400], other[80];
    snprintf(path, sizeof path, "/v1/consultations/%ld/comments", c);
    snprintf(other, sizeof other, "/v1/consultations/%ld/comments", confirmed);
    memset(long_text, 'a', 2001);
    long_text[2001] = '\0';
    memset(long_name, 'b', 121);
    long_name[121] = '\0';
    struct fixture_snapshot before = fixture_snapshot();
    static const struct fixture_invalid_body cases[] = {
        {"{\"author_name\":\"Ana\",\"text\":\"<script>alert(1)</script>\"}", "text"},
        {"{\"author_name\":\"<b>Ana</b>\",\"text\":\"Olá\"}", "author_name"},
        {"{\"author_name\":\"Ana\\nSilva\",\"text\":\"Olá\"}", "author_name"},
        {"{\"author_name\":\"Ana\"}", "text"},
        {"{\"text\":\"Olá\"}", "author_name"},
        {"{\"author_name\":\"Ana\",\"text\":\"Olá\",\"status\":\"published\"}", "status"},
        {"{\"author_name\":\"Ana\",\"text\":\"Olá\",\"email\":\"ana@\"}", "email"},
        {"{\"author_name\":\"Ana\",\"text\":\"Olá\",\"municipality_id\":\"1234567\"}",
         "municipality_id"},
        /* a real code the program does not know (Rio de Janeiro) */
        {"{\"author_name\":\"Ana\",\"text\":\"Olá\",\"municipality_id\":\"3304557\"}",
         "municipality_id"},
    };
    fixture_expect_invalid_bodies(&(struct http_request){.method = "POST", .path = path}, cases,
                                  sizeof cases / sizeof cases[0]);
    snprintf(body, sizeof body, "{\"author_name\":\"Ana\",\"text\":\"%s\"}", long_text);
    struct fixture_invalid_body more[] = {
        {body, "text"},
        {NULL, "author_name"},
    };
    char name_body[400];
    snprintf(name_body, sizeof name_body, "{\"author_name\":\"%s\",\"text\":\"Olá\"}", long_name);
    more[1].body = name_body;
    fixture_expect_invalid_bodies(&(struct http_request){.method = "POST", .path = path}, more, 2);
    /* The e-mail is required where comments are confirmed. */
    static const struct fixture_invalid_body no_email[] = {
        {"{\"author_name\":\"Ana\",\"text\":\"Olá\"}", "email"}};
    fixture_expect_invalid_bodies(&(struct http_request){.method = "POST", .path = other}, no_email,
                                  1);
    /* No such consultation; not JSON. */
    struct http_response r = comment_on(999999, "{\"author_name\":\"Ana\",\"text\":\"Olá\"}", NULL);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    r = comment_on(c, "{\"author_name\":", NULL);
    ck_assert_int_eq(r.status, 400);
    http_response_free(&r);
    r = comments(999999, "", ANON);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    r = comments(c, "?colour=red", ANON);
    http_expect_problem(&r, 400, "invalid-parameter");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    ck_assert_int_eq(fixture_count("public_writes"), 0); /* refusals use up no limit */

    /* A '<' that starts no tag is plain text; line breaks are kept. */
    comment(c, "Ana", "Se a fila < 10 pessoas, ótimo <3\\n\\nObrigada");
    r = comments(c, "", U_HEALTH);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "fila < 10 pessoas, ótimo <3\\n\\nObrigada"));
    http_response_free(&r);
}
END_TEST

START_TEST(the_same_text_twice_is_a_duplicate)
{
    long c = open_consultation(U_HEALTH, "portfolio", w.challenge, -60, 86400, false);
    long other = open_consultation(U_MAYOR_CG, "plan", w.plan_cg, -60, 86400, false);
    comment(c, "Ana", "Mais vagas na creche");
    struct fixture_snapshot before = fixture_snapshot();
    long rows = fixture_count("consultation_comments");
    struct http_response r =
        comment_on(c, "{\"author_name\":\"Outra\",\"text\":\"  mais VAGAS\\n na creche\"}", NULL);
    /* (leading spaces are refused as any text field's; the same words are
     * the duplicate below) */
    ck_assert_int_eq(r.status, 422);
    http_response_free(&r);
    r = comment_on(c, "{\"author_name\":\"Outra\",\"text\":\"mais VAGAS\\n na  creche\"}", NULL);
    http_expect_problem(&r, 409, "duplicate");
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("consultation_comments"), rows);
    fixture_assert_unchanged(before);
    /* Another consultation is another subject. */
    comment(other, "Ana", "Mais vagas na creche");
}
END_TEST

START_TEST(moderation_is_the_states_and_answers_the_responsibles)
{
    long plan_c = open_consultation(U_MAYOR_CG, "plan", w.plan_cg, -60, 86400, false);
    long portfolio_c = open_consultation(U_HEALTH, "portfolio", w.challenge, -60, 86400, false);
    long cycle_c = open_consultation(U_COORDINATION, "cycle", w.cycle, -60, 86400, false);
    long k = comment(plan_c, "Ana", "Sobre o plano");
    long p = comment(portfolio_c, "Ana", "Sobre o cardápio");
    long y = comment(cycle_c, "Ana", "Sobre o ciclo");
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = on_comment("POST", k, "publish", U_EDUCATION, NULL);
    expect_forbidden_naming(&r, "health");
    http_response_free(&r);
    r = on_comment("POST", k, "hide", U_EDUCATION, "{}"); /* 403 before the body's 422 */
    expect_forbidden_naming(&r, "health");
    http_response_free(&r);
    r = on_comment("POST", y, "publish", U_HEALTH, NULL);
    expect_forbidden_naming(&r, "coordination");
    http_response_free(&r);
    /* A municipality does not moderate comments on its own plan. */
    expect_on_comment("POST", k, "publish", U_MAYOR_CG, NULL, 403);
    expect_on_comment("POST", k, "hide", U_REP_CG, "{\"reason\":\"Não gostei\"}", 403);
    r = on_comment("POST", k, "publish", ANON, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    r = on_comment("POST", k, "hide", U_HEALTH, "{}");
    fixture_expect_invalid(&r, "reason");
    http_response_free(&r);
    r = on_comment("POST", k, "hide", U_HEALTH, "{\"reason\":\"<i>spam</i>\"}");
    fixture_expect_invalid(&r, "reason");
    http_response_free(&r);
    expect_on_comment("POST", 999999, "publish", U_HEALTH, NULL, 404);
    /* Only a published comment is answered. */
    r = on_comment("PUT", k, "answer", U_MAYOR_CG, "{\"text\":\"Obrigado\"}");
    http_expect_problem(&r, 409, "invalid-transition");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    expect_on_comment("POST", k, "publish", U_HEALTH, NULL, 200);
    expect_on_comment("POST", p, "publish", U_COORDINATION, NULL, 200);
    expect_on_comment("POST", y, "publish", U_COORDINATION, NULL, 200);
    r = on_comment("POST", k, "publish", U_HEALTH, NULL);
    http_expect_problem(&r, 409, "invalid-transition");
    http_response_free(&r);

    before = fixture_snapshot();
    /* The plan's comments are its municipality's to answer. */
    r = on_comment("PUT", k, "answer", U_HEALTH, "{\"text\":\"Resposta\"}");
    expect_forbidden_naming(&r, CG);
    http_response_free(&r);
    r = on_comment("PUT", k, "answer", U_MAYOR_DOURADOS, "{\"text\":\"Resposta\"}");
    expect_forbidden_naming(&r, CG);
    http_response_free(&r);
    r = on_comment("PUT", p, "answer", U_EDUCATION, "{\"text\":\"Resposta\"}");
    expect_forbidden_naming(&r, "health");
    http_response_free(&r);
    r = on_comment("PUT", p, "answer", U_MAYOR_CG, "{\"text\":\"Resposta\"}");
    expect_forbidden_naming(&r, "health");
    http_response_free(&r);
    r = on_comment("PUT", k, "answer", U_REP_CG, "{\"text\":\"<a href=x>veja</a>\"}");
    fixture_expect_invalid(&r, "text");
    http_response_free(&r);
    r = on_comment("PUT", k, "answer", ANON, "{\"text\":\"Resposta\"}");
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    fixture_assert_unchanged(before);

    r = on_comment("PUT", p, "answer", U_HEALTH, "{\"text\":\"O cardápio terá mais itens.\"}");
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    ck_assert_str_eq(http_json_string(&r, "answered_by_area"), "health");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "answered_by_municipality_id")));
    http_response_free(&r);
    r = on_comment("PUT", y, "answer", U_COORDINATION, "{\"text\":\"Anotado.\"}");
    ck_assert_str_eq(http_json_string(&r, "answered_by_area"), "coordination");
    http_response_free(&r);
    /* PUT replaces the answer. */
    expect_on_comment("PUT", k, "answer", U_REP_CG, "{\"text\":\"Primeira\"}", 200);
    r = on_comment("PUT", k, "answer", U_MAYOR_CG, "{\"text\":\"Segunda\"}");
    ck_assert_str_eq(http_json_string(&r, "answer"), "Segunda");
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "Maria")); /* no person's name */
    http_response_free(&r);
}
END_TEST

START_TEST(the_coordination_erases_a_citizens_personal_data)
{
    long c = open_consultation(U_HEALTH, "plan", w.plan_cg, -60, 86400, true);
    struct http_response r =
        comment_on(c,
                   "{\"author_name\":\"Ana Souza\",\"text\":\"Apaguem meu nome\","
                   "\"email\":\"ana@example.org\"}",
                   NULL);
    ck_assert_int_eq(r.status, 201);
    long k = id_of(r.json, "id");
    http_response_free(&r);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM mail_outbox WHERE recipient IS NOT NULL"),
                     1);
    struct fixture_snapshot before = fixture_snapshot();
    expect_on_comment("DELETE", k, "author", U_HEALTH, NULL, 403);
    expect_on_comment("DELETE", k, "author", U_MAYOR_CG, NULL, 403);
    r = on_comment("DELETE", k, "author", ANON, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    expect_on_comment("DELETE", 999999, "author", U_COORDINATION, NULL, 404);
    fixture_assert_unchanged(before);

    long events = fixture_count("audit_events");
    expect_on_comment("DELETE", k, "author", U_COORDINATION, NULL, 204);
    ck_assert_int_eq(fixture_count("audit_events"), events + 1);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM consultation_comments WHERE id = %ld"
                                   " AND author_name IS NULL AND email IS NULL"
                                   " AND client_hash IS NULL AND token_sha256 IS NULL"
                                   " AND text = 'Apaguem meu nome'",
                                   k),
                     1);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM mail_outbox WHERE recipient IS NOT NULL"),
                     0);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE action = 'erase'"
                                  " AND entity = 'consultation_comment'"
                                  " AND after = jsonb_build_object('id', entity_id::bigint,"
                                  "   'consultation_id', (after->>'consultation_id')::bigint,"
                                  "   'author_erased', true)"
                                  " AND before->>'author_erased' = 'false'"),
                     1);
    ck_assert_int_eq(
        fixture_long("SELECT count(*) FROM audit_events WHERE (before::text || after::text)"
                     " ~ 'Ana Souza|ana@example.org'"),
        0);
    /* Erased already: nothing changes, nothing is recorded. */
    expect_on_comment("DELETE", k, "author", U_COORDINATION, NULL, 204);
    ck_assert_int_eq(fixture_count("audit_events"), events + 1);
    /* The text stays public once published; to the state its author is null. */
    fixture_exec("UPDATE consultation_comments SET status = 'published'");
    r = comments(c, "", U_COORDINATION);
    const cJSON *it = item_with_id(&r, k);
    ck_assert_ptr_nonnull(it);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(it, "author_name")));
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(it, "text")), "Apaguem meu nome");
    http_response_free(&r);
}
END_TEST

/* The token in a message's link ("?token=..." by default). */
static void token_in(const char *body, const char *marker, char *out, size_t n)
{
    const char *p = strstr(body, marker);
    ck_assert_msg(p != NULL, "no %s in %s", marker, body);
    p += strlen(marker);
    size_t len = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    ck_assert_uint_eq(len, 43);
    ck_assert_uint_lt(len, n);
    memcpy(out, p, len);
    out[len] = '\0';
}

static struct http_response confirm(long comment, const char *token)
{
    char body[128];
    snprintf(body, sizeof body, "{\"token\":\"%s\"}", token);
    return on_comment("POST", comment, "confirm", ANON, body);
}

START_TEST(a_confirmation_waits_in_the_outbox_without_smtp)
{
    long c = open_consultation(U_HEALTH, "plan", w.plan_cg, -60, 86400, true);
    struct http_response r = comment_on(
        c, "{\"author_name\":\"Ana\",\"text\":\"Confirmo\",\"email\":\"ana@example.org\"}", NULL);
    ck_assert_int_eq(r.status, 201);
    long k = id_of(r.json, "id");
    ck_assert_str_eq(http_json_string(&r, "status"), "unconfirmed");
    ck_assert_ptr_nonnull(strstr(http_json_string(&r, "next"), "confirmation link"));
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "ana@example.org"));
    http_response_free(&r);
    /* The message, in the comment's transaction; the token only hashed. */
    PGresult *m = PQexec(fixture_db(), "SELECT recipient, subject, body, sent_at IS NULL"
                                       "  FROM mail_outbox");
    ck_assert_int_eq(PQntuples(m), 1);
    ck_assert_str_eq(PQgetvalue(m, 0, 0), "ana@example.org");
    ck_assert_str_eq(PQgetvalue(m, 0, 1), "Confirme seu comentário na consulta pública");
    ck_assert_str_eq(PQgetvalue(m, 0, 3), "t");
    char marker[96], token[64];
    snprintf(marker, sizeof marker, "/v1/comments/%ld/confirm?token=", k);
    token_in(PQgetvalue(m, 0, 2), marker, token, sizeof token);
    ck_assert_ptr_nonnull(strstr(PQgetvalue(m, 0, 2), "Plano de saúde de Campo Grande"));
    PQclear(m);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM consultation_comments WHERE"
                                   " token_sha256 = encode(sha256('%s'::bytea), 'hex')"
                                   " AND token_expires_at > now() + interval '47 hours'",
                                   token),
                     1);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM consultation_comments c"
                                   " WHERE c::text LIKE '%%%s%%'",
                                   token),
                     0);
    /* Unconfirmed: not public, not moderated; the state sees it. */
    r = comments(c, "", ANON);
    ck_assert_int_eq(cJSON_GetArraySize(items_of(&r)), 0);
    http_response_free(&r);
    r = comments(c, "?status=unconfirmed", U_HEALTH);
    ck_assert_int_eq(cJSON_GetArraySize(items_of(&r)), 1);
    http_response_free(&r);
    r = on_comment("POST", k, "publish", U_HEALTH, NULL);
    http_expect_problem(&r, 409, "invalid-transition");
    http_response_free(&r);
    r = consultation_get(c, ANON);
    ck_assert_int_eq(count_of(r.json, "comments_received"), 0);
    http_response_free(&r);
    r = http_get("/metrics", NULL);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "# TYPE pacto_mail_unsent gauge"));
    http_response_free(&r);

    /* A wrong token; the right one; the right one again. */
    struct fixture_snapshot before = fixture_snapshot();
    r = confirm(k, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    fixture_expect_invalid(&r, "token");
    http_response_free(&r);
    r = on_comment("POST", k, "confirm", ANON, "{}");
    fixture_expect_invalid(&r, "token");
    http_response_free(&r);
    r = confirm(999999, token);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    r = confirm(k, token);
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    ck_assert_str_eq(http_json_string(&r, "status"), "pending");
    http_response_free(&r);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM consultation_comments"
                                   " WHERE id = %ld AND email IS NULL",
                                   k),
                     1);
    r = confirm(k, token);
    http_expect_problem(&r, 410, "confirmation-used");
    http_response_free(&r);
    r = consultation_get(c, ANON);
    ck_assert_int_eq(count_of(r.json, "comments_received"), 1);
    ck_assert_int_eq(count_of(r.json, "comments_pending"), 1);
    http_response_free(&r);

    /* After 48 hours the link is gone. */
    r = comment_on(c,
                   "{\"author_name\":\"Bia\",\"text\":\"Tarde demais\","
                   "\"email\":\"bia@example.org\"}",
                   NULL);
    long late = id_of(r.json, "id");
    http_response_free(&r);
    m = PQexec(fixture_db(), "SELECT body FROM mail_outbox ORDER BY id DESC LIMIT 1");
    snprintf(marker, sizeof marker, "/v1/comments/%ld/confirm?token=", late);
    token_in(PQgetvalue(m, 0, 0), marker, token, sizeof token);
    PQclear(m);
    fixture_exec("UPDATE consultation_comments SET token_expires_at = now() - interval '1 second'"
                 " WHERE status = 'unconfirmed'");
    r = confirm(late, token);
    http_expect_problem(&r, 410, "confirmation-expired");
    http_response_free(&r);
}
END_TEST

START_TEST(an_anonymous_retry_with_the_same_key_is_replayed)
{
    long c = open_consultation(U_HEALTH, "portfolio", w.challenge, -60, 86400, false);
    char path[80];
    snprintf(path, sizeof path, "/v1/consultations/%ld/comments", c);
    fixture_expect_replayed(
        &(struct http_request){
            .method = "POST",
            .path = path,
            .body = "{\"author_name\":\"Ana\",\"text\":\"Uma vez só\"}",
            .headers = (const char *const[]){"Idempotency-Key: 5b1c2a9e-comment-1", NULL}},
        "consultation_comments");
}
END_TEST

/*
 * The suite's own server: three comments per address and hour, the test
 * client as a trusted proxy, mail through the sink.
 */
static struct {
    pid_t pid;
    char url[64];
    int smtp_port;
} own;

static void start_own_server(void)
{
    own.smtp_port = smtp_sink_start();
    const char *binary = getenv("PACTO_TEST_BINARY"), *port = getenv("PACTO_TEST_IDP_PORT");
    ck_assert_msg(binary && port, "PACTO_TEST_BINARY and PACTO_TEST_IDP_PORT must be set");
    snprintf(own.url, sizeof own.url, "http://127.0.0.1:%s", port);
    own.pid = fork();
    ck_assert_int_ge(own.pid, 0);
    if (own.pid == 0) {
        char listen[32], smtp[64];
        snprintf(listen, sizeof listen, "127.0.0.1:%s", port);
        snprintf(smtp, sizeof smtp, "smtp://127.0.0.1:%d", own.smtp_port);
        setenv("PACTO_LISTEN", listen, 1);
        setenv("PACTO_PUBLIC_WRITES_PER_HOUR", "3", 1);
        setenv("PACTO_TRUSTED_PROXIES", "127.0.0.1", 1);
        setenv("PACTO_SMTP_URL", smtp, 1);
        setenv("PACTO_MAIL_FROM", "consulta@pacto.example", 1);
        setenv("PACTO_CONFIRM_URL", "https://portal.example/confirmar?c={comment_id}&t={token}", 1);
        setenv("PACTO_LOG_LEVEL", "warn", 1);
        execl(binary, binary, "serve", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100 && !http_reachable(own.url); i++)
        usleep(100000);
    ck_assert_msg(http_reachable(own.url), "the suite's own server did not start");
}

static void stop_own_server(void)
{
    int status = -1;
    if (own.pid > 0) {
        kill(own.pid, SIGTERM);
        waitpid(own.pid, &status, 0);
    }
    own.pid = 0;
    smtp_sink_stop();
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the suite's own server did not exit cleanly (status %d)", status);
}

/* A comment to the own server from forwarded address `from`. */
static struct http_response comment_from(long consultation, const char *from, const char *body,
                                         const char *key)
{
    char path[80], fwd[80], idem[96];
    snprintf(path, sizeof path, "/v1/consultations/%ld/comments", consultation);
    snprintf(fwd, sizeof fwd, "X-Forwarded-For: %s", from);
    snprintf(idem, sizeof idem, "Idempotency-Key: %s", key ? key : "");
    return http_do(
        &(struct http_request){.method = "POST",
                               .path = path,
                               .body = body,
                               .base_url = own.url,
                               .headers = (const char *const[]){fwd, key ? idem : NULL, NULL}});
}

START_TEST(each_forwarded_address_has_its_hourly_limit)
{
    long c = open_consultation(U_HEALTH, "portfolio", w.challenge, -60, 86400, false);
    char body[128];
    for (int i = 0; i < 3; i++) {
        snprintf(body, sizeof body, "{\"author_name\":\"Ana\",\"text\":\"Comentário %d\"}", i);
        struct http_response r = comment_from(c, "203.0.113.7", body, NULL);
        ck_assert_msg(r.status == 201, "%d: %ld %s", i, r.status, buf_cstr(&r.body));
        http_response_free(&r);
        if (i == 0) { /* a refused write uses up no place */
            r = comment_from(c, "203.0.113.7", body, NULL);
            http_expect_problem(&r, 409, "duplicate");
            http_response_free(&r);
        }
    }
    struct http_response r =
        comment_from(c, "203.0.113.7", "{\"author_name\":\"Ana\",\"text\":\"Comentário 3\"}", NULL);
    http_expect_problem(&r, 429, "too-many-requests");
    const char *retry = http_header(&r, "Retry-After");
    ck_assert_ptr_nonnull(retry);
    ck_assert_int_gt(atoi(retry), 0);
    ck_assert_int_le(atoi(retry), 3600);
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("consultation_comments"), 3);
    /* Another address behind the same proxy is another citizen. */
    r = comment_from(c, "203.0.113.8", "{\"author_name\":\"Bia\",\"text\":\"Comentário 3\"}", NULL);
    ck_assert_msg(r.status == 201, "%s", buf_cstr(&r.body));
    http_response_free(&r);
    /* The addresses are kept only as their keyed hash. */
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM consultation_comments"
                                  " WHERE client_hash ~ '^[0-9a-f]{64}$'"),
                     4);
    ck_assert_int_eq(fixture_long("SELECT count(DISTINCT client_hash) FROM consultation_comments"),
                     2);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM consultation_comments c"
                                  " WHERE c::text LIKE '%203.0.113%'"),
                     0);
}
END_TEST

START_TEST(an_idempotency_key_is_the_addresss_own)
{
    long c = open_consultation(U_HEALTH, "portfolio", w.challenge, -60, 86400, false);
    const char *body = "{\"author_name\":\"Ana\",\"text\":\"Retentativa\"}";
    struct http_response first = comment_from(c, "198.51.100.1", body, "key-1"),
                         again = comment_from(c, "198.51.100.1", body, "key-1"),
                         other = comment_from(c, "198.51.100.2", body, "key-1");
    ck_assert_int_eq(first.status, 201);
    ck_assert_int_eq(again.status, 201);
    ck_assert_str_eq(http_header(&again, "Idempotent-Replayed"), "true");
    ck_assert_str_eq(buf_cstr(&again.body), buf_cstr(&first.body));
    ck_assert_msg(other.status == 201, "%s", buf_cstr(&other.body));
    ck_assert_ptr_null(http_header(&other, "Idempotent-Replayed"));
    ck_assert_int_ne(id_of(other.json, "id"), id_of(first.json, "id"));
    http_response_free(&first);
    http_response_free(&again);
    http_response_free(&other);
    ck_assert_int_eq(fixture_count("consultation_comments"), 2);
    /* Same key, same address, another body: 422. */
    struct http_response r =
        comment_from(c, "198.51.100.1", "{\"author_name\":\"Ana\",\"text\":\"Outro\"}", "key-1");
    http_expect_problem(&r, 422, "idempotency-key-reused");
    http_response_free(&r);
}
END_TEST

START_TEST(the_confirmation_mail_is_delivered_and_its_address_forgotten)
{
    long c = open_consultation(U_HEALTH, "plan", w.plan_cg, -60, 86400, true);
    struct http_response r = comment_from(
        c, "192.0.2.10",
        "{\"author_name\":\"Ana\",\"text\":\"Por e-mail\",\"email\":\"ana.souza@example.org\"}",
        NULL);
    ck_assert_msg(r.status == 201, "%s", buf_cstr(&r.body));
    long k = id_of(r.json, "id");
    http_response_free(&r);
    char rcpt[128], data[8192];
    int before = smtp_sink_count();
    ck_assert_msg(smtp_sink_message(before, 10000, rcpt, sizeof rcpt, data, sizeof data),
                  "no message reached the sink");
    ck_assert_str_eq(rcpt, "<ana.souza@example.org>");
    ck_assert_ptr_nonnull(strstr(data, "From: consulta@pacto.example\r\n"));
    ck_assert_ptr_nonnull(strstr(data, "To: ana.souza@example.org\r\n"));
    ck_assert_ptr_nonnull(strstr(data, "Subject: =?UTF-8?B?"));
    ck_assert_ptr_nonnull(strstr(data, "Content-Type: text/plain; charset=UTF-8\r\n"));
    char marker[96], token[64];
    snprintf(marker, sizeof marker, "https://portal.example/confirmar?c=%ld&t=", k);
    token_in(data, marker, token, sizeof token);
    /* Sent: the row keeps no address, nor the text with the token. */
    for (int i = 0; i < 50 && fixture_long("SELECT count(*) FROM mail_outbox"
                                           " WHERE sent_at IS NOT NULL") == 0;
         i++)
        usleep(100000);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL"
                                  " AND recipient IS NULL AND body = '' AND attempts = 1"),
                     1);
    char path[80], body[128];
    snprintf(path, sizeof path, "/v1/comments/%ld/confirm", k);
    snprintf(body, sizeof body, "{\"token\":\"%s\"}", token);
    r = http_do(
        &(struct http_request){.method = "POST", .path = path, .body = body, .base_url = own.url});
    ck_assert_msg(r.status == 200, "%s", buf_cstr(&r.body));
    ck_assert_str_eq(http_json_string(&r, "status"), "pending");
    http_response_free(&r);
}
END_TEST

Suite *consultations_suite(void)
{
    Suite *s = suite_create("consultations");
    TCase *tc = tcase_create("consultations");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, a_plan_consultation_is_commented_moderated_and_answered);
    tcase_add_test(tc, who_opens_a_consultation_and_on_what);
    tcase_add_test(tc, the_window_opens_moves_and_ends);
    tcase_add_test(tc, bad_comments_change_nothing);
    tcase_add_test(tc, the_same_text_twice_is_a_duplicate);
    tcase_add_test(tc, moderation_is_the_states_and_answers_the_responsibles);
    tcase_add_test(tc, the_coordination_erases_a_citizens_personal_data);
    tcase_add_test(tc, a_confirmation_waits_in_the_outbox_without_smtp);
    tcase_add_test(tc, an_anonymous_retry_with_the_same_key_is_replayed);
    suite_add_tcase(s, tc);
    TCase *proxy = tcase_create("behind a proxy");
    tcase_add_unchecked_fixture(proxy, start_own_server, stop_own_server);
    tcase_add_checked_fixture(proxy, setup, NULL);
    tcase_add_test(proxy, each_forwarded_address_has_its_hourly_limit);
    tcase_add_test(proxy, an_idempotency_key_is_the_addresss_own);
    tcase_add_test(proxy, the_confirmation_mail_is_delivered_and_its_address_forgotten);
    suite_add_tcase(s, proxy);
    return s;
}
