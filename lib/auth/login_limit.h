/*
 * Throttling of failed logins, per account and per client address, in memory
 * (per server process). A key that failed too often in the window is locked
 * until the window passes.
 */
#ifndef PACTO_AUTH_LOGIN_LIMIT_H
#define PACTO_AUTH_LOGIN_LIMIT_H

#include <stdbool.h>
#include <time.h>

#define LOGIN_LIMIT_WINDOW      900 /* seconds */
#define LOGIN_LIMIT_PER_ACCOUNT 5
#define LOGIN_LIMIT_PER_ADDRESS 20

/* True when `account` (lower-cased e-mail) and `address` may try now (a NULL
 * key is not checked). When
 * false, *retry_after is the number of seconds until they may. Thread-safe. */
bool login_limit_check(const char *account, const char *address, time_t now, int *retry_after);

/* Records one failure for both keys (a NULL one is skipped). Thread-safe;
 * memory is bounded: when full, expired entries are forgotten first, then the
 * least recently failed unlocked ones, and locked ones last. */
void login_limit_fail(const char *account, const char *address, time_t now);

/* Forgets the account's failures after a successful login. */
void login_limit_success(const char *account);

/* Forgets everything (tests). */
void login_limit_reset(void);

#endif
