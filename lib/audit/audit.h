/*
 * The audit log: one append-only event per change, written on the same
 * connection and inside the same transaction as the change, so that either
 * both are stored or neither is.
 */
#ifndef PACTO_AUDIT_AUDIT_H
#define PACTO_AUDIT_AUDIT_H

#include "db/db.h"
#include "http/request.h"

/* Who made a change and under which request; a NULL actor is the command line. */
struct audit_actor {
    const char *user_id; /* NULL for commands run by an operator */
    const char *role;
    const char *request_id;        /* the server's own */
    const char *client_request_id; /* the client's X-Request-Id, or NULL */
};

/* Fills an actor from an HTTP request. */
struct audit_actor audit_actor_of(const struct request *req);

/* Records `action` ("create", "update", "delete", ...) on entity/entity_id with
 * JSON snapshots (either may be NULL). Must run inside the change's
 * transaction. Returns false when the insert failed: the caller rolls back. */
bool audit_record(struct db_conn *db, const struct audit_actor *actor, const char *action,
                  const char *entity, const char *entity_id, const char *before, const char *after);

/* GET /v1/audit */
void audit_list(struct request *req);

#endif
