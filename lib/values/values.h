/*
 * An indicator's values: bulk import (CSV and JSON, streamed through COPY,
 * with history, import records and one audit event per import), and the
 * public queries over them (values of a period or the latest, a
 * municipality's series, the state aggregate, the outlier report).
 */
#ifndef PACTO_VALUES_VALUES_H
#define PACTO_VALUES_VALUES_H

#include "http/request.h"

/* POST /v1/indicators/{indicator_id}/values (ROUTE_STREAM) */
void values_import(struct request *req);
/* GET /v1/indicators/{indicator_id}/imports */
void values_imports_list(struct request *req);
/* GET /v1/indicators/{indicator_id}/imports/{import_id} */
void values_imports_get(struct request *req);
/* GET /v1/indicators/{indicator_id}/values */
void values_list(struct request *req);
/* GET /v1/municipalities/{ibge_code}/values */
void values_series(struct request *req);
/* GET /v1/indicators/{indicator_id}/aggregates */
void values_aggregates(struct request *req);
/* GET /v1/indicators/{indicator_id}/outliers */
void values_outliers(struct request *req);

#endif
