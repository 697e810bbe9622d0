/*
 * Integration tests for writing action plans (issue 9, "Action plans"): the
 * representative of Campo Grande, focal for the health challenge SAU-01,
 * drafts the municipality's plan from two published initiatives of the
 * challenge's portfolio and one action of its own; the plan starts from the
 * municipality's suggested target. The representative and the mayor edit it
 * with its ETag (PUT and merge-patch PATCH), and a stale or missing If-Match
 * is refused. Another municipality's mayor does not find the draft, a
 * secretariat may read but not write, anonymous callers see only public
 * plans, and without their personal data. A plan is refused to a
 * municipality without an adhesion, one that is not focal, after the
 * deadline, twice, and in a closed cycle; a submitted or approved plan is
 * locked; a returned one goes back to draft when edited. Every refusal
 * leaves the database as it was.
 *
 * The cycle, the challenge, its indicator, focalization and targets have
 * suites of their own, and so have the portfolio's initiatives, a plan's
 * submission and review: this suite seeds their rows with SQL (seed_world,
 * set_status), as those endpoints would store them.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    long cycle, challenge, indicator, other_indicator, program, training, draft_initiative;
    char create[96], list[96];
} w;

/* An initiative of the challenge's portfolio, as its endpoints store one. */
static long initiative(const char *title, const char *type, bool published)
{
    return fixture_longf("INSERT INTO initiatives (challenge_id, title, area, type, published)"
                         " VALUES (%ld, '%s', 'health', '%s', %s) RETURNING id",
                         w.challenge, title, type, published ? "true" : "false");
}

/* A cycle of Mato Grosso do Sul in its adhesion window (plans due in 30
 * days), Campo Grande adhered (its mayor signs through the API); the health
 * challenge SAU-01 with a main indicator (infant mortality) and a
 * complementary one, Campo Grande focal by a manual decision, its suggested
 * target 12.5; the portfolio: two published initiatives and a draft. */
static void seed_world(void)
{
    w.cycle = fixture_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments) VALUES ('Ciclo 2027', 50,"
        " now() - interval '1 day', now() + interval '1 day', now() + interval '2 days',"
        " now() + interval '30 days', 2027, '[\"Pactuar metas\"]') RETURNING id");
    char path[96];
    snprintf(path, sizeof path, "/v1/cycles/%ld/adhesions", w.cycle);
    struct http_response r =
        http_post(path, fixture_token(U_MAYOR_CG),
                  "{\"mayor_cpf\":\"" CG_MAYOR_CPF "\",\"accepted_commitments\":true}");
    ck_assert_msg(r.status == 201, "adhesion: %ld %s", r.status, buf_cstr(&r.body));
    http_response_free(&r);
    w.indicator = fixture_long(
        "INSERT INTO indicators (code, name, unit, polarity, source, periodicity, decimals,"
        " min_value, area, scale) VALUES ('TMI', 'Mortalidade infantil',"
        " 'per 1,000 live births', 'lower_is_better', 'DATASUS', 'annual', 1, 0,"
        " 'health', 1000) RETURNING id");
    w.other_indicator = fixture_long(
        "INSERT INTO indicators (code, name, unit, polarity, source, periodicity, decimals,"
        " min_value, area) VALUES ('NASC', 'Nascidos vivos', 'births', 'higher_is_better',"
        " 'DATASUS', 'annual', 0, 0, 'health') RETURNING id");
    w.challenge = fixture_longf(
        "INSERT INTO challenges (cycle_id, code, title, area, responsible_area)"
        " VALUES (%ld, 'SAU-01', 'Saúde da criança', 'health', 'health') RETURNING id",
        w.cycle);
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO challenge_indicators (challenge_id, indicator_id, role) VALUES"
             " (%ld, %ld, 'main'), (%ld, %ld, 'complementary');"
             "INSERT INTO focal_overrides (challenge_id, municipality_id, focal, reason)"
             " VALUES (%ld, '" CG "', true, 'Seen on a visit');"
             "INSERT INTO state_targets (challenge_id, indicator_id, target_value, target_year,"
             " rule, rule_value) VALUES (%ld, %ld, 10, 2027, 'gap_closure', 0.5);"
             "INSERT INTO suggested_targets (challenge_id, indicator_id, municipality_id,"
             " baseline_value, baseline_period, suggested_value, status)"
             " VALUES (%ld, %ld, '" CG "', 15, '2023', 12.5, 'suggested')",
             w.challenge, w.indicator, w.challenge, w.other_indicator, w.challenge, w.challenge,
             w.indicator, w.challenge, w.indicator);
    fixture_exec(sql);
    w.program = initiative("Busca ativa de gestantes", "program", true);
    w.training = initiative("Capacitação em puericultura", "training", true);
    w.draft_initiative = initiative("Teleconsulta pediátrica", "other", false);
    snprintf(w.create, sizeof w.create, "/v1/challenges/%ld/action-plans", w.challenge);
    snprintf(w.list, sizeof w.list, "/v1/cycles/%ld/action-plans", w.cycle);
}

static void setup(void)
{
    fixture_reset();
    seed_world();
}

/* Two actions from the portfolio, one of the municipality's own. */
static void first_draft(char *out, size_t n)
{
    snprintf(out, n,
             "{\"summary\":\"Reduzir a mortalidade infantil em Campo Grande\","
             "\"actions\":["
             "{\"initiative_id\":%ld,\"title\":\"Busca ativa de gestantes\","
             "\"responsible_person\":\"Ana Souza\",\"responsible_unit\":\"SESAU\","
             "\"start_date\":\"2026-12-01\",\"end_date\":\"2027-06-30\","
             "\"resources\":[{\"amount_cents\":5000000,\"source\":\"municipal\"},"
             "{\"amount_cents\":2500000,\"source\":\"state\",\"description\":\"Convênio\"}],"
             "\"deliveries\":[{\"title\":\"Gestantes cadastradas\",\"due_date\":\"2027-03-31\","
             "\"evidence_expected\":\"Relatório do e-SUS\",\"weight\":2}]},"
             "{\"initiative_id\":%ld,\"title\":\"Capacitação das equipes\","
             "\"deliveries\":[{\"title\":\"Turma 1\"},{\"title\":\"Turma 2\"}]},"
             "{\"title\":\"Mutirão de consultas de puericultura\","
             "\"responsible_person\":\"Carlos Lima\"}]}",
             w.program, w.training);
}

/* The ETag of r, copied. */
static void etag_of(struct http_response *r, char out[96])
{
    const char *tag = http_header(r, "ETag");
    ck_assert_msg(tag != NULL, "no ETag");
    snprintf(out, 96, "%s", tag);
}

static const cJSON *member(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    ck_assert_msg(v != NULL, "no %s", name);
    return v;
}

static double number(const cJSON *obj, const char *name)
{
    const cJSON *v = member(obj, name);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
    return v->valuedouble;
}

static const cJSON *item(const cJSON *obj, const char *name, int i)
{
    const cJSON *v = cJSON_GetArrayItem(member(obj, name), i);
    ck_assert_msg(v != NULL, "no %s[%d]", name, i);
    return v;
}

/* Creates Campo Grande's plan as its representative; writes its path. */
static long create_plan(const char *body, char path[64])
{
    struct http_response r = fixture_call("POST", w.create, U_REP_CG, body, NULL);
    ck_assert_msg(r.status == 201, "POST %s: %ld %s", w.create, r.status, buf_cstr(&r.body));
    long id = (long)number(r.json, "id");
    snprintf(path, 64, "/v1/action-plans/%ld", id);
    ck_assert_str_eq(http_header(&r, "Location"), path);
    http_response_free(&r);
    return id;
}

/* Puts the plan in a status its workflow's endpoints would have left it in. */
static void set_status(long plan, const char *status)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE action_plans SET status = '%s', versions = 1, submitted_at = now(),"
             " version = version + 1 WHERE id = %ld",
             status, plan);
    fixture_exec(sql);
}

/* The plan's ETag as `who` reads it now. */
static void current_etag(const char *path, enum fixture_user who, char out[96])
{
    struct http_response r = fixture_call("GET", path, who, NULL, NULL);
    ck_assert_msg(r.status == 200, "GET %s: %ld", path, r.status);
    etag_of(&r, out);
    http_response_free(&r);
}

static bool has_action(const cJSON *plan, const char *name)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(
                              plan, "allowed_actions")) if (strcmp(cJSON_GetStringValue(a), name) ==
                                                            0) return true;
    return false;
}

START_TEST(a_focal_municipality_drafts_its_plan_from_the_portfolio)
{
    char body[2048], path[64];
    first_draft(body, sizeof body);
    long audit = fixture_count("audit_events");
    long plan = create_plan(body, path);
    ck_assert_int_eq(fixture_count("audit_events"), audit + 1);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity ="
                                   " 'action_plan' AND action = 'create' AND entity_id = '%ld'",
                                   plan),
                     1);

    struct http_response r = fixture_call("GET", path, U_REP_CG, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "status"), "draft");
    ck_assert_str_eq(http_json_string(&r, "municipality_id"), CG);
    ck_assert_str_eq(http_json_string(&r, "challenge_code"), "SAU-01");
    ck_assert(has_action(r.json, "edit") && has_action(r.json, "submit"));
    /* without targets in the body: the suggested target */
    const cJSON *target = item(r.json, "targets", 0);
    ck_assert_int_eq((long)number(target, "indicator_id"), w.indicator);
    ck_assert_double_eq_tol(number(target, "target_value"), 12.5, 1e-9);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "actions")), 3);
    const cJSON *first = item(r.json, "actions", 0);
    ck_assert_int_eq((long)number(first, "initiative_id"), w.program);
    ck_assert_str_eq(cJSON_GetStringValue(member(first, "responsible_person")), "Ana Souza");
    ck_assert_int_eq(cJSON_GetArraySize(member(first, "resources")), 2);
    ck_assert(cJSON_IsNull(member(item(r.json, "actions", 2), "initiative_id")));
    ck_assert_double_eq_tol(number(r.json, "total_amount_cents"), 7500000, 0.5);
    char tag[96];
    etag_of(&r, tag);
    long keep = (long)number(first, "id");
    long delivery = (long)number(item(first, "deliveries", 0), "id");
    long dropped = (long)number(item(r.json, "actions", 1), "id");
    http_response_free(&r);

    /* reading again with the tag: 304 */
    char inm[128];
    snprintf(inm, sizeof inm, "If-None-Match: %s", tag);
    r = fixture_call("GET", path, U_REP_CG, NULL, (const char *[]){inm, NULL});
    ck_assert_int_eq(r.status, 304);
    http_response_free(&r);

    /* The mayor replaces the document: the first action kept by its id
     * (its delivery too, renamed), the portfolio's training dropped, the own
     * action kept as a new one, a target of their own with a justification. */
    snprintf(body, sizeof body,
             "{\"targets\":[{\"indicator_id\":%ld,\"target_value\":13.5,"
             "\"justification\":\"A rede tem duas maternidades a menos\"}],"
             "\"actions\":[{\"title\":\"Mutirão de consultas\"},"
             "{\"id\":%ld,\"initiative_id\":%ld,\"title\":\"Busca ativa de gestantes\","
             "\"deliveries\":[{\"id\":%ld,\"title\":\"Gestantes cadastradas no e-SUS\"},"
             "{\"title\":\"Visitas domiciliares\",\"due_date\":\"2027-02-28\"}]}]}",
             w.indicator, keep, w.program, delivery);
    char im[128];
    snprintf(im, sizeof im, "If-Match: %s", tag);
    r = fixture_call("PUT", path, U_MAYOR_CG, body, (const char *[]){im, NULL});
    ck_assert_msg(r.status == 200, "PUT: %ld %s", r.status, buf_cstr(&r.body));
    ck_assert(cJSON_IsNull(member(r.json, "summary"))); /* absent: emptied */
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "actions")), 2);
    const cJSON *kept = item(r.json, "actions", 1);
    ck_assert_int_eq((long)number(kept, "id"), keep);
    ck_assert_int_eq((long)number(item(kept, "deliveries", 0), "id"), delivery);
    ck_assert_str_eq(cJSON_GetStringValue(member(item(kept, "deliveries", 0), "title")),
                     "Gestantes cadastradas no e-SUS");
    ck_assert_int_eq(cJSON_GetArraySize(member(kept, "resources")), 0); /* replaced: none */
    ck_assert_double_eq_tol(number(item(r.json, "targets", 0), "target_value"), 13.5, 1e-9);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM plan_actions WHERE id = %ld", dropped), 0);
    /* the public list's counts follow the content */
    ck_assert_int_eq(fixture_longf("SELECT actions_count * 1000 + deliveries_count"
                                   " + total_amount_cents FROM action_plans WHERE id = %ld",
                                   plan),
                     2002);
    char put_tag[96];
    etag_of(&r, put_tag);
    ck_assert_str_ne(put_tag, tag);
    http_response_free(&r);

    /* A merge patch of the summary leaves the rest as it is. */
    snprintf(im, sizeof im, "If-Match: %s", put_tag);
    r = fixture_call("PATCH", path, U_REP_CG, "{\"summary\":\"Plano revisto\"}",
                     (const char *[]){im, NULL});
    ck_assert_msg(r.status == 200, "PATCH: %ld %s", r.status, buf_cstr(&r.body));
    ck_assert_str_eq(http_json_string(&r, "summary"), "Plano revisto");
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "actions")), 2);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "targets")), 1);
    char patch_tag[96], fresh[128];
    etag_of(&r, patch_tag);
    snprintf(fresh, sizeof fresh, "If-Match: %s", patch_tag);
    http_response_free(&r);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM audit_events WHERE entity ="
                                   " 'action_plan' AND action = 'update' AND entity_id = '%ld'",
                                   plan),
                     2);

    /* a patch of nothing changes nothing */
    struct fixture_snapshot unpatched = fixture_snapshot();
    r = fixture_call("PATCH", path, U_REP_CG, "{}", (const char *[]){fresh, NULL});
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "summary"), "Plano revisto");
    http_response_free(&r);
    fixture_assert_unchanged(unpatched);

    /* Two people never silently overwrite each other: the PUT's tag is
     * stale now (412), and no tag at all is 428. */
    struct fixture_snapshot before = fixture_snapshot();
    r = fixture_call("PATCH", path, U_MAYOR_CG, "{\"summary\":\"Outro\"}",
                     (const char *[]){im, NULL});
    http_expect_problem(&r, 412, "precondition-failed");
    http_response_free(&r);
    r = fixture_call("PUT", path, U_MAYOR_CG, "{}", NULL);
    http_expect_problem(&r, 428, "precondition-required");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

START_TEST(a_bad_document_is_refused_with_every_problem_named)
{
    char body[2048];
    snprintf(body, sizeof body,
             "{\"status\":\"approved\",\"colour\":\"blue\","
             "\"targets\":[{\"indicator_id\":%ld,\"target_value\":1},"
             "{\"indicator_id\":0,\"target_value\":\"x\"}],"
             "\"actions\":[{\"initiative_id\":%ld,\"title\":\"Teleconsulta\","
             "\"start_date\":\"2027-05-01\",\"end_date\":\"2027-04-30\"},"
             "{\"title\":\" espaço\",\"resources\":[{\"amount_cents\":1.5,\"source\":\"bank\"}],"
             "\"deliveries\":[{\"title\":\"Entrega\",\"due_date\":\"2027-02-30\","
             "\"weight\":0,\"extra\":1}]},"
             "{\"id\":987654,\"description\":\"sem título\"}]}",
             w.other_indicator, w.draft_initiative);
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = fixture_call("POST", w.create, U_REP_CG, body, NULL);
    http_expect_problem(&r, 422, "validation-failed");
    static const char *const fields[] = {"status",
                                         "colour",
                                         "targets[1].indicator_id",
                                         "targets[1].target_value",
                                         "actions[0].end_date",
                                         "actions[1].title",
                                         "actions[1].resources[0].amount_cents",
                                         "actions[1].resources[0].source",
                                         "actions[1].deliveries[0].due_date",
                                         "actions[1].deliveries[0].weight",
                                         "actions[1].deliveries[0].extra",
                                         "actions[2].title"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        ck_assert_msg(fixture_names_error(&r, fields[i], 0), "%s not named: %s", fields[i],
                      buf_cstr(&r.body));
    http_response_free(&r);
    fixture_assert_unchanged(before);

    /* A well-formed document naming what is not there for the plan: a
     * complementary indicator, a draft initiative, an action of no plan. */
    snprintf(body, sizeof body,
             "{\"targets\":[{\"indicator_id\":%ld,\"target_value\":1}],"
             "\"actions\":[{\"initiative_id\":%ld,\"title\":\"Teleconsulta\"},"
             "{\"id\":987654,\"title\":\"Outra\",\"deliveries\":[{\"id\":5,\"title\":\"E\"}]}]}",
             w.other_indicator, w.draft_initiative);
    r = fixture_call("POST", w.create, U_REP_CG, body, NULL);
    http_expect_problem(&r, 422, "validation-failed");
    static const char *const named[] = {"targets[0].indicator_id", "actions[0].initiative_id",
                                        "actions[1].id", "actions[1].deliveries[0].id"};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        ck_assert_msg(fixture_names_error(&r, named[i], 0), "%s not named: %s", named[i],
                      buf_cstr(&r.body));
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

/* One refused request: the status and problem type, nothing changed. */
static void expect_refused(const char *method, const char *path, enum fixture_user who,
                           const char *body, const char *const *headers, long status,
                           const char *slug)
{
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = fixture_call(method, path, who, body, headers);
    if (status == 401)
        fixture_expect_unauthenticated(&r);
    else
        http_expect_problem(&r, status, slug);
    http_response_free(&r);
    fixture_assert_unchanged(before);
}

START_TEST(others_are_refused_where_they_must_be)
{
    char path[64], tag[96], im[128];
    create_plan(NULL, path);
    current_etag(path, U_REP_CG, tag);
    snprintf(im, sizeof im, "If-Match: %s", tag);
    const char *const match[] = {im, NULL};
    /* another municipality's mayor does not know of the draft */
    expect_refused("GET", path, U_MAYOR_DOURADOS, NULL, NULL, 404, "not-found");
    expect_refused("PUT", path, U_MAYOR_DOURADOS, "{}", match, 404, "not-found");
    expect_refused("PATCH", path, U_MAYOR_DOURADOS, "{}", match, 404, "not-found");
    expect_refused("PUT", path, U_MAYOR_DOURADOS, "{}", NULL, 404, "not-found");
    /* nor of a public one, whatever If-Match it sends (submitted by SQL,
     * as the submission route would leave it) */
    fixture_exec("UPDATE action_plans SET status = 'submitted', version = version + 1");
    static const char *const stale[] = {"If-Match: \"1\"", NULL};
    ck_assert_int_eq(fixture_get_status(path, NULL), 200);
    expect_refused("PUT", path, U_MAYOR_DOURADOS, "{}", stale, 404, "not-found");
    expect_refused("PATCH", path, U_MAYOR_DOURADOS, "{}", stale, 404, "not-found");
    fixture_exec("UPDATE action_plans SET status = 'draft', version = version + 1");
    current_etag(path, U_REP_CG, tag);
    snprintf(im, sizeof im, "If-Match: %s", tag);
    /* anonymous callers neither */
    expect_refused("GET", path, U_COUNT, NULL, NULL, 404, "not-found");
    expect_refused("PUT", path, U_COUNT, "{}", match, 401, "unauthenticated");
    /* the state reads it, but does not write it */
    struct http_response r = fixture_call("GET", path, U_EDUCATION, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    http_response_free(&r);
    expect_refused("PUT", path, U_HEALTH, "{}", match, 403, "forbidden");
    expect_refused("PATCH", path, U_COORDINATION, "{}", match, 403, "forbidden");
    expect_refused("POST", w.create, U_HEALTH, NULL, NULL, 403, "forbidden");
    expect_refused("POST", w.create, U_COUNT, NULL, NULL, 401, "unauthenticated");
    /* a malformed or unknown plan */
    expect_refused("GET", "/v1/action-plans/x1", U_REP_CG, NULL, NULL, 404, "not-found");
    expect_refused("PUT", "/v1/action-plans/999999", U_REP_CG, "{}", match, 404, "not-found");
}
END_TEST

START_TEST(a_plan_needs_an_adhesion_focus_time_and_no_other_plan)
{
    /* Dourados has no adhesion to the cycle */
    expect_refused("POST", w.create, U_MAYOR_DOURADOS, NULL, NULL, 422, "adhesion-required");
    /* with one (as its mayor's signature stores it), it is not focal */
    fixture_exec("INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by,"
                 " commitments) SELECT c.id, '" DOURADOS "', 'MS-TEST-1', u.id, '[]'"
                 " FROM cycles c, users u WHERE u.email = 'mayor.dourados@test.pacto'");
    expect_refused("POST", w.create, U_MAYOR_DOURADOS, NULL, NULL, 409, "not-focal");
    /* unless the challenge is open to all */
    fixture_exec("UPDATE challenges SET open_to_all = true");
    struct http_response r = fixture_call("POST", w.create, U_MAYOR_DOURADOS, NULL, NULL);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "targets")), 0); /* no suggestion */
    http_response_free(&r);
    /* one plan per municipality and challenge: the answer says where it is */
    char path[64];
    create_plan(NULL, path);
    struct fixture_snapshot before = fixture_snapshot();
    r = fixture_call("POST", w.create, U_MAYOR_CG, NULL, NULL);
    http_expect_problem(&r, 409, "conflict");
    ck_assert_ptr_nonnull(strstr(http_json_string(&r, "detail"), path));
    http_response_free(&r);
    fixture_assert_unchanged(before);
    /* after the plans' deadline, and in a closed cycle */
    fixture_exec("DELETE FROM action_plans");
    fixture_exec("UPDATE cycles SET plans_due_at = now() - interval '1 hour'");
    expect_refused("POST", w.create, U_REP_CG, NULL, NULL, 422, "plans-deadline-passed");
    fixture_exec("UPDATE cycles SET adhesion_opens_at = now() - interval '40 days',"
                 " adhesion_closes_at = now() - interval '30 days', pact_opens_at = now() -"
                 " interval '20 days', pact_closes_at = now() - interval '10 days',"
                 " plans_due_at = now() - interval '15 days'");
    expect_refused("POST", w.create, U_REP_CG, NULL, NULL, 409, "conflict");
    expect_refused("POST", "/v1/challenges/999999/action-plans", U_REP_CG, NULL, NULL, 404,
                   "not-found");
}
END_TEST

START_TEST(a_submitted_or_approved_plan_is_locked_and_a_returned_one_reopens)
{
    char path[64], tag[96], im[128];
    long plan = create_plan(NULL, path);
    const char *const match[] = {im, NULL};
    static const char *const locked[] = {"submitted", "approved"};
    for (int i = 0; i < 2; i++) {
        set_status(plan, locked[i]);
        current_etag(path, U_REP_CG, tag);
        snprintf(im, sizeof im, "If-Match: %s", tag);
        struct fixture_snapshot before = fixture_snapshot();
        struct http_response r =
            fixture_call("PATCH", path, U_REP_CG, "{\"summary\":\"Mudança\"}", match);
        http_expect_problem(&r, 409, "invalid-transition");
        ck_assert_ptr_nonnull(strstr(http_json_string(&r, "detail"), locked[i]));
        http_response_free(&r);
        fixture_assert_unchanged(before);
    }
    /* returned: editing moves it back to draft, logged as a reopen */
    set_status(plan, "returned");
    current_etag(path, U_REP_CG, tag);
    snprintf(im, sizeof im, "If-Match: %s", tag);
    struct http_response r =
        fixture_call("PATCH", path, U_REP_CG, "{\"summary\":\"Respondendo à devolução\"}", match);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    ck_assert_str_eq(http_json_string(&r, "status"), "draft");
    http_response_free(&r);
    ck_assert_int_eq(fixture_longf("SELECT count(*) FROM plan_transitions WHERE plan_id = %ld"
                                   " AND action = 'reopen' AND from_status = 'returned'"
                                   " AND to_status = 'draft' AND user_id = %s",
                                   plan, fixture_user_id(U_REP_CG)),
                     1);
}
END_TEST

START_TEST(the_public_list_shows_what_is_public_without_personal_data)
{
    char body[2048], path[64];
    first_draft(body, sizeof body);
    long cg = create_plan(body, path);
    set_status(cg, "submitted");
    /* Dourados drafts one too (open to all) */
    fixture_exec("INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by,"
                 " commitments) SELECT c.id, '" DOURADOS "', 'MS-TEST-1', u.id, '[]'"
                 " FROM cycles c, users u WHERE u.email = 'mayor.dourados@test.pacto'");
    fixture_exec("UPDATE challenges SET open_to_all = true");
    struct http_response r = fixture_call("POST", w.create, U_MAYOR_DOURADOS, NULL, NULL);
    ck_assert_int_eq(r.status, 201);
    long dourados = (long)number(r.json, "id");
    http_response_free(&r);

    /* anonymous: only the submitted plan, without the people's names */
    r = fixture_call("GET", w.list, U_COUNT, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    const cJSON *items = member(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    const cJSON *s = cJSON_GetArrayItem(items, 0);
    ck_assert_int_eq((long)number(s, "id"), cg);
    ck_assert_int_eq((long)number(s, "actions"), 3);
    ck_assert_int_eq((long)number(s, "deliveries"), 3);
    ck_assert_double_eq_tol(number(s, "total_amount_cents"), 7500000, 0.5);
    ck_assert_str_eq(cJSON_GetStringValue(member(s, "municipality_name")), "Campo Grande");
    http_response_free(&r);
    r = fixture_call("GET", path, U_COUNT, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert(cJSON_IsNull(member(item(r.json, "actions", 0), "responsible_person")));
    ck_assert_str_eq(cJSON_GetStringValue(member(item(r.json, "actions", 0), "responsible_unit")),
                     "SESAU");
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "allowed_actions")), 0);
    http_response_free(&r);
    /* Campo Grande's mayor: its own plan and not Dourados's draft */
    r = fixture_call("GET", w.list, U_MAYOR_CG, NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 1);
    http_response_free(&r);
    /* Dourados's mayor: both; filtered by status, its draft */
    r = fixture_call("GET", w.list, U_MAYOR_DOURADOS, NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 2);
    http_response_free(&r);
    char q[160];
    snprintf(q, sizeof q, "%s?status=draft&municipality_id=" DOURADOS, w.list);
    r = fixture_call("GET", q, U_MAYOR_DOURADOS, NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 1);
    ck_assert_int_eq((long)number(cJSON_GetArrayItem(member(r.json, "items"), 0), "id"), dourados);
    http_response_free(&r);
    /* the state sees both; bad filters are 400; an unknown cycle 404 */
    r = fixture_call("GET", w.list, U_HEALTH, NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(member(r.json, "items")), 2);
    http_response_free(&r);
    snprintf(q, sizeof q, "%s?status=lost", w.list);
    r = fixture_call("GET", q, U_COUNT, NULL, NULL);
    ck_assert_int_eq(r.status, 400);
    http_response_free(&r);
    ck_assert_int_eq(fixture_get_status("/v1/cycles/999999/action-plans", NULL), 404);

    /* CSV: the same columns, the same rows */
    r = http_do(&(struct http_request){
        .method = "GET", .path = w.list, .headers = (const char *[]){"Accept: text/csv", NULL}});
    ck_assert_int_eq(r.status, 200);
    char expected[256];
    snprintf(expected, sizeof expected,
             "id,challenge_id,challenge_code,municipality_id,municipality_name,status,actions,"
             "deliveries,total_amount_cents,current_version,submitted_at,approved_at,"
             "updated_at\r\n%ld,%ld,SAU-01," CG ",Campo Grande,submitted,3,3,7500000,1,",
             cg, w.challenge);
    ck_assert_msg(strncmp(buf_cstr(&r.body), expected, strlen(expected)) == 0, "%s",
                  buf_cstr(&r.body));
    ck_assert_ptr_null(strstr(buf_cstr(&r.body), DOURADOS));
    http_response_free(&r);
}
END_TEST

START_TEST(a_create_sent_twice_under_one_idempotency_key_makes_one_plan)
{
    char body[2048];
    first_draft(body, sizeof body);
    fixture_expect_replayed(
        &(struct http_request){.method = "POST",
                               .path = w.create,
                               .token = fixture_token(U_REP_CG),
                               .body = body,
                               .headers =
                                   (const char *[]){"Idempotency-Key: plan-cg-sau-01", NULL}},
        "action_plans");
}
END_TEST

Suite *plans_edit_suite(void)
{
    Suite *s = suite_create("plans_edit");
    TCase *tc = tcase_create("editing");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, a_focal_municipality_drafts_its_plan_from_the_portfolio);
    tcase_add_test(tc, a_bad_document_is_refused_with_every_problem_named);
    tcase_add_test(tc, others_are_refused_where_they_must_be);
    tcase_add_test(tc, a_plan_needs_an_adhesion_focus_time_and_no_other_plan);
    tcase_add_test(tc, a_submitted_or_approved_plan_is_locked_and_a_returned_one_reopens);
    tcase_add_test(tc, the_public_list_shows_what_is_public_without_personal_data);
    tcase_add_test(tc, a_create_sent_twice_under_one_idempotency_key_makes_one_plan);
    suite_add_tcase(s, tc);
    return s;
}
