/*
 * Every unit-test suite, one per module under lib/. test/unit/main.c runs them all.
 */
#ifndef PACTO_TEST_UNIT_SUITES_H
#define PACTO_TEST_UNIT_SUITES_H

#include <check.h>

Suite *cpf_suite(void);
Suite *ibge_suite(void);
Suite *csv_suite(void);
Suite *cursor_suite(void);
Suite *json_strict_suite(void);
Suite *token_suite(void);
Suite *password_suite(void);
Suite *router_suite(void);
Suite *contract_suite(void);
Suite *policy_suite(void);
Suite *base64url_suite(void);
Suite *negotiate_suite(void);
Suite *proxy_suite(void);
Suite *resource_suite(void);
Suite *resource_views_suite(void);
/* the catalogue */
Suite *indicators_suite(void);
/* targets */
Suite *target_rule_suite(void);
/* focalization */
Suite *focal_rank_suite(void);
Suite *watchdog_suite(void);
/* indicator values */
Suite *values_parse_suite(void);
/* Action plans: editing */
Suite *plan_content_suite(void);
/* the portfolio */
Suite *portfolio_lists_suite(void);
/* action plans: the review workflow */
Suite *plan_diff_suite(void);
/* Delivery evidence */
Suite *evidence_magic_suite(void);
/* Public writes */
Suite *plain_text_suite(void);
/* Good practices */
Suite *practice_input_suite(void);
/* read routing: WAL positions and where a read goes */
Suite *read_route_suite(void);

#endif
