/*
 * A resource declared once: its fields, its table and SQL functions, its
 * audit entity and its ETag. From the declaration come input validation
 * (every field error at once), JSON Merge Patch, the write statements and the
 * generic get / list / create / patch / delete handlers, so a new resource
 * costs a descriptor, its migration and its part of api/openapi.yaml.
 *
 * What the database stores and shows is said once, in SQL, next to the table
 * (sql/): a view function `view(row, pacto_viewer) -> json` (what a caller
 * sees), a snapshot function `snapshot(row) -> jsonb` (what the audit log
 * keeps), and optionally `rules(row) -> SETOF (field, message)` (cross-field
 * rules, judged on the row as it would be stored, for create and patch alike)
 * and `matches(row, filters jsonb, pacto_viewer) -> boolean` (a list's
 * filters and row-level visibility), or instead of view and matches for a
 * list, `rows(pacto_viewer, filters jsonb)` (see struct resource). The C side
 * passes the validated body to PostgreSQL as one jsonb parameter; the column
 * lists of the INSERT and UPDATE are made from the field list at start-up
 * (resource_init), never from what a client sent.
 *
 * Every write runs in one transaction with its audit event (the handler
 * cannot forget it) and honours If-Match on the row's version.
 */
#ifndef PACTO_RESOURCE_RESOURCE_H
#define PACTO_RESOURCE_RESOURCE_H

#include "db/db.h"
#include "http/request.h"
#include "http/response.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

enum res_type {
    RES_TEXT,      /* 1..max characters, no control characters or outer spaces */
    RES_ENUM,      /* one of values */
    RES_EMAIL,     /* an e-mail address of at most 254 bytes */
    RES_PHONE,     /* digits, spaces and + - ( ) . */
    RES_CPF,       /* a CPF with valid check digits, formatting ignored: stored as 11 digits */
    RES_IBGE,      /* a 7-digit IBGE municipality code */
    RES_UF,        /* a two-letter state code such as SP */
    RES_TIMESTAMP, /* an RFC 3339 date-time with an offset */
    RES_INTEGER,   /* an integer in min..max */
    RES_NUMBER,    /* a number in min..max */
    RES_BOOL,
    RES_TEXT_LIST, /* an array of min..max strings of 1..item_max characters */
    RES_ID,        /* a server-made integer id (read-only fields only) */
    /* Any string, judged only by check: a password, whose spaces and symbols
     * are the person's own. Never a column (RF_VIRTUAL): a hook reads it from
     * the document, and the generic writes drop it before the document goes
     * to the database. */
    RES_SECRET
};

/* Field flags. A field with none of RF_CREATE and RF_PATCH is read-only: a
 * client that sends it gets "may not be set". */
#define RF_CREATE   (1u << 0) /* a client may set it on create */
#define RF_PATCH    (1u << 1) /* a client may change it */
#define RF_REQUIRED (1u << 2) /* create must give it */
#define RF_NULLABLE (1u << 3) /* may be null */
#define RF_STORED                                                                                  \
    (1u << 4) /* a column of the table written by create (set by the server                        \
                 when the client may not) */
#define RF_VIRTUAL                                                                                 \
    (1u << 5)              /* accepted from the client but not a column: a hook turns it           \
                              into stored fields */
#define RF_CSV   (1u << 6) /* a column of the list's CSV download, in field order */
#define RF_WRITE (RF_CREATE | RF_PATCH)
/* A column the generic patch writes from the document though no client sees
 * or sends it: a prepare hook puts it there (a password's hash, an invitation
 * withdrawn). To a client it is an unknown field. */
#define RF_INTERNAL (1u << 7)

struct res_field {
    const char *name;
    enum res_type type;
    unsigned flags;
    double min, max;           /* RES_TEXT: max characters; numbers: range; lists: items */
    const char *const *values; /* RES_ENUM: NULL-terminated */
    const char *def;           /* JSON stored when a create leaves the field out */
    int item_max;              /* RES_TEXT_LIST: characters per item */
    /* An extra rule on a text value: NULL when fine, else the reason. */
    const char *(*check)(const char *text);
    /* Who may write it, as ROLE_* bits (authz/policy.h); 0: anyone the
     * route's policy lets in. Another caller gets "may not be set", as for a
     * field the write does not take: which fields a role may write is said
     * here, never in a handler (a representative's position). */
    unsigned writers;
};

/* A declaration line: RES_FIELD("name", RES_TEXT, RF_WRITE | RF_REQUIRED, .max = 200). */
#define RES_FIELD(n, t, f, ...)                                                                    \
    {                                                                                              \
        .name = (n), .type = (t), .flags = (f), __VA_ARGS__                                        \
    }
#define RES_END                                                                                    \
    {                                                                                              \
        .name = NULL                                                                               \
    }

/* A query parameter of a list: validated like a field, then handed to the
 * resource's matches() (or rows()) function in one jsonb object. */
struct res_filter {
    const char *name;
    enum res_type type; /* RES_ENUM, RES_UF, RES_IBGE, RES_BOOL, RES_ID, RES_TIMESTAMP, RES_TEXT */
    const char *const *values;
    int max;          /* RES_TEXT: characters */
    int min;          /* RES_TEXT: characters, at least 1 */
    const char *with; /* another filter this one only comes with: both or neither, else 400 */
};

struct res_write;
struct resource;

/* What is special about a resource, run by the generic handlers. Each may
 * add field errors (e) or answer the request itself and return false. */
struct res_hooks {
    /* After validation, before the transaction: defaults that depend on the
     * request, fields taken from the caller or the path, rules between the
     * fields sent (w->body), and work that must not hold a connection (a
     * password's hash: it may read, then give req->db back). It must leave
     * no transaction open. */
    bool (*prepare)(struct request *req, struct res_write *w);
    /* Inside the transaction, just before the write: rules that need other
     * rows (the cycle's window, the state's code). w->current is the locked
     * row on a patch. */
    bool (*check)(struct request *req, struct res_write *w);
    /* Inside a delete's transaction, before the guard (as check comes
     * before it on a create or a patch) and the delete: what keeps the row
     * (other rows use it, its cycle is closed). It answers and returns false
     * to refuse; it may not write. */
    bool (*deleting)(struct request *req, const struct resource *res, const char *key);
};

struct res_statements; /* made by resource_init */

struct resource {
    const char *entity;        /* audit entity and statement prefix: "team_member" */
    const char *table;         /* "team_members" */
    const char *key;           /* the key column, last parameter of the item's path: "id" */
    enum res_type key_type;    /* RES_ID or RES_IBGE */
    const char *parent;        /* column bound to the path's first parameter, or NULL */
    const char *parent_exists; /* SQL: one row when the parent ($1) exists */
    /* The form of the parent's path parameter, checked before any query (a
     * malformed one is "not found"): RES_ID or RES_IBGE; any other type, such
     * as the default RES_TEXT, is not checked. */
    enum res_type parent_type;
    /* The table has no version column: rows carry no ETag, and the resource
     * has no generic patch (whose UPDATE bumps version and updated_at). */
    bool unversioned;
    /* SQL function names (see above). Without a snapshot the resource is
     * read-only (the audit log): no write statements are made for it, and the
     * generic create / patch / delete must not be used on it. */
    const char *view, *snapshot, *rules, *matches;
    /* Optional: `guard(row, pacto_viewer) -> boolean`, who may change this
     * row, for rules no route policy can say because they need the data (the
     * secretariat of the challenge's area). Judged on the row as it would be
     * stored by a create, on the row before and after a patch (no one moves
     * a row out of their own reach), and on the row a delete or a custom
     * action takes; false is 403 with guard_why, and changes nothing. */
    const char *guard, *guard_why;
    /* Optional: `visible(row, pacto_viewer) -> boolean`, the rows a viewer
     * may know of (a municipality's draft plan); the others are not found
     * by a get, a list without rows(), a patch, a delete or an action. */
    const char *visible;
    const char *list_name; /* cursor namespace of the list (":<parent>" is added); NULL: entity */
    /* The list pages by key descending (the audit log: newest first)
     * instead of ascending. */
    bool descending;
    /* Optional, for a list whose JSON or filters need other tables: an SQL
     * function rows(pacto_viewer, filters jsonb[, parent]) RETURNS TABLE
     * (k <key>, j json), the rows the list shows with their JSON; the list
     * then uses neither view nor matches. PostgreSQL inlines such a function
     * into the list's query, joins and all, whereas a view() or matches()
     * that reads another table runs as a query of its own for every row. */
    const char *rows;
    /* Optional: a cache of the list's JSON pages, keyed by the viewer and the
     * query. Whoever learns of a change to any table the list reads must
     * clear it (lib/api/changes.c; its freshness test lists the tables). */
    struct cache *(*list_cache)(void);
    const struct res_field *fields;
    const struct res_filter *filters;
    struct res_hooks hooks;
    /* The statement prefix instead of entity, for a second resource of the
     * same entity (an account as its owner changes it: "profile"). */
    const char *name;
    /* The 409 of a create or patch that breaks a unique constraint ("E-mail
     * already in use"); NULL: resp_db_error's. */
    const char *unique_title, *unique_detail;
    /* Where a created item lives when not under the collection it was
     * posted to (Location: "<items_at>/<key>"): "/v1/challenges" for a
     * challenge posted to its cycle. NULL: under the collection. */
    const char *items_at;
    /* The audit events name the row "<parent>/<key>": the key alone is
     * unique only under its parent (a challenge's indicator). */
    bool audit_key_with_parent;
    struct res_statements *sql;
};

/* One write in progress: the validated document and what it is about. */
struct res_write {
    const struct resource *res;
    bool create;
    cJSON *doc;               /* the validated fields, normalized (owned by the request) */
    const char *parent, *key; /* from the path; key NULL on create */
    const PGresult *current;  /* patch: the locked row (key, version, view, snapshot) */
    struct field_errors errors;
    /* The caller's ROLE_* bit (policy_caller, without a path's municipality:
     * the route's policy has bound it already), judged against each field's
     * writers. 0, as outside a request, is nobody: such fields are refused. */
    unsigned caller;
    const cJSON *body; /* the body as sent; NULL when resource_validate runs alone */
    void *hook_data;   /* what prepare leaves for check; owned by the request */
};

/* Builds the resource's statements from its fields. Call once per resource
 * before serving (lib/api/resources.c); returns false when the declaration is
 * inconsistent (logged). */
bool resource_init(struct resource *res);

/* The generic handlers: GET item, GET list, POST create, PATCH, DELETE. */
void resource_get(struct request *req, const struct resource *res);
void resource_list(struct request *req, const struct resource *res);
void resource_create(struct request *req, const struct resource *res);
void resource_patch(struct request *req, const struct resource *res);
void resource_delete(struct request *req, const struct resource *res);
/* resource_patch of the item `key`, which the path does not name (PATCH
 * /v1/me: the caller's own account). */
void resource_patch_item(struct request *req, const struct resource *res, const char *key);

/* Validates body against the fields for a create or a patch into w->doc,
 * adding every problem to w->errors; fields with writers are judged against
 * w->caller. */
void resource_validate(const struct resource *res, const cJSON *body, bool create,
                       struct res_write *w);

/* Writes "must be a, b or c" for the NULL-terminated values into out. */
void resource_enum_message(const char *const *values, char *out, size_t n);

/* The rule of res's field `name` applied to one value, for readers of
 * other formats that name the field otherwise (a CSV import): NULL when
 * value is acceptable, else the reason, in msg when it needs formatting
 * (n bytes; 192 are always enough). */
const char *resource_field_problem(const struct resource *res, const char *name, const cJSON *value,
                                   char *msg, size_t n);

/* Writes the audit event of a change to res in the request's transaction
 * (about row `key`, or "<parent>/<key>": audit_key_with_parent).
 * Returns false after answering the database error. */
bool resource_audit(struct request *req, const struct resource *res, const char *action,
                    const char *key, const char *before, const char *after);

/* The resource's guard on row `key` (under the path's parent, when res has
 * one) in the open transaction (see struct resource): true when the caller may change it, or when
 * res has no guard. Returns false after answering 403, 404 or the database's error. */
bool resource_guard_row(struct request *req, const struct resource *res, const char *key);

/* The key of the item's path when it and the parent are well formed for res,
 * else NULL. */
const char *resource_path_key(const struct request *req, const struct resource *res);

/*
 * Pieces for a resource's own handlers, where a write is more than an INSERT
 * or UPDATE of the body (an adhesion's signature, its withdrawal). They keep
 * the generic handlers' order and answers.
 */

/* The parent of the path when res has one and it is well formed
 * (parent_type), else NULL. */
const char *resource_path_parent(const struct request *req, const struct resource *res);

/* The first step of create and patch, for custom handlers: reads the body
 * (application/json, or merge-patch for a patch), validates it into w
 * (w->doc normalized, kept by the request) and runs the prepare hook.
 * Returns false after answering (404 for a malformed key, 400/413/415, or
 * 422 with every field error, or the hook's answer). */
bool resource_read(struct request *req, const struct resource *res, bool create,
                   struct res_write *w);

/* Ends a write in the open transaction whose statement returned row r, with
 * the columns every generated statement starts with (key, version or NULL,
 * view, snapshot): records the audit event
 * `action` from `before` (a snapshot, or NULL) to r's snapshot, answers
 * `status` with r's view (with Location under req->path on 201, and the ETag
 * when r has a version), and commits. On failure the answer is the error. */
void resource_changed(struct request *req, const struct resource *res, const char *action,
                      const char *before, const PGresult *r, int status);
/* resource_get for an item the path does not name (GET /v1/me: the caller's
 * own account): answers the item `key` as the viewer sees it, with its ETag,
 * or 404. The route takes no query parameters. */
void resource_show(struct request *req, const struct resource *res, const char *key);

/* For a deleting hook: runs stmt ($1 the key), whose first column is NULL
 * when nothing keeps the row, else why it stays. Returns true to go on;
 * answers and returns false: 404 for no row, 409 `conflict` titled `title`
 * with that reason. */
bool resource_deletable_unless(struct request *req, const struct db_stmt *stmt, const char *key,
                               const char *title);

/* GET of the item the path names by its id, read by a statement of the
 * handler's own: $1 the viewer, $2 the path's first parameter, returning
 * the JSON and the version (the ETag) as its first two columns, or no row
 * for an item the viewer may not see. A malformed id and no row are 404. */
void resource_show_by(struct request *req, const struct db_stmt *stmt);

/* A custom action on the item of the path, beyond create / patch / delete
 * (POST /v1/users/{user_id}/invitation). */
struct res_action {
    const char *name; /* the audit event's action: "invite" */
    /* The change: $1 the viewer, $2 the key, then the caller's parameters.
     * It returns the changed row's key, version, view and snapshot as its
     * first four columns (then whatever the caller needs), or no row when the
     * action does not apply to the item as it is. */
    struct db_stmt stmt;
    /* The 409 answered when stmt returns no row. */
    const char *conflict_title, *conflict_detail;
};

/* Runs action `a` on the item of the path in one transaction: locks the item
 * (404, or 412 when If-Match names another version), runs a->stmt with
 * `params` (at most 8) after the viewer and the key, and writes the audit
 * event with the locked row's snapshot as before and the new one as after.
 * Returns the statement's row with the transaction still open: the caller
 * answers (its ETag is the version, column 1) and calls req_commit. Returns
 * NULL after answering 404, 409, 412 or the database's error. */
PGresult *resource_action(struct request *req, const struct resource *res,
                          const struct res_action *a, int nparams, const char *const *params);

/* Runs the resource's rules on the document of a create (resource_validate's
 * w->doc, as text) on db, adding an error to e for each broken one: for a
 * create that is not resource_create, maybe outside any request (an account
 * made by the command line). Returns false when the query failed. */
bool resource_check_rules(struct db_conn *db, const struct resource *res, const char *doc,
                          struct field_errors *e);

struct cache;
/* GET of an item read through `cache` (keyed by the item's key; the
 * resource has no parent): the cache keeps, per item, its ETag and the JSON
 * each viewer was shown, so the view stays one SQL function of the row and
 * the viewer and a hit costs no database work. Whoever changes the item must
 * evict its key (lib/api/changes.c does, on NOTIFY). See views.h. */
void resource_get_cached(struct request *req, const struct resource *res, struct cache *cache);

#endif
