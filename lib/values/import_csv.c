/*
 * The CSV side of a values import: the body read in pieces as it arrives
 * (never whole), converted from ISO-8859-1 when asked, split into records
 * by the chosen delimiter (RFC 4180 quoting, CRLF or LF), the header mapped
 * to the columns the query names, and each data line handed to the sink.
 * Memory stays bounded by the longest line, whatever the file's size.
 *
 * TabNet (format=tabnet): the title lines above the header are skipped (the
 * header is the first line with the municipality column), the "Total" row
 * is skipped, and the first line after the data that does not start with a
 * municipality code ("Fonte:", "Legenda:", a blank line) ends the table.
 */
#include "values/import.h"

#include "json/json_strict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_PIECE     (64 * 1024)
#define MAX_RECORD     (1024 * 1024)
#define MAX_CSV_FIELDS 256

struct reader {
    struct request *req;
    EVP_MD_CTX *sha;
    bool latin1, eof, started;
    char delim;
    struct buf in; /* bytes not yet parsed start at pos */
    size_t pos;
    long line; /* of the next record */
    struct buf cells;
    size_t offsets[MAX_CSV_FIELDS];
    size_t nfields;
    long rec_line;
    char *piece; /* READ_PIECE bytes: worker threads' stacks are small */
};

enum rec_status { REC_OK, REC_END, REC_MORE, REC_ERROR };

/* Reads the next piece of the body into r->in. False when reading failed. */
static bool fill(struct reader *r)
{
    if (r->pos > 0) { /* drop what was parsed */
        memmove(r->in.data, r->in.data + r->pos, r->in.len - r->pos);
        r->in.len -= r->pos;
        r->pos = 0;
    }
    char *piece = r->piece;
    long n = req_stream_read(r->req, piece, READ_PIECE);
    if (n < 0)
        return false;
    if (n == 0) {
        r->eof = true;
        return true;
    }
    EVP_DigestUpdate(r->sha, piece, (size_t)n);
    if (r->latin1)
        values_latin1_to_utf8(piece, (size_t)n, &r->in);
    else
        buf_append(&r->in, piece, (size_t)n);
    return true;
}

/* Parses one record from r->in at pos: REC_MORE when it is not all there
 * yet (and the body has more), REC_END at the end of the body. */
static enum rec_status parse(struct reader *r, const char **err)
{
    const char *start = r->in.data ? r->in.data + r->pos : "";
    const char *p = start, *end = start + (r->in.len - r->pos);
    if (!r->started && !r->latin1) {
        if (end - p < 3 && !r->eof)
            return REC_MORE;
        if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
            start = p += 3; /* a UTF-8 BOM */
    }
    if (p == end)
        return r->eof ? REC_END : REC_MORE;
    buf_reset(&r->cells);
    r->nfields = 0;
    r->offsets[0] = 0;
    long lines = 0;
    bool quoted = false, field_started = false;
    for (;;) {
        if (p == end) {
            if (!r->eof)
                return REC_MORE;
            if (quoted) {
                *err = "has a quoted field that never ends";
                return REC_ERROR;
            }
            break;
        }
        char c = *p;
        if (quoted) {
            if (c == '"') {
                if (p + 1 == end && !r->eof)
                    return REC_MORE;
                if (p + 1 < end && p[1] == '"') {
                    buf_putc(&r->cells, '"');
                    p += 2;
                } else {
                    quoted = false;
                    p++;
                }
                continue;
            }
            if (c == '\n')
                lines++;
            buf_putc(&r->cells, c);
            p++;
            continue;
        }
        if (c == '\n') {
            p++;
            lines++;
            break;
        }
        if (c == '\r' && (p + 1 < end ? p[1] == '\n' : !r->eof)) {
            if (p + 1 == end)
                return REC_MORE;
            p++;
            continue;
        }
        if (c == r->delim) {
            buf_putc(&r->cells, '\0');
            if (++r->nfields == MAX_CSV_FIELDS) {
                *err = "has more than 256 fields";
                return REC_ERROR;
            }
            r->offsets[r->nfields] = r->cells.len;
            field_started = false;
            p++;
            continue;
        }
        if (c == '"' && !field_started) {
            quoted = field_started = true;
            p++;
            continue;
        }
        field_started = true;
        buf_putc(&r->cells, c);
        p++;
    }
    buf_putc(&r->cells, '\0');
    r->nfields++;
    r->started = true;
    r->rec_line = r->line;
    r->line += lines ? lines : 1;
    bool utf8 = json_utf8_valid(start, (size_t)(p - start));
    r->pos += (size_t)(p - (r->in.data + r->pos));
    if (!utf8) {
        *err = "is not valid UTF-8 (send encoding=iso-8859-1 for a Latin-1 file)";
        return REC_ERROR;
    }
    return REC_OK;
}

/* The next record (REC_OK, REC_END or REC_ERROR); REC_ERROR with *err NULL
 * when reading the body failed (answered). */
static enum rec_status next_record(struct reader *r, const char **err)
{
    for (;;) {
        *err = NULL;
        enum rec_status st = parse(r, err);
        if (st != REC_MORE)
            return st;
        if (r->in.len - r->pos > MAX_RECORD) {
            *err = "is longer than 1 MiB";
            r->rec_line = r->line;
            return REC_ERROR;
        }
        if (!fill(r))
            return REC_ERROR;
    }
}

static char *field(struct reader *r, size_t i) { return r->cells.data + r->offsets[i]; }

static bool blank(struct reader *r) { return r->nfields == 1 && !*values_trim(field(r, 0)); }

/* The index of the header column named name, or -1. */
static int column(struct reader *r, const char *name)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (strcmp(values_trim(field(r, i)), name) == 0)
            return (int)i;
    return -1;
}

enum { C_CODE, C_PERIOD, C_VALUE, C_NUM, C_DEN, C_STATUS, C_PRELIM, C_KEEP, C_COUNT };

/* Maps the header to the columns named by the options; a missing one is an
 * error on the header's line. */
static void map_header(struct reader *r, const struct values_options *o, struct values_sink *s,
                       const char *names[C_COUNT], int idx[C_COUNT])
{
    names[C_CODE] = o->municipality_column;
    names[C_PERIOD] = o->period ? NULL : o->period_column;
    names[C_VALUE] = o->value_column;
    names[C_NUM] = o->numerator_column;
    names[C_DEN] = o->denominator_column;
    names[C_STATUS] = o->status_column;
    names[C_PRELIM] = o->preliminary_column;
    names[C_KEEP] = o->keep_column;
    for (int c = 0; c < C_COUNT; c++) {
        idx[c] = names[c] ? column(r, names[c]) : -1;
        if (names[c] && idx[c] < 0) {
            char msg[160];
            snprintf(msg, sizeof msg, "the header has no column \"%.100s\"", names[c]);
            values_error(s, r->rec_line, names[c], msg);
        }
    }
}

bool values_read_csv(struct request *req, const struct values_options *o, struct values_sink *s,
                     EVP_MD_CTX *sha)
{
    struct reader r = {.req = req,
                       .sha = sha,
                       .latin1 = o->latin1,
                       .delim = o->delimiter,
                       .line = 1,
                       .piece = malloc(READ_PIECE)};
    if (!r.piece)
        abort();
    const char *names[C_COUNT];
    int idx[C_COUNT];
    size_t width = 0;
    bool header = false, footer = false, ok = true;
    const char *err;
    enum rec_status st;
    while ((st = next_record(&r, &err)) == REC_OK) {
        if (footer || blank(&r)) {
            footer = footer || (header && o->tabnet);
            continue;
        }
        if (!header) {
            if (o->tabnet && column(&r, o->municipality_column) < 0)
                continue; /* a title line */
            header = true;
            width = r.nfields;
            map_header(&r, o, s, names, idx);
            if (s->error_count)
                break;
            continue;
        }
        if (o->tabnet) {
            enum values_tabnet_line kind = values_tabnet_classify(values_trim(field(&r, 0)));
            if (kind == VALUES_TABNET_TOTAL)
                continue;
            if (kind == VALUES_TABNET_FOOTER) {
                footer = true;
                continue;
            }
        }
        if (r.nfields != width) {
            char msg[96];
            snprintf(msg, sizeof msg, "has %zu fields; the header has %zu", r.nfields, width);
            values_error(s, r.rec_line, "line", msg);
            continue;
        }
        if (idx[C_KEEP] >= 0 &&
            strcmp(values_trim(field(&r, (size_t)idx[C_KEEP])), o->keep_value) != 0)
            continue;
        const char *cell[C_COUNT];
        for (int c = 0; c < C_COUNT; c++)
            cell[c] = idx[c] >= 0 ? values_trim(field(&r, (size_t)idx[c])) : NULL;
        struct values_cells cells = {
            .code = cell[C_CODE],
            .period = o->period ? o->period : cell[C_PERIOD],
            .value = cell[C_VALUE],
            .numerator = cell[C_NUM],
            .denominator = cell[C_DEN],
            .status = cell[C_STATUS],
            .preliminary = o->preliminary ? "true" : cell[C_PRELIM],
        };
        struct values_names nm = {names[C_CODE],
                                  o->period ? "period" : names[C_PERIOD],
                                  names[C_VALUE],
                                  names[C_NUM],
                                  names[C_DEN],
                                  names[C_STATUS],
                                  o->preliminary ? "preliminary" : names[C_PRELIM]};
        values_take_row(s, r.rec_line, &cells, &nm);
    }
    if (st == REC_ERROR) {
        if (!err)
            ok = false; /* the body could not be read: answered */
        else
            values_error(s, r.rec_line, "line", err);
    }
    /* Read to the end, so the digest is the whole body's (and the
     * connection stays usable), even after an error. */
    while (ok && !r.eof) {
        r.pos = r.in.len;
        ok = fill(&r);
    }
    if (ok && !header && !s->error_count)
        values_error(s, 1, "header",
                     o->tabnet ? "the file has no line with the municipality column"
                               : "the file is empty");
    buf_free(&r.in);
    buf_free(&r.cells);
    free(r.piece);
    return ok;
}
