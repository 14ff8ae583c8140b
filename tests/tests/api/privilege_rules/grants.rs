//! A record-restricted grantee neither widens its grant nor manages the zone; a delegation needs
//! the whole subtree.

use super::*;

#[tokio::test]
async fn a_record_restricted_grantee_cannot_widen_its_grant_or_manage_the_zone() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let ta = alpha.key.clone();
    let zone = active_zone(&app, &alpha, "narrow.test").await;
    let zone_path = format!("/api/v1/domains/{zone}");
    let records = format!("{zone_path}/records");
    for (name, content) in [("www", "192.0.2.1"), ("mail", "192.0.2.2")] {
        ok(
            &app,
            &ta,
            Method::POST,
            &records,
            json!({"name": name, "type": "A", "content": content}),
        )
        .await;
    }
    let (g, g_key, _) = user_with_key(&app, "www@alpha.test", &alpha.tenant_id).await;
    let (other, _, _) = user_with_key(&app, "other@alpha.test", &alpha.tenant_id).await;
    // Whole seconds, as the store keeps them, so a grant can end exactly with its grantor's.
    let expires = (chrono::Utc::now() + chrono::Duration::days(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (status, created) = grant(
        &app,
        &ta,
        &zone,
        json!({"grant_type": "user", "grantee_id": g, "role": "domain_admin",
               "record_pattern": "www", "expires_at": expires}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let grant_path = format!(
        "{zone_path}/access-grants/{}",
        created["id"].as_str().unwrap()
    );

    // The attacks: widening its own grant, and zone-wide operations.
    refused(
        call(
            &app,
            &g_key,
            Method::PATCH,
            &grant_path,
            Some(json!({"record_pattern": null, "expires_at": null})),
        )
        .await,
        403,
        "permission_denied",
    );
    refused(
        call(
            &app,
            &g_key,
            Method::DELETE,
            &format!("{zone_path}?hard=true"),
            None,
        )
        .await,
        403,
        "permission_denied",
    );
    for (method, path, body) in [
        (Method::DELETE, zone_path.clone(), None),
        (
            Method::PATCH,
            zone_path.clone(),
            Some(json!({"description": "mine"})),
        ),
        (Method::POST, format!("{zone_path}/restore"), None),
        (
            Method::POST,
            format!("{zone_path}/dnssec/enable"),
            Some(json!({})),
        ),
        (Method::GET, format!("{zone_path}/dnssec"), None),
        (Method::GET, format!("{zone_path}/access-grants"), None),
        (Method::DELETE, grant_path.clone(), None),
    ] {
        let (status, body) = call(&app, &g_key, method.clone(), &path, body).await;
        assert_eq!(status, 403, "{method} {path}: {body}");
    }
    refused(
        grant(
            &app,
            &g_key,
            &zone,
            json!({"grant_type": "user", "grantee_id": other, "role": "read_only",
                                          "record_pattern": "www"}),
        )
        .await,
        403,
        "permission_denied",
    );
    // Nothing changed: the grant is as made, the zone is there.
    let (_, stored) = call(&app, &ta, Method::GET, &grant_path, None).await;
    assert_eq!(stored["record_pattern"], "www");
    assert!(stored["expires_at"].is_string());
    let (status, body) = call(&app, &ta, Method::GET, &zone_path, None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("active")),
        "{body}"
    );

    // What the grant is for still works, and reads stay filtered to it.
    let (status, body) = call(
        &app,
        &g_key,
        Method::POST,
        &records,
        Some(json!({"name": "www", "type": "TXT", "content": "ok"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (_, list) = call(&app, &g_key, Method::GET, &records, None).await;
    let names: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["display_name"].as_str().unwrap())
        .collect();
    assert!(
        !names.is_empty() && names.iter().all(|n| *n == "www"),
        "{names:?}"
    );

    // Nobody manages a grant to itself or to its own group, a tenant admin included.
    refused(
        grant(
            &app,
            &ta,
            &zone,
            json!({"grant_type": "user", "grantee_id": alpha.user_id, "role": "read_only"}),
        )
        .await,
        403,
        "own_grant",
    );
    let group = ok(
        &app,
        &ta,
        Method::POST,
        "/api/v1/admin/groups",
        json!({"name": "mine"}),
    )
    .await;
    let group = group["id"].as_str().unwrap().to_owned();
    ok(
        &app,
        &ta,
        Method::POST,
        &format!("/api/v1/admin/groups/{group}/members"),
        json!({"user_id": alpha.user_id}),
    )
    .await;
    refused(
        grant(
            &app,
            &ta,
            &zone,
            json!({"grant_type": "group", "grantee_id": group, "role": "read_only"}),
        )
        .await,
        403,
        "own_grant",
    );

    // A tenant admin still manages others' grants.
    let widened = ok(
        &app,
        &ta,
        Method::PATCH,
        &grant_path,
        json!({"record_pattern": null}),
    )
    .await;
    assert_eq!(widened["record_pattern"], Value::Null);

    // A holder of a whole-zone grant that expires hands on only what ends no later.
    let (h, h_key, _) = user_with_key(&app, "h@alpha.test", &alpha.tenant_id).await;
    let (status, body) = grant(
        &app,
        &ta,
        &zone,
        json!({"grant_type": "user", "grantee_id": h,
        "role": "domain_admin", "expires_at": expires}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    refused(
        grant(
            &app,
            &h_key,
            &zone,
            json!({"grant_type": "user", "grantee_id": other,
            "role": "record_editor", "record_pattern": "mail"}),
        )
        .await,
        403,
        "permission_not_held",
    );
    let (status, handed) = grant(
        &app,
        &h_key,
        &zone,
        json!({"grant_type": "user", "grantee_id": other,
        "role": "record_editor", "record_pattern": "mail", "expires_at": expires}),
    )
    .await;
    assert_eq!(status, 201, "{handed}");
    // Changing its expiry is checked like creating the resulting grant.
    let handed = format!(
        "{zone_path}/access-grants/{}",
        handed["id"].as_str().unwrap()
    );
    refused(
        call(
            &app,
            &h_key,
            Method::PATCH,
            &handed,
            Some(json!({"expires_at": null})),
        )
        .await,
        403,
        "permission_not_held",
    );
    let noted = ok(
        &app,
        &h_key,
        Method::PATCH,
        &handed,
        json!({"notes": "mail team"}),
    )
    .await;
    assert_eq!(noted["notes"], "mail team");
    app.stop().await;
}

#[tokio::test]
async fn a_delegation_needs_the_whole_subtree() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let ta = alpha.key.clone();
    let zone = active_zone(&app, &alpha, "deleg.test").await;
    let records = format!("/api/v1/domains/{zone}/records");
    let (narrow, narrow_key, _) = user_with_key(&app, "dev@alpha.test", &alpha.tenant_id).await;
    let (wide, wide_key, _) = user_with_key(&app, "devs@alpha.test", &alpha.tenant_id).await;
    for (user, pattern) in [
        (&narrow, "dev"),
        (&narrow, "lab"),
        (&wide, "dev"),
        (&wide, "*.dev"),
    ] {
        let (status, body) = grant(
            &app,
            &ta,
            &zone,
            json!({"grant_type": "user", "grantee_id": user,
            "role": "domain_manager", "record_pattern": pattern}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let record = |name: &str, rtype: &str, content: &str| json!({"name": name, "type": rtype, "content": content});

    // The attacks: taking over every *.dev name with NS or DNAME at dev.
    for body in [
        record("dev", "NS", "ns1.elsewhere.example."),
        record("dev", "DNAME", "elsewhere.example."),
    ] {
        let (status, err) = call(
            &app,
            &narrow_key,
            Method::POST,
            &records,
            Some(body.clone()),
        )
        .await;
        assert_eq!(
            (status, err["code"].as_str()),
            (403, Some("permission_denied")),
            "{body}: {err}"
        );
    }
    // Changing an existing delegation is a delegation too.
    let lab = ok(
        &app,
        &ta,
        Method::POST,
        &records,
        record("lab", "NS", "ns1.lab.example."),
    )
    .await;
    let lab = format!("{records}/{}", lab["id"].as_str().unwrap());
    refused(
        call(
            &app,
            &narrow_key,
            Method::PATCH,
            &lab,
            Some(json!({"content": "ns1.evil.example."})),
        )
        .await,
        403,
        "permission_denied",
    );
    // Ordinary records at the granted name stay allowed.
    let (status, body) = call(
        &app,
        &narrow_key,
        Method::POST,
        &records,
        Some(record("dev", "TXT", "mine")),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    // A holder of dev and everything beneath may delegate it.
    let (status, body) = call(
        &app,
        &wide_key,
        Method::POST,
        &records,
        Some(record("dev", "NS", "ns1.dev-team.example.")),
    )
    .await;
    assert_eq!((status, body["type"].as_str()), (201, Some("NS")), "{body}");
    // And a zone role is the whole zone.
    let (status, body) = call(
        &app,
        &ta,
        Method::POST,
        &records,
        Some(record("ops", "DNAME", "ops.elsewhere.example.")),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    app.stop().await;
}
