-- RFC 2317 classless delegations (issue 10): the owner of a live /24 reverse zone lends a range of
-- it (a /25-/32, `cidr`) to another tenant, which may then create the classless zone inside it.
-- The claim check reads these rows when a zone would overlap another tenant's live zone.
-- Removed with the parent zone (purge) or by revocation.
CREATE TABLE classless_delegations (
    id               VARCHAR(36) COLLATE "C" NOT NULL,
    parent_zone_id   VARCHAR(36) COLLATE "C" NOT NULL,
    parent_tenant_id VARCHAR(36) COLLATE "C" NOT NULL,
    tenant_id        VARCHAR(36) COLLATE "C" NOT NULL,
    cidr             VARCHAR(43) COLLATE "C" NOT NULL,
    created_at       TIMESTAMPTZ             NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_classless_delegations_range UNIQUE (parent_zone_id, cidr)
);
CREATE INDEX ix_classless_delegations_tenant ON classless_delegations (tenant_id);
