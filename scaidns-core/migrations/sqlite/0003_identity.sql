-- Identity cache, version 3 (mirrors migrations/mysql/0003_identity.sql): partners, groups and
-- their members as cached from the identity provider, the partner of each tenant, and the ids
-- of processed webhook events (interface decision 20: a replay changes nothing).

CREATE TABLE partners (
    id                 TEXT NOT NULL PRIMARY KEY,
    name               TEXT NOT NULL,
    slug               TEXT NULL,
    scaikey_partner_id TEXT NOT NULL,
    status             TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE UNIQUE INDEX uq_partners_scaikey_partner_id ON partners (scaikey_partner_id);

ALTER TABLE tenants ADD COLUMN partner_id TEXT NULL;

-- "groups" is a reserved word in MySQL 8.
CREATE TABLE user_groups (
    id               TEXT NOT NULL PRIMARY KEY,
    tenant_id        TEXT NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT NULL,
    group_type       TEXT NOT NULL,
    scaikey_group_id TEXT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX uq_user_groups_tenant_name ON user_groups (tenant_id, name);
CREATE UNIQUE INDEX uq_user_groups_scaikey_group_id ON user_groups (scaikey_group_id);

CREATE TABLE group_members (
    group_id   TEXT NOT NULL REFERENCES user_groups (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX ix_group_members_user ON group_members (user_id);

CREATE TABLE webhook_events (
    event_id    TEXT NOT NULL PRIMARY KEY,
    event_type  TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX ix_webhook_events_received ON webhook_events (received_at);
