/*
 * What the practice handlers share: the resource declaration (its JSON,
 * snapshot and visibility are SQL) and the locked row a change starts from.
 */
#ifndef PACTO_PRACTICES_ROW_H
#define PACTO_PRACTICES_ROW_H

#include "http/request.h"
#include "resource/resource.h"

#include <stdbool.h>

extern struct resource practices_resource;

/* A practice locked for a change, as the caller sees it. */
struct practice_lock {
    const char *id, *version, *status, *snapshot, *area, *municipality_id;
    bool own;     /* the caller is its municipality's mayor or representative */
    bool curates; /* the caller is the challenge's secretariat or the coordination */
    bool cited;   /* a plan's action cites it */
};

/* Opens the request's transaction and locks the practice of the path
 * (param 0) when the caller may know of it. Returns false after answering
 * 404, 412 (If-Match names another version) or the database's error. */
bool practices_lock(struct request *req, struct practice_lock *out);

/* Answers 409 invalid-transition naming the practice's status and what the
 * action needs ("only a draft or returned practice is edited"). */
void practices_refuse_status(struct request *req, const struct practice_lock *p, const char *needs);

/* Answers 409 practice-cited for `what` ("deleted", "unpublished"). */
void practices_refuse_cited(struct request *req, const char *what);

/* Ends a change in the open transaction: reads the practice anew, writes
 * the audit event `action` from p's snapshot (NULL on a create) and
 * answers `status` with the practice and its ETag, then commits. */
void practices_changed(struct request *req, const char *id, const char *before, const char *action,
                       int status);

#endif
