/*
 * The lists of a good practice's document, which a resource's field
 * declaration cannot say: its SDG goals, the actions of its plan it is made
 * of, and the indicator values that moved. Their form alone, judged without
 * the database (what they name is practice_document_problems', sql/033).
 * Pure.
 */
#ifndef PACTO_PRACTICES_INPUT_H
#define PACTO_PRACTICES_INPUT_H

#include "http/response.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

enum {
    PRACTICE_SDG_MAX = 17,        /* the UN's Sustainable Development Goals, 1..17 */
    PRACTICE_ACTIONS_MAX = 50,    /* action ids */
    PRACTICE_INDICATORS_MAX = 20, /* indicator values */
    PRACTICE_PERIOD_MAX = 20      /* characters of a period ("2023", "2023-05") */
};

/* Each judges `v`, the member of the body as sent (NULL when absent),
 * adding an error per problem to e, named to the item and field
 * ("sdg_goals[2]", "indicator_values[0].to_period"). When v is acceptable,
 * its normalized copy is added to doc under the member's name:
 *   sdg_goals: 1 to 17 distinct integers 1..17, added in ascending order;
 *     required (absent on a create, or null, is "is required");
 *   action_ids: up to 50 distinct positive integers, in the order given;
 *   indicator_values: up to 20 objects {indicator_id, from_period,
 *     to_period}, each with all three, to_period after from_period, an
 *     indicator given once.
 * null empties action_ids and indicator_values ([]). An absent v adds
 * nothing on a patch (create false), and [] for the optional lists on a
 * create. */
void practice_read_sdg_goals(const cJSON *v, bool create, cJSON *doc, struct field_errors *e);
void practice_read_action_ids(const cJSON *v, bool create, cJSON *doc, struct field_errors *e);
void practice_read_indicator_values(const cJSON *v, bool create, cJSON *doc,
                                    struct field_errors *e);

#endif
