/*
 * Known data for the integration tests: a clean database with two states,
 * a few municipalities with registered mayors, and one account per role,
 * plus tokens signed with the server's secret.
 */
#ifndef PACTO_TEST_FIXTURE_H
#define PACTO_TEST_FIXTURE_H

#include "client.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

/* Municipalities of the fixture (all valid IBGE codes). */
#define CG                 "5002704" /* Campo Grande, MS: mayor Maria, CPF 52998224725 */
#define DOURADOS           "5003702" /* Dourados, MS: mayor João, CPF 11144477735 */
#define SAO_PAULO          "3550308" /* São Paulo, SP: no mayor registered */
#define CG_MAYOR_CPF       "52998224725"
#define DOURADOS_MAYOR_CPF "11144477735"
#define FIXTURE_PASSWORD   "fixture-password-2026"

/* Accounts of the fixture. */
enum fixture_user {
    U_COORDINATION,   /* secretariat, coordination: coord@test.pacto */
    U_HEALTH,         /* secretariat, health: health@test.pacto */
    U_MAYOR_CG,       /* mayor of Campo Grande: mayor.cg@test.pacto */
    U_REP_CG,         /* representative of Campo Grande: rep.cg@test.pacto, CPF 39053344705 */
    U_MAYOR_DOURADOS, /* mayor of Dourados: mayor.dourados@test.pacto */
    U_EDUCATION,      /* secretariat, education: education@test.pacto */
    U_COUNT
};

/* Empties every table and loads the fixture, in one transaction, then gives
 * the server a moment to hear of it (its caches). Call at the start of each
 * test. When FIXTURE_FRESH_ENV is "1", PACTO_DATABASE_URL is a fresh copy of
 * a database that fixture_install filled: the first call in the process, if
 * it comes before any other use of the database and finds it as the
 * template left it, only reads the accounts' ids. */
void fixture_reset(void);

/* Set by scripts/test.sh for a suite that runs on a fresh copy of the template. */
#define FIXTURE_FRESH_ENV "PACTO_TEST_FRESH_DATABASE"

/* Empties every table of PACTO_DATABASE_URL and loads the fixture, outside
 * any test (it makes a template for the suites' own databases). Returns
 * false and says why on stderr when it cannot. */
bool fixture_install(void);

/* A valid access token for the account (signed like the server's own). */
const char *fixture_token(enum fixture_user u);
/* The account's id, as text. */
const char *fixture_user_id(enum fixture_user u);
/* The account's e-mail. */
const char *fixture_email(enum fixture_user u);

/* The test's own database connection (PACTO_DATABASE_URL). */
PGconn *fixture_db(void);
/* Runs a parameterless query and returns the first column of the first row
 * as a long (the test fails if the query fails). */
long fixture_long(const char *sql);
/* fixture_long with the query built printf-style. */
long fixture_longf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The number of rows in the table. */
long fixture_count(const char *table);
/* Runs SQL that returns nothing; fails the test on error. */
void fixture_exec(const char *sql);

/* What a refused request must leave alone: the row counts of states,
 * municipalities and audit_events, and a fingerprint of every municipalities,
 * users, cycles, adhesions and team_members row, and of the program's data
 * (indicators and values, challenges, focalization, targets). */
struct fixture_snapshot {
    long states, municipalities, users, audit, cycles, adhesions, team, municipality_rows, program;
};

struct fixture_snapshot fixture_snapshot(void);
/* Asserts that the database is as the snapshot found it. */
void fixture_assert_unchanged(struct fixture_snapshot before);

/* Sends method path as `who` (U_COUNT: anonymous) with body (a PATCH's as
 * application/merge-patch+json) and the extra headers (NULL-terminated, or
 * NULL). */
struct http_response fixture_call(const char *method, const char *path, enum fixture_user who,
                                  const char *body, const char *const *headers);

/* GETs path with the token (or none) and returns only the status. */
long fixture_get_status(const char *path, const char *token);

/* True when the problem's errors hold one for `field` on `line` (0: any line). */
bool fixture_names_error(const struct http_response *r, const char *field, long line);
/* Asserts a 422 validation-failed problem whose errors name `field`. Does not free r. */
void fixture_expect_invalid(struct http_response *r, const char *field);
/* Asserts a 401 unauthenticated problem with a Bearer challenge in
 * WWW-Authenticate. Does not free r. */
void fixture_expect_unauthenticated(struct http_response *r);

/* A request body and the field its refusal must name. */
struct fixture_invalid_body {
    const char *body, *field;
};

/* Sends req once with each body in its place: each must be refused as
 * fixture_expect_invalid says, and leave the database as it was. */
void fixture_expect_invalid_bodies(const struct http_request *req,
                                   const struct fixture_invalid_body *cases, size_t n);

/* POST /v1/auth/activate with the invitation token and a password. */
struct http_response fixture_activate(const char *token, const char *password);
/* Logs in (POST /v1/auth/token) and copies the access token into out; fails
 * the test unless the login succeeds. */
void fixture_login(const char *email, const char *password, char *out, size_t n);
/* The "invitation"."token" of a response that hands over an invitation;
 * fails the test when there is none. */
const char *fixture_invitation_token(const struct http_response *r);

/* Sends req, which carries an Idempotency-Key, twice: both answers must be
 * the same 201, the second marked Idempotent-Replayed, and `table` must have
 * gained exactly one row, audit_events one event. */
void fixture_expect_replayed(const struct http_request *req, const char *table);

#endif
