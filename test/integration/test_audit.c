/*
 * Integration tests for the audit log (GET /v1/audit): only the coordination
 * secretariat reads it; events come newest first with who, role, what,
 * before/after and the X-Request-Id of the request that made the change;
 * the entity, entity_id, actor_id, since and until filters; refusal of bad
 * filter values (an actor id with a leading zero too); cursor pagination;
 * no event for a failed change; and audit_events refusing UPDATE and DELETE
 * in the database itself.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CORUMBA "5003207"

/* Inserts an event directly, at a known instant. actor may be NULL. */
static void seed_event(const char *at, const char *entity, const char *entity_id, const char *actor)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO audit_events (at, actor_id, actor_role, action, entity, entity_id,"
             " after, request_id) VALUES ('%s', %s, 'secretariat', 'update', '%s', '%s',"
             " '{}', 'seeded')",
             at, actor ? actor : "NULL", entity, entity_id);
    fixture_exec(sql);
}

/* GET path as coordination; asserts 200 and returns the response. */
static struct http_response audit_get(const char *path)
{
    struct http_response r = http_get(path, fixture_token(U_COORDINATION));
    ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, buf_cstr(&r.body));
    ck_assert(cJSON_IsArray(cJSON_GetObjectItem(r.json, "items")));
    return r;
}

/* The entity_id of every item, comma-separated, in the order given. */
static void joined_entity_ids(const struct http_response *r, char *out, size_t size)
{
    out[0] = '\0';
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
    {
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%s", len ? "," : "",
                 cJSON_GetObjectItem(it, "entity_id")->valuestring);
    }
}

/* GETs path with the token and expects a problem with this status and slug. */
static void expect_refusal(const char *path, const char *token, long status, const char *slug)
{
    struct http_response r = http_get(path, token);
    http_expect_problem(&r, status, slug);
    http_response_free(&r);
}

/* Sends a change with our own X-Request-Id and expects `status`. */
static void change_with_request_id(const char *method, const char *path, const char *body,
                                   const char *request_id, long status)
{
    char line[96];
    snprintf(line, sizeof line, "X-Request-Id: %s", request_id);
    const char *headers[] = {line, NULL};
    struct http_response r = http_do(&(struct http_request){.method = method,
                                                            .path = path,
                                                            .token = fixture_token(U_COORDINATION),
                                                            .body = body,
                                                            .headers = headers});
    ck_assert_msg(r.status == status, "%s %s: %ld %s", method, path, r.status, buf_cstr(&r.body));
    ck_assert_str_eq(http_header(&r, "X-Request-Id"), request_id);
    http_response_free(&r);
}

/* Checks one item of the list against the change that made it. */
static void assert_event(const cJSON *ev, const char *action, const char *entity_id,
                         const char *request_id)
{
    static const char *const keys[] = {"id",     "at",         "actor_id",         "actor_role",
                                       "action", "entity",     "entity_id",        "before",
                                       "after",  "request_id", "client_request_id"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        ck_assert_msg(cJSON_HasObjectItem(ev, keys[i]), "event without %s", keys[i]);
    ck_assert_str_eq(cJSON_GetObjectItem(ev, "action")->valuestring, action);
    ck_assert_str_eq(cJSON_GetObjectItem(ev, "entity")->valuestring, "municipality");
    ck_assert_str_eq(cJSON_GetObjectItem(ev, "entity_id")->valuestring, entity_id);
    /* The client's id beside the server's own, which the client cannot choose. */
    ck_assert_str_eq(cJSON_GetObjectItem(ev, "client_request_id")->valuestring, request_id);
    const char *own = cJSON_GetObjectItem(ev, "request_id")->valuestring;
    ck_assert_msg(strlen(own) == 32 && strspn(own, "0123456789abcdef") == 32, "request_id %s", own);
    ck_assert_str_eq(cJSON_GetObjectItem(ev, "actor_role")->valuestring, "secretariat");
    ck_assert_int_eq((long)cJSON_GetObjectItem(ev, "actor_id")->valuedouble,
                     atol(fixture_user_id(U_COORDINATION)));
    const char *at = cJSON_GetObjectItem(ev, "at")->valuestring;
    ck_assert_msg(strlen(at) == 20 && at[4] == '-' && at[10] == 'T' && at[19] == 'Z', "at %s", at);
    ck_assert(cJSON_IsObject(cJSON_GetObjectItem(ev, "after")));
    ck_assert(strcmp(action, "create") == 0 ? cJSON_IsNull(cJSON_GetObjectItem(ev, "before"))
                                            : cJSON_IsObject(cJSON_GetObjectItem(ev, "before")));
}

START_TEST(audit_is_for_coordination_only)
{
    expect_refusal("/v1/audit", fixture_token(U_HEALTH), 403, "forbidden");
    expect_refusal("/v1/audit", fixture_token(U_MAYOR_CG), 403, "forbidden");
    expect_refusal("/v1/audit", fixture_token(U_REP_CG), 403, "forbidden");
    expect_refusal("/v1/audit", NULL, 401, "unauthenticated");
    struct http_response r = audit_get("/v1/audit");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 0);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "next_cursor")));
    http_response_free(&r);
}
END_TEST

START_TEST(events_name_actor_change_and_request_id)
{
    change_with_request_id("PATCH", "/v1/municipalities/" CG, "{\"mayor_name\":\"Carlos\"}",
                           "h7-audit-first", 200);
    change_with_request_id("POST", "/v1/municipalities",
                           "{\"ibge_code\":\"" CORUMBA "\",\"name\":\"Corumbá\",\"state\":\"MS\"}",
                           "h7-audit-second", 201);
    struct http_response r = audit_get("/v1/audit");
    const cJSON *items = cJSON_GetObjectItem(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 2);
    const cJSON *newest = cJSON_GetArrayItem(items, 0), *oldest = cJSON_GetArrayItem(items, 1);
    assert_event(newest, "create", CORUMBA, "h7-audit-second");
    assert_event(oldest, "update", CG, "h7-audit-first");
    ck_assert_double_gt(cJSON_GetObjectItem(newest, "id")->valuedouble,
                        cJSON_GetObjectItem(oldest, "id")->valuedouble);
    const cJSON *before = cJSON_GetObjectItem(oldest, "before");
    ck_assert_str_eq(cJSON_GetObjectItem(before, "mayor_name")->valuestring, "Maria");
    ck_assert_str_eq(cJSON_GetObjectItem(before, "mayor_cpf")->valuestring, "***.982.247-**");
    ck_assert_str_eq(
        cJSON_GetObjectItem(cJSON_GetObjectItem(oldest, "after"), "mayor_name")->valuestring,
        "Carlos");
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), CG_MAYOR_CPF));
    http_response_free(&r);
}
END_TEST

START_TEST(filters_select_events)
{
    char coord[24], health[24];
    snprintf(coord, sizeof coord, "%s", fixture_user_id(U_COORDINATION));
    snprintf(health, sizeof health, "%s", fixture_user_id(U_HEALTH));
    seed_event("2020-01-01T00:00:00Z", "municipality", CG, coord);
    seed_event("2021-01-01T00:00:00Z", "municipality", DOURADOS, coord);
    seed_event("2022-01-01T00:00:00Z", "user", fixture_user_id(U_MAYOR_CG), health);
    seed_event("2023-01-01T00:00:00Z", "state", "50", NULL);
    char by_coord[64], by_health[64], by_mayor[64];
    snprintf(by_coord, sizeof by_coord, "actor_id=%s", coord);
    snprintf(by_health, sizeof by_health, "actor_id=%s", health);
    snprintf(by_mayor, sizeof by_mayor, "actor_id=%s", fixture_user_id(U_MAYOR_CG));
    char all[64], user_only[32];
    snprintf(user_only, sizeof user_only, "%s", fixture_user_id(U_MAYOR_CG));
    snprintf(all, sizeof all, "50,%s," DOURADOS "," CG, user_only);
    const struct {
        const char *query, *want;
    } cases[] = {
        {"", all},
        {"entity=municipality", DOURADOS "," CG},
        {"entity=municipality&entity_id=" CG, CG},
        {"entity_id=" DOURADOS, DOURADOS},
        {"entity=state", "50"},
        {"entity=user", user_only},
        {by_coord, DOURADOS "," CG},
        {by_health, user_only},
        {by_mayor, ""},
        {"until=2021-01-01T00:00:00Z", CG},
        {"since=2021-12-31T22:00:00-03:00", "50"},
        {"until=2022-01-01T00:30:00%2B01:00", DOURADOS "," CG},
        {"since=2023-01-01T00:00:00Z", "50"},
        {"since=2020-06-01T00:00:00Z&until=2021-06-01T00:00:00Z", DOURADOS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[128], got[128];
        snprintf(path, sizeof path, "/v1/audit?%s", cases[i].query);
        struct http_response r = audit_get(path);
        joined_entity_ids(&r, got, sizeof got);
        http_response_free(&r);
        ck_assert_msg(strcmp(got, cases[i].want) == 0, "%s: want [%s], got [%s]", path,
                      cases[i].want, got);
    }
}
END_TEST

START_TEST(bad_filters_are_refused)
{
    static const char *const queries[] = {
        "entity=planet",
        "actor_id=x",
        "actor_id=-1",
        "since=yesterday",
        "since=now",
        "since=2024-01-01",
        "since=2024-01-01T00:00:00",
        "until=2024-13-01T00:00:00Z",
        "until=2024-02-30T00:00:00Z",
        "since=2024-01-01T25:00:00Z",
        "since=2024-01-01T00:00:00Zjunk",
        "limit=0",
        "limit=501",
        "cursor=not-a-cursor",
        "actor=1",
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/v1/audit?%s", queries[i]);
        expect_refusal(path, fixture_token(U_COORDINATION), 400, "invalid-parameter");
    }
}
END_TEST

/* An actor's id is written one way only: "01" is not another name of user 1. */
START_TEST(actor_id_only_in_canonical_form)
{
    const char *coord = fixture_user_id(U_COORDINATION);
    seed_event("2024-05-01T12:00:00Z", "municipality", CG, coord);
    char path[64];
    snprintf(path, sizeof path, "/v1/audit?actor_id=%s", coord);
    struct http_response r = audit_get(path);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 1);
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/audit?actor_id=0%s", coord);
    expect_refusal(path, fixture_token(U_COORDINATION), 400, "invalid-parameter");
    expect_refusal("/v1/audit?actor_id=0", fixture_token(U_COORDINATION), 400, "invalid-parameter");
}
END_TEST

/* Follows next_cursor with pages of `limit`; returns the number of pages
 * and checks that the ids strictly decrease (newest first, no duplicates). */
static int walk(int limit, long *events)
{
    char path[640];
    snprintf(path, sizeof path, "/v1/audit?limit=%d", limit);
    int pages = 0;
    double last = -1;
    *events = 0;
    for (;;) {
        struct http_response r = audit_get(path);
        pages++;
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r.json, "items"))
        {
            double id = cJSON_GetObjectItem(it, "id")->valuedouble;
            ck_assert(last < 0 || id < last);
            last = id;
            (*events)++;
        }
        const cJSON *next = cJSON_GetObjectItem(r.json, "next_cursor");
        if (!cJSON_IsString(next)) {
            ck_assert(cJSON_IsNull(next));
            ck_assert_ptr_null(http_header(&r, "Link"));
            http_response_free(&r);
            return pages;
        }
        ck_assert_ptr_nonnull(http_header(&r, "Link"));
        ck_assert_ptr_nonnull(strstr(http_header(&r, "Link"), "rel=\"next\""));
        snprintf(path, sizeof path, "/v1/audit?limit=%d&cursor=%s", limit, next->valuestring);
        http_response_free(&r);
        ck_assert_int_le(pages, 20);
    }
}

START_TEST(pagination_walks_every_event_once)
{
    fixture_exec("INSERT INTO audit_events (actor_id, actor_role, action, entity, entity_id)"
                 " SELECT NULL, NULL, 'create', 'municipality', g::text"
                 "   FROM generate_series(1, 7) g");
    long events;
    ck_assert_int_eq(walk(1, &events), 7);
    ck_assert_int_eq(events, 7);
    ck_assert_int_eq(walk(3, &events), 3);
    ck_assert_int_eq(events, 7);
    ck_assert_int_eq(walk(7, &events), 1);
    ck_assert_int_eq(events, 7);
}
END_TEST

START_TEST(failed_changes_write_no_event)
{
    static const char *const stale[] = {"If-Match: \"99\"", NULL};
    const struct http_request reqs[] = {
        {.method = "POST",
         .path = "/v1/municipalities",
         .body = "{\"ibge_code\":\"5003208\",\"name\":\"X\",\"state\":\"MS\"}"},
        {.method = "POST",
         .path = "/v1/municipalities",
         .body = "{\"ibge_code\":\"" CG "\",\"name\":\"Campo Grande\",\"state\":\"MS\"}"},
        {.method = "PATCH", .path = "/v1/municipalities/" CG, .body = "{\"name\":null}"},
        {.method = "PATCH",
         .path = "/v1/municipalities/" CG,
         .body = "{\"name\":\"X\"}",
         .headers = stale},
        {.method = "PATCH", .path = "/v1/municipalities/" CORUMBA, .body = "{\"name\":\"X\"}"},
        {.method = "POST",
         .path = "/v1/municipalities/import",
         .content_type = "text/csv",
         .body = "codigo_ibge,nome,latitude,longitude,capital,codigo_uf\n"
                 "5003207,Corumbá,-19.0077,-57.651,0,50\n5003208,X,,,0,50\n"},
    };
    static const long statuses[] = {422, 409, 422, 412, 404, 422};
    for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
        struct http_request req = reqs[i];
        req.token = fixture_token(U_COORDINATION);
        struct http_response r = http_do(&req);
        ck_assert_msg(r.status == statuses[i], "request %zu: %ld %s", i, r.status,
                      buf_cstr(&r.body));
        http_response_free(&r);
        ck_assert_int_eq(fixture_count("audit_events"), 0);
    }
    ck_assert_int_eq(fixture_count("municipalities"), 3);
    ck_assert_int_eq(fixture_long("SELECT max(version) FROM municipalities"), 1);
}
END_TEST

/* Runs sql on the test's connection and asserts the database refuses it. */
static void assert_db_refuses(const char *sql)
{
    PGresult *res = PQexec(fixture_db(), sql);
    ck_assert_msg(PQresultStatus(res) == PGRES_FATAL_ERROR, "%s was accepted", sql);
    ck_assert_ptr_nonnull(strstr(PQresultErrorMessage(res), "append-only"));
    PQclear(res);
}

START_TEST(audit_events_are_append_only_in_the_database)
{
    seed_event("2024-05-01T12:00:00Z", "municipality", CG, fixture_user_id(U_COORDINATION));
    assert_db_refuses("UPDATE audit_events SET action = 'create'");
    assert_db_refuses("UPDATE audit_events SET after = '{\"forged\":true}' WHERE entity_id = '" CG
                      "'");
    assert_db_refuses("DELETE FROM audit_events");
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE action = 'update'"
                                  " AND after = '{}'::jsonb AND request_id = 'seeded'"),
                     1);
}
END_TEST

Suite *audit_suite(void)
{
    Suite *s = suite_create("audit");
    TCase *tc = tcase_create("audit");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_test(tc, audit_is_for_coordination_only);
    tcase_add_test(tc, events_name_actor_change_and_request_id);
    tcase_add_test(tc, filters_select_events);
    tcase_add_test(tc, bad_filters_are_refused);
    tcase_add_test(tc, actor_id_only_in_canonical_form);
    tcase_add_test(tc, pagination_walks_every_event_once);
    tcase_add_test(tc, failed_changes_write_no_event);
    tcase_add_test(tc, audit_events_are_append_only_in_the_database);
    suite_add_tcase(s, tc);
    return s;
}
