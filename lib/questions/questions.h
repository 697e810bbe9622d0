/*
 * Public questions with an answer deadline (seed 003: "Governos devem
 * justificar suas ações, responder a questionamentos"): anyone asks about a
 * cycle, a challenge, a public plan or a pact; the subject's responsible
 * area (the challenge's secretariat; the coordination for a cycle) answers
 * within PACTO_QUESTION_ANSWER_DAYS days of the question, publicly, once.
 *
 * A question is public from the moment it is asked (the clock starts then).
 * The asker's name is seen by the state only; the e-mail and the address
 * hash by nobody, and the coordination erases all three on request. Abusive
 * questions are hidden with a reason, never deleted. What each caller sees
 * is SQL (question_json in sql/032_questions_assistance.sql).
 */
#ifndef PACTO_QUESTIONS_QUESTIONS_H
#define PACTO_QUESTIONS_QUESTIONS_H

#include "http/request.h"

/* POST /v1/questions (lib/questions/ask.c): anyone, rate limited per
 * address, Idempotency-Key honoured for anonymous callers too. */
void questions_ask(struct request *req);
/* GET /v1/questions: public, JSON pages or CSV (lib/questions/read.c). */
void questions_list(struct request *req);
/* GET /v1/questions/{question_id} */
void questions_get(struct request *req);
/* GET /v1/cycles/{cycle_id}/question-counts: per area, JSON or CSV. */
void questions_counts(struct request *req);
/* POST /v1/questions/{question_id}/answer (lib/questions/moderate.c) */
void questions_answer(struct request *req);
/* POST /v1/questions/{question_id}/hide */
void questions_hide(struct request *req);
/* DELETE /v1/questions/{question_id}/asker: the asker's personal data */
void questions_erase_asker(struct request *req);

#endif
