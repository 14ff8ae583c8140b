//! Tenants and users: CRUD, uniqueness, case-insensitive email.

use super::*;
use crate::support::contract::contract;
use scaidns_core::ports::identity_store::{IdentityBatch, IdentityChange};
use scaidns_core::ports::store::{TenantFilter, TenantPatch, UserFilter};
use scaidns_core::tenant::UserStatus;

contract!(
    Store:
    tenants_crud_and_uniqueness,
    users_crud_and_case_insensitive_email,
);

fn tenant(slug: &str, name: &str) -> Tenant {
    Tenant {
        id: TenantId::new(),
        name: name.into(),
        slug: slug.into(),
        scaikey_tenant_id: Some(format!("tnt_{slug}")),
        status: TenantStatus::Active,
        is_platform: false,
        suspended_locally: false,
        partner_id: None,
        settings: serde_json::json!({}),
        created_at: t0(),
        updated_at: t0(),
    }
}

async fn tenants_crud_and_uniqueness(store: &dyn Store) {
    let acme = tenant("acme", "Acme Corp");
    let audit = [event(Some(acme.id), "tenant.create", &acme.id.to_string())];
    store.insert_tenant(&acme, &audit).await.unwrap();
    assert_eq!(store.get_tenant(acme.id).await.unwrap(), Some(acme.clone()));
    assert_eq!(
        store.get_tenant_by_slug("acme").await.unwrap(),
        Some(acme.clone())
    );
    assert_eq!(
        store.get_tenant_by_scaikey_id("tnt_acme").await.unwrap(),
        Some(acme.clone())
    );
    assert!(store.get_tenant_by_slug("nope").await.unwrap().is_none());
    assert!(store.get_tenant(TenantId::new()).await.unwrap().is_none());
    assert_eq!(all_audit(store).await, audit);

    let mut dup = tenant("acme", "Other");
    dup.scaikey_tenant_id = None;
    let err = assert_code(
        store
            .insert_tenant(&dup, &[event(None, "tenant.create", "dup")])
            .await,
        "tenant_exists",
    );
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(
        all_audit(store).await.len(),
        1,
        "a refused insert writes no audit entry"
    );
    let mut dup_idp = tenant("acme-2", "Other");
    dup_idp.scaikey_tenant_id = acme.scaikey_tenant_id.clone();
    assert_code(store.insert_tenant(&dup_idp, &[]).await, "tenant_exists");

    // Several tenants without an identity-provider id are fine.
    let mut local1 = tenant("beta", "beta Labs");
    local1.scaikey_tenant_id = None;
    let mut local2 = tenant("gamma", "Gamma");
    local2.scaikey_tenant_id = None;
    local2.is_platform = true;
    store.insert_tenant(&local1, &[]).await.unwrap();
    store.insert_tenant(&local2, &[]).await.unwrap();

    let mut renamed = acme.clone();
    renamed.name = "Zeta Corp".into();
    renamed.status = TenantStatus::Suspended;
    renamed.updated_at = at(60);
    store
        .update_tenant(&renamed, &[event(Some(acme.id), "tenant.update", "x")])
        .await
        .unwrap();
    assert_eq!(
        store.get_tenant(acme.id).await.unwrap(),
        Some(renamed.clone())
    );
    let mut clash = local1.clone();
    clash.slug = "gamma".into();
    assert_code(store.update_tenant(&clash, &[]).await, "tenant_exists");
    assert_code(
        store.update_tenant(&tenant("ghost", "Ghost"), &[]).await,
        "not_found",
    );

    let all = PageRequest {
        page: 1,
        page_size: 10,
    };
    let page = store.list_tenants(&search(None), all).await.unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(
        page.items
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["Gamma", "Zeta Corp", "beta Labs"]
    );
    let page = store
        .list_tenants(&search(Some("ZETA")), all)
        .await
        .unwrap();
    assert_eq!(page.items, vec![renamed.clone()]);
    let page = store.list_tenants(&search(Some("bet")), all).await.unwrap();
    assert_eq!(page.items, vec![local1]);
    let page = store.list_tenants(&search(Some("_")), all).await.unwrap();
    assert_eq!(page.total, 0);
    let page = store
        .list_tenants(
            &search(None),
            PageRequest {
                page: 2,
                page_size: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.total), (1, 3));

    // A suspension made by the admin API and its settings round-trip, filter the list, and
    // survive identity sync writing the tenant again.
    let mut held = renamed.clone();
    held.suspended_locally = true;
    held.settings = serde_json::json!({"tier": "gold"});
    store.update_tenant(&held, &[]).await.unwrap();
    assert_eq!(
        store.get_tenant(held.id).await.unwrap().as_ref(),
        Some(&held)
    );
    // A patch writes only its columns: a settings change made with a stale copy of the tenant
    // neither lifts the suspension nor writes back the provider's status.
    let patch = |settings| TenantPatch {
        name: None,
        settings: Some(settings),
        suspended_locally: None,
        status: None,
        updated_at: at(90),
    };
    let mut synced = held.clone();
    synced.status = TenantStatus::Active;
    store.update_tenant(&synced, &[]).await.unwrap();
    store
        .patch_tenant(
            held.id,
            &patch(serde_json::json!({"tier": "silver"})),
            &[event(Some(held.id), "tenant.update", "y")],
        )
        .await
        .unwrap();
    let patched = store.get_tenant(held.id).await.unwrap().unwrap();
    assert_eq!(
        (
            patched.status,
            patched.suspended_locally,
            &patched.settings,
            &patched.name,
            patched.updated_at
        ),
        (
            TenantStatus::Active,
            true,
            &serde_json::json!({"tier": "silver"}),
            &held.name,
            at(90)
        )
    );
    let lift = TenantPatch {
        suspended_locally: Some(false),
        status: Some(TenantStatus::Suspended),
        name: Some("Renamed".into()),
        ..patch(serde_json::json!({}))
    };
    store.patch_tenant(held.id, &lift, &[]).await.unwrap();
    let lifted = store.get_tenant(held.id).await.unwrap().unwrap();
    assert_eq!(
        (
            lifted.status,
            lifted.suspended_locally,
            lifted.name.as_str()
        ),
        (TenantStatus::Suspended, false, "Renamed")
    );
    assert_code(
        store
            .patch_tenant(tenant("ghost", "Ghost").id, &lift, &[])
            .await,
        "not_found",
    );
    store.update_tenant(&held, &[]).await.unwrap();
    let by_status = |status| TenantFilter {
        status: Some(status),
        ..TenantFilter::default()
    };
    let page = store
        .list_tenants(&by_status(TenantStatus::Suspended), all)
        .await
        .unwrap();
    assert_eq!(page.items, vec![held.clone()]);
    let page = store
        .list_tenants(&by_status(TenantStatus::Active), all)
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    let mut synced = held.clone();
    synced.suspended_locally = false;
    synced.settings = serde_json::json!({});
    synced.name = "Zeta Synced".into();
    store
        .apply_identity_batch(&IdentityBatch {
            changes: vec![IdentityChange::Tenant {
                tenant: synced,
                partner_id: None,
            }],
            ..IdentityBatch::default()
        })
        .await
        .unwrap();
    let after = store.get_tenant(held.id).await.unwrap().unwrap();
    assert_eq!(after.name, "Zeta Synced");
    assert!(after.suspended_locally && after.is_suspended());
    assert_eq!(after.settings, serde_json::json!({"tier": "gold"}));

    // Settings by prefix, with the prefix's wildcards taken literally.
    for (k, v) in [
        ("config.b", "2"),
        ("config.a", "1"),
        ("configxa", "3"),
        ("other", "x"),
    ] {
        store.put_setting(k, v, &[]).await.unwrap();
    }
    assert_eq!(
        store.list_settings("config.").await.unwrap(),
        [
            ("config.a".to_owned(), "1".to_owned()),
            ("config.b".to_owned(), "2".to_owned())
        ]
    );
    assert!(store.list_settings("config_").await.unwrap().is_empty());
}

fn search(text: Option<&str>) -> TenantFilter {
    TenantFilter {
        search: text.map(str::to_owned),
        ..TenantFilter::default()
    }
}

fn user(tenant: TenantId, email: &str) -> User {
    User {
        id: UserId::new(),
        tenant_id: tenant,
        email: email.into(),
        first_name: Some("Ada".into()),
        last_name: None,
        scaikey_user_id: None,
        status: UserStatus::Active,
        is_platform_admin: false,
        is_tenant_admin: true,
        created_at: t0(),
        updated_at: t0(),
    }
}

async fn users_crud_and_case_insensitive_email(store: &dyn Store) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let mut ada = user(t1, "Ada@Example.COM");
    ada.scaikey_user_id = Some("usr_ada".into());
    store
        .insert_user(&ada, &[event(Some(t1), "user.create", "ada")])
        .await
        .unwrap();
    let stored = User {
        email: "ada@example.com".into(),
        ..ada.clone()
    };
    assert_eq!(store.get_user(ada.id).await.unwrap(), Some(stored.clone()));
    assert_eq!(
        store.get_user_by_email("ADA@example.com").await.unwrap(),
        Some(stored.clone())
    );
    assert_eq!(
        store.get_user_by_scaikey_id("usr_ada").await.unwrap(),
        Some(stored.clone())
    );
    assert!(
        store
            .get_user_by_email("bob@example.com")
            .await
            .unwrap()
            .is_none()
    );

    let err = assert_code(
        store.insert_user(&user(t2, "ada@EXAMPLE.com"), &[]).await,
        "user_exists",
    );
    assert_eq!(err.kind(), ErrorKind::Conflict);
    let mut same_idp = user(t1, "other@example.com");
    same_idp.scaikey_user_id = Some("usr_ada".into());
    assert_code(store.insert_user(&same_idp, &[]).await, "user_exists");

    let carl = user(t1, "carl@example.com");
    let bob = user(t2, "bob@example.com");
    store.insert_user(&carl, &[]).await.unwrap();
    store.insert_user(&bob, &[]).await.unwrap();

    let mut updated = stored.clone();
    updated.status = UserStatus::Inactive;
    updated.is_platform_admin = true;
    updated.last_name = Some("Lovelace".into());
    updated.updated_at = at(5);
    store.update_user(&updated, &[]).await.unwrap();
    assert_eq!(store.get_user(ada.id).await.unwrap(), Some(updated.clone()));
    let mut clash = carl.clone();
    clash.email = "BOB@example.com".into();
    assert_code(store.update_user(&clash, &[]).await, "user_exists");
    assert_code(
        store.update_user(&user(t1, "ghost@example.com"), &[]).await,
        "not_found",
    );

    let all = PageRequest {
        page: 1,
        page_size: 10,
    };
    let emails = |users: Vec<User>| users.into_iter().map(|u| u.email).collect::<Vec<_>>();
    let page = store.list_users(None, all).await.unwrap();
    assert_eq!(
        (emails(page.items), page.total),
        (
            vec![
                "ada@example.com".to_owned(),
                "bob@example.com".into(),
                "carl@example.com".into()
            ],
            3
        )
    );
    let page = store.list_users(Some(t1), all).await.unwrap();
    assert_eq!(emails(page.items), ["ada@example.com", "carl@example.com"]);
    let page = store
        .list_users(
            Some(t1),
            PageRequest {
                page: 2,
                page_size: 1,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (emails(page.items), page.total),
        (vec!["carl@example.com".to_owned()], 2)
    );

    // search_users: tenant, substring of e-mail or names (case-insensitive), status.
    let filter = |tenant_id, search: Option<&str>, status| UserFilter {
        tenant_id,
        search: search.map(str::to_owned),
        status,
    };
    let found = |f: UserFilter| {
        let store = &store;
        async move { emails(store.search_users(&f, all).await.unwrap().items) }
    };
    assert_eq!(
        found(filter(Some(t1), Some("CARL"), None)).await,
        ["carl@example.com"]
    );
    assert_eq!(
        found(filter(None, Some("bob"), None)).await,
        ["bob@example.com"]
    );
    assert_eq!(
        found(filter(Some(t1), Some("bob"), None)).await,
        Vec::<String>::new()
    );
    assert_eq!(
        found(filter(None, Some("%"), None)).await,
        Vec::<String>::new()
    );
    let mut gone = store.get_user(carl.id).await.unwrap().unwrap();
    gone.status = UserStatus::Inactive;
    store.update_user(&gone, &[]).await.unwrap();
    // ada was made inactive above, so both t1 users are inactive now.
    assert_eq!(
        found(filter(Some(t1), None, Some(UserStatus::Inactive))).await,
        ["ada@example.com", "carl@example.com"]
    );
    assert_eq!(
        found(filter(Some(t1), None, Some(UserStatus::Active))).await,
        Vec::<String>::new()
    );
    assert_eq!(
        found(filter(None, None, Some(UserStatus::Active))).await,
        ["bob@example.com"]
    );
}
