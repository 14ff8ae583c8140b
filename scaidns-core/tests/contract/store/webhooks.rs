//! Outbound webhooks: subscriptions, the outbox the audit insert writes inside a change's
//! transaction, and the claiming of deliveries by concurrent workers, on every engine.

use super::*;
use crate::support::contract::contract;
use scaidns_core::ids::WebhookEventId;
use scaidns_core::ids::WebhookSubscriptionId;
use scaidns_core::outbound_webhook::delivery::AttemptOutcome;
use scaidns_core::outbound_webhook::events::EventActor;
use scaidns_core::outbound_webhook::{
    DeliveryStatus, EventPattern, MAX_SUBSCRIPTIONS_PER_TENANT, Subscription, SubscriptionStatus,
    WebhookEvent,
};
use scaidns_core::ports::webhook_store::DueDelivery;

contract!(
    Store:
    subscriptions_round_trip_per_tenant,
    a_change_writes_events_only_for_subscriptions_that_want_them,
    a_record_change_writes_its_event,
    deliveries_go_in_zone_order_and_failing_subscriptions_stop,
    concurrent_workers_never_claim_one_delivery_twice,
    settled_events_past_the_retention_go_and_pending_ones_stay,
    a_large_backlog_is_pruned_in_batches,
    concurrent_creates_stop_at_the_cap,
    the_earliest_cut_offs_keep_everything,
);

fn subscription(tenant: TenantId, events: &[&str]) -> Subscription {
    Subscription {
        id: WebhookSubscriptionId::new(),
        tenant_id: tenant,
        url: "https://hooks.example.com/scaidns".into(),
        events: events
            .iter()
            .map(|e| EventPattern::parse(e).unwrap())
            .collect(),
        description: Some("contract".into()),
        active: true,
        status: SubscriptionStatus::Active,
        secret: format!("whsec_{}", "ab".repeat(32)),
        created_by: None,
        created_at: t0(),
        updated_at: t0(),
    }
}

async fn subscribe(store: &dyn Store, s: &Subscription) {
    store.insert_webhook_subscription(s, &[]).await.unwrap();
}

async fn subscriptions_round_trip_per_tenant(store: &dyn Store) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let mut s = subscription(t1, &["zone.*", "record.create"]);
    subscribe(store, &s).await;
    assert_eq!(
        store.get_webhook_subscription(s.id).await.unwrap(),
        Some(s.clone())
    );
    let page = |t| store.list_webhook_subscriptions(t, PageRequest::default());
    assert_eq!(page(t1).await.unwrap().items, vec![s.clone()]);
    assert!(page(t2).await.unwrap().items.is_empty());

    s.url = "https://other.example.com/".into();
    s.active = false;
    s.updated_at = at(5);
    store.update_webhook_subscription(&s, &[]).await.unwrap();
    assert_eq!(
        store.get_webhook_subscription(s.id).await.unwrap(),
        Some(s.clone())
    );

    store.delete_webhook_subscription(s.id, &[]).await.unwrap();
    assert_eq!(store.get_webhook_subscription(s.id).await.unwrap(), None);
    assert_code(
        store.delete_webhook_subscription(s.id, &[]).await,
        "webhook_subscription_not_found",
    );
    assert_code(
        store.update_webhook_subscription(&s, &[]).await,
        "webhook_subscription_not_found",
    );
}

/// The usual record change (new records and their audit entry, nothing else), which SQLite and
/// PostgreSQL write in one step unless the tenant has an active subscription, writes its event
/// for the tenant's subscription and none for another tenant's.
async fn a_record_change_writes_its_event(store: &dyn Store) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let zone = put(store, create(&new_zone(t1, "records.example"))).await;
    let other = put(store, create(&new_zone(t2, "other.example"))).await;
    let records_only = subscription(t1, &["record.*"]);
    subscribe(store, &records_only).await;
    for zone in [&zone, &other] {
        let mut w = change(zone);
        w.new_records = vec![record(zone, "www", RecordType::A, "192.0.2.1")];
        w.audit = vec![event(
            Some(zone.tenant_id),
            "record.create",
            &zone.id.to_string(),
        )];
        put(store, w).await;
    }
    let due = store.due_webhook_deliveries(at(1), 100).await.unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].subscription.id, records_only.id);
    assert_eq!(due[0].delivery.event_type, "record.create");
    assert_eq!(due[0].event.tenant_id, t1);
    assert_eq!(all_records(store, other.id).await.len(), 1);
}

async fn a_change_writes_events_only_for_subscriptions_that_want_them(store: &dyn Store) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let zones_only = subscription(t1, &["zone.*"]);
    let records_only = subscription(t1, &["record.*"]);
    let mut off = subscription(t1, &["*"]);
    off.active = false;
    let other_tenant = subscription(t2, &["*"]);
    for s in [&zones_only, &records_only, &off, &other_tenant] {
        subscribe(store, s).await;
    }
    let zone = put(store, create(&new_zone(t1, "hooked.example"))).await;
    let due = store.due_webhook_deliveries(at(1), 100).await.unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    let d = &due[0];
    assert_eq!(d.subscription.id, zones_only.id);
    assert_eq!(d.delivery.event_type, "zone.create");
    assert_eq!(d.delivery.zone_id, Some(zone.id));
    assert_eq!(d.delivery.status, DeliveryStatus::Pending);
    assert_eq!(d.event.tenant_id, t1);
    let ez = d.event.zone.as_ref().unwrap();
    assert_eq!(ez.name.as_deref(), Some("hooked.example"));
    assert_eq!(ez.generation, Some(zone.generation));
    assert_eq!(d.event.id, d.delivery.event_id);
    let log = store
        .list_webhook_deliveries(zones_only.id, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(log.items.len(), 1);
    assert_eq!(
        store
            .get_webhook_delivery(d.delivery.id)
            .await
            .unwrap()
            .unwrap()
            .id,
        d.delivery.id
    );

    // A change that fails writes neither its audit entry nor its event.
    let mut stale = change(&zone);
    stale.expected_generation = Some(zone.generation + 7);
    stale.audit = vec![event(Some(t1), "domain.update", &zone.id.to_string())];
    assert!(store.write_zone(stale, &NoPublish).await.is_err());
    assert_eq!(
        store
            .due_webhook_deliveries(at(1), 100)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn finish(
    store: &dyn Store,
    d: &DueDelivery,
    outcome: AttemptOutcome,
    now: DateTime<Utc>,
    fail: bool,
) {
    let owner = "worker-a";
    assert!(
        store
            .claim_webhook_delivery(d.delivery.id, owner, now, now + Duration::minutes(2))
            .await
            .unwrap()
    );
    let after = d.delivery.clone().after_attempt(outcome, now);
    assert!(
        store
            .finish_webhook_delivery(&after, owner, fail)
            .await
            .unwrap()
    );
}

async fn deliveries_go_in_zone_order_and_failing_subscriptions_stop(store: &dyn Store) {
    let t = TenantId::new();
    let s = subscription(t, &["zone.*"]);
    subscribe(store, &s).await;
    let zone = put(store, create(&new_zone(t, "ordered.example"))).await;
    let mut w = change(&zone);
    w.audit = vec![event(Some(t), "domain.update", &zone.id.to_string())];
    put(store, w).await;

    // The second event of the zone waits for the first, even while the first waits to retry.
    let due = store.due_webhook_deliveries(at(1), 100).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].delivery.event_type, "zone.create");
    finish(
        store,
        &due[0],
        AttemptOutcome::Failed {
            code: Some(500),
            error: "HTTP 500".into(),
        },
        at(1),
        false,
    )
    .await;
    assert!(
        store
            .due_webhook_deliveries(at(2), 100)
            .await
            .unwrap()
            .is_empty()
    );
    let retry = store.due_webhook_deliveries(at(3600), 100).await.unwrap();
    assert_eq!(retry.len(), 1);
    assert_eq!(retry[0].delivery.event_type, "zone.create");
    assert_eq!(retry[0].delivery.attempts, 1);
    assert_eq!(retry[0].delivery.last_response_code, Some(500));
    finish(
        store,
        &retry[0],
        AttemptOutcome::Delivered { code: 204 },
        at(3600),
        false,
    )
    .await;
    let next = store.due_webhook_deliveries(at(3601), 100).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].delivery.event_type, "zone.update");
    assert!(next[0].delivery.event_seq > retry[0].delivery.event_seq);

    // Given up: the subscription is failing, nothing more is handed out or fanned out.
    finish(
        store,
        &next[0],
        AttemptOutcome::Failed {
            code: None,
            error: "down".into(),
        },
        at(3601),
        true,
    )
    .await;
    let s_now = store.get_webhook_subscription(s.id).await.unwrap().unwrap();
    assert_eq!(s_now.status, SubscriptionStatus::Failing);
    assert!(
        store
            .due_webhook_deliveries(at(999_999), 100)
            .await
            .unwrap()
            .is_empty()
    );

    // Redelivery queues it again (once the owner turns the subscription back on).
    store
        .requeue_webhook_delivery(next[0].delivery.id, at(4000), &[])
        .await
        .unwrap();
    let mut on = s_now.clone();
    on.status = SubscriptionStatus::Active;
    store.update_webhook_subscription(&on, &[]).await.unwrap();
    let again = store.due_webhook_deliveries(at(4000), 100).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].delivery.id, next[0].delivery.id);
}

async fn concurrent_workers_never_claim_one_delivery_twice(store: &dyn Store) {
    let t = TenantId::new();
    let s = subscription(t, &["*"]);
    subscribe(store, &s).await;
    for i in 0..4 {
        put(store, create(&new_zone(t, &format!("claim{i}.example")))).await;
    }
    let due = store.due_webhook_deliveries(at(1), 100).await.unwrap();
    assert_eq!(due.len(), 4);
    for d in &due {
        let id = d.delivery.id;
        let until = at(121);
        let (a, b) = tokio::join!(
            store.claim_webhook_delivery(id, "worker-a", at(1), until),
            store.claim_webhook_delivery(id, "worker-b", at(1), until),
        );
        assert!(a.unwrap() ^ b.unwrap(), "exactly one worker holds {id}");
    }
    // Claimed deliveries are not handed out again until their claim lapses.
    assert!(
        store
            .due_webhook_deliveries(at(2), 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !store
            .claim_webhook_delivery(due[0].delivery.id, "worker-c", at(2), at(200))
            .await
            .unwrap()
    );
    // A lapsed claim is taken over, and the first owner can no longer record its attempt.
    assert_eq!(
        store
            .due_webhook_deliveries(at(121), 100)
            .await
            .unwrap()
            .len(),
        4
    );
    let d = &due[0].delivery;
    assert!(
        store
            .claim_webhook_delivery(d.id, "worker-c", at(121), at(300))
            .await
            .unwrap()
    );
    let done = d
        .clone()
        .after_attempt(AttemptOutcome::Delivered { code: 200 }, at(122));
    let lost = !store
        .finish_webhook_delivery(&done, "worker-a", false)
        .await
        .unwrap()
        && !store
            .finish_webhook_delivery(&done, "worker-b", false)
            .await
            .unwrap();
    assert!(lost);
    assert!(
        store
            .finish_webhook_delivery(&done, "worker-c", false)
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .get_webhook_delivery(d.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        DeliveryStatus::Delivered
    );
}

async fn settled_events_past_the_retention_go_and_pending_ones_stay(store: &dyn Store) {
    let t = TenantId::new();
    let s = subscription(t, &["zone.*"]);
    subscribe(store, &s).await;
    // One event per zone, all at t0: one delivered, one given up, one waiting for a retry.
    for name in ["prune-a.example", "prune-b.example", "prune-c.example"] {
        put(store, create(&new_zone(t, name))).await;
    }
    let due = store.due_webhook_deliveries(at(1), 100).await.unwrap();
    assert_eq!(due.len(), 3);
    let (delivered, given_up, retrying) = (&due[0], &due[1], &due[2]);
    finish(
        store,
        delivered,
        AttemptOutcome::Delivered { code: 200 },
        at(1),
        false,
    )
    .await;
    let failed = |code| AttemptOutcome::Failed {
        code: Some(code),
        error: "HTTP 503".into(),
    };
    finish(store, given_up, failed(503), at(25 * 3600), false).await;
    finish(store, retrying, failed(503), at(1), false).await;
    let status = |id| async move {
        store
            .get_webhook_delivery(id)
            .await
            .unwrap()
            .map(|d| d.status)
    };
    assert_eq!(
        status(given_up.delivery.id).await,
        Some(DeliveryStatus::Failed)
    );
    assert_eq!(
        status(retrying.delivery.id).await,
        Some(DeliveryStatus::Pending)
    );

    // Nothing is older than its own time.
    assert_eq!(store.prune_webhook_events(t0()).await.unwrap(), 0);

    // A redelivery starts the retention over: the delivered event is queued again at 2 h.
    store
        .requeue_webhook_delivery(delivered.delivery.id, at(7200), &[])
        .await
        .unwrap();
    let again = store
        .due_webhook_deliveries(at(7200), 100)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.delivery.id == delivered.delivery.id)
        .expect("queued again");
    finish(
        store,
        &again,
        AttemptOutcome::Delivered { code: 200 },
        at(7200),
        false,
    )
    .await;
    assert_eq!(store.prune_webhook_events(at(3600)).await.unwrap(), 1);
    assert_eq!(status(given_up.delivery.id).await, None);
    assert_eq!(
        status(delivered.delivery.id).await,
        Some(DeliveryStatus::Delivered)
    );

    // Long after: the delivered one goes too; the one still retrying stays, and is still
    // handed out (at least once), however old.
    assert_eq!(
        store.prune_webhook_events(at(40 * 86_400)).await.unwrap(),
        1
    );
    let log = store
        .list_webhook_deliveries(s.id, PageRequest::default())
        .await
        .unwrap();
    let left: Vec<_> = log.items.iter().map(|d| (d.id, d.status)).collect();
    assert_eq!(left, vec![(retrying.delivery.id, DeliveryStatus::Pending)]);
    let due = store
        .due_webhook_deliveries(at(40 * 86_400), 100)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].delivery.id, retrying.delivery.id);
    assert_eq!(due[0].event.id, retrying.event.id);
}

fn test_event(tenant: TenantId) -> WebhookEvent {
    WebhookEvent {
        id: WebhookEventId::new(),
        event_type: "test".into(),
        occurred_at: t0(),
        tenant_id: tenant,
        zone: None,
        actor: EventActor {
            actor_type: "system".into(),
            id: None,
            email: None,
        },
        request_id: None,
        resource: json!({}),
        before: None,
        after: None,
    }
}

async fn a_large_backlog_is_pruned_in_batches(store: &dyn Store) {
    let t = TenantId::new();
    let s = subscription(t, &["*"]);
    subscribe(store, &s).await;
    // More events than two batches; deleting the subscription takes their deliveries and
    // leaves the events with none pending: settled.
    let backlog = 1_001;
    for _ in 0..backlog {
        store
            .queue_webhook_event(s.id, &test_event(t), t0(), &[])
            .await
            .unwrap();
    }
    let keep = subscription(t, &["*"]);
    subscribe(store, &keep).await;
    let waiting = store
        .queue_webhook_event(keep.id, &test_event(t), t0(), &[])
        .await
        .unwrap();
    store.delete_webhook_subscription(s.id, &[]).await.unwrap();
    assert_eq!(store.prune_webhook_events(at(1)).await.unwrap(), backlog);
    assert_eq!(store.prune_webhook_events(at(1)).await.unwrap(), 0);
    assert_eq!(
        store
            .get_webhook_delivery(waiting.id)
            .await
            .unwrap()
            .map(|d| d.status),
        Some(DeliveryStatus::Pending)
    );
}

async fn concurrent_creates_stop_at_the_cap(store: &dyn Store) {
    let t = TenantId::new();
    let attempts: Vec<Subscription> = (0..40).map(|_| subscription(t, &["*"])).collect();
    let results = futures::future::join_all(
        attempts
            .iter()
            .map(|s| store.insert_webhook_subscription(s, &[])),
    )
    .await;
    let created = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(created as u64, MAX_SUBSCRIPTIONS_PER_TENANT);
    for refused in results.into_iter().filter(Result::is_err) {
        assert_code(refused, "webhook_subscription_limit");
    }
    let listed = store
        .list_webhook_subscriptions(t, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(listed.total, MAX_SUBSCRIPTIONS_PER_TENANT);
    // The cap is per tenant.
    subscribe(store, &subscription(TenantId::new(), &["*"])).await;
}

/// The cut-off of a huge `WEBHOOK_RETENTION_DAYS` (the service saturates it to
/// `retention::oldest_kept`'s floor) and dates before any engine's range keep everything:
/// no error, and above all nothing removed.
async fn the_earliest_cut_offs_keep_everything(store: &dyn Store) {
    let t = TenantId::new();
    let s = subscription(t, &["*"]);
    subscribe(store, &s).await;
    let delivery = store
        .queue_webhook_event(s.id, &test_event(t), t0(), &[])
        .await
        .unwrap();
    let due = store.due_webhook_deliveries(at(1), 100).await.unwrap();
    let mine = due.iter().find(|d| d.delivery.id == delivery.id).unwrap();
    finish(
        store,
        mine,
        AttemptOutcome::Delivered { code: 200 },
        at(1),
        false,
    )
    .await;
    let now = at(2);
    for before in [
        scaidns_core::service::retention::oldest_kept(now, chrono::Duration::MAX),
        scaidns_core::service::retention::oldest_kept(
            now,
            scaidns_core::service::retention::days(u32::MAX),
        ),
        scaidns_core::service::retention::oldest_kept(now, chrono::Duration::days(1_000_000)),
    ] {
        assert_eq!(
            store.prune_webhook_events(before).await.unwrap(),
            0,
            "{before}"
        );
    }
    assert_eq!(
        store
            .get_webhook_delivery(delivery.id)
            .await
            .unwrap()
            .map(|d| d.status),
        Some(DeliveryStatus::Delivered)
    );
}
