/*
 * The municipality endpoints: list, read, create, update (see municipalities.h).
 */
#include "municipalities/municipalities.h"

#include "auth/session.h"
#include "csv/csv.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/query.h"
#include "validate/cpf.h"
#include "validate/ibge.h"

#include <stdio.h>
#include <string.h>

/* $2: the caller sees every mayor (secretariat); $3: the caller's own
 * municipality; $4: the caller's CPF, which alone unmasks a mayor's CPF. */
#define MUNICIPALITY_JSON                                                                         \
    "municipality_json(m, $2::boolean OR m.ibge_code = $3, m.mayor_cpf IS DISTINCT FROM $4)"

static const struct db_stmt STMT_MUNICIPALITY_GET = {
    "municipality_get",
    "SELECT " MUNICIPALITY_JSON ", m.version FROM municipalities m WHERE m.ibge_code = $1"};

static const struct db_stmt STMT_MUNICIPALITY_LIST = {
    "municipality_list",
    "SELECT m.ibge_code, " MUNICIPALITY_JSON ","
    "       m.name, s.uf, s.region, m.latitude, m.longitude, m.capital"
    "  FROM municipalities m JOIN states s ON s.code = m.state_code"
    " WHERE ($5::text IS NULL OR s.uf = $5)"
    "   AND ($6::text IS NULL OR s.region = $6)"
    "   AND ($7::text IS NULL OR strpos(m.name_folded, pacto_fold($7)) > 0)"
    "   AND ($1::text IS NULL OR m.ibge_code > $1)"
    " ORDER BY m.ibge_code LIMIT $8"};

static const struct db_stmt STMT_STATE_BY_UF = {
    "state_by_uf", "SELECT code FROM states WHERE uf = $1"};

static const struct db_stmt STMT_MUNICIPALITY_INSERT = {
    "municipality_insert",
    "INSERT INTO municipalities AS m (ibge_code, name, state_code, latitude, longitude, capital,"
    "                                 mayor_name, mayor_cpf)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    " RETURNING municipality_json(m, true, true), version"};

static const struct db_stmt STMT_MUNICIPALITY_LOCK = {
    "municipality_lock",
    "SELECT municipality_json(m, true, true), version, name, latitude, longitude, capital,"
    "       mayor_name, mayor_cpf"
    "  FROM municipalities m WHERE ibge_code = $1 FOR UPDATE"};

static const struct db_stmt STMT_MUNICIPALITY_UPDATE = {
    "municipality_update",
    "UPDATE municipalities m"
    "   SET name = $2, latitude = $3, longitude = $4, capital = $5, mayor_name = $6,"
    "       mayor_cpf = $7, version = version + 1, updated_at = now()"
    " WHERE ibge_code = $1"
    "   AND (name, latitude, longitude, capital, mayor_name, mayor_cpf)"
    "       IS DISTINCT FROM ($2, $3::float8, $4::float8, $5::boolean, $6, $7)"
    " RETURNING municipality_json(m, true, true), version"};

/* The visibility parameters $2..$4 of MUNICIPALITY_JSON for this caller. */
static void visibility(const struct request *req, const char *params[3])
{
    params[0] = authz_is_secretariat(&req->who) ? "true" : "false";
    bool municipal = strcmp(req->who.role, "mayor") == 0 ||
                     strcmp(req->who.role, "representative") == 0;
    params[1] = municipal ? req->who.municipality_id : NULL;
    params[2] = req->who.cpf[0] ? req->who.cpf : NULL;
}

static void respond_with_etag(struct request *req, int status, const char *json,
                              const char *version)
{
    resp_header(req, "ETag", "\"%s\"", version);
    resp_json(req, status, json, strlen(json));
}

void municipalities_get(struct request *req)
{
    static const char *const allowed[] = {NULL};
    struct query q;
    if (!query_parse(req, allowed, &q))
        return;
    const char *code = req_param(req, 0);
    struct db_conn *db = req_db(req);
    if (!db)
        return;
    const char *params[4] = {code};
    visibility(req, params + 1);
    PGresult *r = db_exec(db, &STMT_MUNICIPALITY_GET, 4, params);
    if (!r) {
        resp_db_error(req);
        return;
    }
    if (PQntuples(r) == 1)
        respond_with_etag(req, 200, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
    else
        resp_not_found(req);
    PQclear(r);
}

static void list_csv_row(struct buf *csv, const PGresult *r, int i)
{
    csv_write_field(csv, PQgetvalue(r, i, 0));
    for (int col = 2; col <= 7; col++) {
        buf_putc(csv, ',');
        const char *v = PQgetvalue(r, i, col);
        if (col == 7)
            v = strcmp(v, "t") == 0 ? "true" : "false";
        csv_write_field(csv, v);
    }
    csv_end_record(csv);
}

void municipalities_list(struct request *req)
{
    static const char *const allowed[] = {"state", "region", "q", "limit", "cursor", NULL};
    struct query q;
    struct page page;
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, "municipalities", &page))
        return;
    const char *state = query_get(&q, "state");
    const char *region = query_get(&q, "region");
    const char *name = query_get(&q, "q");
    if (state && (strlen(state) != 2 || strspn(state, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 2)) {
        resp_bad_parameter(req, "state must be a two-letter UF code such as SP.");
        return;
    }
    if (region && !(strcmp(region, "norte") == 0 || strcmp(region, "nordeste") == 0 ||
                    strcmp(region, "sudeste") == 0 || strcmp(region, "sul") == 0 ||
                    strcmp(region, "centro_oeste") == 0)) {
        resp_bad_parameter(req, "region must be norte, nordeste, sudeste, sul or centro_oeste.");
        return;
    }
    if (name && (strlen(name) < 2 || field_text_problem(name, 100))) {
        resp_bad_parameter(req, "q must have 2 to 100 characters.");
        return;
    }
    struct db_conn *db = req_db(req);
    if (!db)
        return;
    const char *params[8] = {page.after[0] ? page.after : NULL};
    visibility(req, params + 1);
    params[4] = state;
    params[5] = region;
    params[6] = name;
    params[7] = page.limit_plus_one;
    PGresult *r = db_exec(db, &STMT_MUNICIPALITY_LIST, 8, params);
    if (!r) {
        resp_db_error(req);
        return;
    }
    int n = PQntuples(r);
    const char *next = n > page.limit ? PQgetvalue(r, page.limit - 1, 0) : NULL;
    struct buf out = {0};
    if (req_wants_csv(req)) {
        buf_puts(&out, "ibge_code,name,state,region,latitude,longitude,capital\r\n");
        for (int i = 0; i < n && i < page.limit; i++)
            list_csv_row(&out, r, i);
        resp_page_csv(req, &page, &out, next);
    } else {
        for (int i = 0; i < n && i < page.limit; i++) {
            if (i)
                buf_putc(&out, ',');
            buf_puts(&out, PQgetvalue(r, i, 1));
        }
        resp_page(req, &page, &out, next);
    }
    PQclear(r);
}

/* Fields a client may send, shared by create and update. */
struct municipality_input {
    enum field_state name_st, lat_st, lon_st, capital_st, mayor_name_st, mayor_cpf_st;
    const char *name, *mayor_name;
    double lat, lon;
    bool capital;
    char mayor_cpf[12];
    char lat_text[32], lon_text[32];
};

static void read_input(const cJSON *body, struct municipality_input *in, struct field_errors *e)
{
    in->name_st = field_string(body, "name", 200, &in->name, e);
    in->lat_st = field_number(body, "latitude", -90, 90, &in->lat, e);
    in->lon_st = field_number(body, "longitude", -180, 180, &in->lon, e);
    in->capital_st = field_bool(body, "capital", &in->capital, e);
    in->mayor_name_st = field_string(body, "mayor_name", 200, &in->mayor_name, e);
    const char *cpf = NULL;
    in->mayor_cpf_st = field_string(body, "mayor_cpf", 14, &cpf, e);
    in->mayor_cpf[0] = '\0';
    if (in->mayor_cpf_st == FIELD_SET && !cpf_normalize(cpf, in->mayor_cpf)) {
        field_error(e, "mayor_cpf", "is not a valid CPF");
        in->mayor_cpf_st = FIELD_INVALID;
    }
    snprintf(in->lat_text, sizeof in->lat_text, "%.10g", in->lat);
    snprintf(in->lon_text, sizeof in->lon_text, "%.10g", in->lon);
}

static void created(struct request *req, PGresult *r, const char *code)
{
    struct audit_actor actor = audit_actor_of(req);
    if (!audit_record(req->db, &actor, "create", "municipality", code, NULL,
                      PQgetvalue(r, 0, 0)) ||
        !db_commit(req->db)) {
        resp_db_error(req);
        return;
    }
    resp_header(req, "Location", "/v1/municipalities/%s", code);
    respond_with_etag(req, 201, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
}

void municipalities_create(struct request *req)
{
    static const char *const allowed[] = {"ibge_code", "name",       "state",     "latitude",
                                          "longitude", "capital",    "mayor_name", "mayor_cpf",
                                          NULL};
    static const char *const readonly[] = {"state_code", "region", "created_at", "updated_at",
                                           NULL};
    cJSON *body = req_json_object(req, false);
    if (!body)
        return;
    struct field_errors e = {0};
    fields_only(body, allowed, readonly, &e);
    const char *code = NULL, *uf = NULL;
    enum field_state code_st = field_string(body, "ibge_code", 7, &code, &e);
    enum field_state uf_st = field_string(body, "state", 2, &uf, &e);
    field_required(code_st, "ibge_code", &e);
    field_required(uf_st, "state", &e);
    if (code && !ibge_code_is_valid(code))
        field_error(&e, "ibge_code", "is not a valid IBGE municipality code (check digit)");
    struct municipality_input in;
    read_input(body, &in, &e);
    field_required(in.name_st, "name", &e);
    struct db_conn *db = e.count ? NULL : req_db(req);
    char state_code[8] = "";
    if (db) {
        const char *p[] = {uf};
        PGresult *r = db_exec(db, &STMT_STATE_BY_UF, 1, p);
        if (r && PQntuples(r) == 1)
            snprintf(state_code, sizeof state_code, "%s", PQgetvalue(r, 0, 0));
        else if (r)
            field_error(&e, "state", "is not a known state (UF)");
        else
            resp_db_error(req);
        PQclear(r);
        if (state_code[0] && strncmp(code, state_code, 2) != 0)
            field_error(&e, "ibge_code", "does not start with the state's IBGE code");
    }
    if (e.count)
        resp_validation(req, &e, NULL);
    if (req->status || !db) {
        field_errors_free(&e);
        cJSON_Delete(body);
        return;
    }
    const char *params[] = {code,
                            in.name,
                            state_code,
                            in.lat_st == FIELD_SET ? in.lat_text : NULL,
                            in.lon_st == FIELD_SET ? in.lon_text : NULL,
                            in.capital_st == FIELD_SET && in.capital ? "true" : "false",
                            in.mayor_name_st == FIELD_SET ? in.mayor_name : NULL,
                            in.mayor_cpf_st == FIELD_SET ? in.mayor_cpf : NULL};
    PGresult *r = NULL;
    if (!db_begin(db) || !(r = db_exec(db, &STMT_MUNICIPALITY_INSERT, 8, params)))
        resp_db_error(req);
    else
        created(req, r, code);
    PQclear(r);
    cJSON_Delete(body);
}

/* Applies the patch to the locked row and writes it. */
static void apply_update(struct request *req, const char *code, const struct municipality_input *in,
                         PGresult *cur)
{
    const char *old_name = PQgetvalue(cur, 0, 2);
    const char *params[7] = {code};
    params[1] = in->name_st == FIELD_SET ? in->name : old_name;
    params[2] = in->lat_st == FIELD_SET ? in->lat_text
                : in->lat_st == FIELD_NULL || PQgetisnull(cur, 0, 3) ? NULL
                                                                      : PQgetvalue(cur, 0, 3);
    params[3] = in->lon_st == FIELD_SET ? in->lon_text
                : in->lon_st == FIELD_NULL || PQgetisnull(cur, 0, 4) ? NULL
                                                                      : PQgetvalue(cur, 0, 4);
    params[4] = in->capital_st == FIELD_SET ? (in->capital ? "true" : "false")
                                            : PQgetvalue(cur, 0, 5);
    params[5] = in->mayor_name_st == FIELD_SET ? in->mayor_name
                : in->mayor_name_st == FIELD_NULL || PQgetisnull(cur, 0, 6) ? NULL
                                                                             : PQgetvalue(cur, 0, 6);
    params[6] = in->mayor_cpf_st == FIELD_SET ? in->mayor_cpf
                : in->mayor_cpf_st == FIELD_NULL || PQgetisnull(cur, 0, 7) ? NULL
                                                                            : PQgetvalue(cur, 0, 7);
    PGresult *r = db_exec(req->db, &STMT_MUNICIPALITY_UPDATE, 7, params);
    if (!r) {
        resp_db_error(req);
        return;
    }
    if (PQntuples(r) == 0) { /* nothing changed: nothing to write or audit */
        respond_with_etag(req, 200, PQgetvalue(cur, 0, 0), PQgetvalue(cur, 0, 1));
    } else {
        struct audit_actor actor = audit_actor_of(req);
        if (!audit_record(req->db, &actor, "update", "municipality", code, PQgetvalue(cur, 0, 0),
                          PQgetvalue(r, 0, 0)) ||
            !db_commit(req->db))
            resp_db_error(req);
        else
            respond_with_etag(req, 200, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
    }
    PQclear(r);
}

void municipalities_update(struct request *req)
{
    static const char *const allowed[] = {"name",    "latitude",   "longitude",
                                          "capital", "mayor_name", "mayor_cpf", NULL};
    static const char *const readonly[] = {"ibge_code",  "state",      "state_code", "region",
                                           "created_at", "updated_at", NULL};
    cJSON *body = req_json_object(req, true);
    if (!body)
        return;
    struct field_errors e = {0};
    fields_only(body, allowed, readonly, &e);
    struct municipality_input in;
    read_input(body, &in, &e);
    if (in.name_st == FIELD_NULL)
        field_error(&e, "name", "may not be null");
    if (in.capital_st == FIELD_NULL)
        field_error(&e, "capital", "may not be null");
    if (e.count) {
        resp_validation(req, &e, NULL);
        cJSON_Delete(body);
        return;
    }
    const char *code = req_param(req, 0);
    struct db_conn *db = req_db(req);
    PGresult *cur = NULL;
    const char *params[] = {code};
    if (!db) {
        /* req_db answered */
    } else if (!db_begin(db) || !(cur = db_exec(db, &STMT_MUNICIPALITY_LOCK, 1, params))) {
        resp_db_error(req);
    } else if (PQntuples(cur) == 0) {
        resp_not_found(req);
    } else if (!req_if_match(req, PQgetvalue(cur, 0, 1))) {
        resp_problem(req, 412, "precondition-failed", "The resource has changed",
                     "If-Match does not match the current ETag; read it again and retry.");
    } else {
        apply_update(req, code, &in, cur);
    }
    PQclear(cur);
    cJSON_Delete(body);
}
