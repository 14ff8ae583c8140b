-- ScaiDNS schema for SQLite, version 2 (mirrors migrations/mysql/0002_dnssec_and_jobs.sql):
-- DNSSEC key metadata (public parts only; PowerDNS holds the private keys) and leased jobs.

CREATE TABLE dnssec_keys (
    id              TEXT    NOT NULL PRIMARY KEY,
    zone_id         TEXT    NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    role            TEXT    NOT NULL,
    backend_key_id  INTEGER NOT NULL,
    algorithm       INTEGER NOT NULL,
    bits            INTEGER NOT NULL,
    key_tag         INTEGER NOT NULL,
    dnskey          TEXT    NOT NULL,
    ds              TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    ds_confirmed_at TEXT    NULL,
    published_at    TEXT    NULL,
    activated_at    TEXT    NULL,
    activate_at     TEXT    NULL,
    retire_at       TEXT    NULL,
    expires_at      TEXT    NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
CREATE INDEX ix_dnssec_keys_zone ON dnssec_keys (zone_id, created_at);

-- A due job is claimed with one conditional UPDATE (free or lease expired); see the MySQL file.
CREATE TABLE jobs (
    name             TEXT    NOT NULL PRIMARY KEY,
    next_run_at      TEXT    NOT NULL,
    lease_owner      TEXT    NULL,
    lease_expires_at TEXT    NULL,
    last_started_at  TEXT    NULL,
    last_finished_at TEXT    NULL,
    last_error       TEXT    NULL,
    run_count        INTEGER NOT NULL DEFAULT 0
);
