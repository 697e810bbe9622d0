/*
 * Delivery evidence, through HTTP: Campo Grande, whose health plan is
 * pacted, shows what it did for a delivery — a description and a PDF (a PNG
 * renamed as PDF is refused); the health secretariat rejects it with a
 * reason, the municipality submits again, the evidence is accepted and
 * locked, and the delivery is done. The same file uploaded twice is stored
 * once. Dourados and anonymous callers cannot read or download it, the
 * education secretariat cannot review it, and every refusal leaves the
 * database as it was.
 *
 * The pacted plan and its deliveries are seeded by SQL as the plan's
 * editing, review and pact leave them (sql/019-023).
 */
#include "suites.h"

#include "client.h"
#include "fixture.h"
#include "plans_support.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ANONYMOUS (-1)

/* A small PDF with a NUL and high bytes inside: stored and served byte for
 * byte. */
static const char PDF[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n\0\xff%%EOF\n";
#define PDF_LEN (sizeof PDF - 1)
static const char PNG[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
#define PNG_LEN (sizeof PNG - 1)

static struct {
    long delivery, delivery_dourados;
    char evidence_of_delivery[64];
} w;

/* A cycle of MS, CG's adhesion and pacted health plan with one action and
 * its delivery (due in 30 days), and Dourados' approved (not pacted) plan
 * with a delivery. */
static void seed_world(void)
{
    long cycle = fixture_long(
        "INSERT INTO cycles (name, state_code, adhesion_opens_at, adhesion_closes_at,"
        " pact_opens_at, pact_closes_at, target_year, commitments) VALUES ('Ciclo 2027', 50,"
        " now() - interval '40 days', now() - interval '30 days', now() - interval '20 days',"
        " now() - interval '10 days', 2027, '[\"Pactuar metas\"]') RETURNING id");
    long tmi, vac;
    long challenge = plans_seed_challenge(cycle, &tmi, &vac);
    const char *muni[] = {CG, DOURADOS};
    const char *mayor[] = {fixture_user_id(U_MAYOR_CG), fixture_user_id(U_MAYOR_DOURADOS)};
    const char *status[] = {"pacted", "approved"};
    long delivery[2];
    for (int i = 0; i < 2; i++) {
        long adhesion = fixture_longf(
            "INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
            " VALUES (%ld, '%s', 'MS-2026-90000%d', %s, '[\"Pactuar metas\"]') RETURNING id",
            cycle, muni[i], i + 1, mayor[i]);
        long plan = fixture_longf(
            "INSERT INTO action_plans (challenge_id, cycle_id, municipality_id, adhesion_id,"
            " status, summary, versions, created_by, submitted_at, approved_at)"
            " VALUES (%ld, %ld, '%s', %ld, '%s', 'Plano', 1, %s, now() - interval '15 days',"
            " now() - interval '14 days') RETURNING id",
            challenge, cycle, muni[i], adhesion, status[i], mayor[i]);
        delivery[i] = fixture_longf(
            "WITH a AS (INSERT INTO plan_actions (plan_id, position, title)"
            "           VALUES (%ld, 0, 'Busca ativa de gestantes') RETURNING id)"
            " INSERT INTO plan_deliveries (action_id, plan_id, position, title, due_date)"
            " SELECT a.id, %ld, 0, 'Gestantes cadastradas', current_date + 30 FROM a"
            " RETURNING id",
            plan, plan);
    }
    w.delivery = delivery[0];
    w.delivery_dourados = delivery[1];
    snprintf(w.evidence_of_delivery, sizeof w.evidence_of_delivery, "/v1/deliveries/%ld/evidence",
             w.delivery);
}

static void setup(void)
{
    fixture_reset();
    seed_world();
}

static const char *token_of(int user)
{
    return user == ANONYMOUS ? NULL : fixture_token((enum fixture_user)user);
}

static long id_of(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
    return (long)v->valuedouble;
}

static struct http_response post(int user, const char *path, const char *json)
{
    return http_do(&(struct http_request){
        .method = "POST", .path = path, .token = token_of(user), .body = json});
}

static struct http_response upload(int user, long evidence, const char *type, const char *bytes,
                                   size_t len)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/evidence/%ld/files", evidence);
    return http_do(&(struct http_request){.method = "POST",
                                          .path = path,
                                          .token = token_of(user),
                                          .content_type = type,
                                          .body = bytes,
                                          .body_len = len});
}

/* Submits evidence of the delivery as CG's representative; its id. */
static long submit(const char *json)
{
    struct http_response r = post(U_REP_CG, w.evidence_of_delivery, json);
    ck_assert_msg(r.status == 201, "submit: %ld %s", r.status, buf_cstr(&r.body));
    long id = id_of(r.json, "id");
    char location[64];
    snprintf(location, sizeof location, "/v1/evidence/%ld", id);
    ck_assert_str_eq(http_header(&r, "Location"), location);
    ck_assert_str_eq(http_json_string(&r, "status"), "submitted");
    http_response_free(&r);
    return id;
}

/* Uploads the PDF to the evidence; the file's id. */
static long upload_pdf(long evidence)
{
    struct http_response r = upload(U_REP_CG, evidence, "application/pdf", PDF, PDF_LEN);
    ck_assert_msg(r.status == 201, "upload: %ld %s", r.status, buf_cstr(&r.body));
    long id = id_of(r.json, "id");
    ck_assert_int_eq(id_of(r.json, "size_bytes"), (long)PDF_LEN);
    ck_assert_str_eq(http_json_string(&r, "content_type"), "application/pdf");
    http_response_free(&r);
    return id;
}

static void sha256_hex(const char *data, size_t len, char out[65])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(data, len, d, &n, EVP_sha256(), NULL);
    for (unsigned int i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void review(int user, long evidence, const char *action, const char *json, long status,
                   const char *slug)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/evidence/%ld/%s", evidence, action);
    struct http_response r = post(user, path, json);
    if (slug)
        http_expect_problem(&r, status, slug);
    else
        ck_assert_msg(r.status == status, "%s: %ld %s", path, r.status, buf_cstr(&r.body));
    http_response_free(&r);
}

static char *delivery_status(void)
{
    static char out[16];
    char id[24];
    snprintf(id, sizeof id, "%ld", w.delivery);
    PGresult *r = PQexecParams(fixture_db(),
                               "SELECT delivery_status(d) FROM plan_deliveries d WHERE d.id = $1",
                               1, NULL, (const char *[]){id}, NULL, NULL, 0);
    ck_assert(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1);
    snprintf(out, sizeof out, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return out;
}

START_TEST(the_municipality_shows_a_delivery_done_and_the_secretariat_reviews_it)
{
    /* Submitted with a description and a link, then a PDF attached. */
    long first = submit("{\"description\":\"Cadastro de 120 gestantes.\\nLista anexa.\","
                        "\"link\":\"https://campogrande.ms.gov.br/saude/gestantes\"}");
    ck_assert_str_eq(delivery_status(), "submitted");
    long file = upload_pdf(first);

    /* A PNG renamed as PDF is refused, and nothing changes. */
    struct fixture_snapshot before = fixture_snapshot();
    struct http_response r = upload(U_REP_CG, first, "application/pdf", PNG, PNG_LEN);
    http_expect_problem(&r, 422, "file-type-mismatch");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    /* Health rejects it with a reason: the delivery is rejected, and the
     * evidence shows the review with the reviewer's name. */
    review(U_HEALTH, first, "reject", "{}", 422, "validation-failed");
    review(U_HEALTH, first, "reject", "{\"reason\":\"A lista não tem as assinaturas.\"}", 200,
           NULL);
    ck_assert_str_eq(delivery_status(), "rejected");
    char path[96];
    snprintf(path, sizeof path, "/v1/evidence/%ld", first);
    r = http_get(path, fixture_token(U_REP_CG));
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_json_string(&r, "status"), "rejected");
    const cJSON *rev = cJSON_GetObjectItemCaseSensitive(r.json, "review");
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rev, "reason")),
                     "A lista não tem as assinaturas.");
    ck_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(rev, "reviewer_name")));
    http_response_free(&r);

    /* The municipality submits again, with the same file: stored once. */
    long second = submit("{\"description\":\"Lista assinada.\"}");
    ck_assert_int_eq(upload_pdf(second), file);
    ck_assert_int_eq(fixture_count("evidence_files"), 1);
    ck_assert_int_eq(fixture_count("evidence_attachments"), 2);

    /* The coordination may review as well as health: accepted, done. */
    review(U_COORDINATION, second, "accept", NULL, 200, NULL);
    ck_assert_str_eq(delivery_status(), "done");

    /* Accepted evidence is locked: no review, no file, no new evidence. */
    before = fixture_snapshot();
    review(U_HEALTH, second, "accept", "{}", 409, "invalid-transition");
    review(U_HEALTH, second, "reject", "{\"reason\":\"Tarde demais\"}", 409, "invalid-transition");
    r = upload(U_REP_CG, second, "image/png", PNG, PNG_LEN);
    http_expect_problem(&r, 409, "invalid-transition");
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "accepted"));
    http_response_free(&r);
    r = post(U_MAYOR_CG, w.evidence_of_delivery, "{\"description\":\"Outra\"}");
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    fixture_assert_unchanged(before);

    /* Every evidence of the delivery, newest first, with its files. */
    r = http_get(w.evidence_of_delivery, fixture_token(U_EDUCATION));
    ck_assert_int_eq(r.status, 200);
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(r.json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 2);
    ck_assert_int_eq(id_of(cJSON_GetArrayItem(items, 0), "id"), second);
    ck_assert_int_eq(id_of(cJSON_GetArrayItem(items, 1), "id"), first);
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(items, 0), "files");
    ck_assert_int_eq(cJSON_GetArraySize(files), 1);
    char sha[65];
    sha256_hex(PDF, PDF_LEN, sha);
    ck_assert_str_eq(cJSON_GetStringValue(
                         cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(files, 0), "sha256")),
                     sha);
    http_response_free(&r);

    /* One audit event per change: two submissions, two uploads, two
     * reviews. */
    ck_assert_int_eq(fixture_long("SELECT count(*) FROM audit_events WHERE entity = 'evidence'"),
                     6);
}
END_TEST

START_TEST(the_file_is_served_to_the_municipality_and_the_state_only)
{
    long evidence = submit("{\"description\":\"Relatório\"}");
    long file = upload_pdf(evidence);
    char path[96], sha[65], tag[70], disposition[96];
    snprintf(path, sizeof path, "/v1/evidence/%ld/files/%ld", evidence, file);
    sha256_hex(PDF, PDF_LEN, sha);
    snprintf(tag, sizeof tag, "\"%s\"", sha);
    snprintf(disposition, sizeof disposition, "attachment; filename=\"evidence-%ld-%ld.pdf\"",
             evidence, file);
    const int readers[] = {U_REP_CG, U_MAYOR_CG, U_HEALTH, U_EDUCATION, U_COORDINATION};
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
        struct http_response r = http_get(path, fixture_token(readers[i]));
        ck_assert_msg(r.status == 200, "reader %zu: %ld", i, r.status);
        ck_assert_uint_eq(r.body.len, PDF_LEN);
        ck_assert(memcmp(r.body.data, PDF, PDF_LEN) == 0);
        ck_assert_str_eq(http_header(&r, "Content-Type"), "application/pdf");
        ck_assert_str_eq(http_header(&r, "Content-Disposition"), disposition);
        ck_assert_str_eq(http_header(&r, "X-Content-Type-Options"), "nosniff");
        ck_assert_str_eq(http_header(&r, "ETag"), tag);
        http_response_free(&r);
    }
    char inm[96];
    snprintf(inm, sizeof inm, "If-None-Match: %s", tag);
    struct http_response r =
        http_do(&(struct http_request){.method = "GET",
                                       .path = path,
                                       .token = fixture_token(U_HEALTH),
                                       .headers = (const char *[]){inm, NULL}});
    ck_assert_int_eq(r.status, 304);
    ck_assert_str_eq(http_header(&r, "ETag"), tag);
    http_response_free(&r);

    /* Dourados knows of none of it; anonymous callers must log in. */
    char evidence_path[64];
    snprintf(evidence_path, sizeof evidence_path, "/v1/evidence/%ld", evidence);
    const char *paths[] = {path, evidence_path, w.evidence_of_delivery};
    for (size_t i = 0; i < 3; i++) {
        r = http_get(paths[i], fixture_token(U_MAYOR_DOURADOS));
        http_expect_problem(&r, 404, "not-found");
        http_response_free(&r);
        r = http_get(paths[i], NULL);
        http_expect_problem(&r, 401, "unauthenticated");
        http_response_free(&r);
    }
    /* A file not attached to this evidence is not found there. */
    snprintf(path, sizeof path, "/v1/evidence/%ld/files/%ld", evidence + 1, file);
    r = http_get(path, fixture_token(U_HEALTH));
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
}
END_TEST

/* A Content-Length over PACTO_EVIDENCE_MAX_BYTES (10 MiB) is refused once
 * the caller is known, before a byte of the body is read (none is sent). */
START_TEST(a_file_over_the_limit_is_refused_before_it_is_read)
{
    long evidence = submit("{\"description\":\"Relatório\"}");
    struct fixture_snapshot before = fixture_snapshot();
    char path[64];
    snprintf(path, sizeof path, "/v1/evidence/%ld/files", evidence);
    http_expect_too_large_unread(path, fixture_token(U_REP_CG), "application/pdf", 10485761);
    fixture_assert_unchanged(before);
}
END_TEST

/* A client that asks before it sends a large body (Expect: 100-continue, as
 * curl does past 1 MiB) is told to go on once the file is wanted, and the
 * file is stored. */
START_TEST(a_client_that_expects_100_continue_is_told_to_send_the_file)
{
    long evidence = submit("{\"description\":\"Relatório\"}");
    int fd = http_raw_connect();
    char head[2048];
    int n = snprintf(head, sizeof head,
                     "POST /v1/evidence/%ld/files HTTP/1.1\r\nHost: test\r\n"
                     "Authorization: Bearer %s\r\nContent-Type: application/pdf\r\n"
                     "Expect: 100-continue\r\nContent-Length: %zu\r\n\r\n",
                     evidence, fixture_token(U_REP_CG), PDF_LEN);
    ck_assert(n > 0 && (size_t)n < sizeof head);
    ck_assert_int_eq(write(fd, head, (size_t)n), n);
    char answer[2048] = {0};
    ssize_t got = read(fd, answer, sizeof answer - 1);
    ck_assert_msg(got >= 25 && strncmp(answer, "HTTP/1.1 100 Continue\r\n\r\n", 25) == 0, "%s",
                  answer);
    ck_assert_int_eq(write(fd, PDF, PDF_LEN), (ssize_t)PDF_LEN);
    /* the final answer, after the 100 (in the same read or the next) */
    char *final = got > 25 ? answer + 25 : answer;
    if (got == 25)
        ck_assert(read(fd, answer, sizeof answer - 1) > 12);
    close(fd);
    ck_assert_msg(strncmp(final, "HTTP/1.1 201", 12) == 0, "%s", final);
    ck_assert_int_eq(fixture_count("evidence_files"), 1);
}
END_TEST

START_TEST(bad_evidence_and_bad_files_change_nothing)
{
    long evidence = submit("{\"description\":\"Relatório\"}");
    upload_pdf(evidence);
    struct fixture_snapshot before = fixture_snapshot();
    static const struct {
        const char *json;
        const char *mention;
    } bodies[] = {
        {"{\"description\":\"Outra\",\"link\":\"http://campogrande.ms.gov.br\"}", "link"},
        {"{\"description\":\"Outra\",\"link\":\"https://\"}", "link"},
        {"{\"description\":\"Outra\",\"link\":\"ftp://x.br/a\"}", "link"},
        {"{\"link\":\"https://campogrande.ms.gov.br\"}", "description"},
        {"{\"description\":\"Outra\",\"status\":\"accepted\"}", "status"},
    };
    /* Validation answers before the standing evidence's conflict would. */
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct http_response r = post(U_REP_CG, w.evidence_of_delivery, bodies[i].json);
        http_expect_problem(&r, 422, "validation-failed");
        ck_assert_msg(strstr(buf_cstr(&r.body), bodies[i].mention), "%s", buf_cstr(&r.body));
        http_response_free(&r);
    }
    /* Files: an empty one, another type, the same file twice, bytes of
     * another type, and another municipality's evidence. */
    struct http_response r = upload(U_REP_CG, evidence, "application/pdf", "", 0);
    http_expect_problem(&r, 422, "validation-failed");
    http_response_free(&r);
    r = upload(U_REP_CG, evidence, "text/plain", "%PDF-1.4", 8);
    http_expect_problem(&r, 415, "unsupported-media-type");
    http_response_free(&r);
    r = upload(U_REP_CG, evidence, "application/pdf", PDF, PDF_LEN);
    http_expect_problem(&r, 409, "conflict");
    http_response_free(&r);
    r = upload(U_REP_CG, evidence, "image/jpeg", PNG, PNG_LEN);
    http_expect_problem(&r, 422, "file-type-mismatch");
    http_response_free(&r);
    r = upload(U_MAYOR_DOURADOS, evidence, "application/pdf", PDF, PDF_LEN);
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    r = upload(U_HEALTH, evidence, "application/pdf", PDF, PDF_LEN);
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = upload(ANONYMOUS, evidence, "application/pdf", PDF, PDF_LEN);
    http_expect_problem(&r, 401, "unauthenticated");
    http_response_free(&r);
    /* Another municipality's delivery; a plan not pacted. */
    r = post(U_MAYOR_DOURADOS, w.evidence_of_delivery, "{\"description\":\"Nossa\"}");
    http_expect_problem(&r, 404, "not-found");
    http_response_free(&r);
    char path[64];
    snprintf(path, sizeof path, "/v1/deliveries/%ld/evidence", w.delivery_dourados);
    r = post(U_MAYOR_DOURADOS, path, "{\"description\":\"Nossa\"}");
    http_expect_problem(&r, 409, "invalid-transition");
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "approved"));
    http_response_free(&r);
    /* Reviews: another area names the challenge's; municipalities do not
     * review; a reason too long. */
    snprintf(path, sizeof path, "/v1/evidence/%ld/accept", evidence);
    r = post(U_EDUCATION, path, "{}");
    http_expect_problem(&r, 403, "forbidden");
    ck_assert_ptr_nonnull(strstr(buf_cstr(&r.body), "health"));
    http_response_free(&r);
    r = post(U_MAYOR_CG, path, "{}");
    http_expect_problem(&r, 403, "forbidden");
    http_response_free(&r);
    r = post(U_HEALTH, path, "{\"reason\":\"Não cabe\"}");
    http_expect_problem(&r, 422, "validation-failed");
    http_response_free(&r);
    char *long_reason = malloc(2100);
    memset(long_reason, 'a', 2100);
    memcpy(long_reason, "{\"reason\":\"", 11);
    memcpy(long_reason + 2097, "\"}", 3);
    snprintf(path, sizeof path, "/v1/evidence/%ld/reject", evidence);
    r = post(U_HEALTH, path, long_reason);
    free(long_reason);
    http_expect_problem(&r, 422, "validation-failed");
    http_response_free(&r);
    fixture_assert_unchanged(before);
}
END_TEST

Suite *evidence_suite(void)
{
    Suite *s = suite_create("evidence");
    TCase *tc = tcase_create("evidence");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, the_municipality_shows_a_delivery_done_and_the_secretariat_reviews_it);
    tcase_add_test(tc, the_file_is_served_to_the_municipality_and_the_state_only);
    tcase_add_test(tc, a_file_over_the_limit_is_refused_before_it_is_read);
    tcase_add_test(tc, a_client_that_expects_100_continue_is_told_to_send_the_file);
    tcase_add_test(tc, bad_evidence_and_bad_files_change_nothing);
    suite_add_tcase(s, tc);
    return s;
}
