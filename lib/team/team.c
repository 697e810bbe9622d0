/*
 * Technical team members (see team.h), declared once as a resource. A member
 * is only ever reached under its own municipality's path: another
 * municipality's member is "not found", so ids do not tell what other
 * municipalities hold. Who may call each route is in lib/api/routes.c.
 */
#include "team/team.h"

#include "resource/resource.h"

static const char *const member_types[] = {"servant", "council", "city_council", "other", NULL};

static const struct res_field member_fields[] = {
    RES_FIELD("id", RES_ID, 0),
    RES_FIELD("municipality_id", RES_IBGE, RF_STORED),
    RES_FIELD("name", RES_TEXT, RF_WRITE | RF_REQUIRED, .max = 200),
    RES_FIELD("program_role", RES_TEXT, RF_WRITE | RF_NULLABLE, .max = 200),
    RES_FIELD("organization", RES_TEXT, RF_WRITE | RF_NULLABLE, .max = 200),
    RES_FIELD("type", RES_ENUM, RF_WRITE | RF_REQUIRED, .values = member_types),
    RES_FIELD("email", RES_EMAIL, RF_WRITE | RF_NULLABLE),
    RES_FIELD("created_at", RES_TIMESTAMP, 0),
    RES_FIELD("updated_at", RES_TIMESTAMP, 0),
    RES_END,
};

static struct resource team_member = {
    .entity = "team_member",
    .table = "team_members",
    .key = "id",
    .key_type = RES_ID,
    .parent = "municipality_id",
    .parent_exists = "SELECT 1 FROM municipalities WHERE ibge_code = $1",
    .view = "team_member_json",
    .snapshot = "team_member_snapshot",
    .fields = member_fields,
};

void team_list(struct request *req) { resource_list(req, &team_member); }
void team_create(struct request *req) { resource_create(req, &team_member); }
void team_get(struct request *req) { resource_get(req, &team_member); }
void team_update(struct request *req) { resource_patch(req, &team_member); }
void team_delete(struct request *req) { resource_delete(req, &team_member); }
