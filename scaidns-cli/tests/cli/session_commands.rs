//! `scaidns whoami --context`, `permissions check`, `auth …` and `health` against a real
//! server: what a narrow key holds and is refused, another tenant's zone, the OAuth proxy with
//! a ScaiKey stand-in (tokens printed only when asked), and the health probes' exit codes.

use scaidns_server::config::OidcSettings;
use scaidns_tests::scaikey::{CLIENT_ID, CLIENT_SECRET, ScaiKey, s256};
use scaidns_tests::{TestOptions, spawn_app, spawn_app_configured};
use serde_json::Value;

use crate::common::{code, json_as, ok_as, run, run_with_input, stdout};

#[tokio::test]
async fn a_narrow_key_sees_its_permissions_and_is_denied_the_rest() {
    let app = spawn_app().await;
    let admin = app.admin_key.clone();
    let zone: Value = json_as(&app, &admin, &["domains", "create", "perm.test"]).await;
    let zone_id = zone["id"].as_str().unwrap().to_owned();
    let created: Value = json_as(
        &app,
        &admin,
        &[
            "api-keys",
            "create",
            "--name",
            "narrow",
            "--scope",
            "domains:read",
            "--scope",
            "records:read",
        ],
    )
    .await;
    let narrow = created["key"].as_str().expect("the new key").to_owned();

    // whoami --context: the scopes applied, the tenant in full.
    let context = json_as(&app, &narrow, &["whoami", "--context"]).await;
    let held: Vec<&str> = context["data"]["permissions"]["tenant"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(held.contains(&"records:read"), "{context}");
    assert!(!held.contains(&"records:create"), "{context}");
    assert_eq!(context["data"]["tenant"]["status"], "active", "{context}");
    let text = ok_as(&app, &narrow, &["whoami", "--context"]).await;
    assert!(text.contains("records:read"), "{text}");

    // Allowed: exit 0; denied: exit 4, in text and JSON.
    let out = ok_as(
        &app,
        &narrow,
        &[
            "permissions",
            "check",
            "records:read",
            "--zone",
            "perm.test",
        ],
    )
    .await;
    assert!(
        out.starts_with("allowed: records:read on perm.test"),
        "{out}"
    );
    let args = [
        "permissions",
        "check",
        "records:create",
        "--zone",
        "perm.test",
        "--name",
        "www",
        "--type",
        "A",
    ];
    let out = run(&app, &narrow, &args).await;
    assert_eq!(code(&out), 4, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).starts_with("denied: records:create on www A in perm.test"));
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let out = run(&app, &narrow, &json_args).await;
    assert_eq!(code(&out), 4);
    let answer: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(answer["allowed"], false, "{answer}");
    // The admin's own key holds it.
    ok_as(&app, &admin, &args).await;

    // Another tenant's admin: the zone is not found by name, and by id it holds nothing.
    let other = app.tenant_with_user("perm-other").await;
    let out = run(
        &app,
        &other.key,
        &[
            "permissions",
            "check",
            "records:read",
            "--zone",
            "perm.test",
        ],
    )
    .await;
    assert_eq!(code(&out), 3, "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(
        &app,
        &other.key,
        &["permissions", "check", "records:read", "--zone", &zone_id],
    )
    .await;
    assert_ne!(code(&out), 0, "{}", stdout(&out));
    assert!(!stdout(&out).contains("allowed"), "{}", stdout(&out));
}

#[tokio::test]
async fn auth_commands_exchange_codes_and_print_tokens_only_when_asked() {
    let scaikey = ScaiKey::start().await;
    let mut oidc = OidcSettings::new(scaikey.issuer());
    oidc.client_id = Some(CLIENT_ID.into());
    oidc.client_secret = Some(CLIENT_SECRET.into());
    oidc.audience = Some(CLIENT_ID.into());
    let app = spawn_app_configured(TestOptions::default(), move |c| {
        c.identity.oidc = Some(oidc)
    })
    .await;
    app.client
        .tenant_create(&scaidns_client::types::TenantCreateRequest {
            name: "Acme".into(),
            slug: "acme".into(),
            scaikey_tenant_id: Some("tnt_acme".into()),
            partner_id: None,
            settings: None,
        })
        .await
        .unwrap();
    // The auth commands send no key: a made-up one changes nothing.
    let nokey = "sk_not_a_key";

    let config = json_as(&app, nokey, &["auth", "config"]).await;
    assert_eq!(config["client_id"], CLIENT_ID, "{config}");
    assert_eq!(config["issuer"], scaikey.issuer(), "{config}");

    let verifier = "a-very-long-pkce-code-verifier-with-enough-entropy-0123456789";
    let redirect = "https://dns.example/oauth/callback";
    let claims = scaikey.claims("usr_cli", "tnt_acme", "cli@acme.test");
    let token_args = |code: &str| {
        vec![
            "auth".to_owned(),
            "token".to_owned(),
            "--code".to_owned(),
            code.to_owned(),
            "--redirect-uri".to_owned(),
            redirect.to_owned(),
        ]
    };

    // The verifier is never an argument (`ps` would show it next to the code): usage error,
    // and the code is not spent.
    let code1 = scaikey.issue_code(redirect, &s256(verifier), claims.clone());
    let mut args = token_args(&code1);
    args.extend(["--code-verifier".to_owned(), verifier.to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_with_input(&app, nokey, &args, "").await;
    assert_eq!(code(&out), 2, "{}", String::from_utf8_lossy(&out.stderr));

    // Text output (the verifier on standard input): says what was issued, shows no token.
    let args = token_args(&code1);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_with_input(&app, nokey, &args, &format!("{verifier}\n")).await;
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let out = stdout(&out);
    assert!(out.contains("issued access, refresh"), "{out}");
    assert!(out.contains("--show-tokens"), "{out}");
    assert!(!out.contains("eyJ"), "no JWT printed unasked: {out}");
    assert_eq!(out.lines().count(), 2, "only what was issued: {out}");

    // --json: the tokens, and the access token validates.
    let code2 = scaikey.issue_code(redirect, &s256(verifier), claims.clone());
    let mut args = token_args(&code2);
    args.push("--json".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_with_input(&app, nokey, &args, verifier).await;
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let tokens: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let out = run_with_input(&app, nokey, &["auth", "validate"], access).await;
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout(&out).starts_with("valid: subject usr_cli"),
        "{}",
        stdout(&out)
    );
    let out = run_with_input(&app, nokey, &["auth", "validate", "--json"], "not.a.jwt").await;
    assert_eq!(code(&out), 4, "{}", stdout(&out));
    let answer: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(answer["valid"], false, "{answer}");

    // Refresh from standard input, shown with --show-tokens; the old one is spent.
    let out = run_with_input(
        &app,
        nokey,
        &["auth", "refresh", "--show-tokens"],
        &format!("{refresh}\n"),
    )
    .await;
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    let renewed = text
        .lines()
        .find_map(|l| l.strip_prefix("refresh_token: "))
        .expect("the new refresh token shown");
    assert_ne!(renewed, refresh);
    assert!(text.contains("access_token: "), "{text}");
    let out = run_with_input(&app, nokey, &["auth", "refresh"], &refresh).await;
    assert_eq!(code(&out), 4, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!stdout(&out).contains("access_token"), "{}", stdout(&out));
}

#[tokio::test]
async fn health_answers_ready_and_live_and_fails_when_unreachable() {
    let app = spawn_app().await;
    let report = json_as(&app, "sk_unused", &["health"]).await;
    assert!(
        matches!(report["status"].as_str(), Some("ok" | "degraded")),
        "{report}"
    );
    assert_eq!(report["checks"]["database"], "ok", "{report}");
    let out = ok_as(&app, "sk_unused", &["health", "--live"]).await;
    assert_eq!(out.trim(), "live: ok");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_scaidns"))
        .args(["--url", "http://127.0.0.1:9", "health"])
        .env_remove("SCAIDNS_API_KEY")
        .env("SCAIDNS_CONFIG", "/nonexistent/scaidns-health/config.toml")
        .output()
        .await
        .unwrap();
    assert_eq!(code(&out), 6, "{}", String::from_utf8_lossy(&out.stderr));
}
