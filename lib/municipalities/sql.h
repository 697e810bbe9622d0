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

/* What the audit log keeps: everything, the CPF masked. */
#define MUNICIPALITY_SNAPSHOT                                                                      \
    "jsonb_build_object(" MUNICIPALITY_FIELDS ", 'mayor_name', m.mayor_name,"                      \
    " 'mayor_cpf', pacto_mask_cpf(m.mayor_cpf))"

#endif
