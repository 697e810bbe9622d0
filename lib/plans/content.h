/*
 * The plan document as a municipality writes it (POST, PUT and PATCH of an
 * action plan): {summary, targets, actions}, each action with its resources
 * and deliveries. This is the document's form alone, judged without the
 * database; what it names (indicators, initiatives, the plan's own actions
 * and deliveries) is judged by plan_document_problems in
 * sql/021_plan_edit.sql.
 */
#ifndef PACTO_PLANS_CONTENT_H
#define PACTO_PLANS_CONTENT_H

#include "http/response.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

/* The limits the document's form obeys (the issue: a plan holds up to 200
 * actions; every text field has a maximum length). */
enum {
    PLAN_MAX_TARGETS = 20,
    PLAN_MAX_ACTIONS = 200,
    PLAN_MAX_RESOURCES = 20,
    PLAN_MAX_DELIVERIES = 50
};

/* Judges the members present in doc, a JSON object (a whole document, or a
 * merge patch of its top-level members): adds one error to e for every
 * problem, named with its path and 0-based indexes
 * ("actions[3].deliveries[0].due_date"). A member that is null is accepted
 * (the member emptied). Returns true when it added none. */
bool plan_content_check(const cJSON *doc, struct field_errors *e);

/* True when s is a real calendar date written YYYY-MM-DD. */
bool plan_content_is_date(const char *s);

#endif
