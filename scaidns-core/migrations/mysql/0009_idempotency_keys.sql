-- Idempotency keys of writes (issue 15): one row per (principal, key). While the first request
-- runs the row is a claim (response_status NULL, expires_at = claim expiry); once it answered,
-- the row holds the answer until expires_at (IDEMPOTENCY_TTL_SECONDS after it).
CREATE TABLE idempotency_keys (
    principal        VARCHAR(120)  NOT NULL,
    idem_key         VARCHAR(255) NOT NULL,
    request_hash     CHAR(64)     NOT NULL,
    expires_at       DATETIME(6)  NOT NULL,
    response_status  BIGINT       NULL,
    response_headers TEXT         NULL,
    response_body    LONGBLOB     NULL,
    PRIMARY KEY (principal, idem_key),
    KEY idempotency_keys_expiry (expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
