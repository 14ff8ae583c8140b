//! A ScaiKey stand-in for the end-to-end suites, built from the spec (api-identity §3):
//! an in-process HTTP server on a free loopback port with OpenID Connect discovery, a JWKS whose
//! keys can be rotated (RS256, ES256 and EdDSA keys generated at start), the token endpoint for
//! the authorization-code grant with PKCE (RFC 7636, S256 checked) and one-time rotating refresh
//! tokens, and an outage switch. Tests mint access tokens with [`ScaiKey::mint`]. The
//! directory, self-registration and webhook parts live in [`directory`], user administration
//! in [`users`].

pub mod directory;
mod keys;
pub mod users;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, Header};
use poem::http::StatusCode;
use poem::listener::{Acceptor, TcpAcceptor};
use poem::web::{Data, Form, Json};
use poem::{EndpointExt, IntoResponse, Response, Route, Server, get, handler, post};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub use directory::{APPLICATION_ID, Directory};
pub use keys::SigningKey;

/// The OAuth client ScaiDNS is registered as.
pub const CLIENT_ID: &str = "app_scaidns";
/// Its secret.
pub const CLIENT_SECRET: &str = "scaidns-client-secret";

struct Grant {
    redirect_uri: String,
    challenge: String,
    claims: Value,
}

#[derive(Default)]
struct Inner {
    /// Keys published in the JWKS.
    published: Vec<SigningKey>,
    /// The key each algorithm signs with now.
    signing: HashMap<String, SigningKey>,
    codes: HashMap<String, Grant>,
    refresh: HashMap<String, Value>,
}

struct Shared {
    issuer: String,
    dir: directory::Shared,
    inner: Mutex<Inner>,
    jwks_fetches: AtomicUsize,
    down: AtomicBool,
}

/// The running stand-in; stops when dropped.
#[derive(Clone)]
pub struct ScaiKey {
    shared: Arc<Shared>,
    _stop: Arc<tokio::sync::oneshot::Sender<()>>,
}

impl std::fmt::Debug for ScaiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScaiKey")
            .field("issuer", &self.shared.issuer)
            .finish_non_exhaustive()
    }
}

fn alg_name(alg: Algorithm) -> String {
    format!("{alg:?}")
}

fn down() -> Response {
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

#[handler]
fn discovery(shared: Data<&Arc<Shared>>) -> Response {
    if shared.down.load(Ordering::SeqCst) {
        return down();
    }
    let i = &shared.issuer;
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/oauth/authorize"),
        "token_endpoint": format!("{i}/oauth/token"),
        "end_session_endpoint": format!("{i}/oauth/logout"),
        "jwks_uri": format!("{i}/.well-known/jwks.json"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
    }))
    .into_response()
}

#[handler]
fn jwks(shared: Data<&Arc<Shared>>) -> Response {
    shared.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    if shared.down.load(Ordering::SeqCst) {
        return down();
    }
    let inner = shared.inner.lock().unwrap();
    let set = JwkSet {
        keys: inner.published.iter().map(SigningKey::jwk).collect(),
    };
    Json(set).into_response()
}

fn oauth_error(code: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": code}))).into_response()
}

fn client_ok(req: &poem::Request) -> bool {
    let expected = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    req.header("authorization") == Some(expected.as_str())
}

#[handler]
fn token(
    req: &poem::Request,
    shared: Data<&Arc<Shared>>,
    dir: Data<&directory::Shared>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if shared.down.load(Ordering::SeqCst) {
        return down();
    }
    if !client_ok(req) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    if field("grant_type") == "client_credentials" {
        // A service token for the directory API (opaque here; ScaiKey issues a JWT).
        let token = format!("svc_{}", keys::uuid_like());
        dir.lock().unwrap().service_tokens.insert(token.clone());
        return Json(json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600}))
            .into_response();
    }
    let claims = match field("grant_type").as_str() {
        "authorization_code" => {
            let Some(grant) = shared.inner.lock().unwrap().codes.remove(&field("code")) else {
                return oauth_error("invalid_grant");
            };
            let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(field("code_verifier")));
            if grant.redirect_uri != field("redirect_uri") || grant.challenge != challenge {
                return oauth_error("invalid_grant");
            }
            grant.claims
        }
        "refresh_token" => {
            // One-time: a refresh token is spent by its first use.
            let Some(claims) = shared
                .inner
                .lock()
                .unwrap()
                .refresh
                .remove(&field("refresh_token"))
            else {
                return oauth_error("invalid_grant");
            };
            claims
        }
        _ => return oauth_error("unsupported_grant_type"),
    };
    let refresh = format!("rt_{}", keys::uuid_like());
    shared
        .inner
        .lock()
        .unwrap()
        .refresh
        .insert(refresh.clone(), claims.clone());
    let access = sign(&shared, &claims, Algorithm::RS256, None);
    Json(json!({
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": 3600,
        "id_token": access,
    }))
    .into_response()
}

fn sign(shared: &Shared, claims: &Value, alg: Algorithm, typ: Option<&str>) -> String {
    let key = shared.inner.lock().unwrap().signing[&alg_name(alg)].clone();
    let mut header = Header::new(alg);
    header.kid = Some(key.kid.clone());
    header.typ = typ.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &key.key).unwrap()
}

impl ScaiKey {
    /// Starts the stand-in with one key per algorithm.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let issuer = format!("http://{addr}");
        let keys: Vec<SigningKey> = [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA]
            .into_iter()
            .map(SigningKey::generate)
            .collect();
        let inner = Inner {
            signing: keys.iter().map(|k| (alg_name(k.alg), k.clone())).collect(),
            published: keys,
            ..Inner::default()
        };
        let dir = directory::Shared::default();
        let shared = Arc::new(Shared {
            dir: Arc::clone(&dir),
            issuer,
            inner: Mutex::new(inner),
            jwks_fetches: AtomicUsize::new(0),
            down: AtomicBool::new(false),
        });
        let app = Route::new()
            .at("/.well-known/openid-configuration", get(discovery))
            .at("/.well-known/jwks.json", get(jwks))
            .at("/oauth/token", post(token))
            .at("/api/v1/partners", get(directory::partners))
            .at("/api/v1/tenants", get(directory::tenants))
            .at(
                "/api/v1/tenants/:tenant/applications/:app/effective-users",
                get(directory::effective_users),
            )
            .at("/api/v1/tenants/:tenant/groups", get(directory::groups))
            .at(
                "/api/v1/tenants/:tenant/groups/:group/members",
                get(directory::members),
            )
            .at("/api/v1/tenants/:tenant/users", post(users::create))
            .at(
                "/api/v1/tenants/:tenant/users/:user",
                poem::patch(users::update),
            )
            .at(
                "/api/v1/tenants/:tenant/users/:user/:verb",
                post(users::action),
            )
            .at(
                "/api/v1/public/register/applications",
                post(directory::register),
            )
            .at(
                "/api/v1/public/register/applications/:id/status",
                get(directory::registration_status),
            )
            .data(dir)
            .data(Arc::clone(&shared));
        let acceptor = TcpAcceptor::from_tokio(listener).unwrap();
        assert!(!acceptor.local_addr().is_empty());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = Server::new_with_acceptor(acceptor)
                .run_with_graceful_shutdown(
                    app,
                    async {
                        let _ = stopped.await;
                    },
                    None,
                )
                .await;
        });
        Self {
            shared,
            _stop: Arc::new(stop),
        }
    }

    /// The issuer URL (also the base of every endpoint).
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// Claims of a normal access token for `sub` in `tenant`, valid for an hour.
    pub fn claims(&self, sub: &str, tenant: &str, email: &str) -> Value {
        let now = chrono::Utc::now().timestamp();
        json!({
            "iss": self.issuer(), "aud": CLIENT_ID, "sub": sub, "tenant_id": tenant,
            "email": email, "scope": "openid profile email", "iat": now, "exp": now + 3600,
            "client_id": CLIENT_ID,
        })
    }

    /// Signs `claims` with the current key of `alg` (typ `at+jwt`, RFC 9068).
    pub fn mint(&self, claims: &Value, alg: Algorithm) -> String {
        sign(&self.shared, claims, alg, Some("at+jwt"))
    }

    /// Signs with a chosen `typ`.
    pub fn mint_typed(&self, claims: &Value, alg: Algorithm, typ: Option<&str>) -> String {
        sign(&self.shared, claims, alg, typ)
    }

    /// Signs with a key that is not published, under the `kid` of a published one.
    pub fn forge(&self, claims: &Value) -> String {
        let published = self.shared.inner.lock().unwrap().signing["RS256"].clone();
        let rogue = SigningKey::generate(Algorithm::RS256);
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(published.kid);
        jsonwebtoken::encode(&header, claims, &rogue.key).unwrap()
    }

    /// Rotates `alg`'s key: a new key signs from now on and is published beside the old ones.
    pub fn rotate(&self, alg: Algorithm) -> String {
        let key = SigningKey::generate(alg);
        let kid = key.kid.clone();
        let mut inner = self.shared.inner.lock().unwrap();
        inner.published.push(key.clone());
        inner.signing.insert(alg_name(alg), key);
        kid
    }

    /// How often the JWKS was fetched.
    pub fn jwks_fetches(&self) -> usize {
        self.shared.jwks_fetches.load(Ordering::SeqCst)
    }

    /// Simulates an outage: every endpoint answers 503 while `down`.
    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
    }

    /// Edits the directory that sync reads.
    pub fn directory(&self, edit: impl FnOnce(&mut Directory)) {
        edit(&mut self.shared.dir.lock().unwrap().directory);
    }

    /// The calls ScaiDNS made to the user administration API so far.
    pub fn admin_calls(&self) -> Vec<users::AdminCall> {
        self.shared.dir.lock().unwrap().admin_calls.clone()
    }

    /// A user of the directory by id (`usr_…`), as ScaiKey holds it.
    pub fn directory_user(&self, id: &str) -> Option<Value> {
        let dir = self.shared.dir.lock().unwrap();
        dir.directory
            .users
            .values()
            .flatten()
            .find(|u| u.get("id").and_then(Value::as_str) == Some(id))
            .cloned()
    }

    /// Approves every pending self-registration request; returns their request bodies.
    pub fn approve_registrations(&self) -> Vec<Value> {
        self.shared.dir.lock().unwrap().approve_all()
    }

    /// What the authorize endpoint does after login: a one-time code bound to `redirect_uri`
    /// and the S256 `challenge`, for a user with `claims`.
    pub fn issue_code(&self, redirect_uri: &str, challenge: &str, claims: Value) -> String {
        let code = format!("code_{}", keys::uuid_like());
        self.shared.inner.lock().unwrap().codes.insert(
            code.clone(),
            Grant {
                redirect_uri: redirect_uri.to_owned(),
                challenge: challenge.to_owned(),
                claims,
            },
        );
        code
    }
}

/// The S256 challenge of a PKCE verifier.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier))
}
