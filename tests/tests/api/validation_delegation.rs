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
