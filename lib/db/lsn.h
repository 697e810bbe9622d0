/*
 * PostgreSQL WAL positions (LSNs) as text and as numbers: the commit position
 * a write's answer carries in Pacto-Consistency, and a replica's replayed
 * position it is compared with.
 */
#ifndef PACTO_DB_LSN_H
#define PACTO_DB_LSN_H

#include <stdbool.h>
#include <stdint.h>

/* "FFFFFFFF/FFFFFFFF" and its NUL. */
#define DB_LSN_TEXT_MAX 18

/* Parses PostgreSQL's pg_lsn text form, "X/Y" with 1 to 8 hex digits on each
 * side (e.g. "0/16B3748"), into the 64-bit position (X << 32 | Y). Returns
 * false, leaving *out alone, for anything else (no spaces, signs or 0x). */
bool db_lsn_parse(const char *text, uint64_t *out);

/* Writes lsn in pg_lsn text form (upper-case hex, as PostgreSQL prints it). */
void db_lsn_format(uint64_t lsn, char out[DB_LSN_TEXT_MAX]);

#endif
