/*
 * Challenges (SPEC 1, step 4; issue 8): what a cycle sets out to improve —
 * code (unique in the cycle, e.g. SAU-01), title, theme, the secretariat in
 * charge — and the indicators that measure it, each main (with its
 * focalization rule) or complementary. Read by anyone; kept by the
 * responsible secretariat and by the coordination. A closed cycle's
 * challenges, and their indicators, are read-only.
 */
#ifndef PACTO_CHALLENGES_CHALLENGES_H
#define PACTO_CHALLENGES_CHALLENGES_H

#include "http/request.h"

void challenges_list(struct request *req);   /* GET /v1/cycles/{cycle_id}/challenges */
void challenges_create(struct request *req); /* POST /v1/cycles/{cycle_id}/challenges */
void challenges_get(struct request *req);    /* GET /v1/challenges/{challenge_id} */
void challenges_update(struct request *req); /* PATCH /v1/challenges/{challenge_id} */
void challenges_delete(struct request *req); /* DELETE /v1/challenges/{challenge_id} */

/* /v1/challenges/{challenge_id}/indicators and .../indicators/{indicator_id} */
void challenge_indicators_list(struct request *req);   /* GET */
void challenge_indicators_create(struct request *req); /* POST */
void challenge_indicators_get(struct request *req);    /* GET item */
void challenge_indicators_update(struct request *req); /* PATCH item */
void challenge_indicators_delete(struct request *req); /* DELETE item */

/* In the request's open transaction: true when the caller manages the
 * challenge (its responsible area's secretariat, or the coordination) — or
 * there is no such challenge. Otherwise answers 403 "Only the <area>
 * secretariat or the coordination may change this challenge." — or the
 * database's error — and returns false. The challenge's guard in one query,
 * for custom handlers of what hangs from a challenge. */
bool challenges_may_change(struct request *req, const char *challenge_id);

/* In the request's open transaction: true when the challenge's cycle is not
 * closed (or there is no such challenge: the caller answers 404 its own
 * way). Otherwise answers 409 conflict "The cycle is closed" — or the
 * database's error — and returns false. For everything that hangs from a
 * challenge (its indicators, focalization runs, targets). */
bool challenges_writable(struct request *req, const char *challenge_id);

#endif
