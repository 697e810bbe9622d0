/*
 * The pure pieces of reading an indicator's values from a file: numbers
 * with either decimal separator, the codes sources put where a value is
 * missing, municipality codes in their 7- and 6-digit forms, periods of an
 * indicator's periodicity, ISO-8859-1 text, and the kinds of line in a
 * DATASUS TabNet export. No I/O and no database: unit-tested on their own.
 */
#ifndef PACTO_VALUES_PARSE_H
#define PACTO_VALUES_PARSE_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>

#define VALUES_NUMBER_MAX 48 /* the longest number text accepted, with its NUL */
#define VALUES_CODE_MAX   20 /* raw_code's length limit (sql/014) */

/* Reads a decimal number: optional sign, digits, optionally `decimal` ('.'
 * or ',') and more digits; spaces around it are ignored, nothing else
 * (no exponent, no thousands separator). Writes it with a '.' into out (at
 * least VALUES_NUMBER_MAX bytes), for PostgreSQL's numeric, and its double
 * into *value (for range checks). False when s is not such a number. */
bool values_number(const char *s, char decimal, char out[VALUES_NUMBER_MAX], double *value);

/* What a non-numeric cell of a value column says. */
enum values_code {
    VALUES_CODE_NONE,          /* not a code the sources use: an error */
    VALUES_CODE_NOT_AVAILABLE, /* NA, N/A, -, --, ..., ND, ND*, ND**, ND*** (INEP) */
    VALUES_CODE_SUPPRESSED,    /* X: withheld by the source (IBGE) */
};
/* Classifies a trimmed cell that is not a number. An empty cell is
 * VALUES_CODE_NOT_AVAILABLE with no code to keep. */
enum values_code values_missing_code(const char *s);

/* The forms a municipality code comes in. */
enum values_code_form {
    VALUES_CODE_BAD,   /* neither */
    VALUES_CODE_FULL,  /* 7 digits: IBGE's code with its check digit */
    VALUES_CODE_SHORT, /* 6 digits: DATASUS and INEP, without it */
};
/* Reads the municipality code at the start of s: 6 or 7 digits, alone or
 * (TabNet's "355030 São Paulo") followed by a space and a name; spaces
 * around are ignored. Copies the digits into out. The check digit is never
 * computed: 6 digits are resolved by the database (9 real codes break the
 * rule that would compute it). */
enum values_code_form values_code_form(const char *s, char out[8]);

/* Checks a period against a periodicity ("annual", "biennial",
 * "monthly") and the indicator's first period (NULL or "": none): 'YYYY' or
 * 'YYYY-MM' from 1900 to 2099, never before first, and for a biennial
 * indicator first + 2k. NULL when fine, else why not. */
const char *values_period_problem(const char *periodicity, const char *first, const char *p);

/* Reads a boolean cell: true, false, 1, 0, t, f, yes, no, sim, não/nao, s,
 * n (any case); an empty cell is false. False when it is none of these. */
bool values_boolean(const char *s, bool *out);

/* Appends n bytes of ISO-8859-1 text to out as UTF-8. */
void values_latin1_to_utf8(const char *in, size_t n, struct buf *out);

/* The kind of a line of a DATASUS TabNet export, by its first cell
 * (trimmed, unquoted), once the header has been seen. */
enum values_tabnet_line {
    VALUES_TABNET_DATA,   /* starts with a municipality code */
    VALUES_TABNET_TOTAL,  /* "Total": the sum row, skipped */
    VALUES_TABNET_FOOTER, /* "Fonte:", "Legenda:", "Notas:", a legend line, an
                             empty line: the end of the table */
};
enum values_tabnet_line values_tabnet_classify(const char *first_cell);

/* Trims spaces, tabs and CRs from both ends of s, in place. Returns s. */
char *values_trim(char *s);

#endif
