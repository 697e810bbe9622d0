/*
 * Unit tests for lib/focalization/rank.c: competition ranks with the worst
 * first, percentiles, ties at the cut all in, worst N% as ceil, thresholds
 * by polarity, no data and small denominators never ranked, the any/all
 * verdict and its reason.
 */
#include "suites.h"

#include "focalization/rank.h"

#include <string.h>

/* n values, every one present, no denominators. */
static void values(struct focal_value *v, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (struct focal_value){.has_value = true, .value = x[i]};
}

START_TEST(lower_is_better_ranks_the_highest_first_with_shared_ranks)
{
    struct focal_value v[4];
    values(v, (double[]){10, 20, 20, 5}, 4);
    struct focal_rule rule = {.kind = FOCAL_WORST_COUNT, .value = 1, .lower_is_better = true};
    ck_assert_uint_eq(focal_rank(&rule, v, 4), 4);
    /* 20, 20 share rank 1; 10 is third, not second; 5 is last. */
    ck_assert_int_eq(v[1].rank, 1);
    ck_assert_int_eq(v[2].rank, 1);
    ck_assert_int_eq(v[0].rank, 3);
    ck_assert_int_eq(v[3].rank, 4);
    /* At least as bad: the two 20s are 2 of 4, 10 is 3 of 4, 5 all. */
    ck_assert_double_eq_tol(v[1].percentile, 50, 1e-9);
    ck_assert_double_eq_tol(v[0].percentile, 75, 1e-9);
    ck_assert_double_eq_tol(v[3].percentile, 100, 1e-9);
    /* The worst one is a tie of two: both are in. */
    ck_assert_int_eq(v[1].status, FOCAL_CRITICAL);
    ck_assert_int_eq(v[2].status, FOCAL_CRITICAL);
    ck_assert_int_eq(v[0].status, FOCAL_NOT_CRITICAL);
    ck_assert_int_eq(v[3].status, FOCAL_NOT_CRITICAL);
}
END_TEST

START_TEST(ties_at_the_cut_are_all_in)
{
    /* Worst 2 of 30, 20, 20, 5 (lower is better): 30, then the cut falls
     * inside the tie of 20s, so three are critical. */
    struct focal_value v[4];
    values(v, (double[]){30, 20, 20, 5}, 4);
    struct focal_rule rule = {.kind = FOCAL_WORST_COUNT, .value = 2, .lower_is_better = true};
    focal_rank(&rule, v, 4);
    ck_assert_int_eq(v[0].status, FOCAL_CRITICAL);
    ck_assert_int_eq(v[1].status, FOCAL_CRITICAL);
    ck_assert_int_eq(v[2].status, FOCAL_CRITICAL);
    ck_assert_int_eq(v[3].status, FOCAL_NOT_CRITICAL);
    ck_assert_int_eq(v[1].rank, 2);
    ck_assert_int_eq(v[2].rank, 2);
}
END_TEST

START_TEST(higher_is_better_ranks_the_lowest_first)
{
    struct focal_value v[4];
    values(v, (double[]){4.1, 6.0, 3.2, 5.5}, 4);
    struct focal_rule rule = {.kind = FOCAL_WORST_COUNT, .value = 2, .lower_is_better = false};
    focal_rank(&rule, v, 4);
    ck_assert_int_eq(v[2].rank, 1);
    ck_assert_int_eq(v[0].rank, 2);
    ck_assert_int_eq(v[1].rank, 4);
    ck_assert_int_eq(v[2].status, FOCAL_CRITICAL);
    ck_assert_int_eq(v[0].status, FOCAL_CRITICAL);
    ck_assert_int_eq(v[3].status, FOCAL_NOT_CRITICAL);
    ck_assert_double_eq_tol(v[2].percentile, 25, 1e-9);
}
END_TEST

START_TEST(worst_percent_takes_the_ceiling_of_the_share)
{
    /* 10% of 645 is 64.5: 65 municipalities. */
    struct focal_value v[645];
    for (int i = 0; i < 645; i++)
        v[i] = (struct focal_value){.has_value = true, .value = i};
    struct focal_rule rule = {.kind = FOCAL_WORST_PERCENT, .value = 10, .lower_is_better = true};
    focal_rank(&rule, v, 645);
    int critical = 0;
    for (int i = 0; i < 645; i++)
        critical += v[i].status == FOCAL_CRITICAL;
    ck_assert_int_eq(critical, 65);
    ck_assert_int_eq(v[644].rank, 1);
    ck_assert_double_eq_tol(v[644].percentile, 0.16, 1e-9);
    ck_assert_int_eq(v[580].status, FOCAL_CRITICAL);     /* rank 65 */
    ck_assert_int_eq(v[579].status, FOCAL_NOT_CRITICAL); /* rank 66 */

    /* 10% of 640 is exactly 64, not 65. */
    focal_rank(&rule, v, 640);
    critical = 0;
    for (int i = 0; i < 640; i++)
        critical += v[i].status == FOCAL_CRITICAL;
    ck_assert_int_eq(critical, 64);

    /* A share smaller than one municipality still takes one. */
    rule.value = 0.1;
    focal_rank(&rule, v, 10);
    ck_assert_int_eq(v[9].status, FOCAL_CRITICAL);
    ck_assert_int_eq(v[8].status, FOCAL_NOT_CRITICAL);
}
END_TEST

START_TEST(a_threshold_is_polarity_aware_and_inclusive)
{
    struct focal_value v[3];
    values(v, (double[]){19.9, 20, 25}, 3);
    struct focal_rule rule = {.kind = FOCAL_THRESHOLD, .value = 20, .lower_is_better = true};
    focal_rank(&rule, v, 3);
    ck_assert_int_eq(v[0].status, FOCAL_NOT_CRITICAL);
    ck_assert_int_eq(v[1].status, FOCAL_CRITICAL);
    ck_assert_int_eq(v[2].status, FOCAL_CRITICAL);
    rule.lower_is_better = false;
    focal_rank(&rule, v, 3);
    ck_assert_int_eq(v[0].status, FOCAL_CRITICAL);
    ck_assert_int_eq(v[1].status, FOCAL_CRITICAL);
    ck_assert_int_eq(v[2].status, FOCAL_NOT_CRITICAL);
    ck_assert_int_eq(v[0].rank, 1); /* ranks are kept: the lowest is the worst */
}
END_TEST

START_TEST(no_data_and_small_denominators_are_not_ranked)
{
    struct focal_value v[4] = {
        {.has_value = true, .value = 40, .has_denominator = true, .denominator = 12},
        {.has_value = false},
        {.has_value = true, .value = 15, .has_denominator = true, .denominator = 900},
        {.has_value = true, .value = 10},
    };
    struct focal_rule rule = {.kind = FOCAL_WORST_COUNT,
                              .value = 1,
                              .lower_is_better = true,
                              .has_min_denominator = true,
                              .min_denominator = 50};
    ck_assert_uint_eq(focal_rank(&rule, v, 4), 1);
    ck_assert_int_eq(v[0].status, FOCAL_SMALL_DENOMINATOR); /* the worst value, but 12 births */
    ck_assert_int_eq(v[0].rank, 0);
    ck_assert_int_eq(v[1].status, FOCAL_NO_DATA);
    ck_assert_int_eq(v[2].status, FOCAL_CRITICAL);
    ck_assert_int_eq(v[2].rank, 1);
    ck_assert_double_eq_tol(v[2].percentile, 100, 1e-9);
    ck_assert_int_eq(v[3].status, FOCAL_SMALL_DENOMINATOR); /* nothing to judge it by */

    /* Nothing ranked: nothing critical, no division by zero. */
    struct focal_value none = {.has_value = false};
    ck_assert_uint_eq(focal_rank(&rule, &none, 1), 0);
    ck_assert_int_eq(none.status, FOCAL_NO_DATA);
}
END_TEST

START_TEST(any_and_all_combine_and_no_data_is_never_a_verdict)
{
    const enum focal_status crit_not[] = {FOCAL_CRITICAL, FOCAL_NOT_CRITICAL};
    const enum focal_status crit_crit[] = {FOCAL_CRITICAL, FOCAL_CRITICAL};
    const enum focal_status crit_none[] = {FOCAL_CRITICAL, FOCAL_NO_DATA};
    const enum focal_status not_none[] = {FOCAL_NOT_CRITICAL, FOCAL_NO_DATA};
    const enum focal_status none_small[] = {FOCAL_NO_DATA, FOCAL_SMALL_DENOMINATOR};
    ck_assert_int_eq(focal_combine(false, crit_not, 2), FOCAL_VERDICT_FOCAL);
    ck_assert_int_eq(focal_combine(true, crit_not, 2), FOCAL_VERDICT_NOT_FOCAL);
    ck_assert_int_eq(focal_combine(true, crit_crit, 2), FOCAL_VERDICT_FOCAL);
    ck_assert_int_eq(focal_combine(false, crit_none, 2), FOCAL_VERDICT_FOCAL);
    ck_assert_int_eq(focal_combine(true, crit_none, 2), FOCAL_VERDICT_NO_DATA);
    ck_assert_int_eq(focal_combine(false, not_none, 2), FOCAL_VERDICT_NOT_FOCAL);
    ck_assert_int_eq(focal_combine(false, none_small, 2), FOCAL_VERDICT_NO_DATA);
    ck_assert_int_eq(focal_combine(true, none_small, 2), FOCAL_VERDICT_NO_DATA);
    ck_assert_int_eq(focal_combine(false, NULL, 0), FOCAL_VERDICT_NO_DATA);
}
END_TEST

START_TEST(the_reason_says_value_rank_and_rule)
{
    struct focal_indicator inds[2] = {
        {.code = "IDEB-AI",
         .decimals = 1,
         .period = "2019",
         .rule = {.kind = FOCAL_WORST_PERCENT, .value = 10},
         .ranked = 645},
        {.code = "MORT-INF",
         .decimals = 2,
         .period = "2022",
         .rule = {.kind = FOCAL_THRESHOLD, .value = 20, .lower_is_better = true}},
    };
    struct focal_value ideb = {
        .has_value = true, .value = 4.14, .status = FOCAL_CRITICAL, .rank = 12};
    struct focal_value mort = {.status = FOCAL_NO_DATA};
    const struct focal_value *vals[] = {&ideb, &mort};
    struct buf b = {0};
    focal_explain(&b, FOCAL_VERDICT_FOCAL, false, inds, vals, 2);
    ck_assert_str_eq(buf_cstr(&b),
                     "Focal: IDEB-AI 4.1 in 2019: rank 12 of 645, among the worst 10%");
    buf_reset(&b);
    focal_explain(&b, FOCAL_VERDICT_NO_DATA, true, inds, vals, 2);
    ck_assert_str_eq(buf_cstr(&b), "No data: IDEB-AI 4.1 in 2019: rank 12 of 645, among the "
                                   "worst 10%; MORT-INF: no value in 2022");
    buf_reset(&b);
    inds[1].ranked = 600;
    mort = (struct focal_value){
        .has_value = true, .value = 12.5, .status = FOCAL_NOT_CRITICAL, .rank = 90};
    focal_explain_value(&b, &inds[1], &mort);
    ck_assert_str_eq(buf_cstr(&b),
                     "MORT-INF 12.50 in 2022: rank 90 of 600, below the critical threshold 20");
    buf_reset(&b);
    inds[1].period = NULL;
    mort.status = FOCAL_NO_DATA;
    focal_explain_value(&b, &inds[1], &mort);
    ck_assert_str_eq(buf_cstr(&b), "MORT-INF: no period with data");
    buf_free(&b);
}
END_TEST

Suite *focal_rank_suite(void)
{
    Suite *s = suite_create("focal_rank");
    TCase *tc = tcase_create("focal_rank");
    tcase_add_test(tc, lower_is_better_ranks_the_highest_first_with_shared_ranks);
    tcase_add_test(tc, ties_at_the_cut_are_all_in);
    tcase_add_test(tc, higher_is_better_ranks_the_lowest_first);
    tcase_add_test(tc, worst_percent_takes_the_ceiling_of_the_share);
    tcase_add_test(tc, a_threshold_is_polarity_aware_and_inclusive);
    tcase_add_test(tc, no_data_and_small_denominators_are_not_ranked);
    tcase_add_test(tc, any_and_all_combine_and_no_data_is_never_a_verdict);
    tcase_add_test(tc, the_reason_says_value_rank_and_rule);
    suite_add_tcase(s, tc);
    return s;
}
