//! `IdentityBatchStore` contract (webhook events and sync steps applied as one transaction:
//! event id, rows, audit entries), run on SQLite and MariaDB like `store`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::audit::{ActorType, AuditEvent};
use scaidns_core::ids::{AuditEventId, GroupId, PartnerId, TenantId, UserId};
use scaidns_core::ports::identity_store::{
    BatchOutcome, GroupStore, IdentityBatch, IdentityBatchStore, IdentityChange, ProcessedEvent,
};
use scaidns_core::ports::store::{AuditFilter, AuditStore, PageRequest, TenantStore, UserStore};
use scaidns_core::tenant::{
    Group, GroupType, Partner, PartnerStatus, Tenant, TenantStatus, User, UserStatus,
};

/// Runs each listed `async fn(&SqlStore)` once per engine.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = crate::support::db::TestDb::sqlite().await;
                    super::$name(&db.store).await;
                }
            )*
        }
        mod mysql {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = crate::support::db::TestDb::mysql().await;
                    super::$name(&db.store).await;
                }
            )*
        }
    };
}

contract!(
    event_applied_once_then_duplicate,
    failing_batch_rolls_back_everything_including_the_event_id,
    upserts_by_scaikey_id_are_idempotent,
    memberships_and_group_deletes_in_batches,
    sync_batches_without_event_are_not_deduplicated,
);

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
async fn audit_rows(store: &SqlStore) -> Vec<(String, Option<String>, Option<String>)> {
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
    let t = tenant("tnt_1");
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

async fn event_applied_once_then_duplicate(store: &SqlStore) {
    assert!(!store.webhook_event_seen("evt_1").await.unwrap());
    let (batch, p, t, u, g) = onboarding("evt_1");
    assert_eq!(
        store.apply_identity_batch(&batch).await.unwrap(),
        BatchOutcome::Applied
    );

    assert!(store.webhook_event_seen("evt_1").await.unwrap());
    assert!(!store.webhook_event_seen("evt_2").await.unwrap());
    assert_eq!(
        store.get_partner_by_scaikey_id("prt_1").await.unwrap(),
        Some(p.clone())
    );
    assert_eq!(store.get_tenant(t.id).await.unwrap(), Some(t.clone()));
    assert_eq!(store.tenant_partner_id(t.id).await.unwrap(), Some(p.id));
    assert_eq!(store.get_user(u.id).await.unwrap(), Some(u.clone()));
    assert_eq!(store.get_group(g.id).await.unwrap(), Some(g.clone()));
    assert_eq!(store.group_member_ids(g.id).await.unwrap(), vec![u.id]);
    let expected_audit = {
        let mut rows = vec![
            (
                "partner.create".to_owned(),
                Some("evt_1".to_owned()),
                Some(p.id.to_string()),
            ),
            (
                "tenant.create".to_owned(),
                Some("evt_1".to_owned()),
                Some(t.id.to_string()),
            ),
            (
                "user.create".to_owned(),
                Some("evt_1".to_owned()),
                Some(u.id.to_string()),
            ),
        ];
        rows.sort();
        rows
    };
    assert_eq!(audit_rows(store).await, expected_audit);

    // The same event id again, even carrying different changes: nothing is written.
    let mut replay = batch.clone();
    let mut renamed = p.clone();
    renamed.name = "Renamed by a replay".into();
    let stranger = user(t.id, "usr_replay");
    replay.changes = vec![
        IdentityChange::Partner(renamed),
        IdentityChange::User(stranger.clone()),
        IdentityChange::RemoveMember {
            group: g.id,
            user: u.id,
        },
    ];
    replay.audit = vec![audit("evt_1", "user.create", &stranger.id.to_string())];
    assert_eq!(
        store.apply_identity_batch(&replay).await.unwrap(),
        BatchOutcome::Duplicate
    );
    assert_eq!(
        store.apply_identity_batch(&batch).await.unwrap(),
        BatchOutcome::Duplicate
    );
    assert_eq!(
        store.get_partner_by_scaikey_id("prt_1").await.unwrap(),
        Some(p)
    );
    assert!(store.get_user(stranger.id).await.unwrap().is_none());
    assert_eq!(store.group_member_ids(g.id).await.unwrap(), vec![u.id]);
    assert_eq!(audit_rows(store).await, expected_audit);
    assert_eq!(store.list_partners().await.unwrap().len(), 1);
}

async fn failing_batch_rolls_back_everything_including_the_event_id(store: &SqlStore) {
    // Someone already holds the e-mail the event's user will carry.
    let t = tenant("tnt_1");
    let holder = user(t.id, "usr_holder");
    store
        .apply_identity_batch(&IdentityBatch {
            event: None,
            changes: vec![
                IdentityChange::Tenant {
                    tenant: t.clone(),
                    partner_id: None,
                },
                IdentityChange::User(holder.clone()),
            ],
            audit: vec![],
        })
        .await
        .unwrap();

    let p = partner("prt_9");
    let other = tenant("tnt_9");
    let g = group(other.id, "grp_9");
    let mut clash = user(other.id, "usr_9");
    clash.email = holder.email.to_uppercase(); // stored lowercase: the same address
    let failing = IdentityBatch {
        event: processed("evt_fail", "user.created"),
        changes: vec![
            IdentityChange::Partner(p.clone()),
            IdentityChange::Tenant {
                tenant: other.clone(),
                partner_id: Some(p.id),
            },
            IdentityChange::Group(g.clone()),
            IdentityChange::User(clash.clone()),
        ],
        audit: vec![audit("evt_fail", "user.create", &clash.id.to_string())],
    };
    let err = store.apply_identity_batch(&failing).await.unwrap_err();
    assert_eq!(err.code(), "identity_conflict", "{err:?}");

    // Nothing of it stayed: not the rows written before the failure, not the audit entry,
    // not the event id.
    assert!(!store.webhook_event_seen("evt_fail").await.unwrap());
    assert!(
        store
            .get_partner_by_scaikey_id("prt_9")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.list_partners().await.unwrap().is_empty());
    assert!(store.get_tenant(other.id).await.unwrap().is_none());
    assert!(store.get_group(g.id).await.unwrap().is_none());
    assert!(store.get_user(clash.id).await.unwrap().is_none());
    assert_eq!(
        store.get_user(holder.id).await.unwrap(),
        Some(holder.clone())
    );
    assert!(audit_rows(store).await.is_empty());

    // A unique violation on a provider id fails the same way.
    let mut stolen = group(t.id, "grp_9");
    stolen.name = "another".into();
    let mut twice = failing.clone();
    twice.changes = vec![
        IdentityChange::Partner(p.clone()),
        IdentityChange::Group(g.clone()),
        IdentityChange::Group(stolen),
    ];
    assert_eq!(
        store.apply_identity_batch(&twice).await.unwrap_err().code(),
        "identity_conflict"
    );
    assert!(!store.webhook_event_seen("evt_fail").await.unwrap());
    assert!(store.get_group(g.id).await.unwrap().is_none());

    // The provider redelivers once the conflict is gone: the event applies in full.
    let mut fixed = failing.clone();
    clash.email = "usr_9@example.com".into();
    fixed.changes[3] = IdentityChange::User(clash.clone());
    assert_eq!(
        store.apply_identity_batch(&fixed).await.unwrap(),
        BatchOutcome::Applied
    );
    assert!(store.webhook_event_seen("evt_fail").await.unwrap());
    assert_eq!(
        store.get_partner_by_scaikey_id("prt_9").await.unwrap(),
        Some(p.clone())
    );
    assert_eq!(store.tenant_partner_id(other.id).await.unwrap(), Some(p.id));
    assert_eq!(store.get_group(g.id).await.unwrap(), Some(g));
    assert_eq!(store.get_user(clash.id).await.unwrap(), Some(clash.clone()));
    assert_eq!(
        audit_rows(store).await,
        vec![(
            "user.create".to_owned(),
            Some("evt_fail".to_owned()),
            Some(clash.id.to_string())
        )]
    );
}

async fn upserts_by_scaikey_id_are_idempotent(store: &SqlStore) {
    let p = partner("prt_1");
    let t = tenant("tnt_1");
    let u = user(t.id, "usr_1");
    let g = group(t.id, "grp_1");
    let changes = vec![
        IdentityChange::Partner(p.clone()),
        IdentityChange::Tenant {
            tenant: t.clone(),
            partner_id: Some(p.id),
        },
        IdentityChange::User(u.clone()),
        IdentityChange::Group(g.clone()),
    ];
    // The same rows from three distinct deliveries (and a sync step): one row each.
    for event_id in ["evt_a", "evt_b", "evt_c"] {
        let batch = IdentityBatch {
            event: processed(event_id, "tenant.updated"),
            changes: changes.clone(),
            audit: vec![],
        };
        assert_eq!(
            store.apply_identity_batch(&batch).await.unwrap(),
            BatchOutcome::Applied
        );
    }
    store
        .apply_identity_batch(&IdentityBatch {
            event: None,
            changes: changes.clone(),
            audit: vec![],
        })
        .await
        .unwrap();
    assert_eq!(store.list_partners().await.unwrap(), vec![p.clone()]);
    assert_eq!(
        store.get_tenant_by_scaikey_id("tnt_1").await.unwrap(),
        Some(t.clone())
    );
    assert_eq!(
        store.get_user_by_scaikey_id("usr_1").await.unwrap(),
        Some(u.clone())
    );
    assert_eq!(
        store.get_group_by_scaikey_id("grp_1").await.unwrap(),
        Some(g.clone())
    );
    let groups = store
        .list_groups(
            Some(t.id),
            PageRequest {
                page: 1,
                page_size: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(groups.total, 1);

    // An update replaces each row in place (same id), found by the same provider id.
    let later = t0() + Duration::seconds(30);
    let mut p2 = p.clone();
    p2.name = "Partner renamed".into();
    p2.status = PartnerStatus::Suspended;
    p2.updated_at = later;
    let mut t2 = t.clone();
    t2.name = "Tenant renamed".into();
    t2.status = TenantStatus::Suspended;
    t2.updated_at = later;
    let mut u2 = u.clone();
    u2.email = "ada.new@example.com".into();
    u2.status = UserStatus::Inactive;
    u2.last_name = Some("Lovelace".into());
    u2.updated_at = later;
    let mut g2 = g.clone();
    g2.name = "renamed".into();
    g2.group_type = GroupType::DistributionList;
    g2.description = Some("now a list".into());
    g2.updated_at = later;
    let update = IdentityBatch {
        event: processed("evt_update", "tenant.updated"),
        changes: vec![
            IdentityChange::Partner(p2.clone()),
            IdentityChange::Tenant {
                tenant: t2.clone(),
                partner_id: None,
            },
            IdentityChange::User(u2.clone()),
            IdentityChange::Group(g2.clone()),
        ],
        audit: vec![audit("evt_update", "tenant.update", &t.id.to_string())],
    };
    for _ in 0..2 {
        store.apply_identity_batch(&update).await.unwrap();
    }
    assert_eq!(store.list_partners().await.unwrap(), vec![p2.clone()]);
    assert_eq!(
        store.get_partner_by_scaikey_id("prt_1").await.unwrap(),
        Some(p2)
    );
    assert_eq!(
        store.get_tenant_by_scaikey_id("tnt_1").await.unwrap(),
        Some(t2)
    );
    assert_eq!(store.tenant_partner_id(t.id).await.unwrap(), None);
    assert_eq!(
        store.get_user_by_scaikey_id("usr_1").await.unwrap(),
        Some(u2)
    );
    assert!(
        store
            .get_user_by_email("ada.new@example.com")
            .await
            .unwrap()
            .is_some()
    );
    assert!(store.get_user_by_email(&u.email).await.unwrap().is_none());
    assert_eq!(
        store.get_group_by_scaikey_id("grp_1").await.unwrap(),
        Some(g2)
    );
    // The second delivery of the update was a duplicate: one audit entry.
    assert_eq!(audit_rows(store).await.len(), 1);
}

async fn memberships_and_group_deletes_in_batches(store: &SqlStore) {
    let t = tenant("tnt_1");
    let (ada, bob) = (user(t.id, "usr_ada"), user(t.id, "usr_bob"));
    let g = group(t.id, "grp_1");
    let add = |event_id: &str| IdentityBatch {
        event: processed(event_id, "group.member_added"),
        changes: vec![
            IdentityChange::AddMember {
                group: g.id,
                user: ada.id,
            },
            IdentityChange::AddMember {
                group: g.id,
                user: ada.id,
            },
            IdentityChange::AddMember {
                group: g.id,
                user: bob.id,
            },
        ],
        audit: vec![],
    };
    store
        .apply_identity_batch(&IdentityBatch {
            event: None,
            changes: vec![
                IdentityChange::Tenant {
                    tenant: t.clone(),
                    partner_id: None,
                },
                IdentityChange::User(ada.clone()),
                IdentityChange::User(bob.clone()),
                IdentityChange::Group(g.clone()),
            ],
            audit: vec![],
        })
        .await
        .unwrap();
    store.apply_identity_batch(&add("evt_1")).await.unwrap();
    store.apply_identity_batch(&add("evt_2")).await.unwrap();
    let mut both = vec![ada.id, bob.id];
    both.sort();
    assert_eq!(store.group_member_ids(g.id).await.unwrap(), both);

    store
        .apply_identity_batch(&IdentityBatch {
            event: processed("evt_3", "group.member_removed"),
            changes: vec![
                IdentityChange::RemoveMember {
                    group: g.id,
                    user: bob.id,
                },
                IdentityChange::RemoveMember {
                    group: g.id,
                    user: bob.id,
                },
            ],
            audit: vec![],
        })
        .await
        .unwrap();
    assert_eq!(store.group_member_ids(g.id).await.unwrap(), vec![ada.id]);

    let delete = IdentityBatch {
        event: processed("evt_4", "group.deleted"),
        changes: vec![
            IdentityChange::DeleteGroup(g.id),
            IdentityChange::DeleteGroup(g.id),
            IdentityChange::DeleteGroup(GroupId::new()),
        ],
        audit: vec![audit("evt_4", "group.delete", &g.id.to_string())],
    };
    store.apply_identity_batch(&delete).await.unwrap();
    assert!(store.get_group(g.id).await.unwrap().is_none());
    assert!(store.group_member_ids(g.id).await.unwrap().is_empty());
    assert!(store.user_group_ids(ada.id).await.unwrap().is_empty());
    // The users themselves stay.
    assert!(store.get_user(ada.id).await.unwrap().is_some());
    assert_eq!(audit_rows(store).await.len(), 1);
}

async fn sync_batches_without_event_are_not_deduplicated(store: &SqlStore) {
    let t = tenant("tnt_1");
    let sync = |name: &str| {
        let mut renamed = t.clone();
        renamed.name = name.into();
        IdentityBatch {
            event: None,
            changes: vec![IdentityChange::Tenant {
                tenant: renamed,
                partner_id: None,
            }],
            audit: vec![audit("sync", "tenant.update", &t.id.to_string())],
        }
    };
    for name in ["First", "Second", "Second"] {
        assert_eq!(
            store.apply_identity_batch(&sync(name)).await.unwrap(),
            BatchOutcome::Applied
        );
    }
    assert_eq!(
        store.get_tenant(t.id).await.unwrap().map(|t| t.name),
        Some("Second".to_owned())
    );
    assert_eq!(audit_rows(store).await.len(), 3);
}
