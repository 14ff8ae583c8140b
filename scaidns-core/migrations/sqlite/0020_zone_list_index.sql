-- A tenant's zone list in the listing's order (`ORDER BY name, id`), with the status its filter
-- tests: a page of a tenant is then a walk of this index (no sort of the whole tenant per page)
-- and its count reads the index alone. At 10,000 zones a page took ~14 ms, sorting every zone
-- of the tenant each time (docs/decisions.md, "Idle memory, memory after load and the
-- 10,000-zone list").
CREATE INDEX ix_zones_tenant_name ON zones (tenant_id, name, id, status);
