/*
 * The focalization rule's arithmetic, with no database: given the
 * municipalities' values on one indicator and its rule, which are ranked,
 * their rank and percentile, and which the rule marks critical; then, across
 * a challenge's main indicators, whether each municipality is focal, and why
 * in words. lib/focalization/runs.c feeds it what one query read and stores
 * what it returns.
 *
 * Definitions (the API documents them as they are here):
 *  - Only values present whose denominator reaches the rule's minimum (when
 *    the rule has one) are ranked; a missing value is FOCAL_NO_DATA, one
 *    below the minimum (or without a denominator to judge) is
 *    FOCAL_SMALL_DENOMINATOR. Neither has a rank.
 *  - rank: 1 is the worst (the highest value when lower is better, the
 *    lowest when higher is better); equal values share a rank, the next one
 *    skips ("competition ranking": 1, 2, 2, 4).
 *  - percentile: the share of the ranked municipalities at least as bad as
 *    this one (itself and its ties included), in percent, rounded to two
 *    decimals: the single worst of 645 has 0.16, the best 100. "Among the
 *    worst 10%" reads off it directly.
 *  - worst_count N: critical when rank <= N, so ties at the cut are all in;
 *    worst_percent N: the same with N' = ceil(N% x ranked count);
 *    threshold T: critical when value >= T (lower is better) or value <= T
 *    (higher is better).
 */
#ifndef PACTO_FOCALIZATION_RANK_H
#define PACTO_FOCALIZATION_RANK_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>

enum focal_rule_kind { FOCAL_WORST_PERCENT, FOCAL_WORST_COUNT, FOCAL_THRESHOLD };

struct focal_rule {
    enum focal_rule_kind kind;
    double value; /* N (percent or count) or T */
    bool lower_is_better;
    bool has_min_denominator;
    double min_denominator;
};

enum focal_status { FOCAL_CRITICAL, FOCAL_NOT_CRITICAL, FOCAL_NO_DATA, FOCAL_SMALL_DENOMINATOR };

/* One municipality's value on one indicator: the input (has_value, value,
 * has_denominator, denominator), then what focal_rank sets. */
struct focal_value {
    bool has_value;
    double value;
    bool has_denominator;
    double denominator;
    enum focal_status status;
    int rank;          /* 0 when not ranked */
    double percentile; /* 0 when not ranked */
};

/* Parses "worst_percent", "worst_count" or "threshold"; false for anything else. */
bool focal_rule_kind_parse(const char *s, enum focal_rule_kind *out);
/* The names the database and the API use. */
const char *focal_rule_kind_name(enum focal_rule_kind k);
const char *focal_status_name(enum focal_status s);

/* Ranks the n values by `rule` and sets each one's status, rank and
 * percentile as defined above. Returns how many were ranked. Aborts when
 * memory runs out (n indices). */
size_t focal_rank(const struct focal_rule *rule, struct focal_value *v, size_t n);

enum focal_verdict { FOCAL_VERDICT_FOCAL, FOCAL_VERDICT_NOT_FOCAL, FOCAL_VERDICT_NO_DATA };

const char *focal_verdict_name(enum focal_verdict v);

/* A municipality's verdict from its statuses on the n main indicators.
 * any (all = false): focal when critical on any; no data (no value, or one
 * too small to rank) on every one is FOCAL_VERDICT_NO_DATA; else not focal.
 * all: no data on any one is FOCAL_VERDICT_NO_DATA; else focal when
 * critical on every one. n = 0 is FOCAL_VERDICT_NO_DATA. */
enum focal_verdict focal_combine(bool all, const enum focal_status *st, size_t n);

/* What the reason of a verdict says about one indicator. */
struct focal_indicator {
    const char *code;   /* IDEB-AI */
    int decimals;       /* the indicator's: values are shown rounded to them */
    const char *period; /* the period used; NULL when the indicator has none with data */
    struct focal_rule rule;
    size_t ranked; /* focal_rank's answer */
};

/* Appends one indicator's line for value v to out: "IDEB-AI 4.1 in 2019:
 * rank 12 of 645, among the worst 10%"; "IDEB-AI: no value in 2019". */
void focal_explain_value(struct buf *out, const struct focal_indicator *ind,
                         const struct focal_value *v);

/* Appends a municipality's reason: the verdict, then the lines of the
 * indicators that decided it (for a focal municipality under `any`, the
 * critical ones; otherwise every one), separated by "; ". vals[i] is the
 * municipality's value on inds[i]. */
void focal_explain(struct buf *out, enum focal_verdict verdict, bool all,
                   const struct focal_indicator *inds, const struct focal_value *const *vals,
                   size_t n);

#endif
