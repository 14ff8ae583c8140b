//! The server schemathesis checks the committed OpenAPI document against (`scripts/test.sh`):
//! the embedded dev server on a fresh SQLite database, with the ScaiKey stand-in as its OpenID
//! Connect provider and the webhook secret set, so every operation answers as in production.
//!
//! Prints one JSON line `{"base_url", "api_key", "protected"}`: the platform admin's API key,
//! and the ids the run must not destroy (that key, its user, the platform tenant and its
//! groups), or every later case would only see 401s. Serves until its standard input closes.

use scaidns_server::config::{OidcSettings, Secret};
use scaidns_tests::scaikey::{CLIENT_ID, CLIENT_SECRET, ScaiKey};
use scaidns_tests::{TestOptions, spawn_app_configured};

#[tokio::main]
async fn main() {
    let scaikey = ScaiKey::start().await;
    let mut oidc = OidcSettings::new(scaikey.issuer());
    oidc.client_id = Some(CLIENT_ID.into());
    oidc.client_secret = Some(CLIENT_SECRET.into());
    oidc.audience = Some(CLIENT_ID.into());
    let app = spawn_app_configured(TestOptions::default(), move |c| {
        c.identity.oidc = Some(oidc);
        c.identity.webhook_secret = Some(Secret::new("contract-webhook-secret"));
        c.metrics_enabled = true;
        // A fuzzer sends thousands of requests a minute with one key.
        c.rate_limit_api_key_per_minute = 1_000_000;
        c.rate_limit_user_per_minute = 1_000_000;
    })
    .await;
    let tenant = Some(app.platform_tenant_id.as_str());
    let keys = app.client.api_key_list(None, None, None, tenant).await;
    let groups = app.client.group_list(None, None, tenant).await;
    let mut protected = vec![app.admin_user_id.clone(), app.platform_tenant_id.clone()];
    protected.extend(
        keys.expect("api_key_list")
            .into_inner()
            .data
            .into_iter()
            .map(|k| k.id),
    );
    protected.extend(
        groups
            .expect("group_list")
            .into_inner()
            .data
            .into_iter()
            .map(|g| g.id),
    );
    println!(
        "{}",
        serde_json::json!({
            "base_url": app.base_url,
            "api_key": app.admin_key,
            "protected": protected,
        })
    );
    // Serve until the caller closes our standard input (or goes away).
    let _ = tokio::task::spawn_blocking(|| {
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new())
    })
    .await;
    app.stop().await;
}
