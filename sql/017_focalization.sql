-- Focalization (lib/focalization): a run's JSON and audit snapshot, a run's
-- municipalities, the focal status of a challenge's municipalities now, the
-- manual decisions, the population bands of peer positions, and what the
-- municipalities' view and list gain (focal_challenges, the focal_challenge
-- filter), with the change notifications that keep their caches fresh.

-- Added to sql/014's table: a run's counts, so its JSON is a function of its
-- row (the summary a POST answers is written in the same statement as the
-- results, which that statement cannot read back).
ALTER TABLE focalization_runs
    ADD COLUMN no_data_count  integer NOT NULL DEFAULT 0,
    ADD COLUMN municipalities integer NOT NULL DEFAULT 0;

-- A run as anyone sees it. current: no newer run of the challenge exists.
CREATE FUNCTION focalization_run_json(r focalization_runs, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'id', r.id, 'challenge_id', r.challenge_id, 'rule', r.rule,
        'focal_count', r.focal_count, 'no_data_count', r.no_data_count,
        'municipalities', r.municipalities,
        'current', NOT EXISTS (SELECT 1 FROM focalization_runs n
                                WHERE n.challenge_id = r.challenge_id AND n.id > r.id),
        'created_at', pacto_ts(r.created_at));

-- What the audit log keeps of a run: the rule as it was, the counts, who ran it.
CREATE FUNCTION focalization_run_snapshot(r focalization_runs) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object(
        'id', r.id, 'challenge_id', r.challenge_id, 'rule', r.rule,
        'focal_count', r.focal_count, 'no_data_count', r.no_data_count,
        'municipalities', r.municipalities, 'run_by', r.run_by);

-- One municipality's value on one indicator in a run, rounded to the
-- indicator's decimals.
CREATE FUNCTION focalization_value_json(fv focalization_values, i indicators) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'indicator_id', fv.indicator_id, 'code', i.code, 'period', fv.period,
        'value', round(fv.value, i.decimals), 'denominator', fv.denominator,
        'rank', fv.rank, 'percentile', fv.percentile, 'status', fv.status);

-- A municipality's values in run `run`, one per main indicator.
CREATE FUNCTION focalization_values_json(run bigint, municipality text) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT coalesce(json_agg(focalization_value_json(fv, i) ORDER BY fv.indicator_id), '[]')
              FROM focalization_values fv JOIN indicators i ON i.id = fv.indicator_id
             WHERE fv.run_id = run AND fv.municipality_id = municipality);

-- GET .../runs/{run_id}/municipalities: every municipality of the run with
-- its verdict, reason and values. Filter (f): status.
CREATE FUNCTION focalization_run_municipality_rows(run bigint, f jsonb)
    RETURNS TABLE (k text, j json)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT fr.municipality_id, json_build_object(
               'municipality_id', fr.municipality_id, 'name', m.name, 'status', fr.status,
               'reason', fr.reason,
               'indicators', focalization_values_json(fr.run_id, fr.municipality_id))
      FROM focalization_results fr JOIN municipalities m ON m.ibge_code = fr.municipality_id
     WHERE fr.run_id = run AND (f->>'status' IS NULL OR fr.status = f->>'status');
END;

-- The same as CSV, in long form: one line per municipality and indicator,
-- keyed "<ibge_code>:<indicator_id, 19 digits>" so that the key orders the lines.
CREATE FUNCTION focalization_run_csv_rows(run bigint, f jsonb)
    RETURNS TABLE (k text, municipality_id text, name text, status text, reason text,
                   indicator_code text, period text, value numeric, rank integer,
                   percentile numeric, indicator_status text)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT fr.municipality_id || ':' || lpad(fv.indicator_id::text, 19, '0'),
           fr.municipality_id, m.name, fr.status, fr.reason, i.code, fv.period,
           round(fv.value, i.decimals), fv.rank, fv.percentile, fv.status
      FROM focalization_results fr JOIN municipalities m ON m.ibge_code = fr.municipality_id
      JOIN focalization_values fv ON fv.run_id = fr.run_id
                                 AND fv.municipality_id = fr.municipality_id
      JOIN indicators i ON i.id = fv.indicator_id
     WHERE fr.run_id = run AND (f->>'status' IS NULL OR fr.status = f->>'status');
END;

-- Every municipality a challenge's current run judged or a manual decision
-- names, with its status now: the decision's when there is one, else the
-- run's. The focal ones are exactly challenge_focal_municipalities(challenge)
-- (sql/014), which the other readers use; this adds the rest and the why.
CREATE FUNCTION challenge_focal_statuses(challenge bigint)
    RETURNS TABLE (municipality_id text, status text, decision text, run_id bigint,
                   run_status text, run_reason text, manual_reason text,
                   decided_at timestamptz)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT coalesce(fr.municipality_id, o.municipality_id),
           CASE WHEN o.id IS NULL THEN fr.status
                WHEN o.focal THEN 'focal' ELSE 'not_focal' END,
           CASE WHEN o.id IS NULL THEN 'run' ELSE 'manual' END,
           fr.run_id, fr.status, fr.reason, o.reason, o.updated_at
      FROM (SELECT r.* FROM focalization_results r
             WHERE r.run_id = (SELECT max(x.id) FROM focalization_runs x
                                WHERE x.challenge_id = challenge)) fr
      FULL JOIN (SELECT o.* FROM focal_overrides o WHERE o.challenge_id = challenge) o
        ON o.municipality_id = fr.municipality_id;
END;

-- GET /v1/challenges/{challenge_id}/focal-municipalities. Without a filter:
-- the focal municipalities now and the manual removals (not focal by a
-- decision, shown with its reason); status=<s>: every municipality whose
-- status now is s.
CREATE FUNCTION challenge_focal_rows(challenge bigint, f jsonb) RETURNS TABLE (k text, j json)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT s.municipality_id, json_build_object(
               'municipality_id', s.municipality_id, 'name', m.name, 'status', s.status,
               'decision', s.decision, 'reason', s.run_reason,
               'manual_reason', s.manual_reason, 'decided_at', pacto_ts(s.decided_at),
               'run_id', s.run_id, 'run_status', s.run_status,
               'indicators', CASE WHEN s.run_id IS NULL THEN '[]'::json
                                  ELSE focalization_values_json(s.run_id, s.municipality_id) END)
      FROM challenge_focal_statuses(challenge) s
      JOIN municipalities m ON m.ibge_code = s.municipality_id
     WHERE CASE WHEN f->>'status' IS NULL THEN s.status = 'focal' OR s.decision = 'manual'
                ELSE s.status = f->>'status' END;
END;

-- Its CSV, in long form like a run's (a municipality without values has one
-- line with empty indicator cells).
CREATE FUNCTION challenge_focal_csv_rows(challenge bigint, f jsonb)
    RETURNS TABLE (k text, municipality_id text, name text, status text, decision text,
                   reason text, manual_reason text, indicator_code text, period text,
                   value numeric, rank integer, percentile numeric, indicator_status text)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT s.municipality_id || ':' || lpad(coalesce(fv.indicator_id, 0)::text, 19, '0'),
           s.municipality_id, m.name, s.status, s.decision, s.run_reason, s.manual_reason,
           i.code, fv.period, round(fv.value, i.decimals), fv.rank, fv.percentile, fv.status
      FROM challenge_focal_statuses(challenge) s
      JOIN municipalities m ON m.ibge_code = s.municipality_id
      LEFT JOIN focalization_values fv ON fv.run_id = s.run_id
                                      AND fv.municipality_id = s.municipality_id
      LEFT JOIN indicators i ON i.id = fv.indicator_id
     WHERE CASE WHEN f->>'status' IS NULL THEN s.status = 'focal' OR s.decision = 'manual'
                ELSE s.status = f->>'status' END;
END;

-- A manual decision as anyone sees it, and as the audit log keeps it.
CREATE FUNCTION focal_override_json(o focal_overrides, v pacto_viewer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN json_build_object(
        'challenge_id', o.challenge_id, 'municipality_id', o.municipality_id,
        'focal', o.focal, 'reason', o.reason, 'created_at', pacto_ts(o.created_at),
        'updated_at', pacto_ts(o.updated_at));

CREATE FUNCTION focal_override_snapshot(o focal_overrides) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN focal_override_json(o, NULL)::jsonb
        || jsonb_build_object('id', o.id, 'decided_by', o.decided_by);

-- IBGE's population classes: 1 up to 5,000 inhabitants; 2 5,001-10,000;
-- 3 10,001-20,000; 4 20,001-50,000; 5 50,001-100,000; 6 100,001-500,000;
-- 7 over 500,000. NULL for no population.
CREATE FUNCTION population_band(pop numeric) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN pop IS NULL THEN NULL
                WHEN pop <= 5000 THEN 1 WHEN pop <= 10000 THEN 2 WHEN pop <= 20000 THEN 3
                WHEN pop <= 50000 THEN 4 WHEN pop <= 100000 THEN 5 WHEN pop <= 500000 THEN 6
                ELSE 7 END;

CREATE FUNCTION population_band_json(band integer) RETURNS json
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN json_build_object(
        'band', band,
        'min', (ARRAY[0, 5001, 10001, 20001, 50001, 100001, 500001])[band],
        'max', (ARRAY[5000, 10000, 20000, 50000, 100000, 500000, NULL])[band],
        'label', (ARRAY['up to 5,000', '5,001 to 10,000', '10,001 to 20,000',
                        '20,001 to 50,000', '50,001 to 100,000', '100,001 to 500,000',
                        'over 500,000'])[band]);

-- The newest population (indicator marked is_population, status ok) of each
-- municipality of state `state`.
CREATE FUNCTION state_populations(state smallint)
    RETURNS TABLE (municipality_id text, population numeric, period text)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT DISTINCT ON (v.municipality_id) v.municipality_id, v.value, v.period
      FROM indicator_values v JOIN municipalities m ON m.ibge_code = v.municipality_id
     WHERE v.indicator_id = (SELECT i.id FROM indicators i WHERE i.is_population)
       AND v.status = 'ok' AND m.state_code = state
     ORDER BY v.municipality_id, v.period DESC;
END;

-- The peer position of municipality `mun` on indicator `ind` in period p
-- (NULL: the indicator's latest): its population band in its state, its
-- value and rank among the band's municipalities with a value (1 = the best,
-- polarity-aware; ties share the rank), the band's median and quartiles
-- (percentile_cont: linear interpolation between the values, as PostgreSQL
-- computes it, the municipality itself included), and the state's figure
-- (indicator_state_aggregate). No row when the municipality has no population.
CREATE FUNCTION municipality_peers_json(mun text, ind indicators, p text) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH m AS (SELECT * FROM municipalities WHERE ibge_code = mun),
         pops AS (SELECT s.* FROM m, state_populations(m.state_code) s),
         mine AS (SELECT * FROM pops WHERE pops.municipality_id = mun),
         per AS (SELECT coalesce(p, indicator_latest_period(ind, m.state_code)) AS period
                   FROM m),
         peers AS (SELECT v.municipality_id, v.value
                     FROM pops, mine, per, indicator_values v
                    WHERE population_band(pops.population) = population_band(mine.population)
                      AND v.indicator_id = ind.id AND v.period = per.period
                      AND v.municipality_id = pops.municipality_id AND v.status = 'ok'),
         me AS (SELECT max(value) AS value FROM peers WHERE peers.municipality_id = mun),
         agg AS (SELECT count(*) AS n,
                        percentile_cont(0.25) WITHIN GROUP (ORDER BY value) AS q1,
                        percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS q2,
                        percentile_cont(0.75) WITHIN GROUP (ORDER BY value) AS q3
                   FROM peers)
    SELECT json_build_object(
               'municipality_id', mun, 'indicator_id', ind.id, 'indicator_code', ind.code,
               'polarity', ind.polarity, 'period', per.period,
               'population', mine.population, 'population_period', mine.period,
               'band', population_band_json(population_band(mine.population)),
               'band_municipalities',
               (SELECT count(*) FROM pops
                 WHERE population_band(pops.population) = population_band(mine.population)),
               'value', round(me.value, ind.decimals),
               'rank', CASE WHEN me.value IS NOT NULL THEN 1 + (
                   SELECT count(*) FROM peers
                    WHERE CASE WHEN ind.polarity = 'lower_is_better' THEN peers.value < me.value
                               ELSE peers.value > me.value END) END,
               'peer_count', agg.n,
               'median', round(agg.q2::numeric, ind.decimals),
               'first_quartile', round(agg.q1::numeric, ind.decimals),
               'third_quartile', round(agg.q3::numeric, ind.decimals),
               'state', (SELECT json_build_object('value', round(sa.value, ind.decimals),
                                                  'municipalities', sa.municipalities)
                           FROM m, indicator_state_aggregate(ind, m.state_code, per.period) sa))
      FROM mine, per, me, agg;
END;

-- The challenges municipality `mun` (of state `st`) is focal for now,
-- oldest first. PL/pgSQL with one generic plan, like municipality_json, as it
-- is read for every municipality a list page or a cache miss shows.
CREATE FUNCTION municipality_focal_challenges(mun text, st smallint) RETURNS json
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    RETURN (SELECT coalesce(json_agg(json_build_object(
                       'challenge_id', c.id, 'cycle_id', c.cycle_id, 'code', c.code)
                       ORDER BY c.id), '[]')
              FROM challenges c JOIN cycles y ON y.id = c.cycle_id
             WHERE y.state_code = st
               AND EXISTS (SELECT 1 FROM challenge_focal_municipalities(c.id) f
                            WHERE f.municipality_id = mun));
END $$;

-- sql/009's municipality_json, with focal_challenges after adhesions.
CREATE OR REPLACE FUNCTION municipality_json(m municipalities, v pacto_viewer) RETURNS json
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    RETURN (SELECT CASE
               WHEN viewer_is_secretariat(v) OR viewer_is_municipal(v, m.ibge_code)
               THEN pacto_json_extend(d.detail, json_build_object(
                   'mayor_name', m.mayor_name,
                   'mayor_cpf', CASE WHEN m.mayor_cpf = v.cpf THEN m.mayor_cpf
                                     ELSE pacto_mask_cpf(m.mayor_cpf) END))
               ELSE d.detail
           END
      FROM (SELECT pacto_json_extend(municipality_public_json(m, s), json_build_object(
                       'representative',
                       (SELECT representative_json(u, m.ibge_code, NULL)
                          FROM users u WHERE u.id = m.representative_id),
                       'adhesions',
                       (SELECT coalesce(json_agg(json_build_object(
                                   'cycle_id', c.id, 'cycle_name', c.name,
                                   'status', coalesce(a.status, 'none'), 'protocol', a.protocol,
                                   'signed_at', pacto_ts(a.signed_at)) ORDER BY c.id), '[]')
                          FROM cycles c
                          LEFT JOIN LATERAL (SELECT a.status, a.protocol, a.signed_at
                                               FROM adhesions a
                                              WHERE a.cycle_id = c.id
                                                AND a.municipality_id = m.ibge_code
                                              ORDER BY a.status = 'active' DESC,
                                                       a.signed_at DESC
                                              LIMIT 1) a ON true
                         WHERE c.state_code = m.state_code),
                       'focal_challenges',
                       municipality_focal_challenges(m.ibge_code, m.state_code))) AS detail
              FROM states s WHERE s.code = m.state_code) d);
END $$;

-- sql/009's municipality_rows, whose items gain focal_challenges, with the
-- filter focal_challenge (the municipalities focal now for that challenge;
-- an unknown challenge matches nothing).
CREATE OR REPLACE FUNCTION municipality_rows(v pacto_viewer, f jsonb) RETURNS TABLE (k text, j json)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT m.ibge_code, pacto_json_extend(municipality_public_json(m, s), json_build_object(
               'focal_challenges', municipality_focal_challenges(m.ibge_code, m.state_code)))
      FROM municipalities m JOIN states s ON s.code = m.state_code
     WHERE state_filter(s, f)
       AND (f->>'region' IS NULL OR s.region = f->>'region')
       AND (f->>'q' IS NULL OR strpos(m.name_folded, pacto_fold(f->>'q')) > 0)
       AND (f->>'cycle_id' IS NULL
            OR (EXISTS (SELECT 1 FROM cycles c WHERE c.id = (f->>'cycle_id')::bigint)
                AND EXISTS (SELECT 1 FROM adhesions a
                             WHERE a.cycle_id = (f->>'cycle_id')::bigint
                               AND a.municipality_id = m.ibge_code AND a.status = 'active')
                    = (f->>'adhered')::boolean))
       AND (f->>'focal_challenge' IS NULL
            OR m.ibge_code IN (SELECT x.municipality_id
                                 FROM challenge_focal_municipalities(
                                          (f->>'focal_challenge')::bigint) x));
END;

-- The municipalities' caches show the focal challenges: whatever changes
-- them notifies (lib/api/changes.c clears those caches).
CREATE TRIGGER challenges_focal_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON challenges
    FOR EACH STATEMENT EXECUTE FUNCTION pacto_notify_table();
CREATE TRIGGER focalization_runs_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON focalization_runs
    FOR EACH STATEMENT EXECUTE FUNCTION pacto_notify_table();
CREATE TRIGGER focalization_results_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON focalization_results
    FOR EACH STATEMENT EXECUTE FUNCTION pacto_notify_table();
CREATE TRIGGER focal_overrides_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON focal_overrides
    FOR EACH STATEMENT EXECUTE FUNCTION pacto_notify_table();
