/*
 * The statements of a resource, made once from its declaration (see
 * resource.h and statements.h). Only names from the declaration go into the
 * SQL text: values always travel as parameters, the body as one jsonb.
 */
#include "resource/statements.h"

#include "core/buf.h"
#include "log/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;

static void make(struct db_stmt *s, char *name, struct buf *sql)
{
    s->name = name;
    s->sql = sql->data;
    *sql = (struct buf){0}; /* the statement owns it, for the life of the process */
}

static char *stmt_name(const struct resource *res, const char *what)
{
    struct buf b = {0};
    buf_printf(&b, "res_%s_%s", res->name ? res->name : res->entity, what);
    return b.data;
}

/* Appends ", a, b, c" for the fields with one of `flags` that are columns. */
static void columns(struct buf *b, const struct resource *res, unsigned flags, const char *prefix)
{
    bool first = true;
    for (const struct res_field *f = res->fields; f->name; f++) {
        if (!(f->flags & flags) || (f->flags & RF_VIRTUAL))
            continue;
        buf_printf(b, "%s%s%s", first ? "" : ", ", prefix, f->name);
        first = false;
    }
}

/* " AND t.<parent> = $n" when the resource has a parent. */
static void parent_clause(struct buf *b, const struct resource *res, int n)
{
    if (res->parent)
        buf_printf(b, " AND t.%s = $%d", res->parent, n);
}

/* The columns every answer about one row starts with. */
/* Leaves out the rows the viewer ($1) may not know of (struct resource's
 * visible). */
static void visible_clause(struct buf *b, const struct resource *res)
{
    if (res->visible)
        buf_printf(b, " AND %s(t, $1::pacto_viewer)", res->visible);
}

static void row_columns(struct buf *b, const struct resource *res, const char *row)
{
    buf_printf(b, "SELECT t.%s, %s, %s(%s, $1::pacto_viewer), ", res->key,
               res->unversioned ? "NULL::integer" : "t.version", res->view, row);
    if (res->snapshot)
        buf_printf(b, "%s(%s)", res->snapshot, row);
    else
        buf_puts(b, "NULL::jsonb"); /* read-only: nothing to audit */
}

/* The CSV form's columns: the RF_CSV fields of each row's JSON, taken apart
 * by one json_to_record per row (one parse, where a ->> per column would
 * parse the row's JSON again for every column). */
static void csv_columns(struct buf *b, const struct resource *res)
{
    buf_puts(b, " CROSS JOIN LATERAL json_to_record(x.j::json) AS c (");
    const char *sep = "";
    for (const struct res_field *f = res->fields; f->name; f++)
        if (f->flags & RF_CSV) {
            buf_printf(b, "%s\"%s\" text", sep, f->name);
            sep = ", ";
        }
    buf_putc(b, ')');
}

/* The list's page: $1 viewer, $2 the key to continue after, $3 limit,
 * $4 filters, $5 parent. The CSV form adds a column per RF_CSV field; the
 * JSON form leaves them out, as taking them apart costs a parse of every
 * row's JSON. */
static void build_list(const struct resource *res, struct res_statements *st, bool csv)
{
    struct buf b = {0};
    buf_puts(&b, "SELECT x.k, x.j");
    for (const struct res_field *f = res->fields; csv && f->name; f++)
        if (f->flags & RF_CSV)
            buf_printf(&b, ", c.\"%s\"", f->name);
    const char *key_type = res->key_type == RES_ID ? "bigint" : "text";
    const char *after = res->descending ? "<" : ">", *order = res->descending ? " DESC" : "";
    if (res->rows) {
        buf_printf(&b, " FROM (SELECT r.k, r.j FROM %s($1::pacto_viewer, $4::jsonb%s) r", res->rows,
                   res->parent ? ", $5" : "");
        buf_printf(&b, " WHERE ($2::text IS NULL OR r.k %s $2::text::%s)", after, key_type);
        buf_printf(&b, " ORDER BY r.k%s LIMIT $3) x", order);
    } else {
        buf_printf(&b, " FROM (SELECT t.%s AS k, %s(t, $1::pacto_viewer) AS j FROM %s t", res->key,
                   res->view, res->table);
        buf_printf(&b, " WHERE ($2::text IS NULL OR t.%s %s $2::text::%s)", res->key, after,
                   key_type);
        if (res->matches)
            buf_printf(&b, " AND %s(t, $4::jsonb, $1::pacto_viewer)", res->matches);
        else
            buf_puts(&b, " AND $4::jsonb IS NOT NULL");
        visible_clause(&b, res);
        parent_clause(&b, res, 5);
        buf_printf(&b, " ORDER BY t.%s%s LIMIT $3) x", res->key, order);
    }
    if (csv)
        csv_columns(&b, res);
    buf_printf(&b, " ORDER BY x.k%s", order);
    make(csv ? &st->list_csv : &st->list, stmt_name(res, csv ? "list_csv" : "list"), &b);
}

static void build_reads(const struct resource *res, struct res_statements *st)
{
    struct buf b = {0};
    /* A read is never audited: no snapshot to compute. */
    buf_printf(&b, "SELECT t.%s, %s, %s(t, $1::pacto_viewer), NULL::jsonb", res->key,
               res->unversioned ? "NULL::integer" : "t.version", res->view);
    buf_printf(&b, " FROM %s t WHERE t.%s = $2", res->table, res->key);
    visible_clause(&b, res);
    parent_clause(&b, res, 3);
    make(&st->get, stmt_name(res, "get"), &b);

    row_columns(&b, res, "t");
    buf_printf(&b, " FROM %s t WHERE t.%s = $2", res->table, res->key);
    visible_clause(&b, res);
    parent_clause(&b, res, 3);
    buf_puts(&b, " FOR UPDATE OF t");
    make(&st->lock, stmt_name(res, "lock"), &b);

    build_list(res, st, false);
    build_list(res, st, true);
    st->list_params = res->parent ? 5 : 4;

    /* Reads need it too: a list under a parent answers 404 for an unknown
     * one, read-only resources (no writes built) included. */
    if (res->parent_exists) {
        buf_puts(&b, res->parent_exists);
        make(&st->parent, stmt_name(res, "parent"), &b);
    }
}

static void build_writes(const struct resource *res, struct res_statements *st)
{
    struct buf b = {0};
    char row[80];
    snprintf(row, sizeof row, "t::%s", res->table);

    /* $1 viewer, $2 the document */
    buf_printf(&b, "WITH t AS (INSERT INTO %s (", res->table);
    columns(&b, res, RF_CREATE | RF_STORED, "");
    buf_puts(&b, ") SELECT ");
    columns(&b, res, RF_CREATE | RF_STORED, "r.");
    buf_printf(&b, " FROM jsonb_populate_record(NULL::%s, $2::jsonb) r RETURNING *) ", res->table);
    row_columns(&b, res, row);
    buf_puts(&b, " FROM t");
    make(&st->insert, stmt_name(res, "insert"), &b);

    /* $1 viewer, $2 key, $3 the patch, $4 parent. No row when nothing changes. */
    buf_printf(&b, "WITH t AS (UPDATE %s t SET (", res->table);
    columns(&b, res, RF_PATCH | RF_INTERNAL, "");
    buf_puts(&b, ") = (SELECT ");
    columns(&b, res, RF_PATCH | RF_INTERNAL, "r.");
    buf_printf(&b,
               " FROM jsonb_populate_record(t, $3::jsonb) r),"
               " version = t.version + 1, updated_at = now()"
               " WHERE t.%s = $2 AND t IS DISTINCT FROM jsonb_populate_record(t, $3::jsonb)",
               res->key);
    parent_clause(&b, res, 4);
    buf_puts(&b, " RETURNING t.*) ");
    row_columns(&b, res, row);
    buf_puts(&b, " FROM t");
    make(&st->update, stmt_name(res, "update"), &b);

    /* $1 key, $2 parent */
    buf_printf(&b, "WITH t AS (DELETE FROM %s t WHERE t.%s = $1", res->table, res->key);
    parent_clause(&b, res, 2);
    buf_printf(&b, " RETURNING t.*) SELECT t.%s, %s(%s) FROM t", res->key, res->snapshot, row);
    make(&st->delete, stmt_name(res, "delete"), &b);

    if (res->rules) {
        /* $1 the document (the create's, or the patch over row $2 of parent $3) */
        buf_printf(&b, "SELECT field, message FROM %s(jsonb_populate_record(NULL::%s, $1::jsonb))",
                   res->rules, res->table);
        make(&st->rules_create, stmt_name(res, "rules_create"), &b);
        buf_printf(&b,
                   "SELECT r.field, r.message FROM %s t,"
                   " %s(jsonb_populate_record(t, $1::jsonb)) r WHERE t.%s = $2",
                   res->table, res->rules, res->key);
        parent_clause(&b, res, 3);
        make(&st->rules_patch, stmt_name(res, "rules_patch"), &b);
    }
    if (res->guard) {
        /* $1 viewer, $2 the create's document */
        buf_printf(&b, "SELECT %s(jsonb_populate_record(NULL::%s, $2::jsonb), $1::pacto_viewer)",
                   res->guard, res->table);
        make(&st->guard_create, stmt_name(res, "guard_create"), &b);
        /* $1 viewer, $2 key, $3 the patch, $4 parent */
        buf_printf(&b,
                   "SELECT %s(t, $1::pacto_viewer) AND %s(jsonb_populate_record(t, $3::jsonb),"
                   " $1::pacto_viewer) FROM %s t WHERE t.%s = $2",
                   res->guard, res->guard, res->table, res->key);
        parent_clause(&b, res, 4);
        make(&st->guard_patch, stmt_name(res, "guard_patch"), &b);
        /* $1 viewer, $2 key, $3 parent */
        buf_printf(&b, "SELECT %s(t, $1::pacto_viewer) FROM %s t WHERE t.%s = $2", res->guard,
                   res->table, res->key);
        parent_clause(&b, res, 3);
        make(&st->guard_row, stmt_name(res, "guard_row"), &b);
    }
}

/* What would make the generated SQL wrong. */
static const char *declaration_problem(const struct resource *res)
{
    if (!res->entity || !res->table || !res->key || !res->view || !res->fields)
        return "entity, table, key, view and fields are required";
    if (res->parent && !res->parent_exists)
        return "a resource with a parent needs parent_exists";
    if (res->guard && (!res->guard_why || !res->snapshot))
        return "a guard needs guard_why and a writable resource";
    for (const struct res_field *f = res->fields; f->name; f++) {
        if (strspn(f->name, "abcdefghijklmnopqrstuvwxyz_0123456789") != strlen(f->name))
            return "field names are lower-case SQL identifiers";
        if (f->type == RES_SECRET && !(f->flags & RF_VIRTUAL))
            return "a secret is never a column: declare it RF_VIRTUAL";
    }
    return NULL;
}

const struct res_statements *res_statements_of(const struct resource *res)
{
    struct resource *mut = (struct resource *)res; /* the statements are made once */
    pthread_mutex_lock(&init_lock);
    if (!mut->sql) {
        const char *why = declaration_problem(res);
        if (why) {
            log_msg(LOG_ERROR, "resource %s: %s", res->entity ? res->entity : "?", why);
            abort();
        }
        struct res_statements *st = calloc(1, sizeof *st);
        if (!st)
            abort();
        build_reads(res, st);
        if (res->snapshot) /* else read-only: see resource.h */
            build_writes(res, st);
        mut->sql = st;
    }
    pthread_mutex_unlock(&init_lock);
    return res->sql;
}

bool resource_init(struct resource *res)
{
    const char *why = declaration_problem(res);
    if (why) {
        log_msg(LOG_ERROR, "resource %s: %s", res->entity ? res->entity : "?", why);
        return false;
    }
    return res_statements_of(res) != NULL;
}
