-- Public writes (issue: open government): the first requests that change
-- something without a token — citizens' comments and questions. A citizen is
-- known only by a keyed hash of their address, never by the address itself;
-- the same hash keys their Idempotency-Keys and their hourly limit, so both
-- hold whichever server a retry reaches.

-- The key of the address hash: random, made once, never leaves the database.
CREATE TABLE client_hash_key (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    secret   text NOT NULL
);
INSERT INTO client_hash_key (secret)
    VALUES (replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));

-- The client's address as rows may keep it: 64 hex digits, the same for the
-- same address, which the table above alone can turn back into an address
-- (by trying them all).
CREATE FUNCTION client_hash(address text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN encode(sha256(convert_to((SELECT secret FROM client_hash_key) || '|' || address,
                                    'UTF8')), 'hex');

-- Idempotency keys per caller: a user's id, or 'a:' and an anonymous
-- client's address hash.
ALTER TABLE idempotency_keys ADD COLUMN caller text;
UPDATE idempotency_keys SET caller = actor_id::text;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys DROP COLUMN actor_id;
ALTER TABLE idempotency_keys ALTER COLUMN caller SET NOT NULL;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (caller, key);

-- One row per public write admitted in the last hour, per address hash and
-- kind ('comment', 'question'): the hourly limit counts them. Rows older
-- than an hour are removed by later writes (see public_write_admit).
CREATE TABLE public_writes (
    client_hash text NOT NULL,
    kind        text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX public_writes_client_idx ON public_writes (client_hash, kind, at);
CREATE INDEX public_writes_at_idx ON public_writes (at);
