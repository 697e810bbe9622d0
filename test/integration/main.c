/*
 * The integration-test runner. Suites run in this process, in the order of
 * the table below (no fork: the tests share one libcurl and libpq set-up),
 * against the server at PACTO_TEST_URL and its database PACTO_DATABASE_URL.
 *   test_integration                 every suite; those that run alone last
 *   test_integration SUITE...        only these suites, in this order
 *   test_integration --list          every suite's name, one a line, followed
 *                                    by " alone" for a suite that nothing may
 *                                    run beside (it restarts PostgreSQL)
 *   test_integration --load-fixture  fills PACTO_DATABASE_URL with the fixture
 *                                    and runs no test (see fixture_install)
 * scripts/test.sh gives each suite a database and a server of its own.
 * Exits 0 when at least one test ran and none failed.
 */
#include "fixture.h"
#include "suites.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The slowest first: scripts/test.sh starts them in this order, several at a
 * time, so that the last to start are short ones. */
static const struct {
    const char *name; /* as given to suite_create */
    Suite *(*create)(void);
    bool alone; /* stops PostgreSQL: nothing else may use it meanwhile */
} suites[] = {
    {"matrix", matrix_suite, false},
    {"idp", idp_suite, false},
    {"hashing", hashing_suite, false},
    {"auth", auth_suite, false},
    {"http", http_suite, false},
    {"representative", representative_suite, false},
    {"invitations", invitations_suite, false},
    {"users", users_suite, false},
    {"municipalities", municipalities_suite, false},
    {"cycles", cycles_suite, false},
    {"adhesions", adhesions_suite, false},
    /* the catalogue */
    {"indicators", indicators_suite, false},
    {"challenges", challenges_suite, false},
    {"import", import_suite, false},
    /* targets */
    {"targets", targets_suite, false},
    {"audit", audit_suite, false},
    {"team", team_suite, false},
    {"idempotency", idempotency_suite, false},
    {"system", system_suite, false},
    {"municipality_view", municipality_view_suite, false},
    {"wire", wire_suite, false},
    {"db", db_suite, false},
    {"resource", resource_suite, false},
    {"freshness", freshness_suite, false},
    {"deadlock", deadlock_suite, false},
    /* focalization */
    {"focalization", focalization_suite, false},
    /* indicator values */
    {"values", values_suite, false},
    {"values_queries", values_queries_suite, false},
    {"values_real", values_real_suite, false},
    /* Action plans: editing */
    {"plans_edit", plans_edit_suite, false},
    /* pacts and the incentives they grant */
    {"pacts", pacts_suite, false},
    /* the portfolio */
    {"portfolio", portfolio_suite, false},
    /* Action plans: review workflow */
    {"plans_flow", plans_flow_suite, false},
    /* Action plans: revisions and deliveries' status */
    {"revisions", revisions_suite, false},
    {"deliveries", deliveries_suite, false},
    /* Monitoring: trajectories and alerts */
    {"trajectories", trajectories_suite, false},
    /* Delivery evidence */
    {"evidence", evidence_suite, false},
    /* Dashboards and open data */
    {"dashboards", dashboards_suite, false},
    {"open_data", open_data_suite, false},
    /* The shared-management forum, co-evaluation and training */
    {"forum", forum_suite, false},
    {"training", training_suite, false},
    /* Public questions and technical assistance */
    {"questions", questions_suite, false},
    {"assistance", assistance_suite, false},
    /* Good practices */
    {"practices", practices_suite, false},
    /* Public consultations */
    {"consultations", consultations_suite, false},
    {"read_routing", read_routing_suite, false},
    {"frozen", frozen_suite, true},
    {"restart", restart_suite, true},
};
#define NSUITES (sizeof suites / sizeof suites[0])

/* Adds suite i to *sr, creating the runner with the first one. */
static void add(SRunner **sr, size_t i)
{
    Suite *s = suites[i].create();
    if (*sr)
        srunner_add_suite(*sr, s);
    else
        *sr = srunner_create(s);
}

/* Every suite, those that run alone last; or the named ones. Returns NULL,
 * having said why, when a name is unknown. */
static SRunner *select_suites(int argc, char **argv)
{
    SRunner *sr = NULL;
    if (argc < 2) {
        for (int alone = 0; alone < 2; alone++)
            for (size_t i = 0; i < NSUITES; i++)
                if (suites[i].alone == alone)
                    add(&sr, i);
        return sr;
    }
    for (int a = 1; a < argc; a++) {
        size_t i = 0;
        while (i < NSUITES && strcmp(suites[i].name, argv[a]) != 0)
            i++;
        if (i == NSUITES) {
            fprintf(stderr, "test_integration: no suite named %s (see --list)\n", argv[a]);
            if (sr)
                srunner_free(sr);
            return NULL;
        }
        add(&sr, i);
    }
    return sr;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < NSUITES; i++)
            printf("%s%s\n", suites[i].name, suites[i].alone ? " alone" : "");
        return EXIT_SUCCESS;
    }
    if (argc == 2 && strcmp(argv[1], "--load-fixture") == 0)
        return fixture_install() ? EXIT_SUCCESS : EXIT_FAILURE;
    SRunner *sr = select_suites(argc, argv);
    if (!sr)
        return EXIT_FAILURE;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int ran = srunner_ntests_run(sr);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    if (ran == 0)
        fprintf(stderr, "test_integration: no test ran (a suite_create name that differs from "
                        "the table in main.c, or a CK_RUN_SUITE/CK_RUN_CASE that matches none?)\n");
    return (failed == 0 && ran > 0) ? EXIT_SUCCESS : EXIT_FAILURE;
}
