/*
 * Suggested municipal targets, the arithmetic (see rule.h).
 */
#include "targets/rule.h"

#include <assert.h>
#include <float.h>
#include <math.h>

double target_round(double v, int decimals)
{
    assert(decimals >= 0 && decimals <= 6);
    double scale = pow(10.0, decimals);
    double x = v * scale;
    /* A value such as 2.675 is stored as 2.67499999...: nudge by a few ulps
     * away from zero, far below any real difference of the data. */
    double nudge = fabs(x) * 4 * DBL_EPSILON;
    double r = round(x + copysign(nudge, x)) / scale;
    return r == 0 ? 0 : r; /* no -0 */
}

static double clamp(const struct target_rule *r, double v)
{
    if (r->has_min && v < r->min_value)
        v = r->min_value;
    if (r->has_max && v > r->max_value)
        v = r->max_value;
    return v;
}

/* B improved by `percent`: up when higher is better, down when lower is. */
static double improved(const struct target_rule *r, double b, double percent)
{
    return r->higher_is_better ? b * (1 + percent / 100) : b * (1 - percent / 100);
}

struct target_suggestion target_suggest(const struct target_rule *r, bool has_baseline,
                                        double baseline)
{
    if (!has_baseline)
        return (struct target_suggestion){.status = TARGET_NO_BASELINE, .value = 0};
    double b = baseline, s = r->state_target, v;
    bool past = r->higher_is_better ? b >= s : b <= s;
    enum target_status status = past ? TARGET_KEPT_BASELINE : TARGET_SUGGESTED;
    if (past)
        v = r->min_improvement > 0 ? improved(r, b, r->min_improvement) : b;
    else if (r->kind == TARGET_GAP_CLOSURE)
        v = b + r->rule_value * (s - b);
    else
        v = improved(r, b, r->rule_value);
    return (struct target_suggestion){.status = status,
                                      .value = clamp(r, target_round(v, r->decimals))};
}

const char *target_status_name(enum target_status s)
{
    switch (s) {
    case TARGET_SUGGESTED:
        return "suggested";
    case TARGET_KEPT_BASELINE:
        return "kept_baseline";
    case TARGET_NO_BASELINE:
        return "no_baseline";
    }
    return "no_baseline";
}
