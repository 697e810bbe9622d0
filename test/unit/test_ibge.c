/*
 * Unit tests for lib/validate/ibge, including the whole official list
 * (data/ibge-municipios.csv.gz, decompressed by cmake into PACTO_DATA_DIR).
 */
#include "suites.h"

#include "validate/ibge.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

START_TEST(accepts_codes_with_right_check_digit)
{
    ck_assert(ibge_code_is_valid("3550308")); /* São Paulo */
    ck_assert(ibge_code_is_valid("2304400")); /* Fortaleza */
    ck_assert(ibge_code_is_valid("5300108")); /* Brasília */
    ck_assert(ibge_code_is_valid("1100015")); /* Alta Floresta D'Oeste */
    ck_assert(!ibge_code_is_known_exception("3550308"));
}
END_TEST

START_TEST(refuses_wrong_check_digit)
{
    ck_assert(!ibge_code_is_valid("3550307"));
    ck_assert(!ibge_code_is_valid("2304401"));
}
END_TEST

START_TEST(refuses_bad_shapes_and_states)
{
    const char *bad[] = {
        "",         "355030",  "35503080", "355030a",
        " 3550308", "35-5030", "1000009", /* right check digit, but UF 10 does not exist */
        "3400009",                        /* nor 34 */
        "9900002",  "0000000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!ibge_code_is_valid(bad[i]), "accepted \"%s\"", bad[i]);
    ck_assert(!ibge_code_is_valid(NULL));
}
END_TEST

START_TEST(accepts_the_nine_exceptions)
{
    const char *exc[] = {"2201919", "2201988", "2202251", "2611533", "3117836",
                         "3152131", "4305871", "5203939", "5203962"};
    for (size_t i = 0; i < sizeof exc / sizeof exc[0]; i++) {
        ck_assert_msg(ibge_code_is_known_exception(exc[i]), "%s", exc[i]);
        ck_assert_msg(ibge_code_is_valid(exc[i]), "%s", exc[i]);
    }
    /* A neighbour of an exception gets no free pass. */
    ck_assert(!ibge_code_is_known_exception("2201918"));
    ck_assert(!ibge_code_is_known_exception("22019190"));
}
END_TEST

START_TEST(maps_uf_to_region)
{
    ck_assert_str_eq(ibge_region_of_uf(11), "norte");
    ck_assert_str_eq(ibge_region_of_uf(17), "norte");
    ck_assert_str_eq(ibge_region_of_uf(29), "nordeste");
    ck_assert_str_eq(ibge_region_of_uf(35), "sudeste");
    ck_assert_str_eq(ibge_region_of_uf(43), "sul");
    ck_assert_str_eq(ibge_region_of_uf(53), "centro_oeste");
    ck_assert_ptr_null(ibge_region_of_uf(0));
    ck_assert_ptr_null(ibge_region_of_uf(10));
    ck_assert_ptr_null(ibge_region_of_uf(34));
    ck_assert_ptr_null(ibge_region_of_uf(54));
    ck_assert_ptr_null(ibge_region_of_uf(-11));
}
END_TEST

START_TEST(accepts_the_whole_official_list)
{
    const char *path = PACTO_DATA_DIR "/ibge-municipios.csv";
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s: %s (made by cmake)", path, strerror(errno));
    char line[512];
    int rows = 0, exceptions = 0;
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f)); /* header */
    ck_assert(strncmp(line, "codigo_ibge,", 12) == 0);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, ",\r\n")] = '\0';
        if (!line[0])
            continue;
        rows++;
        ck_assert_msg(ibge_code_is_valid(line), "official code %s refused", line);
        exceptions += ibge_code_is_known_exception(line);
    }
    fclose(f);
    ck_assert_int_eq(rows, 5570);
    ck_assert_int_eq(exceptions, 9);
}
END_TEST

Suite *ibge_suite(void)
{
    Suite *s = suite_create("ibge");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, accepts_codes_with_right_check_digit);
    tcase_add_test(tc, refuses_wrong_check_digit);
    tcase_add_test(tc, refuses_bad_shapes_and_states);
    tcase_add_test(tc, accepts_the_nine_exceptions);
    tcase_add_test(tc, maps_uf_to_region);
    tcase_add_test(tc, accepts_the_whole_official_list);
    suite_add_tcase(s, tc);
    return s;
}
