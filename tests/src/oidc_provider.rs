//! A generic OpenID Connect provider for the tests: panva's `oidc-provider` (npm) run by node
//! from `tests/oidc-provider/` (`scripts/test.sh` installs node, checks it is at least the
//! version the pinned package's `engines` names, and runs `npm ci` there). It
//! listens on a free loopback port and issues JWT access tokens (RS256, audience `scaidns`,
//! `sub` the client id) whose extra claims the test chooses, as a tenant user who controls its
//! own claims at a provider would.

use std::process::Stdio;
use std::time::Duration;

use std::sync::{Arc, Mutex};

use scaidns_core::adapters::oidc::http::form_encode;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

/// The audience of the provider's tokens.
pub const AUDIENCE: &str = "scaidns";
const CLIENT_ID: &str = "scaidns";
const CLIENT_SECRET: &str = "scaidns-secret";

/// The running provider; stopped when dropped.
#[derive(Debug)]
pub struct OidcProvider {
    issuer: String,
    http: reqwest::Client,
    _child: Child,
}

impl OidcProvider {
    /// Starts the provider and waits (bounded) until its discovery document answers.
    ///
    /// # Panics
    /// When node or the installed package is missing (run `npm ci` in `tests/oidc-provider`).
    pub async fn start() -> Self {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/oidc-provider");
        assert!(
            std::path::Path::new(dir)
                .join("node_modules/oidc-provider")
                .exists(),
            "run `npm ci` in {dir} (scripts/test.sh does)"
        );
        let mut child = Command::new("node")
            .arg("server.js")
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs");
        // What node says on stderr goes into any panic below; stdout is read on until the
        // process ends, so a full pipe never blocks it.
        let stderr = Arc::new(Mutex::new(String::new()));
        tokio::spawn(collect(child.stderr.take().expect("piped stderr"), {
            let stderr = Arc::clone(&stderr);
            move |line| stderr.lock().map(|mut s| s.push_str(&line)).unwrap_or(())
        }));
        let (port_tx, port_rx) = tokio::sync::oneshot::channel();
        let mut port_tx = Some(port_tx);
        tokio::spawn(collect(
            child.stdout.take().expect("piped stdout"),
            move |line| {
                if let Some(port) = line.strip_prefix("PORT ")
                    && let Some(tx) = port_tx.take()
                {
                    let _ = tx.send(port.trim().to_owned());
                }
            },
        ));
        let said = || stderr.lock().map(|s| s.clone()).unwrap_or_default();
        let port = match tokio::time::timeout(Duration::from_secs(30), port_rx).await {
            Ok(Ok(port)) => port.parse::<u16>().expect("a port"),
            Ok(Err(_)) => panic!("the provider exited before listening; stderr:\n{}", said()),
            Err(_) => panic!(
                "the provider did not listen within 30 s; stderr:\n{}",
                said()
            ),
        };
        let issuer = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let discovery = format!("{issuer}/.well-known/openid-configuration");
        for _ in 0..300 {
            if let Ok(resp) = http.get(&discovery).send().await
                && resp.status().is_success()
            {
                return Self {
                    issuer,
                    http,
                    _child: child,
                };
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no discovery document at {discovery}; stderr:\n{}", said());
    }

    /// The issuer URL.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// An access token with `scope` granted and `claims` added.
    pub async fn token(&self, scope: &str, claims: &Value) -> String {
        let body = format!(
            "grant_type=client_credentials&scope={}&x_claims={}",
            form_encode(scope),
            form_encode(&claims.to_string())
        );
        let resp = self
            .http
            .post(format!("{}/token", self.issuer))
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("token endpoint");
        let status = resp.status();
        let body: Value = resp.json().await.expect("token response");
        assert!(status.is_success(), "{body}");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }
}

/// Hands every line of `pipe` (newline kept) to `each` until the pipe closes.
async fn collect(pipe: impl AsyncRead + Unpin, mut each: impl FnMut(String)) {
    let mut lines = BufReader::new(pipe).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        each(line + "\n");
    }
}
