//! Operator identity commands against the ScaiKey stand-in, through the core as the CLI runs
//! them: `sync` (counts, then nothing to do, then a user removed upstream becomes inactive;
//! `--users-only`), `assign-admin`, `register-scaikey`, and the `scaikey_jwks` readiness check.

use std::sync::Arc;
use std::time::Duration;

use scaidns_core::adapters::oidc::directory::ScaiKeyDirectory;
use scaidns_core::adapters::oidc::http::HttpClient;
use scaidns_core::adapters::oidc::registration::{self, RegistrationRequest, RegistrationStatus};
use scaidns_core::adapters::oidc::{OidcConfig, OidcProvider};
use scaidns_core::ports::SystemClock;
use scaidns_core::service::identity_sync::{NoProgress, SyncOptions, SyncReport, Tally};
use scaidns_core::tenant::UserStatus;
use scaidns_server::config::OidcSettings;
use scaidns_tests::scaikey::{APPLICATION_ID, CLIENT_ID, CLIENT_SECRET, ScaiKey};
use scaidns_tests::{TestApp, TestOptions, spawn_app, spawn_app_configured};
use serde_json::json;

fn oidc(scaikey: &ScaiKey) -> OidcConfig {
    let mut oidc = OidcConfig::new(scaikey.issuer());
    oidc.client_id = Some(CLIENT_ID.into());
    oidc.client_secret = Some(CLIENT_SECRET.into());
    oidc.audience = Some(CLIENT_ID.into());
    oidc
}

/// The same provider as the server's configuration reads it.
fn settings(scaikey: &ScaiKey) -> OidcSettings {
    let mut oidc = OidcSettings::new(scaikey.issuer());
    oidc.client_id = Some(CLIENT_ID.into());
    oidc.client_secret = Some(CLIENT_SECRET.into());
    oidc.audience = Some(CLIENT_ID.into());
    oidc
}

fn populate(scaikey: &ScaiKey) {
    scaikey.directory(|d| {
        d.partners =
            vec![json!({"id": "prt_msp", "name": "MSP", "slug": "msp", "status": "ACTIVE"})];
        d.tenants = vec![
            json!({"id": "tnt_acme", "name": "Acme", "slug": "acme", "partner_id": "prt_msp"}),
            json!({"id": "tnt_beta", "name": "Beta", "slug": "beta", "status": "ACTIVE"}),
        ];
        // Three users in acme: more than one page of the stand-in's two.
        d.users.insert(
            "tnt_acme".into(),
            (1..=3)
                .map(|i| {
                    json!({"id": format!("usr_{i}"), "email": format!("u{i}@acme.test"),
                                "first_name": format!("U{i}"), "status": "ACTIVE"})
                })
                .collect(),
        );
        d.users.insert(
            "tnt_beta".into(),
            vec![json!({"id": "usr_b", "email": "b@beta.test", "tenant_id": "tnt_beta"})],
        );
        d.groups.insert(
            "tnt_acme".into(),
            vec![json!({"id": "grp_ops", "name": "ops", "group_type": "SECURITY"})],
        );
        d.members
            .insert("grp_ops".into(), vec!["usr_1".into(), "usr_2".into()]);
    });
}

async fn sync(app: &TestApp, scaikey: &ScaiKey, users_only: bool) -> SyncReport {
    let provider = OidcProvider::new(oidc(scaikey), Arc::new(SystemClock)).unwrap();
    let directory = ScaiKeyDirectory::new(&provider, scaikey.issuer(), APPLICATION_ID);
    app.service()
        .identity_sync(&directory, SyncOptions { users_only }, &NoProgress)
        .await
        .unwrap()
}

fn tally(created: u64, updated: u64, removed: u64, unchanged: u64) -> Tally {
    Tally {
        created,
        updated,
        removed,
        unchanged,
    }
}

#[tokio::test]
async fn sync_creates_then_finds_nothing_to_do_then_deactivates_users_gone_upstream() {
    let scaikey = ScaiKey::start().await;
    populate(&scaikey);
    let app = spawn_app().await;

    let first = sync(&app, &scaikey, false).await.counts;
    assert_eq!(first.partners, tally(1, 0, 0, 0));
    assert_eq!(first.tenants, tally(2, 0, 0, 0));
    assert_eq!(first.users, tally(4, 0, 0, 0));
    assert_eq!(first.groups, tally(1, 0, 0, 0));
    assert_eq!(first.memberships, tally(2, 0, 0, 0));
    let store = app.service().store().clone();
    let acme = store
        .get_tenant_by_scaikey_id("tnt_acme")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(acme.slug, "acme");
    let u3 = store
        .get_user_by_scaikey_id("usr_3")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((u3.tenant_id, u3.email.as_str()), (acme.id, "u3@acme.test"));

    let second = sync(&app, &scaikey, false).await;
    let c = second.counts;
    assert_eq!(c.users, tally(0, 0, 0, 4));
    assert_eq!(c.tenants.created + c.tenants.updated, 0);
    assert_eq!(c.groups, tally(0, 0, 0, 1));
    assert_eq!(c.memberships, tally(0, 0, 0, 2));
    assert!(!second.saw_no_users());

    // usr_2 is unassigned upstream and leaves the group; the group gains usr_3.
    scaikey.directory(|d| {
        d.users
            .get_mut("tnt_acme")
            .unwrap()
            .retain(|u| u["id"] != "usr_2");
        d.members
            .insert("grp_ops".into(), vec!["usr_1".into(), "usr_3".into()]);
    });
    let third = sync(&app, &scaikey, false).await.counts;
    assert_eq!(third.users, tally(0, 0, 1, 3));
    assert_eq!(third.memberships.created, 1);
    assert_eq!(third.memberships.removed, 1);
    let u2 = store
        .get_user_by_scaikey_id("usr_2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u2.status, UserStatus::Inactive);
}

#[tokio::test]
async fn users_only_sync_skips_partners_and_groups_and_an_empty_application_says_so() {
    let scaikey = ScaiKey::start().await;
    populate(&scaikey);
    let app = spawn_app().await;
    let report = sync(&app, &scaikey, true).await.counts;
    assert_eq!(report.users.created, 4);
    assert_eq!(report.partners, Tally::default());
    assert_eq!(report.groups, Tally::default());
    // Tenants are made because the users need them.
    assert_eq!(report.tenants.created, 2);
    let store = app.service().store();
    assert!(
        store
            .get_group_by_scaikey_id("grp_ops")
            .await
            .unwrap()
            .is_none()
    );

    scaikey.directory(|d| d.users.clear());
    let empty = sync(&app, &scaikey, true).await;
    assert!(empty.saw_no_users());
    assert_eq!(empty.counts.users.removed, 4);
}

#[tokio::test]
async fn assign_admin_sets_and_revokes_the_flag_with_audit() {
    let app = spawn_app().await;
    let t = app.tenant_with_user("acme").await;
    let service = app.service();
    let (user, changed) = service
        .assign_platform_admin("User@Acme.test", true)
        .await
        .unwrap();
    assert!(changed && user.is_platform_admin);
    assert_eq!(user.id.to_string(), t.user_id);
    let (_, again) = service
        .assign_platform_admin("user@acme.test", true)
        .await
        .unwrap();
    assert!(!again);
    // The user's own key now reaches platform endpoints.
    let resp = app
        .http
        .get(app.url("/api/v1/admin/tenants"))
        .header("X-API-Key", &t.key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let (user, changed) = service
        .assign_platform_admin("user@acme.test", false)
        .await
        .unwrap();
    assert!(changed && !user.is_platform_admin);
    let err = service
        .assign_platform_admin("nobody@acme.test", true)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "user_not_found");
    let entries = service
        .store()
        .list_audit(
            &scaidns_core::ports::store::AuditFilter {
                actor_id: Some("scaidns-assign-admin".into()),
                ..Default::default()
            },
            Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(entries.total, 2);
}

#[tokio::test]
async fn register_scaikey_submits_waits_for_approval_and_gets_credentials_once() {
    let scaikey = ScaiKey::start().await;
    let http = HttpClient::new(Duration::from_secs(5)).unwrap();
    let request = RegistrationRequest {
        name: "ScaiDNS".into(),
        public_url: "https://dns.example.test/".into(),
        scope: "GLOBAL".into(),
        contact_email: Some("ops@example.test".into()),
    };
    let ticket = registration::submit(&http, scaikey.issuer(), &request)
        .await
        .unwrap();
    assert_eq!(
        registration::status(&http, scaikey.issuer(), &ticket)
            .await
            .unwrap(),
        RegistrationStatus::Pending
    );
    let approved = scaikey.approve_registrations();
    assert_eq!(
        approved[0]["redirect_uris"][0],
        "https://dns.example.test/oauth/callback"
    );
    assert_eq!(
        approved[0]["webhook_url"],
        "https://dns.example.test/api/v1/webhooks/scaikey"
    );
    match registration::status(&http, scaikey.issuer(), &ticket)
        .await
        .unwrap()
    {
        RegistrationStatus::Approved(c) => {
            assert_eq!(c.client_id, CLIENT_ID);
            assert_eq!(c.application_id.as_deref(), Some(APPLICATION_ID));
        }
        other => panic!("not approved: {other:?}"),
    }
    assert!(matches!(
        registration::status(&http, scaikey.issuer(), &ticket)
            .await
            .unwrap(),
        RegistrationStatus::Closed(_)
    ));
}

#[tokio::test]
async fn readiness_reports_the_providers_keys() {
    let app = spawn_app().await;
    let ready: serde_json::Value = app
        .http
        .get(app.url("/api/v1/health/ready"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["checks"]["scaikey_jwks"], "not_configured");

    let scaikey = ScaiKey::start().await;
    let config = settings(&scaikey);
    let app = spawn_app_configured(TestOptions::default(), move |c| {
        c.identity.oidc = Some(config)
    })
    .await;
    // Strict, so a 200 means every check passed: the signing keys load in the background, and
    // until they have, readiness answers 200 `degraded` without it.
    let mut last = serde_json::Value::Null;
    for _ in 0..300 {
        let resp = app
            .http
            .get(app.url("/api/v1/health/ready?strict=true"))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        last = resp.json().await.unwrap();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(last["checks"]["scaikey_jwks"], "ok", "{last}");
    assert_eq!(last["status"], "ok");

    // Keys that were never loaded: degraded (API keys still work), 503 only when strict.
    let down = ScaiKey::start().await;
    down.set_down(true);
    let config = settings(&down);
    let app = spawn_app_configured(TestOptions::default(), move |c| {
        c.identity.oidc = Some(config)
    })
    .await;
    let resp = app
        .http
        .get(app.url("/api/v1/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    let resp = app
        .http
        .get(app.url("/api/v1/health/ready?strict=true"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 503);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["checks"]["scaikey_jwks"], "signing keys not loaded");
}

/// A suspension made through `PATCH /admin/tenants/{id}` survives a later sync that rewrites
/// the tenant; partners arrive with sync and are listed and shown by either id.
#[tokio::test]
async fn sync_keeps_a_local_suspension_and_brings_the_partners() {
    use crate::tenant_admin::get;
    use crate::util::{call, ok};
    use reqwest::Method;
    let scaikey = ScaiKey::start().await;
    populate(&scaikey);
    let app = spawn_app().await;
    let key = app.admin_key.clone();
    sync(&app, &scaikey, false).await;

    let partners = get(&app, &key, "/api/v1/admin/partners").await;
    assert_eq!(partners["total"], 1, "{partners}");
    let partner = &partners["data"][0];
    assert_eq!(partner["scaikey_partner_id"], "prt_msp");
    let id = partner["id"].as_str().unwrap();
    for by in [id, "prt_msp"] {
        let one = get(&app, &key, &format!("/api/v1/admin/partners/{by}")).await;
        assert_eq!(one["id"], id);
    }
    let (status, body) = call(
        &app,
        &key,
        Method::GET,
        "/api/v1/admin/partners/prt_other",
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("partner_not_found"))
    );

    let acme = app
        .service()
        .store()
        .get_tenant_by_scaikey_id("tnt_acme")
        .await
        .unwrap()
        .unwrap();
    let path = format!("/api/v1/admin/tenants/{}", acme.id);
    let shown = get(&app, &key, &path).await;
    assert_eq!(shown["partner_id"], id);
    let suspended = ok(
        &app,
        &key,
        Method::PATCH,
        &path,
        json!({"status": "suspended"}),
    )
    .await;
    assert_eq!(
        (&suspended["status"], &suspended["suspended_locally"]),
        (&json!("suspended"), &json!(true))
    );

    // Upstream renames the tenant and calls it active: sync writes the name, not the status.
    scaikey.directory(|d| {
        d.tenants[0] = json!({"id": "tnt_acme", "name": "Acme Renamed", "slug": "acme",
                              "partner_id": "prt_msp", "status": "ACTIVE"});
    });
    let report = sync(&app, &scaikey, false).await.counts;
    assert_eq!(report.tenants.updated, 1);
    let after = get(&app, &key, &path).await;
    assert_eq!(
        (
            &after["name"],
            &after["status"],
            &after["suspended_locally"]
        ),
        (&json!("Acme Renamed"), &json!("suspended"), &json!(true))
    );
    let listed = get(&app, &key, "/api/v1/admin/tenants?status=suspended").await;
    assert_eq!(listed["total"], 1, "{listed}");
    assert_eq!(listed["data"][0]["id"], acme.id.to_string());

    // Resumed here, it is active again; the provider suspending it is then the provider's to
    // lift.
    let resumed = ok(
        &app,
        &key,
        Method::PATCH,
        &path,
        json!({"status": "active"}),
    )
    .await;
    assert_eq!(resumed["status"], "active");
    scaikey.directory(|d| d.tenants[0]["status"] = json!("SUSPENDED"));
    sync(&app, &scaikey, false).await;
    let refused = call(
        &app,
        &key,
        Method::PATCH,
        &path,
        Some(json!({"status": "active"})),
    )
    .await;
    crate::util::refused(refused, 409, "suspended_by_identity_provider");

    // Suspended on both sides: resuming clears the local flag, then names the provider.
    ok(
        &app,
        &key,
        Method::PATCH,
        &path,
        json!({"status": "suspended"}),
    )
    .await;
    let both = call(
        &app,
        &key,
        Method::PATCH,
        &path,
        Some(json!({"status": "active"})),
    )
    .await;
    crate::util::refused(both, 409, "suspended_by_identity_provider");
    let shown = get(&app, &key, &path).await;
    assert_eq!(
        (&shown["status"], &shown["suspended_locally"]),
        (&json!("suspended"), &json!(false)),
        "{shown}"
    );
    // The provider names it: the next sync would revert a rename made here.
    let renamed = call(
        &app,
        &key,
        Method::PATCH,
        &path,
        Some(json!({"name": "Elsewhere"})),
    )
    .await;
    crate::util::refused(renamed, 409, "managed_by_identity_provider");
    let same = ok(
        &app,
        &key,
        Method::PATCH,
        &path,
        json!({"name": "Acme Renamed", "settings": {"tier": "silver"}}),
    )
    .await;
    assert_eq!(
        (&same["name"], &same["settings"]["tier"]),
        (&json!("Acme Renamed"), &json!("silver"))
    );
}
