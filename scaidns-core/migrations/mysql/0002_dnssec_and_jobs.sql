-- ScaiDNS schema for MariaDB/MySQL, version 2: DNSSEC key metadata and leased background jobs.
-- Private key material never reaches this database: PowerDNS holds it; ScaiDNS keeps the public
-- DNSKEY, the DS digests it hands to registrars, and where each key is in its rollover.

CREATE TABLE dnssec_keys (
    id              CHAR(36)     NOT NULL,
    zone_id         CHAR(36)     NOT NULL,
    role            VARCHAR(8)   NOT NULL,
    backend_key_id  BIGINT       NOT NULL,
    algorithm       BIGINT       NOT NULL,
    bits            BIGINT       NOT NULL,
    key_tag         BIGINT       NOT NULL,
    dnskey          TEXT         NOT NULL,
    ds              TEXT         NOT NULL,
    state           VARCHAR(16)  NOT NULL,
    ds_confirmed_at DATETIME(6)  NULL,
    published_at    DATETIME(6)  NULL,
    activated_at    DATETIME(6)  NULL,
    activate_at     DATETIME(6)  NULL,
    retire_at       DATETIME(6)  NULL,
    expires_at      DATETIME(6)  NULL,
    created_at      DATETIME(6)  NOT NULL,
    updated_at      DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_dnssec_keys_zone (zone_id, created_at),
    CONSTRAINT fk_dnssec_keys_zone FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- One row per periodic job. A worker claims a due job with one conditional UPDATE (free or
-- lease expired), so two workers never run it at once, and a worker that dies mid-job leaves a
-- lease that expires and lets another pick the job up.
CREATE TABLE jobs (
    name             VARCHAR(64)  NOT NULL,
    next_run_at      DATETIME(6)  NOT NULL,
    lease_owner      VARCHAR(191) NULL,
    lease_expires_at DATETIME(6)  NULL,
    last_started_at  DATETIME(6)  NULL,
    last_finished_at DATETIME(6)  NULL,
    last_error       TEXT         NULL,
    run_count        BIGINT       NOT NULL DEFAULT 0,
    PRIMARY KEY (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
