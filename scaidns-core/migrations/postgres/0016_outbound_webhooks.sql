-- Outbound change webhooks (issue 14 item 5). A tenant's subscriptions; the events of committed
-- changes, written in the change's own transaction (the outbox), only when a subscription wants
-- them; and one delivery per (subscription, event), which the worker claims, sends and retries.
-- `seq` orders a zone's events: a zone's writes take turns on the zone row, so the order in
-- which their events are numbered is the order in which they committed.
CREATE TABLE outbound_webhook_subscriptions (
    id          VARCHAR(36) COLLATE "C"  NOT NULL,
    tenant_id   VARCHAR(36) COLLATE "C"  NOT NULL,
    url         TEXT COLLATE "C"         NOT NULL,
    events      TEXT COLLATE "C"         NOT NULL,
    description TEXT COLLATE "C"         NULL,
    active      BOOLEAN                  NOT NULL DEFAULT TRUE,
    status      VARCHAR(16) COLLATE "C"  NOT NULL,
    secret      VARCHAR(191) COLLATE "C" NOT NULL,
    created_by  VARCHAR(36) COLLATE "C"  NULL,
    created_at  TIMESTAMPTZ              NOT NULL,
    updated_at  TIMESTAMPTZ              NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX ix_outbound_webhook_subscriptions_tenant ON outbound_webhook_subscriptions (tenant_id);

CREATE TABLE outbound_webhook_events (
    seq         BIGSERIAL                NOT NULL,
    id          VARCHAR(36) COLLATE "C"  NOT NULL,
    tenant_id   VARCHAR(36) COLLATE "C"  NOT NULL,
    event_type  VARCHAR(64) COLLATE "C"  NOT NULL,
    zone_id     VARCHAR(36) COLLATE "C"  NULL,
    payload     TEXT COLLATE "C"         NOT NULL,
    occurred_at TIMESTAMPTZ              NOT NULL,
    PRIMARY KEY (seq),
    CONSTRAINT uq_outbound_webhook_events_id UNIQUE (id)
);

CREATE TABLE outbound_webhook_deliveries (
    id                 VARCHAR(36) COLLATE "C"  NOT NULL,
    subscription_id    VARCHAR(36) COLLATE "C"  NOT NULL,
    event_id           VARCHAR(36) COLLATE "C"  NOT NULL,
    event_seq          BIGINT                   NOT NULL,
    event_type         VARCHAR(64) COLLATE "C"  NOT NULL,
    zone_id            VARCHAR(36) COLLATE "C"  NULL,
    status             VARCHAR(16) COLLATE "C"  NOT NULL,
    attempts           BIGINT                   NOT NULL DEFAULT 0,
    next_attempt_at    TIMESTAMPTZ              NOT NULL,
    claimed_by         VARCHAR(191) COLLATE "C" NULL,
    claimed_until      TIMESTAMPTZ              NULL,
    last_response_code BIGINT                   NULL,
    last_error         TEXT COLLATE "C"         NULL,
    created_at         TIMESTAMPTZ              NOT NULL,
    delivered_at       TIMESTAMPTZ              NULL,
    PRIMARY KEY (id)
);
CREATE INDEX ix_outbound_webhook_deliveries_due ON outbound_webhook_deliveries (status, next_attempt_at);
CREATE INDEX ix_outbound_webhook_deliveries_order ON outbound_webhook_deliveries (subscription_id, zone_id, event_seq);

-- Tenant admins manage their tenant's subscriptions (webhooks:*).
UPDATE roles SET permissions = '["domains:*","records:*","dnssec:*","access_grants:*","api_keys:*","roles:*","users:*","groups:*","audit:read","templates:*","webhooks:*"]'
    WHERE id = '00000000-0000-0000-0000-000000000002';
