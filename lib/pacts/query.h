/*
 * The query filters of the pact module's public lists, shared by its files.
 */
#ifndef PACTO_PACTS_QUERY_H
#define PACTO_PACTS_QUERY_H

#include "http/query.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

enum pacts_filter { PACTS_FILTER_ID, PACTS_FILTER_IBGE };

/* Adds query parameter `name` to filters when present and of its kind (an
 * id, or a 7-digit IBGE code). Returns false after answering 400. */
bool pacts_query_filter(struct request *req, const struct query *q, const char *name,
                        enum pacts_filter kind, cJSON *filters);

#endif
