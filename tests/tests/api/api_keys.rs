//! The API-key lifecycle: create (secret shown once), list, revoke, activate, regenerate,
//! delete, expiry, IP whitelist, and tenant isolation.

use chrono::{Duration, Utc};
use scaidns_client::types::ApiKeyCreateRequest;
use scaidns_tests::spawn_app;

fn new_key(name: &str) -> ApiKeyCreateRequest {
    ApiKeyCreateRequest {
        name: name.into(),
        description: Some("test key".into()),
        permission_source: None,
        permission_source_id: None,
        scopes: vec![],
        rate_limit: None,
        ip_whitelist: vec![],
        expires_at: None,
    }
}

fn code<T>(
    r: Result<T, scaidns_client::GeneratedError<scaidns_client::types::ErrorBody>>,
) -> (u16, String) {
    match r {
        Ok(_) => (200, String::new()),
        Err(scaidns_client::GeneratedError::ErrorResponse(e)) => {
            (e.status().as_u16(), e.into_inner().code)
        }
        Err(e) => (e.status().map_or(0, |s| s.as_u16()), e.to_string()),
    }
}

#[tokio::test]
async fn lifecycle() {
    let app = spawn_app().await;
    let user = app.tenant_with_user("keys").await;

    let created = user
        .client
        .api_key_create(&new_key("ci"))
        .await
        .expect("create");
    assert_eq!(created.status().as_u16(), 201);
    let created = created.into_inner();
    assert!(created.key.starts_with("sdk_live_"));
    assert!(created.key.starts_with(&created.key_prefix));
    assert_eq!(created.permission_source_id, user.user_id);
    let ci = app.client_with_key(&created.key);

    // Lists never show the secret.
    let raw = app
        .http
        .get(app.url("/api/v1/api-keys/"))
        .header("x-api-key", &user.key)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!raw.contains(&created.key) && !raw.contains(&user.key));
    let list = user
        .client
        .api_key_list(None, None, None, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.total, 2);

    // Use is tracked on the key.
    ci.api_key_get(&created.id).await.expect("key works");
    let got = user
        .client
        .api_key_get(&created.id)
        .await
        .unwrap()
        .into_inner();
    assert!(got.use_count >= 1 && got.last_used_at.is_some());

    // Revoke → 401; revoked keys leave the default list; activate restores.
    let revoked = user
        .client
        .api_key_revoke(&created.id)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(revoked.status, "revoked");
    assert_eq!(
        code(ci.api_key_get(&created.id).await),
        (401, "api_key_revoked".into())
    );
    assert_eq!(
        user.client
            .api_key_list(None, None, None, None)
            .await
            .unwrap()
            .into_inner()
            .total,
        1
    );
    assert_eq!(
        user.client
            .api_key_list(Some(true), None, None, None)
            .await
            .unwrap()
            .into_inner()
            .total,
        2
    );
    user.client.api_key_activate(&created.id).await.unwrap();
    ci.api_key_get(&created.id).await.expect("active again");

    // Regenerate: the old secret stops at once, the new one works.
    let fresh = user
        .client
        .api_key_regenerate(&created.id)
        .await
        .unwrap()
        .into_inner();
    assert_ne!(fresh.key, created.key);
    assert_eq!(
        code(ci.api_key_get(&created.id).await),
        (401, "invalid_api_key".into())
    );
    app.client_with_key(&fresh.key)
        .api_key_get(&created.id)
        .await
        .expect("new secret works");

    // Delete is permanent.
    let deleted = user.client.api_key_delete(&created.id).await.unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_eq!(code(user.client.api_key_get(&created.id).await).0, 404);
    assert_eq!(
        code(
            app.client_with_key(&fresh.key)
                .api_key_get(&user.key_id)
                .await
        )
        .0,
        401
    );
    app.stop().await;
}

#[tokio::test]
async fn expiry_and_ip_whitelist() {
    let app = spawn_app().await;
    let user = app.tenant_with_user("limits").await;

    let past = ApiKeyCreateRequest {
        expires_at: Some(Utc::now() - Duration::minutes(1)),
        ..new_key("past")
    };
    assert_eq!(code(user.client.api_key_create(&past).await).0, 422);

    let soon = ApiKeyCreateRequest {
        expires_at: Some(Utc::now() + Duration::milliseconds(1500)),
        ..new_key("soon")
    };
    let soon = user
        .client
        .api_key_create(&soon)
        .await
        .unwrap()
        .into_inner();
    let soon_client = app.client_with_key(&soon.key);
    soon_client
        .api_key_get(&soon.id)
        .await
        .expect("not yet expired");
    tokio::time::sleep(std::time::Duration::from_millis(1700)).await;
    assert_eq!(
        code(soon_client.api_key_get(&soon.id).await),
        (401, "api_key_expired".into())
    );

    let elsewhere = ApiKeyCreateRequest {
        ip_whitelist: vec!["10.0.0.0/8".into()],
        ..new_key("elsewhere")
    };
    let elsewhere = user
        .client
        .api_key_create(&elsewhere)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        code(
            app.client_with_key(&elsewhere.key)
                .api_key_get(&elsewhere.id)
                .await
        ),
        (403, "ip_not_allowed".into())
    );

    let here = ApiKeyCreateRequest {
        ip_whitelist: vec!["127.0.0.1".into(), "::1/128".into()],
        ..new_key("here")
    };
    let here = user
        .client
        .api_key_create(&here)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(here.ip_whitelist, vec!["127.0.0.1/32", "::1/128"]);
    app.client_with_key(&here.key)
        .api_key_get(&here.id)
        .await
        .expect("loopback allowed");

    let bad = ApiKeyCreateRequest {
        ip_whitelist: vec!["not-a-net".into()],
        ..new_key("bad")
    };
    assert_eq!(code(user.client.api_key_create(&bad).await).0, 422);
    app.stop().await;
}

#[tokio::test]
async fn other_tenants_keys_are_invisible() {
    let app = spawn_app().await;
    let alice = app.tenant_with_user("alice").await;
    let bob = app.tenant_with_user("bob").await;

    for r in [
        code(bob.client.api_key_get(&alice.key_id).await),
        code(bob.client.api_key_revoke(&alice.key_id).await),
        code(bob.client.api_key_regenerate(&alice.key_id).await),
        code(bob.client.api_key_delete(&alice.key_id).await),
    ] {
        assert_eq!(r, (404, "api_key_not_found".into()));
    }
    let bobs = bob
        .client
        .api_key_list(None, None, None, None)
        .await
        .unwrap()
        .into_inner();
    assert!(bobs.data.iter().all(|k| k.tenant_id == bob.tenant_id));
    let for_alice = ApiKeyCreateRequest {
        permission_source_id: Some(alice.user_id.clone()),
        ..new_key("steal")
    };
    assert_eq!(code(bob.client.api_key_create(&for_alice).await).0, 422);
    assert_eq!(
        code(
            bob.client
                .api_key_list(None, None, None, Some(&alice.tenant_id))
                .await
        )
        .0,
        403
    );

    // The platform admin sees every tenant's keys.
    let all = app
        .client
        .api_key_list(None, None, None, None)
        .await
        .unwrap()
        .into_inner();
    assert!(
        all.data.iter().any(|k| k.id == alice.key_id)
            && all.data.iter().any(|k| k.id == bob.key_id)
    );
    app.client
        .api_key_get(&alice.key_id)
        .await
        .expect("admin sees alice's key");
    app.stop().await;
}
