-- RBAC for MariaDB/MySQL, version 4: roles, role assignments and access grants (spec
-- api-identity §6-7). tenant_key is the owning tenant's id, or '' for the system roles, so one
-- unique key covers both (NULLs would not collide). scope_key is the scope's id, or '' at
-- platform scope, for the same reason. The system roles are seeded here with fixed ids; their
-- permission sets equal scaidns_core::rbac::SYSTEM_ROLES (the store contract suite checks).

CREATE TABLE roles (
    id          CHAR(36)     NOT NULL,
    tenant_key  VARCHAR(36)  NOT NULL,
    tenant_id   CHAR(36)     NULL,
    name        VARCHAR(64)  NOT NULL,
    description TEXT         NULL,
    is_system   BOOLEAN      NOT NULL DEFAULT FALSE,
    permissions TEXT         NOT NULL,
    created_at  DATETIME(6)  NOT NULL,
    updated_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_roles_tenant_name (tenant_key, name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE role_assignments (
    id           CHAR(36)    NOT NULL,
    role_id      CHAR(36)    NOT NULL,
    subject_type VARCHAR(16) NOT NULL,
    subject_id   CHAR(36)    NOT NULL,
    scope_type   VARCHAR(16) NOT NULL,
    scope_key    VARCHAR(36) NOT NULL,
    tenant_id    CHAR(36)    NOT NULL,
    created_by   CHAR(36)    NULL,
    created_at   DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_role_assignments (role_id, subject_type, subject_id, scope_type, scope_key),
    KEY ix_role_assignments_subject (subject_type, subject_id),
    CONSTRAINT fk_role_assignments_role FOREIGN KEY (role_id) REFERENCES roles (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE access_grants (
    id             CHAR(36)     NOT NULL,
    zone_id        CHAR(36)     NOT NULL,
    tenant_id      CHAR(36)     NOT NULL,
    subject_type   VARCHAR(16)  NOT NULL,
    subject_id     CHAR(36)     NOT NULL,
    role_id        CHAR(36)     NOT NULL,
    record_pattern VARCHAR(255) NULL,
    record_types   TEXT         NOT NULL,
    expires_at     DATETIME(6)  NULL,
    notes          TEXT         NULL,
    created_by     CHAR(36)     NULL,
    created_at     DATETIME(6)  NOT NULL,
    updated_at     DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_access_grants_subject (subject_type, subject_id),
    KEY ix_access_grants_zone (zone_id, created_at),
    CONSTRAINT fk_access_grants_zone FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE,
    CONSTRAINT fk_access_grants_role FOREIGN KEY (role_id) REFERENCES roles (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

INSERT INTO roles (id, tenant_key, tenant_id, name, description, is_system, permissions, created_at, updated_at) VALUES
    ('00000000-0000-0000-0000-000000000001', '', NULL, 'platform_admin', 'Everything, in every tenant: tenants, platform settings, cross-tenant audit', 1, '["*"]', '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000'),
    ('00000000-0000-0000-0000-000000000002', '', NULL, 'tenant_admin', 'Everything inside one tenant: zones, records, DNSSEC, grants, users, groups, roles, API keys, audit', 1, '["domains:*","records:*","dnssec:*","access_grants:*","api_keys:*","roles:*","users:*","groups:*","audit:read","templates:*"]', '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000'),
    ('00000000-0000-0000-0000-000000000003', '', NULL, 'domain_admin', 'Full control of one zone: records, DNSSEC, access grants', 1, '["domains:read","domains:update","domains:delete","records:*","dnssec:*","access_grants:*"]', '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000'),
    ('00000000-0000-0000-0000-000000000004', '', NULL, 'domain_manager', 'Record management; no DNSSEC changes, no further delegation', 1, '["domains:read","records:*","dnssec:read"]', '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000'),
    ('00000000-0000-0000-0000-000000000005', '', NULL, 'record_editor', 'Create and modify records; no delete', 1, '["domains:read","records:read","records:create","records:update","dnssec:read"]', '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000'),
    ('00000000-0000-0000-0000-000000000006', '', NULL, 'read_only', 'Read only', 1, '["domains:read","records:read","dnssec:read","access_grants:read"]', '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000'),
    ('00000000-0000-0000-0000-000000000007', '', NULL, 'validation_bypass', 'Create zones that skip ownership validation (trusted internal use)', 1, '["validation_bypass"]', '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000');
