-- Idempotency keys of writes (mirrors migrations/mysql/0009_idempotency_keys.sql): one row per
-- (principal, key), a claim while the first request runs, then its answer until expires_at.
CREATE TABLE idempotency_keys (
    principal        TEXT    NOT NULL,
    idem_key         TEXT    NOT NULL,
    request_hash     TEXT    NOT NULL,
    expires_at       TEXT    NOT NULL,
    response_status  INTEGER NULL,
    response_headers TEXT    NULL,
    response_body    BLOB    NULL,
    PRIMARY KEY (principal, idem_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
