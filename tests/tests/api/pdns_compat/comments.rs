//! RRset comments through the PowerDNS-compatible API, against a live PowerDNS: kept with the
//! RRset, replaced by a `REPLACE` that carries them, left by one that does not, removed with
//! the RRset whatever removes its last record, never half-applied, audited without their text,
//! and seen only by who may read the RRset.

use super::*;

const WWW: &str = "www.compat.test.";

/// `PATCH` of one RRset's comments only.
fn comment_only(name: &str, rtype: &str, comments: Value) -> Value {
    json!({"rrsets": [{"name": name, "type": rtype, "changetype": "REPLACE",
        "comments": comments}]})
}

/// `PATCH` of one RRset's records and comments.
fn replace_with(name: &str, rtype: &str, contents: &[&str], comments: Value) -> Value {
    let mut body = replace(name, rtype, contents);
    body["rrsets"][0]["comments"] = comments;
    body
}

/// The comments of one RRset of a compatible zone object (`None`: no such RRset).
fn comments_of(zone: &Value, name: &str, rtype: &str) -> Option<Value> {
    zone["rrsets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name && r["type"] == rtype)
        .map(|r| r["comments"].clone())
}

/// The zone's `ETag` and body.
async fn zone_with_etag(app: &TestApp, key: &str) -> (String, Value) {
    let resp = app
        .http
        .get(app.url(ZONE_PATH))
        .header("X-API-Key", key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    (etag, resp.json().await.unwrap())
}

/// The native id of the tenant's one zone.
async fn created_id(app: &TestApp, key: &str) -> String {
    let (_, domains) = call(app, key, Method::GET, "/api/v1/domains", None).await;
    domains["data"][0]["id"].as_str().unwrap().to_owned()
}

async fn patch(app: &TestApp, key: &str, body: Value) -> (u16, Value) {
    call(app, key, Method::PATCH, ZONE_PATH, Some(body)).await
}

#[tokio::test]
async fn rrset_comments_are_kept_replaced_and_removed_with_their_rrset() {
    let pdns = PdnsServer::start().await;
    let app = app_on_powerdns(&pdns).await;
    let alpha = app.tenant_with_user("alpha").await;
    may_skip_validation(&app, &alpha).await;
    let key = alpha.key.as_str();
    let started = chrono::Utc::now().timestamp();

    // A creation's RRsets keep their comments; an absent time is now.
    let (status, created) = call(
        &app,
        key,
        Method::POST,
        "/api/v1/servers/localhost/zones",
        Some(json!({"name": ZONE, "kind": "Native", "nameservers": [],
            "rrsets": [{"name": WWW, "type": "A", "ttl": 300,
                "records": [{"content": "192.0.2.1", "disabled": false}],
                "comments": [{"content": "created", "account": "ops"}]}]})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let first = comments_of(&created, WWW, "A").unwrap();
    assert_eq!(first[0]["content"], "created");
    assert_eq!(first[0]["account"], "ops");
    assert!(
        first[0]["modified_at"].as_i64().unwrap() >= started,
        "{first}"
    );

    let zone_id = created_id(&app, key).await;

    // REPLACE with records and comments: both, in order, the given time kept.
    let (status, body) = patch(
        &app,
        key,
        replace_with(
            WWW,
            "A",
            &["192.0.2.1", "192.0.2.2"],
            json!([{"content": "web", "account": "ops", "modified_at": 1234},
                {"content": "second"}]),
        ),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (etag, zone) = zone_with_etag(&app, key).await;
    let kept = comments_of(&zone, WWW, "A").unwrap();
    assert_eq!(kept.as_array().unwrap().len(), 2, "{kept}");
    assert_eq!(
        kept[0],
        json!({"content": "web", "account": "ops", "modified_at": 1234})
    );
    assert_eq!(kept[1]["content"], "second");
    assert_eq!(kept[1]["account"], "");
    assert!(kept[1]["modified_at"].as_i64().unwrap() >= started);
    let generation = zone["edited_serial"].as_i64().unwrap();
    let served = rrsets(&published(&pdns).await);

    // Comments only: the records stay, the comments are replaced, the ETag moves, PowerDNS
    // is sent nothing new.
    let (status, body) = patch(
        &app,
        key,
        comment_only(WWW, "A", json!([{"content": "changed", "account": "dev"}])),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (moved, zone) = zone_with_etag(&app, key).await;
    assert_ne!(moved, etag);
    assert_eq!(zone["edited_serial"].as_i64().unwrap(), generation + 1);
    let changed = comments_of(&zone, WWW, "A").unwrap();
    assert_eq!(changed.as_array().unwrap().len(), 1);
    assert_eq!(changed[0]["content"], "changed");
    assert!(rrsets(&zone).contains(&"www.compat.test. A 300 192.0.2.1 | 192.0.2.2".to_owned()));
    assert_eq!(rrsets(&published(&pdns).await), served);
    // The same comments again (no time given): nothing changes, no new generation.
    let (status, _) = patch(
        &app,
        key,
        comment_only(WWW, "A", json!([{"content": "changed", "account": "dev"}])),
    )
    .await;
    assert_eq!(status, 204);
    let (same, zone) = zone_with_etag(&app, key).await;
    assert_eq!(same, moved);
    assert_eq!(comments_of(&zone, WWW, "A").unwrap(), changed);

    // Records without a `comments` field: the comments stay.
    let (status, _) = patch(&app, key, replace(WWW, "A", &["192.0.2.3"])).await;
    assert_eq!(status, 204);
    let (_, zone) = compat_zone(&app, key).await;
    assert_eq!(comments_of(&zone, WWW, "A").unwrap(), changed);

    // The audit entry: the RRset and the counts, not the text.
    let (status, log) = call(
        &app,
        &app.admin_key,
        Method::GET,
        &format!(
            "/api/v1/admin/audit-logs?tenant_id={}&action=record.comments_update&page_size=100",
            alpha.tenant_id
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{log}");
    let entries = log["data"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "create, replace, comments only: {log}");
    let newest = &entries[0]["details"];
    let view = |count: usize| json!({"domain_id": zone_id, "name": "www.compat.test", "type": "A", "comments": count});
    assert_eq!(newest["before"], view(2));
    assert_eq!(newest["after"], view(1));
    assert!(!log.to_string().contains("changed"), "{log}");

    // Refused as a whole: a CNAME beside the A in the same request leaves the comments.
    let mut both = comment_only(WWW, "A", json!([{"content": "lost"}]));
    both["rrsets"]
        .as_array_mut()
        .unwrap()
        .push(replace(WWW, "CNAME", &["compat.test."])["rrsets"][0].clone());
    let (status, body) = patch(&app, key, both).await;
    assert_eq!(status, 422, "{body}");
    let (unchanged, zone) = zone_with_etag(&app, key).await;
    assert_eq!(comments_of(&zone, WWW, "A").unwrap(), changed);
    let generation = zone["edited_serial"].as_i64().unwrap();

    // Refused: comments on an RRset without records, and past PowerDNS's bounds.
    let many: Vec<Value> = (0..101)
        .map(|i| json!({"content": format!("c{i}")}))
        .collect();
    for (bad, says) in [
        (
            comment_only("nothing.compat.test.", "A", json!([{"content": "x"}])),
            "only on an RRset with records",
        ),
        (
            replace_with("nothing.compat.test.", "A", &[], json!([{"content": "x"}])),
            "only on an RRset with records",
        ),
        (comment_only(WWW, "A", json!(many)), "at most 100 comments"),
        (
            comment_only(WWW, "A", json!([{"content": "x".repeat(65_536)}])),
            "65535 bytes",
        ),
        (
            comment_only(
                WWW,
                "A",
                json!([{"content": "x", "account": "a".repeat(41)}]),
            ),
            "40 characters",
        ),
        (
            comment_only(WWW, "A", json!([{"content": "a\u{0}b"}])),
            "NUL",
        ),
    ] {
        let (status, body) = patch(&app, key, bad.clone()).await;
        assert_eq!(status, 422, "{body}");
        let error = body["error"].as_str().unwrap();
        assert!(error.contains(says), "{error}");
    }
    let (etag, zone) = zone_with_etag(&app, key).await;
    assert_eq!(etag, unchanged);
    assert_eq!(zone["edited_serial"].as_i64().unwrap(), generation);

    // DELETE, and REPLACE with no record, take the comments; a later RRset starts without.
    let mail = "mail.compat.test.";
    for remove in [
        json!({"rrsets": [{"name": WWW, "type": "A", "changetype": "DELETE"}]}),
        replace(mail, "A", &[]),
    ] {
        let (status, _) = patch(
            &app,
            key,
            replace_with(mail, "A", &["192.0.2.25"], json!([{"content": "m"}])),
        )
        .await;
        assert_eq!(status, 204);
        let (status, body) = patch(&app, key, remove).await;
        assert_eq!(status, 204, "{body}");
    }
    for name in [WWW, mail] {
        let (status, _) = patch(&app, key, replace(name, "A", &["192.0.2.9"])).await;
        assert_eq!(status, 204);
    }
    let (_, zone) = compat_zone(&app, key).await;
    assert_eq!(comments_of(&zone, WWW, "A").unwrap(), json!([]));
    assert_eq!(comments_of(&zone, mail, "A").unwrap(), json!([]));

    // The native API's delete of the RRset's last record takes them too.
    let (status, _) = patch(
        &app,
        key,
        comment_only(mail, "A", json!([{"content": "native"}])),
    )
    .await;
    assert_eq!(status, 204);
    let (_, records) = call(
        &app,
        key,
        Method::GET,
        &format!("/api/v1/domains/{zone_id}/records?type=A&page_size=100"),
        None,
    )
    .await;
    let record = records["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "mail.compat.test" || r["name"] == "mail")
        .unwrap_or_else(|| panic!("{records}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = call(
        &app,
        key,
        Method::DELETE,
        &format!("/api/v1/domains/{zone_id}/records/{record}"),
        None,
    )
    .await;
    assert!(status == 204 || status == 200, "{status} {body}");
    let (status, _) = patch(&app, key, replace(mail, "A", &["192.0.2.26"])).await;
    assert_eq!(status, 204);
    let (_, zone) = compat_zone(&app, key).await;
    assert_eq!(comments_of(&zone, mail, "A").unwrap(), json!([]));

    // Another tenant's key neither reads nor changes them.
    let (status, _) = patch(
        &app,
        key,
        comment_only(WWW, "A", json!([{"content": "secret note"}])),
    )
    .await;
    assert_eq!(status, 204);
    let beta = app.tenant_with_user("beta").await;
    let (status, body) = compat_zone(&app, &beta.key).await;
    assert_eq!(status, 404, "{body}");
    assert!(!body.to_string().contains("secret note"));
    let (status, _) = patch(
        &app,
        &beta.key,
        comment_only(WWW, "A", json!([{"content": "beta was here"}])),
    )
    .await;
    assert_eq!(status, 404);

    // A grant-limited key: may not set comments outside its grant, sees only its RRsets'.
    let (user, narrow) = user_without_role(&app, "grantee@alpha.test", &alpha.tenant_id).await;
    crate::grants::grant_user(
        &app,
        key,
        &zone_id,
        &user,
        json!({"role": "record_editor", "record_pattern": "*.dev", "record_types": ["A"]}),
    )
    .await;
    let api = "api.dev.compat.test.";
    let (status, body) = patch(
        &app,
        &narrow,
        replace_with(api, "A", &["192.0.2.30"], json!([{"content": "granted"}])),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    // Comments only, inside its grant: an update of that RRset, which the grant allows.
    let (status, body) = patch(
        &app,
        &narrow,
        comment_only(
            api,
            "A",
            json!([{"content": "granted", "account": "narrow"}]),
        ),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    for outside in [
        comment_only(WWW, "A", json!([{"content": "mine now"}])),
        comment_only(WWW, "A", json!([])),
    ] {
        let (status, body) = patch(&app, &narrow, outside).await;
        assert_eq!(status, 422, "{body}");
    }
    let (_, seen) = compat_zone(&app, &narrow).await;
    assert_eq!(
        comments_of(&seen, api, "A").unwrap()[0]["account"],
        "narrow"
    );
    assert!(comments_of(&seen, WWW, "A").is_none());
    assert!(!seen.to_string().contains("secret note"), "{seen}");
    let (_, zone) = compat_zone(&app, key).await;
    assert_eq!(
        comments_of(&zone, WWW, "A").unwrap()[0]["content"],
        "secret note"
    );
}

#[tokio::test]
async fn a_whole_zone_put_sets_the_comments_it_names_and_drops_those_of_rrsets_it_removes() {
    let pdns = PdnsServer::start().await;
    let app = app_on_powerdns(&pdns).await;
    let alpha = app.tenant_with_user("alpha").await;
    may_skip_validation(&app, &alpha).await;
    let key = alpha.key.as_str();
    let mail = "mail.compat.test.";
    let (status, body) = call(
        &app,
        key,
        Method::POST,
        "/api/v1/servers/localhost/zones",
        Some(json!({"name": ZONE, "kind": "Native", "nameservers": [],
            "rrsets": [
                {"name": WWW, "type": "A", "ttl": 300,
                    "records": [{"content": "192.0.2.1", "disabled": false}],
                    "comments": [{"content": "www before"}]},
                {"name": mail, "type": "A", "ttl": 300,
                    "records": [{"content": "192.0.2.2", "disabled": false}],
                    "comments": [{"content": "mail"}]}]})),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    // The whole zone is WWW with new comments: mail goes, with its comments.
    let put = json!({"rrsets": [{"name": WWW, "type": "A", "ttl": 300,
        "records": [{"content": "192.0.2.1", "disabled": false}],
        "comments": [{"content": "www after", "account": "put"}]}]});
    let (status, body) = call(&app, key, Method::PUT, ZONE_PATH, Some(put)).await;
    assert_eq!(status, 204, "{body}");
    let (etag, zone) = zone_with_etag(&app, key).await;
    let www = comments_of(&zone, WWW, "A").unwrap();
    assert_eq!(www.as_array().unwrap().len(), 1, "{www}");
    assert_eq!(www[0]["content"], "www after");
    assert_eq!(www[0]["account"], "put");
    assert!(comments_of(&zone, mail, "A").is_none(), "{zone}");
    assert!(!zone.to_string().contains("\"mail\""), "{zone}");

    // What a GET answered, put back as it is: nothing changes, no new generation.
    let same: Vec<Value> = zone["rrsets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] != "SOA" && r["type"] != "NS")
        .cloned()
        .collect();
    let (status, body) = call(
        &app,
        key,
        Method::PUT,
        ZONE_PATH,
        Some(json!({"rrsets": same})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (unchanged, _) = zone_with_etag(&app, key).await;
    assert_eq!(unchanged, etag);

    // mail made again starts without the comments it had.
    let (status, _) = patch(&app, key, replace(mail, "A", &["192.0.2.2"])).await;
    assert_eq!(status, 204);
    let (_, zone) = compat_zone(&app, key).await;
    assert_eq!(comments_of(&zone, mail, "A").unwrap(), json!([]));
}

#[tokio::test]
async fn comments_count_against_the_request_and_zone_bounds() {
    let pdns = PdnsServer::start().await;
    let app = app_on_powerdns(&pdns).await;
    let alpha = app.tenant_with_user("alpha").await;
    may_skip_validation(&app, &alpha).await;
    let key = alpha.key.as_str();
    let names: Vec<String> = (0..4).map(|i| format!("n{i}.compat.test.")).collect();
    let rrsets: Vec<Value> = names
        .iter()
        .map(|name| {
            json!({"name": name, "type": "A", "ttl": 300,
            "records": [{"content": "192.0.2.1", "disabled": false}]})
        })
        .collect();
    let (status, body) = call(
        &app,
        key,
        Method::POST,
        "/api/v1/servers/localhost/zones",
        Some(json!({"name": ZONE, "kind": "Native", "nameservers": [], "rrsets": rrsets})),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    // Each comment is an item under BULK_MAX_ITEMS (10,000): 101 RRsets of 100 comments
    // each are 413 before anything is read, as 10,100 records would be.
    let many: Vec<Value> = (0..100).map(|_| json!({"content": "c"})).collect();
    let changes: Vec<Value> = (0..101)
        .map(|i| {
            json!({"name": format!("x{i}.compat.test."), "type": "A",
            "changetype": "REPLACE", "comments": many})
        })
        .collect();
    let (status, body) = patch(&app, key, json!({"rrsets": changes})).await;
    assert_eq!(status, 413, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("BULK_MAX_ITEMS"),
        "{body}"
    );

    // A zone's comments hold at most 8 MiB: two bodies of 3.9 MB fit, a third does not.
    let big = |count: usize| -> Value {
        json!(
            (0..count)
                .map(|_| json!({"content": "x".repeat(65_000)}))
                .collect::<Vec<_>>()
        )
    };
    for name in &names[..2] {
        let (status, body) = patch(&app, key, comment_only(name, "A", big(60))).await;
        assert_eq!(status, 204, "{body}");
    }
    let (etag, _) = zone_with_etag(&app, key).await;
    let (status, body) = patch(&app, key, comment_only(&names[2], "A", big(60))).await;
    assert_eq!(status, 422, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("at most 8388608 bytes"), "{body}");
    // The zone's total is not told: a grant-limited key would learn the size of others'.
    assert!(!error.contains("7800"), "{body}");
    let (unchanged, zone) = zone_with_etag(&app, key).await;
    assert_eq!(unchanged, etag);
    assert_eq!(comments_of(&zone, &names[2], "A").unwrap(), json!([]));
    // Under the bound, more still fits; and replacing a big set by a small one always does.
    let (status, body) = patch(&app, key, comment_only(&names[2], "A", big(5))).await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = patch(
        &app,
        key,
        comment_only(&names[0], "A", json!([{"content": "small"}])),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (_, zone) = compat_zone(&app, key).await;
    assert_eq!(
        comments_of(&zone, &names[0], "A")
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        comments_of(&zone, &names[2], "A")
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        5
    );
}
