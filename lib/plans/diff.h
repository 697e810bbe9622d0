/*
 * What changed between two frozen versions of an action plan: pure code
 * over two contents as plan_content (sql/019_plans_pacts.sql) makes them —
 * {summary, targets: [{indicator_id, ...}], actions: [{id, ..., resources:
 * [...], deliveries: [{id, ...}]}]} — so that comparing two plans of 60
 * actions costs no database work.
 *
 * Targets are matched by indicator_id, actions and deliveries by id (an
 * action keeps its id across edits), resources, which have none, by
 * position. A field missing on one side counts as null.
 */
#ifndef PACTO_PLANS_DIFF_H
#define PACTO_PLANS_DIFF_H

#include <cjson/cJSON.h>

/* Compares content `from` with content `to` and returns a new object:
 *   summary:  null when equal, else {from, to}
 *   targets:  {added: [target], removed: [target],
 *              changed: [{indicator_id, indicator_code, changes}]}
 *   actions:  {added: [action], removed: [action],
 *              changed: [{id, title, changes, deliveries: {added, removed,
 *                         changed: [{id, title, changes}]}}]}
 * where changes is [{field, from, to}] in field order; a resource's fields
 * are the action's, named resources[i].<field>, or resources[i] when only
 * one side has it. added and changed follow `to`'s order, removed `from`'s;
 * an action is listed as changed only when something in it changed.
 * Returns NULL when either side is not an object; the caller frees the
 * result with cJSON_Delete. Aborts when memory runs out. */
cJSON *plans_diff(const cJSON *from, const cJSON *to);

#endif
