/*
 * GET /v1/practices (see practices.h): the practices the caller may see,
 * searched with `q` in Portuguese without minding accents (the pt_unaccent
 * configuration, websearch_to_tsquery: "quoted phrases", or, -word), ranked
 * by relevance (title, then summary, then the rest) and then by id, and
 * filtered by challenge, SDG goal, state, population band, municipality and
 * status. Without q every match ranks 0, so the order is the id's.
 *
 * The cursor carries the last row's rank and id ("<rank>:<id>"): the next
 * page is what ranks below it, or as high with a greater id, so pages
 * neither repeat nor skip a practice while the practices stay as they are.
 * A rank is a float4, whose text PostgreSQL writes so that it reads back
 * exactly.
 */
#include "practices/practices.h"

#include "authz/policy.h"
#include "db/db.h"
#include "http/query.h"
#include "http/response.h"
#include "json/json_strict.h"
#include "validate/ibge.h"
#include "validate/id.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define Q_MAX 200 /* characters of a search */

static const char *const statuses[] = {"draft", "submitted", "published", "returned", NULL};

/* The page's rows: $1 viewer, $2 filters, $3 the key to continue after,
 * $4 limit. The JSON is made for the page's rows alone. */
#define PAGE_OF_ROWS                                                                               \
    "  FROM (SELECT x.id, x.rank, x.rank::text || ':' || x.id AS k"                                \
    "          FROM practice_rows($1::pacto_viewer, $2::jsonb) x"                                  \
    "         WHERE $3::text IS NULL OR x.rank < split_part($3, ':', 1)::real"                     \
    "            OR (x.rank = split_part($3, ':', 1)::real"                                        \
    "                AND x.id > split_part($3, ':', 2)::bigint)"                                   \
    "         ORDER BY x.rank DESC, x.id LIMIT $4) s"                                              \
    "  JOIN practices p ON p.id = s.id"

static const struct db_stmt STMT_LIST = {
    .name = "practices_list",
    .sql =
        "SELECT s.k, practice_json(p, $1::pacto_viewer)" PAGE_OF_ROWS " ORDER BY s.rank DESC, s.id",
};

/* The same with PRACTICES_CSV_HEADER's cells instead of the JSON. */
static const struct db_stmt STMT_LIST_CSV = {
    .name = "practices_list_csv",
    .sql = "SELECT s.k, '{}', p.id, p.municipality_id, m.name, st.uf, p.challenge_id, c.code,"
           "       p.title, p.summary, array_to_string(p.sdg_goals, ';'), p.cost_range,"
           "       p.contact_role, p.status, practice_adopted_by(p), "
           "pacto_ts(p.published_at)" PAGE_OF_ROWS
           "  JOIN municipalities m ON m.ibge_code = p.municipality_id"
           "  JOIN states st ON st.code = m.state_code"
           "  JOIN challenges c ON c.id = p.challenge_id"
           " ORDER BY s.rank DESC, s.id",
};

static const char PRACTICES_CSV_HEADER[] =
    "id,municipality_id,municipality_name,state,challenge_id,challenge_code,title,summary,"
    "sdg_goals,cost_range,contact_role,status,adopted_by,published_at";

static bool is_sdg(const char *s)
{
    return id_is_canonical(s) && strlen(s) <= 2 && atoi(s) >= 1 && atoi(s) <= 17;
}

static bool is_band(const char *s) { return strlen(s) == 1 && s[0] >= '1' && s[0] <= '7'; }

/* Adds q, trimmed, to filters when it says anything: valid UTF-8 without
 * control characters, at most Q_MAX characters. Any words at all are a
 * search (websearch_to_tsquery never fails on them). False after answering
 * 400. */
static bool search_filter(struct request *req, const struct query *q, cJSON *filters)
{
    const char *v = query_get(q, "q");
    if (!v)
        return true;
    size_t n = strlen(v), chars = 0;
    while (n && isspace((unsigned char)v[n - 1]))
        n--;
    while (n && isspace((unsigned char)*v))
        v++, n--;
    bool ok = json_utf8_valid(v, n);
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        ok = c >= 0x20 && c != 0x7f;
        chars += (c & 0xc0) != 0x80;
    }
    if (!ok || chars > Q_MAX) {
        resp_bad_parameter(req, "q must be text of at most 200 characters, without control "
                                "characters.");
        return false;
    }
    if (n) {
        char *text = req_defer(req, free, strndup(v, n));
        if (!text)
            abort();
        cJSON_AddStringToObject(filters, "q", text);
    }
    return true;
}

void practices_list(struct request *req)
{
    static const char *const allowed[] = {
        "q",      "challenge_id", "sdg",    "state", "population_band", "municipality_id",
        "status", "limit",        "cursor", NULL};
    struct query q;
    struct page page;
    if (!query_parse(req, allowed, &q) || !query_page(req, &q, "practices", &page))
        return;
    cJSON *filters = req_keep_json(req, cJSON_CreateObject());
    if (!search_filter(req, &q, filters) ||
        !query_filter(req, &q, "challenge_id", NULL, id_is_canonical,
                      "challenge_id must be a positive integer.", filters) ||
        !query_filter(req, &q, "sdg", NULL, is_sdg, "sdg must be an SDG goal number from 1 to 17.",
                      filters) ||
        !query_filter(req, &q, "state", NULL, ibge_uf_is_wellformed,
                      "state must be a two-letter state code such as SP.", filters) ||
        !query_filter(req, &q, "population_band", NULL, is_band,
                      "population_band must be an IBGE population band from 1 to 7.", filters) ||
        !query_filter(req, &q, "municipality_id", NULL, ibge_code_is_valid,
                      "municipality_id must be a 7-digit IBGE code.", filters) ||
        !query_filter(req, &q, "status", statuses, NULL,
                      "status must be draft, submitted, published or returned.", filters))
        return;
    const char *f = req_defer(req, cJSON_free, cJSON_PrintUnformatted(filters));
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    bool csv = req_wants_csv(req);
    struct list_query lq = {.stmt = csv ? &STMT_LIST_CSV : &STMT_LIST,
                            .nparams = 4,
                            .params = {viewer, f, NULL, NULL},
                            .after_param = 2,
                            .limit_param = 3,
                            .key_col = 0,
                            .json_col = 1,
                            .csv_first_col = 2,
                            .csv_header = csv ? PRACTICES_CSV_HEADER : NULL};
    resp_list(req, &page, &lq);
}
