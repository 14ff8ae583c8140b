//! Store contract for DNSSEC key metadata and job leases, run on SQLite and MariaDB like the
//! rest of the store suite (`store_lifecycle::sqlite::*`, `store_lifecycle::mysql::*`).

use chrono::{DateTime, Duration, TimeZone, Utc};
use scaidns_core::audit::{ActorType, AuditEvent};
use scaidns_core::dnssec::KeyRole;
use scaidns_core::dnssec::{DnssecKey, DsRecord, KeyState};
use scaidns_core::ids::{AuditEventId, DnssecKeyId, TenantId, ZoneId};
use scaidns_core::name::ZoneName;
use scaidns_core::paging::PageRequest;
use scaidns_core::ports::Store;
use scaidns_core::ports::dnssec_key_store::DnssecKeyWrite;
use scaidns_core::ports::store::{AuditFilter, NoPublish, ZoneWrite};
use scaidns_core::record::Ttl;
use scaidns_core::zone::{DomainType, SyncState, SyncStatus, Zone, ZoneStatus};
use serde_json::json;

use crate::support::contract::contract;

contract!(
    Store:
    dnssec_keys_round_trip_with_their_zone_flag_and_audit,
    dnssec_key_writes_check_the_key_set,
    dnssec_key_writes_check_if_match_under_the_zone_lock,
    dnssec_keys_go_with_their_zone,
    jobs_are_leased_to_one_worker_at_a_time,
    racing_workers_claim_a_job_once,
);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 6, 7, 8, 9).unwrap() + Duration::microseconds(654_321)
}

async fn zone(store: &dyn Store, name: &str) -> Zone {
    let zone = Zone {
        id: ZoneId::new(),
        tenant_id: TenantId::new(),
        name: ZoneName::parse(name).unwrap(),
        domain_type: DomainType::Primary,
        status: ZoneStatus::Active,
        status_before_delete: None,
        default_ttl: Ttl::new(3600).unwrap(),
        description: None,
        settings: json!({}),
        dnssec_enabled: false,
        secondary: None,
        generation: 1,
        sync: SyncState {
            status: SyncStatus::InSync,
            error: None,
            last_synced_at: None,
        },
        created_at: t0(),
        updated_at: t0(),
        deleted_at: None,
    };
    let write = ZoneWrite {
        zone,
        expected_generation: None,
        new_records: Vec::new(),
        upsert_records: Vec::new(),
        delete_records: Vec::new(),
        validations: Vec::new(),
        audit: Vec::new(),
        changes: Vec::new(),
        comments: Vec::new(),
    };
    store.write_zone(write, &NoPublish).await.unwrap()
}

fn key(zone: ZoneId, role: KeyRole, tag: u16, state: KeyState) -> DnssecKey {
    DnssecKey {
        id: DnssecKeyId::new(),
        zone_id: zone,
        role,
        backend_id: 40_000 + u32::from(tag),
        algorithm: 13,
        bits: 256,
        key_tag: tag,
        dnskey: "257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==".into(),
        ds: vec![
            DsRecord { key_tag: tag, algorithm: 13, digest_type: 2, digest: "a".repeat(64) },
            DsRecord { key_tag: tag, algorithm: 13, digest_type: 4, digest: "b".repeat(96) },
        ],
        state,
        ds_confirmed_at: Some(t0() + Duration::seconds(5)),
        published_at: Some(t0()),
        activated_at: None,
        activate_at: Some(t0() + Duration::days(8)),
        retire_at: None,
        expires_at: Some(t0() + Duration::days(365)),
        created_at: t0(),
        updated_at: t0() + Duration::microseconds(1),
    }
}

fn audit(zone: &Zone, action: &str) -> AuditEvent {
    AuditEvent {
        id: AuditEventId::new(),
        tenant_id: Some(zone.tenant_id),
        actor_type: ActorType::System,
        actor_id: None,
        actor_email: None,
        action: action.into(),
        resource_type: "domain".into(),
        resource_id: Some(zone.id.to_string()),
        resource_name: Some(zone.name.to_string()),
        before: None,
        after: Some(json!({"key_tag": 1})),
        ip_address: None,
        user_agent: None,
        request_id: None,
        created_at: t0(),
    }
}

fn write(zone: &Zone, expected: &[&DnssecKey]) -> DnssecKeyWrite {
    DnssecKeyWrite {
        zone_id: zone.id,
        expected: expected.iter().map(|k| k.id).collect(),
        upsert: Vec::new(),
        delete: Vec::new(),
        dnssec_enabled: None,
        now: t0() + Duration::minutes(1),
        audit: Vec::new(),
        if_match: scaidns_core::zone::precondition::IfMatch::Any,
    }
}

async fn actions(store: &dyn Store) -> Vec<String> {
    let page = PageRequest {
        page: 1,
        page_size: 100,
    };
    let mut found: Vec<String> = store
        .list_audit(&AuditFilter::default(), page)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect();
    found.sort();
    found
}

async fn dnssec_keys_round_trip_with_their_zone_flag_and_audit(store: &dyn Store) {
    let z = zone(store, "signed.example").await;
    let ksk = key(z.id, KeyRole::Ksk, 11, KeyState::Active);
    let mut zsk = key(z.id, KeyRole::Zsk, 22, KeyState::Published);
    zsk.ds.clear();
    zsk.ds_confirmed_at = None;
    let mut w = write(&z, &[]);
    w.upsert = vec![ksk.clone(), zsk.clone()];
    w.dnssec_enabled = Some(true);
    w.audit = vec![audit(&z, "dnssec.enable")];
    store.write_dnssec_keys(w).await.unwrap();

    let stored = store.list_dnssec_keys(z.id).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored.contains(&ksk), "{stored:?}");
    assert!(stored.contains(&zsk));
    let after = store.get_zone(z.id).await.unwrap().unwrap();
    assert!(after.dnssec_enabled);
    assert_eq!(
        after.generation,
        z.generation + 1,
        "the flag bumps the generation"
    );
    assert_eq!(after.updated_at, t0() + Duration::minutes(1));
    assert_eq!(actions(store).await, vec!["dnssec.enable"]);
    assert_eq!(store.zones_with_dnssec_keys().await.unwrap(), vec![z.id]);

    // Replace one, delete the other, leave the flag alone.
    let mut moved = zsk.clone();
    moved.state = KeyState::Active;
    moved.activate_at = None;
    moved.activated_at = Some(t0() + Duration::days(8));
    let mut w = write(&z, &[&ksk, &zsk]);
    w.upsert = vec![moved.clone()];
    w.delete = vec![ksk.id];
    store.write_dnssec_keys(w).await.unwrap();
    assert_eq!(
        store.list_dnssec_keys(z.id).await.unwrap(),
        vec![moved.clone()]
    );
    let unchanged = store.get_zone(z.id).await.unwrap().unwrap();
    assert_eq!(unchanged.generation, after.generation);

    let mut w = write(&z, &[&moved]);
    w.delete = vec![moved.id];
    w.dnssec_enabled = Some(false);
    store.write_dnssec_keys(w).await.unwrap();
    assert!(store.list_dnssec_keys(z.id).await.unwrap().is_empty());
    assert!(!store.get_zone(z.id).await.unwrap().unwrap().dnssec_enabled);
    assert!(store.zones_with_dnssec_keys().await.unwrap().is_empty());
}

async fn dnssec_key_writes_check_the_key_set(store: &dyn Store) {
    let z = zone(store, "race.example").await;
    let first = key(z.id, KeyRole::Ksk, 1, KeyState::Active);
    let mut w = write(&z, &[]);
    w.upsert = vec![first.clone()];
    store.write_dnssec_keys(w).await.unwrap();

    // A writer that read the empty set loses, and changes nothing (audit included).
    let mut stale = write(&z, &[]);
    stale.upsert = vec![key(z.id, KeyRole::Ksk, 2, KeyState::Active)];
    stale.dnssec_enabled = Some(true);
    stale.audit = vec![audit(&z, "dnssec.enable")];
    let err = store.write_dnssec_keys(stale).await.unwrap_err();
    assert_eq!(err.code(), "dnssec_changed", "{err:?}");
    assert_eq!(
        store.list_dnssec_keys(z.id).await.unwrap(),
        vec![first.clone()]
    );
    assert!(actions(store).await.is_empty());
    assert!(!store.get_zone(z.id).await.unwrap().unwrap().dnssec_enabled);

    // Keys of another zone, or an unknown zone, are refused.
    let other = zone(store, "other.example").await;
    let mut cross = write(&z, &[&first]);
    cross.upsert = vec![key(other.id, KeyRole::Zsk, 3, KeyState::Active)];
    assert_eq!(
        store.write_dnssec_keys(cross).await.unwrap_err().code(),
        "internal_error"
    );
    let mut ghost = write(&z, &[]);
    ghost.zone_id = ZoneId::new();
    assert_eq!(
        store.write_dnssec_keys(ghost).await.unwrap_err().code(),
        "not_found"
    );
}

async fn dnssec_key_writes_check_if_match_under_the_zone_lock(store: &dyn Store) {
    use scaidns_core::zone::precondition::IfMatch;
    let z = zone(store, "tagged.example").await;
    // A caller whose copy of the zone is a generation behind: 412, and nothing written.
    let mut stale = write(&z, &[]);
    stale.upsert = vec![key(z.id, KeyRole::Ksk, 1, KeyState::Active)];
    stale.dnssec_enabled = Some(true);
    stale.audit = vec![audit(&z, "dnssec.enable")];
    stale.if_match = IfMatch::Generations(vec![z.generation - 1]);
    let err = store.write_dnssec_keys(stale.clone()).await.unwrap_err();
    assert_eq!(err.code(), "precondition_failed", "{err:?}");
    assert!(store.list_dnssec_keys(z.id).await.unwrap().is_empty());
    assert!(actions(store).await.is_empty());
    let unchanged = store.get_zone(z.id).await.unwrap().unwrap();
    assert_eq!(unchanged.generation, z.generation);
    assert!(!unchanged.dnssec_enabled);
    // The current generation applies.
    stale.if_match = IfMatch::Generations(vec![z.generation]);
    store.write_dnssec_keys(stale).await.unwrap();
    assert_eq!(store.list_dnssec_keys(z.id).await.unwrap().len(), 1);
}

async fn dnssec_keys_go_with_their_zone(store: &dyn Store) {
    let z = zone(store, "gone.example").await;
    let keep = zone(store, "kept.example").await;
    for zone in [&z, &keep] {
        let mut w = write(zone, &[]);
        w.upsert = vec![key(zone.id, KeyRole::Ksk, 1, KeyState::Active)];
        store.write_dnssec_keys(w).await.unwrap();
    }
    store
        .purge_zone(z.id, z.generation, Vec::new(), &NoPublish)
        .await
        .unwrap();
    assert!(store.list_dnssec_keys(z.id).await.unwrap().is_empty());
    assert_eq!(store.list_dnssec_keys(keep.id).await.unwrap().len(), 1);
    assert_eq!(store.zones_with_dnssec_keys().await.unwrap(), vec![keep.id]);
}

async fn jobs_are_leased_to_one_worker_at_a_time(store: &dyn Store) {
    let now = t0();
    let lease = Duration::minutes(5);
    store.ensure_job("sync_pending", now).await.unwrap();
    // Registering again keeps the schedule.
    store
        .ensure_job("sync_pending", now + Duration::days(1))
        .await
        .unwrap();
    assert!(
        !store
            .claim_job("sync_pending", "a", now - Duration::seconds(1), now + lease)
            .await
            .unwrap(),
        "not due yet"
    );
    assert!(
        store
            .claim_job("sync_pending", "a", now, now + lease)
            .await
            .unwrap()
    );
    assert!(
        !store
            .claim_job("sync_pending", "b", now, now + lease)
            .await
            .unwrap()
    );
    assert!(
        !store
            .claim_job("unknown", "b", now, now + lease)
            .await
            .unwrap()
    );
    assert!(
        store
            .renew_job_lease("sync_pending", "a", now + lease * 2)
            .await
            .unwrap()
    );
    assert!(
        !store
            .renew_job_lease("sync_pending", "b", now + lease)
            .await
            .unwrap()
    );

    // Worker a dies: once its lease lapses, b takes the job over and a cannot finish it.
    let later = now + lease * 2;
    assert!(
        !store
            .claim_job(
                "sync_pending",
                "b",
                later - Duration::seconds(1),
                later + lease
            )
            .await
            .unwrap()
    );
    assert!(
        store
            .claim_job("sync_pending", "b", later, later + lease)
            .await
            .unwrap()
    );
    assert!(
        !store
            .finish_job("sync_pending", "a", later, later + lease, None)
            .await
            .unwrap()
    );
    let next = later + Duration::minutes(1);
    assert!(
        store
            .finish_job("sync_pending", "b", later, next, Some("backend down"))
            .await
            .unwrap()
    );

    let jobs = store.list_jobs().await.unwrap();
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    assert_eq!(job.name, "sync_pending");
    assert_eq!(job.next_run_at, next);
    assert_eq!(job.lease_owner, None);
    assert_eq!(job.lease_expires_at, None);
    assert_eq!(job.last_started_at, Some(later));
    assert_eq!(job.last_finished_at, Some(later));
    assert_eq!(job.last_error.as_deref(), Some("backend down"));
    assert_eq!(job.run_count, 2);

    assert!(
        !store
            .claim_job("sync_pending", "a", later, later + lease)
            .await
            .unwrap()
    );
    assert!(
        store
            .claim_job("sync_pending", "a", next, next + lease)
            .await
            .unwrap()
    );
    assert!(
        store
            .finish_job("sync_pending", "a", next, next, None)
            .await
            .unwrap()
    );
    assert_eq!(store.list_jobs().await.unwrap()[0].last_error, None);
}

async fn racing_workers_claim_a_job_once(store: &dyn Store) {
    let now = t0();
    store.ensure_job("purge_deleted", now).await.unwrap();
    // Eight workers polled together on this task: each claim is in flight at once, on its own
    // connection, as with separate worker processes.
    let claims = (0..8).map(|worker| async move {
        store
            .claim_job(
                "purge_deleted",
                &format!("worker-{worker}"),
                now,
                now + Duration::minutes(5),
            )
            .await
            .unwrap()
    });
    let won = futures::future::join_all(claims)
        .await
        .into_iter()
        .filter(|&claimed| claimed)
        .count();
    assert_eq!(won, 1);
    assert_eq!(store.list_jobs().await.unwrap()[0].run_count, 1);
}
