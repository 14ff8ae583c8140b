//! Record search across zones: scoped by tenant or zone ids in the query itself, never over a
//! soft-deleted zone, `%` and `_` literal, counted and paged in the database.

use super::*;
use crate::support::contract::contract;
use scaidns_core::ports::store::RecordScope;

contract!(
    Store:
    search_stays_inside_its_scope_and_pages,
);

fn hits(page: &scaidns_core::paging::Page<scaidns_core::ports::store::RecordHit>) -> Vec<String> {
    page.items
        .iter()
        .map(|h| {
            format!(
                "{} {}",
                h.zone_name.as_str(),
                h.record.name.relative_to(&h.zone_name)
            )
        })
        .collect()
}

async fn search_stays_inside_its_scope_and_pages(store: &dyn Store) {
    let (alpha, beta) = (TenantId::new(), TenantId::new());
    let mut zones = Vec::new();
    for (tenant, name) in [
        (alpha, "b-alpha.test"),
        (alpha, "a-alpha.test"),
        (beta, "beta.test"),
    ] {
        let zone = new_zone(tenant, name);
        let mut w = create(&zone);
        w.upsert_records = vec![
            record(&zone, "www", RecordType::A, "192.0.2.10"),
            record(&zone, "mail", RecordType::A, "192.0.2.100"),
            record(&zone, "pct", RecordType::TXT, "\"save 100% now\""),
            record(&zone, "x_y", RecordType::TXT, "\"u\""),
            record(&zone, "xzy", RecordType::TXT, "\"u\""),
        ];
        zones.push(put(store, w).await);
    }
    let query = |q: &str| RecordFilter {
        query: Some(q.to_owned()),
        ..RecordFilter::default()
    };
    let all = PageRequest {
        page: 1,
        page_size: 100,
    };
    let tenant = |t| RecordScope {
        tenant_id: Some(t),
        zone_ids: None,
    };

    // Name or content, case-insensitive; one tenant only; ordered by zone, name, type, content.
    let found = store
        .search_records(&tenant(alpha), &query("192.0.2.10"), all)
        .await
        .unwrap();
    assert_eq!(found.total, 4);
    assert_eq!(
        hits(&found),
        [
            "a-alpha.test mail",
            "a-alpha.test www",
            "b-alpha.test mail",
            "b-alpha.test www"
        ]
    );
    assert!(found.items.iter().all(|h| h.tenant_id == alpha));
    let found = store
        .search_records(&tenant(beta), &query("WWW.BETA"), all)
        .await
        .unwrap();
    assert_eq!(hits(&found), ["beta.test www"]);

    // `%` and `_` are the characters themselves.
    let found = store
        .search_records(&tenant(beta), &query("100%"), all)
        .await
        .unwrap();
    assert_eq!(hits(&found), ["beta.test pct"]);
    let found = store
        .search_records(&tenant(beta), &query("x_y"), all)
        .await
        .unwrap();
    assert_eq!(hits(&found), ["beta.test x_y"]);

    // Zone ids, type, and paging: the total counts every page.
    let scope = RecordScope {
        tenant_id: None,
        zone_ids: Some(vec![zones[0].id, zones[2].id]),
    };
    let a_only = RecordFilter {
        rtype: Some(RecordType::A),
        ..query("192.0.2")
    };
    let second = store
        .search_records(
            &scope,
            &a_only,
            PageRequest {
                page: 2,
                page_size: 3,
            },
        )
        .await
        .unwrap();
    assert_eq!(second.total, 4);
    assert_eq!(hits(&second), ["beta.test www"]);
    let none = RecordScope {
        tenant_id: None,
        zone_ids: Some(Vec::new()),
    };
    assert_eq!(
        store
            .search_records(&none, &a_only, all)
            .await
            .unwrap()
            .total,
        0
    );

    // A soft-deleted zone is not searched.
    let mut w = change(&zones[2]);
    w.zone.status = ZoneStatus::Deleted;
    w.zone.status_before_delete = Some(ZoneStatus::Active);
    w.zone.deleted_at = Some(at(10));
    put(store, w).await;
    let found = store
        .search_records(&RecordScope::default(), &query("www"), all)
        .await
        .unwrap();
    assert_eq!(hits(&found), ["a-alpha.test www", "b-alpha.test www"]);
}
