-- Zone history (issue 14 item 4): one row per generation step of a zone, written in the
-- step's transaction; `changes` is the RRset-level change set as JSON text.
CREATE TABLE zone_history (
    zone_id     CHAR(36)     NOT NULL,
    generation  BIGINT       NOT NULL,
    tenant_id   CHAR(36)     NOT NULL,
    action      VARCHAR(64)  NOT NULL,
    actor_type  VARCHAR(16)  NOT NULL,
    actor_id    VARCHAR(191) NULL,
    actor_email VARCHAR(320) NULL,
    request_id  VARCHAR(191) NULL,
    created_at  DATETIME(6)  NOT NULL,
    changes     LONGTEXT     NOT NULL,
    PRIMARY KEY (zone_id, generation),
    KEY ix_zone_history_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
