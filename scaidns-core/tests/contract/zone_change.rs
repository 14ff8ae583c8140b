//! Store contract for [`ZoneStore::change_zone`]: changes planned under the zone's lock queue
//! behind each other instead of failing on a stale generation, on SQLite and on MariaDB.

use std::sync::{Arc, Mutex};

use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::error::{Error, ErrorKind};
use scaidns_core::ids::{TenantId, ZoneId};
use scaidns_core::ports::store::{
    LockedZone, NoPublish, RecordFilter, RecordStore, ZonePlan, ZonePlanner, ZoneStore,
};
use scaidns_core::record::RecordType;
use scaidns_core::zone::claims::OverlapPolicy;

use crate::store::{assert_code, change, create, new_zone, put, record};

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
    concurrent_planned_changes_all_apply_in_turn,
    a_planner_error_or_no_change_writes_nothing,
    a_plan_against_another_generation_is_a_bug,
    changing_a_missing_zone_is_not_found,
);

/// A planner that adds one record named `label` and notes how many records it saw.
fn add_record(label: String, seen: Arc<Mutex<Vec<usize>>>) -> ZonePlanner<'static> {
    Box::new(move |locked: LockedZone| {
        seen.lock().unwrap().push(locked.records.len());
        let mut write = change(&locked.zone);
        write
            .upsert_records
            .push(record(&locked.zone, &label, RecordType::A, "192.0.2.1"));
        Ok(ZonePlan::Write {
            write,
            overlap: OverlapPolicy::Refuse,
            publisher: Box::new(NoPublish),
        })
    })
}

async fn concurrent_planned_changes_all_apply_in_turn(store: &SqlStore) {
    let zone = put(store, create(&new_zone(TenantId::new(), "example.com"))).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let writers = (0..12).map(|i| {
        let planner = add_record(format!("host{i}"), Arc::clone(&seen));
        store.change_zone(zone.id, true, planner)
    });
    let results = futures::future::join_all(writers).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");

    // Each planner saw what the one before it committed: 0, 1, …, 11 records.
    let mut seen = seen.lock().unwrap().clone();
    seen.sort_unstable();
    assert_eq!(seen, (0..12).collect::<Vec<_>>());
    let stored = store.get_zone(zone.id).await.unwrap().unwrap();
    assert_eq!(stored.generation, zone.generation + 12);
    let records = store
        .list_records(zone.id, &RecordFilter::default())
        .await
        .unwrap();
    assert_eq!(records.len(), 12);
}

async fn a_planner_error_or_no_change_writes_nothing(store: &SqlStore) {
    let zone = put(store, create(&new_zone(TenantId::new(), "example.com"))).await;
    let refused: ZonePlanner<'_> = Box::new(|_| Err(Error::conflict("record_exists", "dup")));
    assert_code(
        store.change_zone(zone.id, false, refused).await,
        "record_exists",
    );
    let unchanged: ZonePlanner<'_> = Box::new(|_| Ok(ZonePlan::Unchanged));
    let after = store.change_zone(zone.id, false, unchanged).await.unwrap();
    assert_eq!(after, zone);
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(zone));
}

async fn a_plan_against_another_generation_is_a_bug(store: &SqlStore) {
    let zone = put(store, create(&new_zone(TenantId::new(), "example.com"))).await;
    let v2 = put(store, change(&zone)).await;
    let stale = zone.clone();
    let planner: ZonePlanner<'_> = Box::new(move |_| {
        Ok(ZonePlan::Write {
            write: change(&stale),
            overlap: OverlapPolicy::Refuse,
            publisher: Box::new(NoPublish),
        })
    });
    let err = store
        .change_zone(zone.id, false, planner)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal);
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(v2));
}

async fn changing_a_missing_zone_is_not_found(store: &SqlStore) {
    let planner: ZonePlanner<'_> = Box::new(|_| Ok(ZonePlan::Unchanged));
    let err = store
        .change_zone(ZoneId::new(), true, planner)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}
