/*
 * The authorization matrix (OWASP API1, object level, and API5, function
 * level, made mechanical): every route of the route table (lib/api/routes.c)
 * is called over HTTP by every kind of caller — anonymous, the mayor and the
 * representative of Campo Grande (A) and of Dourados (B), the health and the
 * education secretariat, the coordination and a deactivated account — on
 * resources that exist: a cycle of Mato Grosso do Sul open for adhesions, A's
 * adhesion to it, a member of A's team, A's representative. Paths that name a
 * municipality name A, so B's mayor and representative are the other
 * municipality's callers.
 *
 * What each call must answer is derived from the route's declared policy
 * exactly as the server derives it (policy_caller, policy_judge): 401 for an
 * anonymous caller outside the policy and for a token whose account is no
 * longer active, 403 forbidden, 404 for a resource hidden from the caller,
 * and for an allowed caller anything but a refusal (writes carry an empty
 * object, so most of them stop at validation). A refused call must leave the
 * database as it was. Where the policy lets B's callers through because the
 * path does not name the municipality (an adhesion reached by its id), the
 * row-level rule must still keep them away from A's object.
 *
 * The matrix is the route table itself, one test per route: a route added
 * later is covered without a line here, and a route with a {param} this file
 * cannot fill fails, naming the route and the parameter.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include "api/routes.h"
#include "auth/token.h"
#include "authz/policy.h"
#include "http/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Accounts this suite adds to the fixture's. */
enum own_account { OWN_REP_B, OWN_DEACTIVATED, OWN_FORUM, OWN_COUNT };

static const struct {
    const char *name, *email, *role, *municipality, *area;
} own_accounts[OWN_COUNT] = {
    [OWN_REP_B] = {"Davi", "rep.dourados@test.pacto", "representative", DOURADOS, ""},
    /* Deactivated by the coordination once its token has been used: the
     * most powerful role, so a token outliving its account shows at once. */
    [OWN_DEACTIVATED] = {"Ex-coordenação", "former.coord@test.pacto", "secretariat", "",
                         "coordination"},
    /* The shared-management forum: a member of the world's cycle's forum. */
    [OWN_FORUM] = {"Conselheira", "forum@test.pacto", "forum_member", "", ""},
};

/* The callers of the matrix, in the order they call each route. */
static const struct caller {
    const char *name;                       /* as failure messages name it */
    int fixture;                            /* enum fixture_user, or -1 */
    int own;                                /* enum own_account, or -1 */
    const char *role, *municipality, *area; /* the account as the server loads it */
} callers[] = {
    {"anonymous", -1, -1, "", "", ""},
    {"mayor of A", U_MAYOR_CG, -1, "mayor", CG, ""},
    {"mayor of B", U_MAYOR_DOURADOS, -1, "mayor", DOURADOS, ""},
    {"representative of A", U_REP_CG, -1, "representative", CG, ""},
    {"representative of B", -1, OWN_REP_B, "representative", DOURADOS, ""},
    {"health secretariat", U_HEALTH, -1, "secretariat", "", "health"},
    {"education secretariat", U_EDUCATION, -1, "secretariat", "", "education"},
    {"coordination", U_COORDINATION, -1, "secretariat", "", "coordination"},
    {"deactivated coordination", -1, OWN_DEACTIVATED, "secretariat", "", "coordination"},
    /* The shared-management forum */
    {"forum member of the cycle", -1, OWN_FORUM, "forum_member", "", ""},
};
#define NCALLERS (sizeof callers / sizeof callers[0])

/* What exists for the routes' {params} to name. */
static struct {
    char own_ids[OWN_COUNT][24];
    char own_tokens[OWN_COUNT][TOKEN_MAX_LEN];
    char cycle_id[24], adhesion_id[24], member_id[24];
    char run_id[24];    /* a focalization run of the world's challenge */
    char import_id[24]; /* an import of the world's indicator's values */
    /* A health indicator, main in a health challenge of the cycle. */
    char indicator_id[24], challenge_id[24];
    /* Action plans: editing. Campo Grande's plan for the challenge. */
    char plan_id[24];
    /* pacts: A's pacted plan and its pact */
    char pact_plan_id[24], pact_id[24];
    /* the portfolio: a published initiative and an incentive of the challenge */
    char initiative_id[24], incentive_id[24];
    /* Action plans: review workflow. The plan's return comment. */
    char comment_id[24];
    /* Delivery evidence: a delivery of A's pacted plan, its evidence
     * awaiting review and a PDF attached to it. */
    char delivery_id[24], evidence_id[24], file_id[24];
    /* The shared-management forum and training: the forum member's seat,
     * their co-evaluation of A's pact, a health course and Lúcia's
     * attendance of it. */
    char forum_member_id[24], co_evaluation_id[24], course_id[24];
    /* Public questions and technical assistance: a question about the
     * world's health challenge, and A's request for assistance on its plan. */
    char question_id[24], request_id[24];
    /* Good practices */
    char practice_id[24];
    /* Public consultations: an open consultation on Campo Grande's plan
     * and a citizen's comment on it. */
    char consultation_id[24], consultation_comment_id[24];
} world;

#define CG_SIGNS "{\"mayor_cpf\":\"529.982.247-25\",\"accepted_commitments\":true}"
#define LUCIA    "{\"name\":\"Lúcia Prado\",\"type\":\"servant\"}"
/* the catalogue */
#define MORT_INF                                                                                   \
    "{\"code\":\"MORT_INF\",\"name\":\"Mortalidade infantil\",\"unit\":\"per 1,000 live births\"," \
    "\"polarity\":\"lower_is_better\",\"source\":\"DATASUS – SIM/SINASC\","                      \
    "\"periodicity\":\"annual\",\"area\":\"health\",\"scale\":1000}"
#define SAU_01                                                                                     \
    "{\"code\":\"SAU-01\",\"title\":\"Mortalidade infantil\",\"area\":\"health\","                 \
    "\"responsible_area\":\"health\"}"

static const char *token_of(const struct caller *c)
{
    if (c->fixture >= 0)
        return fixture_token((enum fixture_user)c->fixture);
    return c->own >= 0 ? world.own_tokens[c->own] : NULL;
}

/* Signs a token for an account of this suite, as the server signs its own. */
static void issue_token(enum own_account a)
{
    const char *secret = getenv("PACTO_JWT_SECRET");
    ck_assert_msg(secret != NULL, "PACTO_JWT_SECRET is not set");
    const char *iss = getenv("PACTO_JWT_ISSUER");
    const char *aud = getenv("PACTO_JWT_AUDIENCE");
    struct token_config cfg;
    ck_assert(token_config_hs256(&cfg, secret, iss ? iss : "pacto", aud ? aud : "pacto-api", 900));
    struct token_claims claims = {0};
    snprintf(claims.sub, sizeof claims.sub, "%s", world.own_ids[a]);
    snprintf(claims.role, sizeof claims.role, "%s", own_accounts[a].role);
    snprintf(claims.municipality_id, sizeof claims.municipality_id, "%s",
             own_accounts[a].municipality);
    snprintf(claims.secretariat_area, sizeof claims.secretariat_area, "%s", own_accounts[a].area);
    char *t = token_issue(&cfg, &claims, time(NULL));
    ck_assert_ptr_nonnull(t);
    snprintf(world.own_tokens[a], sizeof world.own_tokens[a], "%s", t);
    free(t);
    token_config_free(&cfg);
}

/* POSTs body as the fixture user and writes the new resource's id to out (asserting 201). */
static void create(enum fixture_user who, const char *path, const char *body, char out[24])
{
    struct http_response r = http_post(path, fixture_token(who), body);
    ck_assert_msg(r.status == 201, "POST %s: %ld %s", path, r.status, buf_cstr(&r.body));
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(r.json, "id");
    ck_assert_msg(cJSON_IsNumber(id), "POST %s: no id in %s", path, buf_cstr(&r.body));
    snprintf(out, 24, "%.0f", id->valuedouble);
    http_response_free(&r);
}

/* A cycle of Mato Grosso do Sul whose adhesion window opened a day ago. */
static void cycle_body(char *out, size_t n)
{
    static const int days[4] = {-1, 1, 2, 30};
    char at[4][32];
    for (int i = 0; i < 4; i++) {
        time_t t = time(NULL) + (time_t)days[i] * 86400;
        struct tm tm;
        strftime(at[i], sizeof at[i], "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    }
    snprintf(out, n,
             "{\"name\":\"Ciclo 2027\",\"state\":\"MS\",\"adhesion_opens_at\":\"%s\","
             "\"adhesion_closes_at\":\"%s\",\"pact_opens_at\":\"%s\",\"pact_closes_at\":\"%s\","
             "\"target_year\":2027}",
             at[0], at[1], at[2], at[3]);
}

/* Deactivates the account through the API after its token has been used,
 * so the server has it cached as active and must hear of the change. */
static void deactivate(enum own_account a)
{
    const char *token = world.own_tokens[a];
    ck_assert_msg(fixture_get_status("/v1/me", token) == 200, "the token of %s is refused",
                  own_accounts[a].email);
    char path[64];
    snprintf(path, sizeof path, "/v1/users/%s", world.own_ids[a]);
    struct http_response r = http_patch(path, fixture_token(U_COORDINATION), "{\"active\":false}");
    ck_assert_msg(r.status == 200, "deactivating %s: %ld %s", path, r.status, buf_cstr(&r.body));
    http_response_free(&r);
    ck_assert_msg(fixture_get_status("/v1/me", token) == 401,
                  "the token of %s still works after its account was deactivated",
                  own_accounts[a].email);
}

/* pacts: A's plan on a challenge of its own (so that no other plan of A's
 * clashes with it), approved and pacted under A's adhesion, with the pact's
 * target and the challenge's incentive granted. Plans are approved and
 * incentives made by other routes, so these rows are SQL, as those routes and
 * POST /v1/action-plans/{plan_id}/pact store them. A POST .../pact with an
 * empty body is 422 for A's mayor (allowed), 404 for B's (another
 * municipality's plan), 403 for everyone else but anonymous (401). */
static void pacts_world_build(void)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "WITH ch AS (INSERT INTO challenges (cycle_id, code, title, area, responsible_area)"
             "            VALUES (%s, 'SAU-PACT', 'Saúde pactuada', 'health', 'health')"
             "            RETURNING id),"
             " inc AS (INSERT INTO incentives (challenge_id, title, type, amount_cents, source)"
             "         SELECT id, 'Repasse', 'financial', 100000, 'Fundo Estadual' FROM ch"
             "         RETURNING id, challenge_id)"
             " INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id,"
             "                           status, versions, created_by, submitted_at, approved_at)"
             " SELECT inc.challenge_id, %s, '" CG "', %s, 'pacted', 1, %s, now(), now()"
             "   FROM inc RETURNING id",
             world.cycle_id, world.cycle_id, world.adhesion_id, fixture_user_id(U_MAYOR_CG));
    snprintf(world.pact_plan_id, sizeof world.pact_plan_id, "%ld", fixture_long(sql));
    snprintf(sql, sizeof sql,
             "INSERT INTO plan_targets (plan_id, indicator_id, target_value) VALUES (%s, %s, 9);"
             "WITH k AS (INSERT INTO pacts (plan_id, plan_version, cycle_id, challenge_id,"
             "             municipality_id, adhesion_id, protocol, signed_by)"
             "           SELECT p.id, 1, p.cycle_id, p.challenge_id, p.municipality_id,"
             "                  p.adhesion_id, pact_next_protocol('MS'), p.created_by"
             "             FROM action_plans p WHERE p.id = %s RETURNING *),"
             " t AS (INSERT INTO pact_targets (pact_id, indicator_id, target_value, target_year)"
             "       SELECT k.id, %s, 9, 2027 FROM k)"
             " INSERT INTO incentive_grants (incentive_id, municipality_id, pact_id)"
             " SELECT i.id, k.municipality_id, k.id FROM k"
             "   JOIN incentives i ON i.challenge_id = k.challenge_id",
             world.pact_plan_id, world.indicator_id, world.pact_plan_id, world.indicator_id);
    fixture_exec(sql);
    snprintf(world.pact_id, sizeof world.pact_id, "%ld", fixture_long("SELECT max(id) FROM pacts"));
}

/* Action plans: review workflow. The world's plan (made through the
 * API, marked submitted) as its review would leave it, by SQL: versions 1
 * and 2 frozen, a return by health between them with a comment on its first
 * action, so that every {comment_id} and {number} names something real. */
static void world_plan_build(void)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "WITH p AS (UPDATE action_plans SET versions = 2 WHERE id = %s RETURNING *),"
             " a AS (SELECT id FROM plan_actions WHERE plan_id = %s ORDER BY position LIMIT 1),"
             " v AS (INSERT INTO plan_versions (plan_id, number, content, submitted_by)"
             "       SELECT p.id, n, plan_content(p::action_plans), %s FROM p,"
             "              generate_series(1, 2) n),"
             " t AS (INSERT INTO plan_transitions (plan_id, action, from_status, to_status,"
             "                                     reason, version, user_id)"
             "       VALUES (%s, 'return', 'submitted', 'returned', 'Faltam entregas', 1, %s)"
             "       RETURNING id)"
             " INSERT INTO plan_comments (plan_id, transition_id, action_id, text)"
             " SELECT %s, t.id, a.id, 'Detalhar a entrega' FROM t, a RETURNING id",
             world.plan_id, world.plan_id, fixture_user_id(U_REP_CG), world.plan_id,
             fixture_user_id(U_HEALTH), world.plan_id);
    snprintf(world.comment_id, sizeof world.comment_id, "%ld", fixture_long(sql));
}

/* Delivery evidence: a delivery of A's pacted plan (pacts_world_build) with
 * evidence awaiting review and a small PDF attached, by SQL as POST
 * .../evidence and .../files store them (a delivery is written by the plan's
 * editing, which a pacted plan no longer takes). Health reviews it (the
 * challenge is health's). */
static void evidence_world_build(void)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "WITH a AS (INSERT INTO plan_actions (plan_id, position, title)"
             "           VALUES (%s, 0, 'Mutirão de consultas') RETURNING id),"
             " d AS (INSERT INTO plan_deliveries (action_id, plan_id, position, title, due_date)"
             "       SELECT a.id, %s, 0, 'Relatório do mutirão', current_date + 30 FROM a"
             "       RETURNING id, plan_id),"
             " e AS (INSERT INTO evidence (delivery_id, plan_id, description, submitted_by)"
             "       SELECT d.id, d.plan_id, 'Relatório entregue', %s FROM d RETURNING id),"
             " f AS (INSERT INTO evidence_files (municipality_id, sha256, content_type,"
             "                                   size_bytes, content, uploaded_by)"
             "       SELECT '" CG "', encode(sha256(b), 'hex'), 'application/pdf', length(b), b, %s"
             "         FROM (SELECT convert_to('%%PDF-1.4 world', 'UTF8') AS b) x RETURNING id)"
             " INSERT INTO evidence_attachments (evidence_id, file_id, position)"
             " SELECT e.id, f.id, 0 FROM e, f",
             world.pact_plan_id, world.pact_plan_id, fixture_user_id(U_MAYOR_CG),
             fixture_user_id(U_MAYOR_CG));
    fixture_exec(sql);
    snprintf(world.delivery_id, sizeof world.delivery_id, "%ld",
             fixture_long("SELECT max(id) FROM plan_deliveries"));
    snprintf(world.evidence_id, sizeof world.evidence_id, "%ld",
             fixture_long("SELECT max(id) FROM evidence"));
    snprintf(world.file_id, sizeof world.file_id, "%ld",
             fixture_long("SELECT max(id) FROM evidence_files"));
}

/* The shared-management forum and training: OWN_FORUM's seat in the
 * cycle's forum and a co-evaluation of A's pact by SQL, as the forum routes
 * store them (an evaluation window would have to be open to PUT one); a
 * health course and the attendance of A's team member through the API. */
static void forum_world_build(void)
{
    char sql[1024], path[128], body[256], today[16];
    snprintf(sql, sizeof sql,
             "INSERT INTO forum_members (cycle_id, name, organization, sector,"
             "                           mandate_starts_on, mandate_ends_on, user_id)"
             " VALUES (%s, 'Conselheira', 'Observatório Social', 'civil_society',"
             "         current_date, make_date(2027, 12, 31), %s) RETURNING id",
             world.cycle_id, world.own_ids[OWN_FORUM]);
    snprintf(world.forum_member_id, sizeof world.forum_member_id, "%ld", fixture_long(sql));
    snprintf(sql, sizeof sql,
             "INSERT INTO co_evaluations (pact_id, member_id, rating, justification)"
             " VALUES (%s, %s, 'partially', 'Metade das metas cumpridas') RETURNING id",
             world.pact_id, world.forum_member_id);
    snprintf(world.co_evaluation_id, sizeof world.co_evaluation_id, "%ld", fixture_long(sql));
    time_t t = time(NULL);
    struct tm tm;
    strftime(today, sizeof today, "%Y-%m-%d", gmtime_r(&t, &tm));
    snprintf(path, sizeof path, "/v1/cycles/%s/courses", world.cycle_id);
    snprintf(body, sizeof body,
             "{\"title\":\"Gestão por resultados\",\"area\":\"health\",\"starts_on\":\"%s\","
             "\"ends_on\":\"%s\",\"hours\":20}",
             today, today);
    create(U_HEALTH, path, body, world.course_id);
    snprintf(path, sizeof path, "/v1/courses/%s/attendance", world.course_id);
    snprintf(body, sizeof body, "{\"team_member_id\":%s}", world.member_id);
    struct http_response r = http_post(path, fixture_token(U_HEALTH), body);
    ck_assert_msg(r.status == 201, "POST %s: %ld %s", path, r.status, buf_cstr(&r.body));
    http_response_free(&r);
}

/* Public questions and technical assistance. The question is SQL, as POST
 * /v1/questions stores it, with a name and an e-mail that no caller but
 * the state may see. The request is A's, through the API. */
static void questions_world_build(void)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO questions (subject_type, subject_id, cycle_id, challenge_id, text,"
             " asker_name, email, due_at) VALUES ('challenge', %s, %s, %s, 'Qual a meta?',"
             " 'Ana', 'ana@example.org', now() + interval '20 days') RETURNING id",
             world.challenge_id, world.cycle_id, world.challenge_id);
    snprintf(world.question_id, sizeof world.question_id, "%ld", fixture_long(sql));
    char path[96];
    snprintf(path, sizeof path, "/v1/action-plans/%s/assistance-requests", world.plan_id);
    create(U_REP_CG, path, "{\"topic\":\"planning\",\"description\":\"Ajuda\"}", world.request_id);
}

/* Good practices: A's practice on the world's health challenge, published
 * (so that its GETs are public and its writes stop at the row's rules), with
 * the world's evidence file (A's, evidence_world_build) attached, by SQL as
 * POST /v1/practices, .../files and the curation leave them. */
static void practices_world_build(void)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "WITH p AS (INSERT INTO practices (municipality_id, challenge_id, title, summary,"
             "             problem, results, sdg_goals, cost_range, contact_role, status,"
             "             submitted_at, published_at, created_by)"
             "           VALUES ('" CG "', %s, 'Busca ativa de gestantes', 'Visitas',"
             "                   'Pré-natal tardio', 'Menos óbitos', '{3}', 'none',"
             "                   'Atenção Básica', 'published', now(), now(), %s) RETURNING id)"
             " INSERT INTO practice_files (practice_id, file_id, position)"
             " SELECT p.id, %s, 0 FROM p RETURNING practice_id",
             world.challenge_id, fixture_user_id(U_REP_CG), world.file_id);
    snprintf(world.practice_id, sizeof world.practice_id, "%ld", fixture_long(sql));
}

/* Public consultations: an open consultation on the world's plan (through
 * the API), and a citizen's pending comment on it by SQL, as POST
 * .../comments stores it. */
static void consultations_world_build(void)
{
    char body[512], at[2][32];
    for (int i = 0; i < 2; i++) {
        time_t t = time(NULL) + (i ? 86400 : -3600);
        struct tm tm;
        strftime(at[i], sizeof at[i], "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    }
    snprintf(body, sizeof body,
             "{\"subject_type\":\"plan\",\"subject_id\":%s,\"title\":\"Plano de saúde\","
             "\"opens_at\":\"%s\",\"closes_at\":\"%s\"}",
             world.plan_id, at[0], at[1]);
    create(U_HEALTH, "/v1/consultations", body, world.consultation_id);
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO consultation_comments (consultation_id, author_name, text, status,"
             "                                   client_hash)"
             " VALUES (%s, 'Ana', 'Faltam agentes de saúde', 'pending', client_hash('x'))"
             " RETURNING id",
             world.consultation_id);
    snprintf(world.consultation_comment_id, sizeof world.consultation_comment_id, "%ld",
             fixture_long(sql));
}

/* Public consultations: who opens, moves, moderates and answers is the
 * consultation's subject's rule (its area, or the plan's municipality for
 * an answer), which no route policy can say: a secretariat the policy lets
 * in may be refused by the row (403), as another area's is. */
static bool is_consultations_row(const struct route *route, const struct caller *c)
{
    bool names = router_param_index(route->pattern, "consultation_id") >= 0 ||
                 router_param_index(route->pattern, "consultation_comment_id") >= 0;
    return names && strcmp(route->method, "GET") != 0 && (route->policy.allow & ROLE_SECRETARIAT) &&
           strcmp(c->role, "secretariat") == 0;
}

/* Adds this suite's accounts and the resources the routes name to the
 * fixture that fixture_reset loaded. */
static void world_build(void)
{
    for (int a = 0; a < OWN_COUNT; a++) {
        long id = fixture_longf(
            "INSERT INTO users (name, email, role, municipality_id, secretariat_area)"
            " VALUES ('%s', '%s', '%s', nullif('%s', ''), nullif('%s', '')) RETURNING id",
            own_accounts[a].name, own_accounts[a].email, own_accounts[a].role,
            own_accounts[a].municipality, own_accounts[a].area);
        snprintf(world.own_ids[a], sizeof world.own_ids[a], "%ld", id);
        issue_token((enum own_account)a);
    }
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE municipalities SET representative_id = CASE ibge_code"
             " WHEN '" CG "' THEN %s ELSE %s END WHERE ibge_code IN ('" CG "', '" DOURADOS "')",
             fixture_user_id(U_REP_CG), world.own_ids[OWN_REP_B]);
    fixture_exec(sql);

    char body[512], path[128];
    cycle_body(body, sizeof body);
    create(U_COORDINATION, "/v1/cycles", body, world.cycle_id);
    snprintf(path, sizeof path, "/v1/cycles/%s/adhesions", world.cycle_id);
    create(U_MAYOR_CG, path, CG_SIGNS, world.adhesion_id);
    create(U_MAYOR_CG, "/v1/municipalities/" CG "/team", LUCIA, world.member_id);
    /* the catalogue */
    create(U_HEALTH, "/v1/indicators", MORT_INF, world.indicator_id);
    snprintf(path, sizeof path, "/v1/cycles/%s/challenges", world.cycle_id);
    create(U_HEALTH, path, SAU_01, world.challenge_id);
    snprintf(path, sizeof path, "/v1/challenges/%s/indicators", world.challenge_id);
    snprintf(body, sizeof body,
             "{\"indicator_id\":%s,\"role\":\"main\",\"focal_rule\":\"worst_count\","
             "\"focal_value\":1}",
             world.indicator_id);
    struct http_response r = http_post(path, fixture_token(U_HEALTH), body);
    ck_assert_msg(r.status == 201, "POST %s: %ld %s", path, r.status, buf_cstr(&r.body));
    http_response_free(&r);
    /* A value for the indicator, imported, and the challenge's state target
     * from it. */
    snprintf(path, sizeof path,
             "/v1/indicators/%s/values?numerator_column=numerator&denominator_column=denominator",
             world.indicator_id);
    r = http_do(&(struct http_request){.method = "POST",
                                       .path = path,
                                       .token = fixture_token(U_HEALTH),
                                       .content_type = "text/csv",
                                       .body = "ibge_code,period,numerator,denominator\n" CG
                                               ",2023,199,14014\n"});
    ck_assert_msg(r.status == 200, "POST %s: %ld %s", path, r.status, buf_cstr(&r.body));
    const cJSON *import = cJSON_GetObjectItemCaseSensitive(r.json, "import_id");
    ck_assert(cJSON_IsNumber(import));
    snprintf(world.import_id, sizeof world.import_id, "%.0f", import->valuedouble);
    http_response_free(&r);
    snprintf(path, sizeof path, "/v1/challenges/%s/targets", world.challenge_id);
    snprintf(body, sizeof body,
             "{\"indicator_id\":%s,\"target_value\":10,\"rule\":\"gap_closure\","
             "\"rule_value\":0.5}",
             world.indicator_id);
    r = http_post(path, fixture_token(U_HEALTH), body);
    ck_assert_msg(r.status == 201, "POST %s: %ld %s", path, r.status, buf_cstr(&r.body));
    http_response_free(&r);
    /* A focalization run, and a manual decision on A for its DELETE. */
    snprintf(path, sizeof path, "/v1/challenges/%s/focalization/runs", world.challenge_id);
    create(U_HEALTH, path, NULL, world.run_id);
    snprintf(path, sizeof path, "/v1/challenges/%s/focal-municipalities/" CG, world.challenge_id);
    r = http_do(&(struct http_request){.method = "PUT",
                                       .path = path,
                                       .token = fixture_token(U_HEALTH),
                                       .body = "{\"focal\":true,\"reason\":\"Seen on a visit\"}"});
    ck_assert_msg(r.status == 201, "PUT %s: %ld %s", path, r.status, buf_cstr(&r.body));
    http_response_free(&r);
    /* Action plans: editing. Campo Grande (focal) drafts its plan through
     * the API; it is then marked submitted by SQL, as its submission would
     * leave it, so that everyone may read it and B's callers reach a plan
     * they may see but not change. */
    snprintf(path, sizeof path, "/v1/challenges/%s/action-plans", world.challenge_id);
    create(U_REP_CG, path, "{\"actions\":[{\"title\":\"Busca ativa de gestantes\"}]}",
           world.plan_id);
    snprintf(sql, sizeof sql,
             "UPDATE action_plans SET status = 'submitted', versions = 1, submitted_at = now(),"
             " version = version + 1 WHERE id = %s",
             world.plan_id);
    fixture_exec(sql);
    world_plan_build();
    /* pacts */
    pacts_world_build();
    /* Delivery evidence */
    evidence_world_build();
    /* Public questions and technical assistance */
    questions_world_build();
    /* Good practices */
    practices_world_build();
    /* Public consultations */
    consultations_world_build();
    /* the portfolio: published, so that its GET is public */
    snprintf(path, sizeof path, "/v1/challenges/%s/initiatives", world.challenge_id);
    create(U_HEALTH, path,
           "{\"title\":\"Pré-natal\",\"type\":\"program\",\"published\":true,"
           "\"deliveries\":[{\"title\":\"Gestantes cadastradas\"}]}",
           world.initiative_id);
    snprintf(path, sizeof path, "/v1/challenges/%s/incentives", world.challenge_id);
    create(U_HEALTH, path, "{\"title\":\"Curso\",\"type\":\"training\"}", world.incentive_id);
    /* The shared-management forum and training */
    forum_world_build();
    deactivate(OWN_DEACTIVATED);
}

/* The value a {param} names, and whether it is A's own (so that B's callers
 * reaching it by id are another municipality's). NULL for a param this file
 * does not know. */
static const char *param_value(const char *name, size_t len, bool *of_a)
{
    static const struct {
        const char *name;
        bool of_a;
    } known[] = {{"ibge_code", true},
                 {"cycle_id", false},
                 {"adhesion_id", true},
                 {"member_id", true},
                 {"user_id", true},
                 /* the program data */
                 {"indicator_id", false},
                 {"challenge_id", false},
                 {"run_id", false},
                 {"import_id", false},
                 /* Action plans: editing */
                 {"plan_id", true},
                 /* pacts: a pact is public */
                 {"pact_id", false},
                 /* the portfolio */
                 {"initiative_id", false},
                 {"incentive_id", false},
                 /* Action plans: review workflow */
                 {"comment_id", true},
                 {"number", true},
                 /* Delivery evidence */
                 {"delivery_id", true},
                 {"evidence_id", true},
                 {"file_id", true},
                 /* The shared-management forum and training: public but for
                  * the attendance, which names A's team member. */
                 {"forum_member_id", false},
                 {"co_evaluation_id", false},
                 {"course_id", false},
                 {"team_member_id", true},
                 /* Public questions and technical assistance */
                 {"question_id", false},
                 {"request_id", true},
                 /* Good practices: A's, published */
                 {"practice_id", true},
                 /* Public consultations: on A's plan */
                 {"consultation_id", true},
                 {"consultation_comment_id", true}};
    const char *values[] = {CG,
                            world.cycle_id,
                            world.adhesion_id,
                            world.member_id,
                            fixture_user_id(U_REP_CG),
                            world.indicator_id,
                            world.challenge_id,
                            world.run_id,
                            world.import_id,
                            world.plan_id,
                            world.pact_id,
                            world.initiative_id, /* the portfolio */
                            world.incentive_id,
                            world.comment_id, /* Action plans: review workflow */
                            "1",
                            world.delivery_id, /* Delivery evidence */
                            world.evidence_id,
                            world.file_id,
                            world.forum_member_id, /* the forum and training */
                            world.co_evaluation_id,
                            world.course_id,
                            world.member_id,
                            world.question_id, /* Public questions and technical assistance */
                            world.request_id,
                            world.practice_id,     /* Good practices */
                            world.consultation_id, /* Public consultations */
                            world.consultation_comment_id};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strlen(known[i].name) == len && strncmp(known[i].name, name, len) == 0) {
            *of_a |= known[i].of_a;
            return values[i];
        }
    return NULL;
}

/* The route's pattern with every {param} filled in; *of_a tells whether the
 * path names one of A's things. Fails the test on a param it cannot fill. */
static void route_path(const struct route *route, char *out, size_t n, bool *of_a)
{
    struct buf b = {0};
    *of_a = false;
    for (const char *p = route->pattern; *p;) {
        const char *open = strchr(p, '{');
        if (!open) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(open - p));
        const char *close = strchr(open, '}');
        ck_assert_msg(close != NULL, "%s %s: unclosed {", route->method, route->pattern);
        const char *value = param_value(open + 1, (size_t)(close - open - 1), of_a);
        if (!value) {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(close - open - 1), open + 1);
            buf_free(&b);
            ck_abort_msg("%s %s: the authorization matrix does not know what {%s} names; "
                         "give it a real one in test/integration/test_matrix.c",
                         route->method, route->pattern, name);
        }
        buf_puts(&b, value);
        p = close + 1;
    }
    ck_assert_msg(b.len < n, "%s %s: path too long", route->method, route->pattern);
    snprintf(out, n, "%s", buf_cstr(&b));
    buf_free(&b);
}

enum expectation {
    EXPECT_ALLOWED,
    EXPECT_UNAUTHENTICATED,
    EXPECT_FORBIDDEN,
    EXPECT_HIDDEN,
    /* Allowed by the route's policy, but the object is another
     * municipality's: its row-level rule refuses (403 or 404). */
    EXPECT_OTHERS_OBJECT,
    /* Allowed by the route's policy, but the row is another area's (the
     * world's indicator and challenge are health's): its guard may refuse
     * (403), or the request may stop before it (validation, a conflict). */
    EXPECT_OTHER_AREAS_ROW,
};

static const char *const expectation_text[] = {
    [EXPECT_ALLOWED] = "allowed (not 401, 403, 404 or 5xx)",
    [EXPECT_UNAUTHENTICATED] = "401 unauthenticated",
    [EXPECT_FORBIDDEN] = "403 forbidden",
    [EXPECT_HIDDEN] = "404 not-found (hidden)",
    [EXPECT_OTHERS_OBJECT] = "refused as another municipality's object (403 or 404)",
    [EXPECT_OTHER_AREAS_ROW] = "allowed or 403 forbidden as another area's row (not 401, 404"
                               " or 5xx)",
};

static bool is_municipal_of_b(const struct caller *c)
{
    return (strcmp(c->role, "mayor") == 0 || strcmp(c->role, "representative") == 0) &&
           strcmp(c->municipality, DOURADOS) == 0;
}

/* A write on what hangs from the world's health indicator or health
 * challenge (any route naming {indicator_id} or {challenge_id}, whoever adds
 * it, the challenge's portfolio items or its plan), by a secretariat of
 * another area that the route's policy lets in. */
static bool is_other_areas_row(const struct route *route, const struct caller *c)
{
    bool names_row = router_param_index(route->pattern, "indicator_id") >= 0 ||
                     router_param_index(route->pattern, "challenge_id") >= 0 ||
                     /* the portfolio */
                     router_param_index(route->pattern, "initiative_id") >= 0 ||
                     router_param_index(route->pattern, "incentive_id") >= 0 ||
                     /* the world's plan is on the health challenge */
                     router_param_index(route->pattern, "plan_id") >= 0 ||
                     /* Delivery evidence: of the world's pacted health plan */
                     router_param_index(route->pattern, "evidence_id") >= 0 ||
                     /* Training: the world's course is health's */
                     router_param_index(route->pattern, "course_id") >= 0 ||
                     /* Good practices: on the world's health challenge */
                     router_param_index(route->pattern, "practice_id") >= 0;
    return names_row && strcmp(route->method, "GET") != 0 &&
           (route->policy.allow & ROLE_SECRETARIAT) && strcmp(c->role, "secretariat") == 0 &&
           strcmp(c->area, "health") != 0 && strcmp(c->area, "coordination") != 0;
}

/* What the caller must get from the route, as the server decides it
 * (lib/http/server.c, authorize): the path's municipality is A's when the
 * route names {ibge_code}. */
static enum expectation expect(const struct route *route, const struct caller *c, bool of_a)
{
    if (route->flags & ROUTE_NO_TOKEN) /* logging in ignores any token sent */
        return EXPECT_ALLOWED;
    if (c->own == OWN_DEACTIVATED)
        return EXPECT_UNAUTHENTICATED; /* a token is checked even where none is needed */
    struct identity who = {0};
    snprintf(who.role, sizeof who.role, "%s", c->role);
    snprintf(who.municipality_id, sizeof who.municipality_id, "%s", c->municipality);
    snprintf(who.secretariat_area, sizeof who.secretariat_area, "%s", c->area);
    bool names_code = router_param_index(route->pattern, "ibge_code") >= 0;
    switch (policy_judge(&route->policy, policy_caller(&who, names_code ? CG : NULL))) {
    case POLICY_UNAUTHENTICATED:
        return EXPECT_UNAUTHENTICATED;
    case POLICY_FORBIDDEN:
        return EXPECT_FORBIDDEN;
    case POLICY_HIDDEN:
        return EXPECT_HIDDEN;
    case POLICY_ALLOWED:
        break;
    }
    /* The policy binds B's callers to B only through {ibge_code}; reaching
     * one of A's private objects by its id, the row-level rule must refuse. */
    if (of_a && !names_code && !(route->policy.allow & ROLE_ANONYMOUS) && is_municipal_of_b(c))
        return EXPECT_OTHERS_OBJECT;
    if (is_other_areas_row(route, c) || is_consultations_row(route, c))
        return EXPECT_OTHER_AREAS_ROW;
    /* Technical assistance: a request is known to its municipality and its
     * area only (the world's is health's): to another area's secretariat it
     * does not exist, whatever the route. */
    if (router_param_index(route->pattern, "request_id") >= 0 &&
        strcmp(c->role, "secretariat") == 0 && strcmp(c->area, "health") != 0 &&
        strcmp(c->area, "coordination") != 0)
        return EXPECT_HIDDEN;
    return EXPECT_ALLOWED;
}

/* Calls the route as the caller. Writes carry an empty object; a file
 * upload (Delivery evidence) a small PDF, which a JSON object could not be
 * (415 before the row is looked up). */
static struct http_response call(const struct route *route, const char *path,
                                 const struct caller *c)
{
    bool has_body = strcmp(route->method, "GET") != 0 && strcmp(route->method, "DELETE") != 0 &&
                    !(route->flags & ROUTE_NO_BODY);
    bool file = (route->flags & ROUTE_STREAM) && (route->flags & ROUTE_UPLOAD);
    return http_do(&(struct http_request){.method = route->method,
                                          .path = path,
                                          .token = token_of(c),
                                          .body = file       ? "%PDF-1.4 matrix"
                                                  : has_body ? "{}"
                                                             : NULL,
                                          .content_type = file ? "application/pdf"
                                                          : strcmp(route->method, "PATCH") == 0
                                                              ? "application/merge-patch+json"
                                                              : NULL});
}

static bool is_problem(struct http_response *r, const char *slug)
{
    const char *ct = http_header(r, "Content-Type");
    if (!ct || strcmp(ct, "application/problem+json") != 0)
        return false;
    char type[96];
    snprintf(type, sizeof type, "https://pacto.dev/problems/%s", slug);
    const char *got = http_json_string(r, "type");
    return got && strcmp(got, type) == 0;
}

/* NULL when the response is what the expectation asks, else why not. */
static const char *mismatch(struct http_response *r, enum expectation want, bool changed)
{
    long s = r->status;
    switch (want) {
    case EXPECT_UNAUTHENTICATED: {
        if (s != 401 || !is_problem(r, "unauthenticated"))
            return "wrong answer";
        const char *www = http_header(r, "WWW-Authenticate");
        if (!www || strncmp(www, "Bearer", 6) != 0)
            return "no Bearer challenge";
        break;
    }
    case EXPECT_FORBIDDEN:
        if (s != 403 || !is_problem(r, "forbidden"))
            return "wrong answer";
        break;
    case EXPECT_HIDDEN:
        if (s != 404 || !is_problem(r, "not-found"))
            return "wrong answer";
        break;
    case EXPECT_OTHERS_OBJECT:
        if ((s != 403 || !is_problem(r, "forbidden")) && (s != 404 || !is_problem(r, "not-found")))
            return "wrong answer";
        break;
    case EXPECT_ALLOWED:
        return s == 401 || s == 403 || s == 404 || s >= 500 ? "refused" : NULL;
    case EXPECT_OTHER_AREAS_ROW:
        if (s == 403)
            return !is_problem(r, "forbidden") ? "wrong answer"
                   : changed                   ? "refused, but the database changed"
                                               : NULL;
        return s == 401 || s == 404 || s >= 500 ? "refused" : NULL;
    }
    return changed ? "refused, but the database changed" : NULL;
}

static bool same_snapshot(const struct fixture_snapshot *a, const struct fixture_snapshot *b)
{
    return a->states == b->states && a->municipalities == b->municipalities &&
           a->municipality_rows == b->municipality_rows && a->users == b->users &&
           a->audit == b->audit && a->cycles == b->cycles && a->adhesions == b->adhesions &&
           a->team == b->team && a->program == b->program;
}

/* Loop test: _i indexes api_routes. Each caller finds the world as
 * world_build made it: a call that changed it (an allowed mayor withdrawing
 * the adhesion, deleting the member) is followed by a fresh one. */
START_TEST(every_caller_gets_what_the_route_policy_declares)
{
    const struct route *route = &api_routes[_i];
    ck_assert_msg(policy_is_declared(&route->policy), "%s %s declares no access policy",
                  route->method, route->pattern);
    world_build();
    struct buf failures = {0};
    struct fixture_snapshot before = fixture_snapshot();
    for (size_t i = 0; i < NCALLERS; i++) {
        char path[512];
        bool of_a;
        route_path(route, path, sizeof path, &of_a);
        enum expectation want = expect(route, &callers[i], of_a);
        struct http_response r = call(route, path, &callers[i]);
        struct fixture_snapshot after = fixture_snapshot();
        bool changed = !same_snapshot(&before, &after);
        const char *why = mismatch(&r, want, changed);
        if (why)
            buf_printf(&failures, "\n  %s %s as %s: expected %s, got %ld (%s): %.160s",
                       route->method, path, callers[i].name, expectation_text[want], r.status, why,
                       buf_cstr(&r.body));
        http_response_free(&r);
        if (changed) {
            fixture_reset();
            world_build();
            after = fixture_snapshot();
        }
        before = after;
    }
    char report[4096];
    snprintf(report, sizeof report, "%s", buf_cstr(&failures));
    bool ok = failures.len == 0;
    buf_free(&failures);
    ck_assert_msg(ok, "%s %s:%s", route->method, route->pattern, report);
}
END_TEST

Suite *matrix_suite(void)
{
    Suite *s = suite_create("matrix");
    TCase *tc = tcase_create("routes");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_add_loop_test(tc, every_caller_gets_what_the_route_policy_declares, 0,
                        (int)api_routes_count);
    suite_add_tcase(s, tc);
    return s;
}
