-- How many times the challenge was checked (issue 16): background re-checks record a failure in
-- the audit log only when its outcome changes, so the count and checked_at tell the rest.
ALTER TABLE validations ADD COLUMN check_count BIGINT NOT NULL DEFAULT 0;
