-- ScaiDNS schema for PostgreSQL, version 1.
-- Ids are UUID text; timestamps TIMESTAMPTZ in UTC (microseconds round-trip); JSON as TEXT so
-- the same values work on SQLite. COLLATE "C" makes comparisons and ORDER BY byte-wise, as on
-- SQLite and MariaDB's utf8mb4_bin, whatever the database's locale, so the engines sort and match
-- alike; case-insensitive search lowercases explicitly. Integers are BIGINT (the code reads i64).
-- tenant_id columns carry no foreign key: tenants are a cache of the identity provider and a
-- token may name a tenant before it is cached.

CREATE TABLE tenants (
    id                VARCHAR(36) COLLATE "C"     NOT NULL,
    name              VARCHAR(255) COLLATE "C" NOT NULL,
    slug              VARCHAR(191) COLLATE "C" NOT NULL,
    scaikey_tenant_id VARCHAR(191) COLLATE "C" NULL,
    status            VARCHAR(32) COLLATE "C"  NOT NULL,
    is_platform       BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at        TIMESTAMPTZ  NOT NULL,
    updated_at        TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_tenants_slug UNIQUE (slug),
    CONSTRAINT uq_tenants_scaikey_tenant_id UNIQUE (scaikey_tenant_id)
);
CREATE INDEX ix_tenants_name ON tenants (name);

CREATE TABLE users (
    id                VARCHAR(36) COLLATE "C"     NOT NULL,
    tenant_id         VARCHAR(36) COLLATE "C"     NOT NULL,
    email             VARCHAR(255) COLLATE "C" NOT NULL,
    first_name        VARCHAR(255) COLLATE "C" NULL,
    last_name         VARCHAR(255) COLLATE "C" NULL,
    scaikey_user_id   VARCHAR(191) COLLATE "C" NULL,
    status            VARCHAR(32) COLLATE "C"  NOT NULL,
    is_platform_admin BOOLEAN      NOT NULL DEFAULT FALSE,
    is_tenant_admin   BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at        TIMESTAMPTZ  NOT NULL,
    updated_at        TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_users_email UNIQUE (email),
    CONSTRAINT uq_users_scaikey_user_id UNIQUE (scaikey_user_id)
);
CREATE INDEX ix_users_tenant_email ON users (tenant_id, email);

-- active_name is the name while the zone is not deleted, else NULL: the unique key then allows
-- one live zone per name and tenant while soft-deleted copies of it wait for purge.
CREATE TABLE zones (
    id                   VARCHAR(36) COLLATE "C"     NOT NULL,
    tenant_id            VARCHAR(36) COLLATE "C"     NOT NULL,
    name                 VARCHAR(255) COLLATE "C" NOT NULL,
    active_name          VARCHAR(255) COLLATE "C" GENERATED ALWAYS AS (CASE WHEN status <> 'deleted' THEN name END) STORED,
    domain_type          VARCHAR(32) COLLATE "C"  NOT NULL,
    status               VARCHAR(32) COLLATE "C"  NOT NULL,
    status_before_delete VARCHAR(32) COLLATE "C"  NULL,
    default_ttl          BIGINT       NOT NULL,
    description          TEXT COLLATE "C"         NULL,
    settings             TEXT COLLATE "C"   NOT NULL,
    dnssec_enabled       BOOLEAN      NOT NULL DEFAULT FALSE,
    generation           BIGINT       NOT NULL,
    sync_status          VARCHAR(16) COLLATE "C"  NOT NULL,
    sync_error           TEXT COLLATE "C"         NULL,
    last_synced_at       TIMESTAMPTZ  NULL,
    created_at           TIMESTAMPTZ  NOT NULL,
    updated_at           TIMESTAMPTZ  NOT NULL,
    deleted_at           TIMESTAMPTZ  NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_zones_active_name UNIQUE (tenant_id, active_name)
);
CREATE INDEX ix_zones_name ON zones (name);
CREATE INDEX ix_zones_status ON zones (status, name);

-- content_hash (SHA-256 hex of the canonical content) stands in for the content in the unique
-- key, which TEXT cannot be part of.
CREATE TABLE records (
    id           VARCHAR(36) COLLATE "C"     NOT NULL,
    zone_id      VARCHAR(36) COLLATE "C"     NOT NULL,
    name         VARCHAR(255) COLLATE "C" NOT NULL,
    rtype        VARCHAR(16) COLLATE "C"  NOT NULL,
    content      TEXT COLLATE "C"         NOT NULL,
    content_hash VARCHAR(64) COLLATE "C" NOT NULL,
    ttl          BIGINT       NOT NULL,
    disabled     BOOLEAN      NOT NULL DEFAULT FALSE,
    is_system    BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at   TIMESTAMPTZ  NOT NULL,
    updated_at   TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_records_content_hash UNIQUE (zone_id, name, rtype, content_hash),
    CONSTRAINT fk_records_zone FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
);

CREATE TABLE validations (
    id              VARCHAR(36) COLLATE "C"     NOT NULL,
    zone_id         VARCHAR(36) COLLATE "C"     NOT NULL,
    validation_type VARCHAR(32) COLLATE "C"  NOT NULL,
    status          VARCHAR(32) COLLATE "C"  NOT NULL,
    token           VARCHAR(255) COLLATE "C" NOT NULL,
    last_message    TEXT COLLATE "C"         NULL,
    checked_at      TIMESTAMPTZ  NULL,
    expires_at      TIMESTAMPTZ  NOT NULL,
    created_at      TIMESTAMPTZ  NOT NULL,
    updated_at      TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT fk_validations_zone FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
);
CREATE INDEX ix_validations_zone ON validations (zone_id, created_at);
CREATE INDEX ix_validations_status ON validations (status, created_at);

CREATE TABLE api_keys (
    id                   VARCHAR(36) COLLATE "C"     NOT NULL,
    tenant_id            VARCHAR(36) COLLATE "C"     NOT NULL,
    name                 VARCHAR(255) COLLATE "C" NOT NULL,
    description          TEXT COLLATE "C"         NULL,
    key_prefix           VARCHAR(32) COLLATE "C"  NOT NULL,
    key_hash             VARCHAR(128) COLLATE "C" NOT NULL,
    status               VARCHAR(16) COLLATE "C"  NOT NULL,
    permission_source    VARCHAR(16) COLLATE "C"  NOT NULL,
    permission_source_id VARCHAR(64) COLLATE "C"  NOT NULL,
    scopes               TEXT COLLATE "C"         NOT NULL,
    rate_limit           BIGINT       NULL,
    ip_whitelist         TEXT COLLATE "C"         NOT NULL,
    expires_at           TIMESTAMPTZ  NULL,
    last_used_at         TIMESTAMPTZ  NULL,
    last_used_ip         VARCHAR(64) COLLATE "C"  NULL,
    use_count            BIGINT       NOT NULL DEFAULT 0,
    created_by           VARCHAR(36) COLLATE "C"     NULL,
    created_at           TIMESTAMPTZ  NOT NULL,
    updated_at           TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_api_keys_key_hash UNIQUE (key_hash)
);
CREATE INDEX ix_api_keys_tenant ON api_keys (tenant_id, created_at);
CREATE INDEX ix_api_keys_source ON api_keys (permission_source_id);

-- No foreign keys: the log must outlive what it describes.
CREATE TABLE audit_events (
    id            VARCHAR(36) COLLATE "C"     NOT NULL,
    tenant_id     VARCHAR(36) COLLATE "C"     NULL,
    actor_type    VARCHAR(16) COLLATE "C"  NOT NULL,
    actor_id      VARCHAR(255) COLLATE "C" NULL,
    actor_email   VARCHAR(255) COLLATE "C" NULL,
    action        VARCHAR(128) COLLATE "C" NOT NULL,
    resource_type VARCHAR(64) COLLATE "C"  NOT NULL,
    resource_id   VARCHAR(255) COLLATE "C" NULL,
    resource_name VARCHAR(255) COLLATE "C" NULL,
    before_state  TEXT COLLATE "C"   NULL,
    after_state   TEXT COLLATE "C"   NULL,
    ip_address    VARCHAR(64) COLLATE "C"  NULL,
    user_agent    TEXT COLLATE "C"         NULL,
    request_id    VARCHAR(128) COLLATE "C" NULL,
    created_at    TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX ix_audit_created ON audit_events (created_at, id);
CREATE INDEX ix_audit_tenant ON audit_events (tenant_id, created_at);
CREATE INDEX ix_audit_resource ON audit_events (resource_type, resource_id);
CREATE INDEX ix_audit_actor ON audit_events (actor_id);
CREATE INDEX ix_audit_action ON audit_events (action);

CREATE TABLE settings (
    setting_key   VARCHAR(191) COLLATE "C" NOT NULL,
    setting_value TEXT COLLATE "C"   NOT NULL,
    PRIMARY KEY (setting_key)
);
