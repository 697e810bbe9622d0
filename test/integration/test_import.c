/*
 * Integration tests for the CSV imports of the IBGE lists (POST
 * /v1/states/import and /v1/municipalities/import): upsert counts on a first
 * and a second run, one audit event per created or changed row and none for
 * unchanged rows, all-or-nothing refusal of files with line-numbered errors,
 * content type and access checks, states before municipalities, and the real
 * official files from data/ (all 5,570 municipalities, including the nine
 * codes that break the check digit), read from the build's plain copies.
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MUNICIPALITIES_IMPORT "/v1/municipalities/import"
#define STATES_IMPORT         "/v1/states/import"
#define MUNICIPALITY_HEADER   "codigo_ibge,nome,latitude,longitude,capital,codigo_uf\n"
#define AGUA_CLARA_ROW        "5000203,Água Clara,-20.4452,-52.879,0,50\n"
#define ALCINOPOLIS_ROW       "5000252,Alcinópolis,-18.3255,-53.7042,0,50\n"
#define CG_ROW                "5002704,Campo Grande,-20.4486,-54.6295,1,50\n"
#define DATA_DIR              PACTO_DATA_DIR "/"
#define REAL_ROWS             5570

static struct http_response post_csv_as(const char *path, const char *token, const char *csv,
                                        const char *content_type)
{
    return http_do(&(struct http_request){
        .method = "POST", .path = path, .token = token, .body = csv, .content_type = content_type});
}

static struct http_response post_csv(const char *path, const char *csv)
{
    return post_csv_as(path, fixture_token(U_COORDINATION), csv, "text/csv");
}

static long json_long(const struct http_response *r, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->json, name);
    ck_assert_msg(cJSON_IsNumber(v), "%s missing in %s", name, buf_cstr(&r->body));
    return (long)v->valuedouble;
}

/* Posts the CSV as coordination, expects 200 with these counts, frees. */
static void import_ok(const char *path, const char *csv, long rows, long inserted, long updated,
                      long unchanged)
{
    struct http_response r = post_csv(path, csv);
    ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, buf_cstr(&r.body));
    ck_assert_int_eq(json_long(&r, "rows"), rows);
    ck_assert_int_eq(json_long(&r, "inserted"), inserted);
    ck_assert_int_eq(json_long(&r, "updated"), updated);
    ck_assert_int_eq(json_long(&r, "unchanged"), unchanged);
    http_response_free(&r);
}

/* Asserts that the import was refused with this status and problem type and
 * that no table changed, then frees the response. */
static void expect_refused(struct http_response *r, long status, const char *slug,
                           struct fixture_snapshot before)
{
    http_expect_problem(r, status, slug);
    http_response_free(r);
    fixture_assert_unchanged(before);
}

/* Posts a municipality CSV that must be refused whole with 422 and an error
 * for field (on line, unless 0); checks that nothing changed. */
static void import_refused(const char *csv, const char *field, long line)
{
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = post_csv(MUNICIPALITIES_IMPORT, csv);
    ck_assert_msg(fixture_names_error(&r, field, line), "no error for %s on line %ld: %s", field,
                  line, buf_cstr(&r.body));
    expect_refused(&r, 422, "validation-failed", before);
}

/* The file's contents, or NULL when it does not exist. */
static char *read_data_file(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", DATA_DIR, name);
    struct buf b = {0};
    if (!buf_read_file(&b, path))
        return NULL;
    char *s = strdup(buf_cstr(&b));
    buf_free(&b);
    return s;
}

START_TEST(upserts_and_audits_only_changes)
{
    const char *first = MUNICIPALITY_HEADER AGUA_CLARA_ROW ALCINOPOLIS_ROW CG_ROW;
    import_ok(MUNICIPALITIES_IMPORT, first, 3, 2, 0, 1);
    ck_assert_int_eq(fixture_count("municipalities"), 5);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE action = 'create'"
                                  " AND entity = 'municipality' AND before IS NULL"
                                  " AND entity_id IN ('5000203', '5000252')"),
                     2);
    ck_assert_int_eq(fixture_count("audit_events"), 2);

    import_ok(MUNICIPALITIES_IMPORT, first, 3, 0, 0, 3);
    ck_assert_int_eq(fixture_count("audit_events"), 2);

    const char *renamed = MUNICIPALITY_HEADER AGUA_CLARA_ROW
        "5000252,Alcinópolis do Norte,-18.3255,-53.7042,0,50\n" CG_ROW;
    import_ok(MUNICIPALITIES_IMPORT, renamed, 3, 0, 1, 2);
    ck_assert_int_eq(fixture_count("audit_events"), 3);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE action = 'update'"
                                  " AND entity_id = '5000252'"
                                  " AND before->>'name' = 'Alcinópolis'"
                                  " AND after->>'name' = 'Alcinópolis do Norte'"),
                     1);
    /* The file has no mayor data: the registered mayor stays. */
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM municipalities WHERE ibge_code = '" CG
                                  "' AND mayor_cpf = '" CG_MAYOR_CPF "' AND capital"),
                     1);
}
END_TEST

START_TEST(refuses_whole_file_with_line_numbered_errors)
{
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r =
        post_csv(MUNICIPALITIES_IMPORT, MUNICIPALITY_HEADER AGUA_CLARA_ROW
                 "5000204,Check Digit Errado,-20.1,-52.1,0,50\n" ALCINOPOLIS_ROW
                 "3304557,Rio de Janeiro,-22.9129,-43.2003,1,33\n");
    ck_assert_msg(fixture_names_error(&r, "codigo_ibge", 3), "%s", buf_cstr(&r.body));
    ck_assert_msg(fixture_names_error(&r, "codigo_uf", 5), "%s", buf_cstr(&r.body));
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "errors")), 2);
    expect_refused(&r, 422, "validation-failed", before); /* lines 2 and 4 not written either */
}
END_TEST

START_TEST(refuses_malformed_files)
{
    static const struct {
        const char *csv, *field;
        long line;
    } cases[] = {
        {MUNICIPALITY_HEADER AGUA_CLARA_ROW ALCINOPOLIS_ROW AGUA_CLARA_ROW, "codigo_ibge", 0},
        {"codigo_ibge,nome,latitude,longitude,codigo_uf\n5000203,Água Clara,-20.4,-52.8,50\n",
         "header", 1},
        {"", "header", 1},
        {MUNICIPALITY_HEADER, "line", 0},
        {MUNICIPALITY_HEADER "5000203,Água Clara,-91,-52.879,0,50\n", "latitude", 2},
        {MUNICIPALITY_HEADER "5000203,Água Clara,-20.4452,-52.879,2,50\n", "capital", 2},
        {MUNICIPALITY_HEADER "5000203,Água Clara,-20.4452,-52.879,0,35\n", "codigo_uf", 2},
        /* Not UTF-8 (Latin-1 "ó"), in a stored column or in an ignored one. */
        {MUNICIPALITY_HEADER AGUA_CLARA_ROW "5000252,Alcin\xf3polis,-18.3255,-53.7042,0,50\n",
         "line", 3},
        {"codigo_ibge,nome,latitude,longitude,capital,codigo_uf,ddd\n"
         "5000203,Água Clara,-20.4452,-52.879,0,50,67\n"
         "5000252,Alcinópolis,-18.3255,-53.7042,0,50,6\xff\n",
         "line", 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        import_refused(cases[i].csv, cases[i].field, cases[i].line);
}
END_TEST

START_TEST(refuses_other_content_types)
{
    static const char *const types[] = {"application/json", "text/plain",
                                        "multipart/form-data; boundary=x"};
    struct fixture_snapshot before = fixture_snapshot();
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        struct http_response r = post_csv_as(MUNICIPALITIES_IMPORT, fixture_token(U_COORDINATION),
                                             MUNICIPALITY_HEADER AGUA_CLARA_ROW, types[i]);
        expect_refused(&r, 415, "unsupported-media-type", before);
        r = post_csv_as(STATES_IMPORT, fixture_token(U_COORDINATION),
                        "codigo_uf,uf,nome\n33,RJ,Rio de Janeiro\n", types[i]);
        expect_refused(&r, 415, "unsupported-media-type", before);
    }
}
END_TEST

START_TEST(imports_are_for_coordination_only)
{
    static const char *const paths[] = {MUNICIPALITIES_IMPORT, STATES_IMPORT};
    static const char *const bodies[] = {MUNICIPALITY_HEADER AGUA_CLARA_ROW,
                                         "codigo_uf,uf,nome\n33,RJ,Rio de Janeiro\n"};
    struct fixture_snapshot before = fixture_snapshot();
    for (size_t i = 0; i < 2; i++) {
        struct http_response r =
            post_csv_as(paths[i], fixture_token(U_HEALTH), bodies[i], "text/csv");
        expect_refused(&r, 403, "forbidden", before);
        r = post_csv_as(paths[i], fixture_token(U_MAYOR_CG), bodies[i], "text/csv");
        expect_refused(&r, 403, "forbidden", before);
        r = post_csv_as(paths[i], NULL, bodies[i], "text/csv");
        ck_assert_ptr_nonnull(http_header(&r, "WWW-Authenticate"));
        expect_refused(&r, 401, "unauthenticated", before);
    }
}
END_TEST

START_TEST(municipalities_need_their_state_imported_first)
{
    fixture_exec("DELETE FROM municipalities WHERE state_code = 35");
    fixture_exec("DELETE FROM states WHERE code = 35");
    const char *sp = MUNICIPALITY_HEADER "3550308,São Paulo,-23.5329,-46.6395,1,35\n";
    import_refused(sp, "codigo_uf", 2);

    import_ok(STATES_IMPORT,
              "codigo_uf,uf,nome,latitude,longitude\n35,SP,São Paulo,-22.19,-48.79\n"
              "50,MS,Mato Grosso do Sul,-20.51,-54.54\n",
              2, 1, 0, 1);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE action = 'create'"
                                  " AND entity = 'state' AND entity_id = '35'"
                                  " AND after->>'region' = 'sudeste'"),
                     1);
    ck_assert_int_eq(fixture_count("audit_events"), 1);

    import_ok(MUNICIPALITIES_IMPORT, sp, 1, 1, 0, 0);
    ck_assert_int_eq(
        fixture_long("SELECT count(*) FROM municipalities WHERE ibge_code = '" SAO_PAULO
                     "' AND state_code = 35"),
        1);
}
END_TEST

START_TEST(imports_the_official_lists_whole)
{
    char *states = read_data_file("ibge-estados.csv");
    char *municipalities = read_data_file("ibge-municipios.csv");
    ck_assert_msg(states && municipalities, "%sibge-*.csv not readable (made by cmake)", DATA_DIR);
    long existing_states = fixture_count("states");
    import_ok(STATES_IMPORT, states, 27, 27 - existing_states, 0, existing_states);

    /* The fixture's municipalities are in the file; they count as updated
     * only where the fixture's data differs from IBGE's. */
    long existing = fixture_count("municipalities");
    long audit_before = fixture_count("audit_events");
    struct http_response r = post_csv(MUNICIPALITIES_IMPORT, municipalities);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, buf_cstr(&r.body));
    long updated = json_long(&r, "updated");
    ck_assert_int_eq(json_long(&r, "rows"), REAL_ROWS);
    ck_assert_int_eq(json_long(&r, "inserted"), REAL_ROWS - existing);
    ck_assert_int_eq(json_long(&r, "unchanged"), existing - updated);
    http_response_free(&r);
    ck_assert_int_eq(fixture_count("municipalities"), REAL_ROWS);
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM municipalities WHERE ibge_code IN"
                                  " ('2201919', '2201988', '2202251', '2611533', '3117836',"
                                  "  '3152131', '4305871', '5203939', '5203962')"),
                     9);
    ck_assert_int_eq(fixture_count("audit_events"), audit_before + REAL_ROWS - existing + updated);

    long audit_after = fixture_count("audit_events");
    import_ok(MUNICIPALITIES_IMPORT, municipalities, REAL_ROWS, 0, 0, REAL_ROWS);
    import_ok(STATES_IMPORT, states, 27, 0, 0, 27);
    ck_assert_int_eq(fixture_count("audit_events"), audit_after);
    free(states);
    free(municipalities);
}
END_TEST

Suite *import_suite(void)
{
    Suite *s = suite_create("import");
    TCase *tc = tcase_create("import");
    tcase_add_checked_fixture(tc, fixture_reset, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, upserts_and_audits_only_changes);
    tcase_add_test(tc, refuses_whole_file_with_line_numbered_errors);
    tcase_add_test(tc, refuses_malformed_files);
    tcase_add_test(tc, refuses_other_content_types);
    tcase_add_test(tc, imports_are_for_coordination_only);
    tcase_add_test(tc, municipalities_need_their_state_imported_first);
    tcase_add_test(tc, imports_the_official_lists_whole);
    suite_add_tcase(s, tc);
    return s;
}
