/*
 * Files compiled into the binary by cmake/embed.cmake: the OpenAPI contract
 * and the SQL migrations, in file-name order.
 */
#ifndef PACTO_CORE_EMBEDDED_H
#define PACTO_CORE_EMBEDDED_H

#include <stddef.h>

struct embedded_migration {
    const char *name; /* file name, e.g. "001_init.sql"; its order is its version */
    const char *sql;  /* NUL-terminated contents */
};

extern const char *const embedded_openapi;
extern const size_t embedded_openapi_len;
extern const struct embedded_migration embedded_migrations[];
extern const size_t embedded_migrations_count;

#endif
