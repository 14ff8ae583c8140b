//! Outbound webhooks (compiled once per engine, see `super`): subscriptions, the outbox of
//! events written inside a change's transaction ([`outbox`], called by `audit::insert`), and
//! the deliveries the worker claims with one conditional `UPDATE` each (as jobs are claimed).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use ::sqlx::Pool;
use chrono::{DateTime, Utc};

use super::common::{finish, run_one, write_one};
use super::sqlx;
use super::{Conn, Db, audit, begin_write, dynamic_query};
use crate::adapters::sql::types::{Arg, Filter, Ts, corrupt, db_err, ts_opt};
use crate::audit::AuditEvent;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{TenantId, WebhookDeliveryId, WebhookEventId, WebhookSubscriptionId, ZoneId};
use crate::outbound_webhook::events::{EventZone, event_of, event_type_of, zone_id_of};
use crate::outbound_webhook::{
    Delivery, DeliveryStatus, MAX_SUBSCRIPTIONS_PER_TENANT, Subscription, SubscriptionStatus,
    WebhookEvent, subscription_limit_reached,
};
use crate::paging::{Page, PageRequest};
use crate::ports::webhook_store::DueDelivery;

const SUBSCRIPTION_COLUMNS: &str = "id, tenant_id, url, events, description, active, status, \
     secret, created_by, created_at, updated_at";
const DELIVERY_COLUMNS: &str = "id, subscription_id, event_id, event_seq, event_type, zone_id, \
     status, attempts, next_attempt_at, last_response_code, last_error, created_at, delivered_at";

fn subscription_missing() -> Error {
    Error::new(
        ErrorKind::NotFound,
        "webhook_subscription_not_found",
        "Webhook subscription not found",
    )
}

fn delivery_missing() -> Error {
    Error::new(
        ErrorKind::NotFound,
        "webhook_delivery_not_found",
        "Webhook delivery not found",
    )
}

fn json(value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::internal(format!("webhook JSON: {e}")))
}

#[derive(sqlx::FromRow)]
struct SubscriptionRow {
    id: String,
    tenant_id: String,
    url: String,
    events: String,
    description: Option<String>,
    active: bool,
    status: String,
    secret: String,
    created_by: Option<String>,
    created_at: Ts,
    updated_at: Ts,
}

impl SubscriptionRow {
    fn into_model(self) -> Result<Subscription> {
        let id = self.id.clone();
        let bad = |column: &str, e: &dyn std::fmt::Display| {
            corrupt(
                "outbound_webhook_subscriptions",
                &id,
                format!("{column}: {e}"),
            )
        };
        Ok(Subscription {
            id: self.id.parse().map_err(|e: Error| bad("id", &e))?,
            tenant_id: self
                .tenant_id
                .parse()
                .map_err(|e: Error| bad("tenant_id", &e))?,
            url: self.url,
            events: serde_json::from_str(&self.events).map_err(|e| bad("events", &e))?,
            description: self.description,
            active: self.active,
            status: self.status.parse().map_err(|e: Error| bad("status", &e))?,
            secret: self.secret,
            created_by: self
                .created_by
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e: Error| bad("created_by", &e))?,
            created_at: self.created_at.get(),
            updated_at: self.updated_at.get(),
        })
    }
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: String,
    subscription_id: String,
    event_id: String,
    event_seq: i64,
    event_type: String,
    zone_id: Option<String>,
    status: String,
    attempts: i64,
    next_attempt_at: Ts,
    last_response_code: Option<i64>,
    last_error: Option<String>,
    created_at: Ts,
    delivered_at: Option<Ts>,
}

impl DeliveryRow {
    fn into_model(self) -> Result<Delivery> {
        let id = self.id.clone();
        let bad = |column: &str, e: &dyn std::fmt::Display| {
            corrupt("outbound_webhook_deliveries", &id, format!("{column}: {e}"))
        };
        Ok(Delivery {
            id: self.id.parse().map_err(|e: Error| bad("id", &e))?,
            subscription_id: self
                .subscription_id
                .parse()
                .map_err(|e: Error| bad("subscription_id", &e))?,
            event_id: self
                .event_id
                .parse()
                .map_err(|e: Error| bad("event_id", &e))?,
            event_seq: self.event_seq,
            event_type: self.event_type,
            zone_id: self
                .zone_id
                .as_deref()
                .map(str::parse::<ZoneId>)
                .transpose()
                .map_err(|e| bad("zone_id", &e))?,
            status: self.status.parse().map_err(|e: Error| bad("status", &e))?,
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            next_attempt_at: self.next_attempt_at.get(),
            last_response_code: self.last_response_code.and_then(|c| u16::try_from(c).ok()),
            last_error: self.last_error,
            created_at: self.created_at.get(),
            delivered_at: self.delivered_at.map(Ts::get),
        })
    }
}

/// Inserts `s` unless its tenant has [`MAX_SUBSCRIPTIONS_PER_TENANT`] already. Creates of one
/// tenant queue on the tenant's row of `zone_claim_locks` (taken before the count, so on
/// MySQL the count's snapshot opens after the lock is granted and sees every create that
/// committed before), so of two racing at the cap the second sees the first.
pub(crate) async fn insert_subscription(
    pool: &Pool<Db>,
    s: &Subscription,
    events: &[AuditEvent],
) -> Result<()> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let result = insert_subscription_in(&mut tx, s, events).await;
    finish(tx, result).await
}

async fn insert_subscription_in(
    conn: &mut Conn,
    s: &Subscription,
    events: &[AuditEvent],
) -> Result<()> {
    sqlx::query(super::LOCK_CLAIM)
        .bind(format!("webhook-subscriptions/{}", s.tenant_id))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    let existing: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbound_webhook_subscriptions WHERE tenant_id = ?",
    )
    .bind(s.tenant_id.to_string())
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)?;
    if u64::try_from(existing).unwrap_or(u64::MAX) >= MAX_SUBSCRIPTIONS_PER_TENANT {
        return Err(subscription_limit_reached());
    }
    let query = sqlx::query(
        "INSERT INTO outbound_webhook_subscriptions (id, tenant_id, url, events, description, active, \
         status, secret, created_by, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(s.id.to_string())
    .bind(s.tenant_id.to_string())
    .bind(s.url.clone())
    .bind(json(&s.events)?)
    .bind(s.description.clone())
    .bind(s.active)
    .bind(s.status.as_str())
    .bind(s.secret.clone())
    .bind(s.created_by.map(|u| u.to_string()))
    .bind(Ts::from(s.created_at))
    .bind(Ts::from(s.updated_at));
    run_one(
        conn,
        query,
        events,
        || Error::internal("webhook subscription id taken"),
        None,
    )
    .await
}

pub(crate) async fn update_subscription(
    pool: &Pool<Db>,
    s: &Subscription,
    events: &[AuditEvent],
) -> Result<()> {
    let query = sqlx::query(
        "UPDATE outbound_webhook_subscriptions SET url = ?, events = ?, description = ?, active = ?, \
         status = ?, secret = ?, updated_at = ? WHERE id = ?",
    )
    .bind(s.url.clone())
    .bind(json(&s.events)?)
    .bind(s.description.clone())
    .bind(s.active)
    .bind(s.status.as_str())
    .bind(s.secret.clone())
    .bind(Ts::from(s.updated_at))
    .bind(s.id.to_string());
    write_one(
        pool,
        query,
        events,
        || Error::internal("webhook subscription conflict"),
        Some(subscription_missing()),
    )
    .await
}

pub(crate) async fn delete_subscription(
    pool: &Pool<Db>,
    id: WebhookSubscriptionId,
    events: &[AuditEvent],
) -> Result<()> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let result = async {
        sqlx::query("DELETE FROM outbound_webhook_deliveries WHERE subscription_id = ?")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        let query = sqlx::query("DELETE FROM outbound_webhook_subscriptions WHERE id = ?")
            .bind(id.to_string());
        run_one(
            &mut tx,
            query,
            events,
            || Error::internal("webhook subscription conflict"),
            Some(subscription_missing()),
        )
        .await
    }
    .await;
    finish(tx, result).await
}

pub(crate) async fn get_subscription(
    pool: &Pool<Db>,
    id: WebhookSubscriptionId,
) -> Result<Option<Subscription>> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    subscription_on(&mut conn, id).await
}

async fn subscription_on(
    conn: &mut Conn,
    id: WebhookSubscriptionId,
) -> Result<Option<Subscription>> {
    let sql =
        format!("SELECT {SUBSCRIPTION_COLUMNS} FROM outbound_webhook_subscriptions WHERE id = ?");
    let row: Option<SubscriptionRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
    row.map(SubscriptionRow::into_model).transpose()
}

pub(crate) async fn list_subscriptions(
    pool: &Pool<Db>,
    tenant_id: TenantId,
    page: PageRequest,
) -> Result<Page<Subscription>> {
    let mut f = Filter::default();
    f.and("tenant_id = ?", [Arg::Text(tenant_id.to_string())]);
    let (rows, total) = dynamic_query::page::<SubscriptionRow>(
        pool,
        "outbound_webhook_subscriptions",
        SUBSCRIPTION_COLUMNS,
        f,
        "created_at, id",
        page,
    )
    .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(SubscriptionRow::into_model)
            .collect::<Result<_>>()?,
        total,
    })
}

/// Writes `event` and one pending delivery per subscription in `to`, on `conn`.
async fn insert_event(
    conn: &mut Conn,
    event: &WebhookEvent,
    to: &[WebhookSubscriptionId],
    now: DateTime<Utc>,
) -> Result<Vec<Delivery>> {
    let zone_id = event.zone.as_ref().map(|z| z.id.clone());
    sqlx::query(
        "INSERT INTO outbound_webhook_events (id, tenant_id, event_type, zone_id, payload, occurred_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(event.id.to_string())
    .bind(event.tenant_id.to_string())
    .bind(event.event_type.clone())
    .bind(zone_id.clone())
    .bind(json(event)?)
    .bind(Ts::from(event.occurred_at))
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    // The number the engine gave the row, read back by id: the same on all three engines.
    let seq: i64 = sqlx::query_scalar("SELECT seq FROM outbound_webhook_events WHERE id = ?")
        .bind(event.id.to_string())
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    let mut deliveries = Vec::with_capacity(to.len());
    for subscription in to {
        let delivery = Delivery {
            id: WebhookDeliveryId::new(),
            subscription_id: *subscription,
            event_id: event.id,
            event_seq: seq,
            event_type: event.event_type.clone(),
            zone_id: zone_id.as_deref().and_then(|z| z.parse().ok()),
            status: DeliveryStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            last_response_code: None,
            last_error: None,
            created_at: now,
            delivered_at: None,
        };
        sqlx::query(
            "INSERT INTO outbound_webhook_deliveries (id, subscription_id, event_id, event_seq, \
             event_type, zone_id, status, attempts, next_attempt_at, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
        )
        .bind(delivery.id.to_string())
        .bind(subscription.to_string())
        .bind(event.id.to_string())
        .bind(seq)
        .bind(event.event_type.clone())
        .bind(zone_id.clone())
        .bind(DeliveryStatus::Pending.as_str())
        .bind(Ts::from(now))
        .bind(Ts::from(now))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
        deliveries.push(delivery);
    }
    Ok(deliveries)
}

/// The outbox: for every audit entry in `entries` that is an event some active subscription
/// of its tenant wants, the event and a delivery per such subscription, on `conn` (inside the
/// transaction writing the entries). The zone's name and generation are read here, after the
/// change wrote them.
pub(crate) async fn outbox(conn: &mut Conn, entries: &[AuditEvent]) -> Result<()> {
    let mut subscriptions: HashMap<TenantId, Vec<Subscription>> = HashMap::new();
    let mut zones: HashMap<String, Option<(String, i64)>> = HashMap::new();
    for entry in entries {
        let Some((event_type, tenant)) = outbox_event(entry) else {
            continue;
        };
        if let Entry::Vacant(slot) = subscriptions.entry(tenant) {
            slot.insert(active_subscriptions(conn, tenant).await?);
        }
        let wanting: Vec<WebhookSubscriptionId> = subscriptions
            .get(&tenant)
            .into_iter()
            .flatten()
            .filter(|s| s.wants(&event_type))
            .map(|s| s.id)
            .collect();
        if wanting.is_empty() {
            continue;
        }
        let zone = match zone_id_of(entry) {
            Some(id) => {
                if let Entry::Vacant(slot) = zones.entry(id.clone()) {
                    slot.insert(zone_state(conn, &id).await?);
                }
                let state = zones.get(&id).cloned().flatten();
                let name = state.as_ref().map(|(n, _)| n.clone()).or_else(|| {
                    (entry.resource_type == "domain")
                        .then(|| entry.resource_name.clone())
                        .flatten()
                });
                Some(EventZone {
                    id,
                    name,
                    generation: state.map(|(_, g)| g),
                })
            }
            None => None,
        };
        if let Some(event) = event_of(entry, zone, WebhookEventId::new()) {
            insert_event(conn, &event, &wanting, entry.created_at).await?;
        }
    }
    Ok(())
}

/// The event type and tenant of the webhook event `entry` makes, when it makes one.
pub(crate) fn outbox_event(entry: &AuditEvent) -> Option<(String, TenantId)> {
    Some((event_type_of(&entry.action)?, entry.tenant_id?))
}

/// A tenant's active subscriptions, bound by [`active_subscription_args`] (a tenant without any
/// gets nothing from [`outbox`]).
pub(crate) const FROM_ACTIVE_SUBSCRIPTIONS: &str =
    "FROM outbound_webhook_subscriptions WHERE tenant_id = ? AND active = ? AND status = ?";

/// The values of [`FROM_ACTIVE_SUBSCRIPTIONS`].
pub(crate) fn active_subscription_args(tenant: TenantId) -> [Arg; 3] {
    [
        Arg::Text(tenant.to_string()),
        Arg::Bool(true),
        Arg::Text(SubscriptionStatus::Active.as_str().to_owned()),
    ]
}

async fn active_subscriptions(conn: &mut Conn, tenant: TenantId) -> Result<Vec<Subscription>> {
    let sql = format!("SELECT {SUBSCRIPTION_COLUMNS} {FROM_ACTIVE_SUBSCRIPTIONS}");
    let rows: Vec<SubscriptionRow> = dynamic_query::bind_as(
        sqlx::query_as(sqlx::AssertSqlSafe(sql)),
        active_subscription_args(tenant).into(),
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.into_iter().map(SubscriptionRow::into_model).collect()
}

async fn zone_state(conn: &mut Conn, id: &str) -> Result<Option<(String, i64)>> {
    sqlx::query_as("SELECT name, generation FROM zones WHERE id = ?")
        .bind(id.to_owned())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)
}

pub(crate) async fn queue_event(
    pool: &Pool<Db>,
    subscription: WebhookSubscriptionId,
    event: &WebhookEvent,
    now: DateTime<Utc>,
    events: &[AuditEvent],
) -> Result<Delivery> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let result = async {
        let mut deliveries = insert_event(&mut tx, event, &[subscription], now).await?;
        audit::insert(&mut tx, events).await?;
        deliveries
            .pop()
            .ok_or_else(|| Error::internal("no delivery queued"))
    }
    .await;
    finish(tx, result).await
}

pub(crate) async fn list_deliveries(
    pool: &Pool<Db>,
    subscription: WebhookSubscriptionId,
    page: PageRequest,
) -> Result<Page<Delivery>> {
    let mut f = Filter::default();
    f.and("subscription_id = ?", [Arg::Text(subscription.to_string())]);
    let (rows, total) = dynamic_query::page::<DeliveryRow>(
        pool,
        "outbound_webhook_deliveries",
        DELIVERY_COLUMNS,
        f,
        "event_seq DESC, id DESC",
        page,
    )
    .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(DeliveryRow::into_model)
            .collect::<Result<_>>()?,
        total,
    })
}

pub(crate) async fn get_delivery(
    pool: &Pool<Db>,
    id: WebhookDeliveryId,
) -> Result<Option<Delivery>> {
    let sql = format!("SELECT {DELIVERY_COLUMNS} FROM outbound_webhook_deliveries WHERE id = ?");
    let row: Option<DeliveryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.map(DeliveryRow::into_model).transpose()
}

pub(crate) async fn requeue(
    pool: &Pool<Db>,
    id: WebhookDeliveryId,
    now: DateTime<Utc>,
    events: &[AuditEvent],
) -> Result<()> {
    let query = sqlx::query(
        "UPDATE outbound_webhook_deliveries SET status = ?, next_attempt_at = ?, created_at = ?, \
         claimed_by = NULL, claimed_until = NULL WHERE id = ?",
    )
    .bind(DeliveryStatus::Pending.as_str())
    .bind(Ts::from(now))
    .bind(Ts::from(now))
    .bind(id.to_string());
    write_one(
        pool,
        query,
        events,
        || Error::internal("webhook delivery conflict"),
        Some(delivery_missing()),
    )
    .await
}

pub(crate) async fn due(
    pool: &Pool<Db>,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<DueDelivery>> {
    // A pending delivery with a lower number in the same zone for the same subscription holds
    // this one back, whether it is due, waiting for its retry or claimed: per-zone order.
    let columns = DELIVERY_COLUMNS
        .split(", ")
        .map(|c| format!("d.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {columns} FROM outbound_webhook_deliveries d \
         JOIN outbound_webhook_subscriptions s ON s.id = d.subscription_id \
         WHERE d.status = ? AND d.next_attempt_at <= ? \
         AND (d.claimed_until IS NULL OR d.claimed_until <= ?) \
         AND s.active = ? AND s.status = ? \
         AND NOT EXISTS (SELECT 1 FROM outbound_webhook_deliveries p \
             WHERE p.subscription_id = d.subscription_id AND p.zone_id = d.zone_id \
             AND p.status = ? AND p.event_seq < d.event_seq) \
         ORDER BY d.event_seq, d.id LIMIT ?"
    );
    let rows: Vec<DeliveryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(DeliveryStatus::Pending.as_str())
        .bind(Ts::from(now))
        .bind(Ts::from(now))
        .bind(true)
        .bind(SubscriptionStatus::Active.as_str())
        .bind(DeliveryStatus::Pending.as_str())
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    let mut conn = pool.acquire().await.map_err(db_err)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let delivery = row.into_model()?;
        let Some(subscription) = subscription_on(&mut conn, delivery.subscription_id).await? else {
            continue;
        };
        let payload: Option<String> =
            sqlx::query_scalar("SELECT payload FROM outbound_webhook_events WHERE id = ?")
                .bind(delivery.event_id.to_string())
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_err)?;
        let Some(payload) = payload else {
            continue;
        };
        let event: WebhookEvent = serde_json::from_str(&payload).map_err(|e| {
            corrupt(
                "outbound_webhook_events",
                &delivery.event_id.to_string(),
                format!("payload: {e}"),
            )
        })?;
        out.push(DueDelivery {
            delivery,
            event,
            subscription,
        });
    }
    Ok(out)
}

pub(crate) async fn claim(
    pool: &Pool<Db>,
    id: WebhookDeliveryId,
    owner: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE outbound_webhook_deliveries SET claimed_by = ?, claimed_until = ? \
         WHERE id = ? AND status = ? AND (claimed_until IS NULL OR claimed_until <= ?)",
    )
    .bind(owner.to_owned())
    .bind(Ts::from(until))
    .bind(id.to_string())
    .bind(DeliveryStatus::Pending.as_str())
    .bind(Ts::from(now))
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn finish_delivery(
    pool: &Pool<Db>,
    d: &Delivery,
    owner: &str,
    fail_subscription: bool,
) -> Result<bool> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let result = async {
        let done = sqlx::query(
            "UPDATE outbound_webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, \
             last_response_code = ?, last_error = ?, delivered_at = ?, claimed_by = NULL, \
             claimed_until = NULL WHERE id = ? AND claimed_by = ?",
        )
        .bind(d.status.as_str())
        .bind(i64::from(d.attempts))
        .bind(Ts::from(d.next_attempt_at))
        .bind(d.last_response_code.map(i64::from))
        .bind(d.last_error.clone())
        .bind(ts_opt(d.delivered_at))
        .bind(d.id.to_string())
        .bind(owner.to_owned())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        if fail_subscription {
            sqlx::query("UPDATE outbound_webhook_subscriptions SET status = ? WHERE id = ?")
                .bind(SubscriptionStatus::Failing.as_str())
                .bind(d.subscription_id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        Ok(true)
    }
    .await;
    finish(tx, result).await
}

/// Events a prune removes per transaction (and ids per `IN` list, under every engine's
/// placeholder limit).
const PRUNE_BATCH: usize = 500;

pub(crate) async fn prune(pool: &Pool<Db>, before: DateTime<Utc>) -> Result<u64> {
    let mut removed = 0;
    loop {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT e.id FROM outbound_webhook_events e WHERE e.occurred_at < ? \
             AND NOT EXISTS (SELECT 1 FROM outbound_webhook_deliveries d \
                 WHERE d.event_id = e.id AND (d.status = ? OR d.created_at >= ?)) \
             ORDER BY e.seq LIMIT ?",
        )
        .bind(Ts::from(before))
        .bind(DeliveryStatus::Pending.as_str())
        .bind(Ts::from(before))
        .bind(PRUNE_BATCH as i64)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
        if ids.is_empty() {
            return Ok(removed);
        }
        let mut tx = begin_write(pool).await.map_err(db_err)?;
        let result = prune_batch(&mut tx, &ids, before).await;
        let batch = finish(tx, result).await?;
        removed += batch;
        // A short batch was the last; an empty one means each event found was queued again
        // meanwhile, and looking again would find the same.
        if ids.len() < PRUNE_BATCH || batch == 0 {
            return Ok(removed);
        }
    }
}

/// Removes the events `ids` with their deliveries, each condition checked again inside the
/// transaction: a delivery queued again since the ids were read (pending, queued now) stays,
/// and so does its event.
async fn prune_batch(conn: &mut Conn, ids: &[String], before: DateTime<Utc>) -> Result<u64> {
    let list = vec!["?"; ids.len()].join(", ");
    // Only placeholders are spliced in; every value is bound.
    let deliveries = format!(
        "DELETE FROM outbound_webhook_deliveries WHERE event_id IN ({list}) \
         AND status <> ? AND created_at < ?"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(deliveries));
    for id in ids {
        query = query.bind(id.clone());
    }
    query
        .bind(DeliveryStatus::Pending.as_str())
        .bind(Ts::from(before))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    let events = format!(
        "DELETE FROM outbound_webhook_events WHERE id IN ({list}) \
         AND NOT EXISTS (SELECT 1 FROM outbound_webhook_deliveries d \
             WHERE d.event_id = outbound_webhook_events.id)"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(events));
    for id in ids {
        query = query.bind(id.clone());
    }
    let done = query.execute(&mut *conn).await.map_err(db_err)?;
    Ok(done.rows_affected())
}
