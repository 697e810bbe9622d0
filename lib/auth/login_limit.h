/*
 * Throttling of failed logins (and failed invitation activations), per
 * account and per client address, kept in PostgreSQL (table login_throttle,
 * sql/034_login_throttle.sql) so that it holds across every server behind
 * the load balancer, and by PostgreSQL's clock, so that servers whose clocks
 * differ count one window. A key that failed too often in the window is
 * locked until the window passes. Each function is one statement on the
 * primary's connection it is given, outside any transaction of the caller's
 * (a failure must be kept even when the request's transaction is not).
 */
#ifndef PACTO_AUTH_LOGIN_LIMIT_H
#define PACTO_AUTH_LOGIN_LIMIT_H

#include <stdbool.h>

struct db_conn;

#define LOGIN_LIMIT_WINDOW      900 /* seconds */
#define LOGIN_LIMIT_PER_ACCOUNT 5
#define LOGIN_LIMIT_PER_ADDRESS 20

/* Sets *retry_after to 0 when `account` (an e-mail, compared lower-cased)
 * and `address` may try now (a NULL key is not checked), else to the seconds
 * (1..LOGIN_LIMIT_WINDOW) until both may. Returns false when the database
 * failed (db_last_error says how; *retry_after is then unset). */
bool login_limit_check(struct db_conn *db, const char *account, const char *address,
                       int *retry_after);

/* Records one failure for both keys (a NULL one is skipped), and removes a
 * few keys whose window has passed. Returns false when the database failed. */
bool login_limit_fail(struct db_conn *db, const char *account, const char *address);

/* Forgets the account's failures after a successful login. Returns false
 * when the database failed. */
bool login_limit_success(struct db_conn *db, const char *account);

#endif
