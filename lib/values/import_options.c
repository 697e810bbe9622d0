/*
 * The query parameters of a values import (see import.h): which the route
 * takes, their checks and defaults, and how the import records them.
 */
#include "values/import.h"

#include "http/query.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* What only a CSV body takes. */
#define CSV_OPTIONS                                                                                \
    "delimiter", "decimal", "encoding", "format", "municipality_column", "period_column",          \
        "period", "value_column", "numerator_column", "denominator_column", "status_column",       \
        "preliminary_column", "preliminary", "keep_column", "keep_value"
static const char *const csv_only[] = {CSV_OPTIONS, NULL};
const char *const values_import_params[] = {CSV_OPTIONS, "unknown_municipalities", "missing",
                                            "dry_run", NULL};

static bool bad_option(struct request *req, const char *detail)
{
    resp_bad_parameter(req, detail);
    return false;
}

/* False after answering 400 when one of the parameters that name a column
 * (or the period) is given empty: "value_column=" names nothing. */
static bool names_given(struct request *req, const struct query *q)
{
    static const char *const naming[] = {
        "municipality_column", "period_column",      "period",
        "value_column",        "numerator_column",   "denominator_column",
        "status_column",       "preliminary_column", "keep_column"};
    for (size_t i = 0; i < sizeof naming / sizeof naming[0]; i++) {
        const char *v = query_get(q, naming[i]);
        if (v && !*v) {
            char detail[96];
            snprintf(detail, sizeof detail, "%s must not be empty.", naming[i]);
            return bad_option(req, detail);
        }
    }
    return true;
}

bool values_read_options(struct request *req, const struct query *q, bool csv,
                         struct values_options *o)
{
    char detail[192];
    if (!csv)
        for (const char *const *p = csv_only; *p; p++)
            if (query_get(q, *p)) {
                snprintf(detail, sizeof detail, "\"%s\" is for a text/csv body only.", *p);
                return bad_option(req, detail);
            }
    const char *format = query_get(q, "format");
    if (format && strcmp(format, "csv") != 0 && strcmp(format, "tabnet") != 0)
        return bad_option(req, "format must be csv or tabnet.");
    o->tabnet = format && strcmp(format, "tabnet") == 0;
    const char *d = query_get(q, "delimiter");
    o->delimiter = o->tabnet ? ';' : ',';
    if (d) {
        if (strcmp(d, ",") == 0 || strcmp(d, ";") == 0)
            o->delimiter = d[0];
        else if (strcmp(d, "tab") == 0)
            o->delimiter = '\t';
        else
            return bad_option(req, "delimiter must be \",\", \";\" or tab.");
    }
    const char *dec = query_get(q, "decimal");
    o->decimal = o->tabnet ? ',' : '.';
    if (dec) {
        if (strcmp(dec, ".") != 0 && strcmp(dec, ",") != 0)
            return bad_option(req, "decimal must be \".\" or \",\".");
        o->decimal = dec[0];
    }
    if (o->decimal == o->delimiter)
        return bad_option(req, "decimal and delimiter must differ.");
    const char *enc = query_get(q, "encoding");
    o->latin1 = o->tabnet;
    if (enc) {
        if (strcasecmp(enc, "utf-8") != 0 && strcasecmp(enc, "iso-8859-1") != 0)
            return bad_option(req, "encoding must be utf-8 or iso-8859-1.");
        o->latin1 = strcasecmp(enc, "iso-8859-1") == 0;
    }
    if (!names_given(req, q))
        return false;
    o->municipality_column = query_get(q, "municipality_column");
    if (!o->municipality_column)
        o->municipality_column = o->tabnet ? "Município" : "ibge_code";
    o->period = query_get(q, "period");
    o->period_column = query_get(q, "period_column");
    if (o->period && o->period_column)
        return bad_option(req, "Give period (one for the whole file) or period_column, not both.");
    if (!o->period && !o->period_column)
        o->period_column = "period";
    o->numerator_column = query_get(q, "numerator_column");
    o->denominator_column = query_get(q, "denominator_column");
    o->value_column = query_get(q, "value_column");
    if (!o->value_column && !o->numerator_column && !o->denominator_column)
        o->value_column = "value";
    o->status_column = query_get(q, "status_column");
    o->preliminary_column = query_get(q, "preliminary_column");
    bool present = false;
    if (!query_bool(req, q, "preliminary", &present, &o->preliminary))
        return false;
    if (o->preliminary && o->preliminary_column)
        return bad_option(req, "Give preliminary=true or preliminary_column, not both.");
    o->keep_column = query_get(q, "keep_column");
    o->keep_value = query_get(q, "keep_value");
    if (!o->keep_column != !o->keep_value)
        return bad_option(req, "keep_column and keep_value go together.");
    const char *unknown = query_get(q, "unknown_municipalities");
    if (unknown && strcmp(unknown, "error") != 0 && strcmp(unknown, "ignore") != 0)
        return bad_option(req, "unknown_municipalities must be error or ignore.");
    o->ignore_unknown = unknown && strcmp(unknown, "ignore") == 0;
    const char *missing = query_get(q, "missing");
    if (missing && strcmp(missing, "keep") != 0 && strcmp(missing, "zero") != 0)
        return bad_option(req, "missing must be keep or zero.");
    o->missing_zero = missing && strcmp(missing, "zero") == 0;
    return query_bool(req, q, "dry_run", &present, &o->dry_run);
}

void values_options_json(const struct query *q, struct buf *out)
{
    buf_putc(out, '{');
    for (int i = 0; i < q->n; i++) {
        if (i)
            buf_putc(out, ',');
        buf_json_string(out, q->items[i].name);
        buf_putc(out, ':');
        buf_json_string(out, q->items[i].value);
    }
    buf_putc(out, '}');
}
