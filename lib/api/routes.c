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

/* method, path, handler, who may call it, honours Idempotency-Key */
const struct route api_routes[] = {
    {"GET", "/healthz", system_healthz, ACCESS_PUBLIC, false},
    {"GET", "/readyz", system_readyz, ACCESS_PUBLIC, false},
    {"GET", "/metrics", system_metrics, ACCESS_PUBLIC, false},
    {"GET", "/v1/openapi.yaml", system_openapi, ACCESS_PUBLIC, false},

    {"POST", "/v1/auth/token", auth_token, ACCESS_PUBLIC, false},
    {"POST", "/v1/auth/activate", auth_activate, ACCESS_PUBLIC, false},
    {"GET", "/v1/me", users_me, ACCESS_USER, false},
    {"PATCH", "/v1/me", users_me_update, ACCESS_USER, false},

    {"POST", "/v1/users", users_create_endpoint, ACCESS_COORDINATION, true},
    {"GET", "/v1/users", users_list, ACCESS_COORDINATION, false},
    {"GET", "/v1/users/{user_id}", users_get, ACCESS_COORDINATION, false},
    {"PATCH", "/v1/users/{user_id}", users_update, ACCESS_COORDINATION, false},
    {"POST", "/v1/users/{user_id}/invitation", users_invite, ACCESS_COORDINATION, false},

    {"GET", "/v1/states", states_list, ACCESS_PUBLIC, false},
    {"POST", "/v1/states/import", states_import, ACCESS_COORDINATION, false},

    {"GET", "/v1/municipalities", municipalities_list, ACCESS_PUBLIC, false},
    {"POST", "/v1/municipalities", municipalities_create, ACCESS_COORDINATION, true},
    {"POST", "/v1/municipalities/import", municipalities_import, ACCESS_COORDINATION, false},
    {"GET", "/v1/municipalities/{ibge_code}", municipalities_get, ACCESS_PUBLIC, false},
    {"PATCH", "/v1/municipalities/{ibge_code}", municipalities_update, ACCESS_COORDINATION, false},
    {"GET", "/v1/municipalities/{ibge_code}/representative", representatives_get, ACCESS_PUBLIC,
     false},
    {"PUT", "/v1/municipalities/{ibge_code}/representative", representatives_put, ACCESS_USER,
     false},
    {"GET", "/v1/municipalities/{ibge_code}/team", team_list, ACCESS_USER, false},
    {"POST", "/v1/municipalities/{ibge_code}/team", team_create, ACCESS_USER, true},
    {"GET", "/v1/municipalities/{ibge_code}/team/{member_id}", team_get, ACCESS_USER, false},
    {"PATCH", "/v1/municipalities/{ibge_code}/team/{member_id}", team_update, ACCESS_USER, false},
    {"DELETE", "/v1/municipalities/{ibge_code}/team/{member_id}", team_delete, ACCESS_USER, false},

    {"GET", "/v1/cycles", cycles_list, ACCESS_PUBLIC, false},
    {"POST", "/v1/cycles", cycles_create, ACCESS_COORDINATION, true},
    {"GET", "/v1/cycles/{cycle_id}", cycles_get, ACCESS_PUBLIC, false},
    {"PATCH", "/v1/cycles/{cycle_id}", cycles_update, ACCESS_COORDINATION, false},
    {"GET", "/v1/cycles/{cycle_id}/adhesions", adhesions_list, ACCESS_PUBLIC, false},
    {"POST", "/v1/cycles/{cycle_id}/adhesions", adhesions_create, ACCESS_USER, true},
    {"GET", "/v1/cycles/{cycle_id}/adhesions/{adhesion_id}", adhesions_get, ACCESS_PUBLIC, false},
    {"POST", "/v1/cycles/{cycle_id}/adhesions/{adhesion_id}/withdraw", adhesions_withdraw,
     ACCESS_USER, false},

    {"GET", "/v1/audit", audit_list, ACCESS_COORDINATION, false},
};

const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];
