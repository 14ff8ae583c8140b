//! The signed zone's life: validation through ZSK and KSK rollovers, refused requests, the
//! embedded backend's refusal, soft delete and restore.

use super::*;
use scaidns_core::zone::precondition::IfMatch;

#[tokio::test]
async fn signed_zone_validates_through_both_rollovers() {
    let h = harness().await;
    let parent = h.zone("parent.test").await;
    let child = h.zone("child.parent.test").await;
    h.record(child, "www", "A", "192.0.2.80").await;
    h.record(parent, "child", "NS", "ns1.scaidns.test.").await;

    // The parent is the trust anchor; the child hands its DS to the parent.
    let parent_state = h
        .svc
        .dnssec_enable(&h.ctx(), parent, None, &IfMatch::Any)
        .await
        .unwrap();
    let anchor = parent_state.ds_records();
    assert!(
        anchor.iter().all(|d| matches!(d.digest_type, 2 | 4)),
        "{anchor:?}"
    );
    let enabled = h
        .svc
        .dnssec_enable(&h.ctx(), child, Some(13), &IfMatch::Any)
        .await
        .unwrap();
    assert_eq!(enabled.status, DnssecStatus::PendingDs);
    assert_eq!(enabled.ksks().count(), 1);
    assert_eq!(enabled.zsks().count(), 1);
    assert!(enabled.zone.dnssec_enabled);
    let keys = h
        .pdns
        .backend()
        .list_keys(&enabled.zone.name)
        .await
        .unwrap();
    assert_eq!(keys.len(), 2, "separate KSK and ZSK, not one CSK: {keys:?}");

    // Confirming before the parent has the DS is refused, and changes nothing.
    let err = h
        .svc
        .dnssec_confirm_ds(&h.ctx(), child, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ds_not_found", "{err:?}");
    h.publish_ds(parent, &enabled.ds_records()).await;
    let wrong = h
        .svc
        .dnssec_confirm_ds(&h.ctx(), child, Some(1))
        .await
        .unwrap_err();
    assert_eq!(wrong.field(), Some("key_tag"));
    let confirmed = h
        .svc
        .dnssec_confirm_ds(&h.ctx(), child, None)
        .await
        .unwrap();
    assert_eq!(confirmed.status, DnssecStatus::Active);
    assert_validates(&h, &anchor, "enabled").await;
    // The check has teeth: a trust anchor that matches no key validates nothing.
    let mut bogus = anchor.clone();
    for d in &mut bogus {
        d.digest = "00".repeat(d.digest.len() / 2);
    }
    assert!(
        delv(h.pdns.dns_addr, &bogus, "www.child.parent.test", "A")
            .await
            .is_err()
    );

    // ZSK pre-publish rollover, step by step on the manual clock.
    let old_zsk = confirmed.zsks().next().unwrap().key_tag;
    let rolling = h
        .svc
        .dnssec_rotate_zsk(&h.ctx(), child, &IfMatch::Any)
        .await
        .unwrap();
    assert_eq!(rolling.status, DnssecStatus::RotatingZsk);
    assert_eq!(
        h.svc
            .dnssec_rotate_zsk(&h.ctx(), child, &IfMatch::Any)
            .await
            .unwrap_err()
            .code(),
        "rollover_in_progress"
    );
    assert_validates(&h, &anchor, "ZSK published").await;
    assert!(
        h.rollovers().await.is_empty(),
        "nothing due before the wait is over"
    );
    h.clock.advance(Duration::hours(1) + Duration::days(7));
    assert_eq!(h.rollovers().await, vec!["dnssec.zsk_activated"]);
    assert_validates(&h, &anchor, "new ZSK signing, old one still published").await;
    h.clock.advance(Duration::hours(2));
    assert_eq!(h.rollovers().await, vec!["dnssec.key_removed"]);
    let after_zsk = h.svc.dnssec_get(&h.ctx(), child).await.unwrap();
    assert_eq!(after_zsk.status, DnssecStatus::Active);
    assert_eq!(after_zsk.zsks().count(), 1);
    assert_ne!(after_zsk.zsks().next().unwrap().key_tag, old_zsk);
    assert_validates(&h, &anchor, "old ZSK removed").await;

    // KSK double-DS rollover: the new DS first, then the new key.
    let old_ksk = after_zsk.ksks().next().unwrap().key_tag;
    let rolling = h
        .svc
        .dnssec_rotate_ksk(&h.ctx(), child, &IfMatch::Any)
        .await
        .unwrap();
    assert_eq!(rolling.status, DnssecStatus::RotatingKsk);
    let new_ksk = rolling
        .ksks()
        .find(|k| k.state == KeyState::DsPending)
        .unwrap()
        .clone();
    assert_validates(&h, &anchor, "KSK successor made, not published").await;
    h.clock.advance(Duration::days(3));
    assert!(h.rollovers().await.is_empty(), "waits for the parent");
    h.publish_ds(parent, &new_ksk.ds).await;
    assert_validates(&h, &anchor, "both DS at the parent").await;
    assert_eq!(h.rollovers().await, vec!["dnssec.confirm_ds"]);
    let swapped = h.svc.dnssec_get(&h.ctx(), child).await.unwrap();
    assert_eq!(swapped.status, DnssecStatus::Active);
    assert_validates(&h, &anchor, "new KSK signing beside the old").await;
    h.clock.advance(Duration::days(7));
    assert_eq!(h.rollovers().await, vec!["dnssec.key_removed"]);
    assert_validates(&h, &anchor, "old KSK removed, old DS still at the parent").await;
    h.withdraw_ds(parent, old_ksk).await;
    assert_validates(&h, &anchor, "old DS withdrawn").await;
    let done = h.svc.dnssec_get(&h.ctx(), child).await.unwrap();
    assert_eq!(
        done.ksks().map(|k| k.key_tag).collect::<Vec<_>>(),
        vec![new_ksk.key_tag]
    );

    assert_eq!(
        audit_actions(&h).await,
        vec![
            "dnssec.enable", // parent
            "dnssec.enable",
            "dnssec.confirm_ds",
            "dnssec.rotate_zsk",
            "dnssec.zsk_activated",
            "dnssec.key_removed",
            "dnssec.rotate_ksk",
            "dnssec.confirm_ds",
            "dnssec.key_removed",
        ]
    );

    // Disabling while the parent still has a DS is refused unless forced.
    let refused = h
        .svc
        .dnssec_disable(&h.ctx(), child, false, &IfMatch::Any)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "ds_still_published", "{refused:?}");
    assert_eq!(
        h.pdns
            .backend()
            .list_keys(&done.zone.name)
            .await
            .unwrap()
            .len(),
        2
    );
    let off = h
        .svc
        .dnssec_disable(&h.ctx(), child, true, &IfMatch::Any)
        .await
        .unwrap();
    assert_eq!(off.status, DnssecStatus::Disabled);
    assert!(!off.zone.dnssec_enabled);
    assert!(
        h.pdns
            .backend()
            .list_keys(&off.zone.name)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        h.svc
            .dnssec_rotate_zsk(&h.ctx(), child, &IfMatch::Any)
            .await
            .unwrap_err()
            .code(),
        "dnssec_not_enabled"
    );
}

#[tokio::test]
async fn bad_dnssec_requests_change_nothing() {
    let h = harness().await;
    let zone = h.zone("bad.test").await;
    let err = h
        .svc
        .dnssec_enable(&h.ctx(), zone, Some(7), &IfMatch::Any)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.field()),
        ("unsupported_algorithm", Some("algorithm"))
    );
    for call in ["rotate-zsk", "rotate-ksk", "confirm"] {
        let err = match call {
            "rotate-zsk" => h.svc.dnssec_rotate_zsk(&h.ctx(), zone, &IfMatch::Any).await,
            "rotate-ksk" => h.svc.dnssec_rotate_ksk(&h.ctx(), zone, &IfMatch::Any).await,
            _ => h.svc.dnssec_confirm_ds(&h.ctx(), zone, None).await,
        }
        .unwrap_err();
        assert_eq!(err.code(), "dnssec_not_enabled", "{call}");
    }
    assert!(
        h.pdns
            .backend()
            .list_keys(&"bad.test".parse().unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(audit_actions(&h).await.is_empty());

    // A zone that is not active: 409 zone_not_active for every call.
    let pending = h
        .svc
        .zone_create(
            &h.ctx(),
            ZoneCreate {
                name: "pending.test".into(),
                skip_validation: Some(false),
                ..ZoneCreate::default()
            },
        )
        .await
        .unwrap()
        .zone
        .id;
    assert_eq!(
        h.svc
            .dnssec_get(&h.ctx(), pending)
            .await
            .unwrap_err()
            .code(),
        "zone_not_active"
    );
    assert_eq!(
        h.svc
            .dnssec_enable(&h.ctx(), pending, None, &IfMatch::Any)
            .await
            .unwrap_err()
            .code(),
        "zone_not_active"
    );
    assert_eq!(
        h.svc
            .dnssec_confirm_ds(&h.ctx(), pending, None)
            .await
            .unwrap_err()
            .code(),
        "zone_not_active"
    );
}

#[tokio::test]
async fn embedded_backend_names_powerdns_as_the_requirement() {
    let db = TestDb::sqlite().await;
    let svc = ScaiDns::new(
        Arc::new(db.store.clone()),
        Arc::new(EmbeddedBackend::new()),
        Arc::new(HickoryResolver::new()),
        Arc::new(scaidns_core::ports::SystemClock),
        ServiceConfig::default(),
    );
    let ctx = system_context_for(TenantId::new(), Utc::now());
    let zone = svc
        .zone_create(
            &ctx,
            ZoneCreate {
                name: "embedded.test".into(),
                ..ZoneCreate::default()
            },
        )
        .await
        .unwrap()
        .zone;
    let err = svc
        .dnssec_enable(&ctx, zone.id, None, &IfMatch::Any)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "dnssec_unsupported");
    assert!(err.message().contains("PowerDNS"), "{err:?}");
    assert_eq!(
        svc.dnssec_get(&ctx, zone.id).await.unwrap().status,
        DnssecStatus::Disabled
    );
    assert!(
        !svc.store()
            .get_zone(zone.id)
            .await
            .unwrap()
            .unwrap()
            .dnssec_enabled
    );
}

#[tokio::test]
async fn signed_zone_soft_delete_needs_force_and_restores_unsigned() {
    let h = harness().await;
    let zone = h.zone("signed-delete.test").await;
    h.svc
        .dnssec_enable(&h.ctx(), zone, None, &IfMatch::Any)
        .await
        .unwrap();
    let name = "signed-delete.test".parse().unwrap();
    assert!(!h.pdns.backend().list_keys(&name).await.unwrap().is_empty());

    let err = h
        .svc
        .zone_delete(&h.ctx(), zone, false, &IfMatch::Any)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "dnssec_enabled");
    assert!(h.pdns.backend().get_zone(&name).await.unwrap().is_some());

    h.svc
        .zone_delete(&h.ctx(), zone, true, &IfMatch::Any)
        .await
        .unwrap();
    assert!(h.pdns.backend().get_zone(&name).await.unwrap().is_none());
    assert!(
        h.svc
            .store()
            .list_dnssec_keys(zone)
            .await
            .unwrap()
            .is_empty()
    );

    let restored = h
        .svc
        .zone_restore(&h.ctx(), zone, &IfMatch::Any)
        .await
        .unwrap();
    assert!(!restored.dnssec_enabled);
    assert!(h.pdns.backend().get_zone(&name).await.unwrap().is_some());
    assert!(h.pdns.backend().list_keys(&name).await.unwrap().is_empty());
    // Signing again makes new keys.
    let state = h
        .svc
        .dnssec_enable(&h.ctx(), zone, None, &IfMatch::Any)
        .await
        .unwrap();
    assert!(state.enabled());
}
