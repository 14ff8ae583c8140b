-- Outbound change webhooks (issue 14 item 5). A tenant's subscriptions; the events of committed
-- changes, written in the change's own transaction (the outbox), only when a subscription wants
-- them; and one delivery per (subscription, event), which the worker claims, sends and retries.
-- `seq` orders a zone's events: a zone's writes take turns on the zone row, so the order in
-- which their events are numbered is the order in which they committed.
CREATE TABLE outbound_webhook_subscriptions (
    id          CHAR(36)     NOT NULL,
    tenant_id   CHAR(36)     NOT NULL,
    url         TEXT         NOT NULL,
    events      TEXT         NOT NULL,
    description TEXT         NULL,
    active      BOOLEAN      NOT NULL DEFAULT TRUE,
    status      VARCHAR(16)  NOT NULL,
    secret      VARCHAR(191) NOT NULL,
    created_by  CHAR(36)     NULL,
    created_at  DATETIME(6)  NOT NULL,
    updated_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_outbound_webhook_subscriptions_tenant (tenant_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE outbound_webhook_events (
    seq         BIGINT       NOT NULL AUTO_INCREMENT,
    id          CHAR(36)     NOT NULL,
    tenant_id   CHAR(36)     NOT NULL,
    event_type  VARCHAR(64)  NOT NULL,
    zone_id     CHAR(36)     NULL,
    payload     MEDIUMTEXT   NOT NULL,
    occurred_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (seq),
    UNIQUE KEY uq_outbound_webhook_events_id (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE outbound_webhook_deliveries (
    id                 CHAR(36)     NOT NULL,
    subscription_id    CHAR(36)     NOT NULL,
    event_id           CHAR(36)     NOT NULL,
    event_seq          BIGINT       NOT NULL,
    event_type         VARCHAR(64)  NOT NULL,
    zone_id            CHAR(36)     NULL,
    status             VARCHAR(16)  NOT NULL,
    attempts           BIGINT       NOT NULL DEFAULT 0,
    next_attempt_at    DATETIME(6)  NOT NULL,
    claimed_by         VARCHAR(191) NULL,
    claimed_until      DATETIME(6)  NULL,
    last_response_code BIGINT       NULL,
    last_error         TEXT         NULL,
    created_at         DATETIME(6)  NOT NULL,
    delivered_at       DATETIME(6)  NULL,
    PRIMARY KEY (id),
    KEY ix_outbound_webhook_deliveries_due (status, next_attempt_at),
    KEY ix_outbound_webhook_deliveries_order (subscription_id, zone_id, event_seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Tenant admins manage their tenant's subscriptions (webhooks:*).
UPDATE roles SET permissions = '["domains:*","records:*","dnssec:*","access_grants:*","api_keys:*","roles:*","users:*","groups:*","audit:read","templates:*","webhooks:*"]'
    WHERE id = '00000000-0000-0000-0000-000000000002';
