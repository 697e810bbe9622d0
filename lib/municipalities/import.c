/*
 * Bulk import of the IBGE lists (states, then municipalities) from CSV:
 * every line is checked first, by the rules the states' and municipalities'
 * declarations give their fields, with line-numbered errors named by the
 * file's columns; only a fully valid file is written, in one transaction, as
 * one statement that upserts the rows and writes an audit event (the same
 * snapshots as the API's) for each row it created or changed.
 */
#include "municipalities/municipalities.h"

#include "csv/csv.h"
#include "json/json_strict.h"
#include "db/db.h"
#include "resource/resource.h"
#include "validate/ibge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPORTED_ERRORS 100

static const struct db_stmt STMT_IMPORT_MUNICIPALITIES = {
    .name = "import_municipalities",
    .sql = "WITH input AS ("
           "  SELECT * FROM json_to_recordset($1::json) AS x(ibge_code text, name text,"
           "         state_code smallint, latitude float8, longitude float8, capital boolean)),"
           " old AS ("
           "  SELECT m.ibge_code, municipality_snapshot(m, s) AS snapshot"
           "    FROM municipalities m JOIN states s ON s.code = m.state_code"
           "    JOIN input i ON i.ibge_code = m.ibge_code),"
           " up AS ("
           "  INSERT INTO municipalities AS m"
           "         (ibge_code, name, state_code, latitude, longitude, capital)"
           "  SELECT ibge_code, name, state_code, latitude, longitude, capital FROM input"
           "  ON CONFLICT (ibge_code) DO UPDATE"
           "     SET name = EXCLUDED.name, latitude = EXCLUDED.latitude,"
           "         longitude = EXCLUDED.longitude, capital = EXCLUDED.capital,"
           "         version = m.version + 1, updated_at = now()"
           "   WHERE (m.name, m.latitude, m.longitude, m.capital) IS DISTINCT FROM"
           "         (EXCLUDED.name, EXCLUDED.latitude, EXCLUDED.longitude, EXCLUDED.capital)"
           "  RETURNING m.*),"
           " audit AS ("
           "  INSERT INTO audit_events"
           "         (actor_id, actor_role, action, entity, entity_id, before, after, request_id)"
           "  SELECT $2, $3, CASE WHEN o.ibge_code IS NULL THEN 'create' ELSE 'update' END,"
           "         'municipality', m.ibge_code, o.snapshot,"
           "         municipality_snapshot(m::municipalities, s), $4"
           "    FROM up m JOIN states s ON s.code = m.state_code"
           "    LEFT JOIN old o ON o.ibge_code = m.ibge_code"
           "  RETURNING action)"
           "SELECT count(*) FILTER (WHERE action = 'create'), count(*) FILTER (WHERE action = "
           "'update')"
           "  FROM audit",
};

static const struct db_stmt STMT_IMPORT_STATES = {
    .name = "import_states",
    .sql = "WITH input AS ("
           "  SELECT * FROM json_to_recordset($1::json) AS x(code smallint, uf text, name text,"
           "         region text)),"
           " old AS ("
           "  SELECT s.code, state_snapshot(s) AS snapshot"
           "    FROM states s JOIN input i USING (code)),"
           " up AS ("
           "  INSERT INTO states AS s (code, uf, name, region)"
           "  SELECT code, uf, name, region FROM input"
           "  ON CONFLICT (code) DO UPDATE"
           "     SET uf = EXCLUDED.uf, name = EXCLUDED.name, region = EXCLUDED.region,"
           "         updated_at = now()"
           "   WHERE (s.uf, s.name, s.region) IS DISTINCT FROM"
           "         (EXCLUDED.uf, EXCLUDED.name, EXCLUDED.region)"
           "  RETURNING s.*),"
           " audit AS ("
           "  INSERT INTO audit_events"
           "         (actor_id, actor_role, action, entity, entity_id, before, after, request_id)"
           "  SELECT $2, $3, CASE WHEN o.code IS NULL THEN 'create' ELSE 'update' END,"
           "         'state', up.code::text, o.snapshot,"
           "         state_snapshot(up::states), $4"
           "    FROM up LEFT JOIN old o USING (code)"
           "  RETURNING action)"
           "SELECT count(*) FILTER (WHERE action = 'create'), count(*) FILTER (WHERE action = "
           "'update')"
           "  FROM audit",
};

static const struct db_stmt STMT_STATE_CODES = {
    .name = "state_codes",
    .sql = "SELECT code FROM states",
};

/* Column positions of a CSV header, by name. */
struct columns {
    const char *const *names;
    int index[CSV_MAX_FIELDS];
    int count;
};

/* The whole file must be UTF-8, every column, stored or ignored: one bad
 * byte gets an error naming its line, and nothing is imported. */
static bool utf8_everywhere(const char *csv, size_t len, struct field_errors *e)
{
    long line = 1;
    for (size_t start = 0; start < len; line++) {
        const char *nl = memchr(csv + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - csv) : len;
        if (!json_utf8_valid(csv + start, end - start)) {
            field_error_line(e, line, "line", "is not valid UTF-8 (the file must be UTF-8)");
            return false;
        }
        start = end + 1;
    }
    return true;
}

static bool read_header(struct csv_reader *r, struct columns *cols, struct field_errors *e)
{
    struct csv_record rec;
    const char *err;
    enum csv_status st = csv_read(r, &rec, &err);
    if (st != CSV_RECORD) {
        field_error_line(e, st == CSV_ERROR ? (long)rec.line : 1, "header",
                         st == CSV_ERROR ? err : "the file is empty");
        return false;
    }
    for (cols->count = 0; cols->names[cols->count]; cols->count++) {
        cols->index[cols->count] = -1;
        for (size_t i = 0; i < rec.nfields; i++)
            if (strcmp(rec.fields[i], cols->names[cols->count]) == 0)
                cols->index[cols->count] = (int)i;
        if (cols->index[cols->count] < 0) {
            char msg[96];
            snprintf(msg, sizeof msg, "the header has no column \"%s\"", cols->names[cols->count]);
            field_error_line(e, 1, "header", msg);
        }
    }
    return e->count == 0;
}

static const char *cell(const struct csv_record *rec, const struct columns *cols, int col)
{
    int i = cols->index[col];
    return (size_t)i < rec->nfields ? rec->fields[i] : "";
}

/* A cell for the rules of a numeric field: a JSON number when it reads as
 * one (its value in *out), else the text itself, which those rules refuse;
 * NULL for an empty cell. */
static cJSON *number_cell(const char *s, double *out)
{
    if (!*s)
        return NULL;
    errno = 0;
    char *end;
    *out = strtod(s, &end);
    return !errno && !*end ? cJSON_CreateNumber(*out) : cJSON_CreateString(s);
}

/* Checks a cell (value, NULL for none, consumed) by the rule of the
 * resource's field `field`; a problem is reported under the file's column. */
static void check_cell(const struct resource *res, const char *field, cJSON *value, long line,
                       const char *column, struct field_errors *e)
{
    char msg[192];
    const char *why = value ? resource_field_problem(res, field, value, msg, sizeof msg) : NULL;
    if (why)
        field_error_line(e, line, column, why);
    cJSON_Delete(value);
}

static bool parse_uf_code(const char *s, int *out)
{
    return strlen(s) == 2 && strspn(s, "0123456789") == 2 &&
           (*out = atoi(s), ibge_region_of_uf(*out));
}

/* Calls row() for every record after the header. Stops collecting errors at
 * MAX_REPORTED_ERRORS. Returns the number of rows read. */
static long each_row(struct csv_reader *r, const struct columns *cols, struct field_errors *e,
                     void (*row)(const struct csv_record *, const struct columns *, void *,
                                 struct field_errors *),
                     void *ctx)
{
    struct csv_record rec;
    const char *err;
    long rows = 0;
    enum csv_status st;
    while ((st = csv_read(r, &rec, &err)) != CSV_END && e->count < MAX_REPORTED_ERRORS) {
        if (st == CSV_ERROR) {
            field_error_line(e, (long)rec.line, "line", err);
            break;
        }
        rows++;
        if (rec.nfields < (size_t)cols->count) {
            field_error_line(e, (long)rec.line, "line", "has fewer columns than the header");
            continue;
        }
        row(&rec, cols, ctx, e);
    }
    return rows;
}

struct municipality_rows {
    struct buf json;
    bool known_state[100];
    char (*seen)[8];
    size_t nseen, capseen;
};

static int compare_codes(const void *a, const void *b) { return strcmp(a, b); }

static void municipality_row(const struct csv_record *rec, const struct columns *cols, void *ctx,
                             struct field_errors *e)
{
    struct municipality_rows *m = ctx;
    long line = (long)rec->line;
    const char *code = cell(rec, cols, 0), *name = cell(rec, cols, 1);
    const char *lat = cell(rec, cols, 2), *lon = cell(rec, cols, 3);
    const char *capital = cell(rec, cols, 4), *uf = cell(rec, cols, 5);
    int errors = e->count;
    double lat_v = 0, lon_v = 0;
    int uf_code = 0;
    const struct resource *res = &municipality_resource;
    check_cell(res, "ibge_code", cJSON_CreateString(code), line, "codigo_ibge", e);
    check_cell(res, "name", cJSON_CreateString(name), line, "nome", e);
    check_cell(res, "latitude", number_cell(lat, &lat_v), line, "latitude", e);
    check_cell(res, "longitude", number_cell(lon, &lon_v), line, "longitude", e);
    if (strcmp(capital, "0") != 0 && strcmp(capital, "1") != 0)
        field_error_line(e, line, "capital", "must be 0 or 1");
    if (!parse_uf_code(uf, &uf_code) || !m->known_state[uf_code])
        field_error_line(e, line, "codigo_uf", "is not a known state code; import states first");
    else if (strncmp(code, uf, 2) != 0)
        field_error_line(e, line, "codigo_uf",
                         "does not match the first two digits of codigo_ibge");
    if (e->count > errors)
        return;
    if (m->nseen == m->capseen) {
        m->capseen = m->capseen ? m->capseen * 2 : 1024;
        m->seen = realloc(m->seen, m->capseen * sizeof *m->seen);
        if (!m->seen)
            abort();
    }
    memcpy(m->seen[m->nseen++], code, 8);
    buf_puts(&m->json, m->json.len ? ",{\"ibge_code\":" : "[{\"ibge_code\":");
    buf_json_string(&m->json, code);
    buf_puts(&m->json, ",\"name\":");
    buf_json_string(&m->json, name);
    buf_printf(&m->json, ",\"state_code\":%d,\"latitude\":", uf_code);
    if (*lat)
        buf_printf(&m->json, "%.10g", lat_v);
    else
        buf_puts(&m->json, "null");
    buf_puts(&m->json, ",\"longitude\":");
    if (*lon)
        buf_printf(&m->json, "%.10g", lon_v);
    else
        buf_puts(&m->json, "null");
    buf_printf(&m->json, ",\"capital\":%s}", capital[0] == '1' ? "true" : "false");
}

/* Refuses a file that names the same code twice: an upsert would silently keep one. */
static void check_duplicates(struct municipality_rows *m, struct field_errors *e)
{
    if (m->nseen < 2)
        return;
    qsort(m->seen, m->nseen, sizeof *m->seen, compare_codes);
    for (size_t i = 1; i < m->nseen && e->count < MAX_REPORTED_ERRORS; i++)
        if (strcmp(m->seen[i - 1], m->seen[i]) == 0) {
            char msg[64];
            snprintf(msg, sizeof msg, "code %s appears more than once", m->seen[i]);
            field_error(e, "codigo_ibge", msg);
        }
}

/* Runs the upsert statement inside a transaction and fills the counts.
 *
 * The statement's "old" CTE reads the rows as they were before the upsert.
 * It must not lock them itself (FOR UPDATE): CTEs run lazily, after "up" has
 * already updated the rows, and a row updated by the same command is then
 * skipped, so every update would be counted and audited as a create. Instead
 * `lock` (LOCK TABLE ... IN SHARE ROW EXCLUSIVE MODE) holds off concurrent
 * writers first; the statement's own snapshot, taken afterwards, then sees
 * the rows exactly as the upsert will change them. Readers are not blocked. */
static enum import_status upsert(struct db_conn *db, const char *lock, const struct db_stmt *stmt,
                                 const struct audit_actor *actor, const char *json,
                                 struct import_result *res)
{
    const char *params[] = {json, actor->user_id, actor->role, actor->request_id};
    PGresult *r = NULL, *locked = NULL;
    bool ok = db_begin(db) && (locked = db_exec_sql(db, lock)) != NULL &&
              (r = db_exec(db, stmt, 4, params)) != NULL;
    PQclear(locked);
    if (ok) {
        res->inserted = atol(PQgetvalue(r, 0, 0));
        res->updated = atol(PQgetvalue(r, 0, 1));
        res->unchanged = res->rows - res->inserted - res->updated;
    }
    PQclear(r);
    if (!ok || !db_commit(db)) {
        db_rollback(db);
        return IMPORT_DB_ERROR;
    }
    return IMPORT_OK;
}

enum import_status municipalities_import_csv(struct db_conn *db, const struct audit_actor *actor,
                                             const char *csv, size_t len, struct import_result *res,
                                             struct field_errors *e)
{
    static const char *const ordered[] = {"codigo_ibge", "nome",      "latitude", "longitude",
                                          "capital",     "codigo_uf", NULL};
    struct municipality_rows m = {0};
    PGresult *r = db_exec(db, &STMT_STATE_CODES, 0, NULL);
    if (!r)
        return IMPORT_DB_ERROR;
    for (int i = 0; i < PQntuples(r); i++)
        m.known_state[atoi(PQgetvalue(r, i, 0)) % 100] = true;
    PQclear(r);

    struct csv_reader reader;
    csv_reader_init(&reader, csv, len);
    struct columns cols = {.names = ordered};
    *res = (struct import_result){0};
    if (utf8_everywhere(csv, len, e) && read_header(&reader, &cols, e))
        res->rows = each_row(&reader, &cols, e, municipality_row, &m);
    csv_reader_free(&reader);
    if (!e->count && res->rows == 0)
        field_error_line(e, 2, "line", "the file has no rows");
    if (!e->count)
        check_duplicates(&m, e);
    buf_putc(&m.json, ']');
    enum import_status st =
        e->count ? IMPORT_INVALID
                 : upsert(db, "LOCK TABLE municipalities IN SHARE ROW EXCLUSIVE MODE",
                          &STMT_IMPORT_MUNICIPALITIES, actor, m.json.data, res);
    buf_free(&m.json);
    free(m.seen);
    return st;
}

struct state_rows {
    struct buf json;
    bool seen[100];
};

static void state_row(const struct csv_record *rec, const struct columns *cols, void *ctx,
                      struct field_errors *e)
{
    struct state_rows *s = ctx;
    long line = (long)rec->line;
    const char *code = cell(rec, cols, 0), *uf = cell(rec, cols, 1), *name = cell(rec, cols, 2);
    int errors = e->count, n = 0;
    if (!parse_uf_code(code, &n))
        field_error_line(e, line, "codigo_uf", "is not an IBGE state code");
    else if (s->seen[n])
        field_error_line(e, line, "codigo_uf", "appears more than once");
    check_cell(&state_resource, "uf", cJSON_CreateString(uf), line, "uf", e);
    check_cell(&state_resource, "name", cJSON_CreateString(name), line, "nome", e);
    if (e->count > errors)
        return;
    s->seen[n] = true;
    buf_printf(&s->json, "%s{\"code\":%d,\"uf\":\"%s\",\"name\":", s->json.len ? "," : "[", n, uf);
    buf_json_string(&s->json, name);
    buf_printf(&s->json, ",\"region\":\"%s\"}", ibge_region_of_uf(n));
}

enum import_status states_import_csv(struct db_conn *db, const struct audit_actor *actor,
                                     const char *csv, size_t len, struct import_result *res,
                                     struct field_errors *e)
{
    static const char *const names[] = {"codigo_uf", "uf", "nome", NULL};
    struct state_rows s = {0};
    struct csv_reader reader;
    csv_reader_init(&reader, csv, len);
    struct columns cols = {.names = names};
    *res = (struct import_result){0};
    if (utf8_everywhere(csv, len, e) && read_header(&reader, &cols, e))
        res->rows = each_row(&reader, &cols, e, state_row, &s);
    csv_reader_free(&reader);
    if (!e->count && res->rows == 0)
        field_error_line(e, 2, "line", "the file has no rows");
    buf_putc(&s.json, ']');
    enum import_status st = e->count ? IMPORT_INVALID
                                     : upsert(db, "LOCK TABLE states IN SHARE ROW EXCLUSIVE MODE",
                                              &STMT_IMPORT_STATES, actor, s.json.data, res);
    buf_free(&s.json);
    return st;
}

/* The HTTP side of both imports: read the CSV body, run, answer. */
static void import_endpoint(struct request *req,
                            enum import_status (*run)(struct db_conn *, const struct audit_actor *,
                                                      const char *, size_t, struct import_result *,
                                                      struct field_errors *))
{
    struct buf body = {0};
    if (!req_body(req, "text/csv", UPLOAD_BODY_LIMIT, &body)) {
        buf_free(&body);
        return;
    }
    struct db_conn *db = req_db(req);
    if (!db) {
        buf_free(&body);
        return;
    }
    struct audit_actor actor = audit_actor_of(req);
    struct import_result res;
    struct field_errors e = {0};
    enum import_status st = run(db, &actor, buf_cstr(&body), body.len, &res, &e);
    buf_free(&body);
    if (st == IMPORT_INVALID) {
        resp_validation(req, &e, "The file was not imported; nothing changed.");
        return;
    }
    field_errors_free(&e);
    if (st == IMPORT_DB_ERROR) {
        resp_db_error(req);
        return;
    }
    char json[160];
    int n = snprintf(json, sizeof json,
                     "{\"rows\":%ld,\"inserted\":%ld,\"updated\":%ld,\"unchanged\":%ld}", res.rows,
                     res.inserted, res.updated, res.unchanged);
    resp_json(req, 200, json, (size_t)n);
}

void municipalities_import(struct request *req) { import_endpoint(req, municipalities_import_csv); }

void states_import(struct request *req) { import_endpoint(req, states_import_csv); }
