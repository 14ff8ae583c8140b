//! Tenants and users through the platform-admin endpoints.

use scaidns_client::types::{TenantCreateRequest, UserCreateRequest};
use scaidns_tests::spawn_app;

fn status<T, E>(r: Result<T, scaidns_client::GeneratedError<E>>) -> u16 {
    match r {
        Ok(_) => 200,
        Err(e) => e.status().map_or(0, |s| s.as_u16()),
    }
}

#[tokio::test]
async fn platform_admin_manages_tenants_and_users() {
    let app = spawn_app().await;
    let t = app
        .client
        .tenant_create(&TenantCreateRequest {
            name: "Acme".into(),
            slug: "acme".into(),
            scaikey_tenant_id: Some("tnt_1".into()),
            partner_id: None,
            settings: None,
        })
        .await
        .expect("create tenant");
    assert_eq!(t.status().as_u16(), 201);
    let t = t.into_inner();
    assert_eq!(
        (t.slug.as_str(), t.status.as_str(), t.is_platform),
        ("acme", "active", false)
    );

    let dup = app
        .client
        .tenant_create(&TenantCreateRequest {
            name: "Acme 2".into(),
            slug: "acme".into(),
            scaikey_tenant_id: None,
            partner_id: None,
            settings: None,
        })
        .await;
    assert_eq!(status(dup), 409);

    let list = app
        .client
        .tenant_list(None, None, None, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.total, 2, "platform + acme");
    let found = app
        .client
        .tenant_list(None, None, Some("acm"), None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.data.len(), 1);
    assert_eq!(
        app.client
            .tenant_get(&t.id)
            .await
            .unwrap()
            .into_inner()
            .slug,
        "acme"
    );
    assert_eq!(
        status(
            app.client
                .tenant_get("00000000-0000-0000-0000-000000000000")
                .await
        ),
        404
    );

    let u = app
        .client
        .user_create(&UserCreateRequest {
            display_name: None,
            password: None,
            email: "  Alice@Acme.TEST ".into(),
            first_name: Some("Alice".into()),
            last_name: None,
            tenant_id: Some(t.id.clone()),
        })
        .await
        .expect("create user")
        .into_inner();
    assert_eq!(u.email, "alice@acme.test");
    assert_eq!(u.tenant_id, t.id);
    assert!(!u.is_platform_admin);
    let dup = app
        .client
        .user_create(&UserCreateRequest {
            display_name: None,
            password: None,
            email: "alice@acme.test".into(),
            first_name: None,
            last_name: None,
            tenant_id: None,
        })
        .await;
    assert_eq!(status(dup), 409);
    let bad = app
        .client
        .user_create(&UserCreateRequest {
            display_name: None,
            password: None,
            email: "not-an-email".into(),
            first_name: None,
            last_name: None,
            tenant_id: None,
        })
        .await;
    assert_eq!(status(bad), 422);

    let users = app
        .client
        .user_list(None, None, None, None, Some(&t.id))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        users
            .data
            .iter()
            .map(|u| u.email.as_str())
            .collect::<Vec<_>>(),
        vec!["alice@acme.test"]
    );
    let own = app
        .client
        .user_list(None, None, None, None, None)
        .await
        .unwrap()
        .into_inner();
    assert!(
        own.data
            .iter()
            .any(|u| u.email == "admin@scaidns.test" && u.is_platform_admin)
    );
    app.stop().await;
}

#[tokio::test]
async fn tenant_users_cannot_administer() {
    let app = spawn_app().await;
    let member = app.tenant_with_user("member").await;
    let r = member
        .client
        .tenant_create(&TenantCreateRequest {
            name: "x".into(),
            slug: "x".into(),
            scaikey_tenant_id: None,
            partner_id: None,
            settings: None,
        })
        .await;
    assert_eq!(status(r), 403);
    assert_eq!(
        status(member.client.tenant_list(None, None, None, None).await),
        403
    );
    // A tenant admin lists its own tenant's users (spec §10.1), no other tenant's.
    assert_eq!(
        status(member.client.user_list(None, None, None, None, None).await),
        200
    );
    assert_eq!(
        status(
            member
                .client
                .user_list(None, None, None, None, Some(&app.platform_tenant_id))
                .await
        ),
        403
    );
    app.stop().await;
}
