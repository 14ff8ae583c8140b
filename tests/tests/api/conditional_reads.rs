//! Issue 14 item 2, the reads: every zone and record read answers an `ETag`, and
//! `If-None-Match` naming it is answered 304 (no body) while nothing changed, 200 once it did;
//! a caller who may not see the zone or the record is answered 404 whatever tag it sends; a
//! grantee whose view is narrowed never gets a 304 for the export. And lifecycle writes racing
//! record writes without `If-Match` are never refused (no 409).

use reqwest::Method;
use scaidns_tests::{TestApp, spawn_app};
use serde_json::json;

use crate::grants::user_without_role;
use crate::util::{active_zone, ok};

/// `GET path` with `key` and, if given, `If-None-Match: tag`: status, `ETag`, body length.
async fn get(app: &TestApp, key: &str, path: &str, tag: Option<&str>) -> (u16, String, usize) {
    let mut req = app.http.get(app.url(path)).header("x-api-key", key);
    if let Some(tag) = tag {
        req = req.header("if-none-match", tag);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let etag = resp
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, etag, resp.bytes().await.unwrap().len())
}

#[tokio::test]
async fn every_zone_and_record_read_answers_304_to_its_current_tag_only() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("cond-alpha").await;
    let beta = app.tenant_with_user("cond-beta").await;
    let zone = active_zone(&app, &alpha, "cond.test").await;
    let record = ok(
        &app,
        &alpha.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records"),
        json!({"name": "www", "type": "A", "content": "192.0.2.1"}),
    )
    .await;
    let record = record["id"].as_str().unwrap().to_owned();
    let reads = [
        format!("/api/v1/domains/{zone}"),
        format!("/api/v1/domains/{zone}/records"),
        format!("/api/v1/domains/{zone}/records/{record}"),
        format!("/api/v1/domains/{zone}/export"),
        format!("/api/v1/domains/{zone}/export/download"),
    ];
    let mut tags = Vec::new();
    for path in &reads {
        let (status, tag, len) = get(&app, &alpha.key, path, None).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            tag.starts_with('"') && tag.ends_with('"') && len > 0,
            "{path}: {tag}"
        );
        // The current tag (strong, weak, or among others): 304, no body, the same tag.
        for sent in [tag.clone(), format!("W/{tag}"), format!("\"0\", {tag}")] {
            let again = get(&app, &alpha.key, path, Some(&sent)).await;
            assert_eq!(again, (304, tag.clone(), 0), "{path} with {sent}");
        }
        // Another tenant holding the right tag learns nothing: 404, as without one.
        let (status, _, _) = get(&app, &beta.key, path, Some(&tag)).await;
        assert_eq!(status, 404, "{path}");
        let (status, _, _) = get(&app, &beta.key, path, Some("*")).await;
        assert_eq!(status, 404, "{path}");
        tags.push(tag);
    }
    // The zone's tag is its generation for If-Match.
    let updated = app
        .http
        .patch(app.url(&reads[0]))
        .header("x-api-key", &alpha.key)
        .header("if-match", &tags[0])
        .json(&json!({"description": "tagged"}))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), 200);

    // A change: every stale tag gets the whole answer again, with a new tag.
    ok(
        &app,
        &alpha.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records"),
        json!({"name": "new", "type": "A", "content": "192.0.2.2"}),
    )
    .await;
    for (path, stale) in reads.iter().zip(&tags) {
        let (status, tag, len) = get(&app, &alpha.key, path, Some(stale)).await;
        assert_eq!(status, 200, "{path}");
        assert_ne!(&tag, stale, "{path}");
        assert!(len > 0, "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_narrowed_grantee_gets_no_304_for_the_export_and_404_for_records_it_cannot_see() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("cond-grant").await;
    let zone = active_zone(&app, &alpha, "cond-grant.test").await;
    let records = format!("/api/v1/domains/{zone}/records");
    let mut ids = Vec::new();
    for name in ["api.dev", "www"] {
        let r = ok(
            &app,
            &alpha.key,
            Method::POST,
            &records,
            json!({"name": name, "type": "A", "content": "192.0.2.1"}),
        )
        .await;
        ids.push(r["id"].as_str().unwrap().to_owned());
    }
    let (user, key) = user_without_role(&app, "cond@grant.test", &alpha.tenant_id).await;
    crate::grants::grant_user(
        &app,
        &alpha.key,
        &zone,
        &user,
        json!({"role": "record_editor", "record_pattern": "*.dev", "record_types": ["A"]}),
    )
    .await;
    let export = format!("/api/v1/domains/{zone}/export");
    let (_, tag, _) = get(&app, &alpha.key, &export, None).await;
    let (status, grantee_tag, len) = get(&app, &key, &export, Some(&tag)).await;
    assert_eq!((status, &grantee_tag), (200, &tag));
    assert!(len > 0);
    // Its own record: 304 with the current tag; the other: 404 whatever the tag.
    let own = format!("{records}/{}", ids[0]);
    assert_eq!(get(&app, &key, &own, Some(&tag)).await.0, 304);
    let other = format!("{records}/{}", ids[1]);
    assert_eq!(get(&app, &key, &other, Some(&tag)).await.0, 404);
    assert_eq!(get(&app, &key, &other, Some("*")).await.0, 404);
    app.stop().await;
}

/// A zone delete racing record writes, all without `If-Match`: the delete starts over rather
/// than answer 409 (the record writes after it find no zone).
#[tokio::test]
async fn lifecycle_writes_racing_record_writes_without_if_match_are_never_refused() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("cond-race").await;
    let zone = active_zone(&app, &alpha, "cond-race.test").await;
    let domain = format!("/api/v1/domains/{zone}");
    let records = format!("{domain}/records");
    for round in 0..3 {
        // Spawned, so they run while the delete does.
        let writes: Vec<_> = (0..8)
            .map(|i| {
                let req = app
                    .http
                    .post(app.url(&records))
                    .header("x-api-key", &alpha.key)
                    .json(&json!({"name": format!("r{round}-{i}"), "type": "A", "content": "192.0.2.1"}));
                tokio::spawn(async move {
                    let resp = req.send().await.unwrap();
                    (resp.status().as_u16(), resp.text().await.unwrap_or_default())
                })
            })
            .collect();
        let deleted = crate::util::call(&app, &alpha.key, Method::DELETE, &domain, None).await;
        assert!(matches!(deleted.0, 200 | 204), "delete: {deleted:?}");
        for write in writes {
            let (status, body) = write.await.unwrap();
            // Before the delete: written; after it: the zone is gone. Never a conflict.
            assert!(matches!(status, 201 | 404), "{status} {body}");
        }
        let restored = crate::util::call(
            &app,
            &alpha.key,
            Method::POST,
            &format!("{domain}/restore"),
            None,
        )
        .await;
        assert_eq!(restored.0, 200, "{restored:?}");
    }
    app.stop().await;
}

/// An `If-Match` whose bytes are not visible ASCII is refused 400 with nothing applied: the
/// framework drops such values, which would make the write unconditional.
#[tokio::test]
async fn an_undecodable_if_match_is_refused_not_ignored() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("cond-bytes").await;
    let zone = active_zone(&app, &alpha, "cond-bytes.test").await;
    let domain = format!("/api/v1/domains/{zone}");
    let tag = reqwest::header::HeaderValue::from_bytes(b"\"1\xe9\"").unwrap();
    let resp = app
        .http
        .patch(app.url(&domain))
        .header("x-api-key", &alpha.key)
        .header("if-match", tag.clone())
        .json(&json!({"description": "unconditional"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "invalid_if_match", "{body}");
    let resp = app
        .http
        .post(app.url(&format!("{domain}/records")))
        .header("x-api-key", &alpha.key)
        .header("if-match", tag)
        .json(&json!({"name": "www", "type": "A", "content": "192.0.2.1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let (_, zone_now) = crate::util::call(&app, &alpha.key, Method::GET, &domain, None).await;
    assert_ne!(zone_now["description"], "unconditional", "{zone_now}");
    let records = format!("{domain}/records");
    let (_, listed) = crate::util::call(&app, &alpha.key, Method::GET, &records, None).await;
    assert!(
        !listed.to_string().contains("192.0.2.1"),
        "nothing written: {listed}"
    );
    app.stop().await;
}
