//! Background re-checks do not fill the audit log (issue 16, item 8): the worker's failed
//! check is recorded only when its outcome changes (first failure, another reason), success
//! always (a person's own check is always recorded too); the challenge keeps the count of checks and the time of the last one.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::paging::PageRequest;
use scaidns_core::ports::store::AuditFilter;
use scaidns_core::ports::{Clock, ManualClock};
use scaidns_core::service::dnssec::system_context_for;
use scaidns_core::service::worker::WorkerConfig;
use scaidns_core::service::zones::ZoneCreate;
use scaidns_core::service::{ScaiDns, ServiceConfig, ValidationConfig};
use scaidns_core::zone::ZoneStatus;
use scaidns_tests::db::TestDb;
use scaidns_tests::scripted_dns::{ScriptedDns, Table};

const RESOLVER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
const NAMESERVER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 3);

async fn audit_count(svc: &ScaiDns, action: &str) -> u64 {
    let filter = AuditFilter {
        action: Some(action.into()),
        ..AuditFilter::default()
    };
    svc.store()
        .list_audit(&filter, PageRequest::default())
        .await
        .unwrap()
        .total
}

#[tokio::test]
async fn a_repeated_background_failure_is_audited_once() {
    let mut table = Table::default();
    table
        .ns("quiet.test", "ns.quiet.test")
        .addr("ns.quiet.test", IpAddr::V4(NAMESERVER));
    let dns = ScriptedDns::start(&[RESOLVER, NAMESERVER], &[], table).await;
    let db = TestDb::sqlite().await;
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
    ));
    let config = ServiceConfig {
        validation: ValidationConfig {
            resolvers: vec![dns.at(RESOLVER)],
            nameserver_port: dns.port,
            allow_private_targets: true,
            ..ValidationConfig::default()
        },
        ..ServiceConfig::default()
    };
    let svc = ScaiDns::new(
        Arc::new(db.store.clone()),
        Arc::new(EmbeddedBackend::new()),
        Arc::new(HickoryResolver::new()),
        Arc::clone(&clock) as Arc<dyn Clock>,
        config,
    );
    let ctx = system_context_for(scaidns_core::ids::TenantId::new(), clock.now());
    let created = svc
        .zone_create(
            &ctx,
            ZoneCreate {
                name: "quiet.test".into(),
                skip_validation: Some(false),
                ..ZoneCreate::default()
            },
        )
        .await
        .unwrap();
    let zone = created.zone.id;
    let expected = created.validation.expect("challenge").expected_value();
    let worker = WorkerConfig::new("worker");
    let pass = || async {
        svc.worker_run_once(&worker).await.unwrap();
        clock.advance(Duration::seconds(60));
    };

    // No TXT record, five passes: one failure entry.
    for _ in 0..5 {
        pass().await;
    }
    assert_eq!(audit_count(&svc, "domain.validation.failure").await, 1);
    let challenge = svc.store().latest_validation(zone).await.unwrap().unwrap();
    assert_eq!(challenge.check_count, 5);
    assert_eq!(
        challenge.checked_at,
        Some(clock.now() - Duration::seconds(60))
    );

    // Another reason (a wrong value): recorded once more, then quiet again.
    dns.edit(|t| {
        t.txt("_scaidns-verify.quiet.test", "scaidns-verify=wrong");
    });
    for _ in 0..3 {
        pass().await;
    }
    assert_eq!(audit_count(&svc, "domain.validation.failure").await, 2);

    // Success is recorded.
    dns.edit(|t| {
        t.txt("_scaidns-verify.quiet.test", &expected);
    });
    pass().await;
    assert_eq!(audit_count(&svc, "domain.validation.success").await, 1);
    assert_eq!(
        svc.store().get_zone(zone).await.unwrap().unwrap().status,
        ZoneStatus::Active
    );
    let challenge = svc.store().latest_validation(zone).await.unwrap().unwrap();
    assert_eq!(challenge.check_count, 9);
}
