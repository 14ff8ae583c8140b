//! Zones: migration, round trips, listing and the per-tenant existence check.

use super::*;
use crate::support::contract::contract;

contract!(
    Store:
    migrate_is_idempotent_and_health_answers,
    zone_round_trips_with_microseconds,
    list_zones_filters_orders_and_pages,
    a_tenants_pages_follow_each_other_in_name_then_id_order,
    domain_exists_per_tenant_among_live_zones,
);

async fn migrate_is_idempotent_and_health_answers(store: &dyn Store) {
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    store.health().await.unwrap();
    assert!(["mysql", "postgres", "sqlite"].contains(&store.engine()));
    // The schema works after the second run.
    let zone = new_zone(TenantId::new(), "example.com");
    put(store, create(&zone)).await;
    assert!(store.get_zone(zone.id).await.unwrap().is_some());
}

async fn zone_round_trips_with_microseconds(store: &dyn Store) {
    let mut zone = new_zone(TenantId::new(), "Example.COM");
    zone.description = Some("Ünïcode description".into());
    // The floats are ones whose shortest text serde_json reads back one unit off unless it
    // parses exactly (its `float_roundtrip` feature).
    zone.settings = json!({
        "notify": ["192.0.2.1"],
        "nested": {"x": 1.5, "flag": true, "ratio": 985.6906946328695, "weight": 212.91890726713459},
    });
    zone.dnssec_enabled = true;
    zone.domain_type = DomainType::Secondary;
    zone.status = ZoneStatus::Inactive;
    zone.sync = SyncState {
        status: SyncStatus::Error,
        error: Some("boom".into()),
        last_synced_at: Some(at(-5)),
    };
    zone.updated_at = at(3) + Duration::nanoseconds(999);
    let stored = put(store, create(&zone)).await;

    // Nanoseconds are cut to microseconds; everything else is kept as written.
    let mut expected = zone.clone();
    expected.updated_at = at(3);
    assert_eq!(stored, expected);
    assert_eq!(
        store.get_zone(zone.id).await.unwrap(),
        Some(expected.clone())
    );
    assert_eq!(stored.created_at.timestamp_subsec_micros(), 123_456);
    assert_eq!(stored.name.fqdn(), "example.com.");
    assert!(store.get_zone(ZoneId::new()).await.unwrap().is_none());

    // A soft delete keeps status_before_delete and deleted_at.
    let mut w = change(&stored);
    w.zone.status = ZoneStatus::Deleted;
    w.zone.status_before_delete = Some(ZoneStatus::Inactive);
    w.zone.deleted_at = Some(at(10));
    let deleted = put(store, w.clone()).await;
    assert_eq!(deleted, w.zone);
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(w.zone));
}

/// A page is read through the ids of its rows first (`dynamic_query::page_by_id`): the pages of
/// a tenant, deleted zones and another tenant's zones among its own, still follow each other
/// in the listing's order with no row twice or missing, and a page past the end is empty; a
/// grantee's pages (ids across tenants, some deleted) hold exactly its visible zones, with
/// equal names in id order.
async fn a_tenants_pages_follow_each_other_in_name_then_id_order(store: &dyn Store) {
    let (tenant, other) = (TenantId::new(), TenantId::new());
    let mut live = Vec::new();
    // A grantee's filter (ids alone, no tenant): some of each tenant's zones and deleted ones.
    let (mut granted, mut granted_visible) = (Vec::new(), Vec::new());
    for n in 0..57 {
        // Scrambled creation order, so the id order differs from the name order.
        let name = format!("z{:03}.example", (n * 31) % 57);
        let zone = put(store, create(&new_zone(tenant, &name))).await;
        live.push((name.clone(), zone.id.to_string()));
        // The same names in another tenant (not live: a live name is unique platform-wide).
        let mut theirs = new_zone(other, &name);
        theirs.status = ZoneStatus::PendingValidation;
        let theirs = put(store, create(&theirs)).await;
        for (zone, chosen) in [(&zone, n % 3 == 0), (&theirs, n % 4 == 0)] {
            if chosen {
                granted.push(zone.id);
                granted_visible.push((name.clone(), zone.id.to_string()));
            }
        }
        if n % 5 == 0 {
            let mut gone = new_zone(tenant, &format!("z{:03}.example", n));
            gone.status = ZoneStatus::Deleted;
            let gone = put(store, create(&gone)).await;
            granted.push(gone.id);
        }
    }
    granted_visible.sort();
    let grantee = ZoneFilter {
        ids: Some(granted),
        ..Default::default()
    };
    let mut listed = Vec::new();
    for page in 1..=10 {
        let got = store
            .list_zones(&grantee, PageRequest { page, page_size: 4 })
            .await
            .unwrap();
        assert_eq!(got.total, granted_visible.len() as u64, "page {page}");
        listed.extend(
            got.items
                .iter()
                .map(|z| (z.name.as_str().to_owned(), z.id.to_string())),
        );
    }
    assert_eq!(listed, granted_visible, "a grantee's pages");
    live.sort();
    let filter = ZoneFilter {
        tenant_id: Some(tenant),
        ..Default::default()
    };
    let mut listed = Vec::new();
    for page in 1..=4 {
        let got = store
            .list_zones(
                &filter,
                PageRequest {
                    page,
                    page_size: 20,
                },
            )
            .await
            .unwrap();
        assert_eq!(got.total, 57, "page {page}");
        assert_eq!(got.items.len(), [20, 20, 17, 0][page as usize - 1]);
        assert!(got.items.iter().all(|z| z.tenant_id == tenant));
        assert!(got.items.iter().all(|z| z.status != ZoneStatus::Deleted));
        listed.extend(
            got.items
                .iter()
                .map(|z| (z.name.as_str().to_owned(), z.id.to_string())),
        );
    }
    assert_eq!(listed, live);
}

async fn list_zones_filters_orders_and_pages(store: &dyn Store) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let mut zones = Vec::new();
    for (tenant, name, status, dtype, dnssec) in [
        (
            t1,
            "b-zone.com",
            ZoneStatus::Active,
            DomainType::Primary,
            false,
        ),
        (
            t1,
            "a-zone.com",
            ZoneStatus::PendingValidation,
            DomainType::Primary,
            true,
        ),
        (
            t1,
            "c-zone.org",
            ZoneStatus::Deleted,
            DomainType::Primary,
            false,
        ),
        (
            t1,
            "2.0.192.in-addr.arpa",
            ZoneStatus::Active,
            DomainType::ReverseIpv4,
            false,
        ),
        (
            t2,
            "d-zone.com",
            ZoneStatus::Inactive,
            DomainType::Secondary,
            true,
        ),
        (
            t2,
            "a-zone.com",
            ZoneStatus::Active,
            DomainType::Primary,
            false,
        ),
    ] {
        let mut z = new_zone(tenant, name);
        z.status = status;
        z.domain_type = dtype;
        z.dnssec_enabled = dnssec;
        zones.push(put(store, create(&z)).await);
    }
    let all = PageRequest {
        page: 1,
        page_size: 100,
    };
    let list = |f: ZoneFilter| async move { store.list_zones(&f, all).await.unwrap() };

    let page = list(ZoneFilter::default()).await;
    assert_eq!(
        names(&page.items),
        [
            "2.0.192.in-addr.arpa",
            "a-zone.com",
            "a-zone.com",
            "b-zone.com",
            "d-zone.com"
        ]
    );
    assert_eq!(page.total, 5);

    let page = list(ZoneFilter {
        include_deleted: true,
        ..Default::default()
    })
    .await;
    assert_eq!(page.total, 6);
    assert!(names(&page.items).contains(&"c-zone.org"));

    let page = list(ZoneFilter {
        status: Some(ZoneStatus::Deleted),
        ..Default::default()
    })
    .await;
    assert_eq!(names(&page.items), ["c-zone.org"]);

    let page = list(ZoneFilter {
        tenant_id: Some(t1),
        ..Default::default()
    })
    .await;
    assert_eq!(
        names(&page.items),
        ["2.0.192.in-addr.arpa", "a-zone.com", "b-zone.com"]
    );
    assert!(page.items.iter().all(|z| z.tenant_id == t1));

    let page = list(ZoneFilter {
        status: Some(ZoneStatus::Active),
        ..Default::default()
    })
    .await;
    assert_eq!(
        names(&page.items),
        ["2.0.192.in-addr.arpa", "a-zone.com", "b-zone.com"]
    );

    let page = list(ZoneFilter {
        domain_type: Some(DomainType::Secondary),
        ..Default::default()
    })
    .await;
    assert_eq!(names(&page.items), ["d-zone.com"]);

    let page = list(ZoneFilter {
        dnssec_enabled: Some(true),
        ..Default::default()
    })
    .await;
    assert_eq!(names(&page.items), ["a-zone.com", "d-zone.com"]);
    let page = list(ZoneFilter {
        dnssec_enabled: Some(false),
        tenant_id: Some(t2),
        ..Default::default()
    })
    .await;
    assert_eq!(names(&page.items), ["a-zone.com"]);
    assert_eq!(page.items[0].id, zones[5].id);

    let page = list(ZoneFilter {
        ids: Some(vec![zones[0].id, zones[4].id, zones[2].id]),
        ..Default::default()
    })
    .await;
    assert_eq!(names(&page.items), ["b-zone.com", "d-zone.com"]);
    let page = list(ZoneFilter {
        ids: Some(vec![]),
        ..Default::default()
    })
    .await;
    assert_eq!((page.items.len(), page.total), (0, 0));

    // Search: case-insensitive substring; LIKE wildcards in the search are plain characters.
    let page = list(ZoneFilter {
        search: Some("ZONE.C".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(
        names(&page.items),
        ["a-zone.com", "a-zone.com", "b-zone.com", "d-zone.com"]
    );
    for wildcard in ["_", "%", "a_zone", "a%zone", "!"] {
        let page = list(ZoneFilter {
            search: Some(wildcard.into()),
            ..Default::default()
        })
        .await;
        assert_eq!(
            page.total,
            0,
            "search {wildcard:?} matched {:?}",
            names(&page.items)
        );
    }
    let page = list(ZoneFilter {
        search: Some("in-addr".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(names(&page.items), ["2.0.192.in-addr.arpa"]);

    // Paging keeps the order and reports the total of all pages.
    let mut seen = Vec::new();
    for number in 1..=3 {
        let page = store
            .list_zones(
                &ZoneFilter::default(),
                PageRequest {
                    page: number,
                    page_size: 2,
                },
            )
            .await
            .unwrap();
        assert_eq!(page.total, 5);
        assert_eq!(page.items.len(), if number < 3 { 2 } else { 1 });
        seen.extend(page.items.into_iter().map(|z| z.id));
    }
    let full: Vec<ZoneId> = list(ZoneFilter::default())
        .await
        .items
        .into_iter()
        .map(|z| z.id)
        .collect();
    assert_eq!(seen, full);
    let beyond = store
        .list_zones(
            &ZoneFilter::default(),
            PageRequest {
                page: 9,
                page_size: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!((beyond.items.len(), beyond.total), (0, 5));
}

async fn domain_exists_per_tenant_among_live_zones(store: &dyn Store) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let first = put(store, create(&new_zone(t1, "example.com"))).await;

    let dup = new_zone(t1, "EXAMPLE.com.");
    let err = assert_code(
        store.write_zone(create(&dup), &NoPublish).await,
        "domain_exists",
    );
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.message(), "Domain already exists");
    assert_eq!(err.conflicts(), [first.id.to_string()]);
    assert!(store.get_zone(dup.id).await.unwrap().is_none());
    assert_eq!(
        all_audit(store).await.len(),
        1,
        "the refused write left an audit entry"
    );

    // Another tenant may hold the same name while it is not served (the core decides who
    // validates it), but two zones of one name are never active at once.
    let mut other = new_zone(t2, "example.com");
    other.status = ZoneStatus::Active;
    let err = assert_code(
        store.write_zone(create(&other), &NoPublish).await,
        "zone_taken",
    );
    assert_eq!(err.kind(), ErrorKind::Conflict);
    other.status = ZoneStatus::PendingValidation;
    put(store, create(&other)).await;

    // A soft-deleted zone frees its name.
    for status in [ZoneStatus::PendingValidation, ZoneStatus::Inactive] {
        let mut w = change(&store.get_zone(first.id).await.unwrap().unwrap());
        w.zone.status = status;
        put(store, w).await;
        assert_code(
            store
                .write_zone(create(&new_zone(t1, "example.com")), &NoPublish)
                .await,
            "domain_exists",
        );
    }
    let mut w = change(&store.get_zone(first.id).await.unwrap().unwrap());
    w.zone.status = ZoneStatus::Deleted;
    w.zone.deleted_at = Some(at(1));
    let deleted = put(store, w).await;
    let second = put(store, create(&new_zone(t1, "example.com"))).await;

    // Restoring the deleted one while the name is live again is refused, and changes nothing.
    let mut w = change(&deleted);
    w.zone.status = ZoneStatus::Active;
    w.zone.deleted_at = None;
    w.audit = vec![event(Some(t1), "domain.restore", &deleted.id.to_string())];
    let err = assert_code(store.write_zone(w, &NoPublish).await, "domain_exists");
    assert_eq!(err.conflicts(), [second.id.to_string()]);
    assert_eq!(store.get_zone(deleted.id).await.unwrap(), Some(deleted));
    assert!(
        all_audit(store)
            .await
            .iter()
            .all(|e| e.action != "domain.restore")
    );
}
