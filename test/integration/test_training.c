/*
 * Integration tests of training (seed 002: courses for the municipalities'
 * technical teams), told as its story: the health secretariat offers a
 * course in Mato Grosso do Sul's cycle and records that Lúcia and Caio, of
 * Campo Grande's team, attended it, and Lúcia a second course: the public
 * sees the courses with their counts, Campo Grande's dashboard two people
 * trained and the cycle's its totals, never the names, which the state and
 * Campo Grande see (Dourados does not). Dourados' member cannot attend:
 * Dourados did not adhere. The education secretariat, a mayor and
 * anonymous callers are refused; dates lie within the cycle; a course with
 * attendance stays; a member who leaves the team still counts as trained.
 *
 * Cycles and adhesions are other routes' business: seed_world writes them
 * by SQL, as those routes store them; team members come through the API.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COURSES_CSV_HEADER                                                                         \
    "id,cycle_id,title,area,starts_on,ends_on,hours,attendees,municipalities\r\n"

static struct {
    long cycle, lucia, caio, davi;
    char courses[64], dashboard_cg[96], dashboard_cycle[64];
    char today[16];
} w;

/* POSTs body as `who` and returns the new resource's id (asserting 201). */
static long create(enum fixture_user who, const char *path, const char *body)
{
    struct http_response r = fixture_call("POST", path, who, body, NULL);
    ck_assert_msg(r.status == 201, "POST %s: %ld %s", path, r.status, buf_cstr(&r.body));
    long n = (long)cJSON_GetObjectItem(r.json, "id")->valuedouble;
    http_response_free(&r);
    return n;
}

/* Mato Grosso do Sul's cycle (started 40 days ago, target year 2027),
 * Campo Grande's adhesion (Dourados did not adhere) and three team members:
 * Lúcia and Caio of Campo Grande, Davi of Dourados. */
static void seed_world(void)
{
    w.cycle = fixture_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments) VALUES ('Ciclo 2027', 50,"
        " now() - interval '40 days', now() - interval '30 days', now() - interval '20 days',"
        " now() - interval '10 days', 2027, '[\"Pactuar metas\"]') RETURNING id");
    fixture_longf("INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by,"
                  " commitments) VALUES (%ld, '" CG "', 'MS-2026-920001', %s,"
                  " '[\"Pactuar metas\"]') RETURNING id",
                  w.cycle, fixture_user_id(U_MAYOR_CG));
    w.lucia = create(U_MAYOR_CG, "/v1/municipalities/" CG "/team",
                     "{\"name\":\"Lúcia Prado\",\"type\":\"servant\","
                     "\"program_role\":\"Articuladora\"}");
    w.caio = create(U_REP_CG, "/v1/municipalities/" CG "/team",
                    "{\"name\":\"Caio Souza\",\"type\":\"council\"}");
    w.davi = create(U_MAYOR_DOURADOS, "/v1/municipalities/" DOURADOS "/team",
                    "{\"name\":\"Davi Rocha\",\"type\":\"servant\"}");
    snprintf(w.courses, sizeof w.courses, "/v1/cycles/%ld/courses", w.cycle);
    snprintf(w.dashboard_cg, sizeof w.dashboard_cg,
             "/v1/municipalities/" CG "/dashboard?cycle_id=%ld", w.cycle);
    snprintf(w.dashboard_cycle, sizeof w.dashboard_cycle, "/v1/cycles/%ld/dashboard", w.cycle);
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

/* A course body of `area` from today to `ends_on`. */
static void course_body(char *out, size_t n, const char *title, const char *area,
                        const char *ends_on, int hours)
{
    snprintf(out, n,
             "{\"title\":\"%s\",\"area\":\"%s\",\"starts_on\":\"%s\",\"ends_on\":\"%s\","
             "\"hours\":%d}",
             title, area, w.today, ends_on, hours);
}

/* Offers a health course and returns its id. */
static long health_course(const char *title)
{
    char body[256];
    course_body(body, sizeof body, title, "health", "2027-06-30", 40);
    return create(U_HEALTH, w.courses, body);
}

/* Records member's attendance of course as `who`; returns the status. */
static long attend(enum fixture_user who, long course, long member)
{
    char path[64], body[64];
    snprintf(path, sizeof path, "/v1/courses/%ld/attendance", course);
    snprintf(body, sizeof body, "{\"team_member_id\":%ld}", member);
    struct http_response r = fixture_call("POST", path, who, body, NULL);
    long status = r.status;
    http_response_free(&r);
    return status;
}

static long json_long(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
    return (long)v->valuedouble;
}

START_TEST(the_people_a_cycles_courses_trained_are_counted)
{
    long events = fixture_count("audit_events");
    long gestao = health_course("Gestão por resultados");
    long dados = health_course("Dados de saúde");
    ck_assert_int_eq(attend(U_HEALTH, gestao, w.lucia), 201);
    ck_assert_int_eq(attend(U_COORDINATION, gestao, w.caio), 201);
    ck_assert_int_eq(attend(U_HEALTH, dados, w.lucia), 201);
    ck_assert_int_eq(fixture_count("audit_events"), events + 5);

    /* Public: the course with its counts, never the names. */
    char path[96];
    snprintf(path, sizeof path, "/v1/courses/%ld", gestao);
    struct http_response r = http_get(path, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_long(r.json, "attendees"), 2);
    ck_assert_int_eq(json_long(r.json, "municipalities"), 1);
    ck_assert_int_eq(json_long(r.json, "hours"), 40);
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), "Lúcia"));
    http_response_free(&r);
    const char *accept[] = {"Accept: text/csv", NULL};
    r = http_do(&(struct http_request){.method = "GET", .path = w.courses, .headers = accept});
    ck_assert_int_eq(r.status, 200);
    const char *csv = buf_cstr(&r.body);
    ck_assert_msg(strncmp(csv, COURSES_CSV_HEADER, strlen(COURSES_CSV_HEADER)) == 0, "%s", csv);
    ck_assert_ptr_nonnull(strstr(csv, ",Gestão por resultados,health,"));
    http_response_free(&r);

    /* The dashboards: two people in Campo Grande (Lúcia once), three
     * attendances in the cycle. */
    r = http_get(w.dashboard_cg, NULL);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_int_eq(json_long(r.json, "trained_people"), 2);
    http_response_free(&r);
    r = http_get(w.dashboard_cycle, NULL);
    ck_assert_int_eq(r.status, 200);
    const cJSON *training = cJSON_GetObjectItem(r.json, "training");
    ck_assert_int_eq(json_long(training, "courses"), 2);
    ck_assert_int_eq(json_long(training, "course_hours"), 80);
    ck_assert_int_eq(json_long(training, "attendances"), 3);
    ck_assert_int_eq(json_long(training, "trained_people"), 2);
    ck_assert_int_eq(json_long(training, "municipalities_trained"), 1);
    http_response_free(&r);
    char dourados[96];
    snprintf(dourados, sizeof dourados, "/v1/municipalities/" DOURADOS "/dashboard?cycle_id=%ld",
             w.cycle);
    r = http_get(dourados, NULL);
    ck_assert_int_eq(json_long(r.json, "trained_people"), 0);
    http_response_free(&r);

    /* Caio leaves the team: he was trained all the same. */
    snprintf(path, sizeof path, "/v1/municipalities/" CG "/team/%ld", w.caio);
    r = fixture_call("DELETE", path, U_MAYOR_CG, NULL, NULL);
    ck_assert_int_eq(r.status, 204);
    http_response_free(&r);
    r = http_get(w.dashboard_cg, NULL);
    ck_assert_int_eq(json_long(r.json, "trained_people"), 2);
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/courses/%ld/attendance", gestao);
    r = fixture_call("GET", path, U_HEALTH, NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 1);
    http_response_free(&r);
}
END_TEST

START_TEST(who_attended_is_the_states_and_the_municipalitys)
{
    long gestao = health_course("Gestão por resultados");
    ck_assert_int_eq(attend(U_HEALTH, gestao, w.lucia), 201);
    char list[64], item[96], other[96];
    snprintf(list, sizeof list, "/v1/courses/%ld/attendance", gestao);
    snprintf(item, sizeof item, "%s/%ld", list, w.lucia);
    snprintf(other, sizeof other, "%s/%ld", list, w.caio);

    struct http_response r = fixture_call("GET", list, U_EDUCATION, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    const cJSON *items = cJSON_GetObjectItem(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    ck_assert_str_eq(
        cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "name")),
        "Lúcia Prado");
    http_response_free(&r);
    r = fixture_call("GET", list, U_REP_CG, NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 1);
    http_response_free(&r);
    r = fixture_call("GET", item, U_MAYOR_CG, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "municipality_id"), CG);
    http_response_free(&r);
    /* Dourados sees none of Campo Grande's; the public, nothing. */
    r = fixture_call("GET", list, U_MAYOR_DOURADOS, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 0);
    http_response_free(&r);
    r = fixture_call("GET", item, U_MAYOR_DOURADOS, NULL, NULL);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    r = fixture_call("GET", list, U_COUNT, NULL, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    r = fixture_call("GET", other, U_HEALTH, NULL, NULL); /* Caio did not attend */
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    /* CSV for the state. */
    const char *accept[] = {"Accept: text/csv", NULL};
    r = fixture_call("GET", list, U_HEALTH, NULL, accept);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "course_id,team_member_id,municipality_id,"
                                                    "municipality_name,name,program_role,"
                                                    "created_at\r\n"));
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), ",Lúcia Prado,Articuladora,"));
    http_response_free(&r);
}
END_TEST

START_TEST(only_the_courses_area_or_the_coordination_keep_it)
{
    long gestao = health_course("Gestão por resultados");
    char body[256], path[64];
    course_body(body, sizeof body, "Outro", "health", "2027-06-30", 8);
    snprintf(path, sizeof path, "/v1/courses/%ld", gestao);
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = fixture_call("POST", w.courses, U_EDUCATION, body, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = fixture_call("PATCH", path, U_EDUCATION, "{\"hours\":10}", NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    /* Health may not move its course out of its own reach. */
    r = fixture_call("PATCH", path, U_HEALTH, "{\"area\":\"education\"}", NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = fixture_call("DELETE", path, U_EDUCATION, NULL, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    ck_assert_int_eq(attend(U_EDUCATION, gestao, w.lucia), 403);
    ck_assert_int_eq(attend(U_MAYOR_CG, gestao, w.lucia), 403);
    r = fixture_call("POST", w.courses, U_MAYOR_CG, body, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = fixture_call("POST", w.courses, U_COUNT, body, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    fixture_assert_unchanged(before);
    /* The coordination may, in any area. */
    r = fixture_call("PATCH", path, U_COORDINATION, "{\"area\":\"education\",\"hours\":12}", NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "area"), "education");
    http_response_free(&r);
    r = fixture_call("PATCH", path, U_EDUCATION, "{\"hours\":16}", NULL);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
}
END_TEST

START_TEST(a_course_lies_within_its_cycle)
{
    char body[256];
    static const struct {
        const char *starts, *ends, *field;
        int hours;
    } wrong[] = {
        {"2020-01-01", "2027-01-01", "starts_on", 8}, {"2027-06-02", "2027-06-01", "ends_on", 8},
        {"2027-06-02", "2028-01-01", "ends_on", 8},   {"2027-13-01", "2027-12-01", "starts_on", 8},
        {"2027-06-01", "2027-06-02", "hours", 0},     {"2027-06-01", "2027-06-02", "hours", 2001},
    };
    struct fixture_snapshot before = fixture_snapshot();
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        snprintf(body, sizeof body,
                 "{\"title\":\"Curso\",\"area\":\"health\",\"starts_on\":\"%s\","
                 "\"ends_on\":\"%s\",\"hours\":%d}",
                 wrong[i].starts, wrong[i].ends, wrong[i].hours);
        struct http_response r = fixture_call("POST", w.courses, U_HEALTH, body, NULL);
        fixture_expect_invalid(&r, wrong[i].field);
        http_response_free(&r);
    }
    struct http_response r =
        fixture_call("POST", w.courses, U_HEALTH,
                     "{\"title\":\"Curso\",\"area\":\"tourism\",\"starts_on\":\"2027-06-01\","
                     "\"ends_on\":\"2027-06-02\",\"hours\":8,\"attendees\":3}",
                     NULL);
    fixture_expect_invalid(&r, "area");
    fixture_expect_invalid(&r, "attendees");
    http_response_free(&r);
    r = fixture_call("POST", "/v1/cycles/999999/courses", U_HEALTH,
                     "{\"title\":\"Curso\",\"area\":\"health\",\"starts_on\":\"2027-06-01\","
                     "\"ends_on\":\"2027-06-02\",\"hours\":8}",
                     NULL);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(attendance_is_of_a_team_that_adhered_once_per_course)
{
    long gestao = health_course("Gestão por resultados");
    struct fixture_snapshot before = fixture_snapshot();
    char path[64];
    snprintf(path, sizeof path, "/v1/courses/%ld/attendance", gestao);
    char davi[64];
    snprintf(davi, sizeof davi, "{\"team_member_id\":%ld}", w.davi);
    const struct fixture_invalid_body cases[] = {
        {davi, "team_member_id"}, /* Dourados did not adhere */
        {"{\"team_member_id\":999999}", "team_member_id"},
        {"{\"team_member_id\":\"1\"}", "team_member_id"},
        {"{}", "team_member_id"},
        {"{\"team_member_id\":1,\"municipality_id\":\"" CG "\"}", "municipality_id"},
    };
    struct http_request req = {.method = "POST", .path = path, .token = fixture_token(U_HEALTH)};
    fixture_expect_invalid_bodies(&req, cases, sizeof cases / sizeof cases[0]);
    fixture_assert_unchanged(before);
    ck_assert_int_eq(attend(U_HEALTH, gestao, w.lucia), 201);
    before = fixture_snapshot();
    ck_assert_int_eq(attend(U_HEALTH, gestao, w.lucia), 409);
    fixture_assert_unchanged(before);

    /* A course with attendance stays; without it, it goes. */
    char course[64], item[96];
    snprintf(course, sizeof course, "/v1/courses/%ld", gestao);
    snprintf(item, sizeof item, "%s/%ld", path, w.lucia);
    struct http_response r = fixture_call("DELETE", course, U_HEALTH, NULL, NULL);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    long events = fixture_count("audit_events");
    r = fixture_call("DELETE", item, U_HEALTH, NULL, NULL);
    ck_assert_int_eq(r.status, 204);
    http_response_free(&r);
    r = fixture_call("DELETE", course, U_HEALTH, NULL, NULL);
    ck_assert_int_eq(r.status, 204);
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("audit_events"), events + 2);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity ="
                                   " 'course_attendance' AND entity_id = '%ld/%ld'",
                                   gestao, w.lucia),
                     2);
}
END_TEST

Suite *training_suite(void)
{
    Suite *s = suite_create("training");
    TCase *tc = tcase_create("training");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, the_people_a_cycles_courses_trained_are_counted);
    tcase_add_test(tc, who_attended_is_the_states_and_the_municipalitys);
    tcase_add_test(tc, only_the_courses_area_or_the_coordination_keep_it);
    tcase_add_test(tc, a_course_lies_within_its_cycle);
    tcase_add_test(tc, attendance_is_of_a_team_that_adhered_once_per_course);
    suite_add_tcase(s, tc);
    return s;
}
