/*
 * Route policies and the SQL viewer (see policy.h).
 */
#include "authz/policy.h"

#include "http/request.h"

#include <stdio.h>
#include <string.h>

const char *const policy_areas[] = {"coordination", "health",  "education",
                                    "security",     "economy", NULL};

static unsigned area_bit(const char *area)
{
    static const struct {
        const char *name;
        unsigned bit;
    } areas[] = {{"coordination", ROLE_COORDINATION},
                 {"health", ROLE_HEALTH},
                 {"education", ROLE_EDUCATION},
                 {"security", ROLE_SECURITY},
                 {"economy", ROLE_ECONOMY}};
    for (size_t i = 0; i < sizeof areas / sizeof areas[0]; i++)
        if (strcmp(area, areas[i].name) == 0)
            return areas[i].bit;
    return 0;
}

unsigned policy_caller(const struct identity *who, const char *path_code)
{
    unsigned bit = 0;
    if (!who->role[0])
        bit = ROLE_ANONYMOUS;
    else if (strcmp(who->role, "mayor") == 0)
        bit = ROLE_MAYOR;
    else if (strcmp(who->role, "representative") == 0)
        bit = ROLE_REPRESENTATIVE;
    else if (strcmp(who->role, "secretariat") == 0)
        bit = area_bit(who->secretariat_area);
    else if (strcmp(who->role, "forum_member") == 0)
        bit = ROLE_FORUM_MEMBER;
    if ((bit & ROLE_MUNICIPAL) && path_code && strcmp(path_code, who->municipality_id) != 0)
        return 0;
    return bit;
}

bool policy_is_declared(const struct policy *p) { return p->allow != 0; }

enum policy_verdict policy_judge(const struct policy *p, unsigned caller)
{
    /* What an anonymous caller may do, anyone may: a token can always be left out. */
    if ((caller & p->allow) || (p->allow & ROLE_ANONYMOUS))
        return POLICY_ALLOWED;
    if (caller == ROLE_ANONYMOUS)
        return POLICY_UNAUTHENTICATED;
    if (p->reveal && !(caller & p->reveal))
        return POLICY_HIDDEN;
    return POLICY_FORBIDDEN;
}

void authz_viewer(const struct identity *who, char out[AUTHZ_VIEWER_MAX])
{
    /* Every value is the server's own (digits, a role, an area): none needs
     * quoting in composite syntax. */
    snprintf(out, AUTHZ_VIEWER_MAX, "(%s,%s,%s,%s,%s)", who->user_id_str, who->role,
             who->municipality_id, who->secretariat_area, who->cpf);
}
