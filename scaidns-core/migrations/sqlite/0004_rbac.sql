-- RBAC, version 4 (mirrors migrations/mysql/0004_rbac.sql): roles, role assignments and access
-- grants (spec api-identity §6-7). tenant_key is the owning tenant's id, or '' for the system
-- roles, so one unique index covers both (NULLs would not collide). scope_key is the scope's id,
-- or '' at platform scope, for the same reason. The system roles are seeded here with fixed ids;
-- their permission sets equal scaidns_core::rbac::SYSTEM_ROLES (the store contract suite checks).

CREATE TABLE roles (
    id          TEXT    NOT NULL PRIMARY KEY,
    tenant_key  TEXT    NOT NULL,
    tenant_id   TEXT    NULL,
    name        TEXT    NOT NULL,
    description TEXT    NULL,
    is_system   BOOLEAN NOT NULL DEFAULT 0,
    permissions TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE UNIQUE INDEX uq_roles_tenant_name ON roles (tenant_key, name);

CREATE TABLE role_assignments (
    id           TEXT NOT NULL PRIMARY KEY,
    role_id      TEXT NOT NULL REFERENCES roles (id),
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    scope_type   TEXT NOT NULL,
    scope_key    TEXT NOT NULL,
    tenant_id    TEXT NOT NULL,
    created_by   TEXT NULL,
    created_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX uq_role_assignments ON role_assignments (role_id, subject_type, subject_id, scope_type, scope_key);
CREATE INDEX ix_role_assignments_subject ON role_assignments (subject_type, subject_id);

CREATE TABLE access_grants (
    id             TEXT NOT NULL PRIMARY KEY,
    zone_id        TEXT NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    tenant_id      TEXT NOT NULL,
    subject_type   TEXT NOT NULL,
    subject_id     TEXT NOT NULL,
    role_id        TEXT NOT NULL REFERENCES roles (id),
    record_pattern TEXT NULL,
    record_types   TEXT NOT NULL,
    expires_at     TEXT NULL,
    notes          TEXT NULL,
    created_by     TEXT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX ix_access_grants_subject ON access_grants (subject_type, subject_id);
CREATE INDEX ix_access_grants_zone ON access_grants (zone_id, created_at);

INSERT INTO roles (id, tenant_key, tenant_id, name, description, is_system, permissions, created_at, updated_at) VALUES
    ('00000000-0000-0000-0000-000000000001', '', NULL, 'platform_admin', 'Everything, in every tenant: tenants, platform settings, cross-tenant audit', 1, '["*"]', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('00000000-0000-0000-0000-000000000002', '', NULL, 'tenant_admin', 'Everything inside one tenant: zones, records, DNSSEC, grants, users, groups, roles, API keys, audit', 1, '["domains:*","records:*","dnssec:*","access_grants:*","api_keys:*","roles:*","users:*","groups:*","audit:read","templates:*"]', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('00000000-0000-0000-0000-000000000003', '', NULL, 'domain_admin', 'Full control of one zone: records, DNSSEC, access grants', 1, '["domains:read","domains:update","domains:delete","records:*","dnssec:*","access_grants:*"]', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('00000000-0000-0000-0000-000000000004', '', NULL, 'domain_manager', 'Record management; no DNSSEC changes, no further delegation', 1, '["domains:read","records:*","dnssec:read"]', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('00000000-0000-0000-0000-000000000005', '', NULL, 'record_editor', 'Create and modify records; no delete', 1, '["domains:read","records:read","records:create","records:update","dnssec:read"]', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('00000000-0000-0000-0000-000000000006', '', NULL, 'read_only', 'Read only', 1, '["domains:read","records:read","dnssec:read","access_grants:read"]', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('00000000-0000-0000-0000-000000000007', '', NULL, 'validation_bypass', 'Create zones that skip ownership validation (trusted internal use)', 1, '["validation_bypass"]', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z');
