-- Secondary zones (issue 10 item 3): where the zone transfers from, as JSON
-- (`{"primaries": [...], "tsig": {"name", "algorithm", "secret"} | null}`); NULL for every
-- other zone type. The TSIG secret is stored in clear (there is no secret-encryption helper
-- yet; see docs/decisions.md) and never returned by the API.
ALTER TABLE zones ADD COLUMN secondary_source TEXT NULL;
