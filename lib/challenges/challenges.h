/*
 * Challenges (SPEC 1, step 4): what a cycle sets out to improve —
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

/* What a write under a challenge learns from its check. */
struct challenge_scope {
    char state_code[8]; /* the cycle's state */
    bool combine_all;   /* focal_combine = 'all' */
};

/* The check every write on what hangs from a challenge starts with, in the
 * request's open transaction: locks challenge `challenge_id` FOR SHARE until
 * the transaction ends (its area and rules cannot change under the write),
 * and checks that it exists and, when ibge is not NULL, that municipality
 * ibge is in its cycle's state (404 otherwise, also for a malformed id),
 * that the caller manages it (403 naming its responsible area), and that its
 * cycle is not closed (409). Fills out when it is not NULL. Returns false
 * after answering. */
bool challenges_check_write(struct request *req, const char *challenge_id, const char *ibge,
                            struct challenge_scope *out);
/* Takes the request's connection, begins its transaction, then
 * challenges_check_write. */
bool challenges_begin_write(struct request *req, const char *challenge_id, const char *ibge,
                            struct challenge_scope *out);

/* The 403 of a challenge that the caller does not manage, naming its area,
 * and the 409 of a closed cycle's challenge. */
void challenges_refuse_area(struct request *req, const char *area);
void challenges_refuse_closed(struct request *req);

#endif
