/*
 * Runs every unit-test suite. CK_RUN_SUITE / CK_RUN_CASE narrow the run as
 * usual with Check; the exit code is non-zero when any check failed.
 */
#include "suites.h"

#include <stdlib.h>

int main(void)
{
    SRunner *sr = srunner_create(cpf_suite());
    srunner_add_suite(sr, ibge_suite());
    srunner_add_suite(sr, csv_suite());
    srunner_add_suite(sr, cursor_suite());
    srunner_add_suite(sr, json_strict_suite());
    srunner_add_suite(sr, token_suite());
    srunner_add_suite(sr, password_suite());
    srunner_add_suite(sr, router_suite());
    srunner_add_suite(sr, contract_suite());
    srunner_add_suite(sr, policy_suite());
    srunner_add_suite(sr, base64url_suite());
    srunner_add_suite(sr, negotiate_suite());
    srunner_add_suite(sr, proxy_suite());
    srunner_add_suite(sr, resource_suite());
    srunner_add_suite(sr, resource_views_suite());
    srunner_add_suite(sr, indicators_suite()); /* the catalogue */
    /* targets */
    srunner_add_suite(sr, target_rule_suite());
    /* focalization */
    srunner_add_suite(sr, focal_rank_suite());
    srunner_add_suite(sr, watchdog_suite());
    /* indicator values */
    srunner_add_suite(sr, values_parse_suite());
    /* Action plans: editing */
    srunner_add_suite(sr, plan_content_suite());
    srunner_add_suite(sr, portfolio_lists_suite()); /* the portfolio */
    /* action plans: the review workflow */
    srunner_add_suite(sr, plan_diff_suite());
    srunner_add_suite(sr, evidence_magic_suite()); /* Delivery evidence */
    srunner_add_suite(sr, plain_text_suite());     /* Public writes */
    srunner_add_suite(sr, practice_input_suite()); /* Good practices */
    srunner_add_suite(sr, read_route_suite()); /* read routing */
    srunner_run_all(sr, CK_NORMAL);
    int ran = srunner_ntests_run(sr);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 && ran > 0) ? EXIT_SUCCESS : EXIT_FAILURE;
}
