//! `CORS_ORIGINS`: browsers from the listed origins (and EXTERNAL_URL's) get CORS headers;
//! preflights from others are refused in the error envelope, their simple requests get no CORS
//! header (the browser withholds the answer); without a list no CORS header is ever sent.

use reqwest::Method;
use scaidns_tests::{TestApp, TestOptions, spawn_app, spawn_app_configured};

const LISTED: &str = "https://app.example.com";
const UNLISTED: &str = "https://evil.example.net";

/// The origin of the server's own pages (/docs), from `EXTERNAL_URL`.
const OWN: &str = "https://dns.example.test";

/// An app whose origins come from `CORS_ORIGINS` as an operator writes it (upper case, default
/// port, trailing slash), read by the configuration like at start.
async fn app_with_origins() -> TestApp {
    let data = tempfile::tempdir().unwrap();
    let vars = std::collections::HashMap::from([
        (
            "CORS_ORIGINS".to_owned(),
            r#"["HTTPS://App.Example.com:443/", "http://localhost:3000"]"#.to_owned(),
        ),
        ("DATA_DIR".to_owned(), data.path().display().to_string()),
    ]);
    let parsed = scaidns_server::Config::from_vars(&vars, true).unwrap();
    spawn_app_configured(TestOptions::default(), move |c| {
        c.cors_origins = parsed.cors_origins;
        c.external_url = Some(format!("{OWN}/"));
    })
    .await
}

async fn preflight(app: &TestApp, origin: &str, method: &str, headers: &str) -> reqwest::Response {
    app.http
        .request(Method::OPTIONS, app.url("/api/v1/domains"))
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", headers)
        .send()
        .await
        .unwrap()
}

fn header<'a>(resp: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    resp.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn a_preflight_from_a_listed_origin_is_allowed() {
    let app = app_with_origins().await;
    let resp = preflight(&app, LISTED, "PATCH", "x-api-key, content-type, if-match").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "access-control-allow-origin"), Some(LISTED));
    // Keys travel in headers: no cookies, so no credentials mode.
    assert_eq!(header(&resp, "access-control-allow-credentials"), None);
    let methods = header(&resp, "access-control-allow-methods")
        .unwrap()
        .to_ascii_uppercase();
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        assert!(methods.contains(m), "{methods}");
    }
    let allowed = header(&resp, "access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    for h in [
        "authorization",
        "x-api-key",
        "content-type",
        "if-match",
        "if-none-match",
        "idempotency-key",
    ] {
        assert!(allowed.contains(h), "{allowed}");
    }
    // The server's own pages are always an allowed origin.
    let resp = preflight(&app, OWN, "POST", "x-api-key, content-type").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "access-control-allow-origin"), Some(OWN));
}

#[tokio::test]
async fn a_preflight_from_an_unlisted_origin_is_refused() {
    let app = app_with_origins().await;
    let resp = preflight(&app, UNLISTED, "GET", "x-api-key").await;
    assert_eq!(resp.status(), 403);
    assert_eq!(header(&resp, "access-control-allow-origin"), None);
    assert!(header(&resp, "x-request-id").is_some());
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "cors_origin_not_allowed", "{body}");
    assert_ne!(body["request_id"], "unknown");
    // A look-alike of a listed origin is another origin.
    let resp = preflight(
        &app,
        "https://app.example.com.evil.example",
        "GET",
        "x-api-key",
    )
    .await;
    assert_eq!(resp.status(), 403);
    // A method the API never takes from a browser.
    let resp = preflight(&app, LISTED, "TRACE", "x-api-key").await;
    assert_eq!(resp.status(), 403);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "cors_method_not_allowed", "{body}");
}

#[tokio::test]
async fn requests_from_a_listed_origin_carry_the_headers_errors_included() {
    let app = app_with_origins().await;
    let resp = app
        .http
        .get(app.url("/api/v1/domains"))
        .header("origin", LISTED)
        .header("x-api-key", &app.admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "access-control-allow-origin"), Some(LISTED));
    assert_eq!(header(&resp, "access-control-allow-credentials"), None);
    let exposed = header(&resp, "access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    for h in [
        "etag",
        "retry-after",
        "x-request-id",
        "x-sync-status",
        "content-disposition",
    ] {
        assert!(exposed.contains(h), "{exposed}");
    }
    // Shared caches must not hand one origin's answer to another.
    assert_eq!(header(&resp, "vary"), Some("Origin"));
    // A refusal from the API is readable by the browser too, still in the envelope.
    let resp = app
        .http
        .get(app.url("/api/v1/domains"))
        .header("origin", LISTED)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(header(&resp, "access-control-allow-origin"), Some(LISTED));
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "not_authenticated", "{body}");
    // An unlisted origin's simple request is answered without CORS headers: the browser keeps
    // the answer from the page.
    let resp = app
        .http
        .get(app.url("/api/v1/domains"))
        .header("origin", UNLISTED)
        .header("x-api-key", &app.admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "access-control-allow-origin"), None);
    // Requests without Origin (servers, the CLI) are untouched.
    let resp = app
        .http
        .get(app.url("/api/v1/domains"))
        .header("x-api-key", &app.admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn without_origins_no_cors_headers_are_sent() {
    let app = spawn_app().await;
    let resp = app
        .http
        .get(app.url("/api/v1/domains"))
        .header("origin", LISTED)
        .header("x-api-key", &app.admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()
            .keys()
            .all(|k| !k.as_str().starts_with("access-control-")),
        "{:?}",
        resp.headers()
    );
    let resp = preflight(&app, LISTED, "GET", "x-api-key").await;
    assert_eq!(header(&resp, "access-control-allow-origin"), None);
}
