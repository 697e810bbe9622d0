/*
 * The open-data catalogue (GET /v1/open-data): every public dataset the API
 * serves as CSV, as a Frictionless Data Package descriptor
 * (https://specs.frictionlessdata.io/data-package/). This table is the one
 * place that lists them; test_open_data downloads each one and checks that
 * its CSV header is exactly the listed fields, in order, so the catalogue
 * cannot drift from what the routes answer.
 *
 * Compact notation, expanded into the descriptor when answered:
 *   params: space-separated "path:NAME", "query:NAME" or "query:NAME!" (a
 *           required filter);
 *   fields: space-separated "NAME:TYPE", TYPE one of string, integer,
 *           number, boolean, date, datetime (Table Schema types).
 */
#include "dashboards/dashboards.h"

#include "http/response.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct open_dataset {
    const char *name, *title, *description, *path, *params, *fields;
};

/* The dashboards' metrics, flattened (sql/028 dashboard_metrics_cells). */
#define METRICS_FIELDS                                                                             \
    "municipalities:integer adhered:integer adhesion_rate:number plans:integer "                   \
    "plans_draft:integer plans_submitted:integer plans_returned:integer plans_approved:integer "   \
    "plans_pacted:integer plans_under_revision:integer plans_closed:integer pacts:integer "        \
    "deliveries_pending:integer deliveries_late:integer deliveries_submitted:integer "             \
    "deliveries_done:integer deliveries_rejected:integer deliveries_due:integer "                  \
    "deliveries_on_time:integer on_time_rate:number pacts_achieved:integer "                       \
    "pacts_on_track:integer pacts_off_track:integer pacts_no_data:integer "                        \
    "incentives_granted:integer incentives_amount_cents:integer mean_progress:number"

#define DELIVERIES_BY_STATUS_FIELDS                                                                \
    "deliveries_pending:integer deliveries_late:integer deliveries_submitted:integer "             \
    "deliveries_done:integer deliveries_rejected:integer"

/* clang-format off */
static const struct open_dataset open_datasets[] = {
    {"states", "States", "Brazil's 27 federative units.", "/v1/states", "",
     "code:integer uf:string name:string region:string"},
    {"municipalities", "Municipalities",
     "Every municipality (IBGE), with its state and location.", "/v1/municipalities",
     "query:state query:region query:q query:cycle_id query:adhered query:focal_challenge",
     "ibge_code:string name:string state:string region:string latitude:number "
     "longitude:number capital:boolean"},
    {"cycles", "Cycles", "The program's cycles: windows and target year.", "/v1/cycles",
     "query:state query:phase",
     "id:integer name:string state:string adhesion_opens_at:datetime "
     "adhesion_closes_at:datetime pact_opens_at:datetime pact_closes_at:datetime "
     "plans_due_at:datetime evaluation_opens_at:datetime evaluation_closes_at:datetime "
     "target_year:integer phase:string"},
    {"adhesions", "Adhesions", "The municipalities that adhered to a cycle.",
     "/v1/cycles/{cycle_id}/adhesions", "path:cycle_id query:state query:status",
     "id:integer municipality_id:string municipality_name:string state:string "
     "protocol:string status:string signed_at:datetime"},
    {"indicators", "Indicators", "The indicators the program measures.", "/v1/indicators",
     "query:area query:polarity query:periodicity",
     "id:integer code:string name:string unit:string polarity:string source:string "
     "periodicity:string first_period:string decimals:integer min_value:number "
     "max_value:number area:string publication_lag_months:integer scale:number "
     "is_population:boolean latest_period:string"},
    {"indicator-values", "Indicator values", "An indicator's values per municipality and period.",
     "/v1/indicators/{indicator_id}/values", "path:indicator_id query:state query:period",
     "municipality_id:string municipality_name:string state:string period:string "
     "value:number numerator:number denominator:number preliminary:boolean status:string "
     "raw_code:string"},
    {"indicator-aggregates", "Indicator aggregates",
     "An indicator's state aggregate per period.", "/v1/indicators/{indicator_id}/aggregates",
     "path:indicator_id query:state!",
     "period:string state:string value:number numerator:number denominator:number "
     "municipalities_with_data:integer municipalities_without_data:integer"},
    {"indicator-outliers", "Indicator outliers",
     "Values far from the state's distribution or from the previous period.",
     "/v1/indicators/{indicator_id}/outliers",
     "path:indicator_id query:state! query:period query:min_denominator",
     "municipality_id:string municipality_name:string period:string value:number "
     "z_score:number previous_period:string previous_value:number change:number "
     "change_z_score:number denominator:number small_denominator:boolean reasons:string"},
    {"municipality-values", "A municipality's values",
     "Every indicator value of one municipality.", "/v1/municipalities/{ibge_code}/values",
     "path:ibge_code query:indicator_id",
     "indicator_id:integer indicator_code:string period:string value:number "
     "numerator:number denominator:number preliminary:boolean status:string raw_code:string"},
    {"challenges", "Challenges", "A cycle's challenges.", "/v1/cycles/{cycle_id}/challenges",
     "path:cycle_id query:area query:responsible_area",
     "id:integer cycle_id:integer state:string code:string title:string area:string "
     "responsible_area:string focal_combine:string open_to_all:boolean"},
    {"challenge-indicators", "Challenge indicators",
     "A challenge's main and complementary indicators and focalization rules.",
     "/v1/challenges/{challenge_id}/indicators", "path:challenge_id",
     "challenge_id:integer indicator_id:integer code:string name:string unit:string "
     "polarity:string role:string focal_rule:string focal_value:number focal_period:string "
     "focal_min_denominator:number"},
    {"state-targets", "State targets", "A challenge's state targets per main indicator.",
     "/v1/challenges/{challenge_id}/targets", "path:challenge_id",
     "challenge_id:integer indicator_id:integer indicator_code:string polarity:string "
     "target_value:number target_year:integer rule:string rule_value:number "
     "min_improvement:number computed_at:datetime"},
    {"suggested-targets", "Suggested targets",
     "The municipal targets suggested per challenge, indicator and municipality.",
     "/v1/challenges/{challenge_id}/suggested-targets",
     "path:challenge_id query:indicator_id query:status query:municipalities",
     "municipality_id:string municipality_name:string indicator_id:integer "
     "indicator_code:string baseline_value:number baseline_period:string "
     "suggested_value:number status:string state_target:number target_year:integer "
     "focal:boolean"},
    {"focalization-run-municipalities", "Focalization run results",
     "Every municipality's result in one focalization run.",
     "/v1/challenges/{challenge_id}/focalization/runs/{run_id}/municipalities",
     "path:challenge_id path:run_id query:status",
     "municipality_id:string name:string status:string reason:string indicator_code:string "
     "period:string value:number rank:integer percentile:number indicator_status:string"},
    {"focal-municipalities", "Focal municipalities",
     "A challenge's current focal set, with manual decisions.",
     "/v1/challenges/{challenge_id}/focal-municipalities", "path:challenge_id query:status",
     "municipality_id:string name:string status:string decision:string reason:string "
     "manual_reason:string indicator_code:string period:string value:number rank:integer "
     "percentile:number indicator_status:string"},
    {"initiatives", "Initiatives", "The state's initiatives offered under a challenge.",
     "/v1/challenges/{challenge_id}/initiatives", "path:challenge_id query:type query:published",
     "id:integer challenge_id:integer title:string area:string type:string "
     "published:boolean"},
    {"incentives", "Incentives", "The incentives a challenge's pacts grant.",
     "/v1/challenges/{challenge_id}/incentives", "path:challenge_id query:type",
     "id:integer challenge_id:integer title:string type:string amount_cents:integer "
     "source:string condition:string"},
    {"action-plans", "Action plans", "A cycle's public action plans (drafts stay private).",
     "/v1/cycles/{cycle_id}/action-plans",
     "path:cycle_id query:challenge_id query:municipality_id query:status",
     "id:integer challenge_id:integer challenge_code:string municipality_id:string "
     "municipality_name:string status:string actions:integer deliveries:integer "
     "total_amount_cents:integer current_version:integer submitted_at:datetime "
     "approved_at:datetime updated_at:datetime"},
    {"pacts", "Pacts", "The pacts signed in a cycle, with their targets.",
     "/v1/cycles/{cycle_id}/pacts", "path:cycle_id query:challenge_id query:municipality_id",
     "id:integer protocol:string municipality_id:string municipality_name:string "
     "challenge_id:integer challenge_code:string signed_at:datetime targets:string"},
    {"incentive-grants", "Incentive grants", "The incentives a municipality's pacts granted.",
     "/v1/municipalities/{ibge_code}/incentive-grants", "path:ibge_code query:cycle_id",
     "incentive_id:integer title:string type:string amount_cents:integer source:string "
     "cycle_id:integer challenge_id:integer challenge_code:string pact_id:integer "
     "protocol:string granted_at:datetime"},
    {"trajectories", "Pact trajectories",
     "Every pact target of a cycle on its linear path from baseline to target.",
     "/v1/cycles/{cycle_id}/trajectories", "path:cycle_id",
     "pact_id:integer protocol:string municipality_id:string municipality_name:string "
     "challenge_id:integer challenge_code:string indicator_id:integer indicator_code:string "
     "polarity:string baseline_value:number baseline_period:string target_value:number "
     "target_year:integer "
     "latest_value:number latest_period:string preliminary_value:number "
     "preliminary_period:string elapsed:number expected_value:number progress:number "
     "status:string"},
    {"deliveries", "Deliveries", "Every delivery of a cycle's plans, with its status.",
     "/v1/cycles/{cycle_id}/deliveries", "path:cycle_id",
     "id:integer plan_id:integer challenge_id:integer challenge_code:string "
     "municipality_id:string municipality_name:string plan_status:string action_id:integer "
     "action_title:string title:string due_date:date weight:number status:string "
     "done_at:datetime"},
    {"cycle-dashboard", "Cycle dashboard",
     "A cycle's figures per challenge: adhesions, plans by status, pacts, deliveries by status "
     "and on-time rate, pacts by trajectory status, incentives granted, mean progress.",
     "/v1/cycles/{cycle_id}/dashboard", "path:cycle_id",
     "challenge_id:integer challenge_code:string challenge_title:string " METRICS_FIELDS},
    {"challenge-dashboard", "Challenge dashboard",
     "A challenge's figures per municipality with a public plan.",
     "/v1/challenges/{challenge_id}/dashboard", "path:challenge_id",
     "municipality_id:string municipality_name:string plan_id:integer plan_status:string "
     "progress:number pact_id:integer pact_protocol:string trajectory_status:string "
     DELIVERIES_BY_STATUS_FIELDS},
    {"municipality-dashboard", "Municipality dashboard",
     "A municipality's figures per challenge of one cycle.",
     "/v1/municipalities/{ibge_code}/dashboard", "path:ibge_code query:cycle_id!",
     "challenge_id:integer challenge_code:string challenge_title:string plan_id:integer "
     "plan_status:string progress:number pact_id:integer pact_protocol:string "
     "trajectory_status:string " DELIVERIES_BY_STATUS_FIELDS " incentives_granted:integer "
     "incentives_amount_cents:integer"},
    /* The shared-management forum, co-evaluation and training */
    {"forum-members", "Forum members",
     "A cycle's shared-management forum: its members' organizations, sectors and mandates.",
     "/v1/cycles/{cycle_id}/forum-members", "path:cycle_id query:sector query:in_office",
     "id:integer cycle_id:integer name:string organization:string sector:string "
     "mandate_starts_on:date mandate_ends_on:date in_office:boolean has_account:boolean"},
    {"co-evaluations", "Co-evaluations",
     "The forum's ratings of a cycle's pacts, beside the state's monitoring status.",
     "/v1/cycles/{cycle_id}/co-evaluations",
     "path:cycle_id query:disagreement query:rating query:pact_id query:municipality_id",
     "id:integer pact_id:integer protocol:string municipality_id:string challenge_id:integer "
     "member_id:integer member_name:string organization:string sector:string rating:string "
     "justification:string monitoring_status:string state_rating:string disagreement:boolean "
     "created_at:datetime updated_at:datetime"},
    {"courses", "Courses",
     "A cycle's training courses, with how many attended and from how many municipalities.",
     "/v1/cycles/{cycle_id}/courses", "path:cycle_id query:area",
     "id:integer cycle_id:integer title:string area:string starts_on:date ends_on:date "
     "hours:integer attendees:integer municipalities:integer"},
};
/* clang-format on */

/* Calls add(word, len, ctx) for each space-separated word of s. */
static void each_word(const char *s, void (*add)(const char *, size_t, void *), void *ctx)
{
    while (*s) {
        s += strspn(s, " ");
        size_t n = strcspn(s, " ");
        if (n)
            add(s, n, ctx);
        s += n;
    }
}

/* "path:NAME" / "query:NAME" / "query:NAME!" -> {name, in, required}. */
static void add_param(const char *w, size_t n, void *ctx)
{
    const char *colon = memchr(w, ':', n);
    if (!colon)
        return;
    size_t in_len = (size_t)(colon - w);
    const char *name = colon + 1;
    size_t name_len = n - in_len - 1;
    bool required = in_len == 4; /* path parameters always are */
    if (name_len && name[name_len - 1] == '!') {
        required = true;
        name_len--;
    }
    char buf[64];
    cJSON *p = cJSON_CreateObject();
    snprintf(buf, sizeof buf, "%.*s", (int)name_len, name);
    cJSON_AddStringToObject(p, "name", buf);
    snprintf(buf, sizeof buf, "%.*s", (int)in_len, w);
    cJSON_AddStringToObject(p, "in", buf);
    cJSON_AddBoolToObject(p, "required", required);
    cJSON_AddItemToArray(ctx, p);
}

/* "NAME:TYPE" -> {name, type}. */
static void add_field(const char *w, size_t n, void *ctx)
{
    const char *colon = memchr(w, ':', n);
    if (!colon)
        return;
    char buf[64];
    cJSON *f = cJSON_CreateObject();
    snprintf(buf, sizeof buf, "%.*s", (int)(colon - w), w);
    cJSON_AddStringToObject(f, "name", buf);
    snprintf(buf, sizeof buf, "%.*s", (int)(n - (size_t)(colon - w) - 1), colon + 1);
    cJSON_AddStringToObject(f, "type", buf);
    cJSON_AddItemToArray(ctx, f);
}

static cJSON *dataset_json(const struct open_dataset *d)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "name", d->name);
    cJSON_AddStringToObject(r, "title", d->title);
    cJSON_AddStringToObject(r, "description", d->description);
    cJSON_AddStringToObject(r, "path", d->path);
    cJSON_AddStringToObject(r, "format", "csv");
    cJSON_AddStringToObject(r, "mediatype", "text/csv");
    cJSON_AddStringToObject(r, "encoding", "utf-8");
    each_word(d->params, add_param, cJSON_AddArrayToObject(r, "parameters"));
    cJSON *schema = cJSON_AddObjectToObject(r, "schema");
    each_word(d->fields, add_field, cJSON_AddArrayToObject(schema, "fields"));
    return r;
}

void dashboards_open_data(struct request *req)
{
    cJSON *doc = req_keep_json(req, cJSON_CreateObject());
    cJSON_AddStringToObject(doc, "profile", "data-package");
    cJSON_AddStringToObject(doc, "name", "pacto-open-data");
    cJSON_AddStringToObject(doc, "title", "Pacto: the program's open data");
    cJSON_AddStringToObject(doc, "description",
                            "Every public dataset of the Pacto API, downloadable whole as CSV "
                            "(RFC 4180, header row) with Accept: text/csv. Paths are URL "
                            "templates: fill the path parameters; filters are query parameters.");
    cJSON *license = cJSON_CreateObject();
    cJSON_AddStringToObject(license, "name", "CC-BY-4.0");
    cJSON_AddStringToObject(license, "path", "https://creativecommons.org/licenses/by/4.0/");
    cJSON_AddStringToObject(license, "title", "Creative Commons Attribution 4.0");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "licenses"), license);
    cJSON *resources = cJSON_AddArrayToObject(doc, "resources");
    for (size_t i = 0; i < sizeof open_datasets / sizeof open_datasets[0]; i++)
        cJSON_AddItemToArray(resources, dataset_json(&open_datasets[i]));
    char *text = req_defer(req, cJSON_free, cJSON_PrintUnformatted(doc));
    if (!text) {
        resp_problem(req, 500, "internal-error", "Internal error", NULL);
        return;
    }
    resp_json(req, 200, text, strlen(text));
}
