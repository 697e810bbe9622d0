/*
 * The route table (see routes.h). api/openapi.yaml describes exactly these
 * routes; test/unit/test_contract.c checks that both lists agree.
 */
#include "api/routes.h"

#include "audit/audit.h"
#include "auth/login.h"
#include "municipalities/municipalities.h"
#include "system/system.h"
#include "users/users.h"

/* method, path, handler, who may call it, honours Idempotency-Key */
const struct route api_routes[] = {
    {"GET", "/healthz", system_healthz, ACCESS_PUBLIC, false},
    {"GET", "/readyz", system_readyz, ACCESS_PUBLIC, false},
    {"GET", "/metrics", system_metrics, ACCESS_PUBLIC, false},
    {"GET", "/v1/openapi.yaml", system_openapi, ACCESS_PUBLIC, false},

    {"POST", "/v1/auth/token", auth_token, ACCESS_PUBLIC, false},
    {"GET", "/v1/me", users_me, ACCESS_USER, false},
    {"PATCH", "/v1/me", users_me_update, ACCESS_USER, false},

    {"POST", "/v1/users", users_create_endpoint, ACCESS_COORDINATION, true},
    {"GET", "/v1/users", users_list, ACCESS_COORDINATION, false},
    {"GET", "/v1/users/{user_id}", users_get, ACCESS_COORDINATION, false},
    {"PATCH", "/v1/users/{user_id}", users_update, ACCESS_COORDINATION, false},

    {"GET", "/v1/states", states_list, ACCESS_PUBLIC, false},
    {"POST", "/v1/states/import", states_import, ACCESS_COORDINATION, false},

    {"GET", "/v1/municipalities", municipalities_list, ACCESS_PUBLIC, false},
    {"POST", "/v1/municipalities", municipalities_create, ACCESS_COORDINATION, true},
    {"POST", "/v1/municipalities/import", municipalities_import, ACCESS_COORDINATION, false},
    {"GET", "/v1/municipalities/{ibge_code}", municipalities_get, ACCESS_PUBLIC, false},
    {"PATCH", "/v1/municipalities/{ibge_code}", municipalities_update, ACCESS_COORDINATION, false},

    {"GET", "/v1/audit", audit_list, ACCESS_COORDINATION, false},
};

const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];
