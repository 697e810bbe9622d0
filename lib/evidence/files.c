/*
 * An evidence's files (see evidence.h): uploaded as the raw request body,
 * stored in PostgreSQL once per municipality and SHA-256, served back as an
 * attachment to the municipality and the state.
 *
 * Reading, storing and sending a file is evidence/store.h's; this file
 * attaches them to an evidence. The body is read before the database is
 * asked anything, so a slow upload holds no connection (as the server does
 * for every other body); a file for evidence the caller may not change is
 * read and dropped.
 *
 * The same file attached twice to one evidence is 409 conflict; attached to
 * another evidence of the municipality it reuses the stored row, found by
 * its digest before the bytes would be sent to PostgreSQL again.
 */
#include "evidence/evidence.h"

#include "audit/audit.h"
#include "authz/policy.h"
#include "db/db.h"
#include "evidence/magic.h"
#include "evidence/store.h"
#include "http/idempotency.h"
#include "http/response.h"
#include "validate/id.h"

#include <stdio.h>
#include <string.h>

/* $1 viewer, $2 evidence: its status, snapshot and municipality, locked,
 * when it is the viewer's municipality's. */
static const struct db_stmt STMT_FILE_EVIDENCE_LOCK = {
    .name = "evidence_file_evidence_lock",
    .sql = "SELECT e.status, evidence_snapshot(e), p.municipality_id FROM evidence e"
           "  JOIN action_plans p ON p.id = e.plan_id"
           " WHERE e.id = $2 AND viewer_is_municipal($1::pacto_viewer, p.municipality_id)"
           "   FOR UPDATE OF e",
};

/* $1 evidence, $2 file: attached last; no row when it was attached already. */
static const struct db_stmt STMT_FILE_ATTACH = {
    .name = "evidence_file_attach",
    .sql = "WITH a AS (INSERT INTO evidence_attachments (evidence_id, file_id, position)"
           "           SELECT $1, $2, coalesce(max(position) + 1, 0) FROM evidence_attachments"
           "            WHERE evidence_id = $1"
           "           ON CONFLICT DO NOTHING RETURNING file_id),"
           "     e AS (UPDATE evidence SET version = version + 1, updated_at = now()"
           "            WHERE id = $1 AND EXISTS (SELECT FROM a) RETURNING id)"
           " SELECT evidence_file_json(f) FROM evidence_files f, a WHERE f.id = a.file_id",
};

/* $1 evidence: its snapshot after the attachment. */
static const struct db_stmt STMT_FILE_SNAPSHOT = {
    .name = "evidence_file_snapshot",
    .sql = "SELECT evidence_snapshot(e) FROM evidence e WHERE e.id = $1",
};

/* $1 viewer, $2 evidence, $3 file: the file's digest and type, when it is
 * attached to evidence the viewer may see. */
static const struct db_stmt STMT_FILE_META = {
    .name = "evidence_file_meta",
    .sql = "SELECT f.sha256, f.content_type FROM evidence e"
           "  JOIN evidence_attachments a ON a.evidence_id = e.id"
           "  JOIN evidence_files f ON f.id = a.file_id"
           " WHERE e.id = $2 AND f.id = $3 AND evidence_visible(e, $1::pacto_viewer)",
};

/* Stores the file, attaches it and writes the audit event, in the
 * transaction begun here. Answers. */
static void store(struct request *req, const char *evidence, const struct evidence_upload *up)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const PGresult *cur, *att, *after;
    const char *stored;
    if (!req_db(req)) {
        /* answered */
    } else if (!db_begin(req->db)) {
        resp_db_error(req);
    } else if (!(cur = req_exec(req, &STMT_FILE_EVIDENCE_LOCK, 2,
                                (const char *[]){viewer, evidence}))) {
        /* answered */
    } else if (PQntuples(cur) == 0) {
        resp_not_found(req);
    } else if (strcmp(PQgetvalue(cur, 0, 0), "submitted") != 0) {
        char detail[160];
        snprintf(detail, sizeof detail,
                 "The evidence is %s: files are attached to evidence awaiting review only.",
                 PQgetvalue(cur, 0, 0));
        resp_problem(req, 409, "invalid-transition", "Invalid transition", detail);
    } else if (!(stored = evidence_file_keep(req, PQgetvalue(cur, 0, 2), up))) {
        /* answered */
    } else if (!(att = req_exec(req, &STMT_FILE_ATTACH, 2, (const char *[]){evidence, stored}))) {
        /* answered */
    } else if (PQntuples(att) == 0) {
        resp_problem(req, 409, "conflict", "Already attached",
                     "This file is attached to this evidence already.");
    } else if (!(after = req_exec(req, &STMT_FILE_SNAPSHOT, 1, (const char *[]){evidence}))) {
        /* answered */
    } else {
        struct audit_actor actor = audit_actor_of(req);
        if (!audit_record(req->db, &actor, "attach", "evidence", evidence, PQgetvalue(cur, 0, 1),
                          PQgetvalue(after, 0, 0))) {
            resp_db_error(req);
            return;
        }
        resp_json(req, 201, PQgetvalue(att, 0, 0), (size_t)PQgetlength(att, 0, 0));
        resp_header(req, "Location", "/v1/evidence/%s/files/%s", evidence, stored);
        req_commit(req);
    }
}

void evidence_files_upload(struct request *req)
{
    const char *evidence = req_param(req, 0);
    struct evidence_upload up;
    if (!evidence_media_type(req_header(req, "Content-Type"))) {
        evidence_upload_read(req, &up); /* answers 415 before reading anything */
    } else if (!id_is_canonical(evidence)) {
        resp_not_found(req);
    } else if (evidence_upload_read(req, &up)) {
        store(req, evidence, &up);
    }
}

void evidence_files_download(struct request *req)
{
    const char *evidence = req_param(req, 0), *file = req_param(req, 1);
    char viewer[AUTHZ_VIEWER_MAX], stem[64];
    authz_viewer(&req->who, viewer);
    const PGresult *meta;
    if (!id_is_canonical(evidence) || !id_is_canonical(file)) {
        resp_not_found(req);
        return;
    }
    if (!(meta = req_exec(req, &STMT_FILE_META, 3, (const char *[]){viewer, evidence, file})))
        return;
    if (PQntuples(meta) == 0) {
        resp_not_found(req);
        return;
    }
    snprintf(stem, sizeof stem, "evidence-%s-%s", evidence, file);
    evidence_file_send(req, file, PQgetvalue(meta, 0, 0), PQgetvalue(meta, 0, 1), stem);
}
