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
#include "municipalities/municipalities.h"
#include "representatives/representatives.h"
#include "system/system.h"
#include "team/team.h"
#include "users/users.h"

/* Who may call what (authz/policy.h): {allowed, revealed to, why not}. */
#define PUBLIC POLICY_PUBLIC
#define ANY_USER                                                                                   \
    {                                                                                              \
        ROLE_ANY_USER, 0, NULL                                                                     \
    }
#define COORDINATION                                                                               \
    {                                                                                              \
        ROLE_COORDINATION, 0, "Only the program's coordination may do this."                       \
    }
/* The team is the municipality's own business; the secretariat follows it.
 * Its members are not known to anyone else. */
#define TEAM_READ                                                                                  \
    {                                                                                              \
        ROLE_MUNICIPAL | ROLE_SECRETARIAT, 0,                                                      \
            "Only the municipality and the secretariat see its team."                              \
    }
#define TEAM_WRITE                                                                                 \
    {                                                                                              \
        ROLE_MUNICIPAL, 0, "Only the municipality's mayor and representative keep its team."       \
    }
#define MEMBER_READ                                                                                \
    {                                                                                              \
        ROLE_MUNICIPAL | ROLE_SECRETARIAT, ROLE_MUNICIPAL | ROLE_SECRETARIAT,                      \
            "Only the municipality and the secretariat see its team."                              \
    }
#define MEMBER_WRITE                                                                               \
    {                                                                                              \
        ROLE_MUNICIPAL, ROLE_MUNICIPAL | ROLE_SECRETARIAT,                                         \
            "Only the municipality's mayor and representative keep its team."                      \
    }
#define MAYOR_APPOINTS                                                                             \
    {                                                                                              \
        ROLE_MAYOR, 0, "Only the municipality's mayor appoints its representative."                \
    }
#define MAYOR_SIGNS                                                                                \
    {                                                                                              \
        ROLE_MAYOR, 0, "Only the municipality's mayor may sign the adhesion."                      \
    }
#define MAYOR_WITHDRAWS                                                                            \
    {                                                                                              \
        ROLE_MAYOR, 0, "Only the municipality's mayor may withdraw its adhesion."                  \
    }

/* method, path, handler, who may call it, honours Idempotency-Key */
const struct route api_routes[] = {
    {"GET", "/healthz", system_healthz, PUBLIC, false},
    {"GET", "/readyz", system_readyz, PUBLIC, false},
    {"GET", "/metrics", system_metrics, PUBLIC, false},
    {"GET", "/v1/openapi.yaml", system_openapi, PUBLIC, false},

    {"POST", "/v1/auth/token", auth_token, PUBLIC, false},
    {"POST", "/v1/auth/activate", auth_activate, PUBLIC, false},
    {"GET", "/v1/me", users_me, ANY_USER, false},
    {"PATCH", "/v1/me", users_me_update, ANY_USER, false},

    {"POST", "/v1/users", users_create_endpoint, COORDINATION, true},
    {"GET", "/v1/users", users_list, COORDINATION, false},
    {"GET", "/v1/users/{user_id}", users_get, COORDINATION, false},
    {"PATCH", "/v1/users/{user_id}", users_update, COORDINATION, false},
    {"POST", "/v1/users/{user_id}/invitation", users_invite, COORDINATION, false},

    {"GET", "/v1/states", states_list, PUBLIC, false},
    {"POST", "/v1/states/import", states_import, COORDINATION, false},

    {"GET", "/v1/municipalities", municipalities_list, PUBLIC, false},
    {"POST", "/v1/municipalities", municipalities_create, COORDINATION, true},
    {"POST", "/v1/municipalities/import", municipalities_import, COORDINATION, false},
    {"GET", "/v1/municipalities/{ibge_code}", municipalities_get, PUBLIC, false},
    {"PATCH", "/v1/municipalities/{ibge_code}", municipalities_update, COORDINATION, false},
    {"GET", "/v1/municipalities/{ibge_code}/representative", representatives_get, PUBLIC, false},
    {"PUT", "/v1/municipalities/{ibge_code}/representative", representatives_put, MAYOR_APPOINTS,
     false},
    {"GET", "/v1/municipalities/{ibge_code}/team", team_list, TEAM_READ, false},
    {"POST", "/v1/municipalities/{ibge_code}/team", team_create, TEAM_WRITE, true},
    {"GET", "/v1/municipalities/{ibge_code}/team/{member_id}", team_get, MEMBER_READ, false},
    {"PATCH", "/v1/municipalities/{ibge_code}/team/{member_id}", team_update, MEMBER_WRITE, false},
    {"DELETE", "/v1/municipalities/{ibge_code}/team/{member_id}", team_delete, MEMBER_WRITE, false},

    {"GET", "/v1/cycles", cycles_list, PUBLIC, false},
    {"POST", "/v1/cycles", cycles_create, COORDINATION, true},
    {"GET", "/v1/cycles/{cycle_id}", cycles_get, PUBLIC, false},
    {"PATCH", "/v1/cycles/{cycle_id}", cycles_update, COORDINATION, false},
    {"GET", "/v1/cycles/{cycle_id}/adhesions", adhesions_list, PUBLIC, false},
    {"POST", "/v1/cycles/{cycle_id}/adhesions", adhesions_create, MAYOR_SIGNS, true},
    {"GET", "/v1/cycles/{cycle_id}/adhesions/{adhesion_id}", adhesions_get, PUBLIC, false},
    {"POST", "/v1/cycles/{cycle_id}/adhesions/{adhesion_id}/withdraw", adhesions_withdraw,
     MAYOR_WITHDRAWS, false},

    {"GET", "/v1/audit", audit_list, COORDINATION, false},
};

const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];
