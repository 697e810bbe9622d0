/*
 * The route table (see routes.h). api/openapi.yaml describes exactly these
 * routes; test/unit/test_contract.c checks that both lists agree.
 */
#include "api/routes.h"

#include "adhesions/adhesions.h"
#include "audit/audit.h"
#include "auth/activate.h"
#include "auth/login.h"
#include "cycles/cycles.h"
/* focalization */
#include "focalization/focalization.h"
#include "municipalities/municipalities.h"
#include "representatives/representatives.h"
#include "system/system.h"
#include "team/team.h"
#include "users/users.h"
/* indicators, challenges, a challenge's indicators */
#include "challenges/challenges.h"
#include "indicators/indicators.h"
/* targets */
#include "targets/targets.h"
/* indicator values */
#include "values/values.h"
/* Action plans: editing */
#include "plans/edit.h"
#include "plans/plan.h"
/* pacts and the incentives they grant */
#include "pacts/pacts.h"
/* The portfolio: a challenge's initiatives and incentives */
#include "portfolio/portfolio.h"
/* Action plans: review workflow, comments, versions */
#include "plans/comments.h"
#include "plans/versions.h"
#include "plans/workflow.h"
/* Action plans: revisions and deliveries' status */
#include "plans/deliveries.h"
#include "plans/revisions.h"
/* Monitoring: trajectories and alerts. Alerts are the state's: its
 * secretariats read them (municipal roles 403, anonymous 401). */
#include "monitoring/monitoring.h"
#define ALERTS_READ                                                                                \
    {                                                                                              \
        .allow = ROLE_SECRETARIAT,                                                                 \
        .why = "Only the state's secretariats read the monitoring alerts."                         \
    }
/* Delivery evidence */
#include "evidence/evidence.h"
/* Dashboards and open data */
#include "dashboards/dashboards.h"
/* The shared-management forum, co-evaluation and training. The forum's
 * members co-evaluate (which cycle's pacts is their seat's row); a course's
 * attendance names people: the state and their own municipality see it. */
#include "forum/forum.h"
#include "training/training.h"
#define FORUM_EVALUATES                                                                            \
    {                                                                                              \
        .allow = ROLE_FORUM_MEMBER,                                                                \
        .why = "Only members of the cycle's shared-management forum co-evaluate its pacts."        \
    }
#define ATTENDANCE_READ                                                                            \
    {                                                                                              \
        .allow = ROLE_MUNICIPAL | ROLE_SECRETARIAT,                                                \
        .why = "Only the state and the members' municipality see who attended; the course shows "  \
               "the counts."                                                                       \
    }
/* Public questions and technical assistance. Questions are asked by anyone
 * and answered, hidden or erased by the state (which area is the row's:
 * another area 403 naming it). Assistance requests are between the plan's
 * municipality and the area: nobody else may know of one (404). */
#include "assistance/assistance.h"
#include "questions/questions.h"
#define QUESTION_MODERATE                                                                          \
    {                                                                                              \
        .allow = ROLE_SECRETARIAT,                                                                 \
        .why = "Only the state's secretariats answer and moderate questions."                      \
    }
#define ASSISTANCE_ASK                                                                             \
    {                                                                                              \
        .allow = ROLE_MUNICIPAL,                                                                   \
        .why = "Only the municipality's mayor or representative request assistance."               \
    }
#define ASSISTANCE_READ                                                                            \
    {                                                                                              \
        .allow = ROLE_MUNICIPAL | ROLE_SECRETARIAT, .reveal = ROLE_MUNICIPAL | ROLE_SECRETARIAT,   \
        .why = "Only the municipality and the state see assistance requests."                      \
    }
#define ASSISTANCE_LIST                                                                            \
    {                                                                                              \
        .allow = ROLE_MUNICIPAL | ROLE_SECRETARIAT,                                                \
        .why = "Only the municipalities and the state see assistance requests."                    \
    }
#define ASSISTANCE_STATE                                                                           \
    {                                                                                              \
        .allow = ROLE_SECRETARIAT, .reveal = ROLE_MUNICIPAL | ROLE_SECRETARIAT,                    \
        .why = "Only the state's secretariats assign and answer assistance requests."              \
    }
/* Good practices: proposed by a municipality, curated by the state */
#include "practices/practices.h"
/* Public consultations: opened by the subject's responsible (which one is
 * the row's rule), commented by anyone, moderated by the state — a
 * municipality does not moderate comments on its own plan —, answered by
 * the subject's responsible (the row again). */
#include "consultations/consultations.h"
#define CONSULTATION_OPEN                                                                          \
    {                                                                                              \
        .allow = ROLE_MUNICIPAL | ROLE_SECRETARIAT,                                                \
        .why = "Only a consultation's subject's responsible opens or changes it."                  \
    }
#define COMMENT_MODERATE                                                                           \
    {                                                                                              \
        .allow = ROLE_SECRETARIAT, .why = "Only the state's secretariats moderate comments."       \
    }
#define COMMENT_ANSWER                                                                             \
    {                                                                                              \
        .allow = ROLE_MUNICIPAL | ROLE_SECRETARIAT,                                                \
        .why = "Only a consultation's subject's responsible answers comments."                     \
    }

/* Who may call what (authz/policy.h): the roles allowed, those a refused
 * caller must be one of to be told 403 rather than 404, and why not. */
// clang-format off
#define PUBLIC          POLICY_PUBLIC
#define ANY_USER        {.allow = ROLE_ANY_USER}
#define COORDINATION    {.allow = ROLE_COORDINATION, \
                         .why = "Only the program's coordination may do this."}
/* Program data (indicators and values, challenges, focalization, targets)
 * is managed by the secretariats; which area may change which row is the
 * resource's guard (viewer_manages in SQL), as it needs the row. */
#define SECRETARIAT     {.allow = ROLE_SECRETARIAT, \
                         .why = "Only the state's secretariats manage the program's data."}
/* The team is the municipality's own business; the secretariat follows it.
 * Its members are not known to anyone else. */
#define TEAM_READ       {.allow = ROLE_MUNICIPAL | ROLE_SECRETARIAT, \
                         .why = "Only the municipality and the secretariat see its team."}
#define TEAM_WRITE      {.allow = ROLE_MUNICIPAL, \
                         .why = "Only the municipality's mayor and representative keep its team."}
#define MEMBER_READ     {.allow = ROLE_MUNICIPAL | ROLE_SECRETARIAT, \
                         .reveal = ROLE_MUNICIPAL | ROLE_SECRETARIAT, \
                         .why = "Only the municipality and the secretariat see its team."}
#define MEMBER_WRITE    {.allow = ROLE_MUNICIPAL, .reveal = ROLE_MUNICIPAL | ROLE_SECRETARIAT, \
                         .why = "Only the municipality's mayor and representative keep its team."}
#define MAYOR_APPOINTS  {.allow = ROLE_MAYOR, \
                         .why = "Only the municipality's mayor appoints its representative."}
#define MAYOR_SIGNS     {.allow = ROLE_MAYOR, \
                         .why = "Only the municipality's mayor may sign the adhesion."}
#define MAYOR_WITHDRAWS {.allow = ROLE_MAYOR, \
                         .why = "Only the municipality's mayor may withdraw its adhesion."}
/* Action plans: written by the municipality's mayor or representative
 * (which municipality is the plan's row: another's plan is not found),
 * reviewed by the challenge's area secretariat (the row again: another
 * area may read, not review), pacted by the mayor. */
#define PLAN_WRITE      {.allow = ROLE_MUNICIPAL, \
                         .why = "Only the municipality's mayor or representative write its action plans."}
#define PLAN_REVIEW     {.allow = ROLE_SECRETARIAT, \
                         .why = "Only the state's secretariats review action plans."}
#define MAYOR_PACTS     {.allow = ROLE_MAYOR, \
                         .why = "Only the municipality's mayor may sign the pact."}
/* Action plans: review workflow. A return's comments are between the
 * municipality and the state: not known to anyone else (which municipality
 * is the plan's row: another's plan is not found). */
#define PLAN_COMMENTS   {.allow = ROLE_MUNICIPAL | ROLE_SECRETARIAT, \
                         .reveal = ROLE_MUNICIPAL | ROLE_SECRETARIAT, \
                         .why = "Only the municipality and the state see a plan's comments."}
/* Delivery evidence: between the municipality and the state, not known to
 * anyone else (which municipality is the plan's row: another's is not
 * found). */
#define EVIDENCE_READ   {.allow = ROLE_MUNICIPAL | ROLE_SECRETARIAT, \
                         .reveal = ROLE_MUNICIPAL | ROLE_SECRETARIAT, \
                         .why = "Only the municipality and the state see a delivery's evidence."}

/* What a route takes (http/router.h). */
#define IDEMPOTENT ROUTE_IDEMPOTENT
#define QUERY      ROUTE_QUERY
#define NO_BODY    ROUTE_NO_BODY
#define NO_TOKEN   ROUTE_NO_TOKEN
#define UPLOAD     ROUTE_UPLOAD
/* indicator values: a body the handler reads in pieces. */
#define STREAM     ROUTE_STREAM

/* method, path, handler, who may call it, what it takes */
const struct route api_routes[] = {
    {"GET",    "/healthz",                      system_healthz,        PUBLIC,       0},
    {"GET",    "/readyz",                       system_readyz,         PUBLIC,       0},
    {"GET",    "/metrics",                      system_metrics,        PUBLIC,       0},
    {"GET",    "/v1/openapi.yaml",              system_openapi,        PUBLIC,       0},

    {"POST",   "/v1/auth/token",                auth_token,            PUBLIC,       NO_TOKEN},
    {"POST",   "/v1/auth/activate",             auth_activate,         PUBLIC,       NO_TOKEN},
    {"GET",    "/v1/me",                        users_me,              ANY_USER,     0},
    {"PATCH",  "/v1/me",                        users_me_update,       ANY_USER,     0},

    {"POST",   "/v1/users",                     users_create_endpoint, COORDINATION, IDEMPOTENT},
    {"GET",    "/v1/users",                     users_list,            COORDINATION, QUERY},
    {"GET",    "/v1/users/{user_id}",           users_get,             COORDINATION, 0},
    {"PATCH",  "/v1/users/{user_id}",           users_update,          COORDINATION, 0},
    {"POST",   "/v1/users/{user_id}/invitation", users_invite,         COORDINATION, NO_BODY},

    {"GET",    "/v1/states",                    states_list,           PUBLIC,       QUERY},
    {"POST",   "/v1/states/import",             states_import,         COORDINATION, UPLOAD},

    {"GET",    "/v1/municipalities",            municipalities_list,   PUBLIC,       QUERY},
    {"POST",   "/v1/municipalities",            municipalities_create, COORDINATION, IDEMPOTENT},
    {"POST",   "/v1/municipalities/import",     municipalities_import, COORDINATION, UPLOAD},
    {"GET",    "/v1/municipalities/{ibge_code}", municipalities_get,   PUBLIC,       0},
    {"PATCH",  "/v1/municipalities/{ibge_code}", municipalities_update, COORDINATION, 0},
    {"GET",    "/v1/municipalities/{ibge_code}/representative", representatives_get, PUBLIC, 0},
    {"PUT",    "/v1/municipalities/{ibge_code}/representative", representatives_put,
                                                                       MAYOR_APPOINTS, 0},
    {"GET",    "/v1/municipalities/{ibge_code}/team", team_list,      TEAM_READ,    QUERY},
    {"POST",   "/v1/municipalities/{ibge_code}/team", team_create,    TEAM_WRITE,   IDEMPOTENT},
    {"GET",    "/v1/municipalities/{ibge_code}/team/{member_id}", team_get, MEMBER_READ, 0},
    {"PATCH",  "/v1/municipalities/{ibge_code}/team/{member_id}", team_update, MEMBER_WRITE, 0},
    {"DELETE", "/v1/municipalities/{ibge_code}/team/{member_id}", team_delete, MEMBER_WRITE, 0},

    {"GET",    "/v1/cycles",                    cycles_list,           PUBLIC,       QUERY},
    {"POST",   "/v1/cycles",                    cycles_create,         COORDINATION, IDEMPOTENT},
    {"GET",    "/v1/cycles/{cycle_id}",         cycles_get,            PUBLIC,       0},
    {"PATCH",  "/v1/cycles/{cycle_id}",         cycles_update,         COORDINATION, 0},
    {"GET",    "/v1/cycles/{cycle_id}/adhesions", adhesions_list,      PUBLIC,       QUERY},
    {"POST",   "/v1/cycles/{cycle_id}/adhesions", adhesions_create,    MAYOR_SIGNS,  IDEMPOTENT},
    {"GET",    "/v1/cycles/{cycle_id}/adhesions/{adhesion_id}", adhesions_get, PUBLIC, 0},
    {"POST",   "/v1/cycles/{cycle_id}/adhesions/{adhesion_id}/withdraw", adhesions_withdraw,
                                                                       MAYOR_WITHDRAWS, NO_BODY},

    {"GET",    "/v1/audit",                     audit_list,            COORDINATION, QUERY},

    /* indicators, challenges, a challenge's indicators */
    {"GET",    "/v1/indicators",                indicators_list,       PUBLIC,       QUERY},
    {"POST",   "/v1/indicators",                indicators_create,     SECRETARIAT,  IDEMPOTENT},
    {"GET",    "/v1/indicators/{indicator_id}", indicators_get,        PUBLIC,       0},
    {"PATCH",  "/v1/indicators/{indicator_id}", indicators_update,     SECRETARIAT,  0},
    {"DELETE", "/v1/indicators/{indicator_id}", indicators_delete,     SECRETARIAT,  0},
    {"GET",    "/v1/cycles/{cycle_id}/challenges", challenges_list,    PUBLIC,       QUERY},
    {"POST",   "/v1/cycles/{cycle_id}/challenges", challenges_create,  SECRETARIAT,  IDEMPOTENT},
    {"GET",    "/v1/challenges/{challenge_id}", challenges_get,        PUBLIC,       0},
    {"PATCH",  "/v1/challenges/{challenge_id}", challenges_update,     SECRETARIAT,  0},
    {"DELETE", "/v1/challenges/{challenge_id}", challenges_delete,     SECRETARIAT,  0},
    {"GET",    "/v1/challenges/{challenge_id}/indicators", challenge_indicators_list,
                                                                       PUBLIC,       QUERY},
    {"POST",   "/v1/challenges/{challenge_id}/indicators", challenge_indicators_create,
                                                                       SECRETARIAT,  IDEMPOTENT},
    {"GET",    "/v1/challenges/{challenge_id}/indicators/{indicator_id}",
                                                challenge_indicators_get, PUBLIC,    0},
    {"PATCH",  "/v1/challenges/{challenge_id}/indicators/{indicator_id}",
                                                challenge_indicators_update, SECRETARIAT, 0},
    {"DELETE", "/v1/challenges/{challenge_id}/indicators/{indicator_id}",
                                                challenge_indicators_delete, SECRETARIAT, 0},
    /* state targets and suggested municipal targets */
    {"GET",    "/v1/challenges/{challenge_id}/targets", targets_list, PUBLIC,     QUERY},
    {"POST",   "/v1/challenges/{challenge_id}/targets", targets_create, SECRETARIAT, IDEMPOTENT},
    {"GET",    "/v1/challenges/{challenge_id}/targets/{indicator_id}", targets_get, PUBLIC, 0},
    {"PATCH",  "/v1/challenges/{challenge_id}/targets/{indicator_id}", targets_update,
                                                                       SECRETARIAT,  0},
    {"DELETE", "/v1/challenges/{challenge_id}/targets/{indicator_id}", targets_delete,
                                                                       SECRETARIAT,  0},
    {"POST",   "/v1/challenges/{challenge_id}/suggested-targets/compute", targets_compute,
                                                                       SECRETARIAT,  NO_BODY},
    {"GET",    "/v1/challenges/{challenge_id}/suggested-targets", targets_suggested_list,
                                                                       PUBLIC,       QUERY},
    /* focalization: runs, their municipalities, manual decisions,
     * the public result, peer positions */
    {"POST",   "/v1/challenges/{challenge_id}/focalization/runs", focalization_runs_create,
                                                                       SECRETARIAT,  IDEMPOTENT},
    {"GET",    "/v1/challenges/{challenge_id}/focalization/runs", focalization_runs_list,
                                                                       PUBLIC,       QUERY},
    {"GET",    "/v1/challenges/{challenge_id}/focalization/runs/{run_id}",
                                                       focalization_runs_get, PUBLIC, 0},
    {"GET",    "/v1/challenges/{challenge_id}/focalization/runs/{run_id}/municipalities",
                                            focalization_run_municipalities, PUBLIC, QUERY},
    {"GET",    "/v1/challenges/{challenge_id}/focal-municipalities", focal_municipalities_list,
                                                                       PUBLIC,       QUERY},
    {"PUT",    "/v1/challenges/{challenge_id}/focal-municipalities/{ibge_code}",
                                                       focal_overrides_put, SECRETARIAT, 0},
    {"DELETE", "/v1/challenges/{challenge_id}/focal-municipalities/{ibge_code}",
                                                       focal_overrides_delete, SECRETARIAT, 0},
    {"GET",    "/v1/municipalities/{ibge_code}/peers", municipality_peers, PUBLIC,  QUERY},
    /* indicator values: the import checks the indicator's area itself. */
    {"POST",   "/v1/indicators/{indicator_id}/values", values_import,   SECRETARIAT, QUERY | STREAM},
    {"GET",    "/v1/indicators/{indicator_id}/values", values_list,     PUBLIC,      QUERY},
    {"GET",    "/v1/indicators/{indicator_id}/aggregates", values_aggregates, PUBLIC, QUERY},
    {"GET",    "/v1/indicators/{indicator_id}/outliers", values_outliers, PUBLIC,    QUERY},
    {"GET",    "/v1/municipalities/{ibge_code}/values", values_series,  PUBLIC,      QUERY},
    {"GET",    "/v1/indicators/{indicator_id}/imports", values_imports_list, SECRETARIAT, QUERY},
    {"GET",    "/v1/indicators/{indicator_id}/imports/{import_id}", values_imports_get,
                                                                       SECRETARIAT, 0},
    /* Action plans: editing */
    {"POST",   "/v1/challenges/{challenge_id}/action-plans", plans_create, PLAN_WRITE, IDEMPOTENT},
    {"GET",    "/v1/action-plans/{plan_id}", plans_get,                 PUBLIC,       0},
    {"PUT",    "/v1/action-plans/{plan_id}", plans_put,                 PLAN_WRITE,   0},
    {"PATCH",  "/v1/action-plans/{plan_id}", plans_patch,               PLAN_WRITE,   0},
    {"GET",    "/v1/cycles/{cycle_id}/action-plans", plans_list,        PUBLIC,       QUERY},
    /* pacts and the incentives they grant */
    {"POST",   "/v1/action-plans/{plan_id}/pact", pacts_sign,          MAYOR_PACTS,  IDEMPOTENT},
    {"GET",    "/v1/pacts/{pact_id}",           pacts_get,             PUBLIC,       0},
    {"GET",    "/v1/cycles/{cycle_id}/pacts",   pacts_list,            PUBLIC,       QUERY},
    {"GET",    "/v1/municipalities/{ibge_code}/incentive-grants", pacts_grants_list,
                                                                       PUBLIC,       QUERY},
    /* The portfolio: a challenge's initiatives and incentives */
    {"GET",    "/v1/challenges/{challenge_id}/initiatives", initiatives_list, PUBLIC,  QUERY},
    {"POST",   "/v1/challenges/{challenge_id}/initiatives", initiatives_create,
                                                                       SECRETARIAT,  IDEMPOTENT},
    {"GET",    "/v1/initiatives/{initiative_id}", initiatives_get,     PUBLIC,       0},
    {"PATCH",  "/v1/initiatives/{initiative_id}", initiatives_update,  SECRETARIAT,  0},
    {"DELETE", "/v1/initiatives/{initiative_id}", initiatives_delete,  SECRETARIAT,  0},
    {"GET",    "/v1/challenges/{challenge_id}/incentives", incentives_list, PUBLIC,    QUERY},
    {"POST",   "/v1/challenges/{challenge_id}/incentives", incentives_create,
                                                                       SECRETARIAT,  IDEMPOTENT},
    {"GET",    "/v1/incentives/{incentive_id}", incentives_get,        PUBLIC,       0},
    {"PATCH",  "/v1/incentives/{incentive_id}", incentives_update,     SECRETARIAT,  0},
    {"DELETE", "/v1/incentives/{incentive_id}", incentives_delete,     SECRETARIAT,  0},
    /* Action plans: review workflow, comments, versions */
    {"POST",   "/v1/action-plans/{plan_id}/submit", plans_submit,     PLAN_WRITE,   0},
    {"POST",   "/v1/action-plans/{plan_id}/return", plans_return,     PLAN_REVIEW,  0},
    {"POST",   "/v1/action-plans/{plan_id}/approve", plans_approve,   PLAN_REVIEW,  0},
    {"GET",    "/v1/action-plans/{plan_id}/history", plans_history,   PUBLIC,       0},
    {"GET",    "/v1/action-plans/{plan_id}/comments", plans_comments_list, PLAN_COMMENTS, 0},
    {"POST",   "/v1/action-plans/{plan_id}/comments/{comment_id}/answer", plans_comments_answer,
                                                                       PLAN_WRITE,   0},
    {"GET",    "/v1/action-plans/{plan_id}/versions", plans_versions_list, PUBLIC,   0},
    {"GET",    "/v1/action-plans/{plan_id}/versions/{number}", plans_versions_get, PUBLIC, 0},
    {"GET",    "/v1/action-plans/{plan_id}/diff", plans_versions_diff, PUBLIC,     QUERY},
    /* Action plans: revisions and deliveries' status */
    {"POST",   "/v1/action-plans/{plan_id}/revisions", plans_revise,   PLAN_REVIEW,  0},
    {"GET",    "/v1/action-plans/{plan_id}/deliveries", plans_deliveries_list, PUBLIC, QUERY},
    {"GET",    "/v1/cycles/{cycle_id}/deliveries", cycle_deliveries_list, PUBLIC,  QUERY},
    /* Monitoring: trajectories and alerts */
    {"GET",    "/v1/pacts/{pact_id}/trajectory", monitoring_pact_trajectory, PUBLIC, 0},
    {"GET",    "/v1/cycles/{cycle_id}/trajectories", monitoring_trajectories_list,
                                                                       PUBLIC,       QUERY},
    {"GET",    "/v1/cycles/{cycle_id}/alerts",  monitoring_alerts_list, ALERTS_READ, QUERY},
    /* Delivery evidence: its files and its review */
    {"POST",   "/v1/deliveries/{delivery_id}/evidence", evidence_submit, PLAN_WRITE, IDEMPOTENT},
    {"GET",    "/v1/deliveries/{delivery_id}/evidence", evidence_list, EVIDENCE_READ, 0},
    {"GET",    "/v1/evidence/{evidence_id}",    evidence_get,          EVIDENCE_READ, 0},
    {"POST",   "/v1/evidence/{evidence_id}/files", evidence_files_upload, PLAN_WRITE,
                                                                       STREAM | UPLOAD},
    {"GET",    "/v1/evidence/{evidence_id}/files/{file_id}", evidence_files_download,
                                                                       EVIDENCE_READ, 0},
    {"POST",   "/v1/evidence/{evidence_id}/accept", evidence_accept,  PLAN_REVIEW,  0},
    {"POST",   "/v1/evidence/{evidence_id}/reject", evidence_reject,  PLAN_REVIEW,  0},
    /* Dashboards and open data */
    {"GET",    "/v1/cycles/{cycle_id}/dashboard", dashboards_cycle,    PUBLIC,       QUERY},
    {"GET",    "/v1/challenges/{challenge_id}/dashboard", dashboards_challenge, PUBLIC, QUERY},
    {"GET",    "/v1/municipalities/{ibge_code}/dashboard", dashboards_municipality,
                                                                       PUBLIC,       QUERY},
    {"GET",    "/v1/open-data",                 dashboards_open_data,  PUBLIC,       0},
    /* The shared-management forum, co-evaluation and training */
    {"GET",    "/v1/cycles/{cycle_id}/forum-members", forum_members_list, PUBLIC,    QUERY},
    {"POST",   "/v1/cycles/{cycle_id}/forum-members", forum_members_create,
                                                                       COORDINATION, IDEMPOTENT},
    {"GET",    "/v1/forum-members/{forum_member_id}", forum_members_get, PUBLIC,     0},
    {"PATCH",  "/v1/forum-members/{forum_member_id}", forum_members_update, COORDINATION, 0},
    {"DELETE", "/v1/forum-members/{forum_member_id}", forum_members_delete, COORDINATION, 0},
    {"PUT",    "/v1/pacts/{pact_id}/co-evaluation", forum_co_evaluation_put, FORUM_EVALUATES, 0},
    {"GET",    "/v1/pacts/{pact_id}/co-evaluations", forum_pact_co_evaluations, PUBLIC, 0},
    {"GET",    "/v1/co-evaluations/{co_evaluation_id}", forum_co_evaluations_get, PUBLIC, 0},
    {"GET",    "/v1/cycles/{cycle_id}/co-evaluations", forum_cycle_co_evaluations,
                                                                       PUBLIC,       QUERY},
    {"GET",    "/v1/cycles/{cycle_id}/courses", training_courses_list, PUBLIC,       QUERY},
    {"POST",   "/v1/cycles/{cycle_id}/courses", training_courses_create, SECRETARIAT, IDEMPOTENT},
    {"GET",    "/v1/courses/{course_id}",       training_courses_get,  PUBLIC,       0},
    {"PATCH",  "/v1/courses/{course_id}",       training_courses_update, SECRETARIAT, 0},
    {"DELETE", "/v1/courses/{course_id}",       training_courses_delete, SECRETARIAT, 0},
    {"GET",    "/v1/courses/{course_id}/attendance", training_attendance_list,
                                                                       ATTENDANCE_READ, QUERY},
    {"POST",   "/v1/courses/{course_id}/attendance", training_attendance_create,
                                                                       SECRETARIAT,  IDEMPOTENT},
    {"GET",    "/v1/courses/{course_id}/attendance/{team_member_id}", training_attendance_get,
                                                                       ATTENDANCE_READ, 0},
    {"DELETE", "/v1/courses/{course_id}/attendance/{team_member_id}", training_attendance_delete,
                                                                       SECRETARIAT,  0},
    /* Public questions and technical assistance */
    {"POST",   "/v1/questions",                 questions_ask,         PUBLIC,       IDEMPOTENT},
    {"GET",    "/v1/questions",                 questions_list,        PUBLIC,       QUERY},
    {"GET",    "/v1/questions/{question_id}",   questions_get,         PUBLIC,       0},
    {"POST",   "/v1/questions/{question_id}/answer", questions_answer, QUESTION_MODERATE, 0},
    {"POST",   "/v1/questions/{question_id}/hide", questions_hide,     QUESTION_MODERATE, 0},
    {"DELETE", "/v1/questions/{question_id}/asker", questions_erase_asker, COORDINATION, 0},
    {"GET",    "/v1/cycles/{cycle_id}/question-counts", questions_counts, PUBLIC,    QUERY},
    {"POST",   "/v1/action-plans/{plan_id}/assistance-requests", assistance_create,
                                                                       ASSISTANCE_ASK, IDEMPOTENT},
    {"GET",    "/v1/assistance-requests",       assistance_list,       ASSISTANCE_LIST, QUERY},
    {"GET",    "/v1/assistance-requests/{request_id}", assistance_get, ASSISTANCE_READ, 0},
    {"POST",   "/v1/assistance-requests/{request_id}/assign", assistance_assign,
                                                                       ASSISTANCE_STATE, 0},
    {"POST",   "/v1/assistance-requests/{request_id}/answer", assistance_answer,
                                                                       ASSISTANCE_STATE, 0},
    {"POST",   "/v1/assistance-requests/{request_id}/close", assistance_close,
                                                                       ASSISTANCE_READ, 0},
    /* Good practices: proposed by the municipality's mayor or representative
     * (which municipality is the row's: another's is refused), curated by
     * the challenge's area secretariat or the coordination (the row again),
     * public once published. */
    {"POST",   "/v1/practices",                 practices_create,      PLAN_WRITE,   IDEMPOTENT},
    {"GET",    "/v1/practices",                 practices_list,        PUBLIC,       QUERY},
    {"GET",    "/v1/practices/{practice_id}",   practices_get,         PUBLIC,       0},
    {"PATCH",  "/v1/practices/{practice_id}",   practices_update,      PLAN_WRITE,   0},
    {"DELETE", "/v1/practices/{practice_id}",   practices_delete,      PLAN_WRITE,   0},
    {"POST",   "/v1/practices/{practice_id}/submit", practices_submit, PLAN_WRITE,   0},
    {"POST",   "/v1/practices/{practice_id}/publish", practices_publish, PLAN_REVIEW, 0},
    {"POST",   "/v1/practices/{practice_id}/return", practices_return, PLAN_REVIEW,  0},
    {"POST",   "/v1/practices/{practice_id}/files", practices_files_upload, PLAN_WRITE,
                                                                       STREAM | UPLOAD},
    {"GET",    "/v1/practices/{practice_id}/files/{file_id}", practices_files_download,
                                                                       PUBLIC,       0},
    /* Public consultations */
    {"GET",    "/v1/consultations",             consultations_list,    PUBLIC,       QUERY},
    {"POST",   "/v1/consultations",             consultations_create,  CONSULTATION_OPEN,
                                                                       IDEMPOTENT},
    {"GET",    "/v1/consultations/{consultation_id}", consultations_get, PUBLIC,     0},
    {"PATCH",  "/v1/consultations/{consultation_id}", consultations_update,
                                                                       CONSULTATION_OPEN, 0},
    {"GET",    "/v1/consultations/{consultation_id}/comments", consultation_comments_list,
                                                                       PUBLIC,       QUERY},
    {"POST",   "/v1/consultations/{consultation_id}/comments", consultation_comments_create,
                                                                       PUBLIC,       IDEMPOTENT},
    {"POST",   "/v1/comments/{consultation_comment_id}/confirm", consultation_comments_confirm, PUBLIC, 0},
    {"POST",   "/v1/comments/{consultation_comment_id}/publish", consultation_comments_publish,
                                                                       COMMENT_MODERATE, NO_BODY},
    {"POST",   "/v1/comments/{consultation_comment_id}/hide", consultation_comments_hide, COMMENT_MODERATE, 0},
    {"PUT",    "/v1/comments/{consultation_comment_id}/answer", consultation_comments_answer,
                                                                       COMMENT_ANSWER, 0},
    {"DELETE", "/v1/comments/{consultation_comment_id}/author", consultation_comments_erase, COORDINATION, 0},
};
// clang-format on

const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];
