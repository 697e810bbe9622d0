-- Idempotency-Key (API.md): the first successful response to a create, kept
-- 24 hours per caller and key, written in the same transaction as the change
-- it reports, so a retried request can never create a second resource.

CREATE TABLE idempotency_keys (
    actor_id      bigint NOT NULL REFERENCES users (id),
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash  text NOT NULL,
    status        integer NOT NULL,
    content_type  text NOT NULL,
    headers       text NOT NULL,
    body          text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (actor_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
