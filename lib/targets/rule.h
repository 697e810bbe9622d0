/*
 * The arithmetic of a suggested municipal target: from a
 * municipality's baseline, the state target and the rule stored with it, the
 * value the municipality is asked to reach. Pure: no I/O, no allocation, so
 * that every case is a unit test (test/unit/test_target_rule.c).
 */
#ifndef PACTO_TARGETS_RULE_H
#define PACTO_TARGETS_RULE_H

#include <stdbool.h>

enum target_rule_kind {
    TARGET_GAP_CLOSURE,          /* B + f * (S - B), f in (0, 1] */
    TARGET_RELATIVE_IMPROVEMENT, /* B * (1 +- p / 100), p in (0, 100] */
};

enum target_status {
    TARGET_SUGGESTED,     /* the rule applied */
    TARGET_KEPT_BASELINE, /* already at or past the state target: B, or B improved by m% */
    TARGET_NO_BASELINE,   /* no value to start from: no suggestion */
};

/* One state target and its rule, with the indicator's shape. */
struct target_rule {
    enum target_rule_kind kind;
    double rule_value;      /* f (gap closure) or p (relative improvement, percent) */
    double min_improvement; /* m, percent: what a municipality past S still improves; 0 keeps B */
    double state_target;    /* S */
    bool higher_is_better;  /* the indicator's polarity */
    int decimals;           /* the indicator's decimals, 0..6 */
    bool has_min, has_max;  /* the indicator's valid range, when it has one */
    double min_value, max_value;
};

struct target_suggestion {
    enum target_status status;
    double value; /* rounded and clamped; 0 when status is TARGET_NO_BASELINE */
};

/* The suggestion for a municipality whose baseline is `baseline` (ignored
 * when has_baseline is false: TARGET_NO_BASELINE). A municipality at or past
 * the state target (B >= S when higher is better, B <= S when lower is)
 * keeps its baseline, improved by min_improvement percent when that is not
 * 0, and is TARGET_KEPT_BASELINE either way, so the reason its target is not
 * the rule's stays visible. Relative improvement is not capped at S (it asks
 * the same effort of everyone); gap closure never passes S. The value is
 * rounded to `decimals` (half away from zero), then clamped to the range. */
struct target_suggestion target_suggest(const struct target_rule *r, bool has_baseline,
                                        double baseline);

/* v rounded to `decimals` places, halves away from zero, with the binary
 * representation's error of the last place forgiven (2.675 is 2.68). */
double target_round(double v, int decimals);

/* The status's name as stored and shown: "suggested", "kept_baseline",
 * "no_baseline". */
const char *target_status_name(enum target_status s);

#endif
