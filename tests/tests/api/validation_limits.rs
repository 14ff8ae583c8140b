//! Ownership checks are bounded (issue 8, item 6): a claimant chooses its zone's NS set, so a
//! check asks at most 8 NS hosts and 16 addresses, never private or loopback addresses unless
//! the operator allows them, never says which address answered, and runs beside other zones'
//! checks and the worker's other jobs instead of in front of them.
//!
//! The nameservers are a scripted DNS server on several loopback addresses at one port, which
//! records every question per address.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use scaidns_client::types::DomainCreateRequest;
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::ownership::targets::{MAX_ADDRESSES, MAX_NS_HOSTS};
use scaidns_core::ports::{Clock, ManualClock};
use scaidns_core::service::dnssec::system_context_for;
use scaidns_core::service::worker::{JOB_NAMES, WorkerConfig};
use scaidns_core::service::zones::ZoneCreate;
use scaidns_core::service::{ScaiDns, ServiceConfig, ValidationConfig};
use scaidns_core::zone::ZoneStatus;
use scaidns_tests::db::TestDb;
use scaidns_tests::scripted_dns::{ScriptedDns, Table};
use scaidns_tests::{TestOptions, spawn_app_configured};

const RESOLVER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

fn zone(name: &str) -> DomainCreateRequest {
    DomainCreateRequest {
        cidr: None,
        name: name.into(),
        domain_type: None,
        default_ttl: None,
        description: None,
        settings: None,
        skip_validation: None,
        template_id: None,
        template_variables: Default::default(),
        primaries: Vec::new(),
        tsig_algorithm: None,
        tsig_key_name: None,
        tsig_secret: None,
    }
}

/// Polls `done` every 20 ms, at most 30 s (a bound, not a timing assumption).
async fn eventually<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..1500 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{what} did not happen");
}

#[tokio::test]
async fn private_nameserver_addresses_are_not_queried_and_not_shown() {
    let internal = Ipv4Addr::new(127, 0, 0, 3);
    let mut table = Table::default();
    table
        .ns("leak.test", "ns1.leak.test")
        .addr("ns1.leak.test", IpAddr::V4(internal));
    let dns = ScriptedDns::start(&[RESOLVER, internal], &[], table).await;
    let configure = |allow: bool| {
        let (resolver, port) = (dns.at(RESOLVER), dns.port);
        move |c: &mut scaidns_server::config::Config| {
            c.validation_resolvers = vec![resolver];
            c.validation_nameserver_port = port;
            c.validation_allow_private_targets = allow;
        }
    };

    // The platform as deployed: private targets are off.
    let app = spawn_app_configured(TestOptions::default(), configure(false)).await;
    let tenant = app.tenant_with_user("claimant").await;
    let created = tenant
        .client
        .zone_create(&zone("leak.test"))
        .await
        .unwrap()
        .into_inner();
    let value = created.validation.expect("challenge").dns_record.value;
    // The internal server (and the resolver) hold the right value: only the policy stops it.
    dns.edit(|t| {
        t.txt("_scaidns-verify.leak.test", &value);
    });
    let check = tenant
        .client
        .validation_check(&created.id)
        .await
        .unwrap()
        .into_inner();
    assert!(!check.is_valid, "{}", check.message);
    assert_eq!(check.domain_status, "pending_validation");
    assert!(
        !check.message.contains("127."),
        "the message names an address: {}",
        check.message
    );
    assert!(
        check.message.contains("private or reserved"),
        "{}",
        check.message
    );
    let asked_internal: Vec<_> = dns
        .asked()
        .into_iter()
        .filter(|a| a.to == IpAddr::V4(internal))
        .collect();
    assert!(
        asked_internal.is_empty(),
        "a loopback nameserver was queried: {asked_internal:?}"
    );
    // The resolver was not asked for the challenge either (no fallback around the policy).
    assert!(
        !dns.asked().iter().any(|a| a.rtype == "TXT"),
        "{:?}",
        dns.asked()
    );
    app.stop().await;

    // With private targets allowed (test rigs, private deployments) the same setup validates,
    // so the refusal above is the policy and not a broken rig.
    let open = spawn_app_configured(TestOptions::default(), configure(true)).await;
    let tenant = open.tenant_with_user("claimant").await;
    let created = tenant
        .client
        .zone_create(&zone("leak.test"))
        .await
        .unwrap()
        .into_inner();
    let value = created.validation.expect("challenge").dns_record.value;
    dns.edit(|t| {
        t.txt("_scaidns-verify.leak.test", &value);
    });
    let check = tenant
        .client
        .validation_check(&created.id)
        .await
        .unwrap()
        .into_inner();
    assert!(check.is_valid, "{}", check.message);
    assert!(
        dns.asked()
            .iter()
            .any(|a| a.to == IpAddr::V4(internal) && a.rtype == "TXT")
    );
}

#[tokio::test]
async fn a_check_asks_at_most_eight_hosts_and_sixteen_addresses() {
    // 12 NS hosts with 3 addresses each: 36 nameservers, every one holding the challenge.
    let addr = |host: u8, i: u8| Ipv4Addr::new(127, 0, 1, host * 3 + i + 1);
    let hosts: Vec<String> = (0..12u8).map(|h| format!("ns{h:02}.wide.test")).collect();
    let mut table = Table::default();
    let mut servers = vec![RESOLVER];
    for (h, host) in hosts.iter().enumerate() {
        table.ns("wide.test", host);
        for i in 0..3 {
            let ip = addr(h as u8, i);
            table.addr(host, IpAddr::V4(ip));
            servers.push(ip);
        }
    }
    let dns = ScriptedDns::start(&servers, &[], table).await;
    let (resolver, port) = (dns.at(RESOLVER), dns.port);
    let app = spawn_app_configured(TestOptions::default(), move |c| {
        c.validation_resolvers = vec![resolver];
        c.validation_nameserver_port = port;
        c.validation_allow_private_targets = true;
    })
    .await;
    let tenant = app.tenant_with_user("wide").await;
    let created = tenant
        .client
        .zone_create(&zone("wide.test"))
        .await
        .unwrap()
        .into_inner();
    let value = created.validation.expect("challenge").dns_record.value;
    dns.edit(|t| {
        t.txt("_scaidns-verify.wide.test", &value);
    });
    let check = tenant
        .client
        .validation_check(&created.id)
        .await
        .unwrap()
        .into_inner();
    assert!(check.is_valid, "{}", check.message);

    let asked = dns.asked();
    let resolved: BTreeSet<&str> = asked
        .iter()
        .filter(|a| a.rtype == "A" || a.rtype == "AAAA")
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(resolved.len(), MAX_NS_HOSTS, "{resolved:?}");
    let txt_targets: BTreeSet<IpAddr> = asked
        .iter()
        .filter(|a| a.rtype == "TXT")
        .map(|a| a.to)
        .collect();
    assert_eq!(txt_targets.len(), MAX_ADDRESSES, "{txt_targets:?}");
    assert!(!txt_targets.contains(&IpAddr::V4(RESOLVER)));
    // Each resolved host is represented (two addresses each), none of the others is.
    for (h, host) in hosts.iter().enumerate() {
        let asked_here = (0..3)
            .filter(|i| txt_targets.contains(&IpAddr::V4(addr(h as u8, *i))))
            .count();
        let expected = if resolved.contains(format!("{host}.").as_str()) {
            2
        } else {
            0
        };
        assert_eq!(asked_here, expected, "{host}");
    }
}

/// Two zones pending validation: `slow.test`, whose only nameserver never answers (its check
/// would wait ten minutes), and `fast.test`, whose nameserver answers with the right TXT.
struct SilentRig {
    svc: ScaiDns,
    dns: ScriptedDns,
    silent: Ipv4Addr,
    slow: scaidns_core::ids::ZoneId,
    fast: scaidns_core::ids::ZoneId,
    _db: TestDb,
}

async fn silent_rig() -> SilentRig {
    let answering = Ipv4Addr::new(127, 0, 0, 3);
    let silent = Ipv4Addr::new(127, 0, 0, 4);
    let mut table = Table::default();
    table
        .ns("slow.test", "ns.slow.test")
        .addr("ns.slow.test", IpAddr::V4(silent))
        .ns("fast.test", "ns.fast.test")
        .addr("ns.fast.test", IpAddr::V4(answering));
    let dns = ScriptedDns::start(&[RESOLVER, answering], &[silent], table).await;

    // The silent server would hold its check for ten minutes: nothing in this test finishes
    // by a timeout, so whatever completes did so while that check was still waiting.
    let db = TestDb::sqlite().await;
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
    ));
    let config = ServiceConfig {
        validation: ValidationConfig {
            resolvers: vec![dns.at(RESOLVER)],
            nameserver_port: dns.port,
            allow_private_targets: true,
            check_budget: Duration::from_secs(600),
            check_concurrency: 4,
            ..ValidationConfig::default()
        },
        ..ServiceConfig::default()
    };
    let svc = ScaiDns::new(
        Arc::new(db.store.clone()),
        Arc::new(EmbeddedBackend::new()),
        Arc::new(HickoryResolver::with_timeout(Duration::from_secs(600))),
        Arc::clone(&clock) as Arc<dyn Clock>,
        config,
    );
    let ctx = system_context_for(scaidns_core::ids::TenantId::new(), clock.now());
    let mut ids = Vec::new();
    for name in ["slow.test", "fast.test"] {
        let created = svc
            .zone_create(
                &ctx,
                ZoneCreate {
                    name: name.into(),
                    skip_validation: Some(false),
                    ..ZoneCreate::default()
                },
            )
            .await
            .unwrap();
        let value = created.validation.expect("challenge").expected_value();
        dns.edit(|t| {
            t.txt(&format!("_scaidns-verify.{name}"), &value);
        });
        ids.push(created.zone.id);
    }

    SilentRig {
        svc,
        dns,
        silent,
        slow: ids[0],
        fast: ids[1],
        _db: db,
    }
}

#[tokio::test]
async fn a_silent_nameserver_holds_up_neither_other_zones_nor_other_jobs() {
    let SilentRig {
        svc,
        dns,
        silent,
        slow,
        fast,
        _db,
    } = silent_rig().await;
    let worker = {
        let svc = svc.clone();
        tokio::spawn(async move { svc.worker_run_once(&WorkerConfig::new("worker")).await })
    };
    eventually("the silent server is asked for the challenge", || async {
        dns.asked()
            .iter()
            .any(|a| a.to == IpAddr::V4(silent) && a.rtype == "TXT")
    })
    .await;
    eventually("the other zone validates", || async {
        svc.store().get_zone(fast).await.unwrap().unwrap().status == ZoneStatus::Active
    })
    .await;
    eventually("every other job of the pass finishes", || async {
        let jobs = svc.store().list_jobs().await.unwrap();
        JOB_NAMES
            .iter()
            .filter(|j| **j != "validation_recheck")
            .all(|j| {
                jobs.iter()
                    .any(|info| info.name == *j && info.last_finished_at.is_some())
            })
    })
    .await;
    // Meanwhile the slow check is still waiting on its silent nameserver.
    assert!(!worker.is_finished(), "the pass ended: {:?}", worker.await);
    assert_eq!(
        svc.store().get_zone(slow).await.unwrap().unwrap().status,
        ZoneStatus::PendingValidation
    );
    let jobs = svc.store().list_jobs().await.unwrap();
    let recheck = jobs
        .iter()
        .find(|j| j.name == "validation_recheck")
        .expect("recheck job");
    assert!(recheck.last_finished_at.is_none(), "{recheck:?}");
    worker.abort();
}

/// `ARQ_MAX_JOBS=1`: one job at a time, in the catalogue's order, so the jobs after the held
/// re-check wait for it while those before it are done.
#[tokio::test]
async fn one_job_at_a_time_when_the_worker_may_run_only_one() {
    let SilentRig {
        svc,
        dns,
        silent,
        fast,
        slow: _,
        _db,
    } = silent_rig().await;
    let worker = {
        let svc = svc.clone();
        let mut config = WorkerConfig::new("worker");
        config.max_jobs = 1;
        tokio::spawn(async move { svc.worker_run_once(&config).await })
    };
    eventually("the silent server is asked for the challenge", || async {
        dns.asked()
            .iter()
            .any(|a| a.to == IpAddr::V4(silent) && a.rtype == "TXT")
    })
    .await;
    eventually("the other zone validates", || async {
        svc.store().get_zone(fast).await.unwrap().unwrap().status == ZoneStatus::Active
    })
    .await;
    let position = |job: &str| JOB_NAMES.iter().position(|j| *j == job).unwrap();
    let recheck = position("validation_recheck");
    let jobs = svc.store().list_jobs().await.unwrap();
    let finished = |job: &str| {
        jobs.iter()
            .any(|info| info.name == job && info.last_finished_at.is_some())
    };
    for (i, job) in JOB_NAMES.iter().enumerate() {
        if i < recheck {
            assert!(finished(job), "{job} runs before the re-check");
        } else {
            // Only the held re-check can be running: the later jobs have not even started.
            assert!(!finished(job), "{job} ran beside the re-check");
        }
    }
    assert!(!worker.is_finished());
    worker.abort();
}
