/*
 * Integration tests of the shared-management forum and co-evaluation
 * (seed 003), told as its story: the coordination seats Rita, of a civil
 * society observatory, in the forum of Mato Grosso do Sul's cycle, with an
 * account; she activates it with the invitation and logs in. In the cycle's
 * evaluation window she rates Campo Grande's pact, which the state's
 * monitoring says achieved its target, as only partially achieved, with a
 * public justification: the pact's co-evaluations show her rating beside the
 * state's status, and the cycle's list of disagreements names it. She
 * replaces it only with the ETag she was given. Outside the window, with
 * her mandate over, from another cycle's forum or with her account
 * deactivated she is refused; nobody else may co-evaluate. Members are
 * public without contact data; the mandate lies within the cycle; the
 * window's rules are the cycle's.
 *
 * Cycles, adhesions, the challenge, plans, pacts and their targets and
 * values are made by other routes: seed_world writes them by SQL, as those
 * routes store them.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"
#include "plans_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RITA_EMAIL    "rita@observatorio.org.br"
#define RITA_PASSWORD "observatorio-social-2026"
#define MEMBERS_CSV_HEADER                                                                         \
    "id,cycle_id,name,organization,sector,mandate_starts_on,mandate_ends_on,in_office,"            \
    "has_account\r\n"
#define CO_EVALUATIONS_CSV_HEADER                                                                  \
    "id,pact_id,protocol,municipality_id,challenge_id,member_id,member_name,organization,"         \
    "sector,rating,justification,monitoring_status,state_rating,disagreement,created_at,"          \
    "updated_at\r\n"

static struct {
    long cycle, other_cycle, challenge, pact_cg, pact_dourados;
    char members[64], other_members[64], cycle_path[64], put_cg[64], put_dourados[64];
    char pact_cg_list[64], cycle_list[80];
    char today[16];
} w;

/* A pacted plan of `municipality` on the world's challenge and its pact. */
static long seed_pact(const char *municipality, long adhesion, const char *signer)
{
    long plan = fixture_longf(
        "INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id,"
        " status, versions, created_by, submitted_at, approved_at) VALUES"
        " (%ld, %ld, '%s', %ld, 'pacted', 1, %s, now(), now()) RETURNING id",
        w.challenge, w.cycle, municipality, adhesion, signer);
    return fixture_longf(
        "INSERT INTO pacts (plan_id, plan_version, cycle_id, challenge_id, municipality_id,"
        " adhesion_id, protocol, signed_by) VALUES (%ld, 1, %ld, %ld, '%s', %ld,"
        " pact_next_protocol('MS'), %s) RETURNING id",
        plan, w.cycle, w.challenge, municipality, adhesion, signer);
}

/* Mato Grosso do Sul's cycle (target year 2027) past its pact window, with
 * its evaluation window open since an hour ago for a day; Campo Grande's
 * pact on infant mortality (15 in 2023, target 12) achieved (11 in 2025),
 * Dourados' with no value after its baseline (no_data); and São Paulo's
 * cycle, whose forum is another. */
static void seed_world(void)
{
    w.cycle = fixture_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments, evaluation_opens_at,"
        " evaluation_closes_at) VALUES ('Ciclo 2027', 50, now() - interval '40 days',"
        " now() - interval '30 days', now() - interval '20 days', now() - interval '10 days',"
        " 2027, '[\"Pactuar metas\"]', now() - interval '1 hour', now() + interval '1 day')"
        " RETURNING id");
    w.other_cycle = fixture_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments, evaluation_opens_at,"
        " evaluation_closes_at) VALUES ('Ciclo SP', 35, now() - interval '40 days',"
        " now() - interval '30 days', now() - interval '20 days', now() - interval '10 days',"
        " 2027, '[\"Pactuar metas\"]', now() - interval '1 hour', now() + interval '1 day')"
        " RETURNING id");
    long adhesion_cg = fixture_longf(
        "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
        " VALUES (%ld, '" CG "', 'MS-2026-910001', %s, '[\"Pactuar metas\"]') RETURNING id",
        w.cycle, fixture_user_id(U_MAYOR_CG));
    long adhesion_dourados = fixture_longf(
        "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
        " VALUES (%ld, '" DOURADOS "', 'MS-2026-910002', %s, '[\"Pactuar metas\"]') RETURNING id",
        w.cycle, fixture_user_id(U_MAYOR_DOURADOS));
    long tmi, vac;
    w.challenge = plans_seed_challenge(w.cycle, &tmi, &vac);
    w.pact_cg = seed_pact(CG, adhesion_cg, fixture_user_id(U_MAYOR_CG));
    w.pact_dourados = seed_pact(DOURADOS, adhesion_dourados, fixture_user_id(U_MAYOR_DOURADOS));
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO pact_targets (pact_id, indicator_id, target_value, target_year,"
             " baseline_value, baseline_period) VALUES (%ld, %ld, 12, 2027, 15, '2023'),"
             " (%ld, %ld, 12, 2027, 15, '2023');"
             "INSERT INTO indicator_values (indicator_id, municipality_id, period, value) VALUES"
             " (%ld, '" CG "', '2023', 15), (%ld, '" CG "', '2025', 11)",
             w.pact_cg, tmi, w.pact_dourados, tmi, tmi, tmi);
    fixture_exec(sql);
    snprintf(w.members, sizeof w.members, "/v1/cycles/%ld/forum-members", w.cycle);
    snprintf(w.other_members, sizeof w.other_members, "/v1/cycles/%ld/forum-members",
             w.other_cycle);
    snprintf(w.cycle_path, sizeof w.cycle_path, "/v1/cycles/%ld", w.cycle);
    snprintf(w.put_cg, sizeof w.put_cg, "/v1/pacts/%ld/co-evaluation", w.pact_cg);
    snprintf(w.put_dourados, sizeof w.put_dourados, "/v1/pacts/%ld/co-evaluation", w.pact_dourados);
    snprintf(w.pact_cg_list, sizeof w.pact_cg_list, "/v1/pacts/%ld/co-evaluations", w.pact_cg);
    snprintf(w.cycle_list, sizeof w.cycle_list, "/v1/cycles/%ld/co-evaluations", w.cycle);
    PGresult *r = PQexec(fixture_db(), "SELECT current_date::text");
    ck_assert(PQresultStatus(r) == PGRES_TUPLES_OK);
    snprintf(w.today, sizeof w.today, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
}

static void setup(void)
{
    fixture_reset();
    seed_world();
}

/* A member's body: Rita's seat, with `extra` members ("" or ",..."). */
static void member_body(char *out, size_t n, const char *name, const char *extra)
{
    snprintf(out, n,
             "{\"name\":\"%s\",\"organization\":\"Observatório Social de Campo Grande\","
             "\"sector\":\"civil_society\",\"mandate_starts_on\":\"%s\","
             "\"mandate_ends_on\":\"2027-12-31\"%s}",
             name, w.today, extra);
}

/* Seats Rita in `members` with an account, activates it and logs her in:
 * her token in token (n bytes); returns her member id. */
static long seat_rita(const char *members, const char *email, char *token, size_t n)
{
    char body[512], extra[96];
    snprintf(extra, sizeof extra, ",\"email\":\"%s\"", email);
    member_body(body, sizeof body, "Rita Alves", extra);
    struct http_response r = fixture_call("POST", members, U_COORDINATION, body, NULL);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    long id = (long)cJSON_GetObjectItem(r.json, "id")->valuedouble;
    char token_text[64];
    snprintf(token_text, sizeof token_text, "%s", fixture_invitation_token(&r));
    http_response_free(&r);
    r = fixture_activate(token_text, RITA_PASSWORD);
    ck_assert_msg(r.status == 200, "activate: %ld %s", r.status, buf_cstr(&r.body));
    http_response_free(&r);
    fixture_login(email, RITA_PASSWORD, token, n);
    return id;
}

/* PUT path with body as the token's owner, with If-Match when if_match. */
static struct http_response put(const char *path, const char *token, const char *body,
                                const char *if_match)
{
    char header[128];
    snprintf(header, sizeof header, "If-Match: %.100s", if_match ? if_match : "");
    const char *headers[] = {header, NULL};
    return http_do(&(struct http_request){.method = "PUT",
                                          .path = path,
                                          .token = token,
                                          .body = body,
                                          .headers = if_match ? headers : NULL});
}

static const char *json_str(const cJSON *o, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static double json_num(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
    return v->valuedouble;
}

#define PARTIALLY                                                                                  \
    "{\"rating\":\"partially\",\"justification\":\"A meta foi atingida, mas sem as ações do "    \
    "plano: o fórum não viu a busca ativa de gestantes.\"}"

START_TEST(a_member_seated_with_an_account_co_evaluates_a_pact)
{
    char token[2048];
    long member = seat_rita(w.members, RITA_EMAIL, token, sizeof token);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM users WHERE email = '" RITA_EMAIL
                                   "' AND role = 'forum_member' AND active"),
                     1);
    long events = fixture_count("audit_events");
    struct http_response r = put(w.put_cg, token, PARTIALLY, NULL);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    long id = (long)json_num(r.json, "id");
    char location[64];
    snprintf(location, sizeof location, "/v1/co-evaluations/%ld", id);
    ck_assert_str_eq(http_header(&r, "Location"), location);
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    ck_assert_str_eq(json_str(r.json, "rating"), "partially");
    ck_assert_str_eq(json_str(r.json, "monitoring_status"), "achieved");
    ck_assert_str_eq(json_str(r.json, "state_rating"), "achieved");
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "disagreement")));
    ck_assert_int_eq((long)json_num(r.json, "member_id"), member);
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("audit_events"), events + 1);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity ="
                                   " 'co_evaluation' AND action = 'create' AND entity_id = '%ld'",
                                   id),
                     1);

    /* Public: the pact's co-evaluations with the state's status beside them. */
    r = http_get(w.pact_cg_list, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(json_str(r.json, "monitoring_status"), "achieved");
    ck_assert_int_eq((long)json_num(r.json, "disagreements"), 1);
    ck_assert_int_eq((long)json_num(cJSON_GetObjectItem(r.json, "ratings"), "partially"), 1);
    const cJSON *items = cJSON_GetObjectItem(r.json, "co_evaluations");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    const cJSON *first = cJSON_GetArrayItem(items, 0);
    ck_assert_str_eq(json_str(first, "member_name"), "Rita Alves");
    ck_assert_str_eq(json_str(first, "sector"), "civil_society");
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), RITA_EMAIL));
    http_response_free(&r);

    /* Dourados' pact has no data after its baseline: nothing to disagree with. */
    r = put(w.put_dourados, token, "{\"rating\":\"not_achieved\",\"justification\":\"Sem dados.\"}",
            NULL);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_str_eq(json_str(r.json, "monitoring_status"), "no_data");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "state_rating")));
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r.json, "disagreement")));
    http_response_free(&r);

    /* The cycle's list: everything, or the disagreements only; CSV too. */
    r = http_get(w.cycle_list, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 2);
    http_response_free(&r);
    char path[128];
    snprintf(path, sizeof path, "%s?disagreement=true", w.cycle_list);
    r = http_get(path, NULL);
    ck_assert_int_eq(r.status, 200);
    items = cJSON_GetObjectItem(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    ck_assert_int_eq((long)json_num(cJSON_GetArrayItem(items, 0), "pact_id"), w.pact_cg);
    ck_assert_str_eq(json_str(cJSON_GetArrayItem(items, 0), "municipality_id"), CG);
    http_response_free(&r);
    const char *accept[] = {"Accept: text/csv", NULL};
    r = http_do(&(struct http_request){.method = "GET", .path = path, .headers = accept});
    ck_assert_int_eq(r.status, 200);
    const char *csv = buf_cstr(&r.body);
    ck_assert_msg(strncmp(csv, CO_EVALUATIONS_CSV_HEADER, strlen(CO_EVALUATIONS_CSV_HEADER)) == 0,
                  "%s", csv);
    ck_assert_ptr_nonnull(strstr(csv, ",partially,"));
    ck_assert_ptr_null(strstr(csv, "no_data"));
    http_response_free(&r);
    snprintf(path, sizeof path, "%s?disagreement=maybe", w.cycle_list);
    r = http_get(path, NULL);
    http_expect_problem(&r, 400, "invalid-parameter");
    http_response_free(&r);
}
END_TEST

START_TEST(a_replacement_needs_the_etag_it_replaces)
{
    char token[2048];
    seat_rita(w.members, RITA_EMAIL, token, sizeof token);
    struct http_response r = put(w.put_cg, token, PARTIALLY, NULL);
    ck_assert_int_eq(r.status, 201);
    char etag[128], item[64];
    snprintf(etag, sizeof etag, "%s", http_header(&r, "ETag"));
    snprintf(item, sizeof item, "%s", http_header(&r, "Location"));
    http_response_free(&r);

    const char *achieved = "{\"rating\":\"achieved\",\"justification\":\"Revisto: atingida.\"}";
    struct fixture_snapshot before = fixture_snapshot();
    r = put(w.put_cg, token, achieved, NULL);
    http_expect_problem(&r, 428, "precondition-required");
    http_response_free(&r);
    r = put(w.put_cg, token, achieved, "\"7\"");
    http_expect_problem(&r, 412, "precondition-failed");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    long events = fixture_count("audit_events");
    r = put(w.put_cg, token, achieved, etag);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_str_eq(json_str(r.json, "rating"), "achieved");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r.json, "disagreement")));
    char etag2[128];
    snprintf(etag2, sizeof etag2, "%s", http_header(&r, "ETag"));
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("audit_events"), events + 1);
    ck_assert_int_eq(fixture_count("co_evaluations"), 1);
    /* The old ETag is stale now; the same text again changes nothing. */
    r = put(w.put_cg, token, achieved, etag);
    http_expect_problem(&r, 412, "precondition-failed");
    http_response_free(&r);
    r = put(w.put_cg, token, achieved, etag2);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("audit_events"), events + 1);
    /* The item is public, with the ETag a replacement needs. */
    r = http_get(item, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(json_str(r.json, "justification"), "Revisto: atingida.");
    ck_assert_ptr_nonnull(http_header(&r, "ETag"));
    http_response_free(&r);
}
END_TEST

START_TEST(outside_the_window_or_the_mandate_nothing_is_recorded)
{
    char token[2048];
    long member = seat_rita(w.members, RITA_EMAIL, token, sizeof token);
    struct fixture_snapshot before;

    /* The window closed an hour ago. */
    fixture_longf("UPDATE cycles SET evaluation_opens_at = now() - interval '2 days',"
                  " evaluation_closes_at = now() - interval '1 hour' WHERE id = %ld RETURNING 1",
                  w.cycle);
    before = fixture_snapshot();
    struct http_response r = put(w.put_cg, token, PARTIALLY, NULL);
    http_expect_problem(&r, 422, "evaluation-window-closed");
    ck_assert_ptr_nonnull(strstr(http_json_string(&r, "detail"), "closes at"));
    http_response_free(&r);
    fixture_assert_unchanged(before);
    /* No window at all. */
    fixture_longf("UPDATE cycles SET evaluation_opens_at = NULL, evaluation_closes_at = NULL"
                  " WHERE id = %ld RETURNING 1",
                  w.cycle);
    before = fixture_snapshot();
    r = put(w.put_cg, token, PARTIALLY, NULL);
    http_expect_problem(&r, 422, "evaluation-window-closed");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    fixture_longf("UPDATE cycles SET evaluation_opens_at = now() - interval '1 hour',"
                  " evaluation_closes_at = now() + interval '1 day' WHERE id = %ld RETURNING 1",
                  w.cycle);

    /* The coordination ends her mandate yesterday: her next write is refused. */
    char path[64], body[96];
    snprintf(path, sizeof path, "/v1/forum-members/%ld", member);
    PGresult *q = PQexec(fixture_db(), "SELECT (current_date - 1)::text");
    snprintf(body, sizeof body, "{\"mandate_starts_on\":\"%s\",\"mandate_ends_on\":\"%s\"}",
             PQgetvalue(q, 0, 0), PQgetvalue(q, 0, 0));
    PQclear(q);
    r = fixture_call("PATCH", path, U_COORDINATION, body, NULL);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r.json, "in_office")));
    http_response_free(&r);
    before = fixture_snapshot();
    r = put(w.put_cg, token, PARTIALLY, NULL);
    http_expect_problem(&r, 403, "forbidden");
    ck_assert_ptr_nonnull(strstr(http_json_string(&r, "detail"), "mandate"));
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(only_members_of_the_pacts_cycle_may_co_evaluate)
{
    /* A member of São Paulo's cycle's forum, in office, in its window. */
    char token[2048];
    seat_rita(w.other_members, RITA_EMAIL, token, sizeof token);
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = put(w.put_cg, token, PARTIALLY, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    /* Nobody else may: the state, the municipality, the public. */
    static const enum fixture_user others[] = {U_COORDINATION, U_HEALTH, U_MAYOR_CG, U_REP_CG};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        r = http_do(&(struct http_request){.method = "PUT",
                                           .path = w.put_cg,
                                           .token = fixture_token(others[i]),
                                           .body = PARTIALLY});
        http_expect_problem(&r, 403, "forbidden");
        http_response_free(&r);
    }
    r = put(w.put_cg, NULL, PARTIALLY, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    /* A pact that does not exist. */
    r = put("/v1/pacts/999999/co-evaluation", token, PARTIALLY, NULL);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    r = put("/v1/pacts/x1/co-evaluation", token, PARTIALLY, NULL);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(a_deactivated_member_is_refused_on_the_next_request)
{
    char token[2048];
    long member = seat_rita(w.members, RITA_EMAIL, token, sizeof token);
    ck_assert_int_eq(fixture_get_status("/v1/me", token), 200);
    long user = fixture_longf("SELECT user_id FROM forum_members WHERE id = %ld", member);
    char path[64];
    snprintf(path, sizeof path, "/v1/users/%ld", user);
    struct http_response r =
        fixture_call("PATCH", path, U_COORDINATION, "{\"active\":false}", NULL);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    struct fixture_snapshot before = fixture_snapshot();
    r = put(w.put_cg, token, PARTIALLY, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(a_forum_member_reads_what_the_public_reads)
{
    char token[2048];
    seat_rita(w.members, RITA_EMAIL, token, sizeof token);
    ck_assert_int_eq(fixture_get_status(w.cycle_path, token), 200);
    ck_assert_int_eq(fixture_get_status(w.members, token), 200);
    ck_assert_int_eq(fixture_get_status("/v1/me", token), 200);
    ck_assert_int_eq(fixture_get_status("/v1/municipalities/" CG "/team", token), 403);
    ck_assert_int_eq(fixture_get_status("/v1/users", token), 403);
    char path[96];
    snprintf(path, sizeof path, "/v1/cycles/%ld/alerts", w.cycle);
    ck_assert_int_eq(fixture_get_status(path, token), 403);
    /* No other write: a course, a member of the forum. */
    struct fixture_snapshot before = fixture_snapshot();
    char body[512];
    member_body(body, sizeof body, "Outra", "");
    struct http_response r = http_do(
        &(struct http_request){.method = "POST", .path = w.members, .token = token, .body = body});
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(members_are_public_without_contact_data)
{
    char body[512];
    member_body(body, sizeof body, "Rita Alves", ",\"email\":\"" RITA_EMAIL "\"");
    struct http_response r = fixture_call("POST", w.members, U_COORDINATION, body, NULL);
    ck_assert_int_eq(r.status, 201);
    long user = (long)json_num(r.json, "user_id"); /* the coordination sees it */
    ck_assert_int_gt(user, 0);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "has_account")));
    http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"name\":\"Paulo Lima\",\"organization\":\"UFMS\",\"sector\":\"academia\","
             "\"mandate_starts_on\":\"%s\",\"mandate_ends_on\":\"2027-06-30\"}",
             w.today);
    r = fixture_call("POST", w.members, U_COORDINATION, body, NULL);
    ck_assert_int_eq(r.status, 201);
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r.json, "has_account")));
    http_response_free(&r);

    r = http_get(w.members, NULL);
    ck_assert_int_eq(r.status, 200);
    const cJSON *items = cJSON_GetObjectItem(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 2);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "user_id")));
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "in_office")));
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "@"));
    http_response_free(&r);
    char path[128];
    snprintf(path, sizeof path, "%s?sector=academia", w.members);
    r = http_get(path, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 1);
    http_response_free(&r);
    const char *accept[] = {"Accept: text/csv", NULL};
    r = http_do(&(struct http_request){.method = "GET", .path = w.members, .headers = accept});
    ck_assert_int_eq(r.status, 200);
    const char *csv = buf_cstr(&r.body);
    ck_assert_msg(strncmp(csv, MEMBERS_CSV_HEADER, strlen(MEMBERS_CSV_HEADER)) == 0, "%s", csv);
    ck_assert_ptr_nonnull(strstr(csv, "Paulo Lima,UFMS,academia,"));
    ck_assert_ptr_null(strstr(csv, "@"));
    http_response_free(&r);
    r = http_get("/v1/cycles/999999/forum-members", NULL);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
}
END_TEST

START_TEST(a_retried_seat_hands_the_invitation_over_once)
{
    char body[512];
    member_body(body, sizeof body, "Rita Alves", ",\"email\":\"" RITA_EMAIL "\"");
    const char *key[] = {"Idempotency-Key: seat-rita-1", NULL};
    long users = fixture_count("users");
    struct http_response first = fixture_call("POST", w.members, U_COORDINATION, body, key);
    ck_assert_int_eq(first.status, 201);
    ck_assert_ptr_nonnull(fixture_invitation_token(&first));
    struct http_response again = fixture_call("POST", w.members, U_COORDINATION, body, key);
    ck_assert_int_eq(again.status, 201);
    ck_assert_ptr_nonnull(http_header(&again, "Idempotent-Replayed"));
    const cJSON *inv = cJSON_GetObjectItem(again.json, "invitation");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(inv, "token")));
    ck_assert_str_eq(http_header(&again, "Location"), http_header(&first, "Location"));
    http_response_free(&first);
    http_response_free(&again);
    ck_assert_int_eq(fixture_count("users"), users + 1);
    ck_assert_int_eq(fixture_count("forum_members"), 1);
    /* Two events, one per row: the account's and the seat's. */
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE action = 'create'"
                                   " AND entity IN ('user', 'forum_member')"),
                     2);
}
END_TEST

START_TEST(a_mandate_lies_within_the_cycle)
{
    char body[512];
    /* before the cycle's first day; ending before it starts; after the
     * target year and the evaluation window */
    static const char *const wrong[][3] = {
        {"2020-01-01", "2027-01-01", "mandate_starts_on"},
        {"2027-06-01", "2027-05-31", "mandate_ends_on"},
        {"2027-01-01", "2028-01-01", "mandate_ends_on"},
        {"2027-02-30", "2027-03-01", "mandate_starts_on"},
    };
    struct fixture_snapshot before = fixture_snapshot();
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        snprintf(body, sizeof body,
                 "{\"name\":\"Rita\",\"organization\":\"OS\",\"sector\":\"civil_society\","
                 "\"mandate_starts_on\":\"%s\",\"mandate_ends_on\":\"%s\"}",
                 wrong[i][0], wrong[i][1]);
        struct http_response r = fixture_call("POST", w.members, U_COORDINATION, body, NULL);
        fixture_expect_invalid(&r, wrong[i][2]);
        http_response_free(&r);
    }
    snprintf(body, sizeof body,
             "{\"name\":\"Rita\",\"organization\":\"OS\",\"sector\":\"press\","
             "\"mandate_starts_on\":\"%s\",\"mandate_ends_on\":\"2027-01-01\"}",
             w.today);
    struct http_response r = fixture_call("POST", w.members, U_COORDINATION, body, NULL);
    fixture_expect_invalid(&r, "sector");
    http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"name\":\"Rita\",\"organization\":\"OS\",\"sector\":\"private\","
             "\"mandate_starts_on\":\"%s\",\"mandate_ends_on\":\"2027-01-01\","
             "\"email\":\"not-an-address\"}",
             w.today);
    r = fixture_call("POST", w.members, U_COORDINATION, body, NULL);
    fixture_expect_invalid(&r, "email");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    /* An evaluation window closing in 2028 lets a mandate run until then. */
    fixture_longf("UPDATE cycles SET evaluation_closes_at = '2028-03-31T12:00:00Z'"
                  " WHERE id = %ld RETURNING 1",
                  w.cycle);
    snprintf(body, sizeof body,
             "{\"name\":\"Rita\",\"organization\":\"OS\",\"sector\":\"private\","
             "\"mandate_starts_on\":\"%s\",\"mandate_ends_on\":\"2028-03-31\"}",
             w.today);
    r = fixture_call("POST", w.members, U_COORDINATION, body, NULL);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    http_response_free(&r);
}
END_TEST

START_TEST(only_the_coordination_keeps_the_forum)
{
    char body[512];
    member_body(body, sizeof body, "Rita Alves", "");
    struct fixture_snapshot before = fixture_snapshot();
    static const enum fixture_user others[] = {U_HEALTH, U_MAYOR_CG, U_REP_CG};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        struct http_response r = fixture_call("POST", w.members, others[i], body, NULL);
        http_expect_problem(&r, 403, "forbidden");
        http_response_free(&r);
    }
    struct http_response r = fixture_call("POST", w.members, U_COUNT, body, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    /* POST /v1/users does not make forum members' accounts. */
    r = fixture_call("POST", "/v1/users", U_COORDINATION,
                     "{\"name\":\"Rita\",\"email\":\"" RITA_EMAIL "\",\"role\":\"forum_member\"}",
                     NULL);
    fixture_expect_invalid(&r, "role");
    http_response_free(&r);
    /* An e-mail another account uses. */
    member_body(body, sizeof body, "Rita Alves", ",\"email\":\"coord@test.pacto\"");
    r = fixture_call("POST", w.members, U_COORDINATION, body, NULL);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(a_member_who_co_evaluated_stays)
{
    char token[2048];
    long member = seat_rita(w.members, RITA_EMAIL, token, sizeof token);
    struct http_response r = put(w.put_cg, token, PARTIALLY, NULL);
    ck_assert_int_eq(r.status, 201);
    http_response_free(&r);
    char path[64];
    snprintf(path, sizeof path, "/v1/forum-members/%ld", member);
    struct fixture_snapshot before = fixture_snapshot();
    r = fixture_call("DELETE", path, U_COORDINATION, NULL, NULL);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    /* One who did not is removed, with its audit event. */
    char body[512];
    member_body(body, sizeof body, "Paulo Lima", "");
    r = fixture_call("POST", w.members, U_COORDINATION, body, NULL);
    ck_assert_int_eq(r.status, 201);
    snprintf(path, sizeof path, "/v1/forum-members/%.0f", json_num(r.json, "id"));
    http_response_free(&r);
    long events = fixture_count("audit_events");
    r = fixture_call("DELETE", path, U_COORDINATION, NULL, NULL);
    ck_assert_int_eq(r.status, 204);
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("audit_events"), events + 1);
    ck_assert_int_eq(fixture_get_status(path, NULL), 404);
}
END_TEST

START_TEST(a_justification_is_plain_text)
{
    char token[2048];
    seat_rita(w.members, RITA_EMAIL, token, sizeof token);
    static const struct fixture_invalid_body cases[] = {
        {"{\"rating\":\"maybe\",\"justification\":\"Texto\"}", "rating"},
        {"{\"rating\":\"achieved\"}", "justification"},
        {"{\"justification\":\"Texto\"}", "rating"},
        {"{\"rating\":\"achieved\",\"justification\":\"\"}", "justification"},
        {"{\"rating\":\"achieved\",\"justification\":\"<script>alert(1)</script>\"}",
         "justification"},
        {"{\"rating\":\"achieved\",\"justification\":\"veja <a href=x>isto</a>\"}",
         "justification"},
        {"{\"rating\":\"achieved\",\"justification\":\"fim </p>\"}", "justification"},
        {"{\"rating\":\"achieved\",\"justification\":\"<!-- x -->\"}", "justification"},
        {"{\"rating\":\"achieved\",\"justification\":\"Texto\",\"member_id\":1}", "member_id"},
    };
    struct http_request req = {.method = "PUT", .path = w.put_cg, .token = token};
    fixture_expect_invalid_bodies(&req, cases, sizeof cases / sizeof cases[0]);
    /* '<' that opens no markup is text. */
    struct http_response r =
        put(w.put_cg, token, "{\"rating\":\"achieved\",\"justification\":\"2 < 3 e <3\"}", NULL);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_str_eq(json_str(r.json, "justification"), "2 < 3 e <3");
    http_response_free(&r);
}
END_TEST

START_TEST(the_evaluation_window_follows_the_cycles_rules)
{
    struct fixture_snapshot before = fixture_snapshot();
    static const char *const wrong[][2] = {
        /* before the pact window opens */
        {"{\"evaluation_opens_at\":\"2020-01-01T00:00:00Z\","
         "\"evaluation_closes_at\":\"2030-01-01T00:00:00Z\"}",
         "evaluation_opens_at"},
        /* closing before it opens */
        {"{\"evaluation_opens_at\":\"2029-01-01T00:00:00Z\","
         "\"evaluation_closes_at\":\"2028-01-01T00:00:00Z\"}",
         "evaluation_closes_at"},
        /* one without the other */
        {"{\"evaluation_opens_at\":null}", "evaluation_opens_at"},
        {"{\"evaluation_closes_at\":null}", "evaluation_closes_at"},
        {"{\"evaluation_opens_at\":\"soon\"}", "evaluation_opens_at"},
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        struct http_response r =
            fixture_call("PATCH", w.cycle_path, U_COORDINATION, wrong[i][0], NULL);
        fixture_expect_invalid(&r, wrong[i][1]);
        http_response_free(&r);
    }
    fixture_assert_unchanged(before);
    struct http_response r = fixture_call("PATCH", w.cycle_path, U_COORDINATION,
                                          "{\"evaluation_opens_at\":\"2028-01-01T00:00:00-03:00\","
                                          "\"evaluation_closes_at\":\"2028-03-01T00:00:00-03:00\"}",
                                          NULL);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_str_eq(json_str(r.json, "evaluation_opens_at"), "2028-01-01T03:00:00Z");
    http_response_free(&r);
    r = fixture_call("PATCH", w.cycle_path, U_COORDINATION,
                     "{\"evaluation_opens_at\":null,\"evaluation_closes_at\":null}", NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "evaluation_opens_at")));
    http_response_free(&r);
    r = fixture_call("PATCH", w.cycle_path, U_HEALTH,
                     "{\"evaluation_opens_at\":null,\"evaluation_closes_at\":null}", NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
}
END_TEST

Suite *forum_suite(void)
{
    Suite *s = suite_create("forum");
    TCase *tc = tcase_create("forum");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, a_member_seated_with_an_account_co_evaluates_a_pact);
    tcase_add_test(tc, a_replacement_needs_the_etag_it_replaces);
    tcase_add_test(tc, outside_the_window_or_the_mandate_nothing_is_recorded);
    tcase_add_test(tc, only_members_of_the_pacts_cycle_may_co_evaluate);
    tcase_add_test(tc, a_deactivated_member_is_refused_on_the_next_request);
    tcase_add_test(tc, a_forum_member_reads_what_the_public_reads);
    tcase_add_test(tc, members_are_public_without_contact_data);
    tcase_add_test(tc, a_retried_seat_hands_the_invitation_over_once);
    tcase_add_test(tc, a_mandate_lies_within_the_cycle);
    tcase_add_test(tc, only_the_coordination_keeps_the_forum);
    tcase_add_test(tc, a_member_who_co_evaluated_stays);
    tcase_add_test(tc, a_justification_is_plain_text);
    tcase_add_test(tc, the_evaluation_window_follows_the_cycles_rules);
    suite_add_tcase(s, tc);
    return s;
}
