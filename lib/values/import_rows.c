/*
 * A row of values checked cell by cell and written as one line of COPY
 * text for the staging table (see import.c for its columns): the code as
 * given (6 or 7 digits; resolved later by one join), the period, numbers
 * in PostgreSQL's form, and the status with the source's own code when a
 * value cell holds one. What needs the database (unknown municipalities,
 * duplicated keys) is found after the copy, by the merge.
 */
#include "values/import.h"

#include <stdio.h>
#include <string.h>

#define COPY_FLUSH_BYTES (64 * 1024)

void values_error(struct values_sink *s, long line, const char *field, const char *message)
{
    if (s->error_count++ >= VALUES_MAX_LISTED_ERRORS)
        return;
    if (s->json || line <= 0) /* JSON, or a row missing=zero added */
        field_error(&s->errors, field, message);
    else
        field_error_line(&s->errors, line, field, message);
}

/* Appends s as a COPY text field (backslash, tab, CR and LF escaped). */
static void copy_text(struct buf *b, const char *s)
{
    const char *start = s;
    for (; *s; s++) {
        const char *esc = *s == '\\'   ? "\\\\"
                          : *s == '\t' ? "\\t"
                          : *s == '\n' ? "\\n"
                          : *s == '\r' ? "\\r"
                                       : NULL;
        if (!esc)
            continue;
        buf_append(b, start, (size_t)(s - start));
        buf_puts(b, esc);
        start = s + 1;
    }
    buf_append(b, start, (size_t)(s - start));
}

/* A numeric cell: its number into out, or a missing-value code. Returns
 * false after an error. *code is set to the kind of code found (NONE for a
 * number). */
static bool number_cell(struct values_sink *s, long line, const char *name, const char *cell,
                        char out[VALUES_NUMBER_MAX], double *v, enum values_code *code)
{
    *code = VALUES_CODE_NONE;
    out[0] = '\0';
    if (values_number(cell, s->decimal, out, v))
        return true;
    if (s->tabnet && strcmp(cell, "-") == 0) { /* TabNet: "-" is a true zero */
        strcpy(out, "0");
        *v = 0;
        return true;
    }
    *code = values_missing_code(cell);
    if (*code == VALUES_CODE_NONE) {
        values_error(s, line, name, "is not a number (nor a code such as NA, -, ND)");
        return false;
    }
    if (strlen(cell) > VALUES_CODE_MAX) {
        values_error(s, line, name, "is a code longer than 20 characters");
        return false;
    }
    return true;
}

static bool in_range(struct values_sink *s, long line, const char *name, double v)
{
    char msg[96];
    if (s->ind->has_min && v < s->ind->min) {
        snprintf(msg, sizeof msg, "is below the indicator's minimum of %g", s->ind->min);
        values_error(s, line, name, msg);
        return false;
    }
    if (s->ind->has_max && v > s->ind->max) {
        snprintf(msg, sizeof msg, "is above the indicator's maximum of %g", s->ind->max);
        values_error(s, line, name, msg);
        return false;
    }
    return true;
}

void values_take_row(struct values_sink *s, long line, const struct values_cells *c,
                     const struct values_names *n)
{
    long before = s->error_count;
    char code[8] = "";
    if (values_code_form(c->code, code) == VALUES_CODE_BAD)
        values_error(s, line, n->code, "is not a municipality code (6 or 7 digits)");
    const char *why = values_period_problem(s->ind->periodicity, s->ind->first_period, c->period);
    if (why)
        values_error(s, line, n->period, why);

    char value[VALUES_NUMBER_MAX] = "", num[VALUES_NUMBER_MAX] = "", den[VALUES_NUMBER_MAX] = "";
    double v = 0;
    enum values_code vcode = VALUES_CODE_NONE, ncode = VALUES_CODE_NONE, dcode = VALUES_CODE_NONE;
    const char *raw = NULL;
    if (c->value && number_cell(s, line, n->value, c->value, value, &v, &vcode)) {
        if (vcode == VALUES_CODE_NONE)
            in_range(s, line, n->value, v);
        else
            raw = c->value;
    }
    if (c->numerator && number_cell(s, line, n->numerator, c->numerator, num, &v, &ncode) &&
        ncode != VALUES_CODE_NONE && !raw)
        raw = c->numerator;
    if (c->denominator && number_cell(s, line, n->denominator, c->denominator, den, &v, &dcode)) {
        if (dcode != VALUES_CODE_NONE && !raw)
            raw = c->denominator;
        else if (dcode == VALUES_CODE_NONE && v < 0)
            values_error(s, line, n->denominator, "must not be negative");
    }
    /* The row's own status: a code in a value cell says it has none; a
     * status column may say so too (and suppressed). */
    const char *status = "ok";
    if (vcode == VALUES_CODE_SUPPRESSED || ncode == VALUES_CODE_SUPPRESSED ||
        dcode == VALUES_CODE_SUPPRESSED)
        status = "suppressed";
    else if (vcode != VALUES_CODE_NONE || ncode != VALUES_CODE_NONE || dcode != VALUES_CODE_NONE)
        status = "not_available";
    if (c->status && *c->status) {
        if (strcmp(c->status, "ok") == 0 || strcmp(c->status, "not_available") == 0 ||
            strcmp(c->status, "suppressed") == 0) {
            if (strcmp(c->status, "ok") != 0)
                status = c->status;
        } else {
            values_error(s, line, n->status, "must be ok, not_available or suppressed");
        }
    }
    if (raw && !*raw)
        raw = NULL; /* an empty cell: no value, and no code to keep */
    bool preliminary = false;
    if (c->preliminary && !values_boolean(c->preliminary, &preliminary))
        values_error(s, line, n->preliminary, "must be true or false");
    if (s->error_count > before || s->copy_failed)
        return;

    s->rows++;
    struct buf *b = &s->copy;
    buf_printf(b, "%ld\t%s\t", line, code);
    copy_text(b, c->period);
    buf_printf(b, "\t%s\t%s\t%s\t%s\t%s\t", value[0] ? value : "\\N", num[0] ? num : "\\N",
               den[0] ? den : "\\N", c->preliminary ? (preliminary ? "t" : "f") : "\\N", status);
    if (raw)
        copy_text(b, raw);
    else
        buf_puts(b, "\\N");
    buf_putc(b, '\n');
    if (b->len >= COPY_FLUSH_BYTES)
        values_flush(s);
}

bool values_flush(struct values_sink *s)
{
    if (s->copy_failed)
        return false;
    if (s->copy.len && s->pg && PQputCopyData(s->pg, s->copy.data, (int)s->copy.len) != 1)
        s->copy_failed = true;
    buf_reset(&s->copy);
    return !s->copy_failed;
}
