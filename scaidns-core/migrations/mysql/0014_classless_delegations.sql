-- RFC 2317 classless delegations (issue 10): the owner of a live /24 reverse zone lends a range of
-- it (a /25-/32, `cidr`) to another tenant, which may then create the classless zone inside it.
-- The claim check reads these rows when a zone would overlap another tenant's live zone.
-- Removed with the parent zone (purge) or by revocation.
CREATE TABLE classless_delegations (
    id               CHAR(36)    NOT NULL,
    parent_zone_id   CHAR(36)    NOT NULL,
    parent_tenant_id CHAR(36)    NOT NULL,
    tenant_id        CHAR(36)    NOT NULL,
    cidr             VARCHAR(43) NOT NULL,
    created_at       DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_classless_delegations_range (parent_zone_id, cidr),
    KEY ix_classless_delegations_tenant (tenant_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
