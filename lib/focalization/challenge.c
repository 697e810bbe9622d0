/*
 * The checks every focalization write starts with (see challenge.h), in one
 * query: the same viewer_manages predicate the challenge's own resource
 * guards with, so who may change a challenge and who may focalize it never
 * differ.
 */
#include "focalization/challenge.h"

#include "authz/policy.h"
#include "db/db.h"
#include "focalization/params.h"
#include "http/response.h"

#include <stdio.h>
#include <string.h>

/* $1 viewer, $2 challenge, $3 municipality or NULL. */
static const struct db_stmt STMT_CHALLENGE_WRITABLE = {
    .name = "focal_challenge_writable",
    .sql = "SELECT c.responsible_area, viewer_manages($1::pacto_viewer, c.responsible_area),"
           "       cycle_phase(y, now()) = 'closed', y.state_code, c.focal_combine = 'all',"
           "       $3::text IS NULL OR EXISTS (SELECT 1 FROM municipalities m"
           "                                    WHERE m.ibge_code = $3"
           "                                      AND m.state_code = y.state_code)"
           "  FROM challenges c JOIN cycles y ON y.id = c.cycle_id"
           " WHERE c.id = $2::bigint FOR SHARE OF c",
};
enum { CH_AREA, CH_MANAGES, CH_CLOSED, CH_STATE, CH_ALL, CH_IN_STATE };

static bool is_true(const PGresult *r, int col) { return strcmp(PQgetvalue(r, 0, col), "t") == 0; }

bool focal_challenge_writable(struct request *req, const char *challenge_id, const char *ibge,
                              struct focal_challenge *out)
{
    if (!focal_path_id(challenge_id) || (ibge && !focal_path_ibge(ibge))) {
        resp_not_found(req);
        return false;
    }
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, challenge_id, ibge};
    if (!req_db(req))
        return false;
    if (!db_begin(req->db)) {
        resp_db_error(req);
        return false;
    }
    const PGresult *r = req_exec(req, &STMT_CHALLENGE_WRITABLE, 3, params);
    if (!r)
        return false;
    char detail[160];
    if (PQntuples(r) == 0 || !is_true(r, CH_IN_STATE)) {
        resp_not_found(req);
    } else if (!is_true(r, CH_MANAGES)) {
        snprintf(detail, sizeof detail,
                 "Only the %s secretariat or the coordination may change this challenge.",
                 PQgetvalue(r, 0, CH_AREA));
        resp_forbidden(req, detail);
    } else if (is_true(r, CH_CLOSED)) {
        resp_problem(req, 409, "conflict", "The cycle is closed",
                     "The challenges of a closed cycle are read-only.");
    } else {
        snprintf(out->state_code, sizeof out->state_code, "%s", PQgetvalue(r, 0, CH_STATE));
        out->combine_all = is_true(r, CH_ALL);
        return true;
    }
    return false;
}
