-- Comments on RRsets (PowerDNS's `comments`, kept through the PowerDNS-compatible API): per zone,
-- owner name (as `records.name`) and type, in order (`position`). Written in the transaction of
-- the RRset's change; the comments of an RRset left without a record go in the same transaction.
CREATE TABLE rrset_comments (
    zone_id     TEXT    NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    rtype       TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    content     TEXT    NOT NULL,
    account     TEXT    NOT NULL,
    modified_at INTEGER NOT NULL,
    PRIMARY KEY (zone_id, name, rtype, position)
);
