/*
 * Unit tests for lib/targets/rule: the suggested municipal target for both
 * polarities and both rules, a municipality already past the state target
 * (with and without a minimum improvement), rounding, clamping to the valid
 * range, and no baseline.
 */
#include "suites.h"

#include "targets/rule.h"

/* Infant mortality per 1,000 live births: lower is better, one decimal,
 * never below 0. State target 10. */
static const struct target_rule MORTALITY_HALF_GAP = {.kind = TARGET_GAP_CLOSURE,
                                                      .rule_value = 0.5,
                                                      .state_target = 10,
                                                      .higher_is_better = false,
                                                      .decimals = 1,
                                                      .has_min = true,
                                                      .min_value = 0};

/* IDEB: higher is better, one decimal, 0 to 10. State target 6. */
static const struct target_rule IDEB_HALF_GAP = {.kind = TARGET_GAP_CLOSURE,
                                                 .rule_value = 0.5,
                                                 .state_target = 6,
                                                 .higher_is_better = true,
                                                 .decimals = 1,
                                                 .has_min = true,
                                                 .min_value = 0,
                                                 .has_max = true,
                                                 .max_value = 10};

static void expect(struct target_suggestion s, enum target_status status, double value)
{
    ck_assert_str_eq(target_status_name(s.status), target_status_name(status));
    ck_assert_double_eq_tol(s.value, value, 1e-9);
}

START_TEST(gap_closure_lowers_a_rate_half_way_to_the_state_target)
{
    /* 18 deaths per 1,000: half of the gap of 8 is 4. */
    expect(target_suggest(&MORTALITY_HALF_GAP, true, 18), TARGET_SUGGESTED, 14);
    /* 10.9 -> 10.45 -> 10.5 (half away from zero). */
    expect(target_suggest(&MORTALITY_HALF_GAP, true, 10.9), TARGET_SUGGESTED, 10.5);
}
END_TEST

START_TEST(gap_closure_raises_a_score_half_way_to_the_state_target)
{
    expect(target_suggest(&IDEB_HALF_GAP, true, 4.2), TARGET_SUGGESTED, 5.1);
    /* 5.05 -> 5.525 -> 5.5 (one decimal) */
    expect(target_suggest(&IDEB_HALF_GAP, true, 5.05), TARGET_SUGGESTED, 5.5);
}
END_TEST

START_TEST(gap_closure_of_one_reaches_the_state_target)
{
    struct target_rule r = IDEB_HALF_GAP;
    r.rule_value = 1;
    expect(target_suggest(&r, true, 3.7), TARGET_SUGGESTED, 6);
    r = MORTALITY_HALF_GAP;
    r.rule_value = 1;
    expect(target_suggest(&r, true, 31.4), TARGET_SUGGESTED, 10);
}
END_TEST

START_TEST(relative_improvement_follows_the_polarity)
{
    struct target_rule up = IDEB_HALF_GAP, down = MORTALITY_HALF_GAP;
    up.kind = down.kind = TARGET_RELATIVE_IMPROVEMENT;
    up.rule_value = down.rule_value = 10;
    expect(target_suggest(&up, true, 5), TARGET_SUGGESTED, 5.5);
    expect(target_suggest(&down, true, 20), TARGET_SUGGESTED, 18);
    /* Not capped at the state target: 5.8 + 10% = 6.38 -> 6.4 > 6. */
    expect(target_suggest(&up, true, 5.8), TARGET_SUGGESTED, 6.4);
}
END_TEST

START_TEST(a_tiny_relative_improvement_may_round_back_to_the_baseline)
{
    struct target_rule r = IDEB_HALF_GAP;
    r.kind = TARGET_RELATIVE_IMPROVEMENT;
    r.rule_value = 0.01; /* 4.0 * 1.0001 = 4.0004 -> 4.0 */
    expect(target_suggest(&r, true, 4), TARGET_SUGGESTED, 4);
    r.decimals = 4;
    expect(target_suggest(&r, true, 4), TARGET_SUGGESTED, 4.0004);
}
END_TEST

START_TEST(a_municipality_past_the_state_target_keeps_its_baseline)
{
    /* Lower is better: 7.3 is already under 10; at the target counts as past. */
    expect(target_suggest(&MORTALITY_HALF_GAP, true, 7.3), TARGET_KEPT_BASELINE, 7.3);
    expect(target_suggest(&MORTALITY_HALF_GAP, true, 10), TARGET_KEPT_BASELINE, 10);
    /* Higher is better: 6.8 is already over 6; the baseline is rounded too. */
    expect(target_suggest(&IDEB_HALF_GAP, true, 6.84), TARGET_KEPT_BASELINE, 6.8);
    expect(target_suggest(&IDEB_HALF_GAP, true, 6), TARGET_KEPT_BASELINE, 6);
}
END_TEST

START_TEST(a_municipality_past_the_state_target_improves_by_the_minimum)
{
    struct target_rule up = IDEB_HALF_GAP, down = MORTALITY_HALF_GAP;
    up.min_improvement = down.min_improvement = 5;
    expect(target_suggest(&up, true, 7), TARGET_KEPT_BASELINE, 7.4);   /* 7.35 -> 7.4 */
    expect(target_suggest(&down, true, 8), TARGET_KEPT_BASELINE, 7.6); /* 8 * 0.95 */
    /* Below the state target the rule applies, not the minimum. */
    expect(target_suggest(&up, true, 4), TARGET_SUGGESTED, 5);
}
END_TEST

START_TEST(the_suggestion_is_clamped_to_the_valid_range)
{
    /* IDEB is capped at 10: 9.8 + 5% = 10.29. */
    struct target_rule r = IDEB_HALF_GAP;
    r.min_improvement = 5;
    expect(target_suggest(&r, true, 9.8), TARGET_KEPT_BASELINE, 10);
    r.kind = TARGET_RELATIVE_IMPROVEMENT;
    r.rule_value = 100;
    expect(target_suggest(&r, true, 5.5), TARGET_SUGGESTED, 10);
    /* A rate is floored at 0: 100% lower than 12 is 0, and 0 is past any target. */
    struct target_rule rate = MORTALITY_HALF_GAP;
    rate.kind = TARGET_RELATIVE_IMPROVEMENT;
    rate.rule_value = 100;
    expect(target_suggest(&rate, true, 12), TARGET_SUGGESTED, 0);
    rate.state_target = -1; /* a target under the floor still leaves 0 */
    rate.kind = TARGET_GAP_CLOSURE;
    rate.rule_value = 1;
    expect(target_suggest(&rate, true, 3), TARGET_SUGGESTED, 0);
}
END_TEST

START_TEST(no_baseline_is_no_suggestion)
{
    expect(target_suggest(&MORTALITY_HALF_GAP, false, 0), TARGET_NO_BASELINE, 0);
    expect(target_suggest(&IDEB_HALF_GAP, false, 123), TARGET_NO_BASELINE, 0);
}
END_TEST

START_TEST(rounds_halves_away_from_zero)
{
    ck_assert_double_eq(target_round(2.675, 2), 2.68); /* stored as 2.67499999... */
    ck_assert_double_eq(target_round(1.005, 2), 1.01);
    ck_assert_double_eq(target_round(-2.5, 0), -3);
    ck_assert_double_eq(target_round(2.5, 0), 3);
    ck_assert_double_eq(target_round(0.125, 2), 0.13);
    ck_assert_double_eq(target_round(12.344, 2), 12.34);
    ck_assert_double_eq(target_round(7, 0), 7);
    ck_assert_double_eq(target_round(1.23456789, 6), 1.234568);
    ck_assert_double_eq(target_round(-0.04, 1), 0); /* never -0 */
}
END_TEST

Suite *target_rule_suite(void)
{
    Suite *s = suite_create("target_rule");
    TCase *tc = tcase_create("suggest");
    tcase_add_test(tc, gap_closure_lowers_a_rate_half_way_to_the_state_target);
    tcase_add_test(tc, gap_closure_raises_a_score_half_way_to_the_state_target);
    tcase_add_test(tc, gap_closure_of_one_reaches_the_state_target);
    tcase_add_test(tc, relative_improvement_follows_the_polarity);
    tcase_add_test(tc, a_tiny_relative_improvement_may_round_back_to_the_baseline);
    tcase_add_test(tc, a_municipality_past_the_state_target_keeps_its_baseline);
    tcase_add_test(tc, a_municipality_past_the_state_target_improves_by_the_minimum);
    tcase_add_test(tc, the_suggestion_is_clamped_to_the_valid_range);
    tcase_add_test(tc, no_baseline_is_no_suggestion);
    tcase_add_test(tc, rounds_halves_away_from_zero);
    suite_add_tcase(s, tc);
    return s;
}
