//! DNSSEC, the worker and recovery, proven against PowerDNS 4.7 with the real service:
//!
//! - enabling DNSSEC yields answers that `delv` (BIND's validating lookup tool) fully
//!   validates from a trust anchor at the parent, through the parent's DS;
//! - a ZSK rollover and a KSK double-DS rollover driven by a manual clock keep the zone
//!   validating at every step;
//! - PowerDNS killed in the middle of a burst of record changes and started again converges to
//!   exactly the store's state;
//! - two workers running together never run one job twice.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::dnssec::{DnssecStatus, DsRecord, KeyState};
use scaidns_core::ids::{TenantId, ZoneId};
use scaidns_core::ports::store::{AuditFilter, PageRequest, RecordFilter};
use scaidns_core::ports::{Clock, DnsBackend, DnssecKeyBackend, ManualClock};
use scaidns_core::service::dnssec::system_context_for;
use scaidns_core::service::records::RecordCreate;
use scaidns_core::service::worker::{JOB_NAMES, WorkerConfig};
use scaidns_core::service::zones::ZoneCreate;
use scaidns_core::service::{OpContext, ScaiDns, ServiceConfig};
use scaidns_core::zone::SyncStatus;

use crate::support::db::TestDb;
use crate::support::pdns::PdnsServer;

struct Harness {
    pdns: PdnsServer,
    _db: TestDb,
    clock: Arc<ManualClock>,
    svc: ScaiDns,
    tenant: TenantId,
}

async fn harness() -> Harness {
    let pdns = PdnsServer::start().await;
    let db = TestDb::sqlite().await;
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    ));
    let mut config = ServiceConfig::default();
    // PowerDNS serves the parent too, so it is the "resolver" that sees the parent's DS.
    config.validation.resolvers = vec![pdns.dns_addr];
    let backend = Arc::new(pdns.backend());
    let svc = ScaiDns::new(
        Arc::new(db.store.clone()),
        Arc::clone(&backend) as Arc<dyn DnsBackend>,
        Arc::new(HickoryResolver::new()),
        Arc::clone(&clock) as Arc<dyn Clock>,
        config,
    )
    .with_dnssec_keys(backend);
    Harness {
        pdns,
        _db: db,
        clock,
        svc,
        tenant: TenantId::new(),
    }
}

impl Harness {
    fn ctx(&self) -> OpContext {
        system_context_for(self.tenant, self.clock.now())
    }

    async fn zone(&self, name: &str) -> ZoneId {
        let created = self
            .svc
            .zone_create(
                &self.ctx(),
                ZoneCreate {
                    name: name.into(),
                    ..ZoneCreate::default()
                },
            )
            .await
            .unwrap();
        created.zone.id
    }

    async fn record(&self, zone: ZoneId, name: &str, rtype: &str, content: &str) {
        self.svc
            .record_create(
                &self.ctx(),
                zone,
                RecordCreate {
                    name: name.into(),
                    rtype: rtype.into(),
                    content: content.into(),
                    ttl: Some(60),
                    disabled: None,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{name} {rtype} {content}: {e:?}"));
    }

    /// Publishes `ds` at the parent, as a registrar would (SHA-256 only).
    async fn publish_ds(&self, parent: ZoneId, ds: &[DsRecord]) {
        for d in ds.iter().filter(|d| d.digest_type == 2) {
            self.record(parent, "child", "DS", &d.to_string()).await;
        }
    }

    /// Removes the parent's DS records of `key_tag`.
    async fn withdraw_ds(&self, parent: ZoneId, key_tag: u16) {
        let records = self
            .svc
            .store()
            .list_records(parent, &RecordFilter::default())
            .await
            .unwrap();
        for r in records {
            if r.content.rtype().as_str() == "DS"
                && r.content.as_str().starts_with(&format!("{key_tag} "))
            {
                self.svc
                    .record_delete(&self.ctx(), parent, r.id)
                    .await
                    .unwrap();
            }
        }
    }

    async fn rollovers(&self) -> Vec<String> {
        let report = self.svc.dnssec_run_rollovers().await.unwrap();
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        report.steps.into_iter().map(|(_, action)| action).collect()
    }
}

/// Runs `delv` against `dns` with the parent's DS as the only trust anchor; `Ok` when the
/// answer is fully validated.
async fn delv(dns: SocketAddr, anchor: &[DsRecord], name: &str, rtype: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let anchors: String = anchor
        .iter()
        .filter(|d| d.digest_type == 2)
        .map(|d| {
            format!(
                "  parent.test. static-ds {} {} {} \"{}\";\n",
                d.key_tag, d.algorithm, d.digest_type, d.digest
            )
        })
        .collect();
    let file = dir.path().join("anchors.conf");
    std::fs::write(&file, format!("trust-anchors {{\n{anchors}}};\n")).unwrap();
    let out = tokio::process::Command::new("delv")
        .arg(format!("@{}", dns.ip()))
        .args(["-p", &dns.port().to_string(), "-a"])
        .arg(&file)
        .args(["+root=parent.test", "+nocrypto", name, rtype])
        .output()
        .await
        .map_err(|e| format!("cannot run delv (install bind9-dnsutils): {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if text.contains("fully validated") {
        Ok(())
    } else {
        Err(text)
    }
}

async fn assert_validates(h: &Harness, anchor: &[DsRecord], step: &str) {
    for (name, rtype) in [
        ("www.child.parent.test", "A"),
        ("child.parent.test", "SOA"),
        ("nope.child.parent.test", "A"),
    ] {
        if let Err(out) = delv(h.pdns.dns_addr, anchor, name, rtype).await {
            // A signed NXDOMAIN is "fully validated" too only when its proof checks; show why.
            panic!(
                "{step}: {name} {rtype} does not validate:\n{out}\n--- PowerDNS log ---\n{}",
                h.pdns.log()
            );
        }
    }
}

async fn audit_actions(h: &Harness) -> Vec<String> {
    let page = PageRequest {
        page: 1,
        page_size: 100,
    };
    let mut actions: Vec<String> = h
        .svc
        .store()
        .list_audit(&AuditFilter::default(), page)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .filter(|a| a.starts_with("dnssec."))
        .collect();
    actions.reverse();
    actions
}

#[tokio::test]
async fn signed_zone_validates_through_both_rollovers() {
    let h = harness().await;
    let parent = h.zone("parent.test").await;
    let child = h.zone("child.parent.test").await;
    h.record(child, "www", "A", "192.0.2.80").await;
    h.record(parent, "child", "NS", "ns1.scaidns.test.").await;

    // The parent is the trust anchor; the child hands its DS to the parent.
    let parent_state = h.svc.dnssec_enable(&h.ctx(), parent, None).await.unwrap();
    let anchor = parent_state.ds_records();
    assert!(
        anchor.iter().all(|d| matches!(d.digest_type, 2 | 4)),
        "{anchor:?}"
    );
    let enabled = h
        .svc
        .dnssec_enable(&h.ctx(), child, Some(13))
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
    let rolling = h.svc.dnssec_rotate_zsk(&h.ctx(), child).await.unwrap();
    assert_eq!(rolling.status, DnssecStatus::RotatingZsk);
    assert_eq!(
        h.svc
            .dnssec_rotate_zsk(&h.ctx(), child)
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
    let rolling = h.svc.dnssec_rotate_ksk(&h.ctx(), child).await.unwrap();
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
        .dnssec_disable(&h.ctx(), child, false)
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
    let off = h.svc.dnssec_disable(&h.ctx(), child, true).await.unwrap();
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
            .dnssec_rotate_zsk(&h.ctx(), child)
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
        .dnssec_enable(&h.ctx(), zone, Some(7))
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.field()),
        ("unsupported_algorithm", Some("algorithm"))
    );
    for call in ["rotate-zsk", "rotate-ksk", "confirm"] {
        let err = match call {
            "rotate-zsk" => h.svc.dnssec_rotate_zsk(&h.ctx(), zone).await,
            "rotate-ksk" => h.svc.dnssec_rotate_ksk(&h.ctx(), zone).await,
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
            .dnssec_enable(&h.ctx(), pending, None)
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
    let err = svc.dnssec_enable(&ctx, zone.id, None).await.unwrap_err();
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
            .any(|r| r.job == "sync_pending_zones" && r.outcome.is_ok()),
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
            "sync_pending_zones",
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
    assert!(!runs.iter().any(|r| r.job == "sync_pending_zones"));
    clock.advance(Duration::minutes(11));
    let runs = a
        .worker_run_once(&WorkerConfig::new("worker-a"))
        .await
        .unwrap();
    assert!(
        runs.iter().any(|r| r.job == "sync_pending_zones"),
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
        use scaidns_core::ports::lifecycle::JobStore;
        self.store.claim_job(job, owner, now, until).await.unwrap()
    }
}

#[tokio::test]
async fn signed_zone_soft_delete_needs_force_and_restores_unsigned() {
    let h = harness().await;
    let zone = h.zone("signed-delete.test").await;
    h.svc.dnssec_enable(&h.ctx(), zone, None).await.unwrap();
    let name = "signed-delete.test".parse().unwrap();
    assert!(!h.pdns.backend().list_keys(&name).await.unwrap().is_empty());

    let err = h.svc.zone_delete(&h.ctx(), zone, false).await.unwrap_err();
    assert_eq!(err.code(), "dnssec_enabled");
    assert!(h.pdns.backend().get_zone(&name).await.unwrap().is_some());

    h.svc.zone_delete(&h.ctx(), zone, true).await.unwrap();
    assert!(h.pdns.backend().get_zone(&name).await.unwrap().is_none());
    assert!(
        h.svc
            .store()
            .list_dnssec_keys(zone)
            .await
            .unwrap()
            .is_empty()
    );

    let restored = h.svc.zone_restore(&h.ctx(), zone).await.unwrap();
    assert!(!restored.dnssec_enabled);
    assert!(h.pdns.backend().get_zone(&name).await.unwrap().is_some());
    assert!(h.pdns.backend().list_keys(&name).await.unwrap().is_empty());
    // Signing again makes new keys.
    let state = h.svc.dnssec_enable(&h.ctx(), zone, None).await.unwrap();
    assert!(state.enabled());
}
