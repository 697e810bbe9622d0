/*
 * The cycle endpoints: create, list, read and update (see cycles.h).
 *
 * The window rules (closing after opening, the pact window not opening before
 * the adhesion window) are checked by PostgreSQL on the values as they will
 * be stored, so that a PATCH is judged on the merged cycle; the table's CHECK
 * constraints repeat them as the last line of defence.
 */
#include "cycles/cycles.h"

#include "audit/audit.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/query.h"
#include "validate/timestamp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A cycle's fields as every response and the audit log show them; expects
 * the aliases c (cycles) and s (its state). */
#define CYCLE_FIELDS                                                                               \
    "'id', c.id, 'name', c.name, 'state', s.uf,"                                                   \
    " 'adhesion_opens_at', pacto_ts(c.adhesion_opens_at),"                                         \
    " 'adhesion_closes_at', pacto_ts(c.adhesion_closes_at),"                                       \
    " 'pact_opens_at', pacto_ts(c.pact_opens_at), 'pact_closes_at', pacto_ts(c.pact_closes_at),"   \
    " 'target_year', c.target_year, 'commitments', c.commitments,"                                 \
    " 'created_at', pacto_ts(c.created_at), 'updated_at', pacto_ts(c.updated_at)"

/* The response adds the phase, which depends on when it is asked; the audit
 * snapshot leaves it out. c may be a CTE over RETURNING *, hence the cast. */
#define CYCLE_JSON     "json_build_object(" CYCLE_FIELDS ", 'phase', cycle_phase(c::cycles, now()))"
#define CYCLE_SNAPSHOT "jsonb_build_object(" CYCLE_FIELDS ")"

/* Every statement that answers a cycle starts with these columns. */
#define CYCLE_COLUMNS "c.id, c.version, " CYCLE_JSON ", " CYCLE_SNAPSHOT
enum { COL_ID, COL_VERSION, COL_JSON, COL_SNAPSHOT };

static const struct db_stmt STMT_CYCLE_GET = {
    .name = "cycle_get",
    .sql = "SELECT " CYCLE_COLUMNS " FROM cycles c JOIN states s ON s.code = c.state_code"
           " WHERE c.id = $1",
};

static const struct db_stmt STMT_CYCLE_LOCK = {
    .name = "cycle_lock",
    .sql = "SELECT " CYCLE_COLUMNS " FROM cycles c JOIN states s ON s.code = c.state_code"
           " WHERE c.id = $1 FOR UPDATE OF c",
};

static const struct db_stmt STMT_CYCLE_LIST = {
    .name = "cycle_list",
    .sql = "SELECT c.id, " CYCLE_JSON ","
           "       c.id, c.name, s.uf, pacto_ts(c.adhesion_opens_at),"
           "       pacto_ts(c.adhesion_closes_at), pacto_ts(c.pact_opens_at),"
           "       pacto_ts(c.pact_closes_at), c.target_year, cycle_phase(c, now())"
           "  FROM cycles c JOIN states s ON s.code = c.state_code"
           " WHERE ($2::text IS NULL OR s.uf = $2)"
           "   AND ($3::text IS NULL OR cycle_phase(c, now()) = $3)"
           "   AND ($1::bigint IS NULL OR c.id > $1)"
           " ORDER BY c.id LIMIT $4",
};

/* The window rules on the cycle as it would be stored: the new values, or,
 * for a PATCH ($5 the cycle's id), the current ones where none is given.
 * Also resolves the state's UF ($6) to its code. */
static const struct db_stmt STMT_CYCLE_CHECK = {
    .name = "cycle_check",
    .sql = "SELECT w.ac > w.ao, w.pc > w.po, w.po >= w.ao,"
           "       (SELECT code FROM states WHERE uf = $6)"
           "  FROM (SELECT coalesce($1::timestamptz, c.adhesion_opens_at) AS ao,"
           "               coalesce($2::timestamptz, c.adhesion_closes_at) AS ac,"
           "               coalesce($3::timestamptz, c.pact_opens_at) AS po,"
           "               coalesce($4::timestamptz, c.pact_closes_at) AS pc"
           "          FROM (SELECT) AS one LEFT JOIN cycles c ON c.id = $5::bigint) AS w",
};

static const struct db_stmt STMT_CYCLE_INSERT = {
    .name = "cycle_insert",
    .sql = "WITH c AS ("
           "  INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
           "                      pact_opens_at, pact_closes_at, target_year, commitments)"
           "  VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) RETURNING *)"
           "SELECT " CYCLE_COLUMNS " FROM c JOIN states s ON s.code = c.state_code",
};

/* NULL parameters keep the current value (a PATCH may not set null). No row
 * comes back when nothing would change. */
static const struct db_stmt STMT_CYCLE_UPDATE = {
    .name = "cycle_update",
    .sql = "WITH c AS ("
           "  UPDATE cycles"
           "     SET name = coalesce($2, name),"
           "         adhesion_opens_at = coalesce($3::timestamptz, adhesion_opens_at),"
           "         adhesion_closes_at = coalesce($4::timestamptz, adhesion_closes_at),"
           "         pact_opens_at = coalesce($5::timestamptz, pact_opens_at),"
           "         pact_closes_at = coalesce($6::timestamptz, pact_closes_at),"
           "         target_year = coalesce($7::integer, target_year),"
           "         commitments = coalesce($8::jsonb, commitments),"
           "         version = version + 1, updated_at = now()"
           "   WHERE id = $1"
           "     AND (name, adhesion_opens_at, adhesion_closes_at, pact_opens_at, pact_closes_at,"
           "          target_year, commitments) IS DISTINCT FROM"
           "         (coalesce($2, name), coalesce($3::timestamptz, adhesion_opens_at),"
           "          coalesce($4::timestamptz, adhesion_closes_at),"
           "          coalesce($5::timestamptz, pact_opens_at),"
           "          coalesce($6::timestamptz, pact_closes_at),"
           "          coalesce($7::integer, target_year), coalesce($8::jsonb, commitments))"
           "  RETURNING *)"
           "SELECT " CYCLE_COLUMNS " FROM c JOIN states s ON s.code = c.state_code",
};

/* The five commitments of the São Paulo program's adhesion term (seed 000),
 * for cycles created without their own list. "Governo do Estado" is left
 * without the state's name, as a cycle may be of any state. */
static const char default_commitments[] =
    "[\"Definir um profissional da prefeitura para representar o município no Programa\","
    "\"Disponibilizar equipe técnica para elaboração de planos de ação para superação dos"
    " desafios pactuados pelo município\","
    "\"Promover divulgação interna das atividades do programa e mobilizar as Secretarias"
    " envolvidas\","
    "\"Pactuar com o Governo do Estado a melhoria dos indicadores selecionados e a execução dos"
    " Planos de Ação elaborados\","
    "\"Acompanhar o detalhamento do programa e seus desdobramentos na plataforma web\"]";

enum { MAX_COMMITMENTS = 20, COMMITMENT_MAX_CHARS = 500 };

/* The four windows' fields, in the order of the statements' parameters. */
static const char *const window_fields[4] = {"adhesion_opens_at", "adhesion_closes_at",
                                             "pact_opens_at", "pact_closes_at"};

static const char *const phases[] = {"upcoming",  "adhesion_open", "adhesion_closed",
                                     "pact_open", "closed",        NULL};

bool cycles_is_id(const char *s)
{
    return *s >= '1' && *s <= '9' && strlen(s) <= 18 && strspn(s, "0123456789") == strlen(s);
}

/* Fields a client may send, shared by create and update. */
struct cycle_input {
    enum field_state name_st, window_st[4], year_st, commitments_st;
    const char *name, *window[4];
    char year[8];
    char *commitments; /* JSON array text (cJSON_free it), when commitments_st is FIELD_SET */
};

/* Reads commitments: an array of 1..20 strings of 1..500 characters. */
static enum field_state read_commitments(const cJSON *body, char **out, struct field_errors *e)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "commitments");
    if (!list)
        return FIELD_ABSENT;
    if (cJSON_IsNull(list))
        return FIELD_NULL;
    int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
    if (n < 1 || n > MAX_COMMITMENTS) {
        field_error(e, "commitments", "must be an array of 1 to 20 strings");
        return FIELD_INVALID;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        const char *why = cJSON_IsString(item)
                              ? field_text_problem(item->valuestring, COMMITMENT_MAX_CHARS)
                              : "must be a string";
        if (why) {
            char message[160];
            snprintf(message, sizeof message, "each commitment (1 to 500 characters): %s", why);
            field_error(e, "commitments", message);
            return FIELD_INVALID;
        }
    }
    *out = cJSON_PrintUnformatted(list);
    return *out ? FIELD_SET : FIELD_INVALID;
}

static void read_input(const cJSON *body, struct cycle_input *in, struct field_errors *e)
{
    in->name_st = field_string(body, "name", 200, &in->name, e);
    for (int i = 0; i < 4; i++) {
        in->window_st[i] = field_string(body, window_fields[i], 40, &in->window[i], e);
        if (in->window_st[i] == FIELD_SET && !timestamp_is_rfc3339(in->window[i])) {
            field_error(e, window_fields[i],
                        "must be an RFC 3339 date-time with an offset, e.g. 2026-08-22T03:00:00Z");
            in->window_st[i] = FIELD_INVALID;
        }
    }
    double year = 0;
    in->year_st = field_number(body, "target_year", 2000, 2100, &year, e);
    if (in->year_st == FIELD_SET && year != floor(year)) {
        field_error(e, "target_year", "must be an integer");
        in->year_st = FIELD_INVALID;
    }
    snprintf(in->year, sizeof in->year, "%d", (int)year);
    in->commitments = NULL;
    in->commitments_st = read_commitments(body, &in->commitments, e);
}

static const char *set_or_null(enum field_state st, const char *value)
{
    return st == FIELD_SET ? value : NULL;
}

/* Runs STMT_CYCLE_CHECK and adds an error per broken window rule (and for an
 * unknown state when uf is given); state_code receives the state's code.
 * Returns false when the database failed (nothing answered yet). */
static bool check_rules(struct request *req, const struct cycle_input *in, const char *cycle_id,
                        const char *uf, char state_code[8], struct field_errors *e)
{
    const char *params[6] = {NULL, NULL, NULL, NULL, cycle_id, uf};
    for (int i = 0; i < 4; i++)
        params[i] = set_or_null(in->window_st[i], in->window[i]);
    PGresult *r = db_exec(req->db, &STMT_CYCLE_CHECK, 6, params);
    if (!r)
        return false;
    if (strcmp(PQgetvalue(r, 0, 0), "f") == 0)
        field_error(e, "adhesion_closes_at", "must be after adhesion_opens_at");
    if (strcmp(PQgetvalue(r, 0, 1), "f") == 0)
        field_error(e, "pact_closes_at", "must be after pact_opens_at");
    if (strcmp(PQgetvalue(r, 0, 2), "f") == 0)
        field_error(e, "pact_opens_at", "must not be before adhesion_opens_at");
    if (uf && PQgetisnull(r, 0, 3))
        field_error(e, "state", "is not a known state (UF)");
    snprintf(state_code, 8, "%s", PQgetvalue(r, 0, 3));
    PQclear(r);
    return true;
}

/* Answers a cycle from a row that starts with CYCLE_COLUMNS. */
static void respond(struct request *req, int status, const PGresult *r)
{
    resp_header(req, "ETag", "\"%s\"", PQgetvalue(r, 0, COL_VERSION));
    resp_json(req, status, PQgetvalue(r, 0, COL_JSON), strlen(PQgetvalue(r, 0, COL_JSON)));
}

/* Writes the audit event of a change and answers it; commits. */
static void changed(struct request *req, int status, const char *action, const PGresult *before,
                    const PGresult *after)
{
    struct audit_actor actor = audit_actor_of(req);
    if (!audit_record(req->db, &actor, action, "cycle", PQgetvalue(after, 0, COL_ID),
                      before ? PQgetvalue(before, 0, COL_SNAPSHOT) : NULL,
                      PQgetvalue(after, 0, COL_SNAPSHOT))) {
        resp_db_error(req);
        return;
    }
    if (status == 201)
        resp_header(req, "Location", "/v1/cycles/%s", PQgetvalue(after, 0, COL_ID));
    respond(req, status, after);
    req_commit(req);
}

/* Inserts the validated cycle in a new transaction and answers 201. */
static void insert(struct request *req, const struct cycle_input *in, const char *uf)
{
    struct field_errors e = {0};
    char state_code[8];
    PGresult *r = NULL;
    if (!db_begin(req->db) || !check_rules(req, in, NULL, uf, state_code, &e)) {
        resp_db_error(req);
    } else if (e.count) {
        resp_validation(req, &e, NULL);
    } else {
        const char *params[] = {
            in->name,      state_code,
            in->window[0], in->window[1],
            in->window[2], in->window[3],
            in->year,      in->commitments_st == FIELD_SET ? in->commitments : default_commitments};
        if ((r = db_exec(req->db, &STMT_CYCLE_INSERT, 8, params)))
            changed(req, 201, "create", NULL, r);
        else
            resp_db_error(req);
    }
    PQclear(r);
    field_errors_free(&e);
}

void cycles_create(struct request *req)
{
    static const char *const allowed[] = {"name",
                                          "state",
                                          "adhesion_opens_at",
                                          "adhesion_closes_at",
                                          "pact_opens_at",
                                          "pact_closes_at",
                                          "target_year",
                                          "commitments",
                                          NULL};
    static const char *const readonly[] = {"id", "phase", "created_at", "updated_at", NULL};
    cJSON *body = req_json_object(req, false);
    if (!body)
        return;
    struct field_errors e = {0};
    fields_only(body, allowed, readonly, &e);
    const char *uf = NULL;
    field_required(field_string(body, "state", 2, &uf, &e), "state", &e);
    struct cycle_input in;
    read_input(body, &in, &e);
    field_required(in.name_st, "name", &e);
    for (int i = 0; i < 4; i++)
        field_required(in.window_st[i], window_fields[i], &e);
    field_required(in.year_st, "target_year", &e);
    if (in.commitments_st == FIELD_NULL)
        field_error(&e, "commitments", "may not be null; leave it out for the default list");
    if (e.count)
        resp_validation(req, &e, NULL);
    else if (req_db(req))
        insert(req, &in, uf);
    field_errors_free(&e);
    cJSON_free(in.commitments);
    cJSON_Delete(body);
}

void cycles_list(struct request *req)
{
    static const char *const allowed[] = {"state", "phase", "limit", "cursor", NULL};
    struct query q;
    struct page page;
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, "cycles", &page))
        return;
    const char *state = query_get(&q, "state");
    const char *phase = query_get(&q, "phase");
    if (state && (strlen(state) != 2 || strspn(state, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 2)) {
        resp_bad_parameter(req, "state must be a two-letter UF code such as SP.");
        return;
    }
    const char *const *known = phases;
    while (phase && *known && strcmp(phase, *known) != 0)
        known++;
    if (phase && !*known) {
        resp_bad_parameter(
            req, "phase must be upcoming, adhesion_open, adhesion_closed, pact_open or closed.");
        return;
    }
    struct db_conn *db = req_db(req);
    if (!db)
        return;
    const char *params[] = {page.after[0] ? page.after : NULL, state, phase, page.limit_plus_one};
    PGresult *r = db_exec(db, &STMT_CYCLE_LIST, 4, params);
    if (!r) {
        resp_db_error(req);
        return;
    }
    resp_page_rows(req, &page, r, 0, 1,
                   "id,name,state,adhesion_opens_at,adhesion_closes_at,pact_opens_at,"
                   "pact_closes_at,target_year,phase",
                   2);
    PQclear(r);
}

void cycles_get(struct request *req)
{
    static const char *const allowed[] = {NULL};
    struct query q;
    if (!query_parse(req, allowed, &q))
        return;
    const char *id = req_param(req, 0);
    if (!cycles_is_id(id)) {
        resp_not_found(req);
        return;
    }
    struct db_conn *db = req_db(req);
    if (!db)
        return;
    const char *params[] = {id};
    PGresult *r = db_exec(db, &STMT_CYCLE_GET, 1, params);
    if (!r)
        resp_db_error(req);
    else if (PQntuples(r) == 1)
        respond(req, 200, r);
    else
        resp_not_found(req);
    PQclear(r);
}

/* Applies the patch to the locked cycle `cur`: checks the rules on the merged
 * result, then writes and audits it, or answers the cycle as it is when the
 * patch changes nothing. */
static void apply_update(struct request *req, const struct cycle_input *in, const PGresult *cur)
{
    const char *id = PQgetvalue(cur, 0, COL_ID);
    struct field_errors e = {0};
    char state_code[8];
    PGresult *r = NULL;
    const char *params[] = {id,
                            set_or_null(in->name_st, in->name),
                            set_or_null(in->window_st[0], in->window[0]),
                            set_or_null(in->window_st[1], in->window[1]),
                            set_or_null(in->window_st[2], in->window[2]),
                            set_or_null(in->window_st[3], in->window[3]),
                            set_or_null(in->year_st, in->year),
                            set_or_null(in->commitments_st, in->commitments)};
    if (!check_rules(req, in, id, NULL, state_code, &e))
        resp_db_error(req);
    else if (e.count)
        resp_validation(req, &e, NULL);
    else if (!(r = db_exec(req->db, &STMT_CYCLE_UPDATE, 8, params)))
        resp_db_error(req);
    else if (PQntuples(r) == 0) /* nothing changed: nothing to write or audit */
        respond(req, 200, cur);
    else
        changed(req, 200, "update", cur, r);
    PQclear(r);
    field_errors_free(&e);
}

void cycles_update(struct request *req)
{
    static const char *const allowed[] = {
        "name",           "adhesion_opens_at", "adhesion_closes_at", "pact_opens_at",
        "pact_closes_at", "target_year",       "commitments",        NULL};
    static const char *const readonly[] = {"id",         "state",      "phase",
                                           "created_at", "updated_at", NULL};
    cJSON *body = req_json_object(req, true);
    if (!body)
        return;
    struct field_errors e = {0};
    fields_only(body, allowed, readonly, &e);
    struct cycle_input in;
    read_input(body, &in, &e);
    const enum field_state *states[] = {&in.name_st,       &in.window_st[0], &in.window_st[1],
                                        &in.window_st[2],  &in.window_st[3], &in.year_st,
                                        &in.commitments_st};
    const char *names[] = {"name",           window_fields[0], window_fields[1], window_fields[2],
                           window_fields[3], "target_year",    "commitments"};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        if (*states[i] == FIELD_NULL)
            field_error(&e, names[i], "may not be null");
    const char *id = req_param(req, 0);
    PGresult *cur = NULL;
    const char *params[] = {id};
    if (e.count) {
        resp_validation(req, &e, NULL);
    } else if (!cycles_is_id(id)) {
        resp_not_found(req);
    } else if ((cur = req_lock_row(req, &STMT_CYCLE_LOCK, 1, params, COL_VERSION))) {
        apply_update(req, &in, cur);
    }
    PQclear(cur);
    field_errors_free(&e);
    cJSON_free(in.commitments);
    cJSON_Delete(body);
}
