-- Activations of zones whose names could overlap queue on one row per name space (the last two
-- labels of the name, see zone::claims::claim_lock_key), so that of two zones going live at once
-- with overlapping names (one tenant's example.com, another's app.example.com) the second sees
-- the first and is refused. The unique index of 0005 covers equal names only.
CREATE TABLE zone_claim_locks (
    lock_key VARCHAR(191) COLLATE "C" NOT NULL PRIMARY KEY
);
