/*
 * SQL expressions shared by the municipality statements. Written inline (not
 * as SQL functions) so that PostgreSQL plans them once with the statement;
 * a SQL function with a FROM clause is re-planned on every call.
 * They expect the aliases m (municipalities) and s (its state).
 */
#ifndef PACTO_MUNICIPALITIES_SQL_H
#define PACTO_MUNICIPALITIES_SQL_H

#define MUNICIPALITY_FIELDS                                                                        \
    "'ibge_code', m.ibge_code, 'name', m.name, 'state', s.uf, 'state_code', s.code,"               \
    " 'region', s.region, 'latitude', m.latitude, 'longitude', m.longitude,"                       \
    " 'capital', m.capital, 'created_at', pacto_ts(m.created_at),"                                 \
    " 'updated_at', pacto_ts(m.updated_at)"

/* What anyone may see. */
#define MUNICIPALITY_PUBLIC_JSON "json_build_object(" MUNICIPALITY_FIELDS ")"

/* One municipality as GET shows it to anyone: the public fields, its
 * representative's name and position, and for every cycle of its state
 * whether it adhered (public data, SPEC 4). Lists carry only the fields. */
#define MUNICIPALITY_DETAIL_JSON                                                                   \
    "json_build_object(" MUNICIPALITY_FIELDS ","                                                   \
    " 'representative', (SELECT json_build_object('name', u.name, 'position', u.position)"         \
    "                      FROM users u WHERE u.id = m.representative_id),"                        \
    " 'adhesions', (SELECT coalesce(json_agg(json_build_object("                                   \
    "                   'cycle_id', c.id, 'cycle_name', c.name,"                                   \
    "                   'status', coalesce(a.status, 'none'), 'protocol', a.protocol,"             \
    "                   'signed_at', pacto_ts(a.signed_at)) ORDER BY c.id), '[]')"                 \
    "                 FROM cycles c"                                                               \
    "                 LEFT JOIN LATERAL (SELECT a.status, a.protocol, a.signed_at"                 \
    "                                      FROM adhesions a"                                       \
    "                                     WHERE a.cycle_id = c.id"                                 \
    "                                       AND a.municipality_id = m.ibge_code"                   \
    "                                     ORDER BY a.status = 'active' DESC, a.signed_at DESC"     \
    "                                     LIMIT 1) a ON true"                                      \
    "                WHERE c.state_code = m.state_code))"

/* What the audit log keeps: everything, the CPF masked. */
#define MUNICIPALITY_SNAPSHOT                                                                      \
    "jsonb_build_object(" MUNICIPALITY_FIELDS ", 'mayor_name', m.mayor_name,"                      \
    " 'mayor_cpf', pacto_mask_cpf(m.mayor_cpf))"

#endif
