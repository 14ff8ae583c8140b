-- Comments on RRsets (PowerDNS's `comments`, kept through the PowerDNS-compatible API): per zone,
-- owner name (as `records.name`) and type, in order (`position`). Written in the transaction of
-- the RRset's change; the comments of an RRset left without a record go in the same transaction.
CREATE TABLE rrset_comments (
    zone_id     VARCHAR(36) COLLATE "C"  NOT NULL,
    name        VARCHAR(255) COLLATE "C" NOT NULL,
    rtype       VARCHAR(16) COLLATE "C"  NOT NULL,
    position    BIGINT                   NOT NULL,
    content     TEXT COLLATE "C"         NOT NULL,
    account     VARCHAR(40) COLLATE "C"  NOT NULL,
    modified_at BIGINT                   NOT NULL,
    PRIMARY KEY (zone_id, name, rtype, position),
    CONSTRAINT fk_rrset_comments_zone FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
);
