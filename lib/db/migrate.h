/*
 * Schema migrations: the SQL files of sql/, compiled into the binary, applied
 * in name order, each in its own transaction, under an advisory lock so that
 * two servers starting together do not race.
 */
#ifndef PACTO_DB_MIGRATE_H
#define PACTO_DB_MIGRATE_H

#include "db/db.h"

#include <stdbool.h>
#include <stddef.h>

/* Applies every pending migration. Returns false (logged) on the first failure;
 * migrations applied before it stay applied. */
bool migrate_run(struct db_conn *c);

/* The newest migration compiled into this binary, e.g. "001_foundation.sql". */
const char *migrate_latest(void);

/* Writes the newest applied migration to out ("" when none). Returns false
 * when the database cannot be asked. */
bool migrate_applied(struct db_conn *c, char *out, size_t outlen);

#endif
