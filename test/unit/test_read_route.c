/*
 * Unit tests for lib/db/lsn.c and lib/db/route.c: WAL positions as text, and
 * where an anonymous public read goes.
 */
#include "db/lsn.h"
#include "db/route.h"
#include "suites.h"

START_TEST(test_lsn_parse)
{
    uint64_t v = 1;
    ck_assert(db_lsn_parse("0/0", &v));
    ck_assert_uint_eq(v, 0);
    ck_assert(db_lsn_parse("0/16B3748", &v));
    ck_assert_uint_eq(v, 0x16B3748);
    ck_assert(db_lsn_parse("1/0", &v));
    ck_assert_uint_eq(v, UINT64_C(1) << 32);
    ck_assert(db_lsn_parse("ffffffff/FFFFFFFF", &v));
    ck_assert_uint_eq(v, UINT64_MAX);
    ck_assert(db_lsn_parse("A/b", &v));
    ck_assert_uint_eq(v, UINT64_C(0xA) << 32 | 0xB);
}
END_TEST

START_TEST(test_lsn_parse_refuses)
{
    static const char *const bad[] = {"",     "/",           "0/",          "/0",   "0",    "0/0/0",
                                      " 0/1", "0/1 ",        "0x1/2",       "-1/2", "+1/2", "g/1",
                                      "1/g",  "123456789/1", "1/123456789", "0//1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint64_t v = 42;
        ck_assert_msg(!db_lsn_parse(bad[i], &v), "\"%s\" parsed", bad[i]);
        ck_assert_uint_eq(v, 42);
    }
    uint64_t v = 42;
    ck_assert(!db_lsn_parse(NULL, &v));
}
END_TEST

START_TEST(test_lsn_round_trip_and_order)
{
    static const uint64_t values[] = {
        0, 1, 0x16B3748, UINT64_C(0x100000000), UINT64_C(0x2FFFFFFFF), UINT64_MAX};
    char text[DB_LSN_TEXT_MAX];
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        db_lsn_format(values[i], text);
        uint64_t back = 0;
        ck_assert(db_lsn_parse(text, &back));
        ck_assert_uint_eq(back, values[i]);
    }
    db_lsn_format(UINT64_C(0x1000016B3748), text);
    ck_assert_str_eq(text, "1000/16B3748");
    /* "0/FFFFFFFF" is before "1/0", though shorter as text. */
    uint64_t a, b;
    ck_assert(db_lsn_parse("0/FFFFFFFF", &a) && db_lsn_parse("1/0", &b));
    ck_assert(a < b);
}
END_TEST

static const struct db_replica_view healthy = {
    .configured = true, .up = true, .replay_lsn = 1000, .lag_ms = 20};

START_TEST(test_route_healthy_replica)
{
    ck_assert_int_eq(db_route_read(&healthy, 0, 5000), DB_TARGET_REPLICA);
    ck_assert_int_eq(db_route_read(&healthy, 0, 0), DB_TARGET_REPLICA);
}
END_TEST

START_TEST(test_route_read_your_writes)
{
    /* Replayed at or past the write: the replica; short of it: the primary. */
    ck_assert_int_eq(db_route_read(&healthy, 999, 5000), DB_TARGET_REPLICA);
    ck_assert_int_eq(db_route_read(&healthy, 1000, 5000), DB_TARGET_REPLICA);
    ck_assert_int_eq(db_route_read(&healthy, 1001, 5000), DB_TARGET_REPLICA_IF_REPLAYED);
    ck_assert_int_eq(db_route_read(&healthy, UINT64_MAX, 5000), DB_TARGET_PRIMARY);
    struct db_replica_view unknown = healthy;
    unknown.replay_lsn = 0;
    ck_assert_int_eq(db_route_read(&unknown, 1, 5000), DB_TARGET_REPLICA_IF_REPLAYED);
    ck_assert_int_eq(db_route_read(&unknown, 0, 5000), DB_TARGET_REPLICA);
}
END_TEST

START_TEST(test_route_down_or_absent)
{
    struct db_replica_view v = healthy;
    v.up = false;
    ck_assert_int_eq(db_route_read(&v, 0, 5000), DB_TARGET_PRIMARY);
    ck_assert_int_eq(db_route_read(&v, 1001, 5000), DB_TARGET_PRIMARY);
    v = healthy;
    v.configured = false;
    ck_assert_int_eq(db_route_read(&v, 0, 5000), DB_TARGET_PRIMARY);
}
END_TEST

START_TEST(test_route_lag_bound)
{
    struct db_replica_view v = healthy;
    v.lag_ms = 5000;
    ck_assert_int_eq(db_route_read(&v, 0, 5000), DB_TARGET_REPLICA);
    v.lag_ms = 5001;
    ck_assert_int_eq(db_route_read(&v, 0, 5000), DB_TARGET_PRIMARY);
    ck_assert_int_eq(db_route_read(&v, 1001, 5000), DB_TARGET_PRIMARY);
    ck_assert_int_eq(db_route_read(&v, 0, 0), DB_TARGET_REPLICA); /* no bound */
    v.lag_ms = -1;                                                /* unknown */
    ck_assert_int_eq(db_route_read(&v, 0, 0), DB_TARGET_PRIMARY);
}
END_TEST

Suite *read_route_suite(void)
{
    Suite *s = suite_create("read_route");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_lsn_parse);
    tcase_add_test(tc, test_lsn_parse_refuses);
    tcase_add_test(tc, test_lsn_round_trip_and_order);
    tcase_add_test(tc, test_route_healthy_replica);
    tcase_add_test(tc, test_route_read_your_writes);
    tcase_add_test(tc, test_route_down_or_absent);
    tcase_add_test(tc, test_route_lag_bound);
    suite_add_tcase(s, tc);
    return s;
}
