/*
 * The statements made from a resource's declaration (internal to
 * lib/resource; see statements.c for each one's parameters).
 */
#ifndef PACTO_RESOURCE_STATEMENTS_H
#define PACTO_RESOURCE_STATEMENTS_H

#include "resource/resource.h"

struct res_statements {
    struct db_stmt get, lock, list, list_csv, insert, update, delete, rules_create, rules_patch,
        parent, guard_create, guard_patch, guard_row;
    int list_params;
};

/* Columns of every row that get, lock, insert and update return (get's
 * snapshot is NULL: a read is not audited). */
enum { RES_COL_KEY, RES_COL_VERSION, RES_COL_VIEW, RES_COL_SNAPSHOT };

/* Answers an item: its JSON, and an ETag made from its version (none when
 * version is NULL: an unversioned resource). */
void res_respond(struct request *req, int status, const char *version, const char *json);

/* res_respond for a row with the columns above. */
void res_respond_row(struct request *req, int status, const PGresult *r);

/* The resource's statements, made on first use. Aborts on a declaration
 * that cannot work: that is a programming error, found by any test of it. */
const struct res_statements *res_statements_of(const struct resource *res);

#endif
