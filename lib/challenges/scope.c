/*
 * The check every write on what hangs from a challenge starts with (its
 * indicators, focalization runs and manual decisions, state and suggested
 * targets; see challenges.h), in one query: the same viewer_manages
 * predicate the challenge's own guard uses, so who may change a challenge
 * and who may change what hangs from it never differ.
 */
#include "challenges/challenges.h"

#include "authz/policy.h"
#include "db/db.h"
#include "http/response.h"
#include "validate/ibge.h"
#include "validate/id.h"

#include <stdio.h>
#include <string.h>

/* $1 viewer, $2 challenge, $3 municipality or NULL. */
static const struct db_stmt STMT_SCOPE = {
    .name = "challenge_scope",
    .sql = "SELECT c.responsible_area, viewer_manages($1::pacto_viewer, c.responsible_area),"
           "       cycle_phase(y, now()) = 'closed', y.state_code, c.focal_combine = 'all',"
           "       $3::text IS NULL OR EXISTS (SELECT 1 FROM municipalities m"
           "                                    WHERE m.ibge_code = $3"
           "                                      AND m.state_code = y.state_code)"
           "  FROM challenges c JOIN cycles y ON y.id = c.cycle_id"
           " WHERE c.id = $2::bigint FOR SHARE OF c",
};
enum { SC_AREA, SC_MANAGES, SC_CLOSED, SC_STATE, SC_ALL, SC_IN_STATE };

static bool is_true(const PGresult *r, int col) { return strcmp(PQgetvalue(r, 0, col), "t") == 0; }

void challenges_refuse_area(struct request *req, const char *area)
{
    char why[160];
    if (strcmp(area, "coordination") == 0)
        snprintf(why, sizeof why, "Only the coordination may change this challenge.");
    else
        snprintf(why, sizeof why,
                 "Only the %s secretariat or the coordination may change this challenge.", area);
    resp_forbidden(req, why);
}

void challenges_refuse_closed(struct request *req)
{
    resp_problem(req, 409, "conflict", "The cycle is closed",
                 "A closed cycle's challenges, and all that hangs from them, are read-only.");
}

bool challenges_check_write(struct request *req, const char *challenge_id, const char *ibge,
                            struct challenge_scope *out)
{
    if (!challenge_id || !id_is_canonical(challenge_id) || (ibge && !ibge_code_is_valid(ibge))) {
        resp_not_found(req);
        return false;
    }
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {viewer, challenge_id, ibge};
    const PGresult *r = req_exec(req, &STMT_SCOPE, 3, params);
    if (!r)
        return false;
    if (PQntuples(r) == 0 || !is_true(r, SC_IN_STATE)) {
        resp_not_found(req);
    } else if (!is_true(r, SC_MANAGES)) {
        challenges_refuse_area(req, PQgetvalue(r, 0, SC_AREA));
    } else if (is_true(r, SC_CLOSED)) {
        challenges_refuse_closed(req);
    } else {
        if (out) {
            snprintf(out->state_code, sizeof out->state_code, "%s", PQgetvalue(r, 0, SC_STATE));
            out->combine_all = is_true(r, SC_ALL);
        }
        return true;
    }
    return false;
}

bool challenges_begin_write(struct request *req, const char *challenge_id, const char *ibge,
                            struct challenge_scope *out)
{
    if (!req_db(req))
        return false;
    if (!db_begin(req->db)) {
        resp_db_error(req);
        return false;
    }
    return challenges_check_write(req, challenge_id, ibge, out);
}
