-- Zone history (issue 14 item 4): one row per generation step of a zone, written in the
-- step's transaction; `changes` is the RRset-level change set as JSON text.
CREATE TABLE zone_history (
    zone_id     TEXT    NOT NULL,
    generation  INTEGER NOT NULL,
    tenant_id   TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    actor_type  TEXT    NOT NULL,
    actor_id    TEXT    NULL,
    actor_email TEXT    NULL,
    request_id  TEXT    NULL,
    created_at  TEXT    NOT NULL,
    changes     TEXT    NOT NULL,
    PRIMARY KEY (zone_id, generation)
);
CREATE INDEX ix_zone_history_created ON zone_history (created_at);
