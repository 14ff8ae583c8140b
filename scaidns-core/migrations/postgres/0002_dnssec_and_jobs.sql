-- ScaiDNS schema for PostgreSQL, version 2: DNSSEC key metadata and leased background jobs.
-- Private key material never reaches this database: PowerDNS holds it; ScaiDNS keeps the public
-- DNSKEY, the DS digests it hands to registrars, and where each key is in its rollover.

CREATE TABLE dnssec_keys (
    id              VARCHAR(36) COLLATE "C"     NOT NULL,
    zone_id         VARCHAR(36) COLLATE "C"     NOT NULL,
    role            VARCHAR(8) COLLATE "C"   NOT NULL,
    backend_key_id  BIGINT       NOT NULL,
    algorithm       BIGINT       NOT NULL,
    bits            BIGINT       NOT NULL,
    key_tag         BIGINT       NOT NULL,
    dnskey          TEXT COLLATE "C"         NOT NULL,
    ds              TEXT COLLATE "C"         NOT NULL,
    state           VARCHAR(16) COLLATE "C"  NOT NULL,
    ds_confirmed_at TIMESTAMPTZ  NULL,
    published_at    TIMESTAMPTZ  NULL,
    activated_at    TIMESTAMPTZ  NULL,
    activate_at     TIMESTAMPTZ  NULL,
    retire_at       TIMESTAMPTZ  NULL,
    expires_at      TIMESTAMPTZ  NULL,
    created_at      TIMESTAMPTZ  NOT NULL,
    updated_at      TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT fk_dnssec_keys_zone FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
);
CREATE INDEX ix_dnssec_keys_zone ON dnssec_keys (zone_id, created_at);

-- One row per periodic job. A worker claims a due job with one conditional UPDATE (free or
-- lease expired), so two workers never run it at once, and a worker that dies mid-job leaves a
-- lease that expires and lets another pick the job up.
CREATE TABLE jobs (
    name             VARCHAR(64) COLLATE "C"  NOT NULL,
    next_run_at      TIMESTAMPTZ  NOT NULL,
    lease_owner      VARCHAR(191) COLLATE "C" NULL,
    lease_expires_at TIMESTAMPTZ  NULL,
    last_started_at  TIMESTAMPTZ  NULL,
    last_finished_at TIMESTAMPTZ  NULL,
    last_error       TEXT COLLATE "C"         NULL,
    run_count        BIGINT       NOT NULL DEFAULT 0,
    PRIMARY KEY (name)
);
