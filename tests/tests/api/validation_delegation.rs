//! Ownership by delegation (issue 10, item 4): a zone whose parent delegates it to every
//! platform nameserver validates by `validation_type: "nameservers"`; a parent delegating to
//! only part of the set leaves it pending with a message naming what was found and what is
//! missing; a parent whose servers are private is not asked unless the operator allows it.
//!
//! The parent zone lives in a real PowerDNS, which the service also uses as its resolver: the
//! platform nameservers are host names inside that parent, pointing back at the PowerDNS, so
//! PowerDNS answers the child's NS question with a referral, as a registry would.

use scaidns_client::Client;
use scaidns_client::types::{
    DomainCreateRequest, ValidationCreateRequest, ValidationStatusDto, ValidationTypeDto,
    ZoneStatusDto,
};
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestApp, TestBackend, TestOptions, spawn_app_configured};

use crate::domains::{record, zone};

const PARENT: &str = "parent.test";
const CHILD: &str = "deleg.parent.test";
const PLATFORM_NS: [&str; 2] = ["ns1.parent.test.", "ns2.parent.test."];

async fn app_on(pdns: &PdnsServer, allow_private: bool) -> TestApp {
    let resolver = pdns.dns_addr;
    spawn_app_configured(
        TestOptions {
            database_url: None,
            backend: TestBackend::PowerDns {
                api_url: pdns.api_url.clone(),
                api_key: pdns.api_key.clone(),
            },
        },
        |c| {
            c.validation_resolvers = vec![resolver];
            c.validation_nameserver_port = resolver.port();
            c.validation_allow_private_targets = allow_private;
            c.platform_nameservers = PLATFORM_NS.iter().map(|s| (*s).to_owned()).collect();
        },
    )
    .await
}

/// The parent, live and served by the PowerDNS (its apex NS are the platform nameservers,
/// whose addresses it holds), and the child, pending with a `nameservers` challenge.
/// Returns (parent id, child id).
async fn parent_and_pending_child(c: &Client, pdns: &PdnsServer) -> (String, String) {
    let pdns_ip = pdns.dns_addr.ip().to_string();
    let parent = c.zone_create(&zone(PARENT)).await.unwrap().into_inner();
    assert_eq!(parent.status, ZoneStatusDto::Active);
    for host in ["ns1", "ns2"] {
        c.record_create(&parent.id, &record(host, "A", &pdns_ip))
            .await
            .unwrap();
    }
    let child = c
        .zone_create(&DomainCreateRequest {
            cidr: None,
            skip_validation: Some(false),
            template_id: None,
            template_variables: Default::default(),
            ..zone(CHILD)
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(child.status, ZoneStatusDto::PendingValidation);
    let challenge = c
        .validation_create(
            &child.id,
            &ValidationCreateRequest {
                validation_type: Some(ValidationTypeDto::Nameservers),
            },
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(challenge.validation_type, ValidationTypeDto::Nameservers);
    assert_eq!(challenge.status, ValidationStatusDto::Pending);
    assert_eq!(
        challenge.delegate_to,
        PLATFORM_NS.map(str::to_owned).to_vec()
    );
    (parent.id, child.id)
}

#[tokio::test]
async fn a_zone_delegated_to_every_platform_nameserver_validates_by_delegation() {
    let pdns = PdnsServer::start().await;
    let app = app_on(&pdns, true).await;
    let tenant = app.tenant_with_user("delegator").await;
    app.assign_role(&tenant.user_id, "validation_bypass", &tenant.tenant_id)
        .await;
    let c = &tenant.client;
    let (parent, child) = parent_and_pending_child(c, &pdns).await;

    // Not delegated at all: the parent answers the child's name with no NS set.
    let check = c.validation_check(&child).await.unwrap().into_inner();
    assert!(!check.is_valid, "{}", check.message);
    assert_eq!(check.domain_status, "pending_validation");
    assert!(
        check.message.contains("to no nameservers"),
        "{}",
        check.message
    );

    // A partial delegation (one of the two platform nameservers) is refused, naming both sides.
    c.record_create(&parent, &record("deleg", "NS", PLATFORM_NS[0]))
        .await
        .unwrap();
    let check = c.validation_check(&child).await.unwrap().into_inner();
    assert!(!check.is_valid, "{}", check.message);
    assert_eq!(check.domain_status, "pending_validation");
    assert!(
        check
            .message
            .contains("delegates deleg.parent.test to ns1.parent.test;"),
        "{}",
        check.message
    );
    assert!(
        check.message.contains("missing ns2.parent.test)"),
        "{}",
        check.message
    );
    let shown = c.validation_get(&child).await.unwrap().into_inner();
    assert_eq!(shown.status, ValidationStatusDto::Failed);
    assert_eq!(shown.last_message.as_deref(), Some(check.message.as_str()));

    // The full set, in another case: the referral validates the zone, which goes live.
    c.record_create(&parent, &record("deleg", "NS", "NS2.Parent.Test."))
        .await
        .unwrap();
    let check = c.validation_check(&child).await.unwrap().into_inner();
    assert!(check.is_valid, "{}", check.message);
    assert_eq!(check.domain_status, "active");
    let zone = c.zone_get(&child, None).await.unwrap().into_inner();
    assert_eq!(zone.status, ZoneStatusDto::Active);
    // The challenge's start is audited with its method.
    let audit: serde_json::Value = crate::util::send(
        &app,
        &app.admin_key,
        "GET",
        "/api/v1/admin/audit-logs?action=domain.validation.start",
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(
        audit
            .to_string()
            .contains(r#""validation_type":"nameservers""#),
        "{audit}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_parent_on_private_addresses_is_not_asked_unless_allowed() {
    let pdns = PdnsServer::start().await;
    let app = app_on(&pdns, false).await;
    let tenant = app.tenant_with_user("delegator").await;
    app.assign_role(&tenant.user_id, "validation_bypass", &tenant.tenant_id)
        .await;
    let c = &tenant.client;
    let (parent, child) = parent_and_pending_child(c, &pdns).await;
    for ns in PLATFORM_NS {
        c.record_create(&parent, &record("deleg", "NS", ns))
            .await
            .unwrap();
    }
    // Fully delegated, but the parent's servers are loopback: the policy stops the check.
    let check = c.validation_check(&child).await.unwrap().into_inner();
    assert!(!check.is_valid, "{}", check.message);
    assert_eq!(check.domain_status, "pending_validation");
    assert!(
        check.message.contains("private or reserved"),
        "{}",
        check.message
    );
    assert!(!check.message.contains("127."), "{}", check.message);
    app.stop().await;
}

/// `VALIDATION_BY_DELEGATION` off (the default): the platform nameservers are shared, so a
/// delegation to them proves nothing about which tenant owns the name, and a challenge of that
/// type is refused naming the setting, while a TXT challenge still starts.
#[tokio::test]
async fn delegation_is_refused_unless_the_operator_turns_it_on() {
    let app = spawn_app_configured(TestOptions::default(), |c| {
        c.validation_by_delegation = false;
    })
    .await;
    let tenant = app.tenant_with_user("claimant").await;
    let child = tenant
        .client
        .zone_create(&DomainCreateRequest {
            cidr: None,
            skip_validation: Some(false),
            template_id: None,
            template_variables: Default::default(),
            ..zone(CHILD)
        })
        .await
        .unwrap()
        .into_inner();
    let path = format!("/api/v1/domains/{}/validation", child.id);
    let body = serde_json::json!({"validation_type": "nameservers"});
    let got = crate::util::call(&app, &tenant.key, "POST", &path, Some(body)).await;
    crate::util::refused(got.clone(), 422, "invalid_input");
    let detail = got.1["detail"].to_string();
    assert!(
        detail.contains("VALIDATION_BY_DELEGATION") && detail.contains("validation_type"),
        "{detail}"
    );
    let txt = serde_json::json!({"validation_type": "txt_record"});
    let started = crate::util::call(&app, &tenant.key, "POST", &path, Some(txt)).await;
    assert!(matches!(started.0, 200 | 201), "{}", started.1);
    app.stop().await;
}

/// The review's findings, against a scripted parent (`parent.test`, two servers, one of them
/// silent): a CNAME on the way up is not a zone cut, so the parent found for a name under it
/// is the real zone above it, never the CNAME's target; and a parent whose servers do not all
/// answer proves nothing, even when the one that answers delegates to every platform
/// nameserver.
#[tokio::test]
async fn every_parent_server_must_answer_and_a_cname_is_not_a_parent() {
    use std::net::Ipv4Addr;

    use scaidns_tests::scripted_dns::{ScriptedDns, Table};

    const RESOLVER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
    const NS1: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 3);
    const NS2_SILENT: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 4);
    let mut table = Table::default();
    table
        .ns(PARENT, "ns1.parentdns.test")
        .ns(PARENT, "ns2.parentdns.test")
        .addr("ns1.parentdns.test", NS1.into())
        .addr("ns2.parentdns.test", NS2_SILENT.into())
        // `alias.parent.test` points at a zone whose only server (the answering one) would
        // delegate anything it is asked about.
        .cname("alias.parent.test", "evil.test")
        .ns("evil.test", "ns1.evil.test")
        .addr("ns1.evil.test", NS1.into());
    for ns in PLATFORM_NS {
        table
            .referral(CHILD, ns)
            .referral("deleg.alias.parent.test", ns);
    }
    let dns = ScriptedDns::start(&[RESOLVER, NS1], &[NS2_SILENT], table).await;
    let (resolver, port) = (dns.at(RESOLVER), dns.port);
    let app = spawn_app_configured(TestOptions::default(), move |c| {
        c.validation_resolvers = vec![resolver];
        c.validation_nameserver_port = port;
        c.validation_allow_private_targets = true;
        c.platform_nameservers = PLATFORM_NS.iter().map(|s| (*s).to_owned()).collect();
    })
    .await;
    let tenant = app.tenant_with_user("claimant").await;
    let c = &tenant.client;
    for (name, parent_shown) in [
        (CHILD, "parent zone parent.test"),
        ("deleg.alias.parent.test", "parent zone parent.test"),
    ] {
        let child = c
            .zone_create(&DomainCreateRequest {
                skip_validation: Some(false),
                ..zone(name)
            })
            .await
            .unwrap()
            .into_inner();
        c.validation_create(
            &child.id,
            &ValidationCreateRequest {
                validation_type: Some(ValidationTypeDto::Nameservers),
            },
        )
        .await
        .unwrap();
        let check = c.validation_check(&child.id).await.unwrap().into_inner();
        assert!(!check.is_valid, "{name}: {}", check.message);
        assert_eq!(check.domain_status, "pending_validation", "{name}");
        assert!(
            check.message.contains(parent_shown)
                && check.message.contains("1 of 2 nameservers")
                && check.message.contains("did not answer"),
            "{name}: {}",
            check.message
        );
    }
    // The CNAME's target was never taken for the parent: its NS host was not even looked up.
    assert!(
        !dns.asked().iter().any(|q| q.name == "ns1.evil.test."),
        "{:?}",
        dns.asked()
    );
    app.stop().await;
}

/// A parent server that hosts the child zone itself answers the child's NS question from the
/// child's apex (NS in the answer section, authoritative): the zone speaking for itself, which
/// anyone hosting it can arrange, so it is not the parent's delegation and the zone stays
/// pending with the reason.
#[tokio::test]
async fn an_authoritative_answer_is_not_a_delegation() {
    let pdns = PdnsServer::start().await;
    let app = app_on(&pdns, true).await;
    let tenant = app.tenant_with_user("delegator").await;
    app.assign_role(&tenant.user_id, "validation_bypass", &tenant.tenant_id)
        .await;
    let c = &tenant.client;
    let (_parent, child) = parent_and_pending_child(c, &pdns).await;
    // The child, served by the parent's PowerDNS with the platform nameservers at its apex,
    // while the parent holds no delegation for it.
    let created = reqwest::Client::new()
        .post(format!("{}/api/v1/servers/localhost/zones", pdns.api_url))
        .header("X-API-Key", &pdns.api_key)
        .json(
            &serde_json::json!({"name": format!("{CHILD}."), "kind": "Native",
            "nameservers": PLATFORM_NS}),
        )
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success(), "{}", created.status());
    let check = c.validation_check(&child).await.unwrap().into_inner();
    assert!(!check.is_valid, "{}", check.message);
    assert_eq!(check.domain_status, "pending_validation");
    assert!(
        check
            .message
            .contains("answers for deleg.parent.test itself instead of delegating it"),
        "{}",
        check.message
    );
    app.stop().await;
}

/// Review findings 2 and 3, against a scripted parent whose two nameservers each have an
/// address that answers and one that never does (as an IPv6 address does on a host without an
/// IPv6 route): a nameserver is silent only when none of its addresses answered, so the
/// delegation validates once the parent delegates; and the failed checks before it (two
/// identical ones) write only the challenge, so the zone's `ETag` is unchanged and a write
/// sent with it applies.
#[tokio::test]
async fn a_nameserver_counts_as_answering_when_one_address_answers_and_failed_checks_keep_the_etag()
{
    use std::net::Ipv4Addr;

    use scaidns_tests::scripted_dns::{ScriptedDns, Table};

    const RESOLVER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
    const NS1: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 3);
    const NS2: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 4);
    const NS1_UNREACHABLE: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 5);
    const NS2_UNREACHABLE: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 6);
    let mut table = Table::default();
    table
        .ns(PARENT, "ns1.parentdns.test")
        .ns(PARENT, "ns2.parentdns.test")
        .addr("ns1.parentdns.test", NS1.into())
        .addr("ns1.parentdns.test", NS1_UNREACHABLE.into())
        .addr("ns2.parentdns.test", NS2.into())
        .addr("ns2.parentdns.test", NS2_UNREACHABLE.into());
    let dns = ScriptedDns::start(
        &[RESOLVER, NS1, NS2],
        &[NS1_UNREACHABLE, NS2_UNREACHABLE],
        table,
    )
    .await;
    let (resolver, port) = (dns.at(RESOLVER), dns.port);
    let app = spawn_app_configured(TestOptions::default(), move |c| {
        c.validation_resolvers = vec![resolver];
        c.validation_nameserver_port = port;
        c.validation_allow_private_targets = true;
        c.platform_nameservers = PLATFORM_NS.iter().map(|s| (*s).to_owned()).collect();
    })
    .await;
    let tenant = app.tenant_with_user("claimant").await;
    let c = &tenant.client;
    let child = c
        .zone_create(&DomainCreateRequest {
            skip_validation: Some(false),
            ..zone(CHILD)
        })
        .await
        .unwrap()
        .into_inner();
    c.validation_create(
        &child.id,
        &ValidationCreateRequest {
            validation_type: Some(ValidationTypeDto::Nameservers),
        },
    )
    .await
    .unwrap();
    let domain = format!("/api/v1/domains/{}", child.id);
    let etag = |resp: &reqwest::Response| resp.headers()["etag"].to_str().unwrap().to_owned();
    let before = etag(&crate::util::send(&app, &tenant.key, "GET", &domain, None).await);

    // Not delegated yet: the same failure twice, each recorded on the challenge only.
    for _ in 0..2 {
        let check = c.validation_check(&child.id).await.unwrap().into_inner();
        assert!(!check.is_valid, "{}", check.message);
        assert!(
            check.message.contains("to no nameservers") && check.message.contains("first 8"),
            "{}",
            check.message
        );
    }
    let shown = c.validation_get(&child.id).await.unwrap().into_inner();
    assert_eq!(shown.status, ValidationStatusDto::Failed);
    let after = etag(&crate::util::send(&app, &tenant.key, "GET", &domain, None).await);
    assert_eq!(after, before, "a failed check changes no published state");
    let updated = app
        .http
        .patch(app.url(&domain))
        .header("x-api-key", &tenant.key)
        .header("If-Match", &before)
        .json(&serde_json::json!({"description": "still mine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), 200, "{:?}", updated.text().await);

    // Delegated by both nameservers (each reached at one of its two addresses): valid.
    dns.edit(|t| {
        for ns in PLATFORM_NS {
            t.referral(CHILD, ns);
        }
    });
    let check = c.validation_check(&child.id).await.unwrap().into_inner();
    assert!(check.is_valid, "{}", check.message);
    assert_eq!(check.domain_status, "active");
    app.stop().await;
}
