//! Record list paging and record search (issue 9 items 4 and 5): pages with totals and a
//! stable order, a 304 only for an unchanged zone and each page its own body, search inside a
//! zone and across zones, where no tenant sees another's records and a grant-limited user sees
//! only the records its grant covers.

use reqwest::Method;
use scaidns_tests::{TenantUser, TestApp, spawn_app};
use serde_json::{Value, json};

use crate::grants::user_without_role;
use crate::util::{active_zone, call, ok, refused};

async fn add(app: &TestApp, key: &str, zone: &str, name: &str, rtype: &str, content: &str) {
    ok(
        app,
        key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records"),
        json!({"name": name, "type": rtype, "content": content}),
    )
    .await;
}

async fn get(app: &TestApp, key: &str, path: &str) -> Value {
    let (status, body) = call(app, key, Method::GET, path, None).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// `display_name type` of each record of a list or search answer, in order.
fn listed(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["display_name"].as_str().unwrap(),
                r["type"].as_str().unwrap()
            )
        })
        .collect()
}

/// `zone name` of each hit of a cross-zone search.
fn found(body: &Value) -> Vec<String> {
    let mut out: Vec<String> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["domain_name"].as_str().unwrap(),
                r["display_name"].as_str().unwrap()
            )
        })
        .collect();
    out.sort();
    out
}

async fn tenant_zone(app: &TestApp, slug: &str, zone: &str) -> (TenantUser, String) {
    let tenant = app.tenant_with_user(slug).await;
    let id = active_zone(app, &tenant, zone).await;
    (tenant, id)
}

#[tokio::test]
async fn record_lists_come_in_pages_with_totals_and_a_stable_order() {
    let app = spawn_app().await;
    let (alpha, zone) = tenant_zone(&app, "pages", "pages.test").await;
    for name in ["g", "c", "a", "e", "b", "f", "d"] {
        add(&app, &alpha.key, &zone, name, "A", "192.0.2.1").await;
    }
    add(&app, &alpha.key, &zone, "a", "TXT", "second").await;
    let base = format!("/api/v1/domains/{zone}/records");

    let whole = get(&app, &alpha.key, &base).await;
    assert_eq!(
        (whole["total"].as_u64(), whole["page"].as_u64()),
        (Some(8), Some(1))
    );
    assert_eq!(
        (whole["page_size"].as_u64(), whole["total_pages"].as_u64()),
        (Some(100), Some(1))
    );
    assert_eq!(
        listed(&whole),
        ["a A", "a TXT", "b A", "c A", "d A", "e A", "f A", "g A"]
    );

    let mut paged = Vec::new();
    for page in 1..=3 {
        let body = get(&app, &alpha.key, &format!("{base}?page={page}&page_size=3")).await;
        assert_eq!(
            (body["total"].as_u64(), body["total_pages"].as_u64()),
            (Some(8), Some(3))
        );
        assert_eq!(body["page"].as_u64(), Some(page));
        assert_eq!(body["domain_name"], "pages.test");
        paged.extend(listed(&body));
    }
    assert_eq!(
        paged,
        listed(&whole),
        "the pages cut the whole list in order"
    );
    let last = get(&app, &alpha.key, &format!("{base}?page=3&page_size=3")).await;
    assert_eq!(listed(&last), ["f A", "g A"]);
    let past = get(&app, &alpha.key, &format!("{base}?page=9&page_size=3")).await;
    assert_eq!((listed(&past).len(), past["total"].as_u64()), (0, Some(8)));

    // Filters page too.
    let txt = get(
        &app,
        &alpha.key,
        &format!("{base}?type=A&page=2&page_size=5"),
    )
    .await;
    assert_eq!(
        (listed(&txt), txt["total"].as_u64()),
        (vec!["f A".into(), "g A".into()], Some(7))
    );
    let max = get(&app, &alpha.key, &format!("{base}?page_size=1000")).await;
    assert_eq!(max["page_size"].as_u64(), Some(1000));

    for bad in ["page_size=1001", "page_size=0", "page=0", "type=NOPE"] {
        let got = call(
            &app,
            &alpha.key,
            Method::GET,
            &format!("{base}?{bad}"),
            None,
        )
        .await;
        refused(got, 400, "invalid_query");
    }
    app.stop().await;
}

#[tokio::test]
async fn each_page_has_its_own_body_and_a_304_only_while_the_zone_is_unchanged() {
    let app = spawn_app().await;
    let (alpha, zone) = tenant_zone(&app, "pagetag", "pagetag.test").await;
    for name in ["a", "b", "c", "d"] {
        add(&app, &alpha.key, &zone, name, "A", "192.0.2.1").await;
    }
    let url = |page: u32| {
        app.url(&format!(
            "/api/v1/domains/{zone}/records?page={page}&page_size=2"
        ))
    };
    let fetch = |page: u32, tag: Option<String>| {
        let mut req = app.http.get(url(page)).header("x-api-key", &alpha.key);
        if let Some(tag) = tag {
            req = req.header("if-none-match", tag);
        }
        req.send()
    };
    // Twice each: the second answer comes from the rendered cache and must still be its page.
    for _ in 0..2 {
        let one: Value = fetch(1, None).await.unwrap().json().await.unwrap();
        let two: Value = fetch(2, None).await.unwrap().json().await.unwrap();
        assert_eq!(listed(&one), ["a A", "b A"]);
        assert_eq!(listed(&two), ["c A", "d A"]);
    }
    let first = fetch(2, None).await.unwrap();
    let tag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = fetch(2, Some(tag.clone())).await.unwrap();
    assert_eq!(again.status(), 304);

    // A record sorting before page 2 shifts it: the old tag gets the new page.
    add(&app, &alpha.key, &zone, "0", "A", "192.0.2.1").await;
    let changed = fetch(2, Some(tag.clone())).await.unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), tag);
    let body: Value = changed.json().await.unwrap();
    assert_eq!(listed(&body), ["b A", "c A"]);
    assert_eq!(body["total"].as_u64(), Some(5));
    app.stop().await;
}

#[tokio::test]
async fn search_inside_a_zone_matches_name_or_content_with_literal_wildcards() {
    let app = spawn_app().await;
    let (alpha, zone) = tenant_zone(&app, "find", "find.test").await;
    add(&app, &alpha.key, &zone, "www", "A", "192.0.2.10").await;
    add(&app, &alpha.key, &zone, "mail", "A", "192.0.2.11").await;
    add(&app, &alpha.key, &zone, "www", "TXT", "mirror of 192.0.2.1").await;
    add(&app, &alpha.key, &zone, "pct", "TXT", "save 100% now").await;
    add(&app, &alpha.key, &zone, "plain", "TXT", "save 1000 now").await;
    add(&app, &alpha.key, &zone, "x_y", "TXT", "u").await;
    add(&app, &alpha.key, &zone, "xzy", "TXT", "u").await;
    let base = format!("/api/v1/domains/{zone}/records");
    let post = |body: Value, query: &str| {
        let path = format!("{base}/search{query}");
        let app = &app;
        let key = alpha.key.clone();
        async move { call(app, &key, Method::POST, &path, Some(body)).await }
    };

    let (status, body) = post(json!({"query": "192.0.2.1"}), "").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(listed(&body), ["mail A", "www A", "www TXT"]);
    assert_eq!(
        (body["total"].as_u64(), body["domain_name"].as_str()),
        (Some(3), Some("find.test"))
    );
    let (_, body) = post(
        json!({"query": "192.0.2.1", "type": "A"}),
        "?page=2&page_size=1",
    )
    .await;
    assert_eq!(
        (listed(&body), body["total"].as_u64()),
        (vec!["www A".into()], Some(2))
    );
    let (_, body) = post(json!({"query": "WWW.FIND"}), "").await;
    assert_eq!(listed(&body), ["www A", "www TXT"]);

    // `%` and `_` are themselves, in the body and in the list's `search`.
    let (_, body) = post(json!({"query": "100%"}), "").await;
    assert_eq!(listed(&body), ["pct TXT"]);
    let body = get(&app, &alpha.key, &format!("{base}?search=x_y")).await;
    assert_eq!(listed(&body), ["x_y TXT"]);
    let body = get(&app, &alpha.key, &format!("{base}?search=100%25&type=TXT")).await;
    assert_eq!(listed(&body), ["pct TXT"]);
    let body = get(
        &app,
        &alpha.key,
        &format!("{base}?search=192.0.2&page_size=2&page=2"),
    )
    .await;
    assert_eq!(
        (listed(&body), body["total"].as_u64()),
        (vec!["www TXT".into()], Some(3))
    );

    // Spaces are searched for like any other character.
    let (_, body) = post(json!({"query": " now"}), "").await;
    assert_eq!(listed(&body), ["pct TXT", "plain TXT"]);
    for (bad, code) in [
        (json!({"query": ""}), "invalid_input"),
        (json!({"query": "x".repeat(256)}), "invalid_input"),
        (json!({"type": "A"}), "invalid_body"),
        (
            json!({"query": "a", "type": "NOPE"}),
            "unsupported_record_type",
        ),
    ] {
        let (status, body) = post(bad, "").await;
        assert_eq!((status, body["code"].as_str()), (422, Some(code)), "{body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn cross_zone_search_sees_only_the_callers_zones_and_granted_records() {
    let app = spawn_app().await;
    let (alpha, a1) = tenant_zone(&app, "alpha", "one.alpha.test").await;
    // The tenant may skip validation now: its next zone is active at once.
    let a2 = ok(
        &app,
        &alpha.key,
        Method::POST,
        "/api/v1/domains",
        json!({"name": "two.alpha.test"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (beta, b1) = tenant_zone(&app, "beta", "beta.test").await;
    for (key, zone) in [(&alpha.key, &a1), (&alpha.key, &a2), (&beta.key, &b1)] {
        add(&app, key, zone, "www", "A", "192.0.2.10").await;
        add(&app, key, zone, "api.dev", "A", "192.0.2.10").await;
        add(&app, key, zone, "note", "TXT", "uses 192.0.2.10").await;
    }
    let search = "/api/v1/records?search=192.0.2.10";

    let body = get(&app, &alpha.key, search).await;
    assert_eq!(body["total"].as_u64(), Some(6));
    assert!(
        found(&body).iter().all(|h| h.contains("alpha.test")),
        "{body}"
    );
    let hit = &body["data"][0];
    assert_eq!(hit["domain_name"], "one.alpha.test");
    assert_eq!(hit["domain_id"].as_str(), Some(a1.as_str()));
    let body = get(&app, &beta.key, &format!("{search}&type=A")).await;
    assert_eq!(found(&body), ["beta.test api.dev", "beta.test www"]);
    let body = get(
        &app,
        &app.admin_key,
        &format!("{search}&type=A&page_size=1&page=3"),
    )
    .await;
    assert_eq!(
        (body["total"].as_u64(), body["total_pages"].as_u64()),
        (Some(6), Some(6))
    );

    // Another tenant's zone is as unknown to the zone search as to the list.
    let (status, _) = call(
        &app,
        &beta.key,
        Method::POST,
        &format!("/api/v1/domains/{a1}/records/search"),
        Some(json!({"query": "www"})),
    )
    .await;
    assert_eq!(status, 404);

    // A user with a grant on one zone, narrowed to `*.dev`, finds only what it covers.
    let (user, key) = user_without_role(&app, "grantee@alpha.test", &alpha.tenant_id).await;
    assert_eq!(get(&app, &key, search).await["total"].as_u64(), Some(0));
    crate::grants::grant_user(
        &app,
        &alpha.key,
        &a1,
        &user,
        json!({"role": "read_only", "record_pattern": "*.dev"}),
    )
    .await;
    let body = get(&app, &key, search).await;
    assert_eq!(found(&body), ["one.alpha.test api.dev"]);
    assert_eq!(body["total"].as_u64(), Some(1));
    let body = get(
        &app,
        &key,
        &format!("/api/v1/domains/{a1}/records?search=192.0.2.10"),
    )
    .await;
    assert_eq!(listed(&body), ["api.dev A"]);
    assert_eq!(body["total"].as_u64(), Some(1));

    // A key without `records:read` finds nothing: it may not search at all.
    let zones_only = ok(
        &app,
        &alpha.key,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "zones only", "scopes": ["domains:read"]}),
    )
    .await;
    let zones_only = zones_only["key"].as_str().unwrap();
    refused(
        call(&app, zones_only, Method::GET, search, None).await,
        403,
        "permission_denied",
    );

    refused(
        call(
            &app,
            &alpha.key,
            Method::GET,
            "/api/v1/records?search=",
            None,
        )
        .await,
        400,
        "invalid_query",
    );
    refused(
        call(&app, &alpha.key, Method::GET, "/api/v1/records", None).await,
        400,
        "invalid_query",
    );
    refused(
        call(
            &app,
            &alpha.key,
            Method::GET,
            "/api/v1/records?search=%25&page_size=5000",
            None,
        )
        .await,
        400,
        "invalid_query",
    );
    app.stop().await;
}

#[tokio::test]
async fn a_narrowed_list_is_never_304_and_search_skips_system_records() {
    let app = spawn_app().await;
    let (alpha, zone) = tenant_zone(&app, "narrowtag", "narrowtag.test").await;
    add(&app, &alpha.key, &zone, "api.dev", "A", "192.0.2.1").await;
    add(&app, &alpha.key, &zone, "www", "A", "192.0.2.1").await;

    // `include_system` does not widen a search: the apex SOA and NS match the zone name.
    let path = format!("/api/v1/domains/{zone}/records?search=narrowtag&include_system=true");
    let body = get(&app, &alpha.key, &path).await;
    assert_eq!(listed(&body), ["api.dev A", "www A"]);
    let all = get(
        &app,
        &alpha.key,
        &format!("/api/v1/domains/{zone}/records?include_system=true"),
    )
    .await;
    assert!(listed(&all).iter().any(|r| r.ends_with(" SOA")), "{all}");

    // A grant narrowed to `*.dev`: what it sees changes with its grants, not the generation.
    let (user, key) = user_without_role(&app, "narrow@narrowtag.test", &alpha.tenant_id).await;
    let grant = crate::grants::grant_user(
        &app,
        &alpha.key,
        &zone,
        &user,
        json!({"role": "read_only", "record_pattern": "*.dev"}),
    )
    .await;
    let url = app.url(&format!("/api/v1/domains/{zone}/records"));
    let first = app
        .http
        .get(&url)
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let tag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .http
        .get(&url)
        .header("x-api-key", &key)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.status(),
        200,
        "a narrowed view must not be answered 304"
    );
    assert!(again.headers().contains_key("etag"));
    let body: Value = again.json().await.unwrap();
    assert_eq!(listed(&body), ["api.dev A"]);
    assert!(grant["id"].is_string(), "{grant}");
    app.stop().await;
}
