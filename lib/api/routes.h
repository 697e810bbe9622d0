/*
 * The API's route table: every endpoint, its handler and who may call it.
 * The one place to look up the code behind a path.
 */
#ifndef PACTO_API_ROUTES_H
#define PACTO_API_ROUTES_H

#include "http/router.h"

#include <stddef.h>

extern const struct route api_routes[];
extern const size_t api_routes_count;

#endif
