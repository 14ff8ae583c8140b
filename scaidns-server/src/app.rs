//! Assembly and start-up: the route tree, the OpenAPI document, and the wiring of the core
//! service to its adapters (store, DNS backend, resolver, clock).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use poem::endpoint::make_sync;
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::middleware::{NormalizePath, TrailingSlash};
use poem::web::Data;
use poem::{Endpoint, EndpointExt, IntoResponse, Route, get, handler};
use poem_openapi::OpenApiService;
use scaidns_core::adapters::embedded::{EmbeddedBackend, EmbeddedServerHandle};
use scaidns_core::adapters::pdns::{PdnsConfig, PdnsZoneKind, PowerDnsBackend};
use scaidns_core::adapters::rate_limiters::{
    FallbackRateLimiter, InProcessRateLimiter, RedisRateLimiter,
};
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::identity::api_key::Pepper;
use scaidns_core::ports::rate_limiter::RateLimiter;
use scaidns_core::ports::{DnsBackend, Store, SystemClock};
use scaidns_core::record::TtlPolicy;
use scaidns_core::service::{ApiKeyRateLimit, ScaiDns, ServiceConfig, ValidationConfig};
use scaidns_core::zone::ZoneStatus;
use tokio::sync::oneshot;

use crate::api::{Api, api, health};
use crate::body_limit::BodyLimits;
use crate::config::{BackendConfig, Config, ZoneKind};
use crate::metrics::Metrics;
use crate::middleware::request_context;
use crate::state::AppState;

/// How long in-flight requests get to finish at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The OpenAPI service: every operation under `/api/v1`.
pub fn api_service() -> OpenApiService<Api, ()> {
    OpenApiService::new(api(), "ScaiDNS API", env!("CARGO_PKG_VERSION"))
        .description(
            "Multi-tenant control plane for authoritative DNS. Authenticate with `X-API-Key`. \
             Every error has the body `{\"detail\", \"code\", \"request_id\"}`.",
        )
        .url_prefix("/api/v1")
}

/// The OpenAPI document as pretty JSON, refined for strict clients ([`crate::contract`]).
/// Needs no database.
pub fn spec_json() -> String {
    let generated = api_service().spec();
    let Ok(mut spec) = serde_json::from_str::<serde_json::Value>(&generated) else {
        return generated;
    };
    crate::contract::refine(&mut spec);
    serde_json::to_string_pretty(&spec).unwrap_or(generated)
}

#[handler]
async fn ready_outside(state: Data<&AppState>) -> poem::Response {
    // Same answer as the documented /api/v1/health/ready, for load balancers.
    health::readiness(&state).await.into_response()
}

#[handler]
fn live_outside() -> poem::Response {
    poem::web::Json(serde_json::json!({ "status": "ok" })).into_response()
}

#[handler]
async fn metrics_text(state: Data<&AppState>, req: &poem::Request) -> poem::Response {
    if let Some(token) = &state.config.metrics_token
        && !crate::metrics::bearer_matches(req.header("authorization"), token.expose())
    {
        let mut resp = crate::error::ApiError::new(
            StatusCode::UNAUTHORIZED,
            "not_authenticated",
            "Metrics need the bearer token configured in METRICS_TOKEN",
        )
        .into_response();
        resp.headers_mut().insert(
            poem::http::header::WWW_AUTHENTICATE,
            poem::http::HeaderValue::from_static("Bearer"),
        );
        return resp;
    }
    // Counts come from the store at scrape time; a failing store leaves the last values.
    let store = state.service.store();
    match (store.count_zones().await, store.count_records().await) {
        (Ok(zones), Ok(records)) => {
            let mut by_status: Vec<(&str, u64)> =
                ZoneStatus::ALL.iter().map(|s| (s.as_str(), 0)).collect();
            for (status, count) in zones {
                if let Some(slot) = by_status.iter_mut().find(|(s, _)| *s == status.as_str()) {
                    slot.1 = count;
                }
            }
            state.metrics.set_inventory(&by_status, records);
        }
        (Err(e), _) | (_, Err(e)) => tracing::warn!(error = %e, "metrics: counting zones failed"),
    }
    poem::Response::builder()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}

/// The whole HTTP application.
pub fn build_app(state: AppState) -> impl Endpoint {
    let service = api_service();
    let spec = spec_json();
    let docs = service.swagger_ui();
    let metrics = Arc::clone(&state.metrics);
    let limits = BodyLimits::new(state.config.max_body_bytes);
    let mut route = Route::new()
        .at(
            "/api/v1/openapi.json",
            make_sync(move |_| {
                poem::Response::builder()
                    .content_type("application/json")
                    .body(spec.clone())
            }),
        )
        .nest("/api/v1", service)
        .nest("/docs", docs)
        .at("/health/live", get(live_outside))
        .at("/health/ready", get(ready_outside));
    if state.config.metrics_enabled {
        route = route.at("/metrics", get(metrics_text));
    }
    let app = route
        .data(state)
        .with(NormalizePath::new(TrailingSlash::Trim));
    crate::rate_limit::headers(request_context(app, metrics, limits))
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be reached or migrated.
    #[error("database: {0}")]
    Store(scaidns_core::Error),
    /// The DNS backend could not be set up.
    #[error("DNS backend: {0}")]
    Backend(#[from] scaidns_core::ports::BackendError),
    /// A setting is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// The HTTP listener could not bind.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The error.
        source: std::io::Error,
    },
}

/// Core policy from the configuration.
pub fn service_config(config: &Config) -> ServiceConfig {
    let mut service = ServiceConfig {
        validation: ValidationConfig {
            resolvers: config.validation_resolvers.clone(),
            nameserver_port: config.validation_nameserver_port,
            expiry: chrono::Duration::hours(i64::from(config.validation_expiry_hours)),
            challenge_ttl: config.validation_challenge_ttl,
            allow_private_targets: config.validation_allow_private_targets,
            ..ValidationConfig::default()
        },
        api_key_pepper: Pepper::new(config.api_key_pepper.expose()),
        ttl_policy: TtlPolicy {
            min: config.ttl_min,
            max: config.ttl_max,
        },
        api_key_rate_limit: ApiKeyRateLimit {
            default_per_minute: config.rate_limit_api_key_per_minute,
            // Tests may raise the default after parsing; the maximum never sits below it.
            max_per_minute: config
                .rate_limit_api_key_max
                .max(config.rate_limit_api_key_per_minute),
        },
        ..ServiceConfig::default()
    };
    if !config.platform_nameservers.is_empty() {
        service.default_nameservers = config.platform_nameservers.clone();
    }
    service.dnssec = crate::worker::dnssec_config(config);
    service
}

/// Connects (and by default migrates) the store.
pub async fn connect_store(config: &Config) -> Result<Arc<dyn Store>, StartError> {
    let store =
        SqlStore::connect_with_pool_size(config.database_url.expose(), config.database_pool_size)
            .await
            .map_err(StartError::Store)?;
    if config.auto_migrate {
        store.migrate().await.map_err(StartError::Store)?;
    }
    Ok(Arc::new(store))
}

/// The DNS backend; for the embedded one, also its running DNS listener.
pub async fn connect_backend(
    config: &Config,
) -> Result<(Arc<dyn DnsBackend>, Option<EmbeddedServerHandle>), StartError> {
    match &config.backend {
        BackendConfig::PowerDns {
            api_url,
            api_key,
            server_id,
            zone_kind,
        } => {
            let mut pdns = PdnsConfig::new(api_url.clone(), api_key.expose());
            pdns.server_id = server_id.clone();
            pdns.zone_kind = match zone_kind {
                ZoneKind::Native => PdnsZoneKind::Native,
                ZoneKind::Master => PdnsZoneKind::Master,
            };
            Ok((Arc::new(PowerDnsBackend::new(pdns)?), None))
        }
        BackendConfig::Embedded { address } => {
            let backend = EmbeddedBackend::new();
            let handle = backend.serve(*address).await?;
            tracing::info!(address = %handle.local_addr(), "embedded DNS server listening");
            Ok((Arc::new(backend), Some(handle)))
        }
    }
}

/// A server running in the background.
pub struct RunningServer {
    local_addr: SocketAddr,
    state: AppState,
    dns: Option<EmbeddedServerHandle>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    retry: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for RunningServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningServer")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

impl RunningServer {
    /// Where HTTP is served (the real port when the configuration asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Where the embedded backend answers DNS, if it is the backend.
    pub fn dns_addr(&self) -> Option<SocketAddr> {
        self.dns.as_ref().map(EmbeddedServerHandle::local_addr)
    }

    /// The application state (the service, for operator actions in tests).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting, lets in-flight requests finish, stops the DNS listener.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.wait().await;
    }

    async fn wait(mut self) {
        self.retry.abort();
        match (&mut self.task).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "HTTP server failed"),
            Err(e) => tracing::error!(error = %e, "HTTP server task failed"),
        }
        if let Some(dns) = self.dns.take()
            && let Err(e) = dns.shutdown().await
        {
            tracing::warn!(error = %e, "embedded DNS server did not stop cleanly");
        }
    }
}

/// Builds the state from `config` (store, backend, resolver, clock).
pub async fn build_state(
    config: Config,
) -> Result<(AppState, Option<EmbeddedServerHandle>), StartError> {
    let store = connect_store(&config).await?;
    let (backend, dns) = connect_backend(&config).await?;
    let metrics = Arc::new(Metrics::new());
    let backend: Arc<dyn DnsBackend> = Arc::new(crate::metered_backend::MeteredBackend::new(
        backend,
        Arc::clone(&metrics),
    ));
    let rate_limiter = rate_limiter(&config)?;
    let service = ScaiDns::new(
        store,
        backend,
        Arc::new(HickoryResolver::new()),
        Arc::new(SystemClock),
        service_config(&config),
    );
    let service = crate::identity_setup::with_identity_provider(service, &config)?;
    let state = AppState {
        service,
        config: Arc::new(config),
        metrics,
        rate_limiter,
    };
    Ok((state, dns))
}

/// Counts in Redis when `REDIS_URL` is set (falling back to in-process counting while Redis is
/// unreachable), in-process otherwise.
pub fn rate_limiter(config: &Config) -> Result<Arc<dyn RateLimiter>, StartError> {
    match &config.redis_url {
        Some(url) => {
            let redis = RedisRateLimiter::new(url.expose(), "scaidns:ratelimit")
                .map_err(|e| StartError::Config(format!("REDIS_URL: {e}")))?;
            Ok(Arc::new(FallbackRateLimiter::new(redis)))
        }
        None => Ok(Arc::new(InProcessRateLimiter::new())),
    }
}

/// Starts everything and returns once the HTTP listener is bound.
pub async fn start(config: Config) -> Result<RunningServer, StartError> {
    let bind = config.bind_address;
    let (state, dns) = build_state(config).await?;
    if dns.is_some() {
        // The embedded backend keeps zones in memory: publish the store's active zones again.
        match state.service.republish_all().await {
            Ok((ok, failed)) => tracing::info!(published = ok, failed, "embedded backend loaded"),
            Err(e) => tracing::error!(error = %e, "could not load zones into the embedded backend"),
        }
    }
    let retry = tokio::spawn(retry_pending_zones(state.clone()));
    let acceptor = TcpListener::bind(bind)
        .into_acceptor()
        .await
        .map_err(|source| StartError::Bind { addr: bind, source })?;
    let local_addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .unwrap_or(bind);
    tracing::info!(address = %local_addr, backend = state.service.backend().name(), "ScaiDNS API listening");
    let (stop, stopped) = oneshot::channel::<()>();
    let app = build_app(state.clone());
    let task = tokio::spawn(async move {
        poem::Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(
                app,
                async {
                    let _ = stopped.await;
                },
                Some(SHUTDOWN_GRACE),
            )
            .await
    });
    Ok(RunningServer {
        local_addr,
        state,
        dns,
        stop: Some(stop),
        task,
        retry,
    })
}

/// The in-process worker: the retry queue republishes every zone that is not in sync, so a
/// change accepted while the backend was down reaches it without a separate worker process;
/// the other jobs (validation, rollovers, purge) run here too.
async fn retry_pending_zones(state: AppState) {
    // The whole worker, not just the retry queue: jobs are leased in the database, so this
    // in-process copy and separate `scaidns worker` processes never run one job twice.
    let worker = crate::worker::worker_config(&state.config, crate::worker::owner_name("serve"));
    crate::worker::run(state.service.clone(), worker).await;
}

/// Runs the server until SIGTERM or ctrl-c.
pub async fn serve(config: Config) -> Result<(), StartError> {
    let server = start(config).await?;
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
