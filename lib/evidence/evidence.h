/*
 * Delivery evidence: what a municipality shows it did for a delivery of its
 * pacted plan (a description, an https link, files), and the review of the
 * challenge's area secretariat. The JSON, snapshots and visibility are SQL
 * in sql/025_evidence.sql; the tables are sql/024's.
 *
 * Who: the plan's municipality submits (another municipality's evidence is
 * not found); the municipality and the state read; the challenge's area
 * secretariat or the coordination reviews (another area 403). Accepted
 * evidence is locked; after a rejection the municipality submits anew.
 */
#ifndef PACTO_EVIDENCE_EVIDENCE_H
#define PACTO_EVIDENCE_EVIDENCE_H

#include "http/request.h"

/* POST /v1/deliveries/{delivery_id}/evidence */
void evidence_submit(struct request *req);
/* GET /v1/deliveries/{delivery_id}/evidence: newest first */
void evidence_list(struct request *req);
/* GET /v1/evidence/{evidence_id} */
void evidence_get(struct request *req);
/* POST /v1/evidence/{evidence_id}/accept */
void evidence_accept(struct request *req);
/* POST /v1/evidence/{evidence_id}/reject */
void evidence_reject(struct request *req);
/* POST /v1/evidence/{evidence_id}/files: the raw body is the file */
void evidence_files_upload(struct request *req);
/* GET /v1/evidence/{evidence_id}/files/{file_id}: the file's bytes */
void evidence_files_download(struct request *req);

#endif
