/*
 * The federative units (GET /v1/states), public, declared once as a
 * resource. They are written only by the IBGE import (import.c).
 */
#include "municipalities/municipalities.h"

#include "resource/resource.h"

static const struct res_field state_fields[] = {
    RES_FIELD("code", RES_INTEGER, RF_CSV),
    RES_FIELD("uf", RES_UF, RF_CSV),
    RES_FIELD("name", RES_TEXT, RF_CSV, .max = 100),
    RES_FIELD("region", RES_TEXT, RF_CSV),
    RES_END,
};

struct resource state_resource = {
    .entity = "state",
    .table = "states",
    .key = "code",
    .key_type = RES_ID,
    .view = "state_json",
    .snapshot = "state_snapshot",
    .list_name = "states",
    .fields = state_fields,
};

void states_list(struct request *req) { resource_list(req, &state_resource); }
