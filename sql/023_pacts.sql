-- Pacts (SPEC 1, step 8): what a signed pact shows, its protocol number,
-- the public lists of a cycle's pacts and of a municipality's incentive
-- grants. The tables are in 019_plans_pacts.sql; the signature itself is
-- one statement in lib/pacts/sign.c.

-- The next protocol number of a pact signed in state `uf`:
-- <UF>-P-<year signed, UTC>-<at least 6 digits>, e.g. MS-P-2026-000001
-- (an adhesion's is <UF>-<year>-<number>: the P tells them apart).
CREATE FUNCTION pact_next_protocol(uf text) RETURNS text
    LANGUAGE sql VOLATILE
    RETURN (SELECT uf || '-P-' || to_char(now() AT TIME ZONE 'UTC', 'YYYY') || '-'
                   || lpad(n.v::text, greatest(6, length(n.v::text)), '0')
              FROM nextval('pact_protocol_seq') AS n (v));

-- The targets a pact fixed, in indicator order.
CREATE FUNCTION pact_targets_json(k pacts) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce((SELECT json_agg(json_build_object(
                                'indicator_id', t.indicator_id, 'indicator_code', i.code,
                                'target_value', t.target_value, 'target_year', t.target_year,
                                'baseline_value', t.baseline_value,
                                'baseline_period', t.baseline_period)
                              ORDER BY t.indicator_id)
                       FROM pact_targets t JOIN indicators i ON i.id = t.indicator_id
                      WHERE t.pact_id = k.id), '[]');

-- The incentives a pact granted (an incentive granted to the municipality
-- by an earlier pact is that pact's, not this one's).
CREATE FUNCTION pact_incentives_json(k pacts) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce((SELECT json_agg(json_build_object(
                                'incentive_id', i.id, 'title', i.title, 'type', i.type,
                                'amount_cents', i.amount_cents) ORDER BY i.id)
                       FROM incentive_grants g JOIN incentives i ON i.id = g.incentive_id
                      WHERE g.pact_id = k.id), '[]');

-- A pact as anyone sees it: public, without personal data (not who signed).
CREATE FUNCTION pact_json(k pacts, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT json_build_object(
                'id', k.id, 'protocol', k.protocol, 'plan_id', k.plan_id,
                'plan_version', k.plan_version, 'cycle_id', k.cycle_id,
                'challenge_id', k.challenge_id, 'challenge_code', ch.code,
                'municipality_id', k.municipality_id, 'municipality_name', m.name,
                'signed_at', pacto_ts(k.signed_at), 'targets', pact_targets_json(k),
                'incentives', pact_incentives_json(k))
              FROM challenges ch, municipalities m
             WHERE ch.id = k.challenge_id AND m.ibge_code = k.municipality_id);

-- What the audit log keeps of a pact: the same, with who signed it (an id).
CREATE FUNCTION pact_snapshot(k pacts) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN pact_json(k, NULL)::jsonb
           || jsonb_build_object('adhesion_id', k.adhesion_id, 'signed_by', k.signed_by);

-- A pact's targets as one CSV cell: "<indicator_code>=<target_value>@<target_year>"
-- per indicator, in indicator order, separated by "; " (e.g.
-- "MORT_INF=9.5@2027; COB_VAC=95@2027").
CREATE FUNCTION pact_targets_text(k pacts) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT string_agg(i.code || '=' || t.target_value || '@' || t.target_year, '; '
                              ORDER BY t.indicator_id)
              FROM pact_targets t JOIN indicators i ON i.id = t.indicator_id
             WHERE t.pact_id = k.id);

-- GET /v1/cycles/{cycle_id}/pacts?challenge_id=&municipality_id=: the
-- cycle's pacts in signing order, with their JSON and CSV cells.
CREATE FUNCTION pact_rows(cycle bigint, f jsonb)
    RETURNS TABLE (k bigint, j json, id bigint, protocol text, municipality_id text,
                   municipality_name text, challenge_id bigint, challenge_code text,
                   signed_at text, targets text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT p.id, pact_json(p, NULL), p.id, p.protocol, p.municipality_id, m.name,
               p.challenge_id, ch.code, pacto_ts(p.signed_at), pact_targets_text(p)
          FROM pacts p JOIN municipalities m ON m.ibge_code = p.municipality_id
          JOIN challenges ch ON ch.id = p.challenge_id
         WHERE p.cycle_id = cycle
           AND (f->>'challenge_id' IS NULL OR p.challenge_id = (f->>'challenge_id')::bigint)
           AND (f->>'municipality_id' IS NULL OR p.municipality_id = f->>'municipality_id');
    END;

-- GET /v1/municipalities/{ibge_code}/incentive-grants?cycle_id=: what the
-- municipality's pacts granted it, in incentive order.
CREATE FUNCTION incentive_grant_rows(municipality text, f jsonb)
    RETURNS TABLE (k bigint, j json, incentive_id bigint, title text, type text,
                   amount_cents bigint, source text, cycle_id bigint, challenge_id bigint,
                   challenge_code text, pact_id bigint, protocol text, granted_at text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT i.id,
               json_build_object('incentive_id', i.id, 'title', i.title, 'type', i.type,
                                 'amount_cents', i.amount_cents, 'source', i.source,
                                 'cycle_id', p.cycle_id, 'challenge_id', p.challenge_id,
                                 'challenge_code', ch.code, 'pact_id', p.id,
                                 'protocol', p.protocol, 'granted_at', pacto_ts(g.granted_at)),
               i.id, i.title, i.type, i.amount_cents, i.source, p.cycle_id, p.challenge_id,
               ch.code, p.id, p.protocol, pacto_ts(g.granted_at)
          FROM incentive_grants g JOIN incentives i ON i.id = g.incentive_id
          JOIN pacts p ON p.id = g.pact_id JOIN challenges ch ON ch.id = p.challenge_id
         WHERE g.municipality_id = municipality
           AND (f->>'cycle_id' IS NULL OR p.cycle_id = (f->>'cycle_id')::bigint);
    END;
