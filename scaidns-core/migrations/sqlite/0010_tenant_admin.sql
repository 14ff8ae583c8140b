-- Tenant administration (issue 11): a suspension made by a platform admin, kept apart from the
-- status identity sync mirrors so a later sync cannot lift it, and the tenant's settings object.
ALTER TABLE tenants ADD COLUMN suspended_locally BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN settings TEXT NULL;
