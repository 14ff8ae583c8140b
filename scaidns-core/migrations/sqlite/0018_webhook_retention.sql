-- Retention of outbound webhooks: the worker's `prune_webhook_deliveries` finds settled events
-- past `WEBHOOK_RETENTION_DAYS` by age and removes each with its deliveries by event id.
CREATE INDEX ix_outbound_webhook_events_occurred ON outbound_webhook_events (occurred_at);
CREATE INDEX ix_outbound_webhook_deliveries_event ON outbound_webhook_deliveries (event_id);
