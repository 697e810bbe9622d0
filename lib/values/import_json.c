/*
 * The JSON side of a values import: {"values": [{"municipality_id",
 * "period", "value", "numerator", "denominator", "preliminary", "status",
 * "raw_code"}, ...]}, strictly parsed and checked item by item, errors
 * named values[i].field. JSON is for small loads (at most
 * VALUES_JSON_LIMIT bytes, held whole to parse); bulk files go as CSV.
 *
 * A field absent from every item is not written (what is stored stays);
 * one present in some items is written for all, null where an item lacks
 * it. A null (or absent) value is a row without one: not_available, or the
 * status given, with raw_code (one of the sources' codes) kept.
 */
#include "values/import.h"

#include "json/json_strict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VALUES_JSON_LIMIT (16 * 1024 * 1024)

static const char *const item_fields[] = {"municipality_id", "period",      "value",
                                          "numerator",       "denominator", "preliminary",
                                          "status",          "raw_code",    NULL};

static bool known_field(const char *name)
{
    for (const char *const *f = item_fields; *f; f++)
        if (strcmp(*f, name) == 0)
            return true;
    return false;
}

/* A number member as text ("" for null), or NULL after an error. */
static const char *number_text(struct values_sink *s, const cJSON *item, const char *name,
                               const char *field, char out[VALUES_NUMBER_MAX])
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, name);
    out[0] = '\0';
    if (!v || cJSON_IsNull(v))
        return out;
    if (!cJSON_IsNumber(v)) {
        values_error(s, 0, field, "must be a number or null");
        return NULL;
    }
    snprintf(out, VALUES_NUMBER_MAX, "%.15g", v->valuedouble);
    return out;
}

static const char *string_member(struct values_sink *s, const cJSON *item, const char *name,
                                 const char *field, bool *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, name);
    if (!v || cJSON_IsNull(v))
        return NULL;
    if (!cJSON_IsString(v)) {
        values_error(s, 0, field, "must be a string");
        *bad = true;
        return NULL;
    }
    return v->valuestring;
}

static void take_item(struct values_sink *s, int i, const cJSON *item)
{
    char f[8][48];
    for (int k = 0; item_fields[k]; k++)
        snprintf(f[k], sizeof f[k], "values[%d].%s", i, item_fields[k]);
    if (!cJSON_IsObject(item)) {
        char at[32];
        snprintf(at, sizeof at, "values[%d]", i);
        values_error(s, 0, at, "must be an object");
        return;
    }
    for (const cJSON *m = item->child; m; m = m->next)
        if (!known_field(m->string)) {
            char at[96];
            snprintf(at, sizeof at, "values[%d].%.40s", i, m->string);
            values_error(s, 0, at, "is not a field of a value");
        }
    bool bad = false;
    const char *code = string_member(s, item, "municipality_id", f[0], &bad);
    const char *period = string_member(s, item, "period", f[1], &bad);
    const char *status = string_member(s, item, "status", f[6], &bad);
    const char *raw = string_member(s, item, "raw_code", f[7], &bad);
    char value[VALUES_NUMBER_MAX], num[VALUES_NUMBER_MAX], den[VALUES_NUMBER_MAX];
    const char *v = number_text(s, item, "value", f[2], value);
    const char *n = number_text(s, item, "numerator", f[3], num);
    const char *d = number_text(s, item, "denominator", f[4], den);
    const cJSON *pre = cJSON_GetObjectItemCaseSensitive(item, "preliminary");
    if (pre && !cJSON_IsBool(pre)) {
        values_error(s, 0, f[5], "must be true or false");
        bad = true;
    }
    if (!code) {
        values_error(s, 0, f[0], "is required");
        bad = true;
    }
    if (!period) {
        values_error(s, 0, f[1], "is required");
        bad = true;
    }
    if (raw && (v && *v)) {
        values_error(s, 0, f[7], "is only for a row without a value");
        bad = true;
    } else if (raw && values_missing_code(raw) == VALUES_CODE_NONE) {
        values_error(s, 0, f[7], "must be one of the sources' codes (NA, -, ND, ND*, X, ...)");
        bad = true;
    }
    if (bad || !v || !n || !d)
        return;
    struct values_cells cells = {
        .code = code,
        .period = period,
        .value = s->value ? (*v    ? v
                             : raw ? raw
                                   : "")
                          : NULL,
        .numerator = s->numerator && *n ? n : NULL,
        .denominator = s->denominator && *d ? d : NULL,
        .status = status,
        .preliminary = s->preliminary ? (cJSON_IsTrue(pre) ? "true" : "false") : NULL,
    };
    struct values_names names = {f[0], f[1], f[2], f[3], f[4], f[6], f[5]};
    values_take_row(s, i, &cells, &names);
}

/* Marks the columns written: those some item has. */
static void mapped_columns(struct values_sink *s, const cJSON *values)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, values)
    {
        s->value |= cJSON_GetObjectItemCaseSensitive(item, "value") != NULL ||
                    cJSON_GetObjectItemCaseSensitive(item, "raw_code") != NULL;
        s->numerator |= cJSON_GetObjectItemCaseSensitive(item, "numerator") != NULL;
        s->denominator |= cJSON_GetObjectItemCaseSensitive(item, "denominator") != NULL;
        s->preliminary |= cJSON_GetObjectItemCaseSensitive(item, "preliminary") != NULL;
        s->status |= cJSON_GetObjectItemCaseSensitive(item, "status") != NULL;
    }
}

bool values_read_json(struct request *req, struct values_sink *s, EVP_MD_CTX *sha)
{
    struct buf body = {0};
    enum { PIECE = 64 * 1024 };
    char *piece = malloc(PIECE); /* worker threads' stacks are small */
    if (!piece)
        abort();
    long n;
    while ((n = req_stream_read(req, piece, PIECE)) > 0) {
        EVP_DigestUpdate(sha, piece, (size_t)n);
        if (body.len + (size_t)n > VALUES_JSON_LIMIT) {
            free(piece);
            buf_free(&body);
            req->close_connection = true;
            resp_problem(req, 413, "payload-too-large", "Payload too large",
                         "A JSON import is at most 16 MiB; send larger files as text/csv.");
            return false;
        }
        buf_append(&body, piece, (size_t)n);
    }
    free(piece);
    if (n < 0) {
        buf_free(&body);
        return false;
    }
    const char *why = NULL;
    cJSON *json = json_parse_strict(buf_cstr(&body), body.len, &why);
    buf_free(&body);
    req_keep_json(req, json);
    if (!json || !cJSON_IsObject(json)) {
        char detail[160];
        snprintf(detail, sizeof detail, "The body is not acceptable JSON: %s.",
                 json ? "the body must be a JSON object" : why);
        resp_problem(req, 400, "malformed-request", "Malformed request body", detail);
        return false;
    }
    s->json = true;
    const cJSON *values = cJSON_GetObjectItemCaseSensitive(json, "values");
    for (const cJSON *m = json->child; m; m = m->next)
        if (strcmp(m->string, "values") != 0)
            values_error(s, 0, m->string, "is not a field of an import");
    if (!cJSON_IsArray(values) || cJSON_GetArraySize(values) == 0) {
        values_error(s, 0, "values", "must be a non-empty array of values");
        return true;
    }
    mapped_columns(s, values);
    int i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, values) take_item(s, i++, item);
    return true;
}
