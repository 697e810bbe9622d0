/*
 * POST /v1/indicators/{indicator_id}/values: a bulk load of an indicator's
 * values, all or nothing, in one transaction:
 *
 *  1. the indicator is looked up and the caller's right to it checked
 *     (viewer_manages of its area) before a byte of the body is read;
 *  2. the body is streamed (ROUTE_STREAM): each line is parsed and checked
 *     in C (import_csv.c, import_json.c, import_rows.c) and sent at once to
 *     a temporary table by COPY FROM STDIN, so memory stays flat whatever
 *     the file's size;
 *  3. one merge in SQL: codes resolved by a join (7 digits, or the 6-digit
 *     form on substr(ibge_code, 1, 6), unique by sql/016), unknown
 *     municipalities and duplicated keys found by joins, missing=zero rows
 *     added, the new rows computed from what is stored and what the file
 *     maps, history rows for every changed value, the upsert, the
 *     value_imports row and ONE audit event. A dry run stops before the
 *     writes and rolls back.
 *
 * The transaction runs on the request's pool connection, switched to
 * blocking mode for the copy and the merge (libpq's COPY and long statements
 * are simplest that way), with a statement timeout of its own
 * (IMPORT_TIMEOUT): a large file takes longer than an API call. A watchdog
 * (IMPORT_DEADLINE_MS) bounds that part even when the server is frozen.
 */
#include "values/values.h"

#include "audit/audit.h"
#include "authz/policy.h"
#include "db/db.h"
#include "db/watchdog.h"
#include "http/query.h"
#include "log/log.h"
#include "validate/id.h"
#include "values/import.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* An import's statements take longer than an API call's, and its joins and
 * aggregates over a file's rows (100,000 and more) fit in memory with more
 * than the default work_mem, instead of spilling to disk. */
#define IMPORT_TIMEOUT "SET LOCAL statement_timeout = '600s'"
/* The whole blocking part of an import (the body read into COPY, the
 * merge) ends by this deadline even when the server cannot answer at all
 * (frozen, not down: db/watchdog.h): the statement timeout plus a margin. */
#define IMPORT_DEADLINE_MS ((600 + 5) * 1000)
#define IMPORT_WORK_MEM    "SET LOCAL work_mem = '64MB'"
#define MAX_UNKNOWN_LISTED 100
#define ANALYZE_AFTER_ROWS 10000 /* see refresh_statistics */

static const struct db_stmt STMT_INDICATOR = {
    .name = "values_import_indicator",
    .sql = "SELECT i.id, viewer_manages($2::pacto_viewer, i.area), i.area, i.periodicity,"
           "       coalesce(i.first_period, ''), i.min_value::float8, i.max_value::float8,"
           "       i.scale IS NOT NULL"
           "  FROM indicators i WHERE i.id = $1::bigint",
};

static const struct db_stmt STMT_LOCK = {
    .name = "values_import_lock",
    .sql = "SELECT 1 FROM indicators WHERE id = $1::bigint FOR UPDATE",
};

/* The staging table: one row per line of the file, as the C side read it. */
static const char SQL_STAGE[] =
    "CREATE TEMP TABLE import_rows (line integer, code text, period text, value numeric,"
    " numerator numeric, denominator numeric, preliminary boolean, status text, raw_code text)"
    " ON COMMIT DROP";
static const char SQL_COPY[] = "COPY import_rows FROM STDIN";

/* Codes resolved: 7 digits as they are, 6 through the unique index on
 * their first six (never a computed check digit). */
static const char SQL_RESOLVE[] =
    "CREATE TEMP TABLE import_resolved ON COMMIT DROP AS"
    " SELECT s.*, coalesce(m7.ibge_code, m6.ibge_code) AS municipality_id"
    "   FROM import_rows s"
    "   LEFT JOIN municipalities m7 ON length(s.code) = 7 AND m7.ibge_code = s.code"
    "   LEFT JOIN municipalities m6 ON length(s.code) = 6 AND substr(m6.ibge_code, 1, 6) = s.code";

/* Unknown codes and duplicated keys: counts, and the first unknown ones.
 * Duplicates are counted by hashing (cheap); their lines are looked up only
 * when there are some (SQL_DUPLICATES). */
static const char SQL_CHECK[] =
    "WITH unknown AS (SELECT line, code FROM import_resolved WHERE municipality_id IS NULL)"
    " SELECT (SELECT count(*) FROM unknown),"
    "  (SELECT coalesce(json_agg(code ORDER BY code), '[]') FROM"
    "    (SELECT DISTINCT code FROM unknown ORDER BY code LIMIT 100) u),"
    "  (SELECT coalesce(json_agg(json_build_object('line', line, 'code', code) ORDER BY line),"
    "   '[]') FROM (SELECT * FROM unknown ORDER BY line LIMIT 100) u),"
    "  (SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM import_resolved"
    "    WHERE municipality_id IS NOT NULL GROUP BY municipality_id, period"
    "    HAVING count(*) > 1) d)";

/* The repeated keys: each later line with the first line of its key. */
static const char SQL_DUPLICATES[] =
    "SELECT coalesce(json_agg(json_build_object('line', line, 'code', code, 'period', period,"
    "  'first', first) ORDER BY line), '[]') FROM (SELECT * FROM ("
    "   SELECT line, code, period, first_value(line) OVER w AS first, row_number() OVER w AS n"
    "     FROM import_resolved WHERE municipality_id IS NOT NULL"
    "   WINDOW w AS (PARTITION BY municipality_id, period ORDER BY line)) d"
    "  WHERE n > 1 ORDER BY line LIMIT 100) d";

/* missing=zero: every municipality and period of the file's periods that
 * has a stored row but none in the file gets the imported columns set to
 * 0 (the DATASUS deaths file leaves out municipality-years without a
 * death). $2..$4: value, numerator, denominator mapped. */
static const char SQL_ZERO_FILL[] =
    "INSERT INTO import_resolved (line, code, period, value, numerator, denominator,"
    "  preliminary, status, raw_code, municipality_id)"
    " SELECT NULL, v.municipality_id, v.period, CASE WHEN $2::boolean THEN 0 END,"
    "   CASE WHEN $3::boolean THEN 0 END, CASE WHEN $4::boolean THEN 0 END, NULL, 'ok', NULL,"
    "   v.municipality_id"
    "  FROM indicator_values v"
    " WHERE v.indicator_id = $1::bigint"
    "   AND v.period IN (SELECT DISTINCT period FROM import_resolved)"
    "   AND NOT EXISTS (SELECT 1 FROM import_resolved r"
    "                    WHERE r.municipality_id = v.municipality_id AND r.period = v.period)";

/* The rows as they will be: each column the import maps from the file,
 * the others as stored; the value computed for a rate (scale) when both
 * numerator and denominator are known, else given, else none. $2..$5:
 * value, numerator, denominator, preliminary mapped. */
static const char SQL_MERGE[] =
    "CREATE TEMP TABLE import_merged ON COMMIT DROP AS"
    " WITH n AS ("
    "  SELECT r.line, r.municipality_id, r.period, r.status AS row_status, r.raw_code AS row_code,"
    "    CASE WHEN $2::boolean THEN r.value END AS given,"
    "    CASE WHEN $3::boolean THEN r.numerator ELSE o.numerator END AS numerator,"
    "    CASE WHEN $4::boolean THEN r.denominator ELSE o.denominator END AS denominator,"
    "    CASE WHEN $5::boolean AND r.preliminary IS NOT NULL THEN r.preliminary"
    "         ELSE coalesce(o.preliminary, false) END AS preliminary,"
    "    o.indicator_id IS NOT NULL AS existed, o.value AS old_value,"
    "    o.numerator AS old_numerator, o.denominator AS old_denominator,"
    "    o.preliminary AS old_preliminary, o.status AS old_status, o.raw_code AS old_raw_code,"
    "    o.import_id AS old_import, i.scale"
    "   FROM import_resolved r CROSS JOIN indicators i"
    "   LEFT JOIN indicator_values o ON o.indicator_id = $1::bigint"
    "        AND o.municipality_id = r.municipality_id AND o.period = r.period"
    "  WHERE i.id = $1::bigint AND r.municipality_id IS NOT NULL),"
    " m AS ("
    "  SELECT n.*, CASE WHEN row_status <> 'ok' THEN 'code'"
    "    WHEN scale IS NOT NULL AND numerator IS NOT NULL AND denominator > 0 THEN 'computed'"
    "    WHEN $2::boolean AND given IS NOT NULL THEN 'given'"
    "    WHEN NOT $2::boolean AND scale IS NULL AND existed THEN 'kept'"
    "    ELSE 'none' END AS mode FROM n)"
    " SELECT m.*,"
    "   CASE mode WHEN 'computed' THEN round(numerator / denominator * scale, 6)"
    "             WHEN 'given' THEN given WHEN 'kept' THEN old_value END AS value,"
    "   CASE mode WHEN 'code' THEN row_status WHEN 'kept' THEN old_status"
    "             WHEN 'none' THEN 'not_available' ELSE 'ok' END AS status,"
    "   CASE mode WHEN 'code' THEN row_code WHEN 'kept' THEN old_raw_code END AS raw_code"
    "  FROM m";

/* Counts, and computed values outside the indicator's range. */
static const char SQL_COUNT[] =
    "WITH s AS (SELECT m.*, existed AND (value, numerator, denominator, preliminary, status,"
    "   raw_code) IS NOT DISTINCT FROM (old_value, old_numerator, old_denominator,"
    "   old_preliminary, old_status, old_raw_code) AS same FROM import_merged m),"
    " bad AS (SELECT s.line, s.municipality_id, s.period, s.value FROM s, indicators i"
    "   WHERE i.id = $1::bigint AND s.mode = 'computed'"
    "     AND (s.value < i.min_value OR s.value > i.max_value))"
    " SELECT count(*) FILTER (WHERE NOT existed), count(*) FILTER (WHERE existed AND NOT same),"
    "  count(*) FILTER (WHERE same), count(*) FILTER (WHERE line IS NULL),"
    "  (SELECT count(*) FROM bad),"
    "  (SELECT coalesce(json_agg(json_build_object('line', line, 'municipality_id',"
    "   municipality_id, 'period', period, 'value', value) ORDER BY line), '[]')"
    "   FROM (SELECT * FROM bad ORDER BY line LIMIT 100) b)"
    " FROM s";

static const char SQL_IMPORT_ROW[] =
    "INSERT INTO value_imports (indicator_id, actor_id, format, sha256, options, inserted,"
    "  updated, unchanged, ignored, request_id)"
    " VALUES ($1::bigint, $2::bigint, $3, $4, $5::jsonb, $6::int, $7::int, $8::int, $9::int, $10)"
    " RETURNING id";

static const char SQL_HISTORY[] =
    "INSERT INTO indicator_value_history (indicator_id, municipality_id, period, value,"
    "  numerator, denominator, preliminary, status, raw_code, import_id, replaced_by)"
    " SELECT $1::bigint, municipality_id, period, old_value, old_numerator, old_denominator,"
    "   old_preliminary, old_status, old_raw_code, old_import, $2::bigint"
    "  FROM import_merged"
    " WHERE existed AND (value, numerator, denominator, preliminary, status, raw_code)"
    "   IS DISTINCT FROM (old_value, old_numerator, old_denominator, old_preliminary,"
    "   old_status, old_raw_code)";

static const char SQL_UPDATE[] =
    "UPDATE indicator_values v SET value = m.value, numerator = m.numerator,"
    "  denominator = m.denominator, preliminary = m.preliminary, status = m.status,"
    "  raw_code = m.raw_code, import_id = $2::bigint, updated_at = now()"
    "  FROM import_merged m"
    " WHERE m.existed AND v.indicator_id = $1::bigint AND v.municipality_id = m.municipality_id"
    "   AND v.period = m.period"
    "   AND (m.value, m.numerator, m.denominator, m.preliminary, m.status, m.raw_code)"
    "       IS DISTINCT FROM (m.old_value, m.old_numerator, m.old_denominator,"
    "       m.old_preliminary, m.old_status, m.old_raw_code)";

static const char SQL_INSERT[] =
    "INSERT INTO indicator_values (indicator_id, municipality_id, period, value, numerator,"
    "  denominator, preliminary, status, raw_code, import_id)"
    " SELECT $1::bigint, municipality_id, period, value, numerator, denominator, preliminary,"
    "   status, raw_code, $2::bigint FROM import_merged WHERE NOT existed"
    " ORDER BY period, municipality_id"; /* the primary key's order: fewer index pages */

/* Looks the indicator up and checks the caller may load it. False after
 * answering 404 or 403. */
static bool load_indicator(struct request *req, struct values_indicator *ind)
{
    const char *id = req_param(req, 0);
    if (!id_is_canonical(id)) {
        resp_not_found(req);
        return false;
    }
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {id, viewer};
    PGresult *r = req_exec(req, &STMT_INDICATOR, 2, params);
    if (!r)
        return false;
    if (PQntuples(r) == 0) {
        resp_not_found(req);
        return false;
    }
    snprintf(ind->id, sizeof ind->id, "%s", PQgetvalue(r, 0, 0));
    snprintf(ind->area, sizeof ind->area, "%s", PQgetvalue(r, 0, 2));
    if (strcmp(PQgetvalue(r, 0, 1), "t") != 0) {
        char detail[160];
        snprintf(detail, sizeof detail,
                 "Only the %s secretariat or the coordination may load this indicator's values.",
                 ind->area);
        resp_forbidden(req, detail);
        return false;
    }
    snprintf(ind->periodicity, sizeof ind->periodicity, "%s", PQgetvalue(r, 0, 3));
    snprintf(ind->first_period, sizeof ind->first_period, "%s", PQgetvalue(r, 0, 4));
    ind->has_min = !PQgetisnull(r, 0, 5);
    ind->min = ind->has_min ? strtod(PQgetvalue(r, 0, 5), NULL) : 0;
    ind->has_max = !PQgetisnull(r, 0, 6);
    ind->max = ind->has_max ? strtod(PQgetvalue(r, 0, 6), NULL) : 0;
    ind->has_scale = strcmp(PQgetvalue(r, 0, 7), "t") == 0;
    return true;
}

/* One import's state across the steps. */
struct import {
    struct request *req;
    struct db_conn *db;
    PGconn *pg;
    struct values_indicator ind;
    struct values_options opt;
    struct values_sink sink;
    bool csv, blocking;
    struct db_watchdog *watchdog; /* while blocking */
    bool timed_out;               /* the watchdog fired */
    EVP_MD_CTX *sha;
    char sha_hex[65];
    /* results */
    long ignored, unknown_rows, inserted, updated, unchanged, zero_filled;
    char import_id[24];
    struct buf unknown_codes; /* JSON array */
};

/* Runs literal SQL with text parameters on the import's connection. NULL
 * (logged) on failure. */
static PGresult *run(struct import *im, const char *sql, int n, const char *const *params)
{
    PGresult *r = PQexecParams(im->pg, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN)
        return r;
    log_msg(LOG_ERROR, "request %s: values import: %s", im->req->request_id,
            PQresultErrorMessage(r));
    PQclear(r);
    return NULL;
}

static bool run_ok(struct import *im, const char *sql, int n, const char *const *params)
{
    PGresult *r = run(im, sql, n, params);
    PQclear(r);
    return r != NULL;
}

/* Into blocking mode, under the import's deadline. */
static void block(struct import *im)
{
    PQsetnonblocking(im->pg, 0);
    im->blocking = true;
    im->watchdog = db_watchdog_start(PQsocket(im->pg), IMPORT_DEADLINE_MS);
}

/* Back to the pool's non-blocking mode (before db_* calls and release). */
static void unblock(struct import *im)
{
    im->timed_out |= db_watchdog_stop(im->watchdog);
    im->watchdog = NULL;
    if (im->blocking)
        PQsetnonblocking(im->pg, 1);
    im->blocking = false;
}

/* The answer to a failure of the blocking part: 503 when the database ran
 * out of time (its connection is broken and will be replaced), else 500. */
static void failed(struct import *im)
{
    if (im->timed_out) {
        resp_header(im->req, "Retry-After", "1");
        resp_problem(im->req, 503, "service-unavailable", "Service temporarily unavailable",
                     "The database did not answer in time; nothing was imported.");
    } else {
        resp_problem(im->req, 500, "internal-error", "Internal error", NULL);
    }
}

/* Ends the copy: sent whole (abort false) or abandoned. False on failure. */
static bool end_copy(struct import *im, bool abort)
{
    bool ok = values_flush(&im->sink) || abort;
    ok = PQputCopyEnd(im->pg, abort ? "import refused" : NULL) == 1 && ok;
    PGresult *r;
    while ((r = PQgetResult(im->pg)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            if (!abort)
                log_msg(LOG_ERROR, "request %s: values import: copy: %s", im->req->request_id,
                        PQresultErrorMessage(r));
            ok = false;
        }
        PQclear(r);
    }
    im->sink.pg = NULL;
    return ok;
}

static long long_at(PGresult *r, int col) { return atol(PQgetvalue(r, 0, col)); }

/* Adds the database-found errors: unknown municipalities (unless ignored)
 * and duplicated keys. For JSON the line is the item's index. */
static void add_errors(struct import *im, const char *json_list, bool duplicates)
{
    cJSON *list = cJSON_Parse(json_list);
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        long line = (long)cJSON_GetObjectItem(e, "line")->valuedouble;
        const char *code = cJSON_GetObjectItem(e, "code")->valuestring;
        char field[64], msg[192];
        if (im->sink.json)
            snprintf(field, sizeof field, "values[%ld].municipality_id", line);
        else
            snprintf(field, sizeof field, "%s", im->opt.municipality_column);
        if (duplicates) {
            long first = (long)cJSON_GetObjectItem(e, "first")->valuedouble;
            snprintf(msg, sizeof msg,
                     "municipality %s, period %.10s is already on %s %ld (a key appears once "
                     "per file)",
                     code, cJSON_GetObjectItem(e, "period")->valuestring,
                     im->sink.json ? "item" : "line", first);
        } else {
            snprintf(msg, sizeof msg,
                     "%s is no known municipality (send unknown_municipalities=ignore to skip "
                     "such rows)",
                     code);
        }
        values_error(&im->sink, line, field, msg);
    }
    cJSON_Delete(list);
}

/* Resolution and the checks that need the database. False on a failure
 * (the errors, if any, are in the sink). */
static bool resolve_and_check(struct import *im)
{
    const char *id[] = {im->ind.id};
    if (!run_ok(im, SQL_RESOLVE, 0, NULL))
        return false;
    PGresult *r = run(im, SQL_CHECK, 0, NULL);
    if (!r)
        return false;
    im->unknown_rows = long_at(r, 0);
    buf_puts(&im->unknown_codes, PQgetvalue(r, 0, 1));
    if (im->unknown_rows && !im->opt.ignore_unknown)
        add_errors(im, PQgetvalue(r, 0, 2), false);
    long dups = long_at(r, 3);
    PGresult *d = dups ? run(im, SQL_DUPLICATES, 0, NULL) : NULL;
    if (dups && !d) {
        PQclear(r);
        return false;
    }
    if (d)
        add_errors(im, PQgetvalue(d, 0, 0), true);
    PQclear(d);
    /* The counts past those listed. */
    long listed = (im->unknown_rows && !im->opt.ignore_unknown) ? im->unknown_rows : 0;
    if (listed > MAX_UNKNOWN_LISTED)
        im->sink.error_count += listed - MAX_UNKNOWN_LISTED;
    if (dups > MAX_UNKNOWN_LISTED)
        im->sink.error_count += dups - MAX_UNKNOWN_LISTED;
    PQclear(r);
    im->ignored = im->opt.ignore_unknown ? im->unknown_rows : 0;
    if (im->sink.error_count)
        return true;
    if (im->opt.missing_zero) {
        const char *p[] = {im->ind.id, im->sink.value ? "t" : "f", im->sink.numerator ? "t" : "f",
                           im->sink.denominator ? "t" : "f"};
        if (!run_ok(im, SQL_ZERO_FILL, 4, p))
            return false;
    }
    const char *m[] = {im->ind.id, im->sink.value ? "t" : "f", im->sink.numerator ? "t" : "f",
                       im->sink.denominator ? "t" : "f", im->sink.preliminary ? "t" : "f"};
    if (!run_ok(im, SQL_MERGE, 5, m) || !(r = run(im, SQL_COUNT, 1, id)))
        return false;
    im->inserted = long_at(r, 0);
    im->updated = long_at(r, 1);
    im->unchanged = long_at(r, 2);
    im->zero_filled = long_at(r, 3);
    long out_of_range = long_at(r, 4);
    cJSON *bad = cJSON_Parse(PQgetvalue(r, 0, 5));
    const cJSON *e;
    cJSON_ArrayForEach(e, bad)
    {
        const cJSON *line = cJSON_GetObjectItem(e, "line");
        char msg[192];
        snprintf(msg, sizeof msg,
                 "gives municipality %s, period %s the value %g (numerator / denominator x "
                 "scale), outside the indicator's valid range",
                 cJSON_GetObjectItem(e, "municipality_id")->valuestring,
                 cJSON_GetObjectItem(e, "period")->valuestring,
                 cJSON_GetObjectItem(e, "value")->valuedouble);
        values_error(&im->sink, cJSON_IsNumber(line) ? (long)line->valuedouble : 0,
                     im->sink.json ? "values" : "line", msg);
    }
    cJSON_Delete(bad);
    if (out_of_range > VALUES_MAX_LISTED_ERRORS)
        im->sink.error_count += out_of_range - VALUES_MAX_LISTED_ERRORS;
    PQclear(r);
    return true;
}

/* The writes of a real import. False on a failure. */
static bool write_import(struct import *im, const struct query *q)
{
    struct buf options = {0};
    values_options_json(q, &options);
    char ins[24], upd[24], unch[24], ign[24];
    snprintf(ins, sizeof ins, "%ld", im->inserted);
    snprintf(upd, sizeof upd, "%ld", im->updated);
    snprintf(unch, sizeof unch, "%ld", im->unchanged);
    snprintf(ign, sizeof ign, "%ld", im->ignored);
    const char *p[] = {im->ind.id,
                       im->req->who.user_id_str,
                       im->csv ? "csv" : "json",
                       im->sha_hex,
                       buf_cstr(&options),
                       ins,
                       upd,
                       unch,
                       ign,
                       im->req->request_id};
    PGresult *r = run(im, SQL_IMPORT_ROW, 10, p);
    bool ok = r != NULL;
    if (ok)
        snprintf(im->import_id, sizeof im->import_id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    const char *w[] = {im->ind.id, im->import_id};
    /* Each write only when the counts say it has rows: the planner cannot
     * know that an unchanged file updates nothing. */
    ok = ok && (!im->updated || (run_ok(im, SQL_HISTORY, 2, w) && run_ok(im, SQL_UPDATE, 2, w))) &&
         (!im->inserted || run_ok(im, SQL_INSERT, 2, w));
    unblock(im);
    if (ok) {
        struct buf after = {0};
        buf_printf(&after,
                   "{\"indicator_id\":%s,\"import_id\":%s,\"format\":\"%s\",\"rows\":%ld,"
                   "\"inserted\":%ld,\"updated\":%ld,\"unchanged\":%ld,\"ignored\":%ld,"
                   "\"sha256\":\"%s\",\"options\":%s}",
                   im->ind.id, im->import_id, im->csv ? "csv" : "json", im->sink.rows, im->inserted,
                   im->updated, im->unchanged, im->ignored, im->sha_hex, buf_cstr(&options));
        struct audit_actor actor = audit_actor_of(im->req);
        ok = audit_record(im->db, &actor, "import_values", "indicator", im->ind.id, NULL,
                          buf_cstr(&after));
        buf_free(&after);
    }
    buf_free(&options);
    return ok;
}

static void answer(struct import *im)
{
    struct buf b = {0};
    buf_puts(&b, "{\"import_id\":");
    buf_puts(&b, im->import_id[0] ? im->import_id : "null");
    buf_printf(&b,
               ",\"dry_run\":%s,\"rows\":%ld,\"inserted\":%ld,\"updated\":%ld,\"unchanged\":%ld,"
               "\"ignored\":%ld,\"zero_filled\":%ld,\"unknown_municipalities\":",
               im->opt.dry_run ? "true" : "false", im->sink.rows, im->inserted, im->updated,
               im->unchanged, im->ignored, im->zero_filled);
    buf_puts(&b,
             im->opt.ignore_unknown && im->unknown_codes.len ? buf_cstr(&im->unknown_codes) : "[]");
    buf_printf(&b, ",\"sha256\":\"%s\"}", im->sha_hex);
    resp_json_buf(im->req, 200, &b);
}

static void refuse(struct import *im)
{
    char detail[160];
    if (im->sink.error_count > VALUES_MAX_LISTED_ERRORS)
        snprintf(detail, sizeof detail,
                 "The file has %ld errors; the first %d are listed. Nothing was imported.",
                 im->sink.error_count, VALUES_MAX_LISTED_ERRORS);
    else
        snprintf(detail, sizeof detail, "The file has %ld error%s. Nothing was imported.",
                 im->sink.error_count, im->sink.error_count == 1 ? "" : "s");
    resp_validation(im->req, &im->sink.errors, detail);
}

static void digest(struct import *im)
{
    unsigned char md[32];
    unsigned len = 0;
    EVP_DigestFinal_ex(im->sha, md, &len);
    for (unsigned i = 0; i < len; i++)
        snprintf(im->sha_hex + 2 * i, 3, "%02x", md[i]);
}

/* After an import that wrote many rows, the planner's statistics of
 * indicator_values are refreshed before the answer: the queries that follow
 * an import (the public values, a focalization run) are then planned on the
 * new data, not on what autovacuum last saw, which can be an empty table. A
 * failure only costs the refresh: the import is committed. */
static void refresh_statistics(struct import *im)
{
    if (im->inserted + im->updated < ANALYZE_AFTER_ROWS)
        return;
    PGresult *r = db_exec_sql(im->db, "ANALYZE indicator_values");
    if (!r)
        log_msg(LOG_WARN, "request %s: ANALYZE indicator_values after an import failed",
                im->req->request_id);
    PQclear(r);
}

/* The transaction; answers. */
static void import_run(struct import *im, const struct query *q)
{
    const char *id[] = {im->ind.id};
    PGresult *locked = NULL;
    if (!db_begin(im->db) || !(locked = db_exec(im->db, &STMT_LOCK, 1, id))) {
        resp_db_error(im->req);
        return;
    }
    bool gone = PQntuples(locked) == 0;
    PQclear(locked);
    if (gone) {
        resp_not_found(im->req);
        return;
    }
    block(im);
    PGresult *copy = NULL;
    bool ok = run_ok(im, IMPORT_TIMEOUT, 0, NULL) && run_ok(im, IMPORT_WORK_MEM, 0, NULL) &&
              run_ok(im, SQL_STAGE, 0, NULL) && (copy = run(im, SQL_COPY, 0, NULL)) != NULL;
    PQclear(copy);
    if (!ok) {
        unblock(im);
        failed(im);
        return;
    }
    im->sink.pg = im->pg;
    bool read = im->csv ? values_read_csv(im->req, &im->opt, &im->sink, im->sha)
                        : values_read_json(im->req, &im->sink, im->sha);
    if (!read || im->sink.error_count || im->sink.copy_failed) {
        end_copy(im, true);
        unblock(im);
        if (!read)
            return; /* answered */
        if (im->sink.copy_failed)
            failed(im);
        else
            refuse(im);
        return;
    }
    if (im->sink.rows == 0)
        values_error(&im->sink, 2, im->sink.json ? "values" : "line", "the file has no rows");
    digest(im);
    ok = end_copy(im, false) && (im->sink.error_count || resolve_and_check(im));
    if (ok && !im->sink.error_count && !im->opt.dry_run)
        ok = write_import(im, q);
    unblock(im);
    if (!ok) {
        failed(im);
        return;
    }
    if (im->sink.error_count) {
        refuse(im);
        return;
    }
    if (im->opt.dry_run) {
        db_rollback(im->db);
        answer(im);
        return;
    }
    if (!db_commit(im->db)) {
        resp_db_error(im->req);
        return;
    }
    refresh_statistics(im);
    answer(im);
}

static void release_import(void *p)
{
    struct import *im = p;
    EVP_MD_CTX_free(im->sha);
    buf_free(&im->sink.copy);
    field_errors_free(&im->sink.errors);
    buf_free(&im->unknown_codes);
    free(im);
    /* An import's buffers came from its worker thread's malloc arena; give
     * the freed pages back, so that imports on many threads do not leave
     * the server's RSS at threads x buffers. */
    malloc_trim(0);
}

void values_import(struct request *req)
{
    struct query q;
    if (!query_parse(req, values_import_params, &q))
        return;
    const char *ct = req_header(req, "Content-Type");
    bool csv = media_type_is(ct, "text/csv"), json = media_type_is(ct, "application/json");
    if (!csv && !json) {
        resp_problem(req, 415, "unsupported-media-type", "Unsupported media type",
                     "Send the values as text/csv or application/json.");
        return;
    }
    struct import *im = calloc(1, sizeof *im);
    if (!im)
        abort();
    req_defer(req, release_import, im);
    im->req = req;
    im->csv = csv;
    if (!values_read_options(req, &q, csv, &im->opt) || !load_indicator(req, &im->ind))
        return;
    im->db = req_db(req);
    if (!im->db)
        return;
    im->pg = db_pg(im->db);
    im->sha = EVP_MD_CTX_new();
    if (!im->sha || !EVP_DigestInit_ex(im->sha, EVP_sha256(), NULL))
        abort();
    im->sink = (struct values_sink){
        .ind = &im->ind,
        .decimal = im->opt.decimal,
        .tabnet = im->opt.tabnet,
        .value = csv && im->opt.value_column,
        .numerator = csv && im->opt.numerator_column,
        .denominator = csv && im->opt.denominator_column,
        .status = csv && im->opt.status_column,
        .preliminary = csv && (im->opt.preliminary_column || im->opt.preliminary),
    };
    import_run(im, &q);
}
