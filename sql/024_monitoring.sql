-- Monitoring (SPEC 1, steps 9-11): the tables of delivery evidence and its
-- files, and what every part reads — a delivery's status, a plan's
-- progress, a pact target's trajectory. Each resource's JSON, rules and
-- statements live in the migrations that follow, next to the code.

-- How far behind the linear path a pact may be and still be on track, as a
-- fraction of the way from baseline to target.
ALTER TABLE challenges ADD COLUMN trajectory_tolerance numeric NOT NULL DEFAULT 0.1
    CHECK (trajectory_tolerance >= 0 AND trajectory_tolerance <= 1);

-- A file a municipality uploaded as evidence, stored once per municipality
-- and content (SHA-256): PostgreSQL holds it, so one backup holds
-- everything. PDFs, JPEGs and PNGs are compressed already: stored as they
-- come (STORAGE EXTERNAL, no second compression).
CREATE TABLE evidence_files (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    municipality_id text NOT NULL REFERENCES municipalities (ibge_code),
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content_type    text NOT NULL
                    CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes      bigint NOT NULL CHECK (size_bytes > 0),
    content         bytea NOT NULL,
    uploaded_by     bigint NOT NULL REFERENCES users (id),
    uploaded_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, sha256)
);
ALTER TABLE evidence_files ALTER COLUMN content SET STORAGE EXTERNAL;

-- Evidence of one delivery of a pacted plan: what the municipality says it
-- did, reviewed by the challenge's area secretariat. A rejected one may be
-- followed by another; an accepted one is locked.
CREATE TABLE evidence (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id   bigint NOT NULL REFERENCES plan_deliveries (id),
    plan_id       bigint NOT NULL REFERENCES action_plans (id),
    description   text NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
    link          text CHECK (length(link) <= 2000 AND link ~ '^https://'),
    status        text NOT NULL DEFAULT 'submitted'
                  CHECK (status IN ('submitted', 'accepted', 'rejected')),
    submitted_by  bigint NOT NULL REFERENCES users (id),
    submitted_at  timestamptz NOT NULL DEFAULT now(),
    reviewed_by   bigint REFERENCES users (id),
    reviewed_at   timestamptz,
    review_reason text CHECK (length(review_reason) BETWEEN 1 AND 2000),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'submitted') = (reviewed_at IS NULL)),
    CHECK (status <> 'rejected' OR review_reason IS NOT NULL)
);
-- At most one evidence awaiting review or accepted per delivery.
CREATE UNIQUE INDEX evidence_one_standing ON evidence (delivery_id)
    WHERE status IN ('submitted', 'accepted');
CREATE INDEX evidence_delivery_idx ON evidence (delivery_id, id);
CREATE INDEX evidence_plan_idx ON evidence (plan_id, id);
CREATE INDEX evidence_waiting_idx ON evidence (submitted_at) WHERE status = 'submitted';

-- The files of an evidence, in the order they were attached.
CREATE TABLE evidence_attachments (
    evidence_id bigint NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
    file_id     bigint NOT NULL REFERENCES evidence_files (id),
    position    smallint NOT NULL CHECK (position >= 0),
    PRIMARY KEY (evidence_id, file_id)
);

-- The status of a delivery's latest evidence (NULL: none), kept by a
-- trigger on evidence so that a delivery's status is read from its own row:
-- lists, alerts and dashboards read thousands of them.
ALTER TABLE plan_deliveries ADD COLUMN evidence_status text
    CHECK (evidence_status IN ('submitted', 'accepted', 'rejected'));

CREATE FUNCTION evidence_track_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE plan_deliveries d
       SET evidence_status = (SELECT e.status FROM evidence e WHERE e.delivery_id = d.id
                               ORDER BY e.id DESC LIMIT 1)
     WHERE d.id = coalesce(NEW.delivery_id, OLD.delivery_id);
    RETURN NULL;
END $$;
CREATE TRIGGER evidence_tracks_delivery AFTER INSERT OR UPDATE OF status OR DELETE ON evidence
    FOR EACH ROW EXECUTE FUNCTION evidence_track_delivery();

-- A delivery's status, from the database clock and its evidence: done (an
-- accepted evidence), submitted (one awaiting review), late (due date
-- passed, nothing accepted), rejected (the last evidence was rejected,
-- not yet late), pending (the rest). One expression of the row, which
-- PostgreSQL inlines into the queries that call it.
CREATE FUNCTION delivery_status(d plan_deliveries) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE
        WHEN d.evidence_status = 'accepted' THEN 'done'
        WHEN d.evidence_status = 'submitted' THEN 'submitted'
        WHEN d.due_date < current_date THEN 'late'
        WHEN d.evidence_status = 'rejected' THEN 'rejected'
        ELSE 'pending' END;

-- A plan's progress from 0 to 1: the mean of its deliveries done, weighted
-- by their weights (a missing weight counts 1); NULL without deliveries.
-- Challenges and cycles roll up as the mean of their plans' progress.
CREATE FUNCTION plan_progress(plan bigint) RETURNS numeric
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT round(sum(coalesce(d.weight, 1)
                             * (delivery_status(d) = 'done')::int)
                         / nullif(sum(coalesce(d.weight, 1)), 0), 4)
              FROM plan_deliveries d WHERE d.plan_id = plan);

-- An action's progress, likewise over its own deliveries.
CREATE FUNCTION action_progress(action bigint) RETURNS numeric
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT round(sum(coalesce(d.weight, 1)
                             * (delivery_status(d) = 'done')::int)
                         / nullif(sum(coalesce(d.weight, 1)), 0), 4)
              FROM plan_deliveries d WHERE d.action_id = action);

-- A period as a point in time, in years: 2019 is 2019.0, 2019-07 is 2019.5.
CREATE FUNCTION period_time(p text) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN substr(p, 1, 4)::numeric
        + CASE WHEN length(p) = 7 THEN (substr(p, 6, 2)::numeric - 1) / 12 ELSE 0 END;

-- A pact target's trajectory: baseline B (value, period t0), target T (year
-- t1), the latest final value V after the baseline (its period t), the
-- newest preliminary one shown apart, the expected value on the linear path
-- E = B + (T - B) * f with f = clamp((t - t0) / (t1 - t0), 0, 1) the elapsed
-- fraction at t, the progress ratio p = (V - B) / (T - B), and the status:
-- achieved (p >= 1), on_track (p >= f - the challenge's tolerance),
-- off_track, or no_data (no final value after the baseline, or no
-- baseline). When T = B the value only has to be no worse than B (by the
-- indicator's polarity). Computed when read, from the values as they are:
-- never stale after an import.
CREATE FUNCTION pact_target_trajectory(t pact_targets)
    RETURNS TABLE (baseline_value numeric, baseline_period text, target_value numeric,
                   target_year integer, latest_value numeric, latest_period text,
                   preliminary_value numeric, preliminary_period text,
                   elapsed numeric, expected_value numeric, progress numeric, status text)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        WITH k AS (SELECT k.municipality_id, ch.trajectory_tolerance AS tolerance
                     FROM pacts k JOIN challenges ch ON ch.id = k.challenge_id
                    WHERE k.id = t.pact_id),
             i AS (SELECT ind.* FROM indicators ind WHERE ind.id = t.indicator_id),
             v AS (SELECT x.period, x.value FROM indicator_values x, k
                    WHERE x.indicator_id = t.indicator_id AND x.municipality_id = k.municipality_id
                      AND x.status = 'ok' AND NOT x.preliminary
                      AND x.period > t.baseline_period
                    ORDER BY x.period DESC LIMIT 1),
             pre AS (SELECT x.period, x.value FROM indicator_values x, k
                      WHERE x.indicator_id = t.indicator_id
                        AND x.municipality_id = k.municipality_id
                        AND x.status = 'ok' AND x.preliminary
                        AND x.period > coalesce((SELECT v.period FROM v), t.baseline_period, '')
                      ORDER BY x.period DESC LIMIT 1),
             f AS (SELECT CASE WHEN t.target_year::numeric <= period_time(t.baseline_period) THEN 1
                               ELSE least(1, greatest(0, (period_time(v.period)
                                                          - period_time(t.baseline_period))
                                                         / (t.target_year
                                                            - period_time(t.baseline_period))))
                               END AS elapsed
                     FROM v),
             r AS (SELECT f.elapsed,
                          t.baseline_value + (t.target_value - t.baseline_value) * f.elapsed
                              AS expected,
                          CASE WHEN t.target_value <> t.baseline_value
                               THEN (v.value - t.baseline_value)
                                    / (t.target_value - t.baseline_value) END AS progress,
                          v.value
                     FROM v, f)
        SELECT t.baseline_value, t.baseline_period, t.target_value, t.target_year,
               (SELECT v.value FROM v), (SELECT v.period FROM v),
               (SELECT pre.value FROM pre), (SELECT pre.period FROM pre),
               round(r.elapsed, 4), round(r.expected, (SELECT i.decimals FROM i)),
               round(r.progress, 4),
               CASE WHEN t.baseline_value IS NULL OR r.value IS NULL THEN 'no_data'
                    WHEN t.target_value = t.baseline_value THEN
                        CASE WHEN (SELECT i.polarity FROM i) = 'lower_is_better'
                                  AND r.value <= t.baseline_value THEN 'achieved'
                             WHEN (SELECT i.polarity FROM i) = 'higher_is_better'
                                  AND r.value >= t.baseline_value THEN 'achieved'
                             ELSE 'off_track' END
                    WHEN r.progress >= 1 THEN 'achieved'
                    WHEN r.progress >= r.elapsed - (SELECT k.tolerance FROM k) THEN 'on_track'
                    ELSE 'off_track' END
          FROM (SELECT NULL) one LEFT JOIN r ON true;
    END;
