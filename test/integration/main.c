/*
 * Runs every integration suite in one process (no fork: the tests share one
 * libcurl and libpq set-up), in the order listed; the suites that freeze
 * and restart PostgreSQL last.
 */
#include "suites.h"

#include <curl/curl.h>
#include <stdlib.h>

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    SRunner *sr = srunner_create(system_suite());
    srunner_add_suite(sr, http_suite());
    srunner_add_suite(sr, auth_suite());
    srunner_add_suite(sr, users_suite());
    srunner_add_suite(sr, municipalities_suite());
    srunner_add_suite(sr, import_suite());
    srunner_add_suite(sr, audit_suite());
    srunner_add_suite(sr, idempotency_suite());
    srunner_add_suite(sr, municipality_view_suite());
    srunner_add_suite(sr, cycles_suite());
    srunner_add_suite(sr, adhesions_suite());
    srunner_add_suite(sr, invitations_suite());
    srunner_add_suite(sr, representative_suite());
    srunner_add_suite(sr, team_suite());
    srunner_add_suite(sr, db_suite());
    srunner_add_suite(sr, hashing_suite());
    srunner_add_suite(sr, idp_suite());
    srunner_add_suite(sr, matrix_suite());
    srunner_add_suite(sr, resource_suite());
    srunner_add_suite(sr, wire_suite());
    srunner_add_suite(sr, freshness_suite());
    srunner_add_suite(sr, frozen_suite());
    srunner_add_suite(sr, restart_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int ran = srunner_ntests_run(sr);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    return (failed == 0 && ran > 0) ? EXIT_SUCCESS : EXIT_FAILURE;
}
