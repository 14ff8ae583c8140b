-- ScaiDNS schema for SQLite, version 1 (mirrors migrations/mysql/0001_initial.sql).
-- Ids are UUID text; timestamps are fixed-width RFC 3339 text in UTC with six fractional
-- digits ("2026-01-02T03:04:05.123456Z"), so text comparison orders them correctly; JSON as
-- TEXT. tenant_id columns carry no foreign key: tenants are a cache of the identity provider.

CREATE TABLE tenants (
    id                TEXT    NOT NULL PRIMARY KEY,
    name              TEXT    NOT NULL,
    slug              TEXT    NOT NULL,
    scaikey_tenant_id TEXT    NULL,
    status            TEXT    NOT NULL,
    is_platform       BOOLEAN NOT NULL DEFAULT 0,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL
);
CREATE UNIQUE INDEX uq_tenants_slug ON tenants (slug);
CREATE UNIQUE INDEX uq_tenants_scaikey_tenant_id ON tenants (scaikey_tenant_id);
CREATE INDEX ix_tenants_name ON tenants (name);

CREATE TABLE users (
    id                TEXT    NOT NULL PRIMARY KEY,
    tenant_id         TEXT    NOT NULL,
    email             TEXT    NOT NULL,
    first_name        TEXT    NULL,
    last_name         TEXT    NULL,
    scaikey_user_id   TEXT    NULL,
    status            TEXT    NOT NULL,
    is_platform_admin BOOLEAN NOT NULL DEFAULT 0,
    is_tenant_admin   BOOLEAN NOT NULL DEFAULT 0,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL
);
CREATE UNIQUE INDEX uq_users_email ON users (email);
CREATE UNIQUE INDEX uq_users_scaikey_user_id ON users (scaikey_user_id);
CREATE INDEX ix_users_tenant_email ON users (tenant_id, email);

-- active_name is the name while the zone is not deleted, else NULL: the unique index then
-- allows one live zone per name and tenant while soft-deleted copies of it wait for purge.
CREATE TABLE zones (
    id                   TEXT    NOT NULL PRIMARY KEY,
    tenant_id            TEXT    NOT NULL,
    name                 TEXT    NOT NULL,
    active_name          TEXT    GENERATED ALWAYS AS (CASE WHEN status <> 'deleted' THEN name END) VIRTUAL,
    domain_type          TEXT    NOT NULL,
    status               TEXT    NOT NULL,
    status_before_delete TEXT    NULL,
    default_ttl          INTEGER NOT NULL,
    description          TEXT    NULL,
    settings             TEXT    NOT NULL,
    dnssec_enabled       BOOLEAN NOT NULL DEFAULT 0,
    generation           INTEGER NOT NULL,
    sync_status          TEXT    NOT NULL,
    sync_error           TEXT    NULL,
    last_synced_at       TEXT    NULL,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL,
    deleted_at           TEXT    NULL
);
CREATE UNIQUE INDEX uq_zones_active_name ON zones (tenant_id, active_name);
CREATE INDEX ix_zones_name ON zones (name);
CREATE INDEX ix_zones_status ON zones (status, name);

-- content_hash (SHA-256 hex of the canonical content) keeps the unique key the same as on
-- MySQL, where TEXT cannot be part of one.
CREATE TABLE records (
    id           TEXT    NOT NULL PRIMARY KEY,
    zone_id      TEXT    NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    rtype        TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    ttl          INTEGER NOT NULL,
    disabled     BOOLEAN NOT NULL DEFAULT 0,
    is_system    BOOLEAN NOT NULL DEFAULT 0,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE UNIQUE INDEX uq_records_content_hash ON records (zone_id, name, rtype, content_hash);

CREATE TABLE validations (
    id              TEXT NOT NULL PRIMARY KEY,
    zone_id         TEXT NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    validation_type TEXT NOT NULL,
    status          TEXT NOT NULL,
    token           TEXT NOT NULL,
    last_message    TEXT NULL,
    checked_at      TEXT NULL,
    expires_at      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX ix_validations_zone ON validations (zone_id, created_at);
CREATE INDEX ix_validations_status ON validations (status, created_at);

CREATE TABLE api_keys (
    id                   TEXT    NOT NULL PRIMARY KEY,
    tenant_id            TEXT    NOT NULL,
    name                 TEXT    NOT NULL,
    description          TEXT    NULL,
    key_prefix           TEXT    NOT NULL,
    key_hash             TEXT    NOT NULL,
    status               TEXT    NOT NULL,
    permission_source    TEXT    NOT NULL,
    permission_source_id TEXT    NOT NULL,
    scopes               TEXT    NOT NULL,
    rate_limit           INTEGER NULL,
    ip_whitelist         TEXT    NOT NULL,
    expires_at           TEXT    NULL,
    last_used_at         TEXT    NULL,
    last_used_ip         TEXT    NULL,
    use_count            INTEGER NOT NULL DEFAULT 0,
    created_by           TEXT    NULL,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL
);
CREATE UNIQUE INDEX uq_api_keys_key_hash ON api_keys (key_hash);
CREATE INDEX ix_api_keys_tenant ON api_keys (tenant_id, created_at);
CREATE INDEX ix_api_keys_source ON api_keys (permission_source_id);

-- No foreign keys: the log must outlive what it describes.
CREATE TABLE audit_events (
    id            TEXT NOT NULL PRIMARY KEY,
    tenant_id     TEXT NULL,
    actor_type    TEXT NOT NULL,
    actor_id      TEXT NULL,
    actor_email   TEXT NULL,
    action        TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NULL,
    resource_name TEXT NULL,
    before_state  TEXT NULL,
    after_state   TEXT NULL,
    ip_address    TEXT NULL,
    user_agent    TEXT NULL,
    request_id    TEXT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX ix_audit_created ON audit_events (created_at, id);
CREATE INDEX ix_audit_tenant ON audit_events (tenant_id, created_at);
CREATE INDEX ix_audit_resource ON audit_events (resource_type, resource_id);
CREATE INDEX ix_audit_actor ON audit_events (actor_id);
CREATE INDEX ix_audit_action ON audit_events (action);

CREATE TABLE settings (
    setting_key   TEXT NOT NULL PRIMARY KEY,
    setting_value TEXT NOT NULL
);
