-- Dashboards (SPEC 1, steps 9-11): what a cycle, a challenge and a
-- municipality achieved, counted by PostgreSQL in a few set-based passes.
-- Every status is read through delivery_status and pact_target_trajectory
-- (sql/024): the dashboards never judge on their own. A plan's progress is
-- plan_progress's weighted mean taken over the statuses already read
-- (calling plan_progress would read every delivery's status twice); the
-- tests check the two agree.
--
-- Definitions (the README and the API spec repeat them):
--   * a plan's pact is its latest signed pact (a revised plan signed again
--     counts once, by its newest signature); "pacts" counts plans with one.
--   * deliveries are those of plans with a pact: only pacted plans are
--     monitored (a draft's due dates bind no one).
--   * on_time_rate = deliveries due by today (due_date <= current_date) that
--     were done on or before their due date (the accepted evidence's
--     reviewed_at, as a date, <= due_date), divided by the deliveries due by
--     today; null when none is due yet.
--   * a pact's trajectory status is its worst target's, in the order
--     off_track < no_data < on_track < achieved; a pact without targets is
--     no_data.
--   * incentives granted: the grants of those pacts, with the sum of the
--     financial incentives' amount_cents.
--   * mean_progress: the mean of the progress of plans with a pact and with
--     deliveries; null when there is none.

-- One row per action plan of the cycle (optionally one challenge's, one
-- municipality's) with what the dashboards count of it.
CREATE TYPE dashboard_plan_row AS (
    plan_id bigint, challenge_id bigint, municipality_id text, status text, progress numeric,
    pact_id bigint, pact_protocol text, trajectory text, d_pending bigint, d_late bigint,
    d_submitted bigint, d_done bigint, d_rejected bigint, d_due bigint, d_on_time bigint,
    grants bigint, grants_cents bigint
);

CREATE FUNCTION dashboard_plans(cycle bigint, challenge bigint, municipality text)
    RETURNS SETOF dashboard_plan_row
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        WITH p AS (SELECT ap.* FROM action_plans ap
                    WHERE ap.cycle_id = cycle
                      AND (challenge IS NULL OR ap.challenge_id = challenge)
                      AND (municipality IS NULL OR ap.municipality_id = municipality)),
             k AS (SELECT DISTINCT ON (pk.plan_id) pk.plan_id, pk.id, pk.protocol
                     FROM pacts pk JOIN p ON p.id = pk.plan_id
                    ORDER BY pk.plan_id, pk.signed_at DESC, pk.id DESC),
             -- done_on: when the accepted evidence (at most one) was reviewed
             ds AS (SELECT pd.plan_id, delivery_status(pd) AS status, pd.due_date, pd.weight,
                           ev.reviewed_at::date AS done_on
                      FROM plan_deliveries pd JOIN k ON k.plan_id = pd.plan_id
                      LEFT JOIN evidence ev ON ev.delivery_id = pd.id AND ev.status = 'accepted'),
             dc AS (SELECT d.plan_id,
                           count(*) FILTER (WHERE d.status = 'pending') AS pending,
                           count(*) FILTER (WHERE d.status = 'late') AS late,
                           count(*) FILTER (WHERE d.status = 'submitted') AS submitted,
                           count(*) FILTER (WHERE d.status = 'done') AS done,
                           count(*) FILTER (WHERE d.status = 'rejected') AS rejected,
                           count(*) FILTER (WHERE d.due_date <= current_date) AS due,
                           count(*) FILTER (WHERE d.due_date <= current_date
                                              AND d.done_on <= d.due_date) AS on_time,
                           -- plan_progress's weighted mean, from the statuses
                           -- read once (plan_progress would read them again)
                           round(sum(coalesce(d.weight, 1) * (d.status = 'done')::int)
                                 / nullif(sum(coalesce(d.weight, 1)), 0), 4) AS progress
                      FROM ds d
                     GROUP BY d.plan_id),
             tr AS (SELECT k.id AS pact_id,
                           (ARRAY['off_track', 'no_data', 'on_track', 'achieved'])[
                               coalesce(min(array_position(
                                   ARRAY['off_track', 'no_data', 'on_track', 'achieved'],
                                   tt.status)), 2)] AS status
                      FROM k LEFT JOIN pact_targets t ON t.pact_id = k.id
                      LEFT JOIN LATERAL pact_target_trajectory(t) tt ON t.pact_id IS NOT NULL
                     GROUP BY k.id),
             g AS (SELECT ig.pact_id, count(*) AS n, coalesce(sum(i.amount_cents), 0) AS cents
                     FROM incentive_grants ig JOIN k ON k.id = ig.pact_id
                     JOIN incentives i ON i.id = ig.incentive_id
                    GROUP BY ig.pact_id)
        SELECT p.id, p.challenge_id, p.municipality_id, p.status,
               dc.progress,
               k.id, k.protocol, tr.status,
               coalesce(dc.pending, 0), coalesce(dc.late, 0), coalesce(dc.submitted, 0),
               coalesce(dc.done, 0), coalesce(dc.rejected, 0), coalesce(dc.due, 0),
               coalesce(dc.on_time, 0), coalesce(g.n, 0), coalesce(g.cents, 0)
          FROM p LEFT JOIN k ON k.plan_id = p.id
          LEFT JOIN dc ON dc.plan_id = p.id
          LEFT JOIN tr ON tr.pact_id = k.id
          LEFT JOIN g ON g.pact_id = k.id;
    END;

-- The metrics of some plans of a cycle (rows from dashboard_plans), as the
-- dashboards' JSON shows them. The adhesion counts are the cycle's
-- whatever the plans: any adhered municipality may take up any challenge.
CREATE FUNCTION dashboard_metrics_of(cycle bigint, rows dashboard_plan_row[]) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        -- Materialized: counted once, whatever the plan of what follows.
        WITH a AS MATERIALIZED (
                 SELECT (SELECT count(*) FROM municipalities m
                          WHERE m.state_code = c.state_code) AS municipalities,
                        (SELECT count(*) FROM adhesions ad
                          WHERE ad.cycle_id = c.id AND ad.status = 'active') AS adhered
                   FROM cycles c WHERE c.id = cycle),
             s AS (SELECT count(x.plan_id) AS plans,
                          count(*) FILTER (WHERE x.status = 'draft') AS draft,
                          count(*) FILTER (WHERE x.status = 'submitted') AS submitted,
                          count(*) FILTER (WHERE x.status = 'returned') AS returned,
                          count(*) FILTER (WHERE x.status = 'approved') AS approved,
                          count(*) FILTER (WHERE x.status = 'pacted') AS pacted,
                          count(*) FILTER (WHERE x.status = 'under_revision') AS under_revision,
                          count(*) FILTER (WHERE x.status = 'closed') AS closed,
                          count(x.pact_id) AS pacts,
                          coalesce(sum(x.d_pending), 0) AS d_pending,
                          coalesce(sum(x.d_late), 0) AS d_late,
                          coalesce(sum(x.d_submitted), 0) AS d_submitted,
                          coalesce(sum(x.d_done), 0) AS d_done,
                          coalesce(sum(x.d_rejected), 0) AS d_rejected,
                          coalesce(sum(x.d_due), 0) AS d_due,
                          coalesce(sum(x.d_on_time), 0) AS d_on_time,
                          count(*) FILTER (WHERE x.trajectory = 'achieved') AS t_achieved,
                          count(*) FILTER (WHERE x.trajectory = 'on_track') AS t_on_track,
                          count(*) FILTER (WHERE x.trajectory = 'off_track') AS t_off_track,
                          count(*) FILTER (WHERE x.trajectory = 'no_data') AS t_no_data,
                          coalesce(sum(x.grants), 0) AS grants,
                          coalesce(sum(x.grants_cents), 0) AS grants_cents,
                          round(avg(x.progress), 4) AS progress
                     FROM unnest(rows) x)
        SELECT jsonb_build_object(
                   'municipalities', a.municipalities, 'adhered', a.adhered,
                   'adhesion_rate', round(a.adhered::numeric / nullif(a.municipalities, 0), 4),
                   'plans', s.plans,
                   'plans_by_status', jsonb_build_object(
                       'draft', s.draft, 'submitted', s.submitted, 'returned', s.returned,
                       'approved', s.approved, 'pacted', s.pacted,
                       'under_revision', s.under_revision, 'closed', s.closed),
                   'pacts', s.pacts,
                   'deliveries_by_status', jsonb_build_object(
                       'pending', s.d_pending, 'late', s.d_late, 'submitted', s.d_submitted,
                       'done', s.d_done, 'rejected', s.d_rejected),
                   'deliveries_due', s.d_due, 'deliveries_on_time', s.d_on_time,
                   'on_time_rate', round(s.d_on_time::numeric / nullif(s.d_due, 0), 4),
                   'pacts_by_trajectory', jsonb_build_object(
                       'achieved', s.t_achieved, 'on_track', s.t_on_track,
                       'off_track', s.t_off_track, 'no_data', s.t_no_data),
                   'incentives_granted', jsonb_build_object(
                       'count', s.grants, 'amount_cents', s.grants_cents),
                   'mean_progress', s.progress)
          FROM a, s;
    END;

-- The metrics of a cycle's plans (one challenge's, when challenge is not
-- null), each plan's figures read once: a row per challenge of the cycle
-- (is_total false) and the row of their totals (is_total true).
CREATE FUNCTION dashboard_metrics(cycle bigint, challenge bigint)
    RETURNS TABLE (challenge_id bigint, is_total boolean, metrics jsonb)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        WITH x AS MATERIALIZED (SELECT * FROM dashboard_plans(cycle, challenge, NULL))
        SELECT ch.id, false,
               dashboard_metrics_of(cycle, ARRAY(SELECT ROW(x.*)::dashboard_plan_row FROM x
                                                  WHERE x.challenge_id = ch.id))
          FROM challenges ch
         WHERE ch.cycle_id = cycle AND (challenge IS NULL OR ch.id = challenge)
        UNION ALL
        SELECT NULL, true,
               dashboard_metrics_of(cycle, ARRAY(SELECT ROW(x.*)::dashboard_plan_row FROM x));
    END;

-- The metrics as CSV cells: one flat column each, named as the CSV header.
CREATE FUNCTION dashboard_metrics_cells(m jsonb)
    RETURNS TABLE (municipalities text, adhered text, adhesion_rate text, plans text,
                   plans_draft text, plans_submitted text, plans_returned text,
                   plans_approved text, plans_pacted text, plans_under_revision text,
                   plans_closed text, pacts text, deliveries_pending text,
                   deliveries_late text, deliveries_submitted text, deliveries_done text,
                   deliveries_rejected text, deliveries_due text, deliveries_on_time text,
                   on_time_rate text, pacts_achieved text, pacts_on_track text,
                   pacts_off_track text, pacts_no_data text, incentives_granted text,
                   incentives_amount_cents text, mean_progress text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT m->>'municipalities', m->>'adhered', m->>'adhesion_rate', m->>'plans',
               m#>>'{plans_by_status,draft}', m#>>'{plans_by_status,submitted}',
               m#>>'{plans_by_status,returned}', m#>>'{plans_by_status,approved}',
               m#>>'{plans_by_status,pacted}', m#>>'{plans_by_status,under_revision}',
               m#>>'{plans_by_status,closed}', m->>'pacts',
               m#>>'{deliveries_by_status,pending}', m#>>'{deliveries_by_status,late}',
               m#>>'{deliveries_by_status,submitted}', m#>>'{deliveries_by_status,done}',
               m#>>'{deliveries_by_status,rejected}', m->>'deliveries_due',
               m->>'deliveries_on_time', m->>'on_time_rate',
               m#>>'{pacts_by_trajectory,achieved}', m#>>'{pacts_by_trajectory,on_track}',
               m#>>'{pacts_by_trajectory,off_track}', m#>>'{pacts_by_trajectory,no_data}',
               m#>>'{incentives_granted,count}', m#>>'{incentives_granted,amount_cents}',
               m->>'mean_progress';
    END;

-- A plan's deliveries by status, as an object with every status.
CREATE FUNCTION dashboard_deliveries_json(pending bigint, late bigint, submitted bigint,
                                          done bigint, rejected bigint) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN jsonb_build_object('pending', pending, 'late', late, 'submitted', submitted,
                              'done', done, 'rejected', rejected);

-- A cycle's dashboard: its totals and one entry per challenge (by code).
CREATE FUNCTION dashboard_cycle_json(cycle bigint) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        WITH m AS MATERIALIZED (SELECT * FROM dashboard_metrics(cycle, NULL))
        SELECT jsonb_build_object(
                   'cycle_id', c.id, 'cycle_name', c.name, 'state', s.uf,
                   'totals', (SELECT m.metrics FROM m WHERE m.is_total),
                   'challenges', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                               'challenge_id', ch.id, 'code', ch.code,
                                               'title', ch.title, 'metrics', m.metrics)
                                               ORDER BY ch.code)
                                             FROM challenges ch
                                             JOIN m ON m.challenge_id = ch.id AND NOT m.is_total),
                                          '[]'::jsonb))
          FROM cycles c JOIN states s ON s.code = c.state_code WHERE c.id = cycle;
    END;

-- The plans a challenge's dashboard lists (rows from dashboard_plans), one
-- per municipality: the public ones (plan_visible for an anonymous caller —
-- drafts and returned plans are counted in plans_by_status, never named).
CREATE FUNCTION dashboard_challenge_entries_of(rows dashboard_plan_row[])
    RETURNS TABLE (municipality_id text, municipality_name text, plan_id bigint,
                   plan_status text, progress numeric, pact_id bigint, pact_protocol text,
                   trajectory_status text, d_pending bigint, d_late bigint, d_submitted bigint,
                   d_done bigint, d_rejected bigint)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT x.municipality_id, m.name, x.plan_id, x.status, x.progress, x.pact_id,
               x.pact_protocol, x.trajectory, x.d_pending, x.d_late, x.d_submitted, x.d_done,
               x.d_rejected
          FROM unnest(rows) x
          JOIN municipalities m ON m.ibge_code = x.municipality_id
          JOIN action_plans ap ON ap.id = x.plan_id
         WHERE plan_visible(ap, NULL::pacto_viewer) IS TRUE
         ORDER BY x.municipality_id;
    END;

CREATE FUNCTION dashboard_challenge_entries(challenge bigint)
    RETURNS TABLE (municipality_id text, municipality_name text, plan_id bigint,
                   plan_status text, progress numeric, pact_id bigint, pact_protocol text,
                   trajectory_status text, d_pending bigint, d_late bigint, d_submitted bigint,
                   d_done bigint, d_rejected bigint)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT e.* FROM challenges ch,
               dashboard_challenge_entries_of(ARRAY(
                   SELECT y FROM dashboard_plans(ch.cycle_id, ch.id, NULL) y)) e
         WHERE ch.id = challenge;
    END;

-- A challenge's dashboard: its metrics and its entries, from one reading of
-- its plans.
CREATE FUNCTION dashboard_challenge_json(challenge bigint) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        WITH x AS MATERIALIZED (
                 SELECT ch.id, ch.cycle_id, ch.code, ch.title,
                        ARRAY(SELECT y FROM dashboard_plans(ch.cycle_id, ch.id, NULL) y) AS rows
                   FROM challenges ch WHERE ch.id = challenge)
        SELECT jsonb_build_object(
                   'challenge_id', x.id, 'cycle_id', x.cycle_id, 'code', x.code,
                   'title', x.title, 'metrics', dashboard_metrics_of(x.cycle_id, x.rows),
                   'municipalities', coalesce((SELECT jsonb_agg(jsonb_build_object(
                       'municipality_id', e.municipality_id,
                       'municipality_name', e.municipality_name, 'plan_id', e.plan_id,
                       'plan_status', e.plan_status, 'progress', e.progress,
                       'pact_id', e.pact_id, 'pact_protocol', e.pact_protocol,
                       'trajectory_status', e.trajectory_status,
                       'deliveries_by_status', dashboard_deliveries_json(
                           e.d_pending, e.d_late, e.d_submitted, e.d_done, e.d_rejected))
                       ORDER BY e.municipality_id)
                     FROM dashboard_challenge_entries_of(x.rows) e), '[]'::jsonb))
          FROM x;
    END;

-- A municipality in a cycle: its adhesion and one entry per challenge of
-- the cycle (by code), its plan's figures when it has a public plan.
CREATE FUNCTION dashboard_municipality_entries(municipality text, cycle bigint)
    RETURNS TABLE (challenge_id bigint, challenge_code text, challenge_title text,
                   plan_id bigint, plan_status text, progress numeric, pact_id bigint,
                   pact_protocol text, trajectory_status text, d_pending bigint, d_late bigint,
                   d_submitted bigint, d_done bigint, d_rejected bigint, grants bigint,
                   grants_cents bigint)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT ch.id, ch.code, ch.title, x.plan_id, x.status, x.progress, x.pact_id,
               x.pact_protocol, x.trajectory, coalesce(x.d_pending, 0), coalesce(x.d_late, 0),
               coalesce(x.d_submitted, 0), coalesce(x.d_done, 0), coalesce(x.d_rejected, 0),
               coalesce(x.grants, 0), coalesce(x.grants_cents, 0)
          FROM challenges ch
          LEFT JOIN (SELECT y.* FROM dashboard_plans(cycle, NULL, municipality) y
                       JOIN action_plans ap ON ap.id = y.plan_id
                      WHERE plan_visible(ap, NULL::pacto_viewer) IS TRUE) x
                 ON x.challenge_id = ch.id
         WHERE ch.cycle_id = cycle
         ORDER BY ch.code;
    END;

CREATE FUNCTION dashboard_municipality_json(municipality text, cycle bigint) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT jsonb_build_object(
                       'municipality_id', m.ibge_code, 'municipality_name', m.name,
                       'cycle_id', c.id, 'adhered', ad.protocol IS NOT NULL,
                       'adhesion_protocol', ad.protocol,
                       'challenges', coalesce((SELECT jsonb_agg(jsonb_build_object(
                           'challenge_id', e.challenge_id, 'code', e.challenge_code,
                           'title', e.challenge_title, 'plan_id', e.plan_id,
                           'plan_status', e.plan_status, 'progress', e.progress,
                           'pact_id', e.pact_id, 'pact_protocol', e.pact_protocol,
                           'trajectory_status', e.trajectory_status,
                           'deliveries_by_status', dashboard_deliveries_json(
                               e.d_pending, e.d_late, e.d_submitted, e.d_done, e.d_rejected),
                           'incentives_granted', jsonb_build_object(
                               'count', e.grants, 'amount_cents', e.grants_cents))
                           ORDER BY e.challenge_code)
                         FROM dashboard_municipality_entries(m.ibge_code, c.id) e), '[]'::jsonb))
              FROM municipalities m JOIN cycles c ON c.id = cycle
              LEFT JOIN adhesions ad ON ad.cycle_id = c.id AND ad.municipality_id = m.ibge_code
                                    AND ad.status = 'active'
             WHERE m.ibge_code = municipality);
