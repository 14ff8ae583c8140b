//! Recovery: PowerDNS down in the middle of a burst, drift repaired by reconcile, two workers
//! that never run one job twice.

use super::*;

#[tokio::test]
async fn powerdns_down_mid_burst_converges_to_the_store() {
    let mut h = harness().await;
    let zone = h.zone("burst.test").await;
    let name: scaidns_core::name::ZoneName = "burst.test".parse().unwrap();
    for i in 0..60 {
        if i == 20 {
            h.pdns.stop().await;
        }
        h.record(
            zone,
            &format!("host{i}"),
            "A",
            &format!("192.0.2.{}", i + 1),
        )
        .await;
        if i == 30 {
            // A record that changes again while the backend is down.
            h.record(zone, "moving", "TXT", "first").await;
        }
    }
    let z = h.svc.store().get_zone(zone).await.unwrap().unwrap();
    assert_eq!(
        z.sync.status,
        SyncStatus::Pending,
        "writes were accepted and queued"
    );
    assert!(z.sync.error.is_some());
    let report = h.svc.reconcile(false).await.unwrap();
    assert_eq!(report.drifted.len(), 1, "{report:?}");

    h.pdns.restart().await;
    let worker = WorkerConfig::new("worker-a");
    let runs = h.svc.worker_run_once(&worker).await.unwrap();
    assert!(
        runs.iter()
            .any(|r| r.job == scaidns_core::service::worker::SYNC_JOB && r.outcome.is_ok()),
        "{runs:?}"
    );
    let z = h.svc.store().get_zone(zone).await.unwrap().unwrap();
    assert_eq!(z.sync.status, SyncStatus::InSync, "{:?}", z.sync);
    assert!(h.svc.zone_drift(&z).await.unwrap().is_empty());
    let served = h.pdns.backend().get_zone(&name).await.unwrap().unwrap();
    let a_records: usize = served
        .iter()
        .filter(|s| s.rtype.as_str() == "A")
        .map(|s| s.records.len())
        .sum();
    assert_eq!(a_records, 60, "nothing lost");
    assert!(h.svc.reconcile(false).await.unwrap().drifted.is_empty());
}

#[tokio::test]
async fn reconcile_reports_and_repairs_drift() {
    let h = harness().await;
    let zone = h.zone("drift.test").await;
    h.record(zone, "www", "A", "192.0.2.1").await;
    let name: scaidns_core::name::ZoneName = "drift.test".parse().unwrap();
    // Someone edits PowerDNS directly.
    let backend = h.pdns.backend();
    backend
        .apply(
            &name,
            &[scaidns_core::zone::RrSetChange::Delete {
                name: "www.drift.test.".into(),
                rtype: "A".parse().unwrap(),
            }],
        )
        .await
        .unwrap();
    backend
        .create_zone(&scaidns_core::ports::ZoneSpec {
            name: "stray.test".parse().unwrap(),
            rrsets: vec![scaidns_core::zone::RrSet {
                name: "stray.test.".into(),
                rtype: "SOA".parse().unwrap(),
                ttl: 3600,
                records: vec![scaidns_core::zone::RrData {
                    content: "ns1.stray.test. hostmaster.stray.test. 1 3600 600 604800 600".into(),
                    disabled: false,
                }],
            }],
            account: String::new(),
        })
        .await
        .unwrap();
    let report = h.svc.reconcile(false).await.unwrap();
    let kinds: Vec<String> = report
        .drifted
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d.zone,
                serde_json::to_value(&d.differences).unwrap()[0]["kind"]
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            "drift.test \"rrset_missing\"",
            "stray.test \"zone_unmanaged\""
        ]
    );
    let fixed = h.svc.reconcile(true).await.unwrap();
    assert!(
        fixed
            .drifted
            .iter()
            .find(|d| d.zone == "drift.test")
            .unwrap()
            .fixed
    );
    let again = h.svc.reconcile(false).await.unwrap();
    assert_eq!(
        again.drifted.len(),
        1,
        "only the unmanaged zone remains: {again:?}"
    );
}

#[tokio::test]
async fn two_workers_never_run_one_job_twice() {
    let db = TestDb::sqlite().await;
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    ));
    let make = || {
        ScaiDns::new(
            Arc::new(db.store.clone()),
            Arc::new(EmbeddedBackend::new()),
            Arc::new(HickoryResolver::new()),
            Arc::clone(&clock) as Arc<dyn Clock>,
            ServiceConfig::default(),
        )
    };
    let (a, b) = (make(), make());
    for round in 0..5 {
        let wa = WorkerConfig::new("worker-a");
        let wb = WorkerConfig::new("worker-b");
        let (ra, rb) = tokio::join!(a.worker_run_once(&wa), b.worker_run_once(&wb));
        let mut ran: Vec<String> = ra
            .unwrap()
            .into_iter()
            .chain(rb.unwrap())
            .map(|r| r.job)
            .collect();
        ran.sort();
        let mut all: Vec<String> = JOB_NAMES.iter().map(|s| (*s).to_owned()).collect();
        all.sort();
        assert_eq!(ran, all, "round {round}: every due job ran exactly once");
        clock.advance(Duration::hours(2));
    }
    // A worker that died holding a lease delays the job only until the lease lapses.
    let now = clock.now();
    assert!(
        db.store_claim(
            scaidns_core::service::worker::SYNC_JOB,
            "dead-worker",
            now,
            now + Duration::minutes(10)
        )
        .await
    );
    let runs = a
        .worker_run_once(&WorkerConfig::new("worker-a"))
        .await
        .unwrap();
    assert!(
        !runs
            .iter()
            .any(|r| r.job == scaidns_core::service::worker::SYNC_JOB)
    );
    clock.advance(Duration::minutes(11));
    let runs = a
        .worker_run_once(&WorkerConfig::new("worker-a"))
        .await
        .unwrap();
    assert!(
        runs.iter()
            .any(|r| r.job == scaidns_core::service::worker::SYNC_JOB),
        "{runs:?}"
    );
}

trait ClaimExt {
    async fn store_claim(
        &self,
        job: &str,
        owner: &str,
        now: chrono::DateTime<Utc>,
        until: chrono::DateTime<Utc>,
    ) -> bool;
}

impl ClaimExt for TestDb {
    async fn store_claim(
        &self,
        job: &str,
        owner: &str,
        now: chrono::DateTime<Utc>,
        until: chrono::DateTime<Utc>,
    ) -> bool {
        use scaidns_core::ports::job_store::JobStore;
        self.store.claim_job(job, owner, now, until).await.unwrap()
    }
}
