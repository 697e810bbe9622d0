/*
 * The adhesion endpoints: sign, list, read, withdraw (see adhesions.h).
 *
 * Signing checks the window against the database clock inside the
 * transaction that inserts, with the cycle and the municipality locked FOR
 * SHARE, so that a concurrent change of the window or of the registered mayor
 * cannot slip between the check and the insert. The partial unique index
 * adhesions_one_active makes "one active adhesion per municipality and cycle"
 * hold under any concurrency; the insert answers no row instead of failing.
 */
#include "adhesions/adhesions.h"

#include "audit/audit.h"
#include "auth/session.h"
#include "cycles/cycles.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/query.h"
#include "validate/cpf.h"

#include <stdio.h>
#include <string.h>

/* An adhesion's fields as anyone may see them; expects the aliases of
 * ADHESION_JOINS. */
#define ADHESION_FIELDS                                                                            \
    "'id', a.id, 'cycle_id', a.cycle_id, 'municipality_id', a.municipality_id,"                    \
    " 'municipality_name', m.name, 'state', s.uf, 'protocol', a.protocol, 'status', a.status,"     \
    " 'signed_at', pacto_ts(a.signed_at), 'withdrawn_at', pacto_ts(a.withdrawn_at),"               \
    " 'commitments', a.commitments"

/* Who signed and who withdrew: for the coordination and the municipality. */
#define ADHESION_PEOPLE                                                                            \
    "'signer', json_build_object('user_id', u.id, 'name', u.name),"                                \
    " 'withdrawn_by', CASE WHEN w.id IS NOT NULL"                                                  \
    "                 THEN json_build_object('user_id', w.id, 'name', w.name) END"

/* Everything (there is no CPF in an adhesion): the audit snapshot, and the
 * answer to the mayor who signs or withdraws. */
#define ADHESION_FULL "json_build_object(" ADHESION_FIELDS ", " ADHESION_PEOPLE ")"

/* The answer to a reader: $1 says the caller is the coordination, $2 is the
 * caller's own municipality (mayor or representative) or NULL. */
#define ADHESION_FOR_READER                                                                        \
    "CASE WHEN $1::boolean OR a.municipality_id = $2::text THEN " ADHESION_FULL                    \
    " ELSE json_build_object(" ADHESION_FIELDS ") END"

#define ADHESION_JOINS                                                                             \
    " JOIN municipalities m ON m.ibge_code = a.municipality_id"                                    \
    " JOIN states s ON s.code = m.state_code"                                                      \
    " JOIN users u ON u.id = a.signed_by"                                                          \
    " LEFT JOIN users w ON w.id = a.withdrawn_by"

/* What signing must know, with the cycle and the mayor's municipality locked
 * until the transaction ends. */
static const struct db_stmt STMT_ADHESION_CONTEXT = {
    .name = "adhesion_context",
    .sql = "SELECT s.uf, c.state_code = m.state_code, now() < c.adhesion_opens_at,"
           "       now() >= c.adhesion_closes_at, pacto_ts(c.adhesion_opens_at),"
           "       pacto_ts(c.adhesion_closes_at), m.mayor_cpf"
           "  FROM cycles c JOIN states s ON s.code = c.state_code"
           "  JOIN municipalities m ON m.ibge_code = $2"
           " WHERE c.id = $1 FOR SHARE OF c, m",
};
enum { CTX_UF, CTX_IN_STATE, CTX_NOT_YET_OPEN, CTX_CLOSED, CTX_OPENS, CTX_CLOSES, CTX_MAYOR_CPF };

/* The protocol is <UF>-<year signed, UTC>-<at least 6 digits>. No row when
 * the municipality already has an active adhesion to the cycle. */
static const struct db_stmt STMT_ADHESION_INSERT = {
    .name = "adhesion_insert",
    .sql = "WITH a AS ("
           "  INSERT INTO adhesions (cycle_id, municipality_id, protocol, signed_by, commitments)"
           "  SELECT c.id, $2, s.uf || '-' || to_char(now() AT TIME ZONE 'UTC', 'YYYY') || '-'"
           "                   || lpad(n.v::text, greatest(6, length(n.v::text)), '0'),"
           "         $3, c.commitments"
           "    FROM cycles c JOIN states s ON s.code = c.state_code,"
           "         nextval('adhesion_protocol_seq') AS n(v)"
           "   WHERE c.id = $1"
           "  ON CONFLICT (cycle_id, municipality_id) WHERE status = 'active' DO NOTHING"
           "  RETURNING *)"
           "SELECT a.id, " ADHESION_FULL " FROM a" ADHESION_JOINS,
};

static const struct db_stmt STMT_ADHESION_CYCLE = {
    .name = "adhesion_cycle",
    .sql = "SELECT 1 FROM cycles WHERE id = $1",
};

static const struct db_stmt STMT_ADHESION_LIST = {
    .name = "adhesion_list",
    .sql = "SELECT a.id, " ADHESION_FOR_READER ","
           "       a.id, a.municipality_id, m.name, s.uf, a.protocol, a.status,"
           "       pacto_ts(a.signed_at)"
           "  FROM adhesions a" ADHESION_JOINS " WHERE a.cycle_id = $3"
           "   AND ($4::text IS NULL OR s.uf = $4)"
           "   AND ($5::text IS NULL OR a.status = $5)"
           "   AND ($6::bigint IS NULL OR a.id > $6)"
           " ORDER BY a.id LIMIT $7",
};

static const struct db_stmt STMT_ADHESION_GET = {
    .name = "adhesion_get",
    .sql = "SELECT " ADHESION_FOR_READER " FROM adhesions a" ADHESION_JOINS
           " WHERE a.cycle_id = $3 AND a.id = $4",
};

static const struct db_stmt STMT_ADHESION_LOCK = {
    .name = "adhesion_lock",
    .sql = "SELECT a.municipality_id, a.status, " ADHESION_FULL " FROM adhesions a" ADHESION_JOINS
           " WHERE a.cycle_id = $1 AND a.id = $2 FOR UPDATE OF a",
};
enum { LOCK_MUNICIPALITY, LOCK_STATUS, LOCK_SNAPSHOT };

/* No row when the adhesion may not be withdrawn. */
static const struct db_stmt STMT_ADHESION_WITHDRAW = {
    .name = "adhesion_withdraw",
    .sql = "WITH a AS ("
           "  UPDATE adhesions SET status = 'withdrawn', withdrawn_at = now(), withdrawn_by = $2"
           "   WHERE id = $1 AND status = 'active'"
           /* Only before any pact (SPEC 3): pacts (a later issue) will add
            * "and no pact exists" for this adhesion here. */
           "     /* AND no pact exists: added with pacts */"
           "  RETURNING *)"
           "SELECT a.id, " ADHESION_FULL " FROM a" ADHESION_JOINS,
};

static bool is_mayor(const struct request *req) { return strcmp(req->who.role, "mayor") == 0; }

/* Reads the signature: mayor_cpf (normalized into cpf) and
 * accepted_commitments, which must be true. */
static void read_signature(const cJSON *body, char cpf[12], struct field_errors *e)
{
    static const char *const allowed[] = {"mayor_cpf", "accepted_commitments", NULL};
    static const char *const readonly[] = {
        "id",     "cycle_id",  "municipality_id", "municipality_name", "state",  "protocol",
        "status", "signed_at", "withdrawn_at",    "commitments",       "signer", NULL};
    fields_only(body, allowed, readonly, e);
    const char *text = NULL;
    enum field_state st = field_string(body, "mayor_cpf", 14, &text, e);
    field_required(st, "mayor_cpf", e);
    if (st == FIELD_SET && !cpf_normalize(text, cpf))
        field_error(e, "mayor_cpf", "is not a valid CPF");
    bool accepted = false;
    st = field_bool(body, "accepted_commitments", &accepted, e);
    field_required(st, "accepted_commitments", e);
    if (st == FIELD_SET && !accepted)
        field_error(e, "accepted_commitments",
                    "must be true: adhering means accepting the cycle's commitments");
}

/* Answers an adhesion from the JSON in column col of row 0. */
static void respond(struct request *req, int status, const PGresult *r, int col)
{
    resp_json(req, status, PQgetvalue(r, 0, col), strlen(PQgetvalue(r, 0, col)));
}

/* Writes the audit event of a change and answers it; commits. r has the
 * adhesion's id in column 0 and its full JSON in column 1. */
static void changed(struct request *req, int status, const char *action, const char *before,
                    const PGresult *r)
{
    struct audit_actor actor = audit_actor_of(req);
    if (!audit_record(req->db, &actor, action, "adhesion", PQgetvalue(r, 0, 0), before,
                      PQgetvalue(r, 0, 1))) {
        resp_db_error(req);
        return;
    }
    if (status == 201)
        resp_header(req, "Location", "/v1/cycles/%s/adhesions/%s", req_param(req, 0),
                    PQgetvalue(r, 0, 0));
    respond(req, status, r, 1);
    req_commit(req);
}

/* Refuses a signature the cycle's rules do not allow; true when it did. */
static bool refuse_signature(struct request *req, const PGresult *ctx, const char *cpf)
{
    char detail[160];
    const char *registered =
        PQgetisnull(ctx, 0, CTX_MAYOR_CPF) ? "" : PQgetvalue(ctx, 0, CTX_MAYOR_CPF);
    if (strcmp(PQgetvalue(ctx, 0, CTX_IN_STATE), "t") != 0) {
        snprintf(detail, sizeof detail, "This cycle is for the municipalities of %s.",
                 PQgetvalue(ctx, 0, CTX_UF));
        resp_problem(req, 422, "municipality-not-in-cycle-state",
                     "The municipality is not in the cycle's state", detail);
    } else if (strcmp(PQgetvalue(ctx, 0, CTX_NOT_YET_OPEN), "t") == 0) {
        snprintf(detail, sizeof detail, "The adhesion window is not open yet: it opens at %s.",
                 PQgetvalue(ctx, 0, CTX_OPENS));
        resp_problem(req, 422, "adhesion-window-closed", "Outside the adhesion window", detail);
    } else if (strcmp(PQgetvalue(ctx, 0, CTX_CLOSED), "t") == 0) {
        snprintf(detail, sizeof detail, "The adhesion window closed at %s.",
                 PQgetvalue(ctx, 0, CTX_CLOSES));
        resp_problem(req, 422, "adhesion-window-closed", "Outside the adhesion window", detail);
    } else if (strcmp(cpf, registered) != 0 || strcmp(cpf, req->who.cpf) != 0) {
        struct field_errors e = {0};
        field_error(&e, "mayor_cpf",
                    "must be the CPF of the municipality's registered mayor, who must be you");
        resp_validation(req, &e, NULL);
    } else {
        return false;
    }
    return true;
}

/* Signs in one transaction: checks the cycle's rules, inserts, audits. */
static void sign(struct request *req, const char *cycle_id, const char *cpf)
{
    const char *ctx_params[] = {cycle_id, req->who.municipality_id};
    const char *params[] = {cycle_id, req->who.municipality_id, req->who.user_id_str};
    PGresult *ctx = NULL, *r = NULL;
    if (!db_begin(req->db) || !(ctx = db_exec(req->db, &STMT_ADHESION_CONTEXT, 2, ctx_params))) {
        resp_db_error(req);
    } else if (PQntuples(ctx) == 0) {
        resp_not_found(req);
    } else if (refuse_signature(req, ctx, cpf)) {
        /* answered */
    } else if (!(r = db_exec(req->db, &STMT_ADHESION_INSERT, 3, params))) {
        resp_db_error(req);
    } else if (PQntuples(r) == 0) {
        resp_problem(req, 409, "conflict", "Already adhered",
                     "The municipality already has an active adhesion to this cycle.");
    } else {
        changed(req, 201, "create", NULL, r);
    }
    PQclear(ctx);
    PQclear(r);
}

void adhesions_create(struct request *req)
{
    /* The role comes first: a non-mayor learns nothing from a bad body. */
    if (!is_mayor(req)) {
        resp_forbidden(req, "Only the municipality's mayor may sign the adhesion.");
        return;
    }
    cJSON *body = req_json_object(req, false);
    if (!body)
        return;
    struct field_errors e = {0};
    char cpf[12] = "";
    read_signature(body, cpf, &e);
    const char *cycle_id = req_param(req, 0);
    if (e.count)
        resp_validation(req, &e, NULL);
    else if (!cycles_is_id(cycle_id))
        resp_not_found(req);
    else if (req_db(req))
        sign(req, cycle_id, cpf);
    field_errors_free(&e);
    cJSON_Delete(body);
}

/* The reader parameters $1 and $2 of ADHESION_FOR_READER. */
static void reader_params(const struct request *req, const char **params)
{
    params[0] = authz_is_coordination(&req->who) ? "true" : "false";
    params[1] =
        authz_is_municipal(&req->who, req->who.municipality_id) ? req->who.municipality_id : NULL;
}

/* True when the cycle exists; otherwise answers 404 (or the database error). */
static bool cycle_exists(struct request *req, struct db_conn *db, const char *cycle_id)
{
    if (!cycles_is_id(cycle_id)) {
        resp_not_found(req);
        return false;
    }
    const char *params[] = {cycle_id};
    PGresult *r = db_exec(db, &STMT_ADHESION_CYCLE, 1, params);
    if (!r) {
        resp_db_error(req);
        return false;
    }
    bool found = PQntuples(r) == 1;
    if (!found)
        resp_not_found(req);
    PQclear(r);
    return found;
}

void adhesions_list(struct request *req)
{
    static const char *const allowed[] = {"state", "status", "limit", "cursor", NULL};
    struct query q;
    struct page page;
    const char *cycle_id = req_param(req, 0);
    char list[48];
    snprintf(list, sizeof list, "adhesions:%.20s", cycle_id);
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, list, &page))
        return;
    const char *state = query_get(&q, "state");
    const char *status = query_get(&q, "status");
    if (state && (strlen(state) != 2 || strspn(state, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 2)) {
        resp_bad_parameter(req, "state must be a two-letter UF code such as SP.");
        return;
    }
    if (status && strcmp(status, "active") != 0 && strcmp(status, "withdrawn") != 0) {
        resp_bad_parameter(req, "status must be active or withdrawn.");
        return;
    }
    struct db_conn *db = req_db(req);
    if (!db || !cycle_exists(req, db, cycle_id))
        return;
    const char *params[7] = {NULL,
                             NULL,
                             cycle_id,
                             state,
                             status,
                             page.after[0] ? page.after : NULL,
                             page.limit_plus_one};
    reader_params(req, params);
    PGresult *r = db_exec(db, &STMT_ADHESION_LIST, 7, params);
    if (!r) {
        resp_db_error(req);
        return;
    }
    resp_page_rows(req, &page, r, 0, 1,
                   "id,municipality_id,municipality_name,state,protocol,status,signed_at", 2);
    PQclear(r);
}

void adhesions_get(struct request *req)
{
    static const char *const allowed[] = {NULL};
    struct query q;
    if (!query_parse(req, allowed, &q))
        return;
    const char *cycle_id = req_param(req, 0), *id = req_param(req, 1);
    if (!cycles_is_id(cycle_id) || !cycles_is_id(id)) {
        resp_not_found(req);
        return;
    }
    struct db_conn *db = req_db(req);
    if (!db)
        return;
    const char *params[4] = {NULL, NULL, cycle_id, id};
    reader_params(req, params);
    PGresult *r = db_exec(db, &STMT_ADHESION_GET, 4, params);
    if (!r)
        resp_db_error(req);
    else if (PQntuples(r) == 1)
        respond(req, 200, r, 0);
    else
        resp_not_found(req);
    PQclear(r);
}

/* Withdraws the locked adhesion `cur` in its transaction. */
static void withdraw(struct request *req, const char *id, const PGresult *cur)
{
    const char *params[] = {id, req->who.user_id_str};
    PGresult *r = db_exec(req->db, &STMT_ADHESION_WITHDRAW, 2, params);
    if (!r)
        resp_db_error(req);
    else if (PQntuples(r) == 0)
        resp_problem(req, 409, "conflict", "The adhesion can no longer be withdrawn",
                     "A pact was signed under this adhesion.");
    else
        changed(req, 200, "withdraw", PQgetvalue(cur, 0, LOCK_SNAPSHOT), r);
    PQclear(r);
}

void adhesions_withdraw(struct request *req)
{
    if (!is_mayor(req)) {
        resp_forbidden(req, "Only the municipality's mayor may withdraw its adhesion.");
        return;
    }
    const char *cycle_id = req_param(req, 0), *id = req_param(req, 1);
    const char *params[] = {cycle_id, id};
    PGresult *cur = NULL;
    if (!cycles_is_id(cycle_id) || !cycles_is_id(id)) {
        resp_not_found(req);
    } else if (!req_db(req)) {
        /* req_db answered */
    } else if (!db_begin(req->db) || !(cur = db_exec(req->db, &STMT_ADHESION_LOCK, 2, params))) {
        resp_db_error(req);
    } else if (PQntuples(cur) == 0 || /* another municipality's is not visible */
               strcmp(PQgetvalue(cur, 0, LOCK_MUNICIPALITY), req->who.municipality_id) != 0) {
        resp_not_found(req);
    } else if (strcmp(PQgetvalue(cur, 0, LOCK_STATUS), "active") != 0) {
        resp_problem(req, 409, "conflict", "Already withdrawn",
                     "This adhesion was already withdrawn.");
    } else {
        withdraw(req, id, cur);
    }
    PQclear(cur);
}
