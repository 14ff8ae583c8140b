//! Assembly and start-up: the route tree, the OpenAPI document, and running the server; the
//! service itself is built by [`crate::wiring`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use poem::endpoint::make_sync;
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::middleware::{NormalizePath, TrailingSlash};
use poem::web::Data;
use poem::{Endpoint, EndpointExt, IntoResponse, Route, get, handler};
use tokio::sync::oneshot;

use crate::api::health;
use crate::body_limit::BodyLimits;
use crate::config::{BackendConfig, Config};
use crate::metrics::Metrics;
use crate::middleware::request_context;
use crate::spec::{api_service, docs_page, served_spec};
use crate::state::AppState;
use crate::wiring::{DnsListener, NotifyTask, RunningNotifyTask, ServerService, StartError};

/// How long in-flight requests get to finish at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// How long the NOTIFYs still queued at shutdown get to go out (`wiring::notify_queue`).
const NOTIFY_GRACE: Duration = Duration::from_secs(5);

/// How often key use recorded in memory is written to the store.
const KEY_USE_FLUSH_EVERY: Duration = Duration::from_secs(2);

/// `?strict=true` on the load balancers' path.
#[derive(serde::Deserialize)]
struct ReadyParams {
    strict: Option<bool>,
}

#[handler]
async fn ready_outside(
    state: Data<&AppState>,
    params: poem::Result<poem::web::Query<ReadyParams>>,
) -> poem::Response {
    // Same answer as the documented /api/v1/health/ready, for load balancers.
    let strict = params.is_ok_and(|p| p.0.strict.unwrap_or(false));
    health::readiness(&state, strict).await.into_response()
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
    match state.service.inventory().await {
        Ok(inventory) => {
            let by_status: Vec<(&str, u64)> = inventory
                .zones_by_status
                .iter()
                .map(|(status, n)| (status.as_str(), *n))
                .collect();
            state.metrics.set_inventory(&by_status, inventory.records);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: counting zones failed"),
    }
    poem::Response::builder()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}

/// The whole HTTP application.
pub fn build_app(state: AppState) -> impl Endpoint {
    let service = api_service();
    let metrics = Arc::clone(&state.metrics);
    let limits = crate::api::record_bulk::body_limits(
        BodyLimits::new(state.config.max_body_bytes).with_route(
            "/api/v1/domains/{domain_id}/import/{how}",
            state.config.import_max_bytes,
        ),
        state.config.max_body_bytes,
        state.config.bulk_max_items,
    );
    let mut route = Route::new()
        .at(
            "/api/v1/openapi.json",
            make_sync(|_| {
                poem::Response::builder()
                    .content_type("application/json")
                    .body(served_spec())
            }),
        )
        .nest("/api/v1", service)
        // PowerDNS's own paths, which the native API leaves free: its clients build the URL
        // from host and port alone.
        .nest_no_strip(crate::pdns_compat::PREFIX, crate::pdns_compat::endpoint())
        .at(
            "/docs",
            make_sync(|_| {
                poem::Response::builder()
                    .content_type("text/html; charset=utf-8")
                    .body(docs_page())
            }),
        )
        .at("/health/live", get(live_outside))
        .at("/health/ready", get(ready_outside));
    if state.config.metrics_enabled {
        route = route.at("/metrics", get(metrics_text));
    }
    let origins = state.config.cors_origins.clone();
    let external_url = state.config.external_url.clone();
    let app = crate::idempotency::keyed_writes(route.data(state.clone()), state)
        .with(NormalizePath::new(TrailingSlash::Trim));
    crate::cors::layer(
        crate::rate_limit_edge::headers(request_context(app, metrics, limits)),
        &origins,
        external_url.as_deref(),
    )
}

/// A server running in the background.
pub struct RunningServer {
    local_addr: SocketAddr,
    state: AppState,
    dns: Option<DnsListener>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    jobs: Option<tokio::task::JoinHandle<()>>,
    key_use: (oneshot::Sender<()>, tokio::task::JoinHandle<()>),
    notifies: Option<RunningNotifyTask>,
    after_answer: crate::wiring::AfterAnswerTasks,
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
        self.dns.as_ref().map(DnsListener::local_addr)
    }

    /// The application state (the service, for operator actions in tests).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Whether this process runs the background jobs (`serve` without `--no-jobs`).
    pub fn runs_jobs(&self) -> bool {
        self.jobs.is_some()
    }

    /// Stops accepting, lets in-flight requests finish, stops the DNS listener.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.wait().await;
    }

    async fn wait(mut self) {
        if let Some(jobs) = &self.jobs {
            jobs.abort();
        }
        match (&mut self.task).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "HTTP server failed"),
            Err(e) => tracing::error!(error = %e, "HTTP server task failed"),
        }
        // Keyed writes outlive their connections (`idempotency`): let them finish and keep
        // their answers, and the records of publications' outcomes that writes left running
        // (`wiring::after_answer`; one cut off leaves its zone `pending`, published again),
        // within the same grace as requests.
        let (keyed, after_answer) = (&self.state.keyed_tasks, &self.after_answer);
        let drained = async {
            keyed.idle().await;
            after_answer.idle().await;
        };
        if tokio::time::timeout(SHUTDOWN_GRACE, drained).await.is_err() {
            tracing::warn!(
                keyed_writes = keyed.running(),
                outcomes = after_answer.running(),
                "keyed writes or publication outcomes still running at shutdown; claims expire on their own, zones are published again"
            );
        }
        // No request runs any more: the last uses are written, none lost on a clean stop.
        let (stop, flusher) = self.key_use;
        let _ = stop.send(());
        if let Err(e) = flusher.await {
            tracing::error!(error = %e, "API key use flusher failed");
        }
        // Nor any write: the secondaries hear of every change made.
        if let Some(notifies) = self.notifies.take() {
            notifies.stop(NOTIFY_GRACE).await;
        }
        if let Some(dns) = self.dns.take()
            && let Err(e) = dns.shutdown().await
        {
            tracing::warn!(error = %e, "embedded DNS server did not stop cleanly");
        }
    }
}

/// Starts everything and returns once the HTTP listener is bound.
pub async fn start(config: Config) -> Result<RunningServer, StartError> {
    let bind = config.bind_address;
    let metrics = Arc::new(Metrics::new());
    let ServerService {
        service,
        dns,
        notifies,
        after_answer,
    } = crate::wiring::server_service(&config, &metrics).await?;
    let state = AppState::new(service, Arc::new(config), metrics)?;
    let notifies = notifies.map(NotifyTask::start);
    if dns.is_some() {
        // The embedded backend keeps zones in memory: publish the store's active zones again.
        match state.service.republish_all().await {
            Ok((ok, failed)) => tracing::info!(published = ok, failed, "embedded backend loaded"),
            Err(e) => tracing::error!(error = %e, "could not load zones into the embedded backend"),
        }
    }
    crate::startup_check::spawn_powerdns(&state.service, &state.config);
    // Deployments with dedicated workers turn the in-process copy off (RUN_JOBS=false).
    let jobs = state
        .config
        .run_jobs
        .then(|| tokio::spawn(run_jobs_in_process(state.clone())));
    let (stop_key_use, key_use_stopped) = oneshot::channel::<()>();
    let key_use = (
        stop_key_use,
        tokio::spawn(flush_key_use(state.clone(), key_use_stopped)),
    );
    let acceptor = TcpListener::bind(bind)
        .into_acceptor()
        .await
        .map_err(|source| StartError::Bind { addr: bind, source })?;
    let local_addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .unwrap_or(bind);
    let backend = match state.config.backend {
        BackendConfig::PowerDns { .. } => "powerdns",
        BackendConfig::Embedded { .. } => "embedded",
    };
    tracing::info!(address = %local_addr, backend, "ScaiDNS API listening");
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
        jobs,
        key_use,
        notifies,
        after_answer,
    })
}

/// Writes the key use recorded in memory every [`KEY_USE_FLUSH_EVERY`], and once more when
/// told to stop (never cancelled mid-write, so no use taken from memory is dropped).
async fn flush_key_use(state: AppState, mut stop: oneshot::Receiver<()>) {
    let mut tick = tokio::time::interval(KEY_USE_FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let stopping = tokio::select! {
            _ = tick.tick() => false,
            _ = &mut stop => true,
        };
        if let Err(e) = state.service.flush_key_use().await {
            tracing::warn!(error = %e, "API key use not recorded yet");
        }
        if stopping {
            return;
        }
    }
}

/// The in-process worker: the retry queue republishes every zone that is not in sync, so a
/// change accepted while the backend was down reaches it without a separate worker process;
/// the other jobs (validation, rollovers, purge) run here too.
async fn run_jobs_in_process(state: AppState) {
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
