-- ScaiDNS schema for MariaDB/MySQL, version 1.
-- Ids are UUID text; timestamps DATETIME(6) in UTC (microseconds round-trip); JSON as TEXT so
-- the same values work on SQLite. utf8mb4_bin makes comparisons and ORDER BY byte-wise, as on
-- SQLite, so both engines sort and match alike; case-insensitive search lowercases explicitly.
-- tenant_id columns carry no foreign key: tenants are a cache of the identity provider and a
-- token may name a tenant before it is cached.

CREATE TABLE tenants (
    id                CHAR(36)     NOT NULL,
    name              VARCHAR(255) NOT NULL,
    slug              VARCHAR(191) NOT NULL,
    scaikey_tenant_id VARCHAR(191) NULL,
    status            VARCHAR(32)  NOT NULL,
    is_platform       BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at        DATETIME(6)  NOT NULL,
    updated_at        DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_tenants_slug (slug),
    UNIQUE KEY uq_tenants_scaikey_tenant_id (scaikey_tenant_id),
    KEY ix_tenants_name (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE users (
    id                CHAR(36)     NOT NULL,
    tenant_id         CHAR(36)     NOT NULL,
    email             VARCHAR(255) NOT NULL,
    first_name        VARCHAR(255) NULL,
    last_name         VARCHAR(255) NULL,
    scaikey_user_id   VARCHAR(191) NULL,
    status            VARCHAR(32)  NOT NULL,
    is_platform_admin BOOLEAN      NOT NULL DEFAULT FALSE,
    is_tenant_admin   BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at        DATETIME(6)  NOT NULL,
    updated_at        DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_users_email (email),
    UNIQUE KEY uq_users_scaikey_user_id (scaikey_user_id),
    KEY ix_users_tenant_email (tenant_id, email)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- active_name is the name while the zone is not deleted, else NULL: the unique key then allows
-- one live zone per name and tenant while soft-deleted copies of it wait for purge.
CREATE TABLE zones (
    id                   CHAR(36)     NOT NULL,
    tenant_id            CHAR(36)     NOT NULL,
    name                 VARCHAR(255) NOT NULL,
    active_name          VARCHAR(255) GENERATED ALWAYS AS (CASE WHEN status <> 'deleted' THEN name END) STORED,
    domain_type          VARCHAR(32)  NOT NULL,
    status               VARCHAR(32)  NOT NULL,
    status_before_delete VARCHAR(32)  NULL,
    default_ttl          BIGINT       NOT NULL,
    description          TEXT         NULL,
    settings             MEDIUMTEXT   NOT NULL,
    dnssec_enabled       BOOLEAN      NOT NULL DEFAULT FALSE,
    generation           BIGINT       NOT NULL,
    sync_status          VARCHAR(16)  NOT NULL,
    sync_error           TEXT         NULL,
    last_synced_at       DATETIME(6)  NULL,
    created_at           DATETIME(6)  NOT NULL,
    updated_at           DATETIME(6)  NOT NULL,
    deleted_at           DATETIME(6)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_zones_active_name (tenant_id, active_name),
    KEY ix_zones_name (name),
    KEY ix_zones_status (status, name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- content_hash (SHA-256 hex of the canonical content) stands in for the content in the unique
-- key, which TEXT cannot be part of.
CREATE TABLE records (
    id           CHAR(36)     NOT NULL,
    zone_id      CHAR(36)     NOT NULL,
    name         VARCHAR(255) NOT NULL,
    rtype        VARCHAR(16)  NOT NULL,
    content      TEXT         NOT NULL,
    content_hash CHAR(64)     NOT NULL,
    ttl          BIGINT       NOT NULL,
    disabled     BOOLEAN      NOT NULL DEFAULT FALSE,
    is_system    BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at   DATETIME(6)  NOT NULL,
    updated_at   DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_records_content_hash (zone_id, name, rtype, content_hash),
    CONSTRAINT fk_records_zone FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE validations (
    id              CHAR(36)     NOT NULL,
    zone_id         CHAR(36)     NOT NULL,
    validation_type VARCHAR(32)  NOT NULL,
    status          VARCHAR(32)  NOT NULL,
    token           VARCHAR(255) NOT NULL,
    last_message    TEXT         NULL,
    checked_at      DATETIME(6)  NULL,
    expires_at      DATETIME(6)  NOT NULL,
    created_at      DATETIME(6)  NOT NULL,
    updated_at      DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_validations_zone (zone_id, created_at),
    KEY ix_validations_status (status, created_at),
    CONSTRAINT fk_validations_zone FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE api_keys (
    id                   CHAR(36)     NOT NULL,
    tenant_id            CHAR(36)     NOT NULL,
    name                 VARCHAR(255) NOT NULL,
    description          TEXT         NULL,
    key_prefix           VARCHAR(32)  NOT NULL,
    key_hash             VARCHAR(128) NOT NULL,
    status               VARCHAR(16)  NOT NULL,
    permission_source    VARCHAR(16)  NOT NULL,
    permission_source_id VARCHAR(64)  NOT NULL,
    scopes               TEXT         NOT NULL,
    rate_limit           BIGINT       NULL,
    ip_whitelist         TEXT         NOT NULL,
    expires_at           DATETIME(6)  NULL,
    last_used_at         DATETIME(6)  NULL,
    last_used_ip         VARCHAR(64)  NULL,
    use_count            BIGINT       NOT NULL DEFAULT 0,
    created_by           CHAR(36)     NULL,
    created_at           DATETIME(6)  NOT NULL,
    updated_at           DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_api_keys_key_hash (key_hash),
    KEY ix_api_keys_tenant (tenant_id, created_at),
    KEY ix_api_keys_source (permission_source_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- No foreign keys: the log must outlive what it describes.
CREATE TABLE audit_events (
    id            CHAR(36)     NOT NULL,
    tenant_id     CHAR(36)     NULL,
    actor_type    VARCHAR(16)  NOT NULL,
    actor_id      VARCHAR(255) NULL,
    actor_email   VARCHAR(255) NULL,
    action        VARCHAR(128) NOT NULL,
    resource_type VARCHAR(64)  NOT NULL,
    resource_id   VARCHAR(255) NULL,
    resource_name VARCHAR(255) NULL,
    before_state  MEDIUMTEXT   NULL,
    after_state   MEDIUMTEXT   NULL,
    ip_address    VARCHAR(64)  NULL,
    user_agent    TEXT         NULL,
    request_id    VARCHAR(128) NULL,
    created_at    DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_audit_created (created_at, id),
    KEY ix_audit_tenant (tenant_id, created_at),
    KEY ix_audit_resource (resource_type, resource_id),
    KEY ix_audit_actor (actor_id),
    KEY ix_audit_action (action)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE settings (
    setting_key   VARCHAR(191) NOT NULL,
    setting_value MEDIUMTEXT   NOT NULL,
    PRIMARY KEY (setting_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
