/*
 * Program cycles (see cycles.h), declared once as a resource. What a cycle
 * looks like, its window rules and the list's filters are SQL functions in
 * sql/008_cycles_adhesions.sql: the rules are judged by PostgreSQL on the
 * cycle as it would be stored, so a PATCH is judged on the merged cycle.
 * Who may call each route is in lib/api/routes.c.
 */
#include "cycles/cycles.h"

#include "resource/resource.h"

#include <stdlib.h>

/* The five commitments of the São Paulo program's adhesion term (seed 000),
 * for cycles created without their own list. "Governo do Estado" is left
 * without the state's name, as a cycle may be of any state. */
static const char default_commitments[] =
    "[\"Definir um profissional da prefeitura para representar o município no Programa\","
    "\"Disponibilizar equipe técnica para elaboração de planos de ação para superação dos"
    " desafios pactuados pelo município\","
    "\"Promover divulgação interna das atividades do programa e mobilizar as Secretarias"
    " envolvidas\","
    "\"Pactuar com o Governo do Estado a melhoria dos indicadores selecionados e a execução dos"
    " Planos de Ação elaborados\","
    "\"Acompanhar o detalhamento do programa e seus desdobramentos na plataforma web\"]";

static const char *const phases[] = {"upcoming",  "adhesion_open", "adhesion_closed",
                                     "pact_open", "closed",        NULL};

#define WINDOW(name) RES_FIELD(name, RES_TIMESTAMP, RF_WRITE | RF_REQUIRED | RF_CSV)

/* In CSV column order. A cycle is created in a state given by its UF, and
 * never moves to another. */
static const struct res_field cycle_fields[] = {
    RES_FIELD("id", RES_ID, RF_CSV),
    RES_FIELD("name", RES_TEXT, RF_WRITE | RF_REQUIRED | RF_CSV, .max = 200),
    RES_FIELD("state", RES_UF, RF_CREATE | RF_REQUIRED | RF_VIRTUAL | RF_CSV),
    RES_FIELD("state_code", RES_INTEGER, RF_STORED), /* from state, by known_state */
    WINDOW("adhesion_opens_at"),
    WINDOW("adhesion_closes_at"),
    WINDOW("pact_opens_at"),
    WINDOW("pact_closes_at"),
    /* The plan-submission deadline; null: until the pact window closes. */
    RES_FIELD("plans_due_at", RES_TIMESTAMP, RF_WRITE | RF_NULLABLE | RF_CSV),
    /* The forum's evaluation window: both or neither (cycle_rules). */
    RES_FIELD("evaluation_opens_at", RES_TIMESTAMP, RF_WRITE | RF_NULLABLE | RF_CSV),
    RES_FIELD("evaluation_closes_at", RES_TIMESTAMP, RF_WRITE | RF_NULLABLE | RF_CSV),
    RES_FIELD("target_year", RES_INTEGER, RF_WRITE | RF_REQUIRED | RF_CSV, .min = 2000,
              .max = 2100),
    RES_FIELD("commitments", RES_TEXT_LIST, RF_WRITE, .min = 1, .max = 20, .item_max = 500,
              .def = default_commitments),
    RES_FIELD("phase", RES_ENUM, RF_CSV, .values = phases),
    RES_FIELD("created_at", RES_TIMESTAMP, 0),
    RES_FIELD("updated_at", RES_TIMESTAMP, 0),
    RES_END,
};

static const struct res_filter cycle_filters[] = {
    {.name = "state", .type = RES_UF},
    {.name = "phase", .type = RES_ENUM, .values = phases},
    {.name = NULL},
};

static const struct db_stmt STMT_STATE_CODE = {
    .name = "cycle_state_code",
    .sql = "SELECT code FROM states WHERE uf = $1",
};

/* The check hook of a create: the state's UF becomes its code, or an error
 * when no state has it. A patch never names the state. */
static bool known_state(struct request *req, struct res_write *w)
{
    const char *uf = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w->doc, "state"));
    if (!uf)
        return true;
    const char *params[] = {uf};
    PGresult *r = req_exec(req, &STMT_STATE_CODE, 1, params);
    if (r && PQntuples(r) == 0)
        field_error(&w->errors, "state", "is not a known state (UF)");
    else if (r)
        cJSON_AddNumberToObject(w->doc, "state_code", atoi(PQgetvalue(r, 0, 0)));
    return r != NULL;
}

static struct resource cycle = {
    .entity = "cycle",
    .table = "cycles",
    .key = "id",
    .key_type = RES_ID,
    .view = "cycle_json",
    .snapshot = "cycle_snapshot",
    .rules = "cycle_rules",
    .matches = "cycle_matches",
    .list_name = "cycles",
    .fields = cycle_fields,
    .filters = cycle_filters,
    .hooks = {.check = known_state},
};

void cycles_create(struct request *req) { resource_create(req, &cycle); }
void cycles_list(struct request *req) { resource_list(req, &cycle); }
void cycles_get(struct request *req) { resource_get(req, &cycle); }
void cycles_update(struct request *req) { resource_patch(req, &cycle); }
