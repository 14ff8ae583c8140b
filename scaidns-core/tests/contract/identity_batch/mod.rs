//! `IdentityBatchStore` contract (webhook events and sync steps applied as one transaction:
//! event id, rows, audit entries), run on SQLite and MariaDB like `store`.
//!
//! `events` holds the event bookkeeping, `upserts` the rows; the fixtures are here.

mod events;
mod upserts;

use chrono::{DateTime, Duration, TimeZone, Utc};
use scaidns_core::audit::{ActorType, AuditEvent};
use scaidns_core::ids::{AuditEventId, GroupId, PartnerId, TenantId, UserId};
use scaidns_core::paging::PageRequest;
use scaidns_core::ports::Store;
use scaidns_core::ports::identity_store::{
    BatchOutcome, IdentityBatch, IdentityChange, ProcessedEvent,
};
use scaidns_core::ports::store::AuditFilter;
use scaidns_core::tenant::{
    Group, GroupType, Partner, PartnerStatus, Tenant, TenantStatus, User, UserStatus,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap() + Duration::microseconds(654_321)
}

fn audit(event_id: &str, action: &str, resource_id: &str) -> AuditEvent {
    AuditEvent {
        id: AuditEventId::new(),
        tenant_id: None,
        actor_type: ActorType::Webhook,
        actor_id: Some(event_id.into()),
        actor_email: None,
        action: action.into(),
        resource_type: action.split('.').next().unwrap().into(),
        resource_id: Some(resource_id.into()),
        resource_name: None,
        before: None,
        after: Some(serde_json::json!({ "id": resource_id })),
        ip_address: None,
        user_agent: None,
        request_id: None,
        created_at: t0(),
    }
}

fn processed(event_id: &str, event_type: &str) -> Option<ProcessedEvent> {
    Some(ProcessedEvent {
        event_id: event_id.into(),
        event_type: event_type.into(),
        received_at: t0(),
    })
}

fn partner(scaikey: &str) -> Partner {
    Partner {
        id: PartnerId::new(),
        name: format!("Partner {scaikey}"),
        slug: Some(format!("slug-{scaikey}")),
        scaikey_partner_id: scaikey.into(),
        status: PartnerStatus::Active,
        created_at: t0(),
        updated_at: t0(),
    }
}

fn tenant(scaikey: &str) -> Tenant {
    Tenant {
        id: TenantId::new(),
        name: format!("Tenant {scaikey}"),
        slug: format!("tenant-{scaikey}"),
        scaikey_tenant_id: Some(scaikey.into()),
        status: TenantStatus::Active,
        is_platform: false,
        suspended_locally: false,
        partner_id: None,
        settings: serde_json::json!({}),
        created_at: t0(),
        updated_at: t0(),
    }
}

fn user(tenant: TenantId, scaikey: &str) -> User {
    User {
        id: UserId::new(),
        tenant_id: tenant,
        email: format!("{scaikey}@example.com"),
        first_name: Some("Ada".into()),
        last_name: None,
        scaikey_user_id: Some(scaikey.into()),
        status: UserStatus::Active,
        is_platform_admin: false,
        is_tenant_admin: false,
        created_at: t0(),
        updated_at: t0(),
    }
}

fn group(tenant: TenantId, scaikey: &str) -> Group {
    Group {
        id: GroupId::new(),
        tenant_id: tenant,
        name: format!("group-{scaikey}"),
        description: None,
        group_type: GroupType::Security,
        scaikey_group_id: Some(scaikey.into()),
        created_at: t0(),
        updated_at: t0(),
    }
}

/// Every audit entry, as (action, actor id, resource id), sorted.
async fn audit_rows(store: &dyn Store) -> Vec<(String, Option<String>, Option<String>)> {
    let mut rows: Vec<_> = store
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
        .into_iter()
        .map(|e| {
            assert_eq!(e.actor_type, ActorType::Webhook);
            (e.action, e.actor_id, e.resource_id)
        })
        .collect();
    rows.sort();
    rows
}

/// One event creating a partner, a tenant under it, a user and a group with that user.
fn onboarding(event_id: &str) -> (IdentityBatch, Partner, Tenant, User, Group) {
    let p = partner("prt_1");
    let mut t = tenant("tnt_1");
    // The row read back carries the partner the change sets.
    t.partner_id = Some(p.id);
    let u = user(t.id, "usr_1");
    let g = group(t.id, "grp_1");
    let batch = IdentityBatch {
        event: processed(event_id, "tenant.created"),
        changes: vec![
            IdentityChange::Partner(p.clone()),
            IdentityChange::Tenant {
                tenant: t.clone(),
                partner_id: Some(p.id),
            },
            IdentityChange::User(u.clone()),
            IdentityChange::Group(g.clone()),
            IdentityChange::AddMember {
                group: g.id,
                user: u.id,
            },
        ],
        audit: vec![
            audit(event_id, "partner.create", &p.id.to_string()),
            audit(event_id, "tenant.create", &t.id.to_string()),
            audit(event_id, "user.create", &u.id.to_string()),
        ],
    };
    (batch, p, t, u, g)
}
