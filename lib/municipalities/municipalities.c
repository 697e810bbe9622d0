/*
 * The municipality endpoints: list, read, create, update (see municipalities.h).
 */
#include "municipalities/municipalities.h"

#include "auth/session.h"
#include "cache/cache.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/query.h"
#include "municipalities/sql.h"
#include "validate/cpf.h"
#include "validate/ibge.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns render() reads, in this order, after any leading ones. */
#define RENDER_COLUMNS                                                                             \
    MUNICIPALITY_DETAIL_JSON ", m.mayor_name, m.mayor_cpf, m.version, m.ibge_code"

static const struct db_stmt STMT_MUNICIPALITY_GET = {
    .name = "municipality_get",
    .sql = "SELECT " RENDER_COLUMNS "  FROM municipalities m JOIN states s ON s.code = m.state_code"
           " WHERE m.ibge_code = $1",
};

static const struct db_stmt STMT_MUNICIPALITY_LIST = {
    .name = "municipality_list",
    .sql = "SELECT m.ibge_code, " MUNICIPALITY_PUBLIC_JSON ","
           "       m.ibge_code, m.name, s.uf, s.region, m.latitude, m.longitude, m.capital::text"
           "  FROM municipalities m JOIN states s ON s.code = m.state_code"
           " WHERE ($2::text IS NULL OR s.uf = $2)"
           "   AND ($3::text IS NULL OR s.region = $3)"
           "   AND ($4::text IS NULL OR strpos(m.name_folded, pacto_fold($4)) > 0)"
           "   AND ($1::text IS NULL OR m.ibge_code > $1)"
           "   AND ($6::bigint IS NULL"
           "        OR (EXISTS (SELECT 1 FROM cycles c WHERE c.id = $6)"
           "            AND EXISTS (SELECT 1 FROM adhesions a"
           "                         WHERE a.cycle_id = $6 AND a.municipality_id = m.ibge_code"
           "                           AND a.status = 'active') = $7::boolean))"
           " ORDER BY m.ibge_code LIMIT $5",
};

static const struct db_stmt STMT_STATE_BY_UF = {
    .name = "state_by_uf",
    .sql = "SELECT code FROM states WHERE uf = $1",
};

static const struct db_stmt STMT_MUNICIPALITY_INSERT = {
    .name = "municipality_insert",
    .sql =
        "WITH m AS ("
        "  INSERT INTO municipalities (ibge_code, name, state_code, latitude, longitude, capital,"
        "                              mayor_name, mayor_cpf)"
        "  VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *)"
        "SELECT " RENDER_COLUMNS ", " MUNICIPALITY_SNAPSHOT
        "  FROM m JOIN states s ON s.code = m.state_code",
};

static const struct db_stmt STMT_MUNICIPALITY_LOCK = {
    .name = "municipality_lock",
    .sql = "SELECT " RENDER_COLUMNS ", " MUNICIPALITY_SNAPSHOT ","
           "       m.name, m.latitude, m.longitude, m.capital"
           "  FROM municipalities m JOIN states s ON s.code = m.state_code"
           " WHERE m.ibge_code = $1 FOR UPDATE OF m",
};

static const struct db_stmt STMT_MUNICIPALITY_UPDATE = {
    .name = "municipality_update",
    .sql = "WITH m AS ("
           "  UPDATE municipalities"
           "     SET name = $2, latitude = $3, longitude = $4, capital = $5, mayor_name = $6,"
           "         mayor_cpf = $7, version = version + 1, updated_at = now()"
           "   WHERE ibge_code = $1"
           "     AND (name, latitude, longitude, capital, mayor_name, mayor_cpf)"
           "         IS DISTINCT FROM ($2, $3::float8, $4::float8, $5::boolean, $6, $7)"
           "  RETURNING *)"
           "SELECT " RENDER_COLUMNS ", " MUNICIPALITY_SNAPSHOT
           "  FROM m JOIN states s ON s.code = m.state_code",
};

/* Column positions in every result that has RENDER_COLUMNS at `first`. */
enum { COL_JSON, COL_MAYOR_NAME, COL_MAYOR_CPF, COL_VERSION, COL_CODE, COL_SNAPSHOT };
/* The further columns of STMT_MUNICIPALITY_LOCK. */
enum { COL_NAME = COL_SNAPSHOT + 1, COL_LATITUDE, COL_LONGITUDE, COL_CAPITAL };

/* One municipality as read from a result row or from the cache; NULL for
 * SQL NULL. */
struct municipality_row {
    const char *json, *mayor_name, *mayor_cpf, *version, *code;
};

static struct municipality_row row_of(const PGresult *r, int row, int first)
{
    const char *v[5];
    for (int i = 0; i < 5; i++)
        v[i] = PQgetisnull(r, row, first + i) ? NULL : PQgetvalue(r, row, first + i);
    return (struct municipality_row){v[COL_JSON], v[COL_MAYOR_NAME], v[COL_MAYOR_CPF],
                                     v[COL_VERSION], v[COL_CODE]};
}

/* Appends the municipality as this caller may see it: the public JSON, and
 * the mayor's name and CPF for the secretariat and for the municipality's own
 * mayor and representative. The CPF is masked except for the mayor it
 * belongs to. */
static void render(struct buf *out, const struct request *req, const struct municipality_row *m)
{
    size_t len = strlen(m->json);
    if (!authz_is_secretariat(&req->who) && !authz_is_municipal(&req->who, m->code)) {
        buf_append(out, m->json, len);
        return;
    }
    buf_append(out, m->json, len - 1); /* up to the closing brace */
    buf_puts(out, ", \"mayor_name\" : ");
    if (m->mayor_name)
        buf_json_string(out, m->mayor_name);
    else
        buf_puts(out, "null");
    buf_puts(out, ", \"mayor_cpf\" : ");
    char masked[15];
    if (!m->mayor_cpf)
        buf_puts(out, "null");
    else if (strcmp(m->mayor_cpf, req->who.cpf) == 0)
        buf_json_string(out, m->mayor_cpf);
    else
        buf_json_string(out, cpf_mask(m->mayor_cpf, masked) ? masked : "");
    buf_putc(out, '}');
}

static void respond(struct request *req, int status, const struct municipality_row *m)
{
    struct buf b = {0};
    render(&b, req, m);
    resp_header(req, "ETag", "\"%s\"", m->version);
    resp_json_buf(req, status, &b);
}

static struct cache *cache;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void create_cache(void)
{
    cache = cache_create(20000);
    if (!cache)
        abort();
}

struct cache *municipalities_cache(void)
{
    pthread_once(&cache_once, create_cache);
    return cache;
}

/* Cached form of a row: a flags byte (bit 0: mayor_name NULL, bit 1:
 * mayor_cpf NULL), then the five strings, each NUL-terminated. */
static void pack(struct buf *b, const struct municipality_row *m)
{
    buf_putc(b, (char)((m->mayor_name ? 0 : 1) | (m->mayor_cpf ? 0 : 2)));
    const char *parts[] = {m->json, m->mayor_name ? m->mayor_name : "",
                           m->mayor_cpf ? m->mayor_cpf : "", m->version, m->code};
    for (int i = 0; i < 5; i++)
        buf_append(b, parts[i], strlen(parts[i]) + 1);
}

static struct municipality_row unpack(const struct buf *b)
{
    const char *p = b->data + 1, *parts[5];
    for (int i = 0; i < 5; i++) {
        parts[i] = p;
        p += strlen(p) + 1;
    }
    return (struct municipality_row){parts[0], (b->data[0] & 1) ? NULL : parts[1],
                                     (b->data[0] & 2) ? NULL : parts[2], parts[3], parts[4]};
}

/* GET reads through the cache: municipalities are read on every page of
 * every client and change a few times a year. */
void municipalities_get(struct request *req)
{
    static const char *const allowed[] = {NULL};
    struct query q;
    if (!query_parse(req, allowed, &q))
        return;
    const char *code = req_param(req, 0);
    struct buf packed = {0};
    if (strlen(code) == 7 && cache_get(municipalities_cache(), code, &packed)) {
        struct municipality_row m = unpack(&packed);
        respond(req, 200, &m);
        buf_free(&packed);
        return;
    }
    unsigned long generation = cache_generation(municipalities_cache());
    struct db_conn *db = req_db(req);
    if (!db)
        return;
    const char *params[] = {code};
    PGresult *r = db_exec(db, &STMT_MUNICIPALITY_GET, 1, params);
    if (!r) {
        resp_db_error(req);
        return;
    }
    if (PQntuples(r) == 1) {
        struct municipality_row m = row_of(r, 0, 0);
        respond(req, 200, &m);
        pack(&packed, &m);
        cache_put(municipalities_cache(), code, packed.data, packed.len, generation);
        buf_free(&packed);
    } else {
        resp_not_found(req);
    }
    PQclear(r);
}

void municipalities_list(struct request *req)
{
    static const char *const allowed[] = {"state",    "region", "q",      "adhered",
                                          "cycle_id", "limit",  "cursor", NULL};
    struct query q;
    struct page page;
    bool has_adhered, adhered;
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, "municipalities", &page) ||
        !query_bool(req, &q, "adhered", &has_adhered, &adhered))
        return;
    const char *cycle = query_get(&q, "cycle_id");
    if (has_adhered != (cycle != NULL) ||
        (cycle && (strspn(cycle, "0123456789") != strlen(cycle) || !*cycle || strlen(cycle) > 18 ||
                   cycle[0] == '0'))) {
        resp_bad_parameter(req, "adhered and cycle_id go together: adhered=true|false and the "
                                "id of a cycle.");
        return;
    }
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
    const char *params[] = {page.after[0] ? page.after : NULL,
                            state,
                            region,
                            name,
                            page.limit_plus_one,
                            cycle,
                            has_adhered ? (adhered ? "true" : "false") : NULL};
    PGresult *r = db_exec(db, &STMT_MUNICIPALITY_LIST, 7, params);
    if (!r) {
        resp_db_error(req);
        return;
    }
    /* Lists never carry the mayor fields, whoever asks: only the public JSON. */
    resp_page_rows(req, &page, r, 0, 1, "ibge_code,name,state,region,latitude,longitude,capital",
                   2);
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
                      PQgetvalue(r, 0, COL_SNAPSHOT))) {
        resp_db_error(req);
        return;
    }
    resp_header(req, "Location", "/v1/municipalities/%s", code);
    struct municipality_row m = row_of(r, 0, 0);
    respond(req, 201, &m);
    req_commit(req);
}

void municipalities_create(struct request *req)
{
    static const char *const allowed[] = {"ibge_code",  "name",      "state",
                                          "latitude",   "longitude", "capital",
                                          "mayor_name", "mayor_cpf", NULL};
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
        if (state_code[0] && code && strncmp(code, state_code, 2) != 0)
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
    const char *capital = in->capital_st == FIELD_SET ? (in->capital ? "true" : "false")
                                                      : PQgetvalue(cur, 0, COL_CAPITAL);
    const char *params[] = {code,
                            field_merge(in->name_st, in->name, cur, COL_NAME),
                            field_merge(in->lat_st, in->lat_text, cur, COL_LATITUDE),
                            field_merge(in->lon_st, in->lon_text, cur, COL_LONGITUDE),
                            capital,
                            field_merge(in->mayor_name_st, in->mayor_name, cur, COL_MAYOR_NAME),
                            field_merge(in->mayor_cpf_st, in->mayor_cpf, cur, COL_MAYOR_CPF)};
    PGresult *r = db_exec(req->db, &STMT_MUNICIPALITY_UPDATE, 7, params);
    if (!r) {
        resp_db_error(req);
        return;
    }
    if (PQntuples(r) == 0) { /* nothing changed: nothing to write or audit */
        struct municipality_row m = row_of(cur, 0, 0);
        respond(req, 200, &m);
    } else {
        struct audit_actor actor = audit_actor_of(req);
        struct municipality_row m = row_of(r, 0, 0);
        if (!audit_record(req->db, &actor, "update", "municipality", code,
                          PQgetvalue(cur, 0, COL_SNAPSHOT), PQgetvalue(r, 0, COL_SNAPSHOT))) {
            resp_db_error(req);
        } else {
            respond(req, 200, &m);
            req_commit(req);
        }
    }
    PQclear(r);
}

void municipalities_update(struct request *req)
{
    static const char *const allowed[] = {"name",       "latitude",  "longitude", "capital",
                                          "mayor_name", "mayor_cpf", NULL};
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
    const char *params[] = {code};
    PGresult *cur = req_lock_row(req, &STMT_MUNICIPALITY_LOCK, 1, params, COL_VERSION);
    if (cur)
        apply_update(req, code, &in, cur);
    PQclear(cur);
    cJSON_Delete(body);
}
