-- RFC 2317 classless delegations (issue 10): the owner of a live /24 reverse zone lends a range of
-- it (a /25-/32, `cidr`) to another tenant, which may then create the classless zone inside it.
-- The claim check reads these rows when a zone would overlap another tenant's live zone.
-- Removed with the parent zone (purge) or by revocation.
CREATE TABLE classless_delegations (
    id              TEXT NOT NULL PRIMARY KEY,
    parent_zone_id  TEXT NOT NULL,
    parent_tenant_id TEXT NOT NULL,
    tenant_id       TEXT NOT NULL,
    cidr            TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX uq_classless_delegations_range ON classless_delegations (parent_zone_id, cidr);
CREATE INDEX ix_classless_delegations_tenant ON classless_delegations (tenant_id);
