/*
 * Consultations as a resource (see consultations.h): list, get, create and
 * patch are the generic handlers, with one check hook that judges the
 * subject (404 for one the caller may not know of, 403 naming who may, 409
 * for a plan not yet submitted or a closed cycle) and stores its cycle. The
 * guard (consultation_guard) judges a patch on the row before and after.
 */
#include "consultations/consultations.h"

#include "authz/policy.h"
#include "resource/resource.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const subject_types[] = {"cycle", "portfolio", "plan", NULL};
static const char *const statuses[] = {"scheduled", "open", "closed", NULL};

#define COUNT(name) RES_FIELD(name, RES_INTEGER, RF_CSV, .min = 0, .max = 1e15)

/* In CSV column order. The subject is chosen once; the window, title and
 * description move. */
static const struct res_field consultation_fields[] = {
    RES_FIELD("id", RES_ID, RF_CSV),
    RES_FIELD("subject_type", RES_ENUM, RF_CREATE | RF_REQUIRED | RF_CSV, .values = subject_types),
    RES_FIELD("subject_id", RES_INTEGER, RF_CREATE | RF_REQUIRED | RF_CSV, .min = 1,
              .max = 9007199254740991.0),
    RES_FIELD("cycle_id", RES_ID, RF_STORED | RF_CSV), /* the subject's: by check_subject */
    RES_FIELD("title", RES_TEXT, RF_WRITE | RF_REQUIRED | RF_CSV, .max = 200),
    RES_FIELD("description", RES_TEXT, RF_WRITE | RF_NULLABLE, .max = 4000),
    RES_FIELD("opens_at", RES_TIMESTAMP, RF_WRITE | RF_REQUIRED | RF_CSV),
    RES_FIELD("closes_at", RES_TIMESTAMP, RF_WRITE | RF_REQUIRED | RF_CSV),
    RES_FIELD("requires_confirmation", RES_BOOL, RF_CREATE | RF_CSV, .def = "false"),
    RES_FIELD("status", RES_ENUM, RF_CSV, .values = statuses),
    COUNT("comments_received"),
    COUNT("comments_published"),
    COUNT("comments_hidden"),
    COUNT("comments_answered"),
    COUNT("comments_pending"),
    RES_FIELD("created_at", RES_TIMESTAMP, 0),
    RES_FIELD("updated_at", RES_TIMESTAMP, 0),
    RES_END,
};

static const struct res_filter consultation_filters[] = {
    {.name = "subject_type", .type = RES_ENUM, .values = subject_types},
    {.name = "cycle_id", .type = RES_ID},
    {.name = "status", .type = RES_ENUM, .values = statuses},
    {.name = NULL},
};

/* $1 viewer, $2 subject type, $3 subject id. */
static const struct db_stmt STMT_SUBJECT = {
    .name = "consultation_subject",
    .sql = "SELECT cycle_id, cycle_closed, draft_status, area, municipality_id, may, $2"
           "  FROM consultation_subject($2, $3::bigint, $1::pacto_viewer)",
};

/* $1 viewer, $2 consultation (locked by the patch). */
static const struct db_stmt STMT_SUBJECT_OF = {
    .name = "consultation_subject_of",
    .sql = "SELECT s.cycle_id, s.cycle_closed, NULL, s.area, s.municipality_id, s.may,"
           "       c.subject_type"
           "  FROM consultations c,"
           "       consultation_subject(c.subject_type, c.subject_id, $1::pacto_viewer) s"
           " WHERE c.id = $2::bigint",
};
enum { S_CYCLE, S_CLOSED, S_DRAFT, S_AREA, S_MUNICIPALITY, S_MAY, S_KIND };

/* 403 naming who may open (or change) a consultation on the subject. */
static void refuse_subject(struct request *req, const PGresult *s, bool create)
{
    const char *kind = PQgetvalue(s, 0, S_KIND), *area = PQgetvalue(s, 0, S_AREA),
               *verb = create ? "open" : "change";
    char why[240];
    if (strcmp(kind, "cycle") == 0 || strcmp(area, "coordination") == 0)
        snprintf(why, sizeof why, "Only the coordination may %s a consultation on this %s.", verb,
                 kind);
    else if (!PQgetisnull(s, 0, S_MUNICIPALITY))
        snprintf(why, sizeof why,
                 "Only the plan's municipality (%s), the %s secretariat or the coordination may "
                 "%s a consultation on this plan.",
                 PQgetvalue(s, 0, S_MUNICIPALITY), area, verb);
    else
        snprintf(why, sizeof why,
                 "Only the %s secretariat or the coordination may %s a consultation on this "
                 "portfolio.",
                 area, verb);
    resp_forbidden(req, why);
}

/* The check hook: the subject exists for the caller, the caller is its
 * responsible, a plan is submitted or later, the cycle is not closed; a
 * create stores the subject's cycle. */
static bool check_subject(struct request *req, struct res_write *w)
{
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    const PGresult *s;
    if (w->create) {
        const char *kind =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w->doc, "subject_type"));
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(w->doc, "subject_id");
        char subject[32];
        snprintf(subject, sizeof subject, "%.0f", cJSON_IsNumber(n) ? n->valuedouble : 0);
        s = req_exec(req, &STMT_SUBJECT, 3, (const char *[]){viewer, kind, subject});
    } else {
        s = req_exec(req, &STMT_SUBJECT_OF, 2, (const char *[]){viewer, w->key});
    }
    if (!s)
        return false;
    if (PQntuples(s) == 0) {
        /* create: no such subject for this caller; a patch's subject is
         * always there (its cycle cascades) */
        resp_not_found(req);
    } else if (strcmp(PQgetvalue(s, 0, S_MAY), "t") != 0) {
        refuse_subject(req, s, w->create);
    } else if (!PQgetisnull(s, 0, S_DRAFT)) {
        char detail[200];
        snprintf(detail, sizeof detail,
                 "The plan is %s: a consultation opens on a plan once it is submitted.",
                 PQgetvalue(s, 0, S_DRAFT));
        resp_problem(req, 409, "conflict", "The plan is not submitted", detail);
    } else if (strcmp(PQgetvalue(s, 0, S_CLOSED), "t") == 0) {
        resp_problem(req, 409, "conflict", "The cycle is closed",
                     "A closed cycle's consultations are read-only.");
    } else {
        if (w->create)
            cJSON_AddNumberToObject(w->doc, "cycle_id", atof(PQgetvalue(s, 0, S_CYCLE)));
        return true;
    }
    return false;
}

static struct resource consultation = {
    .entity = "consultation",
    .table = "consultations",
    .key = "id",
    .key_type = RES_ID,
    .view = "consultation_json",
    .snapshot = "consultation_snapshot",
    .rules = "consultation_rules",
    .matches = "consultation_matches",
    .guard = "consultation_guard", /* check_subject refuses first, naming who may */
    .guard_why = "Only the subject's responsible may change this consultation.",
    .list_name = "consultations",
    .fields = consultation_fields,
    .filters = consultation_filters,
    .hooks = {.check = check_subject},
};

void consultations_list(struct request *req) { resource_list(req, &consultation); }
void consultations_create(struct request *req) { resource_create(req, &consultation); }
void consultations_get(struct request *req) { resource_get(req, &consultation); }
void consultations_update(struct request *req) { resource_patch(req, &consultation); }
