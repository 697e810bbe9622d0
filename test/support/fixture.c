/*
 * Integration-test fixture (see fixture.h). Passwords are hashed once per
 * process, or not at all on a fresh copy of the template, which holds the
 * hash already: Argon2 is deliberately slow.
 */
#include "fixture.h"

#include "auth/password.h"
#include "auth/token.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static PGconn *conn;
static char password_hash_text[PASSWORD_HASH_MAX];
static char ids[U_COUNT][24];
static char tokens[U_COUNT][TOKEN_MAX_LEN];

static const struct {
    const char *email, *name, *role, *municipality, *area, *cpf;
} users[U_COUNT] = {
    [U_COORDINATION] = {"coord@test.pacto", "Coordenação", "secretariat", NULL, "coordination",
                        "98765432100"},
    [U_HEALTH] = {"health@test.pacto", "Saúde", "secretariat", NULL, "health", NULL},
    [U_EDUCATION] = {"education@test.pacto", "Educação", "secretariat", NULL, "education", NULL},
    [U_MAYOR_CG] = {"mayor.cg@test.pacto", "Maria", "mayor", CG, NULL, CG_MAYOR_CPF},
    [U_REP_CG] = {"rep.cg@test.pacto", "Rita", "representative", CG, NULL, "39053344705"},
    [U_MAYOR_DOURADOS] = {"mayor.dourados@test.pacto", "João", "mayor", DOURADOS, NULL,
                          DOURADOS_MAYOR_CPF},
};

PGconn *fixture_db(void)
{
    if (conn && PQstatus(conn) == CONNECTION_OK)
        return conn;
    if (conn)
        PQfinish(conn);
    const char *url = getenv("PACTO_DATABASE_URL");
    ck_assert_msg(url != NULL, "PACTO_DATABASE_URL is not set");
    conn = PQconnectdb(url);
    ck_assert_msg(PQstatus(conn) == CONNECTION_OK, "test database: %s", PQerrorMessage(conn));
    return conn;
}

/* Runs sql; when the connection turns out to be dead (PostgreSQL restarted
 * since it was last used, which PQstatus only notices on use), reconnects and
 * runs it once more. */
static PGresult *query(const char *sql)
{
    PGresult *r = PQexec(fixture_db(), sql);
    if (PQstatus(conn) == CONNECTION_BAD) {
        PQclear(r);
        r = PQexec(fixture_db(), sql);
    }
    return r;
}

/* The server caches accounts and municipalities and evicts them when
 * PostgreSQL notifies it of a change. Changes the API makes are evicted before
 * it answers; changes a test makes behind its back reach the server's
 * listener within moments: this gives the notification time to arrive. */
static void let_server_hear(void) { usleep(30000); }

void fixture_exec(const char *sql)
{
    PGresult *r = query(sql);
    ExecStatusType st = PQresultStatus(r);
    ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
                  PQresultErrorMessage(r));
    PQclear(r);
    if (st == PGRES_COMMAND_OK)
        let_server_hear();
}

long fixture_long(const char *sql)
{
    PGresult *r = query(sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s: %s", sql,
                  PQresultErrorMessage(r));
    long v = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

long fixture_longf(const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    ck_assert_msg(n >= 0 && (size_t)n < sizeof sql, "query too long: %s", fmt);
    return fixture_long(sql);
}

long fixture_count(const char *table) { return fixture_longf("SELECT count(*) FROM %s", table); }

struct fixture_snapshot fixture_snapshot(void)
{
    return (struct fixture_snapshot){
        .states = fixture_count("states"),
        .municipalities = fixture_count("municipalities"),
        .municipality_rows = fixture_long(
            "SELECT hashtext(string_agg(m::text, '|' ORDER BY ibge_code)) FROM municipalities m"),
        .users = fixture_long("SELECT hashtext(string_agg(u::text, '|' ORDER BY id)) FROM users u"),
        .audit = fixture_count("audit_events"),
        .cycles =
            fixture_long("SELECT hashtext(string_agg(c::text, '|' ORDER BY id)) FROM cycles c"),
        .adhesions =
            fixture_long("SELECT hashtext(string_agg(a::text, '|' ORDER BY id)) FROM adhesions a"),
        .team = fixture_long(
            "SELECT hashtext(string_agg(t::text, '|' ORDER BY id)) FROM team_members t"),
        .program = fixture_long(
            "SELECT hashtext(concat_ws('|',"
            " (SELECT string_agg(i::text, '|' ORDER BY id) FROM indicators i),"
            " (SELECT string_agg(v::text, '|' ORDER BY indicator_id, period, municipality_id)"
            "    FROM indicator_values v),"
            " (SELECT count(*) FROM indicator_value_history),"
            " (SELECT string_agg(c::text, '|' ORDER BY id) FROM challenges c),"
            " (SELECT string_agg(ci::text, '|' ORDER BY challenge_id, indicator_id)"
            "    FROM challenge_indicators ci),"
            " (SELECT count(*) FROM focalization_runs),"
            " (SELECT string_agg(o::text, '|' ORDER BY id) FROM focal_overrides o),"
            " (SELECT string_agg(t::text, '|' ORDER BY challenge_id, indicator_id)"
            "    FROM state_targets t),"
            " (SELECT string_agg(s::text, '|' ORDER BY challenge_id, indicator_id,"
            "    municipality_id) FROM suggested_targets s),"
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM initiatives x),"
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM incentives x),"
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM action_plans x),"
            " (SELECT string_agg(x::text, '|' ORDER BY plan_id, indicator_id) FROM plan_targets x),"
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM plan_actions x),"
            " (SELECT string_agg(x::text, '|' ORDER BY action_id, position) FROM plan_resources x),"
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM plan_deliveries x),"
            " (SELECT count(*) FROM plan_versions), (SELECT count(*) FROM plan_transitions),"
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM plan_comments x),"
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM pacts x),"
            " (SELECT count(*) FROM pact_targets),"
            " (SELECT string_agg(x::text, '|' ORDER BY incentive_id, municipality_id)"
            "    FROM incentive_grants x),"
            " (SELECT string_agg(x.id || x.sha256, '|' ORDER BY id) FROM evidence_files x),"
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM evidence x),"
            " (SELECT string_agg(x::text, '|' ORDER BY evidence_id, file_id)"
            "    FROM evidence_attachments x),"
            /* the shared-management forum, co-evaluation and training */
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM forum_members x),"
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM co_evaluations x),"
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM courses x),"
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM course_attendance x),"
            /* Public questions and technical assistance */
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM questions x),"
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM assistance_requests x),"
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM assistance_transitions x),"
            /* Good practices */
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM practices x),"
            " (SELECT string_agg(x::text, '|' ORDER BY practice_id, action_id)"
            "    FROM practice_actions x),"
            " (SELECT string_agg(x::text, '|' ORDER BY practice_id, position)"
            "    FROM practice_indicators x),"
            " (SELECT string_agg(x::text, '|' ORDER BY practice_id, file_id)"
            "    FROM practice_files x),"
            /* Public consultations */
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM consultations x),"
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM consultation_comments x),"
            " (SELECT string_agg(x::text, '|' ORDER BY id) FROM mail_outbox x)))"),
    };
}

void fixture_assert_unchanged(struct fixture_snapshot before)
{
    struct fixture_snapshot now = fixture_snapshot();
    ck_assert_int_eq(now.states, before.states);
    ck_assert_int_eq(now.municipalities, before.municipalities);
    ck_assert_msg(now.municipality_rows == before.municipality_rows,
                  "a municipalities row changed");
    ck_assert_msg(now.users == before.users, "the users table changed");
    ck_assert_int_eq(now.audit, before.audit);
    ck_assert_msg(now.cycles == before.cycles, "the cycles table changed");
    ck_assert_msg(now.adhesions == before.adhesions, "the adhesions table changed");
    ck_assert_msg(now.team == before.team, "the team_members table changed");
    ck_assert_msg(now.program == before.program,
                  "the program changed (indicators to targets, portfolio, plans, pacts, evidence, "
                  "forum, training, questions, assistance, practices or consultations)");
}

struct http_response fixture_call(const char *method, const char *path, enum fixture_user who,
                                  const char *body, const char *const *headers)
{
    return http_do(&(struct http_request){.method = method,
                                          .path = path,
                                          .token = who == U_COUNT ? NULL : fixture_token(who),
                                          .body = body,
                                          .content_type = body && strcmp(method, "PATCH") == 0
                                                              ? "application/merge-patch+json"
                                                              : NULL,
                                          .headers = headers});
}

long fixture_get_status(const char *path, const char *token)
{
    struct http_response r = http_get(path, token);
    long status = r.status;
    http_response_free(&r);
    return status;
}

bool fixture_names_error(const struct http_response *r, const char *field, long line)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r->json, "errors"))
    {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "field");
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(e, "line");
        if (cJSON_IsString(f) && strcmp(f->valuestring, field) == 0 &&
            (line == 0 || (cJSON_IsNumber(l) && (long)l->valuedouble == line)))
            return true;
    }
    return false;
}

void fixture_expect_invalid(struct http_response *r, const char *field)
{
    http_expect_problem(r, 422, "validation-failed");
    ck_assert_msg(fixture_names_error(r, field, 0), "no error for field %s in %s", field,
                  buf_cstr(&r->body));
}

void fixture_expect_unauthenticated(struct http_response *r)
{
    http_expect_problem(r, 401, "unauthenticated");
    const char *www = http_header(r, "WWW-Authenticate");
    ck_assert_msg(www && strncmp(www, "Bearer", 6) == 0, "WWW-Authenticate: %s",
                  www ? www : "(none)");
}

void fixture_expect_invalid_bodies(const struct http_request *req,
                                   const struct fixture_invalid_body *cases, size_t n)
{
    struct fixture_snapshot before = fixture_snapshot();
    for (size_t i = 0; i < n; i++) {
        struct http_request one = *req;
        one.body = cases[i].body;
        struct http_response r = http_do(&one);
        ck_assert_msg(r.status == 422, "%s %s with %s: %ld %s", req->method, req->path,
                      cases[i].body, r.status, buf_cstr(&r.body));
        fixture_expect_invalid(&r, cases[i].field);
        http_response_free(&r);
        fixture_assert_unchanged(before);
    }
}

void fixture_expect_replayed(const struct http_request *req, const char *table)
{
    long rows = fixture_count(table), audit = fixture_count("audit_events");
    struct http_response first = http_do(req), again = http_do(req);
    ck_assert_msg(first.status == 201, "%s", buf_cstr(&first.body));
    ck_assert_int_eq(again.status, 201);
    ck_assert_str_eq(buf_cstr(&again.body), buf_cstr(&first.body));
    ck_assert_str_eq(http_header(&again, "Idempotent-Replayed"), "true");
    http_response_free(&first);
    http_response_free(&again);
    ck_assert_int_eq(fixture_count(table), rows + 1);
    ck_assert_int_eq(fixture_count("audit_events"), audit + 1);
}

static void make_token(enum fixture_user u)
{
    struct token_config cfg;
    const char *secret = getenv("PACTO_JWT_SECRET");
    ck_assert_msg(secret != NULL, "PACTO_JWT_SECRET is not set");
    const char *iss = getenv("PACTO_JWT_ISSUER");
    const char *aud = getenv("PACTO_JWT_AUDIENCE");
    ck_assert(token_config_hs256(&cfg, secret, iss ? iss : "pacto", aud ? aud : "pacto-api", 900));
    struct token_claims c = {0};
    snprintf(c.sub, sizeof c.sub, "%.23s", ids[u]); /* ids hold at most 23 digits */
    snprintf(c.role, sizeof c.role, "%s", users[u].role);
    snprintf(c.municipality_id, sizeof c.municipality_id, "%s",
             users[u].municipality ? users[u].municipality : "");
    snprintf(c.secretariat_area, sizeof c.secretariat_area, "%s",
             users[u].area ? users[u].area : "");
    char *t = token_issue(&cfg, &c, time(NULL));
    ck_assert_ptr_nonnull(t);
    snprintf(tokens[u], sizeof tokens[u], "%s", t);
    free(t);
    token_config_free(&cfg);
}

/* Appends s as an SQL literal, or NULL. Returns false when libpq cannot
 * escape it (the reason is in PQerrorMessage). */
static bool append_literal(PGconn *c, struct buf *sql, const char *s)
{
    if (!s) {
        buf_puts(sql, "NULL");
        return true;
    }
    char *lit = PQescapeLiteral(c, s, strlen(s));
    if (!lit)
        return false;
    buf_puts(sql, lit);
    PQfreemem(lit);
    return true;
}

/* Appends the statements that empty every table and load the fixture, the
 * last of which returns each account's id and e-mail. Sent as one query
 * string they are one round trip and one transaction, so the server hears
 * of the whole change at once. Returns false when a value cannot be escaped
 * (the reason is in PQerrorMessage). */
static bool append_load_sql(PGconn *c, struct buf *sql)
{
    buf_puts(
        sql,
        "SET LOCAL client_min_messages = warning;" /* not "truncate cascades to" */
        "TRUNCATE idempotency_keys, public_writes, audit_events, users, municipalities, states,"
        " indicators"
        " RESTART IDENTITY CASCADE;"
        "INSERT INTO states (code, uf, name, region) VALUES"
        " (50, 'MS', 'Mato Grosso do Sul', 'centro_oeste'), (35, 'SP', 'São Paulo', 'sudeste');"
        "INSERT INTO municipalities (ibge_code, name, state_code, latitude, longitude,"
        "                            capital, mayor_name, mayor_cpf) VALUES"
        " ('" CG "', 'Campo Grande', 50, -20.4486, -54.6295, true, 'Maria', '" CG_MAYOR_CPF "'),"
        " ('" DOURADOS "', 'Dourados', 50, -22.2231, -54.812, false, 'João', '" DOURADOS_MAYOR_CPF
        "'),"
        " ('" SAO_PAULO "', 'São Paulo', 35, -23.5329, -46.6395, true, NULL, NULL);"
        "INSERT INTO users (name, email, role, municipality_id, secretariat_area, cpf,"
        "                   password_hash) VALUES");
    for (int u = 0; u < U_COUNT; u++) {
        const char *values[] = {users[u].name,         users[u].email, users[u].role,
                                users[u].municipality, users[u].area,  users[u].cpf,
                                password_hash_text};
        buf_puts(sql, u ? ", (" : " (");
        for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
            if (i)
                buf_puts(sql, ", ");
            if (!append_literal(c, sql, values[i]))
                return false;
        }
        buf_putc(sql, ')');
    }
    buf_puts(sql, " RETURNING id, email");
    return true;
}

/* Takes each account's id from rows of (id, email). Returns false unless
 * every fixture account is among them. */
static bool take_ids(const PGresult *r)
{
    int found = 0;
    for (int row = 0; row < PQntuples(r); row++)
        for (int u = 0; u < U_COUNT; u++)
            if (strcmp(PQgetvalue(r, row, 1), users[u].email) == 0) {
                snprintf(ids[u], sizeof ids[u], "%s", PQgetvalue(r, row, 0));
                found++;
            }
    return found == U_COUNT;
}

/* The first reset on a fresh copy of the template (see fixture.h): the
 * fixture is there already, so only the ids and the password hash are read.
 * Returns false, and reads nothing, unless the database still looks as the
 * template left it: just the fixture's accounts and no audit event (every
 * change through the API writes one). */
static bool adopt(void)
{
    PGresult *r = query("SELECT id, email, password_hash, (SELECT count(*) FROM audit_events)"
                        " FROM users ORDER BY id");
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "reading the fixture: %s",
                  PQresultErrorMessage(r));
    bool pristine = PQntuples(r) == U_COUNT && strcmp(PQgetvalue(r, 0, 3), "0") == 0;
    if (pristine && take_ids(r))
        snprintf(password_hash_text, sizeof password_hash_text, "%s", PQgetvalue(r, 0, 2));
    else
        pristine = false;
    PQclear(r);
    return pristine;
}

void fixture_reset(void)
{
    static bool first_done;
    const char *fresh = getenv(FIXTURE_FRESH_ENV);
    /* Only the first reset, before this process has used the database. */
    bool adopted = !first_done && !conn && fresh && strcmp(fresh, "1") == 0 && adopt();
    first_done = true;
    if (!adopted) {
        if (!password_hash_text[0])
            ck_assert(password_hash(FIXTURE_PASSWORD, password_hash_text));
        struct buf sql = {0};
        ck_assert_msg(append_load_sql(fixture_db(), &sql), "fixture: %s",
                      PQerrorMessage(fixture_db()));
        PGresult *r = query(buf_cstr(&sql));
        buf_free(&sql);
        ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && take_ids(r), "fixture: %s",
                      PQresultErrorMessage(r));
        PQclear(r);
        let_server_hear();
    }
    for (int u = 0; u < U_COUNT; u++)
        make_token((enum fixture_user)u);
}

bool fixture_install(void)
{
    const char *url = getenv("PACTO_DATABASE_URL");
    if (!url) {
        fprintf(stderr, "fixture: PACTO_DATABASE_URL is not set\n");
        return false;
    }
    if (!password_hash(FIXTURE_PASSWORD, password_hash_text)) {
        fprintf(stderr, "fixture: cannot hash the fixture's password\n");
        return false;
    }
    PGconn *c = PQconnectdb(url);
    struct buf sql = {0};
    bool ok = PQstatus(c) == CONNECTION_OK && append_load_sql(c, &sql);
    if (ok) {
        PGresult *r = PQexec(c, buf_cstr(&sql));
        ok = PQresultStatus(r) == PGRES_TUPLES_OK && take_ids(r);
        if (!ok)
            fprintf(stderr, "fixture: %s", PQresultErrorMessage(r));
        PQclear(r);
    } else {
        fprintf(stderr, "fixture: %s", PQerrorMessage(c));
    }
    buf_free(&sql);
    PQfinish(c);
    return ok;
}

const char *fixture_token(enum fixture_user u) { return tokens[u]; }

const char *fixture_user_id(enum fixture_user u) { return ids[u]; }

const char *fixture_email(enum fixture_user u) { return users[u].email; }

/* POSTs {name1: value1, name2: value2} to path, without a token. */
static struct http_response post_two(const char *path, const char *name1, const char *value1,
                                     const char *name2, const char *value2)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, name1, value1);
    cJSON_AddStringToObject(body, name2, value2);
    char *json = cJSON_PrintUnformatted(body);
    struct http_response r = http_post(path, NULL, json);
    cJSON_free(json);
    cJSON_Delete(body);
    return r;
}

struct http_response fixture_activate(const char *token, const char *password)
{
    return post_two("/v1/auth/activate", "token", token, "password", password);
}

void fixture_login(const char *email, const char *password, char *out, size_t n)
{
    struct http_response r = post_two("/v1/auth/token", "email", email, "password", password);
    ck_assert_msg(r.status == 200, "login of %s: %ld %s", email, r.status, buf_cstr(&r.body));
    snprintf(out, n, "%s", http_json_string(&r, "access_token"));
    http_response_free(&r);
}

const char *fixture_invitation_token(const struct http_response *r)
{
    const cJSON *inv = cJSON_GetObjectItemCaseSensitive(r->json, "invitation");
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(inv, "token");
    ck_assert_msg(cJSON_IsString(token), "no invitation in %s", buf_cstr(&r->body));
    return token->valuestring;
}
