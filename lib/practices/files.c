/*
 * A practice's files (see practices.h): the municipality attaches them to
 * its draft or returned practice (attaching is an edit: a returned practice
 * becomes a draft); whoever may see the practice downloads them — everyone
 * once it is published. Reading, storing (once per municipality and
 * digest) and sending the bytes is evidence/store.h's, as for a delivery's
 * evidence.
 */
#include "practices/practices.h"

#include "audit/audit.h"
#include "authz/policy.h"
#include "db/db.h"
#include "evidence/magic.h"
#include "evidence/store.h"
#include "http/idempotency.h"
#include "http/response.h"
#include "practices/row.h"
#include "validate/id.h"

#include <stdio.h>
#include <string.h>

/* $1 practice, $2 file: attached last; no row when it was attached already. */
static const struct db_stmt STMT_ATTACH = {
    .name = "practice_file_attach",
    .sql = "WITH a AS (INSERT INTO practice_files (practice_id, file_id, position)"
           "           SELECT $1, $2, coalesce(max(position) + 1, 0) FROM practice_files"
           "            WHERE practice_id = $1"
           "           ON CONFLICT DO NOTHING RETURNING file_id),"
           "     p AS (UPDATE practices SET status = 'draft', return_reason = NULL,"
           "                  version = version + 1, updated_at = now()"
           "            WHERE id = $1 AND EXISTS (SELECT FROM a) RETURNING id)"
           " SELECT evidence_file_json(f) FROM evidence_files f, a WHERE f.id = a.file_id",
};

/* $1 practice: its snapshot after the attachment. */
static const struct db_stmt STMT_SNAPSHOT = {
    .name = "practice_file_snapshot",
    .sql = "SELECT practice_snapshot(p) FROM practices p WHERE p.id = $1",
};

/* $1 viewer, $2 practice, $3 file: the file's digest and type, when it is
 * attached to a practice the viewer may see. */
static const struct db_stmt STMT_META = {
    .name = "practice_file_meta",
    .sql = "SELECT f.sha256, f.content_type FROM practices p"
           "  JOIN practice_files pf ON pf.practice_id = p.id"
           "  JOIN evidence_files f ON f.id = pf.file_id"
           " WHERE p.id = $2 AND f.id = $3 AND practice_visible(p, $1::pacto_viewer)",
};

/* Stores the file, attaches it and writes the audit event, in one
 * transaction. Answers. */
static void attach(struct request *req, const struct evidence_upload *up)
{
    struct practice_lock p;
    const char *file;
    const PGresult *att, *after;
    if (!practices_lock(req, &p)) {
        /* answered */
    } else if (!p.own) {
        resp_forbidden(req, "Only the proposing municipality's mayor or representative may "
                            "attach files to its practice.");
    } else if (strcmp(p.status, "draft") != 0 && strcmp(p.status, "returned") != 0) {
        practices_refuse_status(req, &p, "files are attached to a draft or a returned practice");
    } else if (!(file = evidence_file_keep(req, p.municipality_id, up))) {
        /* answered */
    } else if (!(att = req_exec(req, &STMT_ATTACH, 2, (const char *[]){p.id, file}))) {
        /* answered */
    } else if (PQntuples(att) == 0) {
        resp_problem(req, 409, "conflict", "Already attached",
                     "This file is attached to this practice already.");
    } else if (!(after = req_exec(req, &STMT_SNAPSHOT, 1, (const char *[]){p.id}))) {
        /* answered */
    } else {
        struct audit_actor actor = audit_actor_of(req);
        if (!audit_record(req->db, &actor, "attach", "practice", p.id, p.snapshot,
                          PQgetvalue(after, 0, 0))) {
            resp_db_error(req);
            return;
        }
        resp_json(req, 201, PQgetvalue(att, 0, 0), (size_t)PQgetlength(att, 0, 0));
        resp_header(req, "Location", "/v1/practices/%s/files/%s", p.id, file);
        req_commit(req);
    }
}

void practices_files_upload(struct request *req)
{
    struct evidence_upload up;
    if (!evidence_media_type(req_header(req, "Content-Type")))
        evidence_upload_read(req, &up); /* answers 415 before reading anything */
    else if (!id_is_canonical(req_param(req, 0)))
        resp_not_found(req);
    else if (evidence_upload_read(req, &up))
        attach(req, &up);
}

void practices_files_download(struct request *req)
{
    const char *practice = req_param(req, 0), *file = req_param(req, 1);
    char viewer[AUTHZ_VIEWER_MAX], stem[64];
    authz_viewer(&req->who, viewer);
    const PGresult *meta;
    if (!id_is_canonical(practice) || !id_is_canonical(file)) {
        resp_not_found(req);
        return;
    }
    if (!(meta = req_exec(req, &STMT_META, 3, (const char *[]){viewer, practice, file})))
        return;
    if (PQntuples(meta) == 0) {
        resp_not_found(req);
        return;
    }
    snprintf(stem, sizeof stem, "practice-%s-%s", practice, file);
    evidence_file_send(req, file, PQgetvalue(meta, 0, 0), PQgetvalue(meta, 0, 1), stem);
}
