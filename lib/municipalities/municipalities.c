/*
 * Municipalities (see municipalities.h), declared once as a resource. What
 * each caller sees of one, the list's rows and filters, the audit snapshot
 * and the rules of a write are SQL functions in sql/009_municipalities.sql;
 * who may call each route is in lib/api/routes.c.
 */
#include "municipalities/municipalities.h"

#include "cache/cache.h"
#include "resource/resource.h"

#include <pthread.h>
#include <stdlib.h>

static const char *const regions[] = {"norte", "nordeste", "sudeste", "sul", "centro_oeste", NULL};

/* In the order of the list's CSV columns. */
static const struct res_field municipality_fields[] = {
    RES_FIELD("ibge_code", RES_IBGE, RF_CREATE | RF_REQUIRED | RF_CSV),
    RES_FIELD("name", RES_TEXT, RF_WRITE | RF_REQUIRED | RF_CSV, .max = 200),
    /* A create names the state by its UF; check_state turns it into state_code. */
    RES_FIELD("state", RES_UF, RF_CREATE | RF_REQUIRED | RF_VIRTUAL | RF_CSV),
    RES_FIELD("state_code", RES_INTEGER, RF_STORED),
    RES_FIELD("region", RES_ENUM, RF_CSV, .values = regions),
    RES_FIELD("latitude", RES_NUMBER, RF_WRITE | RF_NULLABLE | RF_CSV, .min = -90, .max = 90),
    RES_FIELD("longitude", RES_NUMBER, RF_WRITE | RF_NULLABLE | RF_CSV, .min = -180, .max = 180),
    RES_FIELD("capital", RES_BOOL, RF_WRITE | RF_CSV, .def = "false"),
    RES_FIELD("mayor_name", RES_TEXT, RF_WRITE | RF_NULLABLE, .max = 200),
    RES_FIELD("mayor_cpf", RES_CPF, RF_WRITE | RF_NULLABLE),
    RES_FIELD("created_at", RES_TIMESTAMP, 0),
    RES_FIELD("updated_at", RES_TIMESTAMP, 0),
    RES_END,
};

static const struct res_filter municipality_filters[] = {
    {.name = "state", .type = RES_UF},
    {.name = "region", .type = RES_ENUM, .values = regions},
    {.name = "q", .type = RES_TEXT, .min = 2, .max = 100},
    {.name = "cycle_id", .type = RES_ID, .with = "adhered"},
    {.name = "adhered", .type = RES_BOOL, .with = "cycle_id"},
    /* focalization: the municipalities focal now for that challenge */
    {.name = "focal_challenge", .type = RES_ID},
    {.name = NULL},
};

static const struct db_stmt STMT_STATE_CODE = {
    .name = "municipality_state_code",
    .sql = "SELECT code FROM states WHERE uf = $1",
};

/* On create, the state named by its UF must exist: its code is stored. */
static bool check_state(struct request *req, struct res_write *w)
{
    const cJSON *uf = cJSON_GetObjectItemCaseSensitive(w->doc, "state");
    if (!w->create || !cJSON_IsString(uf))
        return true;
    const char *params[] = {uf->valuestring};
    PGresult *r = req_exec(req, &STMT_STATE_CODE, 1, params);
    if (r && PQntuples(r) == 0)
        field_error(&w->errors, "state", "is not a known state (UF)");
    else if (r)
        cJSON_AddNumberToObject(w->doc, "state_code", atoi(PQgetvalue(r, 0, 0)));
    return r != NULL;
}

struct resource municipality_resource = {
    .entity = "municipality",
    .table = "municipalities",
    .key = "ibge_code",
    .key_type = RES_IBGE,
    .view = "municipality_json",
    .snapshot = "municipality_snapshot",
    .rules = "municipality_rules",
    .rows = "municipality_rows",
    .list_name = "municipalities",
    .fields = municipality_fields,
    .filters = municipality_filters,
    .hooks = {.check = check_state},
    .list_cache = municipalities_list_cache,
};

static struct cache *cache;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void create_cache(void)
{
    cache = cache_create(20000);
    if (!cache)
        abort();
}

struct cache *municipalities_cache(void)
{
    pthread_once(&cache_once, create_cache);
    return cache;
}

static struct cache *pages;
static pthread_once_t pages_once = PTHREAD_ONCE_INIT;

static void create_pages(void)
{
    pages = cache_create(4096);
    if (!pages)
        abort();
}

struct cache *municipalities_list_cache(void)
{
    pthread_once(&pages_once, create_pages);
    return pages;
}

/* GET reads through the cache: municipalities are read on every page of
 * every client and change a few times a year. */
void municipalities_get(struct request *req)
{
    resource_get_cached(req, &municipality_resource, municipalities_cache());
}

void municipalities_list(struct request *req) { resource_list(req, &municipality_resource); }

void municipalities_create(struct request *req) { resource_create(req, &municipality_resource); }

void municipalities_update(struct request *req)
{
    resource_patch(req, &municipality_resource);
    /* The change's NOTIFY evicts it on every server; this one forgets it
     * now, so that the caller's next read here shows the change. */
    const char *code = resource_path_key(req, &municipality_resource);
    if (code && req->status == 200)
        cache_evict(municipalities_cache(), code);
}
