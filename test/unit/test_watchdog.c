/*
 * Unit tests of the database watchdog (lib/db/watchdog.h): a blocking read
 * on a socket nobody writes to ends when the watchdog's time is up, and a
 * watchdog stopped in time leaves the socket alone.
 */
#include "suites.h"

#include "db/watchdog.h"

#include <sys/socket.h>
#include <unistd.h>

START_TEST(a_blocking_read_ends_at_the_deadline)
{
    int fds[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    struct db_watchdog *w = db_watchdog_start(fds[0], 50);
    ck_assert_ptr_nonnull(w);
    char c;
    /* The peer never writes: only the watchdog's shutdown ends the read. */
    ck_assert_int_le(recv(fds[0], &c, 1, 0), 0);
    ck_assert(db_watchdog_stop(w));
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(a_watchdog_stopped_in_time_does_nothing)
{
    int fds[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    struct db_watchdog *w = db_watchdog_start(fds[0], 60000);
    ck_assert_ptr_nonnull(w);
    ck_assert(!db_watchdog_stop(w));
    /* The socket still works both ways. */
    ck_assert_int_eq(send(fds[1], "x", 1, 0), 1);
    char c = 0;
    ck_assert_int_eq(recv(fds[0], &c, 1, 0), 1);
    ck_assert_int_eq(c, 'x');
    ck_assert(!db_watchdog_stop(NULL));
    close(fds[0]);
    close(fds[1]);
}
END_TEST

Suite *watchdog_suite(void)
{
    Suite *s = suite_create("watchdog");
    TCase *tc = tcase_create("watchdog");
    tcase_add_test(tc, a_blocking_read_ends_at_the_deadline);
    tcase_add_test(tc, a_watchdog_stopped_in_time_does_nothing);
    suite_add_tcase(s, tc);
    return s;
}
