/*
 * Municipalities and states: the territory of a program. Public data, except
 * the mayor's name and CPF, which only the secretariat (CPF masked) and the
 * municipality's own mayor and representative see.
 */
#ifndef PACTO_MUNICIPALITIES_MUNICIPALITIES_H
#define PACTO_MUNICIPALITIES_MUNICIPALITIES_H

#include "audit/audit.h"
#include "http/request.h"
#include "http/response.h"

void municipalities_list(struct request *req);   /* GET /v1/municipalities */
void municipalities_get(struct request *req);    /* GET /v1/municipalities/{ibge_code} */
void municipalities_create(struct request *req); /* POST /v1/municipalities */
void municipalities_update(struct request *req); /* PATCH /v1/municipalities/{ibge_code} */
void municipalities_import(struct request *req); /* POST /v1/municipalities/import */
void states_list(struct request *req);           /* GET /v1/states */
void states_import(struct request *req);         /* POST /v1/states/import */

struct cache;
/* The cache of single municipalities read by GET (see lib/api/changes.c). */
struct cache *municipalities_cache(void);
/* The pages of the public list, cleared on any change to what it shows
 * (lib/api/changes.c). */
struct cache *municipalities_list_cache(void);

struct resource;
/* The declarations of a municipality and a state: for the imports' rules,
 * and for writes elsewhere that change a municipality (the representative's
 * appointment) and audit it as one. */
extern struct resource municipality_resource;
extern struct resource state_resource;

struct import_result {
    long rows, inserted, updated, unchanged;
};

enum import_status { IMPORT_OK, IMPORT_INVALID, IMPORT_DB_ERROR };

/* Upserts every row of an IBGE CSV (municipalities, or states) all-or-nothing,
 * one audit event per created or changed row, in one transaction on db.
 * IMPORT_INVALID: errors holds line-numbered problems and nothing changed. */
enum import_status municipalities_import_csv(struct db_conn *db, const struct audit_actor *actor,
                                             const char *csv, size_t len, struct import_result *res,
                                             struct field_errors *errors);
enum import_status states_import_csv(struct db_conn *db, const struct audit_actor *actor,
                                     const char *csv, size_t len, struct import_result *res,
                                     struct field_errors *errors);

#endif
