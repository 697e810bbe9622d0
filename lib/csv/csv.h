/*
 * RFC 4180 CSV: a streaming reader over an in-memory buffer and a writer that
 * quotes only when needed. Records end in CRLF or LF; a UTF-8 BOM at the very
 * start is skipped.
 */
#ifndef PACTO_CSV_CSV_H
#define PACTO_CSV_CSV_H

#include <stdbool.h>
#include <stddef.h>

#define CSV_MAX_FIELDS 32

struct csv_reader {
    const char *p, *end;
    size_t line;   /* 1-based line number where the current record starts */
    char *scratch; /* owned: unquoted copies of the fields */
    size_t scratch_cap;
};

struct csv_record {
    size_t nfields;
    const char *fields[CSV_MAX_FIELDS]; /* NUL-terminated, valid until the next read */
    size_t line;
};

enum csv_status { CSV_RECORD, CSV_END, CSV_ERROR };

void csv_reader_init(struct csv_reader *r, const char *buf, size_t len);
void csv_reader_free(struct csv_reader *r);

/* Reads the next record. On CSV_ERROR, *error points to a static message
 * ("unterminated quoted field", "too many fields", "text after closing quote",
 * "NUL byte in field") and rec->line is the line of the error (for an
 * unterminated field, the line of its opening quote); the reader does not move
 * past a bad record, so calling again returns the same error. Blank lines
 * at the end of input are ignored; a blank line elsewhere is a record with one
 * empty field. A lone CR inside an unquoted field is kept as data. */
enum csv_status csv_read(struct csv_reader *r, struct csv_record *rec, const char **error);

struct buf;
/* Appends one field, quoted when it holds a comma, quote, CR or LF (quotes
 * doubled). Only the field: the caller puts the ',' between fields. A NULL
 * field is written as empty. Fields whose first character is =, +, - or @ are written as-is:
 * csv_write_cell is the writer for what is published. */
void csv_write_field(struct buf *out, const char *field);

/* csv_write_field for published data: a field a spreadsheet would run as a
 * formula (first character =, +, -, @, tab or CR; OWASP "CSV injection") is
 * written with a leading apostrophe, unless it is a plain number such as
 * -20.4486, which stays as it is. */
void csv_write_cell(struct buf *out, const char *field);
/* Appends the CRLF that ends a record. */
void csv_end_record(struct buf *out);

#endif
