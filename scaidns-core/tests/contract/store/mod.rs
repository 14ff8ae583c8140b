//! Store contract: one behaviour suite, written once against [`Store`] (every behaviour takes
//! `&dyn Store`), run on SQLite and on MariaDB (`store::<topic>::sqlite::*`,
//! `store::<topic>::mysql::*`). Every behaviour gets a fresh, migrated database. The checks that
//! need the SQL adapter itself live in `sql_adapter`.

mod api_keys;
mod audit_settings;
mod claims;
mod idempotency;
mod ordered_publication;
mod record_search;
mod records;
mod rrset_comments;
mod sql_adapter;
mod templates;
mod tenants;
mod webhooks;
mod zone_history;
mod zone_lifecycle;
mod zone_writes;
mod zones;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use scaidns_core::Error;
use scaidns_core::audit::{ActorType, AuditEvent};
use scaidns_core::error::{ErrorKind, Result};
use scaidns_core::identity::api_key::{ApiKey, ApiKeyStatus, PermissionSource};
use scaidns_core::ids::{ApiKeyId, AuditEventId, RecordId, TenantId, UserId, ValidationId, ZoneId};
use scaidns_core::name::ZoneName;
use scaidns_core::ownership::{Validation, ValidationStatus, ValidationType};
use scaidns_core::paging::PageRequest;
use scaidns_core::ports::Store;
use scaidns_core::ports::store::{
    ApiKeyFilter, AuditFilter, NoPublish, PublishOutcome, Publisher, RecordFilter, RecordStore,
    ZoneFilter, ZoneStore, ZoneWrite,
};
use scaidns_core::record::{Record, RecordContent, RecordName, RecordType, Ttl};
use scaidns_core::tenant::{Tenant, TenantStatus, User};
use scaidns_core::zone::claims::OverlapPolicy;
use scaidns_core::zone::{DomainType, SyncState, SyncStatus, Zone, ZoneStatus};
use serde_json::json;

// ----- fixtures -----

/// A fixed instant with a non-zero microsecond part, so truncation bugs show.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap() + Duration::microseconds(123_456)
}

fn at(seconds: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(seconds)
}

fn zname(name: &str) -> ZoneName {
    ZoneName::parse(name).unwrap()
}

fn new_zone(tenant: TenantId, name: &str) -> Zone {
    Zone {
        id: ZoneId::new(),
        tenant_id: tenant,
        name: zname(name),
        domain_type: DomainType::Primary,
        status: ZoneStatus::Active,
        status_before_delete: None,
        default_ttl: Ttl::new(3600).unwrap(),
        description: None,
        settings: json!({}),
        dnssec_enabled: false,
        generation: 1,
        sync: SyncState {
            status: SyncStatus::Pending,
            error: None,
            last_synced_at: None,
        },
        created_at: t0(),
        updated_at: t0(),
        deleted_at: None,
        secondary: None,
    }
}

fn record(zone: &Zone, name: &str, rtype: RecordType, content: &str) -> Record {
    Record {
        id: RecordId::new(),
        zone_id: zone.id,
        name: RecordName::parse(name, &zone.name).unwrap(),
        content: RecordContent::parse(rtype, content, &zone.name).unwrap(),
        ttl: Ttl::new(300).unwrap(),
        disabled: false,
        system: false,
        created_at: t0(),
        updated_at: t0(),
    }
}

fn event(tenant: Option<TenantId>, action: &str, resource_id: &str) -> AuditEvent {
    AuditEvent {
        id: AuditEventId::new(),
        tenant_id: tenant,
        actor_type: ActorType::User,
        actor_id: Some("actor-1".into()),
        actor_email: Some("alice@example.com".into()),
        action: action.into(),
        resource_type: action.split('.').next().unwrap().into(),
        resource_id: Some(resource_id.into()),
        resource_name: None,
        before: None,
        after: None,
        ip_address: None,
        user_agent: None,
        request_id: None,
        created_at: t0(),
    }
}

fn create(zone: &Zone) -> ZoneWrite {
    ZoneWrite {
        zone: zone.clone(),
        expected_generation: None,
        new_records: Vec::new(),
        upsert_records: Vec::new(),
        delete_records: Vec::new(),
        validations: Vec::new(),
        audit: vec![event(
            Some(zone.tenant_id),
            "domain.create",
            &zone.id.to_string(),
        )],
        changes: Vec::new(),
        comments: Vec::new(),
    }
}

/// The next write of `zone`, with the generation bumped and no other change yet.
fn change(zone: &Zone) -> ZoneWrite {
    let mut next = zone.clone();
    next.generation += 1;
    next.updated_at += Duration::seconds(1);
    ZoneWrite {
        zone: next,
        expected_generation: Some(zone.generation),
        new_records: Vec::new(),
        upsert_records: Vec::new(),
        delete_records: Vec::new(),
        validations: Vec::new(),
        audit: Vec::new(),
        changes: Vec::new(),
        comments: Vec::new(),
    }
}

async fn put(store: &dyn Store, write: ZoneWrite) -> Zone {
    store.write_zone(write, &NoPublish).await.unwrap()
}

fn assert_code<T: std::fmt::Debug>(result: Result<T>, code: &str) -> Error {
    let err = result.expect_err(&format!("expected {code}"));
    assert_eq!(err.code(), code, "{err:?}");
    err
}

async fn all_audit(store: &dyn Store) -> Vec<AuditEvent> {
    store
        .list_audit(
            &AuditFilter::default(),
            PageRequest {
                page: 1,
                page_size: 100,
            },
        )
        .await
        .unwrap()
        .items
}

async fn all_records(store: &dyn Store, zone: ZoneId) -> Vec<Record> {
    store
        .list_records(
            zone,
            &RecordFilter {
                include_system: true,
                ..Default::default()
            },
        )
        .await
        .unwrap()
}

fn names(zones: &[Zone]) -> Vec<&str> {
    zones.iter().map(|z| z.name.as_str()).collect()
}

/// Answers with a fixed outcome and counts its calls.
struct Fixed {
    outcome: Result<PublishOutcome>,
    calls: AtomicUsize,
    delay: StdDuration,
}

impl Fixed {
    fn new(outcome: Result<PublishOutcome>) -> Self {
        Self {
            outcome,
            calls: AtomicUsize::new(0),
            delay: StdDuration::ZERO,
        }
    }

    fn failing() -> Self {
        Self::new(Err(Error::new(
            ErrorKind::Upstream,
            "backend_unavailable",
            "PowerDNS refused",
        )))
    }
}

#[async_trait]
impl Publisher for Fixed {
    async fn publish(&self) -> Result<PublishOutcome> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        self.outcome.clone()
    }
}

fn validation(zone: ZoneId, status: ValidationStatus, created: i64) -> Validation {
    Validation {
        id: ValidationId::new(),
        zone_id: zone,
        validation_type: ValidationType::TxtRecord,
        status,
        token: format!("token-{created}"),
        last_message: None,
        checked_at: None,
        check_count: 0,
        expires_at: at(created + 72 * 3600),
        created_at: at(created),
        updated_at: at(created),
    }
}
