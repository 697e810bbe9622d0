/*
 * The focalization rule's arithmetic (see rank.h): ranking, percentiles,
 * the cut, the verdict across indicators and its reason. Pure: no database,
 * no request, so the unit tests pin every definition.
 */
#include "focalization/rank.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
    [FOCAL_WORST_PERCENT] = "worst_percent",
    [FOCAL_WORST_COUNT] = "worst_count",
    [FOCAL_THRESHOLD] = "threshold",
};

bool focal_rule_kind_parse(const char *s, enum focal_rule_kind *out)
{
    for (int k = 0; k <= FOCAL_THRESHOLD; k++)
        if (s && strcmp(s, kind_names[k]) == 0) {
            *out = (enum focal_rule_kind)k;
            return true;
        }
    return false;
}

const char *focal_rule_kind_name(enum focal_rule_kind k) { return kind_names[k]; }

const char *focal_status_name(enum focal_status s)
{
    static const char *const names[] = {
        [FOCAL_CRITICAL] = "critical",
        [FOCAL_NOT_CRITICAL] = "not_critical",
        [FOCAL_NO_DATA] = "no_data",
        [FOCAL_SMALL_DENOMINATOR] = "small_denominator",
    };
    return names[s];
}

const char *focal_verdict_name(enum focal_verdict v)
{
    static const char *const names[] = {
        [FOCAL_VERDICT_FOCAL] = "focal",
        [FOCAL_VERDICT_NOT_FOCAL] = "not_focal",
        [FOCAL_VERDICT_NO_DATA] = "no_data",
    };
    return names[v];
}

/* A ranked value: how bad it is (larger is worse) and whose it is. */
struct ranked {
    double badness;
    size_t index;
};

static int worst_first(const void *a, const void *b)
{
    double x = ((const struct ranked *)a)->badness, y = ((const struct ranked *)b)->badness;
    return x > y ? -1 : x < y ? 1 : 0;
}

/* How many of the worst are in the cut of a worst_count or worst_percent
 * rule over `ranked` values. The percent is taken in hundredths first, so
 * that 10% of 640 is exactly 64 and not 64.000000001 rounded up to 65. */
static size_t cut_size(const struct focal_rule *rule, size_t ranked)
{
    double k = rule->kind == FOCAL_WORST_COUNT
                   ? rule->value
                   : ceil(round(rule->value * (double)ranked * 1e6) / 1e8 - 1e-9);
    if (k < 0)
        return 0;
    return k >= (double)ranked ? ranked : (size_t)k;
}

static bool beyond_threshold(const struct focal_rule *rule, double value)
{
    return rule->lower_is_better ? value >= rule->value : value <= rule->value;
}

size_t focal_rank(const struct focal_rule *rule, struct focal_value *v, size_t n)
{
    struct ranked *r = malloc((n ? n : 1) * sizeof *r);
    if (!r)
        abort();
    size_t ranked = 0;
    for (size_t i = 0; i < n; i++) {
        v[i].rank = 0;
        v[i].percentile = 0;
        if (!v[i].has_value) {
            v[i].status = FOCAL_NO_DATA;
        } else if (rule->has_min_denominator &&
                   (!v[i].has_denominator || v[i].denominator < rule->min_denominator)) {
            v[i].status = FOCAL_SMALL_DENOMINATOR;
        } else {
            r[ranked].badness = rule->lower_is_better ? v[i].value : -v[i].value;
            r[ranked++].index = i;
        }
    }
    qsort(r, ranked, sizeof *r, worst_first);
    size_t cut = rule->kind == FOCAL_THRESHOLD ? 0 : cut_size(rule, ranked);
    for (size_t i = 0; i < ranked;) {
        /* The tie group [i, j): one rank, one percentile, one verdict. */
        size_t j = i + 1;
        while (j < ranked && r[j].badness == r[i].badness)
            j++;
        double percentile = round((double)j / (double)ranked * 10000.0) / 100.0;
        for (size_t t = i; t < j; t++) {
            struct focal_value *x = &v[r[t].index];
            x->rank = (int)i + 1;
            x->percentile = percentile;
            bool critical =
                rule->kind == FOCAL_THRESHOLD ? beyond_threshold(rule, x->value) : i < cut;
            x->status = critical ? FOCAL_CRITICAL : FOCAL_NOT_CRITICAL;
        }
        i = j;
    }
    free(r);
    return ranked;
}

static bool lacks_data(enum focal_status s)
{
    return s == FOCAL_NO_DATA || s == FOCAL_SMALL_DENOMINATOR;
}

enum focal_verdict focal_combine(bool all, const enum focal_status *st, size_t n)
{
    size_t critical = 0, missing = 0;
    for (size_t i = 0; i < n; i++) {
        critical += st[i] == FOCAL_CRITICAL;
        missing += lacks_data(st[i]);
    }
    if (n == 0 || missing == n || (all && missing > 0))
        return FOCAL_VERDICT_NO_DATA;
    if (all)
        return critical == n ? FOCAL_VERDICT_FOCAL : FOCAL_VERDICT_NOT_FOCAL;
    return critical > 0 ? FOCAL_VERDICT_FOCAL : FOCAL_VERDICT_NOT_FOCAL;
}

/* "among the worst 10%", "not among the worst 5", "at or above the
 * critical threshold 20". */
static void explain_rule(struct buf *out, const struct focal_rule *rule, bool critical)
{
    if (rule->kind == FOCAL_THRESHOLD) {
        const char *side = rule->lower_is_better ? (critical ? "at or above" : "below")
                                                 : (critical ? "at or below" : "above");
        buf_printf(out, "%s the critical threshold %g", side, rule->value);
        return;
    }
    buf_printf(out, "%samong the worst %g%s", critical ? "" : "not ", rule->value,
               rule->kind == FOCAL_WORST_PERCENT ? "%" : "");
}

void focal_explain_value(struct buf *out, const struct focal_indicator *ind,
                         const struct focal_value *v)
{
    if (v->status == FOCAL_NO_DATA) {
        if (ind->period)
            buf_printf(out, "%s: no value in %s", ind->code, ind->period);
        else
            buf_printf(out, "%s: no period with data", ind->code);
        return;
    }
    buf_printf(out, "%s %.*f in %s: ", ind->code, ind->decimals, v->value, ind->period);
    if (v->status == FOCAL_SMALL_DENOMINATOR) {
        if (v->has_denominator)
            buf_printf(out, "denominator %g below the minimum %g, not ranked", v->denominator,
                       ind->rule.min_denominator);
        else
            buf_printf(out, "no denominator to compare with the minimum %g, not ranked",
                       ind->rule.min_denominator);
        return;
    }
    buf_printf(out, "rank %d of %zu, ", v->rank, ind->ranked);
    explain_rule(out, &ind->rule, v->status == FOCAL_CRITICAL);
}

void focal_explain(struct buf *out, enum focal_verdict verdict, bool all,
                   const struct focal_indicator *inds, const struct focal_value *const *vals,
                   size_t n)
{
    static const char *const heads[] = {
        [FOCAL_VERDICT_FOCAL] = "Focal",
        [FOCAL_VERDICT_NOT_FOCAL] = "Not focal",
        [FOCAL_VERDICT_NO_DATA] = "No data",
    };
    buf_printf(out, "%s: ", heads[verdict]);
    bool only_critical = verdict == FOCAL_VERDICT_FOCAL && !all;
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (only_critical && vals[i]->status != FOCAL_CRITICAL)
            continue;
        if (!first)
            buf_puts(out, "; ");
        first = false;
        focal_explain_value(out, &inds[i], vals[i]);
    }
    if (first)
        buf_puts(out, "no main indicator with a rule");
}
