//! Name claims between zones (interface decision 12): overlap checks made by the store itself,
//! whoever calls it, and label alignment.

use super::*;
use crate::support::contract::contract;

contract!(
    Store:
    going_live_is_refused_inside_another_tenants_live_zone,
    racing_overlapping_activations_cannot_both_win,
    overlapping_zones_are_label_aligned,
);

/// The write that makes a zone live checks the other live zones itself (interface decision
/// 12), whoever calls the store.
async fn going_live_is_refused_inside_another_tenants_live_zone(store: &dyn Store) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    put(store, create(&new_zone(t1, "squat.example.com"))).await;

    // Pending zones of another tenant are stored; making one live is refused, both ways.
    let mut below = new_zone(t2, "app.squat.example.com");
    below.status = ZoneStatus::PendingValidation;
    let below = put(store, create(&below)).await;
    let mut w = change(&below);
    w.zone.status = ZoneStatus::Active;
    let err = assert_code(store.write_zone(w, &NoPublish).await, "zone_overlap");
    assert!(
        err.message().contains("overlaps") && !err.message().contains(" squat.example.com"),
        "{err}"
    );
    assert_eq!(
        store.get_zone(below.id).await.unwrap().unwrap().status,
        ZoneStatus::PendingValidation
    );
    let err = assert_code(
        store
            .write_zone(create(&new_zone(t2, "example.com")), &NoPublish)
            .await,
        "zone_overlap",
    );
    assert!(
        err.message().contains("overlaps") && !err.message().contains("squat"),
        "{err}"
    );

    // A platform admin's policy allows the overlap, never a second live zone of one name.
    let mut w = change(&below);
    w.zone.status = ZoneStatus::Active;
    store
        .write_zone_claiming(w, OverlapPolicy::AcrossTenants, &NoPublish)
        .await
        .unwrap();
    assert_code(
        store
            .write_zone_claiming(
                create(&new_zone(t2, "squat.example.com")),
                OverlapPolicy::AcrossTenants,
                &NoPublish,
            )
            .await,
        "zone_taken",
    );
    // The tenant's own zones nest, and writes to a zone already live are not re-checked.
    put(store, create(&new_zone(t1, "eu.squat.example.com"))).await;
    let live = store.get_zone(below.id).await.unwrap().unwrap();
    put(store, change(&live)).await;
}

/// Two tenants' zones with overlapping names going live at once: the activations queue on the
/// name space's lock, so the second sees the first and is refused.
async fn racing_overlapping_activations_cannot_both_win(store: &dyn Store) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let mut pending = Vec::new();
    for (tenant, name) in [(t1, "race.example"), (t2, "app.race.example")] {
        let mut z = new_zone(tenant, name);
        z.status = ZoneStatus::PendingValidation;
        pending.push(put(store, create(&z)).await);
    }
    // Publishing inside the transaction takes a while, so both transactions are open at once.
    let slow = Arc::new(Fixed {
        delay: StdDuration::from_millis(300),
        ..Fixed::new(Ok(PublishOutcome::Published))
    });
    let activate = |zone: &Zone| {
        let mut w = change(zone);
        w.zone.status = ZoneStatus::Active;
        w
    };
    let (ra, rb) = tokio::join!(
        store.write_zone(activate(&pending[0]), slow.as_ref()),
        store.write_zone(activate(&pending[1]), slow.as_ref())
    );
    let outcomes = [ra.as_ref().map(|_| ()), rb.as_ref().map(|_| ())];
    assert_eq!(
        outcomes.iter().filter(|r| r.is_ok()).count(),
        1,
        "{ra:?} / {rb:?}"
    );
    let loser = outcomes.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert_eq!(loser.code(), "zone_overlap", "{loser}");
    let mut live = 0;
    for zone in &pending {
        let stored = store.get_zone(zone.id).await.unwrap().unwrap();
        live += usize::from(stored.status == ZoneStatus::Active);
    }
    assert_eq!(live, 1);
}

async fn overlapping_zones_are_label_aligned(store: &dyn Store) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    for (tenant, name, status) in [
        (t1, "example.com", ZoneStatus::Active),
        (t2, "eu.example.com", ZoneStatus::Deleted),
        (t1, "deep.sub.example.com", ZoneStatus::PendingValidation),
        (t2, "notexample.com", ZoneStatus::Active),
        (t2, "example.com.au", ZoneStatus::Active),
        (t1, "example.org", ZoneStatus::Active),
        (t2, "xn--bcher-kva.example", ZoneStatus::Active),
    ] {
        let mut z = new_zone(tenant, name);
        z.status = status;
        put(store, create(&z)).await;
    }
    let find = |name: &'static str| async move {
        let mut found: Vec<String> = store
            .find_overlapping_zones(&zname(name))
            .await
            .unwrap()
            .iter()
            .map(|z| z.name.to_string())
            .collect();
        found.sort();
        found
    };
    assert_eq!(
        find("example.com").await,
        ["deep.sub.example.com", "eu.example.com", "example.com"]
    );
    assert_eq!(
        find("sub.example.com").await,
        ["deep.sub.example.com", "example.com"]
    );
    assert_eq!(
        find("a.b.deep.sub.example.com").await,
        ["deep.sub.example.com", "example.com"]
    );
    assert_eq!(find("ample.com").await, Vec::<String>::new());
    assert_eq!(find("com.au").await, ["example.com.au"]);
    assert_eq!(find("bücher.example").await, ["xn--bcher-kva.example"]);
    assert_eq!(find("other.net").await, Vec::<String>::new());
}
