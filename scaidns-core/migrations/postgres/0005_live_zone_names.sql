-- One zone per name may be served: the backend knows zones by name only, so two active rows of
-- one name (two tenants validating at once, a restore racing a validation) would overwrite each
-- other there. live_name is the name while the zone is active, else NULL.
ALTER TABLE zones
    ADD COLUMN live_name VARCHAR(255) COLLATE "C" GENERATED ALWAYS AS (CASE WHEN status = 'active' THEN name END) STORED,
    ADD CONSTRAINT uq_zones_live_name UNIQUE (live_name);
