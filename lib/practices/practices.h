/*
 * Good practices (seed 004: peer-to-peer learning between municipalities,
 * tied to the SDGs): a municipality's mayor or representative proposes what
 * worked for it — title, summary, the problem it solved, its results, the
 * challenge, optionally its plan's actions and the indicator values that
 * moved, SDG goals, cost range, a contact role, files as evidence has — and
 * the state curates it: the challenge's responsible secretariat or the
 * coordination publishes it or returns it with a reason.
 *
 * Status: draft -> submitted -> published; submitted or published ->
 * returned (a published practice is unpublished so, unless a plan cites
 * it); the municipality's edit of a returned practice makes it a draft
 * again. Edits need If-Match. A practice a plan's action cites is neither
 * deleted nor unpublished (409 practice-cited).
 *
 * Who sees it: everyone once published; the proposing municipality always;
 * the state once submitted. The JSON, visibility, search and adoption count
 * are SQL in sql/033_practices.sql.
 */
#ifndef PACTO_PRACTICES_PRACTICES_H
#define PACTO_PRACTICES_PRACTICES_H

#include "http/request.h"

/* POST /v1/practices: the caller's municipality proposes one (a draft) */
void practices_create(struct request *req);
/* GET /v1/practices: search and filters, ranked, JSON pages or CSV */
void practices_list(struct request *req);
/* GET /v1/practices/{practice_id} */
void practices_get(struct request *req);
/* PATCH /v1/practices/{practice_id}: JSON Merge Patch, If-Match required */
void practices_update(struct request *req);
/* DELETE /v1/practices/{practice_id} */
void practices_delete(struct request *req);
/* POST /v1/practices/{practice_id}/submit | publish | return */
void practices_submit(struct request *req);
void practices_publish(struct request *req);
void practices_return(struct request *req);
/* POST /v1/practices/{practice_id}/files: the raw body is the file */
void practices_files_upload(struct request *req);
/* GET /v1/practices/{practice_id}/files/{file_id}: the file's bytes */
void practices_files_download(struct request *req);

#endif
