-- RBAC for PostgreSQL, version 4: roles, role assignments and access grants (spec
-- api-identity §6-7). tenant_key is the owning tenant's id, or '' for the system roles, so one
-- unique key covers both (NULLs would not collide). scope_key is the scope's id, or '' at
-- platform scope, for the same reason. The system roles are seeded here with fixed ids; their
-- permission sets equal scaidns_core::rbac::SYSTEM_ROLES (the store contract suite checks).

CREATE TABLE roles (
    id          VARCHAR(36) COLLATE "C"     NOT NULL,
    tenant_key  VARCHAR(36) COLLATE "C"  NOT NULL,
    tenant_id   VARCHAR(36) COLLATE "C"     NULL,
    name        VARCHAR(64) COLLATE "C"  NOT NULL,
    description TEXT COLLATE "C"         NULL,
    is_system   BOOLEAN      NOT NULL DEFAULT FALSE,
    permissions TEXT COLLATE "C"         NOT NULL,
    created_at  TIMESTAMPTZ  NOT NULL,
    updated_at  TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_roles_tenant_name UNIQUE (tenant_key, name)
);

CREATE TABLE role_assignments (
    id           VARCHAR(36) COLLATE "C"    NOT NULL,
    role_id      VARCHAR(36) COLLATE "C"    NOT NULL,
    subject_type VARCHAR(16) COLLATE "C" NOT NULL,
    subject_id   VARCHAR(36) COLLATE "C"    NOT NULL,
    scope_type   VARCHAR(16) COLLATE "C" NOT NULL,
    scope_key    VARCHAR(36) COLLATE "C" NOT NULL,
    tenant_id    VARCHAR(36) COLLATE "C"    NOT NULL,
    created_by   VARCHAR(36) COLLATE "C"    NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_role_assignments UNIQUE (role_id, subject_type, subject_id, scope_type, scope_key),
    CONSTRAINT fk_role_assignments_role FOREIGN KEY (role_id) REFERENCES roles (id)
);
CREATE INDEX ix_role_assignments_subject ON role_assignments (subject_type, subject_id);

CREATE TABLE access_grants (
    id             VARCHAR(36) COLLATE "C"     NOT NULL,
    zone_id        VARCHAR(36) COLLATE "C"     NOT NULL,
    tenant_id      VARCHAR(36) COLLATE "C"     NOT NULL,
    subject_type   VARCHAR(16) COLLATE "C"  NOT NULL,
    subject_id     VARCHAR(36) COLLATE "C"     NOT NULL,
    role_id        VARCHAR(36) COLLATE "C"     NOT NULL,
    record_pattern VARCHAR(255) COLLATE "C" NULL,
    record_types   TEXT COLLATE "C"         NOT NULL,
    expires_at     TIMESTAMPTZ  NULL,
    notes          TEXT COLLATE "C"         NULL,
    created_by     VARCHAR(36) COLLATE "C"     NULL,
    created_at     TIMESTAMPTZ  NOT NULL,
    updated_at     TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT fk_access_grants_zone FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE,
    CONSTRAINT fk_access_grants_role FOREIGN KEY (role_id) REFERENCES roles (id)
);
CREATE INDEX ix_access_grants_subject ON access_grants (subject_type, subject_id);
CREATE INDEX ix_access_grants_zone ON access_grants (zone_id, created_at);

INSERT INTO roles (id, tenant_key, tenant_id, name, description, is_system, permissions, created_at, updated_at) VALUES
    ('00000000-0000-0000-0000-000000000001', '', NULL, 'platform_admin', 'Everything, in every tenant: tenants, platform settings, cross-tenant audit', TRUE, '["*"]', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00'),
    ('00000000-0000-0000-0000-000000000002', '', NULL, 'tenant_admin', 'Everything inside one tenant: zones, records, DNSSEC, grants, users, groups, roles, API keys, audit', TRUE, '["domains:*","records:*","dnssec:*","access_grants:*","api_keys:*","roles:*","users:*","groups:*","audit:read","templates:*"]', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00'),
    ('00000000-0000-0000-0000-000000000003', '', NULL, 'domain_admin', 'Full control of one zone: records, DNSSEC, access grants', TRUE, '["domains:read","domains:update","domains:delete","records:*","dnssec:*","access_grants:*"]', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00'),
    ('00000000-0000-0000-0000-000000000004', '', NULL, 'domain_manager', 'Record management; no DNSSEC changes, no further delegation', TRUE, '["domains:read","records:*","dnssec:read"]', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00'),
    ('00000000-0000-0000-0000-000000000005', '', NULL, 'record_editor', 'Create and modify records; no delete', TRUE, '["domains:read","records:read","records:create","records:update","dnssec:read"]', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00'),
    ('00000000-0000-0000-0000-000000000006', '', NULL, 'read_only', 'Read only', TRUE, '["domains:read","records:read","dnssec:read","access_grants:read"]', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00'),
    ('00000000-0000-0000-0000-000000000007', '', NULL, 'validation_bypass', 'Create zones that skip ownership validation (trusted internal use)', TRUE, '["validation_bypass"]', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00');
