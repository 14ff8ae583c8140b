//! DNSSEC, the worker and recovery, proven against PowerDNS 4.7 with the real service:
//!
//! - enabling DNSSEC yields answers that `delv` (BIND's validating lookup tool) fully
//!   validates from a trust anchor at the parent, through the parent's DS;
//! - a ZSK rollover and a KSK double-DS rollover driven by a manual clock keep the zone
//!   validating at every step;
//! - PowerDNS killed in the middle of a burst of record changes and started again converges to
//!   exactly the store's state;
//! - two workers running together never run one job twice.
//!
//! This module holds the harness; `signing` the signed zone's life, `recovery` what follows
//! failures and concurrent workers.

mod recovery;
mod signing;

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::dnssec::{DnssecStatus, DsRecord, KeyState};
use scaidns_core::ids::{TenantId, ZoneId};
use scaidns_core::paging::PageRequest;
use scaidns_core::ports::dnssec_keys::DnssecKeyBackend;
use scaidns_core::ports::store::{AuditFilter, RecordFilter};
use scaidns_core::ports::{Clock, DnsBackend, ManualClock};
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
                &scaidns_core::zone::precondition::IfMatch::Any,
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
                    .record_delete(
                        &self.ctx(),
                        parent,
                        r.id,
                        &scaidns_core::zone::precondition::IfMatch::Any,
                    )
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
