//! The retry queue's documented 30 s: a job's next run is planned from the pass that ran it,
//! so a worker passing every 30 s runs `sync_pending_zones` in every pass, even when a pass
//! begins a little earlier after the previous one than planned (timer jitter).

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::ports::{Clock, ManualClock};
use scaidns_core::service::worker::WorkerConfig;
use scaidns_core::service::{ScaiDns, ServiceConfig};

use crate::support::db::TestDb;

async fn ran_sync(svc: &ScaiDns, worker: &WorkerConfig) -> bool {
    svc.worker_run_once(worker)
        .await
        .unwrap()
        .iter()
        .any(|run| run.job == scaidns_core::service::worker::SYNC_JOB)
}

#[tokio::test]
async fn the_retry_queue_runs_every_30_seconds() {
    let db = TestDb::sqlite().await;
    let start = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let svc = ScaiDns::new(
        Arc::new(db.store.clone()),
        Arc::new(EmbeddedBackend::new()),
        Arc::new(HickoryResolver::new()),
        Arc::clone(&clock) as Arc<dyn Clock>,
        ServiceConfig::default(),
    );
    let worker = WorkerConfig::new("cadence");

    // The first pass begins 5 ms late and its jobs take 40 ms; the next passes follow the
    // 30 s timer from the planned start, i.e. a little less than 30 s after the first began.
    clock.set(start + Duration::milliseconds(5));
    assert!(ran_sync(&svc, &worker).await, "first pass");
    clock.advance(Duration::milliseconds(40));
    for pass in 1..=4 {
        clock.set(start + Duration::seconds(30 * pass) + Duration::milliseconds(1));
        assert!(
            ran_sync(&svc, &worker).await,
            "pass {pass} at {} skipped the retry queue",
            clock.now()
        );
        clock.advance(Duration::milliseconds(40));
        // Not before its interval: a pass in between finds nothing due.
        clock.set(start + Duration::seconds(30 * pass + 15));
        assert!(
            !ran_sync(&svc, &worker).await,
            "pass {pass} + 15 s ran it early"
        );
    }
}
