//! API keys: CRUD, lookup by hash, use tracking.

use super::*;
use crate::support::contract::contract;

contract!(
    Store:
    api_keys_crud_lookup_and_use_tracking,
    batched_key_uses_add_up_and_keep_the_latest,
);

fn api_key(tenant: TenantId, name: &str, hash: &str, created: i64) -> ApiKey {
    ApiKey {
        id: ApiKeyId::new(),
        tenant_id: tenant,
        name: name.into(),
        description: Some("for CI".into()),
        key_prefix: "sdk_live_ab".into(),
        key_hash: hash.into(),
        status: ApiKeyStatus::Active,
        permission_source: PermissionSource::User,
        permission_source_id: "user-1".into(),
        scopes: vec!["domains:read".into(), "records:write".into()],
        rate_limit: Some(250),
        ip_whitelist: vec![
            "192.0.2.0/24".parse().unwrap(),
            "2001:db8::/32".parse().unwrap(),
        ],
        expires_at: Some(at(86_400)),
        last_used_at: None,
        last_used_ip: None,
        use_count: 0,
        created_by: Some(UserId::new()),
        created_at: at(created),
        updated_at: at(created),
    }
}

async fn api_keys_crud_lookup_and_use_tracking(store: &dyn Store) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let k1 = api_key(t1, "first", &"a".repeat(64), 0);
    let mut k2 = api_key(t1, "second", &"b".repeat(64), 10);
    k2.scopes = Vec::new();
    k2.ip_whitelist = Vec::new();
    k2.rate_limit = None;
    k2.expires_at = None;
    k2.created_by = None;
    k2.permission_source = PermissionSource::Group;
    k2.permission_source_id = "group-9".into();
    let k3 = api_key(t2, "third", &"c".repeat(64), 20);
    for k in [&k1, &k2, &k3] {
        store
            .insert_api_key(
                k,
                &[event(
                    Some(k.tenant_id),
                    "api_key.create",
                    &k.id.to_string(),
                )],
            )
            .await
            .unwrap();
    }
    assert_eq!(store.get_api_key(k1.id).await.unwrap(), Some(k1.clone()));
    assert_eq!(store.get_api_key(k2.id).await.unwrap(), Some(k2.clone()));
    assert_eq!(
        store.find_api_key_by_hash(&"c".repeat(64)).await.unwrap(),
        Some(k3.clone())
    );
    assert!(
        store
            .find_api_key_by_hash(&"d".repeat(64))
            .await
            .unwrap()
            .is_none()
    );
    let dup = api_key(t2, "dup", &"a".repeat(64), 0);
    assert_eq!(
        store.insert_api_key(&dup, &[]).await.unwrap_err().kind(),
        ErrorKind::Conflict
    );

    // Use tracking counts every use and keeps the last one.
    store
        .record_api_key_use(k1.id, at(100), Some("192.0.2.7"))
        .await
        .unwrap();
    store
        .record_api_key_use(k1.id, at(200), Some("2001:db8::7"))
        .await
        .unwrap();
    let used = store.get_api_key(k1.id).await.unwrap().unwrap();
    assert_eq!(
        (
            used.use_count,
            used.last_used_at,
            used.last_used_ip.as_deref()
        ),
        (2, Some(at(200)), Some("2001:db8::7"))
    );
    assert_eq!(
        ApiKey {
            use_count: 0,
            last_used_at: None,
            last_used_ip: None,
            ..used.clone()
        },
        k1
    );
    assert_code(
        store.record_api_key_use(ApiKeyId::new(), at(1), None).await,
        "not_found",
    );

    // Revoke (update) and list.
    let mut revoked = used.clone();
    revoked.status = ApiKeyStatus::Revoked;
    revoked.updated_at = at(300);
    store
        .update_api_key(
            &revoked,
            &[event(Some(t1), "api_key.revoke", &k1.id.to_string())],
        )
        .await
        .unwrap();
    assert_eq!(
        store.get_api_key(k1.id).await.unwrap(),
        Some(revoked.clone())
    );
    assert_code(
        store
            .update_api_key(&api_key(t1, "ghost", "ghost", 0), &[])
            .await,
        "not_found",
    );

    let all = PageRequest {
        page: 1,
        page_size: 10,
    };
    let ids = |keys: Vec<ApiKey>| keys.into_iter().map(|k| k.name).collect::<Vec<_>>();
    let page = store
        .list_api_keys(&ApiKeyFilter::default(), all)
        .await
        .unwrap();
    assert_eq!(
        (ids(page.items), page.total),
        (vec!["third".to_owned(), "second".into()], 2)
    );
    let filter = ApiKeyFilter {
        include_revoked: true,
        ..Default::default()
    };
    assert_eq!(
        ids(store.list_api_keys(&filter, all).await.unwrap().items),
        ["third", "second", "first"]
    );
    let filter = ApiKeyFilter {
        tenant_id: Some(t1),
        include_revoked: true,
        ..Default::default()
    };
    assert_eq!(
        ids(store.list_api_keys(&filter, all).await.unwrap().items),
        ["second", "first"]
    );
    let filter = ApiKeyFilter {
        permission_source_id: Some("group-9".into()),
        ..Default::default()
    };
    assert_eq!(
        ids(store.list_api_keys(&filter, all).await.unwrap().items),
        ["second"]
    );
    let filter = ApiKeyFilter {
        include_revoked: true,
        ..Default::default()
    };
    let page = store
        .list_api_keys(
            &filter,
            PageRequest {
                page: 2,
                page_size: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!((ids(page.items), page.total), (vec!["first".to_owned()], 3));

    store
        .delete_api_key(
            k2.id,
            &[event(Some(t1), "api_key.delete", &k2.id.to_string())],
        )
        .await
        .unwrap();
    assert!(store.get_api_key(k2.id).await.unwrap().is_none());
    assert_code(
        store
            .delete_api_key(k2.id, &[event(Some(t1), "api_key.delete", "again")])
            .await,
        "not_found",
    );
    let actions: Vec<String> = all_audit(store)
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| a.as_str() == "api_key.delete")
            .count(),
        1
    );
    assert_eq!(actions.len(), 5);
}

async fn batched_key_uses_add_up_and_keep_the_latest(store: &dyn Store) {
    use scaidns_core::ports::store::ApiKeyUse;
    let tenant = TenantId::new();
    let key = api_key(tenant, "batched", &"e".repeat(64), 0);
    store.insert_api_key(&key, &[]).await.unwrap();
    let batch = |at_s: i64, ip: &str, uses: u64| ApiKeyUse {
        id: key.id,
        last_used_at: at(at_s),
        last_used_ip: Some(ip.into()),
        uses,
    };
    store
        .record_api_key_uses(&[batch(200, "192.0.2.2", 3)])
        .await
        .unwrap();
    // Another replica's older batch adds its uses but not its older time and address.
    store
        .record_api_key_uses(&[
            batch(100, "192.0.2.1", 2),
            ApiKeyUse {
                id: ApiKeyId::new(),
                ..batch(300, "192.0.2.9", 1)
            },
        ])
        .await
        .unwrap();
    let used = store.get_api_key(key.id).await.unwrap().unwrap();
    assert_eq!(
        (
            used.use_count,
            used.last_used_at,
            used.last_used_ip.as_deref()
        ),
        (5, Some(at(200)), Some("192.0.2.2"))
    );
    store
        .record_api_key_uses(&[batch(400, "192.0.2.4", 1)])
        .await
        .unwrap();
    let used = store.get_api_key(key.id).await.unwrap().unwrap();
    assert_eq!(
        (
            used.use_count,
            used.last_used_at,
            used.last_used_ip.as_deref()
        ),
        (6, Some(at(400)), Some("192.0.2.4"))
    );
}
