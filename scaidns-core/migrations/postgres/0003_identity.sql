-- Identity cache, version 3: partners, groups and their members as cached from the identity
-- provider, the partner of each tenant, and the ids of processed webhook events (interface
-- decision 20: a replay changes nothing).

CREATE TABLE partners (
    id                 VARCHAR(36) COLLATE "C"     NOT NULL,
    name               VARCHAR(255) COLLATE "C" NOT NULL,
    slug               VARCHAR(191) COLLATE "C" NULL,
    scaikey_partner_id VARCHAR(191) COLLATE "C" NOT NULL,
    status             VARCHAR(32) COLLATE "C"  NOT NULL,
    created_at         TIMESTAMPTZ  NOT NULL,
    updated_at         TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_partners_scaikey_partner_id UNIQUE (scaikey_partner_id)
);

ALTER TABLE tenants ADD COLUMN partner_id VARCHAR(36) COLLATE "C" NULL;

-- "groups" is a reserved word in MySQL 8 (the name is kept alike on every engine).
CREATE TABLE user_groups (
    id               VARCHAR(36) COLLATE "C"     NOT NULL,
    tenant_id        VARCHAR(36) COLLATE "C"     NOT NULL,
    name             VARCHAR(191) COLLATE "C" NOT NULL,
    description      TEXT COLLATE "C"         NULL,
    group_type       VARCHAR(32) COLLATE "C"  NOT NULL,
    scaikey_group_id VARCHAR(191) COLLATE "C" NULL,
    created_at       TIMESTAMPTZ  NOT NULL,
    updated_at       TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_user_groups_tenant_name UNIQUE (tenant_id, name),
    CONSTRAINT uq_user_groups_scaikey_group_id UNIQUE (scaikey_group_id)
);

CREATE TABLE group_members (
    group_id   VARCHAR(36) COLLATE "C"    NOT NULL,
    user_id    VARCHAR(36) COLLATE "C"    NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (group_id, user_id),
    CONSTRAINT fk_group_members_group FOREIGN KEY (group_id) REFERENCES user_groups (id)
        ON DELETE CASCADE
);
CREATE INDEX ix_group_members_user ON group_members (user_id);

CREATE TABLE webhook_events (
    event_id    VARCHAR(191) COLLATE "C" NOT NULL,
    event_type  VARCHAR(191) COLLATE "C" NOT NULL,
    received_at TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (event_id)
);
CREATE INDEX ix_webhook_events_received ON webhook_events (received_at);
