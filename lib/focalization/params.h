/*
 * What the focalization lists share: the status filter of their query, and
 * their answer under what they hang from.
 */
#ifndef PACTO_FOCALIZATION_PARAMS_H
#define PACTO_FOCALIZATION_PARAMS_H

#include "http/query.h"

#include <stdbool.h>

/* The filter status=<s> of a list as a jsonb object ("{}" without one);
 * NULL after answering 400 for a value not among `values`. */
const char *focal_status_filter(struct request *req, const struct query *q,
                                const char *const *values);

/* Answers the list lq on page (http/query.h) when `exists` (run with the
 * n params) finds what the list hangs from, else 404. The JSON column is 1,
 * the key 0, the CSV's cells from column 1 on; lq->csv_header NULL for a
 * JSON answer. */
void focal_answer_list(struct request *req, const struct db_stmt *exists, int n,
                       const char *const *params, const struct page *page, struct list_query *lq);

#endif
