/*
 * What the plan and pact suites seed by SQL (see plans_support.h).
 */
#include "plans_support.h"

#include "fixture.h"

#include <stdio.h>

long plans_seed_challenge(long cycle, long *tmi, long *vac)
{
    *tmi = fixture_long(
        "INSERT INTO indicators (code, name, unit, polarity, source, periodicity, decimals,"
        " min_value, area, scale) VALUES ('TMI', 'Mortalidade infantil',"
        " 'per 1,000 live births', 'lower_is_better', 'DATASUS – SIM/SINASC', 'annual', 1, 0,"
        " 'health', 1000) RETURNING id");
    *vac = fixture_long(
        "INSERT INTO indicators (code, name, unit, polarity, source, periodicity, decimals,"
        " min_value, max_value, area) VALUES ('VAC', 'Cobertura vacinal', '%',"
        " 'higher_is_better', 'DATASUS – SI-PNI', 'annual', 1, 0, 100, 'health') RETURNING id");
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO challenges (cycle_id, code, title, area, responsible_area)"
             " VALUES (%ld, 'SAU-01', 'Saúde da criança', 'health', 'health') RETURNING id",
             cycle);
    long challenge = fixture_long(sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO challenge_indicators (challenge_id, indicator_id, role) VALUES"
             " (%ld, %ld, 'main'), (%ld, %ld, 'main');"
             "INSERT INTO state_targets (challenge_id, indicator_id, target_value, target_year,"
             " rule, rule_value) VALUES (%ld, %ld, 10, 2027, 'gap_closure', 0.5),"
             " (%ld, %ld, 95, 2027, 'gap_closure', 0.5)",
             challenge, *tmi, challenge, *vac, challenge, *tmi, challenge, *vac);
    fixture_exec(sql);
    return challenge;
}
