-- Idempotency keys of writes (issue 15): one row per (principal, key). While the first request
-- runs the row is a claim (response_status NULL, expires_at = claim expiry); once it answered,
-- the row holds the answer until expires_at (IDEMPOTENCY_TTL_SECONDS after it).
CREATE TABLE idempotency_keys (
    principal        VARCHAR(120) COLLATE "C"  NOT NULL,
    idem_key         VARCHAR(255) COLLATE "C" NOT NULL,
    request_hash     VARCHAR(64) COLLATE "C"  NOT NULL,
    expires_at       TIMESTAMPTZ  NOT NULL,
    response_status  BIGINT       NULL,
    response_headers TEXT COLLATE "C" NULL,
    response_body    BYTEA        NULL,
    PRIMARY KEY (principal, idem_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
