/*
 * Training (seed 002: "cursos de aperfeiçoamento em serviço"): a cycle's
 * courses, each given by an area's secretariat (title, area, dates, hours),
 * and their attendance by members of the municipalities' technical teams.
 *
 * Courses are public, with their attendance as counts; the names of who
 * attended are seen by the state and, for its own members, by the
 * municipality. A course is kept by its area's secretariat or the
 * coordination (the resource's guard), who also record its attendance. The
 * dashboards count the people trained (sql/031_forum_training.sql).
 */
#ifndef PACTO_TRAINING_TRAINING_H
#define PACTO_TRAINING_TRAINING_H

#include "http/request.h"
#include "http/response.h"

/* /v1/cycles/{cycle_id}/courses and /v1/courses/{course_id} */
void training_courses_list(struct request *req);   /* GET list (JSON, CSV) */
void training_courses_create(struct request *req); /* POST */
void training_courses_get(struct request *req);    /* GET item */
void training_courses_update(struct request *req); /* PATCH item */
void training_courses_delete(struct request *req); /* DELETE item */

/* /v1/courses/{course_id}/attendance[/{team_member_id}] */
void training_attendance_list(struct request *req);   /* GET list (JSON, CSV) */
void training_attendance_create(struct request *req); /* POST {team_member_id} */
void training_attendance_get(struct request *req);    /* GET item */
void training_attendance_delete(struct request *req); /* DELETE item */

/* NULL when s is a real calendar date written YYYY-MM-DD, else the reason. */
const char *training_date_problem(const char *s);

#endif
