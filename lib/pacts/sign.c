/*
 * POST /v1/action-plans/{plan_id}/pact: the mayor signs the pact of an
 * approved plan (see pacts.h). The handler reads as the refusals come:
 *   - the plan, locked (plans_lock: 404 when it is another municipality's);
 *   - the body: mayor_cpf, a valid CPF (422 validation-failed);
 *   - the cycle's pact window, against the database clock (422
 *     pact-window-closed, saying when it opens or closed); a revised plan
 *     (one pacted before, approved again with other targets) is signed
 *     again outside the window too, until its cycle's target year ends
 *     (plan_resigns, sql/027_revisions.sql): the program runs on after the
 *     window, and so do its revisions;
 *   - the plan's status: approved only (409 plan-not-approved, naming it;
 *     a plan already pacted is not approved any more);
 *   - mayor_cpf must be the municipality's registered mayor's and the
 *     caller's own (422 validation-failed on mayor_cpf, as for an adhesion);
 *   - the plan's adhesion must still be active (422 adhesion-required);
 * then one statement writes the pact, its targets, the plan's move to
 * `pacted` with its transition, and the grants, and one audit event records
 * the pact, in the transaction plans_lock opened.
 *
 * The plan is locked FOR UPDATE, its cycle, municipality and adhesion FOR
 * SHARE until the commit: a second signature of the same plan waits and then
 * finds it pacted; a concurrent withdrawal of the adhesion, a change of the
 * window or of the registered mayor cannot slip between the checks and the
 * insert. Grants are ON CONFLICT DO NOTHING on (incentive, municipality): an
 * incentive is granted to a municipality once, whatever the concurrency.
 * The Idempotency-Key is the route's (IDEMPOTENT, http/idempotency.h).
 */
#include "pacts/pacts.h"

#include "authz/policy.h"
#include "db/db.h"
#include "plans/plan.h"
#include "resource/resource.h"

#include <stdio.h>
#include <string.h>

/* $1 viewer, $2 plan, $3 the CPF given: what the checks need, with the
 * cycle, the municipality and the adhesion locked until the commit. */
static const struct db_stmt STMT_PACT_CONTEXT = {
    .name = "pact_context",
    .sql = "SELECT cycle_phase(c, now()) = 'pact_open', now() < c.pact_opens_at,"
           "       pacto_ts(c.pact_opens_at), pacto_ts(c.pact_closes_at),"
           "       coalesce(m.mayor_cpf = $3 AND ($1::pacto_viewer).cpf = $3, false),"
           "       a.status = 'active', plan_resigns(p, c)"
           "  FROM action_plans p JOIN cycles c ON c.id = p.cycle_id"
           "  JOIN municipalities m ON m.ibge_code = p.municipality_id"
           "  JOIN adhesions a ON a.id = p.adhesion_id"
           " WHERE p.id = $2 FOR SHARE OF c, m, a",
};
enum { CTX_OPEN, CTX_NOT_YET_OPEN, CTX_OPENS, CTX_CLOSES, CTX_MAYOR, CTX_ADHERED, CTX_RESIGNS };

/* $1 viewer, $2 plan (locked, approved). The pact on the plan's last frozen
 * version (a re-signature's: the revised one); its targets from the plan's,
 * for the cycle's target year, with the baseline of the municipality's
 * suggested target when there is one; the plan pacted (its version bumped:
 * the ETag) with a `pact` transition; and every incentive of the challenge
 * granted, once per municipality. Answers the pact's id. */
static const struct db_stmt STMT_PACT_SIGN = {
    .name = "pact_sign",
    .sql =
        "WITH p AS ("
        "  SELECT p.*, s.uf, c.target_year FROM action_plans p"
        "    JOIN cycles c ON c.id = p.cycle_id JOIN states s ON s.code = c.state_code"
        "   WHERE p.id = $2),"
        " k AS ("
        "  INSERT INTO pacts (plan_id, plan_version, cycle_id, challenge_id, municipality_id,"
        "                     adhesion_id, protocol, signed_by)"
        "  SELECT p.id, p.versions, p.cycle_id, p.challenge_id, p.municipality_id,"
        "         p.adhesion_id, pact_next_protocol(p.uf), ($1::pacto_viewer).user_id FROM p"
        "  RETURNING id, municipality_id, challenge_id),"
        " t AS ("
        "  INSERT INTO pact_targets (pact_id, indicator_id, target_value, target_year,"
        "                            baseline_value, baseline_period)"
        "  SELECT k.id, pt.indicator_id, pt.target_value, p.target_year, s.baseline_value,"
        "         s.baseline_period"
        "    FROM k CROSS JOIN p JOIN plan_targets pt ON pt.plan_id = p.id"
        "    LEFT JOIN suggested_targets s ON s.challenge_id = p.challenge_id"
        "         AND s.indicator_id = pt.indicator_id AND s.municipality_id = p.municipality_id),"
        " u AS ("
        "  UPDATE action_plans SET status = 'pacted', version = version + 1, updated_at = now()"
        "   WHERE id = $2),"
        " tr AS ("
        "  INSERT INTO plan_transitions (plan_id, action, from_status, to_status, version,"
        "                                user_id)"
        "  SELECT p.id, 'pact', p.status, 'pacted', nullif(p.versions, 0),"
        "         ($1::pacto_viewer).user_id FROM p),"
        " g AS ("
        "  INSERT INTO incentive_grants (incentive_id, municipality_id, pact_id)"
        "  SELECT i.id, k.municipality_id, k.id FROM k"
        "    JOIN incentives i ON i.challenge_id = k.challenge_id"
        "  ON CONFLICT (incentive_id, municipality_id) DO NOTHING)"
        " SELECT k.id FROM k",
};

/* $1 viewer, $2 pact: the columns resource_changed reads. */
static const struct db_stmt STMT_PACT_ROW = {
    .name = "pact_row",
    .sql = "SELECT k.id, NULL, pact_json(k, $1::pacto_viewer), pact_snapshot(k)"
           "  FROM pacts k WHERE k.id = $2",
};

static bool is_true(const PGresult *r, int col) { return strcmp(PQgetvalue(r, 0, col), "t") == 0; }

/* Refuses a pact the cycle, the plan or the signer do not allow; true when it did. */
static bool refuse_pact(struct request *req, const struct plan_lock *p, const PGresult *ctx)
{
    char detail[200];
    if (!is_true(ctx, CTX_OPEN) && !is_true(ctx, CTX_RESIGNS)) {
        if (is_true(ctx, CTX_NOT_YET_OPEN))
            snprintf(detail, sizeof detail, "The pact window is not open yet: it opens at %s.",
                     PQgetvalue(ctx, 0, CTX_OPENS));
        else
            snprintf(detail, sizeof detail, "The pact window closed at %s.",
                     PQgetvalue(ctx, 0, CTX_CLOSES));
        resp_problem(req, 422, "pact-window-closed", "Outside the pact window", detail);
    } else if (strcmp(p->status, "approved") != 0) {
        snprintf(detail, sizeof detail, "The plan is %s: only an approved plan can be pacted.",
                 p->status);
        resp_problem(req, 409, "plan-not-approved", "The plan is not approved", detail);
    } else if (!is_true(ctx, CTX_MAYOR)) {
        struct field_errors e = {0};
        field_error(&e, "mayor_cpf",
                    "must be the CPF of the municipality's registered mayor, who must be you");
        resp_validation(req, &e, NULL);
    } else if (!is_true(ctx, CTX_ADHERED)) {
        resp_problem(req, 422, "adhesion-required", "No active adhesion",
                     "The municipality's adhesion to the cycle was withdrawn: a plan is pacted "
                     "only under an active adhesion.");
    } else {
        return false;
    }
    return true;
}

void pacts_sign(struct request *req)
{
    struct plan_lock p;
    struct res_write w = {0};
    /* The plan first: another municipality's plan is not found, whatever
     * the body says. */
    if (!plans_lock(req, false, &p) || !resource_read(req, &pacts_resource, true, &w)) {
        field_errors_free(&w.errors);
        return;
    }
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const char *params[] = {
        viewer, p.id, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w.doc, "mayor_cpf"))};
    const PGresult *ctx, *made, *r;
    if (!(ctx = req_exec(req, &STMT_PACT_CONTEXT, 3, params))) {
        /* answered */
    } else if (PQntuples(ctx) == 0) {
        resp_not_found(req); /* not reached: the plan is locked */
    } else if (refuse_pact(req, &p, ctx)) {
        /* answered */
    } else if (!(made = req_exec(req, &STMT_PACT_SIGN, 2, params))) {
        /* answered */
    } else {
        const char *row[] = {viewer, PQgetvalue(made, 0, 0)};
        if ((r = req_exec(req, &STMT_PACT_ROW, 2, row)))
            resource_changed(req, &pacts_resource, "create", NULL, r, 201);
    }
    field_errors_free(&w.errors);
}
