/*
 * Every integration-test suite. They run against a live server
 * (PACTO_TEST_URL) and its database (PACTO_DATABASE_URL); see scripts/test.sh.
 * A new suite is declared here and listed in the table in main.c.
 */
#ifndef PACTO_TEST_INTEGRATION_SUITES_H
#define PACTO_TEST_INTEGRATION_SUITES_H

#include <check.h>

Suite *system_suite(void);
Suite *http_suite(void);
Suite *auth_suite(void);
Suite *users_suite(void);
Suite *municipalities_suite(void);
Suite *import_suite(void);
Suite *audit_suite(void);
Suite *idempotency_suite(void);
Suite *municipality_view_suite(void);
Suite *cycles_suite(void);
Suite *adhesions_suite(void);
Suite *invitations_suite(void);
Suite *representative_suite(void);
Suite *team_suite(void);
Suite *db_suite(void);
Suite *hashing_suite(void);
Suite *idp_suite(void);
Suite *matrix_suite(void);
Suite *resource_suite(void);
Suite *wire_suite(void);
Suite *freshness_suite(void);
Suite *deadlock_suite(void);
/* the catalogue */
Suite *indicators_suite(void);
Suite *challenges_suite(void);
/* targets */
Suite *targets_suite(void);
/* focalization */
Suite *focalization_suite(void);
/* indicator values */
Suite *values_suite(void);
Suite *values_queries_suite(void);
Suite *values_real_suite(void);
/* Action plans: editing */
Suite *plans_edit_suite(void);
/* pacts and the incentives they grant */
Suite *pacts_suite(void);
/* the portfolio */
Suite *portfolio_suite(void);
/* Action plans: review workflow */
Suite *plans_flow_suite(void);
/* Action plans: revisions and deliveries' status */
Suite *revisions_suite(void);
Suite *deliveries_suite(void);
/* Delivery evidence */
Suite *evidence_suite(void);
/* Dashboards and open data */
Suite *dashboards_suite(void);
Suite *open_data_suite(void);
Suite *frozen_suite(void);  /* stops PostgreSQL's processes with SIGSTOP */
Suite *restart_suite(void); /* stops and starts PostgreSQL: runs last */

/* Several servers: read routing, the throttle and keys across servers */
Suite *read_routing_suite(void);

/* Monitoring: trajectories and alerts */
Suite *trajectories_suite(void);
/* The shared-management forum, co-evaluation and training */
Suite *forum_suite(void);
Suite *training_suite(void);

/* Public questions and technical assistance */
Suite *questions_suite(void);
Suite *assistance_suite(void);

/* Good practices */
Suite *practices_suite(void);
/* Public consultations */
Suite *consultations_suite(void);

#endif
