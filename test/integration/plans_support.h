/*
 * What the plan and pact suites seed by SQL, as the catalogue's routes
 * would store it: a health challenge with two main indicators and their
 * state targets.
 */
#ifndef PACTO_TEST_PLANS_SUPPORT_H
#define PACTO_TEST_PLANS_SUPPORT_H

/* The health challenge SAU-01 of `cycle` (responsible area health) with two
 * main indicators and their state targets for 2027 (rule gap_closure 0.5):
 * infant mortality TMI (per 1,000 live births, lower is better, target 10)
 * and vaccination coverage VAC (%, higher is better, target 95). Returns
 * the challenge's id and sets *tmi and *vac to the indicators'. */
long plans_seed_challenge(long cycle, long *tmi, long *vac);

#endif
