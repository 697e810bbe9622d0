/*
 * The pieces of one values import (POST /v1/indicators/{id}/values), shared
 * by the files that make it up: import.c (the request and the transaction),
 * import_options.c (its query parameters),
 * import_rows.c (a row's cells checked and sent to the staging table by
 * COPY), import_csv.c (the streamed CSV reader and its column mapping),
 * import_json.c (the JSON body). Internal to lib/values.
 */
#ifndef PACTO_VALUES_IMPORT_H
#define PACTO_VALUES_IMPORT_H

#include "core/buf.h"
#include "http/request.h"
#include "http/response.h"
#include "values/parse.h"

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <stdbool.h>

/* The errors listed in a 422; the rest are only counted. */
#define VALUES_MAX_LISTED_ERRORS 100

/* What the import needs to know of the indicator. */
struct values_indicator {
    char id[24];
    char area[32];
    char periodicity[16];
    char first_period[16]; /* "" when none */
    bool has_min, has_max, has_scale;
    double min, max;
};

/* The query parameters of a CSV import (see api/openapi.yaml). Strings
 * point into the parsed query; NULL: not given. */
struct values_options {
    char delimiter, decimal;
    bool latin1, tabnet;
    const char *municipality_column, *period_column, *period, *value_column;
    const char *numerator_column, *denominator_column, *status_column, *preliminary_column;
    bool preliminary; /* preliminary=true: every row is */
    const char *keep_column, *keep_value;
    bool ignore_unknown, missing_zero, dry_run;
};

struct query;
/* The query parameters the route takes (NULL-terminated). */
extern const char *const values_import_params[];
/* Reads the options of an import with a CSV body (csv) or a JSON one from
 * q, with their defaults, into o. False after answering 400. */
bool values_read_options(struct request *req, const struct query *q, bool csv,
                         struct values_options *o);
/* The options as given, as a JSON object, for value_imports and the audit. */
void values_options_json(const struct query *q, struct buf *out);

/* One row's cells as text, NULL for a column the import does not map. */
struct values_cells {
    const char *code, *period, *value, *numerator, *denominator, *status, *preliminary;
};

/* The names errors give the cells: the file's columns, or values[i].field. */
struct values_names {
    const char *code, *period, *value, *numerator, *denominator, *status, *preliminary;
};

/* Where checked rows go: COPY text for the staging table, flushed as it
 * grows, and the errors found so far. */
struct values_sink {
    const struct values_indicator *ind;
    char decimal;
    bool tabnet; /* "-" is a true zero */
    PGconn *pg;  /* in COPY IN; NULL once a failure stopped the copy */
    struct buf copy;
    struct field_errors errors; /* the first VALUES_MAX_LISTED_ERRORS */
    long error_count;           /* all of them */
    bool json;                  /* errors name fields (no line) */
    long rows;
    /* The columns the import writes (others keep what is stored). */
    bool value, numerator, denominator, status, preliminary;
    bool copy_failed;
};

/* Records an error (listed while there is room, always counted). */
void values_error(struct values_sink *s, long line, const char *field, const char *message);

/* Checks one row's cells and, when sound, appends it to the COPY text
 * (flushing it past a threshold). line: the file's line (the item's index
 * for JSON). */
void values_take_row(struct values_sink *s, long line, const struct values_cells *cells,
                     const struct values_names *names);

/* Sends what the COPY text holds. False when the connection failed. */
bool values_flush(struct values_sink *s);

/* Reads the whole CSV body from the request, in pieces, through the sink.
 * False when reading failed (the request has been answered); errors in
 * the file go to the sink. sha is updated with every byte as received. */
bool values_read_csv(struct request *req, const struct values_options *o, struct values_sink *s,
                     EVP_MD_CTX *sha);

/* Reads a JSON body ({"values": [...]}) through the sink. As values_read_csv. */
bool values_read_json(struct request *req, struct values_sink *s, EVP_MD_CTX *sha);

#endif
