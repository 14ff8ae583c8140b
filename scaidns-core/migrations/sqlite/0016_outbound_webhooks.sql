-- Outbound change webhooks (issue 14 item 5). A tenant's subscriptions; the events of committed
-- changes, written in the change's own transaction (the outbox), only when a subscription wants
-- them; and one delivery per (subscription, event), which the worker claims, sends and retries.
-- `seq` orders a zone's events: a zone's writes take turns on the zone row, so the order in
-- which their events are numbered is the order in which they committed.
CREATE TABLE outbound_webhook_subscriptions (
    id          TEXT NOT NULL PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    url         TEXT NOT NULL,
    events      TEXT NOT NULL,
    description TEXT NULL,
    active      BOOLEAN NOT NULL DEFAULT 1,
    status      TEXT NOT NULL,
    secret      TEXT NOT NULL,
    created_by  TEXT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX ix_outbound_webhook_subscriptions_tenant ON outbound_webhook_subscriptions (tenant_id);

CREATE TABLE outbound_webhook_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    tenant_id   TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    zone_id     TEXT NULL,
    payload     TEXT NOT NULL,
    occurred_at TEXT NOT NULL
);

CREATE TABLE outbound_webhook_deliveries (
    id                 TEXT NOT NULL PRIMARY KEY,
    subscription_id    TEXT NOT NULL,
    event_id           TEXT NOT NULL,
    event_seq          BIGINT NOT NULL,
    event_type         TEXT NOT NULL,
    zone_id            TEXT NULL,
    status             TEXT NOT NULL,
    attempts           BIGINT NOT NULL DEFAULT 0,
    next_attempt_at    TEXT NOT NULL,
    claimed_by         TEXT NULL,
    claimed_until      TEXT NULL,
    last_response_code BIGINT NULL,
    last_error         TEXT NULL,
    created_at         TEXT NOT NULL,
    delivered_at       TEXT NULL
);
CREATE INDEX ix_outbound_webhook_deliveries_due ON outbound_webhook_deliveries (status, next_attempt_at);
CREATE INDEX ix_outbound_webhook_deliveries_order ON outbound_webhook_deliveries (subscription_id, zone_id, event_seq);

-- Tenant admins manage their tenant's subscriptions (webhooks:*).
UPDATE roles SET permissions = '["domains:*","records:*","dnssec:*","access_grants:*","api_keys:*","roles:*","users:*","groups:*","audit:read","templates:*","webhooks:*"]'
    WHERE id = '00000000-0000-0000-0000-000000000002';
