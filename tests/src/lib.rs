//! Shared support for the end-to-end suites: start the real server on a free loopback port
//! against a fresh database, bootstrap a platform admin, and hand back the generated client
//! (so every API test also tests the SDK).

pub mod oidc_provider;
pub mod scaikey;
pub mod scripted_dns;

// Real services on loopback, shared with scaidns-core's contract suite rather than copied: a
// PowerDNS 4.7 per test, raw DNS queries, and a fresh MariaDB database per test.
#[path = "../../scaidns-core/tests/contract/support/db.rs"]
pub mod db;
#[path = "../../scaidns-core/tests/contract/support/dns.rs"]
pub mod dns;
#[path = "../../scaidns-core/tests/contract/support/pdns.rs"]
pub mod pdns;

use std::net::SocketAddr;

use scaidns_client::Client;
use scaidns_server::config::{BackendConfig, Config, Secret, ZoneKind};
use scaidns_server::{RunningServer, start};

/// Which DNS backend a test server publishes to.
#[derive(Debug, Clone)]
pub enum TestBackend {
    /// The embedded server, answering on a free loopback port.
    Embedded,
    /// A PowerDNS instance (started by the test).
    PowerDns {
        /// API base URL without `/api/v1`.
        api_url: String,
        /// API key.
        api_key: String,
    },
}

/// How to start a test server.
#[derive(Debug, Clone)]
pub struct TestOptions {
    /// `None`: a fresh SQLite file in a temporary directory.
    pub database_url: Option<String>,
    /// The DNS backend.
    pub backend: TestBackend,
}

impl Default for TestOptions {
    fn default() -> Self {
        Self {
            database_url: None,
            backend: TestBackend::Embedded,
        }
    }
}

/// A running server with a bootstrapped platform admin.
pub struct TestApp {
    /// Client authenticated as the platform admin.
    pub client: Client,
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// The platform admin's API key.
    pub admin_key: String,
    /// The platform admin's user id.
    pub admin_user_id: String,
    /// The platform tenant's id.
    pub platform_tenant_id: String,
    /// Where the embedded backend answers DNS (embedded backend only).
    pub dns_addr: Option<SocketAddr>,
    /// A plain HTTP client for raw requests (no credentials).
    pub http: reqwest::Client,
    server: Option<RunningServer>,
    _dir: tempfile::TempDir,
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestApp")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// A tenant with one user and that user's API key.
#[derive(Debug)]
pub struct TenantUser {
    /// Tenant id.
    pub tenant_id: String,
    /// User id.
    pub user_id: String,
    /// The user's API key secret.
    pub key: String,
    /// The key's id.
    pub key_id: String,
    /// Client authenticated with that key.
    pub client: Client,
}

/// Starts a server on SQLite with the embedded backend.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(TestOptions::default()).await
}

/// Starts a server with `options`.
///
/// # Panics
/// When the server cannot start: tests cannot continue then.
pub async fn spawn_app_with(options: TestOptions) -> TestApp {
    spawn_app_configured(options, |_| {}).await
}

/// Starts a server with `options`, letting `configure` adjust the configuration last (for
/// settings such as `REDIS_URL` or rate limits).
///
/// # Panics
/// When the server cannot start: tests cannot continue then.
pub async fn spawn_app_configured(
    options: TestOptions,
    configure: impl FnOnce(&mut Config),
) -> TestApp {
    let (server, dir) = start_configured(options, configure).await;
    let boot = server
        .state()
        .service
        .bootstrap("admin@scaidns.test")
        .await
        .expect("bootstrap");
    let base_url = format!("http://{}", server.local_addr());
    let admin_key = boot.secret.expose().to_owned();
    TestApp {
        client: Client::with_api_key(&base_url, &admin_key).expect("client"),
        base_url,
        admin_key,
        admin_user_id: boot.user.id.to_string(),
        platform_tenant_id: boot.tenant.id.to_string(),
        dns_addr: server.dns_addr(),
        http: reqwest::Client::new(),
        server: Some(server),
        _dir: dir,
    }
}

/// Starts another replica of `first`: a server on the same database and backend (`options`
/// must name them as `first`'s did), not bootstrapped again, with `first`'s platform admin.
///
/// # Panics
/// When the server cannot start: tests cannot continue then.
pub async fn spawn_replica(
    first: &TestApp,
    options: TestOptions,
    configure: impl FnOnce(&mut Config),
) -> TestApp {
    assert!(
        options.database_url.is_some(),
        "a replica shares its first server's database: name it"
    );
    let (server, dir) = start_configured(options, configure).await;
    let base_url = format!("http://{}", server.local_addr());
    TestApp {
        client: Client::with_api_key(&base_url, &first.admin_key).expect("client"),
        base_url,
        admin_key: first.admin_key.clone(),
        admin_user_id: first.admin_user_id.clone(),
        platform_tenant_id: first.platform_tenant_id.clone(),
        dns_addr: server.dns_addr(),
        http: reqwest::Client::new(),
        server: Some(server),
        _dir: dir,
    }
}

async fn start_configured(
    options: TestOptions,
    configure: impl FnOnce(&mut Config),
) -> (RunningServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let database_url = options
        .database_url
        .unwrap_or_else(|| format!("sqlite:{}", dir.path().join("scaidns.sqlite3").display()));
    let mut config = Config::development(
        dir.path(),
        &database_url,
        SocketAddr::from(([127, 0, 0, 1], 0)),
    );
    config.bind_address = SocketAddr::from(([127, 0, 0, 1], 0));
    // Every DNS server of the suites answers on loopback.
    config.validation_allow_private_targets = true;
    config.validation_by_delegation = true;
    // The suites' primaries (a second PowerDNS) answer on loopback.
    config.secondary_allow_private_primaries = true;
    // The suites' webhook subscribers listen on loopback over plain HTTP.
    config.webhook_allow_insecure_targets = true;
    if let TestBackend::PowerDns { api_url, api_key } = options.backend {
        config.backend = BackendConfig::PowerDns {
            api_url,
            api_key: Secret::new(api_key),
            server_id: "localhost".into(),
            zone_kind: ZoneKind::Native,
        };
    }
    configure(&mut config);
    let server = start(config).await.expect("test server starts");
    (server, dir)
}

impl TestApp {
    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// A client with `key`.
    pub fn client_with_key(&self, key: &str) -> Client {
        Client::with_api_key(&self.base_url, key).expect("client")
    }

    /// Makes a tenant `slug`, a user in it and that user's API key.
    ///
    /// # Panics
    /// When the API refuses: the calling test cannot continue.
    pub async fn tenant_with_user(&self, slug: &str) -> TenantUser {
        let tenant = self
            .client
            .tenant_create(&scaidns_client::types::TenantCreateRequest {
                name: format!("Tenant {slug}"),
                slug: slug.to_owned(),
                scaikey_tenant_id: None,
                partner_id: None,
                settings: None,
            })
            .await
            .expect("tenant_create")
            .into_inner();
        let user = self
            .client
            .user_create(&scaidns_client::types::UserCreateRequest {
                display_name: None,
                password: None,
                email: format!("user@{slug}.test"),
                first_name: Some("Test".into()),
                last_name: Some("User".into()),
                tenant_id: Some(tenant.id.clone()),
            })
            .await
            .expect("user_create")
            .into_inner();
        // A tenant's first user administers it, so it can manage the tenant's zones.
        self.assign_role(&user.id, "tenant_admin", &tenant.id).await;
        // The platform admin issues the user's first key; the user manages its keys after that.
        let key = self
            .client
            .api_key_create(&scaidns_client::types::ApiKeyCreateRequest {
                name: "first".into(),
                description: None,
                permission_source: None,
                permission_source_id: Some(user.id.clone()),
                scopes: vec![],
                rate_limit: None,
                ip_whitelist: vec![],
                expires_at: None,
            })
            .await
            .expect("api_key_create")
            .into_inner();
        TenantUser {
            tenant_id: tenant.id,
            user_id: user.id,
            client: self.client_with_key(&key.key),
            key: key.key,
            key_id: key.id,
        }
    }

    /// Gives user `user_id` the system role `role` at the scope of tenant `tenant_id`, straight
    /// through the store (test setup, not under test).
    ///
    /// # Panics
    /// When the ids are malformed or the store refuses.
    pub async fn assign_role(&self, user_id: &str, role: &str, tenant_id: &str) {
        use scaidns_core::rbac::{RoleAssignment, RoleScope, Subject, system_role};
        let server = self.server.as_ref().expect("server running");
        let tenant: scaidns_core::ids::TenantId = tenant_id.parse().expect("tenant id");
        let role = system_role(role).expect("system role");
        let assignment = RoleAssignment {
            id: scaidns_core::ids::RoleAssignmentId::new(),
            role_id: role.role_id(),
            role_name: role.name.to_owned(),
            subject: Subject::User(user_id.parse().expect("user id")),
            scope: RoleScope::Tenant(tenant),
            tenant_id: tenant,
            created_by: None,
            created_at: chrono::Utc::now(),
        };
        server
            .state()
            .service
            .store()
            .insert_role_assignment(&assignment, &[])
            .await
            .expect("assign role");
        // Written past the service: tell it, as the service's own writes do, so a key it has
        // cached sees the role on its next request.
        server.state().service.auth_changed_elsewhere();
    }

    /// The running core service (operator commands such as sync use it directly).
    ///
    /// # Panics
    /// After [`Self::stop`].
    pub fn service(&self) -> &scaidns_core::service::ScaiDns {
        &self
            .server
            .as_ref()
            .expect("server running")
            .state()
            .service
    }

    /// Whether the server started its in-process job task.
    pub fn runs_jobs(&self) -> bool {
        self.server.as_ref().is_some_and(RunningServer::runs_jobs)
    }

    /// Stops the server.
    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}
