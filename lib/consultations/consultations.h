/*
 * Public consultations (seed 003, co-creation): a cycle, a challenge's
 * portfolio or a municipality's submitted action plan opens a window in
 * which anyone may comment, without an account. The JSON, counts, rules and
 * visibility are SQL in sql/030_consultations.sql.
 *
 * Who: the subject's responsible opens, moves or ends a consultation — the
 * coordination for a cycle, the challenge's area secretariat (or the
 * coordination) for its portfolio, the plan's municipality or the plan's
 * area for a plan. The state moderates comments (the subject's area
 * secretariat or the coordination; a municipality never moderates comments
 * on its own plan). The plan's municipality answers comments on its plan;
 * the area answers everything else. The coordination erases a citizen's
 * personal data on request.
 *
 * A comment's life: unconfirmed (when the consultation requires an e-mail
 * confirmation: a one-time link is mailed) -> pending (awaiting moderation)
 * -> published or hidden (with a public reason); a hidden comment may be
 * published again and a published one hidden, by the same moderators — a
 * moderation mistake is mended, and the audit log keeps every turn. Nothing
 * is ever deleted: a hidden comment shows publicly as its id, status, reason
 * and date, and the counts keep it.
 */
#ifndef PACTO_CONSULTATIONS_CONSULTATIONS_H
#define PACTO_CONSULTATIONS_CONSULTATIONS_H

#include "http/request.h"

/* /v1/consultations and /v1/consultations/{consultation_id} */
void consultations_list(struct request *req);
void consultations_create(struct request *req);
void consultations_get(struct request *req);
void consultations_update(struct request *req); /* PATCH: move or end the window */

/* /v1/consultations/{consultation_id}/comments */
void consultation_comments_list(struct request *req);
void consultation_comments_create(struct request *req); /* anyone, during the window */

/* /v1/comments/{comment_id}/... */
void consultation_comments_confirm(struct request *req); /* POST confirm {token} */
void consultation_comments_publish(struct request *req); /* POST publish */
void consultation_comments_hide(struct request *req);    /* POST hide {reason} */
void consultation_comments_answer(struct request *req);  /* PUT answer {text} */
void consultation_comments_erase(struct request *req);   /* DELETE author */

#endif
