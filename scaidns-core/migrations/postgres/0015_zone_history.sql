-- Zone history (issue 14 item 4): one row per generation step of a zone, written in the
-- step's transaction; `changes` is the RRset-level change set as JSON text.
CREATE TABLE zone_history (
    zone_id     VARCHAR(36) COLLATE "C"  NOT NULL,
    generation  BIGINT                   NOT NULL,
    tenant_id   VARCHAR(36) COLLATE "C"  NOT NULL,
    action      VARCHAR(64) COLLATE "C"  NOT NULL,
    actor_type  VARCHAR(16) COLLATE "C"  NOT NULL,
    actor_id    VARCHAR(191) COLLATE "C" NULL,
    actor_email VARCHAR(320) COLLATE "C" NULL,
    request_id  VARCHAR(191) COLLATE "C" NULL,
    created_at  TIMESTAMPTZ              NOT NULL,
    changes     TEXT COLLATE "C"         NOT NULL,
    PRIMARY KEY (zone_id, generation)
);
CREATE INDEX ix_zone_history_created ON zone_history (created_at);
