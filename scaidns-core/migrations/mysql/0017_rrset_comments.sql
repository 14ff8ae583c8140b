-- Comments on RRsets (PowerDNS's `comments`, kept through the PowerDNS-compatible API): per zone,
-- owner name (as `records.name`) and type, in order (`position`). Written in the transaction of
-- the RRset's change; the comments of an RRset left without a record go in the same transaction.
-- `content` is TEXT (65,535 bytes) and `account` 40 characters, as in PowerDNS's own schema.
CREATE TABLE rrset_comments (
    zone_id     CHAR(36)     NOT NULL,
    name        VARCHAR(255) NOT NULL,
    rtype       VARCHAR(16)  NOT NULL,
    position    BIGINT       NOT NULL,
    content     TEXT         NOT NULL,
    account     VARCHAR(40)  NOT NULL,
    modified_at BIGINT       NOT NULL,
    PRIMARY KEY (zone_id, name, rtype, position),
    CONSTRAINT fk_rrset_comments_zone FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
