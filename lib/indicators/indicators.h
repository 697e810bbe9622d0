/*
 * The indicator catalogue (SPEC 1, step 4): what is measured in
 * every municipality — code, name, unit, polarity, source, periodicity,
 * valid range, formula — shared by all cycles. Read by anyone; kept by the
 * secretariat of the indicator's area and by the coordination. The area and
 * the periodicity are fixed once the indicator has values (lib/values).
 */
#ifndef PACTO_INDICATORS_INDICATORS_H
#define PACTO_INDICATORS_INDICATORS_H

#include "http/request.h"

void indicators_list(struct request *req);   /* GET /v1/indicators */
void indicators_create(struct request *req); /* POST /v1/indicators */
void indicators_get(struct request *req);    /* GET /v1/indicators/{indicator_id} */
void indicators_update(struct request *req); /* PATCH /v1/indicators/{indicator_id} */
void indicators_delete(struct request *req); /* DELETE /v1/indicators/{indicator_id} */

/* NULL when s is a catalogue code (an upper-case letter or digit, then up
 * to max - 1 of them or _ . -), else the reason. Challenges' codes share the
 * form with another length. */
const char *indicators_code_problem(const char *s, size_t max);

#endif
