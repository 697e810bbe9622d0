/*
 * GET /v1/practices (see practices.h): the practices the caller may see,
 * searched with `q` in Portuguese without minding accents (the pt_unaccent
 * configuration, websearch_to_tsquery: "quoted phrases", or, -word), ranked
 * by relevance (title, then summary, then the rest) and then by id, and
 * filtered by challenge, SDG goal, state, population band, municipality and
 * status. Without q every match ranks 0, so the order is the id's. With q
 * and without it are two statements (practice_search and practice_rows,
 * sql/033): a search's condition is then the GIN index's alone, whatever
 * plan PostgreSQL keeps for the prepared statement.
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

/* The statements' parameters: the viewer, the search (when there is
 * one), the filters — challenge, municipality, SDG, status, state, band,
 * each NULL when not given —, the key to continue after and the limit. */
/* The page: the rows are ranked and cut first, and only the page's are
 * then read whole (the view practice_summaries). ROWS is the rows
 * function's call, AFTER and LIMIT the parameters' numbers. A subquery, not
 * a WITH, so that the statement starts with SELECT (see db_exec: a request's
 * first statement may be sent twice). */
#define PAGE(ROWS, AFTER, LIMIT)                                                                   \
    "(SELECT x.id, x.rank, x.rank::text || ':' || x.id AS k FROM " ROWS " x"                       \
    "   WHERE $" AFTER "::text IS NULL OR x.rank < split_part($" AFTER ", ':', 1)::real"           \
    "      OR (x.rank = split_part($" AFTER ", ':', 1)::real"                                      \
    "          AND x.id > split_part($" AFTER ", ':', 2)::bigint)"                                 \
    "   ORDER BY x.rank DESC, x.id LIMIT $" LIMIT ") page"
#define BROWSE                                                                                     \
    PAGE("practice_rows($1::pacto_viewer, $2::bigint, $3, $4::smallint, $5, $6, $7::integer)",     \
         "8", "9")
#define SEARCH                                                                                     \
    PAGE("practice_search($1::pacto_viewer, $2, $3::bigint, $4, $5::smallint, $6, $7,"             \
         " $8::integer)",                                                                          \
         "9", "10")
#define JSON_OF(PAGE_)                                                                             \
    "SELECT page.k, s.j FROM " PAGE_ " JOIN practice_summaries s ON s.id = page.id"                \
    " ORDER BY page.rank DESC, page.id"
/* PRACTICES_CSV_HEADER's cells instead of the JSON. */
#define CSV_OF(PAGE_)                                                                              \
    "SELECT page.k, '{}', p.id, p.municipality_id, s.municipality_name, s.state,"                  \
    "       p.challenge_id, s.challenge_code, p.title, p.summary,"                                 \
    "       array_to_string(p.sdg_goals, ';'), p.cost_range, p.contact_role, p.status,"            \
    "       s.adopted_by, pacto_ts(p.published_at)"                                                \
    "  FROM " PAGE_ " JOIN practices p ON p.id = page.id"                                          \
    "  JOIN practice_summaries s ON s.id = page.id"                                                \
    " ORDER BY page.rank DESC, page.id"

static const struct db_stmt STMT_BROWSE = {.name = "practices_browse", .sql = JSON_OF(BROWSE)};
static const struct db_stmt STMT_BROWSE_CSV = {.name = "practices_browse_csv",
                                               .sql = CSV_OF(BROWSE)};
static const struct db_stmt STMT_SEARCH = {.name = "practices_search", .sql = JSON_OF(SEARCH)};
static const struct db_stmt STMT_SEARCH_CSV = {.name = "practices_search_csv",
                                               .sql = CSV_OF(SEARCH)};

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
    static const char *const order[] = {"q",      "challenge_id", "municipality_id", "sdg",
                                        "status", "state",        "population_band"};
    char viewer[AUTHZ_VIEWER_MAX];
    authz_viewer(&req->who, viewer);
    bool csv = req_wants_csv(req), search = cJSON_HasObjectItem(filters, "q");
    struct list_query lq = {.nparams = 0,
                            .key_col = 0,
                            .json_col = 1,
                            .csv_first_col = 2,
                            .csv_header = csv ? PRACTICES_CSV_HEADER : NULL};
    lq.stmt =
        search ? (csv ? &STMT_SEARCH_CSV : &STMT_SEARCH) : (csv ? &STMT_BROWSE_CSV : &STMT_BROWSE);
    lq.params[lq.nparams++] = viewer;
    for (size_t i = search ? 0 : 1; i < sizeof order / sizeof order[0]; i++)
        lq.params[lq.nparams++] =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(filters, order[i]));
    lq.after_param = lq.nparams++;
    lq.limit_param = lq.nparams++;
    resp_list(req, &page, &lq);
}
