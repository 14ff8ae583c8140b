-- Ordered publication (issue 12): the last generation of each zone a publisher claimed for the DNS
-- backend. A publisher publishes generation N only after raising this from below N
-- (compare-and-set), so an older generation is never published over a newer one.
ALTER TABLE zones ADD COLUMN published_generation BIGINT NOT NULL DEFAULT 0;
