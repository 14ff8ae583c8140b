-- Identity cache, version 3: partners, groups and their members as cached from the identity
-- provider, the partner of each tenant, and the ids of processed webhook events (interface
-- decision 20: a replay changes nothing).

CREATE TABLE partners (
    id                 CHAR(36)     NOT NULL,
    name               VARCHAR(255) NOT NULL,
    slug               VARCHAR(191) NULL,
    scaikey_partner_id VARCHAR(191) NOT NULL,
    status             VARCHAR(32)  NOT NULL,
    created_at         DATETIME(6)  NOT NULL,
    updated_at         DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_partners_scaikey_partner_id (scaikey_partner_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

ALTER TABLE tenants ADD COLUMN partner_id CHAR(36) NULL;

-- "groups" is a reserved word in MySQL 8.
CREATE TABLE user_groups (
    id               CHAR(36)     NOT NULL,
    tenant_id        CHAR(36)     NOT NULL,
    name             VARCHAR(191) NOT NULL,
    description      TEXT         NULL,
    group_type       VARCHAR(32)  NOT NULL,
    scaikey_group_id VARCHAR(191) NULL,
    created_at       DATETIME(6)  NOT NULL,
    updated_at       DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_user_groups_tenant_name (tenant_id, name),
    UNIQUE KEY uq_user_groups_scaikey_group_id (scaikey_group_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE group_members (
    group_id   CHAR(36)    NOT NULL,
    user_id    CHAR(36)    NOT NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (group_id, user_id),
    KEY ix_group_members_user (user_id),
    CONSTRAINT fk_group_members_group FOREIGN KEY (group_id) REFERENCES user_groups (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE webhook_events (
    event_id    VARCHAR(191) NOT NULL,
    event_type  VARCHAR(191) NOT NULL,
    received_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (event_id),
    KEY ix_webhook_events_received (received_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
