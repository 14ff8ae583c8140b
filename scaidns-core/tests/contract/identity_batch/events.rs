//! Webhook events: applied once, rolled back whole with their event id on failure, and sync
//! batches (no event) never deduplicated.

use super::*;
use crate::support::contract::contract;

contract!(
    Store:
    event_applied_once_then_duplicate,
    failing_batch_rolls_back_everything_including_the_event_id,
    sync_batches_without_event_are_not_deduplicated,
);

async fn event_applied_once_then_duplicate(store: &dyn Store) {
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

async fn failing_batch_rolls_back_everything_including_the_event_id(store: &dyn Store) {
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

async fn sync_batches_without_event_are_not_deduplicated(store: &dyn Store) {
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
