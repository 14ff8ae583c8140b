//! An API key acting on API keys is narrowed, never widened: its scopes, allow-list and expiry
//! bound every key it creates, and it may regenerate or re-activate only itself.

use scaidns_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

use crate::util::call;

async fn create(app: &TestApp, with: &str, body: Value) -> (u16, Value) {
    call(app, with, "POST", "/api/v1/api-keys", Some(body)).await
}

#[tokio::test]
async fn restricted_keys_cannot_mint_wider_keys() {
    let app = spawn_app().await;
    let owner = app.admin_user_id.clone();
    let expiry = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let (status, limited) = create(
        &app,
        &app.admin_key,
        json!({"name": "limited", "permission_source_id": owner,
               "scopes": ["api_keys:*", "domains:read"],
               "ip_whitelist": ["127.0.0.0/8"], "expires_at": expiry}),
    )
    .await;
    assert_eq!(status, 201, "{limited}");
    let limited_key = limited["key"].as_str().unwrap().to_owned();

    // Omitted restrictions are inherited.
    let (status, child) = create(&app, &limited_key, json!({"name": "child"})).await;
    assert_eq!(status, 201, "{child}");
    assert_eq!(child["scopes"], json!(["api_keys:*", "domains:read"]));
    assert_eq!(child["ip_whitelist"], json!(["127.0.0.0/8"]));
    assert!(child["expires_at"].is_string());

    // Wider ones are refused.
    for (body, code) in [
        (
            json!({"name": "w", "scopes": ["domains:*"]}),
            "scope_not_held",
        ),
        (
            json!({"name": "w", "ip_whitelist": ["0.0.0.0/0"]}),
            "network_not_held",
        ),
        (
            json!({"name": "w", "expires_at": (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339()}),
            "expiry_not_held",
        ),
    ] {
        let (status, err) = create(&app, &limited_key, body).await;
        assert_eq!((status, err["code"].as_str()), (403, Some(code)), "{err}");
    }

    // It may regenerate itself, not the unrestricted admin key.
    let admin_key_id = app
        .client
        .api_key_list(None, None, None, None)
        .await
        .unwrap()
        .into_inner()
        .data;
    let other = admin_key_id
        .iter()
        .find(|k| k.name != "limited" && k.name != "child")
        .unwrap();
    let regen = |id: String| {
        app.http
            .post(app.url(&format!("/api/v1/api-keys/{id}/regenerate")))
            .header("x-api-key", limited_key.clone())
            .send()
    };
    assert_eq!(regen(other.id.clone()).await.unwrap().status(), 403);
    assert_eq!(
        regen(limited["id"].as_str().unwrap().to_owned())
            .await
            .unwrap()
            .status(),
        200
    );

    // A key whose scopes do not cover key management manages no keys.
    let (_, reader) = create(
        &app,
        &app.admin_key,
        json!({"name": "reader", "permission_source_id": owner, "scopes": ["domains:read"]}),
    )
    .await;
    let (status, err) = create(&app, reader["key"].as_str().unwrap(), json!({"name": "x"})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (403, Some("permission_denied")),
        "{err}"
    );
}
