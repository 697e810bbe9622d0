/*
 * Who may call a route: one declaration per route in the route table
 * (lib/api/routes.c), checked in one place before the handler runs
 * (policy_check, called by the dispatcher). Handlers never compare roles.
 *
 * A policy names the roles allowed to call the route and, for routes under a
 * municipality's path ({ibge_code}), binds mayors and representatives to
 * their own municipality. A caller outside the policy is refused with 403, or
 * with 404 when the route's resource is private and the caller may not even
 * know that it exists (API.md: "404 not found or not visible to you").
 *
 * Rules that depend on the row (an adhesion of another municipality, the
 * challenge's area) are not decided here: each resource has one SQL predicate
 * for them, fed with the viewer (authz_viewer).
 */
#ifndef PACTO_AUTHZ_POLICY_H
#define PACTO_AUTHZ_POLICY_H

#include <stdbool.h>
#include <stddef.h>

/* Caller kinds, one bit each. A secretariat user is the bit of their area. */
#define ROLE_MAYOR          (1u << 0)
#define ROLE_REPRESENTATIVE (1u << 1)
#define ROLE_COORDINATION   (1u << 2)
#define ROLE_HEALTH         (1u << 3)
#define ROLE_EDUCATION      (1u << 4)
#define ROLE_SECURITY       (1u << 5)
#define ROLE_ECONOMY        (1u << 6)

#define ROLE_ANONYMOUS (1u << 7) /* no token */

/* The secretariat areas, the values of a secretariat user's area and of
 * every area field and filter, NULL-terminated. */
extern const char *const policy_areas[];
/* A member of a cycle's shared-management forum: reads what the public
 * reads, and co-evaluates the pacts of the cycle whose forum it sits in
 * (which cycle is the data's: its forum_members row). */
#define ROLE_FORUM_MEMBER (1u << 8)

#define ROLE_MUNICIPAL (ROLE_MAYOR | ROLE_REPRESENTATIVE)
#define ROLE_SECRETARIAT                                                                           \
    (ROLE_COORDINATION | ROLE_HEALTH | ROLE_EDUCATION | ROLE_SECURITY | ROLE_ECONOMY)
#define ROLE_ANY_USER (ROLE_MUNICIPAL | ROLE_SECRETARIAT | ROLE_FORUM_MEMBER)
#define ROLE_ANYONE   (ROLE_ANY_USER | ROLE_ANONYMOUS)

struct policy {
    /* Who may call: ROLE_* bits. A token, when sent, must be valid even
     * where anonymous callers are allowed; an anonymous caller outside
     * `allow` gets 401. 0 is no declaration at all: policy_is_declared says
     * so, and the server refuses to start with such a route. */
    unsigned allow;
    /* Who may learn that the resource exists. 0: everyone (a refused caller
     * gets 403). Otherwise a refused caller outside `reveal` gets 404. */
    unsigned reveal;
    /* The 403 detail, e.g. "Only the program's coordination may do this." */
    const char *why;
};

/* Public data: anyone. */
#define POLICY_PUBLIC                                                                              \
    {                                                                                              \
        ROLE_ANYONE, 0, NULL                                                                       \
    }

/* False for a policy that allows nobody: a route whose author forgot it. */
bool policy_is_declared(const struct policy *p);

struct identity;

/* The caller's bit for a route whose path names municipality `path_code`
 * (NULL when it names none): ROLE_ANONYMOUS without a token, 0 for a mayor
 * or representative of another municipality, who are nobody there. */
unsigned policy_caller(const struct identity *who, const char *path_code);

enum policy_verdict { POLICY_ALLOWED, POLICY_UNAUTHENTICATED, POLICY_FORBIDDEN, POLICY_HIDDEN };

/* What the policy says of a caller of kind `caller` (policy_caller). */
enum policy_verdict policy_judge(const struct policy *p, unsigned caller);

/* The caller as SQL sees it: the text of a pacto_viewer composite value,
 * "(user_id,role,municipality_id,secretariat_area,cpf)", empty fields for
 * what does not apply ("(,,,,)" for anonymous). Every row-level rule in SQL
 * takes it as one parameter. out must hold AUTHZ_VIEWER_MAX bytes. */
#define AUTHZ_VIEWER_MAX 128
void authz_viewer(const struct identity *who, char out[AUTHZ_VIEWER_MAX]);

#endif
