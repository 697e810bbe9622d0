-- The login throttle's state (lib/auth/login_limit.c), shared by every server
-- behind the load balancer: failed logins and failed invitation activations,
-- counted per account ('a:' || lower(e-mail)) and per client address
-- ('i:' || address) in a fixed window that starts at the key's first failure.
--
-- UNLOGGED: a failure is a few bytes that need not survive a crash, reach the
-- replica (which never reads it) or add to its replay; a crash or a
-- promotion starts every window afresh, as a restart of a server did when
-- the state was kept in its memory. Rows are bounded: each failure removes
-- up to 64 rows whose window has passed, so the table holds little more
-- than one window's keys.

CREATE UNLOGGED TABLE login_throttle (
    key           text PRIMARY KEY CHECK (length(key) BETWEEN 3 AND 300),
    failures      integer NOT NULL CHECK (failures > 0),
    window_start  timestamptz NOT NULL
);
CREATE INDEX login_throttle_window_idx ON login_throttle (window_start);
