/*
 * Known data for the integration tests: a clean database with two states,
 * a few municipalities with registered mayors, and one account per role,
 * plus tokens signed with the server's secret.
 */
#ifndef PACTO_TEST_FIXTURE_H
#define PACTO_TEST_FIXTURE_H

#include <libpq-fe.h>
#include <stdbool.h>

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
    U_COUNT
};

/* Empties every table and loads the fixture. Call at the start of each test. */
void fixture_reset(void);

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
/* Runs SQL that returns nothing; fails the test on error. */
void fixture_exec(const char *sql);

#endif
