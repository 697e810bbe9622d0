-- Indicators and their values, challenges, focalization and targets (SPEC 1,
-- steps 4-5): the tables. Each resource's JSON, snapshot and rules live in
-- the migrations that follow, next to the code that serves them.

-- The secretariat areas (users.secretariat_area) and the themes a challenge
-- may have.
CREATE FUNCTION pacto_is_secretariat_area(a text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN a IN ('coordination', 'health', 'education', 'security', 'economy');

-- The secretariat that manages data of `area`, or the coordination: who may
-- change an indicator, a challenge and what hangs from them.
CREATE FUNCTION viewer_manages(v pacto_viewer, area text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN viewer_is_coordination(v)
        OR coalesce(v.role = 'secretariat' AND v.secretariat_area = area, false);

-- The catalogue, shared by every cycle.
CREATE TABLE indicators (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code                   text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9_.-]{0,39}$'),
    name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description            text CHECK (length(description) BETWEEN 1 AND 4000),
    unit                   text NOT NULL CHECK (length(unit) BETWEEN 1 AND 100),
    polarity               text NOT NULL
                           CHECK (polarity IN ('higher_is_better', 'lower_is_better')),
    source                 text NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
    periodicity            text NOT NULL CHECK (periodicity IN ('annual', 'biennial', 'monthly')),
    -- A biennial indicator's periods are first_period + 2k; any indicator's
    -- periods are never before it.
    first_period           text,
    decimals               smallint NOT NULL DEFAULT 2 CHECK (decimals BETWEEN 0 AND 6),
    min_value              numeric,
    max_value              numeric,
    formula                text CHECK (length(formula) BETWEEN 1 AND 1000),
    -- The secretariat area that manages it (fixed once it has values).
    area                   text NOT NULL CHECK (pacto_is_secretariat_area(area)),
    publication_lag_months smallint NOT NULL DEFAULT 0
                           CHECK (publication_lag_months BETWEEN 0 AND 120),
    -- A rate's multiplier: value = numerator / denominator * scale (1000 for
    -- infant mortality per 1,000 live births). NULL: the value is given as
    -- it is, and the state figure is the mean of the municipal values.
    scale                  numeric CHECK (scale > 0),
    -- The municipalities' population: peer bands and per-capita rates use it.
    is_population          boolean NOT NULL DEFAULT false,
    version                integer NOT NULL DEFAULT 1,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (min_value IS NULL OR max_value IS NULL OR min_value < max_value)
);
CREATE UNIQUE INDEX indicators_one_population ON indicators (is_population) WHERE is_population;

-- A period's text: 'YYYY' (annual, biennial) or 'YYYY-MM' (monthly).
CREATE FUNCTION period_is_valid(periodicity text, p text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE periodicity
        WHEN 'monthly' THEN p ~ '^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$'
        ELSE p ~ '^(19|20)[0-9]{2}$'
    END;

-- The last day a period covers.
CREATE FUNCTION period_end(p text) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN length(p) = 4 THEN make_date(p::int, 12, 31)
                ELSE (make_date(substr(p, 1, 4)::int, substr(p, 6, 2)::int, 1)
                      + interval '1 month - 1 day')::date END;

-- The year a period falls in (trajectories and targets count in years).
CREATE FUNCTION period_year(p text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN substr(p, 1, 4)::int;

-- Who imported what: one row per import that wrote (a dry run writes none).
CREATE TABLE value_imports (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indicator_id bigint NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    actor_id     bigint REFERENCES users (id),
    format       text NOT NULL CHECK (format IN ('json', 'csv')),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    options      jsonb NOT NULL DEFAULT '{}',
    inserted     integer NOT NULL,
    updated      integer NOT NULL,
    unchanged    integer NOT NULL,
    ignored      integer NOT NULL DEFAULT 0,
    request_id   text,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX value_imports_indicator_idx ON value_imports (indicator_id, id);

-- One value per indicator, municipality and period. A row without a value
-- (not_available, suppressed) keeps the source's own code and never counts
-- as zero.
CREATE TABLE indicator_values (
    indicator_id    bigint NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    municipality_id text NOT NULL REFERENCES municipalities (ibge_code) ON DELETE CASCADE,
    period          text NOT NULL,
    value           numeric,
    numerator       numeric,
    denominator     numeric CHECK (denominator >= 0),
    preliminary     boolean NOT NULL DEFAULT false,
    status          text NOT NULL DEFAULT 'ok'
                    CHECK (status IN ('ok', 'not_available', 'suppressed')),
    raw_code        text CHECK (length(raw_code) BETWEEN 1 AND 20),
    import_id       bigint REFERENCES value_imports (id) ON DELETE SET NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (indicator_id, period, municipality_id),
    CHECK ((status = 'ok') = (value IS NOT NULL))
);
CREATE INDEX indicator_values_municipality_idx
    ON indicator_values (municipality_id, indicator_id, period);

-- What a re-import replaced: nothing a revised file changes is lost.
CREATE TABLE indicator_value_history (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indicator_id    bigint NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    municipality_id text NOT NULL REFERENCES municipalities (ibge_code) ON DELETE CASCADE,
    period          text NOT NULL,
    value           numeric,
    numerator       numeric,
    denominator     numeric,
    preliminary     boolean NOT NULL,
    status          text NOT NULL,
    raw_code        text,
    import_id       bigint REFERENCES value_imports (id) ON DELETE SET NULL,
    replaced_by     bigint REFERENCES value_imports (id) ON DELETE SET NULL,
    replaced_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX indicator_value_history_idx
    ON indicator_value_history (indicator_id, municipality_id, period, id);

-- The latest period of an indicator that counts: the newest with a value
-- whose publication is due (its end plus the indicator's lag has passed), so
-- a first, partial load of a period not yet published does not become "the
-- latest" for the whole state. NULL when it has none.
CREATE FUNCTION indicator_latest_period(ind indicators) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT v.period FROM indicator_values v
             WHERE v.indicator_id = ind.id AND v.status = 'ok'
               AND period_end(v.period) + make_interval(months => ind.publication_lag_months)
                   <= current_date
             ORDER BY v.period DESC LIMIT 1);

-- The state figure of an indicator for a period, from the municipal values
-- with status ok: for a rate, sum(numerator) / sum(denominator) * scale (not
-- a mean of municipal rates); otherwise the mean of the values. NULL value
-- when no municipality has one.
CREATE FUNCTION indicator_state_aggregate(ind indicators, state smallint, p text)
    RETURNS TABLE (value numeric, numerator numeric, denominator numeric, municipalities bigint)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT CASE WHEN ind.scale IS NULL THEN avg(v.value)
                    WHEN sum(v.denominator) > 0
                    THEN sum(v.numerator) / sum(v.denominator) * ind.scale END,
               sum(v.numerator), sum(v.denominator), count(*)
          FROM indicator_values v JOIN municipalities m ON m.ibge_code = v.municipality_id
         WHERE v.indicator_id = ind.id AND v.period = p AND v.status = 'ok'
           AND m.state_code = state
           AND (ind.scale IS NULL OR (v.numerator IS NOT NULL AND v.denominator IS NOT NULL));
    END;

-- A municipality's newest value with status ok, at or before period `upto`
-- (NULL: any), and its period: the baseline of a suggested target.
CREATE FUNCTION municipality_latest_value(ind indicators, municipality text, upto text)
    RETURNS TABLE (period text, value numeric, numerator numeric, denominator numeric)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT v.period, v.value, v.numerator, v.denominator FROM indicator_values v
         WHERE v.indicator_id = ind.id AND v.municipality_id = municipality AND v.status = 'ok'
           AND (upto IS NULL OR v.period <= upto)
         ORDER BY v.period DESC LIMIT 1;
    END;

-- indicator_latest_period within one state: the newest due period with a
-- value among the state's municipalities. A period another state has loaded
-- and this one not yet is not this state's latest: focalization, targets and
-- reports of a state use this one.
CREATE FUNCTION indicator_latest_period(ind indicators, state smallint) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT v.period FROM indicator_values v
             WHERE v.indicator_id = ind.id AND v.status = 'ok'
               AND period_end(v.period) + make_interval(months => ind.publication_lag_months)
                   <= current_date
               AND EXISTS (SELECT 1 FROM municipalities m
                            WHERE m.ibge_code = v.municipality_id AND m.state_code = state)
             ORDER BY v.period DESC LIMIT 1);

-- Challenges of a cycle.
CREATE TABLE challenges (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id         bigint NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    code             text NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9_.-]{0,19}$'),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description      text CHECK (length(description) BETWEEN 1 AND 4000),
    area             text NOT NULL CHECK (area IN ('health', 'education', 'security', 'economy',
                                                   'social', 'environment', 'other')),
    -- The secretariat in charge: it (or the coordination) manages the challenge.
    responsible_area text NOT NULL CHECK (pacto_is_secretariat_area(responsible_area)),
    -- How the main indicators' focalization rules combine.
    focal_combine    text NOT NULL DEFAULT 'any' CHECK (focal_combine IN ('any', 'all')),
    -- Action plans (later) may be written by any adhered municipality, not
    -- only the focal ones.
    open_to_all      boolean NOT NULL DEFAULT false,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cycle_id, code)
);

-- A challenge's indicators, each main or complementary; a main indicator
-- carries its focalization rule.
CREATE TABLE challenge_indicators (
    challenge_id          bigint NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    indicator_id          bigint NOT NULL REFERENCES indicators (id),
    role                  text NOT NULL CHECK (role IN ('main', 'complementary')),
    -- worst_percent: the worst N% of the state; worst_count: the worst N;
    -- threshold: worse than T (>= T when lower is better, <= T when higher).
    focal_rule            text CHECK (focal_rule IN ('worst_percent', 'worst_count', 'threshold')),
    focal_value           numeric,
    -- NULL: the latest period with data.
    focal_period          text,
    -- Values whose denominator is smaller say little: such municipalities are
    -- not ranked (listed as such).
    focal_min_denominator numeric CHECK (focal_min_denominator >= 0),
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (challenge_id, indicator_id),
    CHECK (focal_rule IS NULL OR role = 'main'),
    CHECK ((focal_rule IS NULL) = (focal_value IS NULL)),
    CHECK (focal_rule IS DISTINCT FROM 'worst_percent' OR (focal_value > 0 AND focal_value <= 100)),
    CHECK (focal_rule IS DISTINCT FROM 'worst_count'
           OR (focal_value >= 1 AND focal_value = trunc(focal_value)))
);
CREATE INDEX challenge_indicators_indicator_idx ON challenge_indicators (indicator_id);

-- A focalization run: the rule as it was and when; the newest run of a
-- challenge is its current one, older runs stay readable.
CREATE TABLE focalization_runs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    challenge_id bigint NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    -- {"combine": "any", "indicators": [{"indicator_id", "code", "polarity",
    --  "rule", "value", "period" (the one used), "min_denominator"}]}
    rule         jsonb NOT NULL,
    focal_count  integer NOT NULL,
    run_by       bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX focalization_runs_challenge_idx ON focalization_runs (challenge_id, id);

-- Per run, indicator and municipality of the cycle's state: the value used,
-- its rank (1 = worst) and percentile among the ranked, and whether the rule
-- marks it critical.
CREATE TABLE focalization_values (
    run_id          bigint NOT NULL REFERENCES focalization_runs (id) ON DELETE CASCADE,
    indicator_id    bigint NOT NULL REFERENCES indicators (id),
    municipality_id text NOT NULL REFERENCES municipalities (ibge_code) ON DELETE CASCADE,
    period          text,
    value           numeric,
    denominator     numeric,
    rank            integer,
    percentile      numeric,
    -- critical: the rule picks it; not_critical; no_data: no value in the
    -- period; small_denominator: below the rule's minimum, not ranked.
    status          text NOT NULL
                    CHECK (status IN ('critical', 'not_critical', 'no_data', 'small_denominator')),
    PRIMARY KEY (run_id, municipality_id, indicator_id)
);

-- Per run and municipality: focal or not, and why.
CREATE TABLE focalization_results (
    run_id          bigint NOT NULL REFERENCES focalization_runs (id) ON DELETE CASCADE,
    municipality_id text NOT NULL REFERENCES municipalities (ibge_code) ON DELETE CASCADE,
    status          text NOT NULL CHECK (status IN ('focal', 'not_focal', 'no_data')),
    reason          text NOT NULL,
    PRIMARY KEY (run_id, municipality_id)
);

-- The secretariat's own decisions, over whatever run is current.
CREATE TABLE focal_overrides (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    challenge_id    bigint NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    municipality_id text NOT NULL REFERENCES municipalities (ibge_code) ON DELETE CASCADE,
    focal           boolean NOT NULL,
    reason          text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    decided_by      bigint REFERENCES users (id),
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (challenge_id, municipality_id)
);

-- The municipalities focal for a challenge now: the current run's focal
-- ones, with the manual decisions over them. The one definition every reader
-- uses (the public result, the municipalities' focal_challenge filter,
-- suggested targets, later the action plans).
CREATE FUNCTION challenge_focal_municipalities(challenge bigint)
    RETURNS TABLE (municipality_id text, manual boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        WITH run AS (SELECT max(r.id) AS id FROM focalization_runs r
                      WHERE r.challenge_id = challenge)
        SELECT f.municipality_id, false FROM focalization_results f, run
         WHERE f.run_id = run.id AND f.status = 'focal'
           AND NOT EXISTS (SELECT 1 FROM focal_overrides o
                            WHERE o.challenge_id = challenge
                              AND o.municipality_id = f.municipality_id)
        UNION ALL
        SELECT o.municipality_id, true FROM focal_overrides o
         WHERE o.challenge_id = challenge AND o.focal;
    END;

-- The state target per challenge and main indicator, and the rule its
-- suggested municipal targets are computed by.
CREATE TABLE state_targets (
    challenge_id       bigint NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    indicator_id       bigint NOT NULL REFERENCES indicators (id),
    baseline_value     numeric,
    baseline_period    text,
    target_value       numeric NOT NULL,
    target_year        integer NOT NULL CHECK (target_year BETWEEN 2000 AND 2100),
    -- gap_closure: close rule_value (0, 1] of the gap to the state target;
    -- relative_improvement: improve by rule_value percent.
    rule               text NOT NULL CHECK (rule IN ('gap_closure', 'relative_improvement')),
    rule_value         numeric NOT NULL CHECK (rule_value > 0),
    -- What a municipality already past the state target must still improve,
    -- in percent of its baseline (0: it keeps its baseline).
    min_improvement    numeric NOT NULL DEFAULT 0 CHECK (min_improvement >= 0),
    computed_at        timestamptz,
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (challenge_id, indicator_id),
    CHECK (rule <> 'gap_closure' OR rule_value <= 1)
);

-- Suggested municipal targets as last computed, for every municipality of
-- the cycle's state (the public list shows the focal ones).
CREATE TABLE suggested_targets (
    challenge_id    bigint NOT NULL,
    indicator_id    bigint NOT NULL,
    municipality_id text NOT NULL REFERENCES municipalities (ibge_code) ON DELETE CASCADE,
    baseline_value  numeric,
    baseline_period text,
    suggested_value numeric,
    -- suggested; kept_baseline: already past the state target; no_baseline:
    -- no value to start from, so no suggestion.
    status          text NOT NULL CHECK (status IN ('suggested', 'kept_baseline', 'no_baseline')),
    computed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (challenge_id, indicator_id, municipality_id),
    FOREIGN KEY (challenge_id, indicator_id)
        REFERENCES state_targets (challenge_id, indicator_id) ON DELETE CASCADE,
    CHECK ((status = 'no_baseline') = (suggested_value IS NULL))
);
