/*
 * Unit tests for lib/csv: the RFC 4180 cases that break naive readers, error
 * lines, and writer quoting.
 */
#include "suites.h"

#include "core/buf.h"
#include "csv/csv.h"

#include <string.h>

/* Reads the next record of r and checks it has the expected fields. */
static void expect_record(struct csv_reader *r, size_t line, size_t n, const char *const *want)
{
    struct csv_record rec;
    const char *err = NULL;
    ck_assert_int_eq(csv_read(r, &rec, &err), CSV_RECORD);
    ck_assert_uint_eq(rec.line, line);
    ck_assert_uint_eq(rec.nfields, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(rec.fields[i], want[i]);
}

static void expect_end(struct csv_reader *r)
{
    struct csv_record rec;
    const char *err = NULL;
    ck_assert_int_eq(csv_read(r, &rec, &err), CSV_END);
}

static void expect_error(const char *in, size_t line, const char *msg)
{
    struct csv_reader r;
    struct csv_record rec;
    const char *err = NULL;
    csv_reader_init(&r, in, strlen(in));
    enum csv_status st;
    while ((st = csv_read(&r, &rec, &err)) == CSV_RECORD)
        ;
    ck_assert_int_eq(st, CSV_ERROR);
    ck_assert_str_eq(err, msg);
    ck_assert_uint_eq(rec.line, line);
    /* The reader stays on the bad record rather than skipping past it. */
    ck_assert_int_eq(csv_read(&r, &rec, &err), CSV_ERROR);
    csv_reader_free(&r);
}

START_TEST(reads_simple_records)
{
    const char *in = "a,b,c\r\n1,,3\n";
    struct csv_reader r;
    csv_reader_init(&r, in, strlen(in));
    expect_record(&r, 1, 3, (const char *[]){"a", "b", "c"});
    expect_record(&r, 2, 3, (const char *[]){"1", "", "3"});
    expect_end(&r);
    expect_end(&r);
    csv_reader_free(&r);
}
END_TEST

START_TEST(reads_quoted_fields)
{
    const char *in = "\"x, y\",\"say \"\"hi\"\"\",\"\"\n"
                     "\"two\r\nlines\",\"and\nthree\nlines\",z\n"
                     "last,line\n";
    struct csv_reader r;
    csv_reader_init(&r, in, strlen(in));
    expect_record(&r, 1, 3, (const char *[]){"x, y", "say \"hi\"", ""});
    expect_record(&r, 2, 3, (const char *[]){"two\r\nlines", "and\nthree\nlines", "z"});
    /* The record above spans lines 2-5. */
    expect_record(&r, 6, 2, (const char *[]){"last", "line"});
    expect_end(&r);
    csv_reader_free(&r);
}
END_TEST

START_TEST(skips_bom_and_reads_last_record_without_newline)
{
    const char *in = "\xEF\xBB\xBFnome,uf\nSão Paulo,35";
    struct csv_reader r;
    csv_reader_init(&r, in, strlen(in));
    expect_record(&r, 1, 2, (const char *[]){"nome", "uf"});
    expect_record(&r, 2, 2, (const char *[]){"São Paulo", "35"});
    expect_end(&r);
    csv_reader_free(&r);

    in = "a,\"b\"";
    csv_reader_init(&r, in, strlen(in));
    expect_record(&r, 1, 2, (const char *[]){"a", "b"});
    expect_end(&r);
    csv_reader_free(&r);
}
END_TEST

START_TEST(ignores_blank_lines_at_the_end_only)
{
    const char *in = "a\n\nb\r\n\r\n\n";
    struct csv_reader r;
    csv_reader_init(&r, in, strlen(in));
    expect_record(&r, 1, 1, (const char *[]){"a"});
    expect_record(&r, 2, 1, (const char *[]){""});
    expect_record(&r, 3, 1, (const char *[]){"b"});
    expect_end(&r);
    csv_reader_free(&r);

    csv_reader_init(&r, "", 0);
    expect_end(&r);
    csv_reader_free(&r);
    csv_reader_init(&r, "\xEF\xBB\xBF", 3);
    expect_end(&r);
    csv_reader_free(&r);
}
END_TEST

START_TEST(keeps_fields_valid_across_scratch_growth)
{
    /* One record far larger than the first scratch allocation. */
    static char in[4 * 1000 + 8];
    size_t n = 0;
    for (int f = 0; f < 4; f++) {
        memset(in + n, 'a' + f, 999);
        n += 999;
        in[n++] = f < 3 ? ',' : '\n';
    }
    struct csv_reader r;
    struct csv_record rec;
    const char *err = NULL;
    csv_reader_init(&r, in, n);
    ck_assert_int_eq(csv_read(&r, &rec, &err), CSV_RECORD);
    ck_assert_uint_eq(rec.nfields, 4);
    for (int f = 0; f < 4; f++) {
        ck_assert_uint_eq(strlen(rec.fields[f]), 999);
        ck_assert_int_eq(rec.fields[f][998], 'a' + f);
    }
    csv_reader_free(&r);
}
END_TEST

START_TEST(reports_errors_with_lines)
{
    expect_error("a,b\n\"open\nstill open\n", 2, "unterminated quoted field");
    expect_error("a\n\"multi\nline\"x,b\n", 3, "text after closing quote");
    expect_error("a\n\"q\" ,b\n", 2, "text after closing quote");

    char many[CSV_MAX_FIELDS * 2 + 8];
    size_t n = 0;
    memcpy(many, "h\n", 2);
    n = 2;
    for (int i = 0; i <= CSV_MAX_FIELDS; i++) {
        many[n++] = 'x';
        many[n++] = i < CSV_MAX_FIELDS ? ',' : '\n';
    }
    many[n] = '\0';
    expect_error(many, 2, "too many fields");

    struct csv_reader r;
    struct csv_record rec;
    const char *err = NULL;
    static const char nul_in[] = "ok\nx\0y\n";
    csv_reader_init(&r, nul_in, sizeof nul_in - 1);
    ck_assert_int_eq(csv_read(&r, &rec, &err), CSV_RECORD);
    ck_assert_int_eq(csv_read(&r, &rec, &err), CSV_ERROR);
    ck_assert_str_eq(err, "NUL byte in field");
    ck_assert_uint_eq(rec.line, 2);
    csv_reader_free(&r);
}
END_TEST

START_TEST(accepts_exactly_max_fields)
{
    char in[CSV_MAX_FIELDS * 2 + 1];
    size_t n = 0;
    for (int i = 0; i < CSV_MAX_FIELDS; i++) {
        in[n++] = 'x';
        in[n++] = i < CSV_MAX_FIELDS - 1 ? ',' : '\n';
    }
    struct csv_reader r;
    struct csv_record rec;
    const char *err = NULL;
    csv_reader_init(&r, in, n);
    ck_assert_int_eq(csv_read(&r, &rec, &err), CSV_RECORD);
    ck_assert_uint_eq(rec.nfields, CSV_MAX_FIELDS);
    csv_reader_free(&r);
}
END_TEST

/* Writes one record the way callers do: fields separated by ','. */
static void write_record(struct buf *b, size_t n, const char *const *fields)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(b, ',');
        csv_write_field(b, fields[i]);
    }
    csv_end_record(b);
}

START_TEST(writer_quotes_only_when_needed)
{
    const char *first[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", "=1+1", ""};
    const char *second[] = {"", "x", NULL};
    struct buf b = {0};
    write_record(&b, 7, first);
    write_record(&b, 3, second);
    ck_assert_str_eq(buf_cstr(&b),
                     "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",=1+1,\r\n"
                     ",x,\r\n");

    /* What the writer produces, the reader gives back. */
    struct csv_reader r;
    csv_reader_init(&r, b.data, b.len);
    expect_record(&r, 1, 7, first);
    expect_record(&r, 3, 3, (const char *[]){"", "x", ""});
    expect_end(&r);
    csv_reader_free(&r);
    buf_free(&b);
}
END_TEST

START_TEST(published_cells_never_run_as_formulas)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""},
        {"+55 67 3314-0000", "'+55 67 3314-0000"},
        {"-2+3", "'-2+3"},
        {"@SUM(A1)", "'@SUM(A1)"},
        {"\tlead", "'\tlead"},
        {"\rlead", "\"'\rlead\""},
        {"-20.4486", "-20.4486"},
        {"+1", "+1"},
        {"-1.5e-3", "-1.5e-3"},
        {"-", "'-"},
        {"-.5", "'-.5"},
        {"São Paulo", "São Paulo"},
        {"a=b", "a=b"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf b = {0};
        csv_write_cell(&b, cases[i].in);
        ck_assert_msg(strcmp(buf_cstr(&b), cases[i].out) == 0, "%s gave %s", cases[i].in,
                      buf_cstr(&b));
        buf_free(&b);
    }
    struct buf b = {0};
    csv_write_cell(&b, NULL);
    ck_assert_str_eq(buf_cstr(&b), "");
    buf_free(&b);
}
END_TEST

Suite *csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, reads_simple_records);
    tcase_add_test(tc, reads_quoted_fields);
    tcase_add_test(tc, skips_bom_and_reads_last_record_without_newline);
    tcase_add_test(tc, ignores_blank_lines_at_the_end_only);
    tcase_add_test(tc, keeps_fields_valid_across_scratch_growth);
    tcase_add_test(tc, reports_errors_with_lines);
    tcase_add_test(tc, accepts_exactly_max_fields);
    tcase_add_test(tc, writer_quotes_only_when_needed);
    tcase_add_test(tc, published_cells_never_run_as_formulas);
    suite_add_tcase(s, tc);
    return s;
}
