/*
 * RFC 4180 CSV reader and writer (see csv.h). The reader never modifies the
 * input: unquoted copies of a record's fields go to a scratch buffer owned by
 * the reader and reused from record to record.
 */
#include "csv/csv.h"

#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

void csv_reader_init(struct csv_reader *r, const char *buf, size_t len)
{
    r->p = buf;
    r->end = buf + len;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        r->p += 3;
    r->line = 1;
    r->scratch = NULL;
    r->scratch_cap = 0;
}

void csv_reader_free(struct csv_reader *r)
{
    free(r->scratch);
    r->scratch = NULL;
    r->scratch_cap = 0;
}

static void csv_scratch_put(struct csv_reader *r, size_t *len, char c)
{
    if (*len == r->scratch_cap) {
        size_t cap = r->scratch_cap ? r->scratch_cap * 2 : 256;
        char *s = realloc(r->scratch, cap);
        if (!s)
            abort(); /* as in core/buf: no sane way to go on without memory */
        r->scratch = s;
        r->scratch_cap = cap;
    }
    r->scratch[(*len)++] = c;
}

/* Length of the line end at p: LF, CRLF, or a CR that is the last byte of the
 * input; 0 when p is not at a line end. */
static size_t csv_newline_len(const char *p, const char *end)
{
    if (p == end)
        return 0;
    if (*p == '\n')
        return 1;
    if (*p == '\r')
        return p + 1 == end ? 1 : p[1] == '\n' ? 2 : 0;
    return 0;
}

/* True when only line ends remain, so that a trailing blank line (or several)
 * is not reported as a record with one empty field. */
static bool csv_only_newlines_left(const struct csv_reader *r)
{
    for (const char *q = r->p; q < r->end; q++)
        if (*q != '\r' && *q != '\n')
            return false;
    return true;
}

/* Errors leave r->p at the start of the record, so that calling again gives
 * the same error instead of resynchronising mid-record on garbage. */
enum csv_status csv_read(struct csv_reader *r, struct csv_record *rec, const char **error)
{
    const char *p = r->p, *end = r->end;
    size_t line = r->line;
    size_t offsets[CSV_MAX_FIELDS];
    size_t used = 0;

    rec->nfields = 0;
    rec->line = line;
    if (csv_only_newlines_left(r)) {
        r->p = end;
        return CSV_END;
    }

    for (;;) {
        if (rec->nfields == CSV_MAX_FIELDS) {
            *error = "too many fields";
            goto fail;
        }
        offsets[rec->nfields++] = used;

        if (p < end && *p == '"') {
            size_t open_line = line;
            p++;
            for (;;) {
                if (p == end) {
                    line = open_line; /* where the reader has to look */
                    *error = "unterminated quoted field";
                    goto fail;
                }
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        csv_scratch_put(r, &used, '"');
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (*p == '\0') {
                    *error = "NUL byte in field";
                    goto fail;
                }
                if (*p == '\n')
                    line++;
                csv_scratch_put(r, &used, *p++);
            }
            if (p < end && *p != ',' && !csv_newline_len(p, end)) {
                *error = "text after closing quote";
                goto fail;
            }
        } else {
            /* A lone CR or a stray quote inside an unquoted field is kept as
             * data: RFC 4180 forbids both, but refusing them helps nobody. */
            while (p < end && *p != ',' && !csv_newline_len(p, end)) {
                if (*p == '\0') {
                    *error = "NUL byte in field";
                    goto fail;
                }
                csv_scratch_put(r, &used, *p++);
            }
        }
        csv_scratch_put(r, &used, '\0');

        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end) {
            p += csv_newline_len(p, end);
            line++;
        }
        break;
    }

    /* Pointers are taken only now: the scratch may have moved while growing. */
    for (size_t i = 0; i < rec->nfields; i++)
        rec->fields[i] = r->scratch + offsets[i];
    r->p = p;
    r->line = line;
    return CSV_RECORD;

fail:
    rec->line = line;
    return CSV_ERROR;
}

void csv_write_field(struct buf *out, const char *field)
{
    if (!field)
        field = "";
    if (!strpbrk(field, ",\"\r\n")) {
        buf_puts(out, field);
        return;
    }
    buf_putc(out, '"');
    for (const char *c = field; *c; c++) {
        if (*c == '"')
            buf_putc(out, '"');
        buf_putc(out, *c);
    }
    buf_putc(out, '"');
}

/* A decimal number as PostgreSQL prints one: [+-]digits[.digits][e[+-]digits]. */
static bool is_plain_number(const char *s)
{
    const char *p = s + (*s == '+' || *s == '-');
    size_t digits = strspn(p, "0123456789");
    if (!digits)
        return false;
    p += digits;
    if (*p == '.') {
        size_t frac = strspn(p + 1, "0123456789");
        if (!frac)
            return false;
        p += 1 + frac;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        p += (*p == '+' || *p == '-');
        size_t exp = strspn(p, "0123456789");
        if (!exp)
            return false;
        p += exp;
    }
    return *p == '\0';
}

void csv_write_cell(struct buf *out, const char *field)
{
    if (!field || !strchr("=+-@\t\r", field[0]) || field[0] == '\0' || is_plain_number(field)) {
        csv_write_field(out, field);
        return;
    }
    struct buf quoted = {0};
    buf_putc(&quoted, '\'');
    buf_puts(&quoted, field);
    csv_write_field(out, buf_cstr(&quoted));
    buf_free(&quoted);
}

void csv_end_record(struct buf *out) { buf_puts(out, "\r\n"); }
