/*
 * Good practices, through HTTP: Campo Grande's representative proposes what
 * worked in its health plan — active search of pregnant women — with the
 * plan's action, the infant-mortality values that moved, SDG goals and a
 * PDF; it is a draft only Campo Grande sees. Submitted, the state sees it;
 * the education secretariat may not curate it, the health secretariat
 * returns it with a reason, Campo Grande edits it (If-Match) and submits it
 * again, and health publishes it. Then anyone finds it with or without
 * accents, by filters, in pages that neither repeat nor skip, and as CSV;
 * Dourados's plan cites it in an action, and once that plan is submitted
 * the practice counts one adopting municipality and can be neither deleted
 * nor unpublished. Every refusal leaves the database as it was.
 *
 * The cycle, the plans and the indicator values are seeded by SQL as their
 * routes store them (plans_support.h).
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"
#include "plans_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANONYMOUS (-1)

static const char PDF[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n\0\xff%%EOF\n";
#define PDF_LEN (sizeof PDF - 1)

static struct {
    long challenge, tmi, plan_cg, action_cg, plan_dourados;
} w;

/* A cycle of MS with the health challenge; Campo Grande's and Dourados's
 * adhesions and draft plans (Campo Grande's with one action); TMI values of
 * Campo Grande for 2019 and 2023; a population indicator putting Campo
 * Grande in band 7 (over 500,000) and Dourados in band 6. */
static void seed_world(void)
{
    long cycle = fixture_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments) VALUES ('Ciclo 2027', 50,"
        " now() - interval '10 days', now() + interval '30 days', now() + interval '40 days',"
        " now() + interval '60 days', 2027, '[\"Pactuar metas\"]') RETURNING id");
    long vac;
    w.challenge = plans_seed_challenge(cycle, &w.tmi, &vac);
    const char *muni[] = {CG, DOURADOS};
    const char *mayor[] = {fixture_user_id(U_MAYOR_CG), fixture_user_id(U_MAYOR_DOURADOS)};
    long plan[2];
    for (int i = 0; i < 2; i++) {
        long adhesion = fixture_longf(
            "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
            " VALUES (%ld, '%s', 'MS-2026-91000%d', %s, '[\"Pactuar metas\"]') RETURNING id",
            cycle, muni[i], i + 1, mayor[i]);
        plan[i] = fixture_longf(
            "INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id,"
            " created_by) VALUES (%ld, %ld, '%s', %ld, %s) RETURNING id",
            w.challenge, cycle, muni[i], adhesion, mayor[i]);
    }
    w.plan_cg = plan[0];
    w.plan_dourados = plan[1];
    w.action_cg = fixture_longf("INSERT INTO plan_actions (plan_id, position, title)"
                                " VALUES (%ld, 0, 'Busca ativa de gestantes') RETURNING id",
                                w.plan_cg);
    fixture_exec("INSERT INTO indicators (code, name, unit, polarity, source, periodicity, area,"
                 " decimals, is_population) VALUES ('POP', 'População', 'inhabitants',"
                 " 'higher_is_better', 'IBGE', 'annual', 'coordination', 0, true)");
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO indicator_values (indicator_id, municipality_id, period, value) VALUES"
             " (%ld, '" CG "', '2019', 14.2), (%ld, '" CG "', '2023', 9.8),"
             " ((SELECT id FROM indicators WHERE is_population), '" CG "', '2022', 898100),"
             " ((SELECT id FROM indicators WHERE is_population), '" DOURADOS "', '2022', 243367)",
             w.tmi, w.tmi);
    fixture_exec(sql);
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

static long id_of(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
    return (long)v->valuedouble;
}

static struct http_response call(const char *method, int user, const char *path, const char *json,
                                 const char *if_match)
{
    char header[96];
    const char *headers[] = {header, NULL};
    if (if_match)
        snprintf(header, sizeof header, "If-Match: %s", if_match);
    return http_do(&(struct http_request){.method = method,
                                          .path = path,
                                          .token = token_of(user),
                                          .body = json,
                                          .content_type = json && strcmp(method, "PATCH") == 0
                                                              ? "application/merge-patch+json"
                                                              : NULL,
                                          .headers = if_match ? headers : NULL});
}

/* The body of Campo Grande's practice, with Portuguese accents. */
static void practice_body(char *out, size_t n, const char *title)
{
    snprintf(out, n,
             "{\"title\":\"%s\",\"summary\":\"Agentes comunitários de saúde visitam gestantes"
             " para iniciar o pré-natal no primeiro trimestre.\","
             "\"problem\":\"Gestantes chegavam tarde à atenção básica.\","
             "\"results\":\"A mortalidade infantil caiu de 14,2 para 9,8 por mil.\","
             "\"challenge_id\":%ld,\"plan_id\":%ld,\"action_ids\":[%ld],"
             "\"indicator_values\":[{\"indicator_id\":%ld,\"from_period\":\"2019\","
             "\"to_period\":\"2023\"}],\"sdg_goals\":[3,10],\"cost_range\":\"up_to_50k\","
             "\"contact_role\":\"Coordenação da Atenção Básica\"}",
             title, w.challenge, w.plan_cg, w.action_cg, w.tmi);
}

/* Creates Campo Grande's practice as its representative: its id. */
static long propose(const char *title)
{
    char body[1536];
    practice_body(body, sizeof body, title);
    struct http_response r = call("POST", U_REP_CG, "/v1/practices", body, NULL);
    ck_assert_msg(r.status == 201, "create: %ld %s", r.status, buf_cstr(&r.body));
    long id = id_of(r.json, "id");
    char location[64];
    snprintf(location, sizeof location, "/v1/practices/%ld", id);
    ck_assert_str_eq(http_header(&r, "Location"), location);
    ck_assert_str_eq(http_json_string(&r, "status"), "draft");
    http_response_free(&r);
    return id;
}

/* POSTs .../<action> of the practice as user, expecting status. */
static void act(long id, const char *action, int user, const char *body, long status)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/practices/%ld/%s", id, action);
    struct http_response r = call("POST", user, path, body, NULL);
    ck_assert_msg(r.status == status, "%s as %d: %ld %s", action, user, r.status,
                  buf_cstr(&r.body));
    http_response_free(&r);
}

static long get_status(long id, int user)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/practices/%ld", id);
    return fixture_get_status(path, token_of(user));
}

/* The ids of a list's page, in order, written "1,2,3" into out. */
static void page_ids(const struct http_response *r, char *out, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r->json, "items"))
    {
        len += (size_t)snprintf(out + len, n - len, "%s%ld", len ? "," : "", id_of(it, "id"));
        ck_assert(len < n);
    }
}

/* The ids GET path answers user with, as page_ids writes them. */
static void list_ids(const char *path, int user, char *out, size_t n)
{
    struct http_response r = http_get(path, token_of(user));
    ck_assert_msg(r.status == 200, "GET %s: %ld %s", path, r.status, buf_cstr(&r.body));
    page_ids(&r, out, n);
    http_response_free(&r);
}

/* Proposes, submits and publishes a practice: its id. */
static long published(const char *title)
{
    long id = propose(title);
    act(id, "submit", U_REP_CG, NULL, 200);
    act(id, "publish", U_HEALTH, NULL, 200);
    return id;
}

START_TEST(a_practice_is_proposed_curated_and_published)
{
    long id = propose("Busca ativa de gestantes");
    char path[96], ids[64];
    snprintf(path, sizeof path, "/v1/practices/%ld", id);
    struct http_response r = http_get(path, fixture_token(U_MAYOR_CG));
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "municipality_id"), CG);
    ck_assert_str_eq(http_json_string(&r, "state"), "MS");
    ck_assert_int_eq(id_of(r.json, "population_band"), 7);
    ck_assert_int_eq(id_of(r.json, "adopted_by"), 0);
    const cJSON *moved = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "indicator_values"), 0);
    ck_assert_double_eq_tol(cJSON_GetObjectItem(moved, "from_value")->valuedouble, 14.2, 1e-9);
    ck_assert_double_eq_tol(cJSON_GetObjectItem(moved, "to_value")->valuedouble, 9.8, 1e-9);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "sdg_goals")), 2);
    http_response_free(&r);

    /* A draft is Campo Grande's alone. */
    ck_assert_int_eq(get_status(id, ANONYMOUS), 404);
    ck_assert_int_eq(get_status(id, U_MAYOR_DOURADOS), 404);
    ck_assert_int_eq(get_status(id, U_HEALTH), 404);
    list_ids("/v1/practices", ANONYMOUS, ids, sizeof ids);
    ck_assert_str_eq(ids, "");

    /* Submitted, the state sees it; it is not public yet. */
    act(id, "submit", U_REP_CG, NULL, 200);
    ck_assert_int_eq(get_status(id, U_HEALTH), 200);
    ck_assert_int_eq(get_status(id, ANONYMOUS), 404);
    act(id, "submit", U_REP_CG, NULL, 409);

    /* Another area may not curate it; another municipality may not touch it. */
    struct fixture_snapshot before = fixture_snapshot();
    act(id, "publish", U_EDUCATION, NULL, 403);
    act(id, "return", U_EDUCATION, "{\"reason\":\"Faltam dados\"}", 403);
    act(id, "publish", U_MAYOR_CG, NULL, 403);
    act(id, "return", U_HEALTH, "{}", 422);
    fixture_assert_unchanged(before);

    /* Returned with a reason, edited back to draft with If-Match, submitted
     * and published. */
    act(id, "return", U_HEALTH, "{\"reason\":\"Descreva o custo com mais detalhe.\"}", 200);
    r = http_get(path, fixture_token(U_REP_CG));
    ck_assert_str_eq(http_json_string(&r, "status"), "returned");
    ck_assert_str_eq(http_json_string(&r, "return_reason"), "Descreva o custo com mais detalhe.");
    char etag[64];
    snprintf(etag, sizeof etag, "%s", http_header(&r, "ETag"));
    http_response_free(&r);

    before = fixture_snapshot();
    r = call("PATCH", U_REP_CG, path, "{\"cost_range\":\"none\"}", NULL);
    http_expect_problem(&r, 428, "precondition-required");
    http_response_free(&r);
    r = call("PATCH", U_REP_CG, path, "{\"cost_range\":\"none\"}", "\"1\"");
    http_expect_problem(&r, 412, "precondition-failed");
    http_response_free(&r);
    r = call("PATCH", U_MAYOR_DOURADOS, path, "{\"cost_range\":\"none\"}", etag);
    http_expect_problem(&r, 404, "not-found"); /* returned: not Dourados's to know of */
    http_response_free(&r);
    fixture_assert_unchanged(before);

    r = call("PATCH", U_REP_CG, path, "{\"cost_range\":\"none\"}", etag);
    ck_assert_msg(r.status == 200, "patch: %ld %s", r.status, buf_cstr(&r.body));
    ck_assert_str_eq(http_json_string(&r, "status"), "draft");
    ck_assert_str_eq(http_json_string(&r, "cost_range"), "none");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "return_reason")));
    /* The merged document keeps what the patch left out. */
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "action_ids")), 1);
    http_response_free(&r);

    act(id, "submit", U_REP_CG, NULL, 200);
    act(id, "publish", U_HEALTH, NULL, 200);
    r = http_get(path, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "status"), "published");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "return_reason")));
    http_response_free(&r);
    /* Published, Campo Grande no longer edits it. */
    r = http_get(path, fixture_token(U_REP_CG));
    snprintf(etag, sizeof etag, "%s", http_header(&r, "ETag"));
    http_response_free(&r);
    r = call("PATCH", U_REP_CG, path, "{\"cost_range\":\"up_to_50k\"}", etag);
    http_expect_problem(&r, 409, "invalid-transition");
    http_response_free(&r);

    /* Each step is one audit event. */
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity = 'practice'"
                                   " AND entity_id = '%ld'",
                                   id),
                     6);
}
END_TEST

START_TEST(bad_input_names_the_field_and_changes_nothing)
{
    struct fixture_snapshot before = fixture_snapshot();
    char body[1536];
    snprintf(body, sizeof body,
             "{\"title\":\"T\",\"summary\":\"S\",\"problem\":\"P\",\"results\":\"R\","
             "\"challenge_id\":%ld,\"action_ids\":[%ld],\"sdg_goals\":[0,3,3],"
             "\"cost_range\":\"cheap\",\"contact_role\":\"Secretaria\","
             "\"indicator_values\":[{\"indicator_id\":%ld,\"from_period\":\"2023\","
             "\"to_period\":\"2019\"},{\"indicator_id\":999999,\"from_period\":\"2019\"}],"
             "\"status\":\"published\"}",
             w.challenge, w.action_cg, w.tmi);
    struct http_response r = call("POST", U_REP_CG, "/v1/practices", body, NULL);
    ck_assert_int_eq(r.status, 422);
    ck_assert(fixture_names_error(&r, "sdg_goals[0]", 0));
    ck_assert(fixture_names_error(&r, "sdg_goals[2]", 0));
    ck_assert(fixture_names_error(&r, "cost_range", 0));
    ck_assert(fixture_names_error(&r, "status", 0));
    ck_assert(fixture_names_error(&r, "indicator_values[0].to_period", 0));
    ck_assert(fixture_names_error(&r, "indicator_values[1].to_period", 0));
    http_response_free(&r);

    /* What the form cannot tell: an action without its plan, another
     * municipality's plan, a period without a value, an unknown indicator. */
    snprintf(body, sizeof body,
             "{\"title\":\"T\",\"summary\":\"S\",\"problem\":\"P\",\"results\":\"R\","
             "\"challenge_id\":%ld,\"action_ids\":[%ld],\"sdg_goals\":[3],"
             "\"cost_range\":\"none\",\"contact_role\":\"Secretaria\","
             "\"indicator_values\":[{\"indicator_id\":%ld,\"from_period\":\"2018\","
             "\"to_period\":\"2023\"},{\"indicator_id\":999999,\"from_period\":\"2019\","
             "\"to_period\":\"2020\"}]}",
             w.challenge, w.action_cg, w.tmi);
    r = call("POST", U_REP_CG, "/v1/practices", body, NULL);
    ck_assert_int_eq(r.status, 422);
    ck_assert(fixture_names_error(&r, "action_ids[0]", 0));
    ck_assert(fixture_names_error(&r, "indicator_values[0].from_period", 0));
    ck_assert(fixture_names_error(&r, "indicator_values[1].indicator_id", 0));
    ck_assert(!fixture_names_error(&r, "indicator_values[0].to_period", 0));
    http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"title\":\"T\",\"summary\":\"S\",\"problem\":\"P\",\"results\":\"R\","
             "\"challenge_id\":%ld,\"plan_id\":%ld,\"sdg_goals\":[3],"
             "\"cost_range\":\"none\",\"contact_role\":\"Secretaria\"}",
             w.challenge, w.plan_dourados);
    r = call("POST", U_REP_CG, "/v1/practices", body, NULL);
    fixture_expect_invalid(&r, "plan_id");
    http_response_free(&r);
    r = call("POST", U_REP_CG, "/v1/practices", "{\"sdg_goals\":[]}", NULL);
    ck_assert_int_eq(r.status, 422);
    ck_assert(fixture_names_error(&r, "sdg_goals", 0));
    ck_assert(fixture_names_error(&r, "title", 0));
    ck_assert(fixture_names_error(&r, "challenge_id", 0));
    http_response_free(&r);

    /* The state and the public do not propose. */
    r = call("POST", U_HEALTH, "/v1/practices", body, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = call("POST", ANONYMOUS, "/v1/practices", body, NULL);
    fixture_expect_unauthenticated(&r);
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(search_finds_published_practices_without_minding_accents)
{
    long vacina = published("Vacinação nas escolas");
    long gestantes = published("Busca ativa de gestantes");
    long draft = propose("Vacinação em casa");
    char ids[128], expect[64];
    snprintf(expect, sizeof expect, "%ld", vacina);
    /* Without accents, with them, in capitals. */
    list_ids("/v1/practices?q=vacinacao", ANONYMOUS, ids, sizeof ids);
    ck_assert_str_eq(ids, expect);
    list_ids("/v1/practices?q=Vacina%C3%A7%C3%A3o", ANONYMOUS, ids, sizeof ids);
    ck_assert_str_eq(ids, expect);
    list_ids("/v1/practices?q=ESCOLAS", ANONYMOUS, ids, sizeof ids);
    ck_assert_str_eq(ids, expect);
    /* The draft is its municipality's: Campo Grande finds it too. */
    snprintf(expect, sizeof expect, "%ld,%ld", vacina, draft);
    list_ids("/v1/practices?q=vacinacao", U_REP_CG, ids, sizeof ids);
    ck_assert_str_eq(ids, expect);
    /* The title weighs more than the summary: both mention "gestantes". */
    snprintf(expect, sizeof expect, "%ld,%ld", gestantes, vacina);
    list_ids("/v1/practices?q=gestantes", ANONYMOUS, ids, sizeof ids);
    ck_assert_str_eq(ids, expect);
    /* websearch syntax: a phrase, an exclusion; odd input is just words. */
    snprintf(expect, sizeof expect, "%ld", gestantes);
    list_ids("/v1/practices?q=gestantes%20-vacina%C3%A7%C3%A3o", ANONYMOUS, ids, sizeof ids);
    ck_assert_str_eq(ids, expect);
    list_ids("/v1/practices?q=%22busca%20ativa%22", ANONYMOUS, ids, sizeof ids);
    ck_assert_str_eq(ids, expect);
    list_ids("/v1/practices?q=%28%28%26%7C%21%3A%2A%22", ANONYMOUS, ids, sizeof ids);
    ck_assert_str_eq(ids, "");
    list_ids("/v1/practices?q=de", ANONYMOUS, ids, sizeof ids); /* a stop word alone */
    ck_assert_str_eq(ids, "");
    ck_assert_int_eq(fixture_get_status("/v1/practices?q=%FF", NULL), 400);
    ck_assert_int_eq(fixture_get_status("/v1/practices?q=a%01b", NULL), 400);

    /* Filters. */
    snprintf(expect, sizeof expect, "%ld,%ld", vacina, gestantes);
    list_ids("/v1/practices?sdg=3&state=MS&population_band=7&municipality_id=" CG, ANONYMOUS, ids,
             sizeof ids);
    ck_assert_str_eq(ids, expect);
    list_ids("/v1/practices?sdg=4", ANONYMOUS, ids, sizeof ids);
    ck_assert_str_eq(ids, "");
    list_ids("/v1/practices?population_band=6", ANONYMOUS, ids, sizeof ids);
    ck_assert_str_eq(ids, "");
    list_ids("/v1/practices?state=SP", ANONYMOUS, ids, sizeof ids);
    ck_assert_str_eq(ids, "");
    char path[96];
    snprintf(path, sizeof path, "/v1/practices?challenge_id=%ld&q=escola", w.challenge);
    snprintf(expect, sizeof expect, "%ld", vacina);
    list_ids(path, ANONYMOUS, ids, sizeof ids);
    ck_assert_str_eq(ids, expect);
    ck_assert_int_eq(fixture_get_status("/v1/practices?sdg=18", NULL), 400);
    ck_assert_int_eq(fixture_get_status("/v1/practices?population_band=8", NULL), 400);
    ck_assert_int_eq(fixture_get_status("/v1/practices?state=ms", NULL), 400);
    ck_assert_int_eq(fixture_get_status("/v1/practices?sort=rank", NULL), 400);

    /* CSV: the whole list. */
    struct http_response r =
        http_do(&(struct http_request){.method = "GET",
                                       .path = "/v1/practices?q=vacinacao",
                                       .headers = (const char *[]){"Accept: text/csv", NULL}});
    ck_assert_int_eq(r.status, 200);
    ck_assert(strstr(buf_cstr(&r.body), "id,municipality_id,municipality_name,state,") != NULL);
    ck_assert(strstr(buf_cstr(&r.body), "Vacinação nas escolas") != NULL);
    ck_assert(strstr(buf_cstr(&r.body), "3;10") != NULL);
    http_response_free(&r);
}
END_TEST

START_TEST(pages_of_a_search_neither_repeat_nor_skip)
{
    /* Seven published practices, some ranking alike, by SQL as the
     * workflow leaves them. */
    for (int i = 0; i < 7; i++)
        fixture_longf(
            "INSERT INTO practices (municipality_id, challenge_id, title, summary, problem,"
            " results, sdg_goals, cost_range, contact_role, status, published_at, created_by)"
            " VALUES ('" CG "', %ld, '%s', 'Saúde na escola %d', 'Problema', 'Resultados',"
            " '{3}', 'none', 'Secretaria de Saúde', 'published', now(), %s) RETURNING id",
            w.challenge, i % 3 ? "Saúde bucal" : "Saúde bucal e saúde da família", i,
            fixture_user_id(U_REP_CG));
    char all[128], paged[128] = "", path[512];
    list_ids("/v1/practices?q=saude&limit=500", ANONYMOUS, all, sizeof all);
    snprintf(path, sizeof path, "/v1/practices?q=saude&limit=2");
    for (int pages = 0; pages < 10; pages++) {
        struct http_response r = http_get(path, NULL);
        ck_assert_int_eq(r.status, 200);
        char ids[64];
        page_ids(&r, ids, sizeof ids);
        if (*ids)
            snprintf(paged + strlen(paged), sizeof paged - strlen(paged), "%s%s", *paged ? "," : "",
                     ids);
        const char *next = http_json_string(&r, "next_cursor");
        if (!next) {
            http_response_free(&r);
            break;
        }
        snprintf(path, sizeof path, "/v1/practices?q=saude&limit=2&cursor=%s", next);
        http_response_free(&r);
    }
    ck_assert_str_eq(paged, all);
    ck_assert_int_eq((int)strlen(all) > 0, 1);
    /* The practices with "saúde" twice in the title rank first. */
    long first = atol(all);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM practices WHERE id = %ld"
                                   " AND title LIKE '%%família'",
                                   first),
                     1);
}
END_TEST

START_TEST(files_are_attached_to_a_draft_and_public_once_published)
{
    long id = propose("Busca ativa de gestantes");
    char path[96];
    snprintf(path, sizeof path, "/v1/practices/%ld/files", id);
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r =
        http_do(&(struct http_request){.method = "POST",
                                       .path = path,
                                       .token = fixture_token(U_MAYOR_DOURADOS),
                                       .content_type = "application/pdf",
                                       .body = PDF,
                                       .body_len = PDF_LEN});
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    r = http_do(&(struct http_request){.method = "POST",
                                       .path = path,
                                       .token = fixture_token(U_REP_CG),
                                       .content_type = "image/png",
                                       .body = PDF,
                                       .body_len = PDF_LEN});
    http_expect_problem(&r, 422, "file-type-mismatch");
    http_response_free(&r);
    fixture_assert_unchanged(before);
    r = http_do(&(struct http_request){.method = "POST",
                                       .path = path,
                                       .token = fixture_token(U_REP_CG),
                                       .content_type = "application/pdf",
                                       .body = PDF,
                                       .body_len = PDF_LEN});
    ck_assert_msg(r.status == 201, "upload: %ld %s", r.status, buf_cstr(&r.body));
    long file = id_of(r.json, "id");
    char location[128];
    snprintf(location, sizeof location, "/v1/practices/%ld/files/%ld", id, file);
    ck_assert_str_eq(http_header(&r, "Location"), location);
    http_response_free(&r);

    ck_assert_int_eq(fixture_get_status(location, NULL), 404);
    ck_assert_int_eq(fixture_get_status(location, fixture_token(U_REP_CG)), 200);
    act(id, "submit", U_REP_CG, NULL, 200);
    act(id, "publish", U_HEALTH, NULL, 200);
    r = http_get(location, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body.len, PDF_LEN);
    ck_assert(memcmp(r.body.data, PDF, PDF_LEN) == 0);
    ck_assert(strstr(http_header(&r, "Content-Disposition"), "attachment") != NULL);
    http_response_free(&r);
    /* Published: no more files. */
    r = http_do(&(struct http_request){.method = "POST",
                                       .path = path,
                                       .token = fixture_token(U_REP_CG),
                                       .content_type = "application/pdf",
                                       .body = PDF,
                                       .body_len = PDF_LEN});
    http_expect_problem(&r, 409, "invalid-transition");
    http_response_free(&r);
}
END_TEST

/* Dourados's plan document with one action citing practice `id`. */
static struct http_response cite(long practice)
{
    char path[64], body[256], etag[64];
    snprintf(path, sizeof path, "/v1/action-plans/%ld", w.plan_dourados);
    struct http_response r = http_get(path, fixture_token(U_MAYOR_DOURADOS));
    ck_assert_int_eq(r.status, 200);
    snprintf(etag, sizeof etag, "%s", http_header(&r, "ETag"));
    http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"actions\":[{\"title\":\"Busca ativa, como Campo Grande\",\"practice_id\":%ld}]}",
             practice);
    return call("PATCH", U_MAYOR_DOURADOS, path, body, etag);
}

START_TEST(a_plan_action_adopts_a_published_practice)
{
    long id = published("Busca ativa de gestantes");
    long draft = propose("Vacinação em casa");
    char path[64];
    snprintf(path, sizeof path, "/v1/practices/%ld", id);

    /* Only a published practice is cited. */
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = cite(draft);
    fixture_expect_invalid(&r, "actions[0].practice_id");
    http_response_free(&r);
    r = cite(987654);
    fixture_expect_invalid(&r, "actions[0].practice_id");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    r = cite(id);
    ck_assert_msg(r.status == 200, "cite: %ld %s", r.status, buf_cstr(&r.body));
    const cJSON *action = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "actions"), 0);
    ck_assert_int_eq(id_of(action, "practice_id"), id);
    http_response_free(&r);

    /* Campo Grande's own plan citing its practice is no adoption. */
    fixture_longf("UPDATE plan_actions SET practice_id = %ld WHERE id = %ld RETURNING id", id,
                  w.action_cg);
    fixture_longf("UPDATE action_plans SET status = 'submitted' WHERE id = %ld RETURNING id",
                  w.plan_cg);
    /* A draft plan does not count; a submitted one does. */
    r = http_get(path, NULL);
    ck_assert_int_eq(id_of(r.json, "adopted_by"), 0);
    http_response_free(&r);
    fixture_longf("UPDATE action_plans SET status = 'submitted', submitted_at = now()"
                  " WHERE id = %ld RETURNING id",
                  w.plan_dourados);
    r = http_get(path, NULL);
    ck_assert_int_eq(id_of(r.json, "adopted_by"), 1);
    http_response_free(&r);

    /* Cited: neither deleted nor unpublished. */
    before = fixture_snapshot();
    r = call("DELETE", U_REP_CG, path, NULL, NULL);
    http_expect_problem(&r, 409, "practice-cited");
    http_response_free(&r);
    act(id, "return", U_HEALTH, "{\"reason\":\"Despublicar\"}", 409);
    r = call("DELETE", U_MAYOR_DOURADOS, path, NULL, NULL);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    /* An uncited practice is unpublished, then deleted. */
    long other = published("Vacinação nas escolas");
    act(other, "return", U_COORDINATION, "{\"reason\":\"Dados a conferir\"}", 200);
    ck_assert_int_eq(get_status(other, ANONYMOUS), 404);
    snprintf(path, sizeof path, "/v1/practices/%ld", other);
    r = call("DELETE", U_REP_CG, path, NULL, NULL);
    ck_assert_int_eq(r.status, 204);
    http_response_free(&r);
    ck_assert_int_eq(get_status(other, U_REP_CG), 404);
}
END_TEST

START_TEST(a_retried_proposal_is_one_practice_and_a_patch_is_judged_whole)
{
    char body[1536];
    practice_body(body, sizeof body, "Busca ativa de gestantes");
    const char *headers[] = {"Idempotency-Key: 6f1c0e0a-practice-retry", NULL};
    fixture_expect_replayed(&(struct http_request){.method = "POST",
                                                   .path = "/v1/practices",
                                                   .token = fixture_token(U_REP_CG),
                                                   .body = body,
                                                   .headers = headers},
                            "practices");
    long id = fixture_long("SELECT max(id) FROM practices");
    char path[64], etag[64];
    snprintf(path, sizeof path, "/v1/practices/%ld", id);
    struct http_response r = http_get(path, fixture_token(U_REP_CG));
    snprintf(etag, sizeof etag, "%s", http_header(&r, "ETag"));
    http_response_free(&r);
    /* Leaving the plan keeps its actions, which then name no plan: the
     * merged document is judged, not the patch alone. */
    struct fixture_snapshot before = fixture_snapshot();
    r = call("PATCH", U_REP_CG, path, "{\"plan_id\":null}", etag);
    fixture_expect_invalid(&r, "action_ids[0]");
    http_response_free(&r);
    r = call("PATCH", U_REP_CG, path, "{\"sdg_goals\":null,\"title\":null}", etag);
    ck_assert_int_eq(r.status, 422);
    ck_assert(fixture_names_error(&r, "sdg_goals", 0));
    ck_assert(fixture_names_error(&r, "title", 0));
    http_response_free(&r);
    fixture_assert_unchanged(before);
    r = call("PATCH", U_REP_CG, path, "{\"plan_id\":null,\"action_ids\":null}", etag);
    ck_assert_msg(r.status == 200, "patch: %ld %s", r.status, buf_cstr(&r.body));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "plan_id")));
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "action_ids")), 0);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "indicator_values")), 1);
    http_response_free(&r);
}
END_TEST

Suite *practices_suite(void)
{
    Suite *s = suite_create("practices");
    TCase *tc = tcase_create("practices");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, a_practice_is_proposed_curated_and_published);
    tcase_add_test(tc, bad_input_names_the_field_and_changes_nothing);
    tcase_add_test(tc, search_finds_published_practices_without_minding_accents);
    tcase_add_test(tc, pages_of_a_search_neither_repeat_nor_skip);
    tcase_add_test(tc, files_are_attached_to_a_draft_and_public_once_published);
    tcase_add_test(tc, a_plan_action_adopts_a_published_practice);
    tcase_add_test(tc, a_retried_proposal_is_one_practice_and_a_patch_is_judged_whole);
    suite_add_tcase(s, tc);
    return s;
}
