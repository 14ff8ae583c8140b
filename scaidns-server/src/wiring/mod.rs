//! The one place that builds the service from configuration: which store, which DNS backend,
//! resolver, clock, identity provider and rate limiter. `serve`, `worker` and every operator
//! command of the CLI come here, each asking only for what it needs ([`Needs`]), so adding a
//! port or an adapter touches this module and nothing else.
//!
//! It is the only server module that names `scaidns_core::adapters`: the configuration reads
//! plain values, which this module turns into the adapters' configuration types.

mod after_answer;
mod identity;
mod metered_backend;
mod notify_queue;
mod observer;

use std::net::SocketAddr;
use std::sync::Arc;

use scaidns_core::adapters::embedded::{AliasResolver, EmbeddedBackend, EmbeddedServerHandle};
use scaidns_core::adapters::pdns::{PdnsConfig, PdnsZoneKind, PowerDnsBackend};
use scaidns_core::adapters::rate_counters::{
    FallbackRateLimiter, InProcessRateLimiter, RedisRateLimiter,
};
use scaidns_core::adapters::redis_change_feed::RedisChangeFeed;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::adapters::webhook_http::HttpWebhookSender;
use scaidns_core::identity::api_key::Pepper;
use scaidns_core::ports::backend::NoBackend;
use scaidns_core::ports::rate_limiter::RateLimiter;
use scaidns_core::ports::{DnsBackend, DnssecKeyBackend, Observer, Store, SystemClock};
use scaidns_core::record::TtlPolicy;
use scaidns_core::service::retention;
use scaidns_core::service::zone_history::HistoryRetention;
use scaidns_core::service::{
    ApiKeyRateLimit, AuthCacheConfig, ScaiDns, ServiceConfig, ValidationConfig, ZoneCacheConfig,
};

use crate::config::{BackendConfig, Config, ZoneKind};
use crate::metrics::Metrics;

pub use after_answer::AfterAnswerTasks;
pub use identity::{
    RegisteredCredentials, RegistrationRequest, RegistrationStatus, RegistrationTicket,
    ScaiKeyRegistration, identity_sync,
};
pub use notify_queue::{NotifyTask, QueuedNotifies, RunningNotifyTask};

/// Why the service could not be built, or the server could not start.
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
    /// A command that publishes was started with the embedded backend, whose zones live in the
    /// memory of `scaidns serve`.
    #[error(
        "this command needs the PowerDNS backend (set PDNS_API_URL); with the embedded backend `scaidns serve` runs the worker itself"
    )]
    EmbeddedCannotPublish,
    /// The HTTP listener could not bind.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The error.
        source: std::io::Error,
    },
}

/// What a command needs besides the store, the resolver and the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Only the store: `bootstrap`, `assign-admin`, `sync`. No DNS backend is contacted.
    Store,
    /// The store and the configured DNS backend: `worker`, `reconcile`.
    Publishing,
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
            allow_delegation: config.validation_by_delegation,
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
        bulk_max_items: config.bulk_max_items,
        idempotency_ttl: chrono::Duration::seconds(i64::from(config.idempotency_ttl_seconds)),
        user_rate_limit_per_minute: config.rate_limit_user_per_minute,
        secondary_allow_private_primaries: config.secondary_allow_private_primaries,
        webhook_allow_insecure_targets: config.webhook_allow_insecure_targets,
        env_keys: config.config_env_keys.clone(),
        config_max_staleness: config.config_max_staleness,
        zone_history: HistoryRetention {
            max_age: retention::days(config.zone_history_retention_days),
            max_entries: config.zone_history_max_entries,
        },
        webhook_retention: retention::days(config.webhook_retention_days),
        ..ServiceConfig::default()
    };
    if !config.platform_nameservers.is_empty() {
        service.default_nameservers = config.platform_nameservers.clone();
    }
    service.dnssec = crate::worker::dnssec_config(config);
    service
}

/// Connects (and, unless `AUTO_MIGRATE` is off, migrates) the store; its operations are
/// reported to `observer` when there is one.
async fn connect_store(
    config: &Config,
    observer: Option<Arc<dyn Observer>>,
) -> Result<Arc<dyn Store>, StartError> {
    let mut store =
        SqlStore::connect_with_pool_size(config.database_url.expose(), config.database_pool_size)
            .await
            .map_err(StartError::Store)?;
    if let Some(observer) = observer {
        store = store.with_observer(observer);
    }
    if config.auto_migrate {
        store.migrate().await.map_err(StartError::Store)?;
    }
    Ok(Arc::new(store))
}

/// Brings the database schema up to date (`scaidns migrate`); how many migrations it applied.
pub async fn migrate(config: &Config) -> Result<u64, StartError> {
    let store =
        SqlStore::connect_with_pool_size(config.database_url.expose(), config.database_pool_size)
            .await
            .map_err(StartError::Store)?;
    store.migrate().await.map_err(StartError::Store)
}

/// The embedded backend's DNS listener, running while the server runs.
pub struct DnsListener(EmbeddedServerHandle);

impl DnsListener {
    /// Where it answers.
    pub fn local_addr(&self) -> SocketAddr {
        self.0.local_addr()
    }

    /// Stops it.
    pub async fn shutdown(self) -> Result<(), scaidns_core::ports::BackendError> {
        self.0.shutdown().await
    }
}

/// The DNS backend, its DNSSEC key port when it signs (PowerDNS), and the embedded server's
/// running DNS listener when it is the embedded one.
struct ConnectedBackend {
    dns: Arc<dyn DnsBackend>,
    dnssec_keys: Option<Arc<dyn DnssecKeyBackend>>,
    listener: Option<DnsListener>,
}

async fn connect_backend(config: &Config) -> Result<ConnectedBackend, StartError> {
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
            // One `Arc` behind both ports, so zone and key writes share its per-zone lock.
            let backend = Arc::new(PowerDnsBackend::new(pdns)?);
            Ok(ConnectedBackend {
                dns: Arc::clone(&backend) as Arc<dyn DnsBackend>,
                dnssec_keys: Some(backend),
                listener: None,
            })
        }
        BackendConfig::Embedded {
            address,
            alias_resolvers,
        } => {
            let mut backend = EmbeddedBackend::new();
            if !alias_resolvers.is_empty() {
                backend = backend.with_alias_resolver(AliasResolver {
                    resolver: Arc::new(HickoryResolver::new()),
                    servers: alias_resolvers.clone(),
                });
                spawn_alias_refresh(backend.clone());
            }
            let handle = backend.serve(*address).await?;
            tracing::info!(address = %handle.local_addr(), "embedded DNS server listening");
            Ok(ConnectedBackend {
                dns: Arc::new(backend),
                dnssec_keys: None,
                listener: Some(DnsListener(handle)),
            })
        }
    }
}

/// How often the embedded backend looks ALIAS targets up again.
const ALIAS_REFRESH: std::time::Duration = std::time::Duration::from_secs(60);

/// Keeps the embedded backend's ALIAS answers following their targets (PowerDNS resolves at
/// query time; the embedded backend at publish time and on this tick).
fn spawn_alias_refresh(backend: EmbeddedBackend) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(ALIAS_REFRESH);
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = backend.refresh_aliases().await {
                tracing::warn!(error = %e, "ALIAS refresh failed");
            }
        }
    });
}

/// Counts in Redis when `REDIS_URL` is set (falling back to in-process counting while Redis is
/// unreachable), in-process otherwise. The flag says whether the counts are shared.
fn rate_limiter(config: &Config) -> Result<(Arc<dyn RateLimiter>, bool), StartError> {
    match &config.redis_url {
        Some(url) => {
            let redis = RedisRateLimiter::with_max_connections(
                url.expose(),
                "scaidns:ratelimit",
                config.redis_max_connections,
            )
            .map_err(|e| StartError::Config(format!("REDIS_URL: {e}")))?;
            Ok((Arc::new(FallbackRateLimiter::new(redis)), true))
        }
        None => Ok((Arc::new(InProcessRateLimiter::new()), false)),
    }
}

fn assemble(
    config: &Config,
    store: Arc<dyn Store>,
    backend: Arc<dyn DnsBackend>,
    dnssec_keys: Option<Arc<dyn DnssecKeyBackend>>,
) -> ScaiDns {
    let service = ScaiDns::new(
        store,
        backend,
        Arc::new(HickoryResolver::new()),
        Arc::new(SystemClock),
        service_config(config),
    )
    // Here rather than in `server_service`: the worker and the operator commands change records
    // through the same cache, so the bound (and `0`, no cache) holds for every process.
    .with_record_cache(config.record_cache_max_records);
    let service = match dnssec_keys {
        Some(keys) => service.with_dnssec_keys(keys),
        None => service,
    };
    // Without the system's trust roots no HTTPS delivery could succeed: deliveries then wait
    // (and the failure is logged) rather than stopping start-up.
    match HttpWebhookSender::new(config.webhook_timeout) {
        Ok(sender) => service.with_webhook_sender(Arc::new(sender)),
        Err(e) => {
            tracing::error!(error = %e, "cannot load the system's trust roots: webhooks are not delivered");
            service
        }
    }
}

/// The service of an operator command: the store, and the DNS backend when `needs` says so.
pub async fn service(config: &Config, needs: Needs) -> Result<ScaiDns, StartError> {
    if needs == Needs::Publishing && matches!(config.backend, BackendConfig::Embedded { .. }) {
        return Err(StartError::EmbeddedCannotPublish);
    }
    if needs == Needs::Publishing {
        warn_on_risky_settings(config);
    }
    let store = connect_store(config, None).await?;
    let (backend, dnssec_keys): (Arc<dyn DnsBackend>, _) = match needs {
        // Commands that never publish contact no PowerDNS; a publication attempt would fail.
        Needs::Store => (Arc::new(NoBackend), None),
        Needs::Publishing => {
            let connected = connect_backend(config).await?;
            (connected.dns, connected.dnssec_keys)
        }
    };
    let service = assemble(config, store, backend, dnssec_keys);
    // Operator commands (sync, assign-admin) and the worker change who may do what and zones
    // (validation, purge, DNSSEC) too: the serving replicas hear of it at once rather than
    // after their staleness bounds.
    Ok(match change_feed(config)? {
        Some(feed) => service.with_change_feed(Arc::new(feed)),
        None => service,
    })
}

/// Logged once by `serve` and by the commands that publish (`worker`, `reconcile`): settings
/// an operator may choose knowingly but must not leave on by accident.
fn warn_on_risky_settings(config: &Config) {
    if config.validation_by_delegation {
        tracing::warn!(
            "VALIDATION_BY_DELEGATION=true: ownership may be proven by a delegation to the shared platform nameservers, so any tenant can validate (take over) a name whose parent still delegates to them, e.g. a former customer's leftover delegation; turn it on only where tenants are trusted (docs/configuration.md)"
        );
    }
}

/// The Redis change feed when `REDIS_URL` is set.
fn change_feed(config: &Config) -> Result<Option<RedisChangeFeed>, StartError> {
    config
        .redis_url
        .as_ref()
        .map(|url| {
            // The channel keeps its first name: it carries zone notices too now, and a replica
            // of an older release takes any notice for an auth change, which is harmless.
            RedisChangeFeed::new(url.expose(), "scaidns:auth-changes")
                .map_err(|e| StartError::Config(format!("REDIS_URL: {e}")))
        })
        .transpose()
}

/// The service of `scaidns serve`: every port, the backend metered into `metrics`, the identity
/// provider and the rate limiter. Also the embedded backend's DNS listener, if that is the
/// backend, and with `PDNS_ZONE_KIND=master` the task that sends the NOTIFYs its writes queue
/// (`notify_queue`), for the caller to start.
pub async fn server_service(
    config: &Config,
    metrics: &Arc<Metrics>,
) -> Result<ServerService, StartError> {
    warn_on_risky_settings(config);
    let observer: Arc<dyn Observer> = Arc::clone(metrics) as Arc<dyn Observer>;
    let store = connect_store(config, Some(Arc::clone(&observer))).await?;
    let connected = connect_backend(config).await?;
    let dnssec_keys = connected.dnssec_keys.map(|keys| {
        Arc::new(metered_backend::MeteredDnssecKeys::new(
            keys,
            connected.dns.name(),
            Arc::clone(metrics),
        )) as Arc<dyn DnssecKeyBackend>
    });
    let backend: Arc<dyn DnsBackend> = Arc::new(metered_backend::MeteredBackend::new(
        connected.dns,
        Arc::clone(metrics),
    ));
    let (limiter, shared) = rate_limiter(config)?;
    let mut service = assemble(config, store, backend, dnssec_keys)
        .with_rate_limiter(limiter, shared)
        .with_auth_cache(AuthCacheConfig {
            max_staleness: config.auth_cache_max_staleness,
            ..AuthCacheConfig::default()
        })
        .with_zone_cache(ZoneCacheConfig {
            max_staleness: config.zone_cache_max_staleness,
            ..ZoneCacheConfig::default()
        })
        .with_observer(observer);
    let after_answer = AfterAnswerTasks::default();
    service = service.with_after_answer(Arc::new(after_answer.clone()));
    // Only a Master zone's NOTIFY reaches PowerDNS (a Native zone's is skipped in the adapter).
    let mut notifies = None;
    if let BackendConfig::PowerDns {
        zone_kind: ZoneKind::Master,
        ..
    } = &config.backend
    {
        let (queue, task) =
            NotifyTask::new(Arc::clone(service.backend()), metrics.notifies_queued());
        service = service.with_notify_queue(queue);
        notifies = Some(task);
    }
    if let Some(feed) = change_feed(config)? {
        // Runs as long as the service does; the listener stops once the service is dropped.
        drop(feed.listen(service.change_listener()));
        service = service.with_change_feed(Arc::new(feed));
    }
    if let Some(provider) = identity::identity_provider(config)? {
        if let Some(admin) = identity::user_admin(config, &provider) {
            service = service.with_user_admin(admin);
        }
        service = service.with_identity_provider(provider);
    }
    Ok(ServerService {
        service,
        dns: connected.listener,
        notifies,
        after_answer,
    })
}

/// What [`server_service`] builds.
pub struct ServerService {
    /// The service.
    pub service: ScaiDns,
    /// The embedded backend's DNS listener, if that is the backend.
    pub dns: Option<DnsListener>,
    /// The task that sends the NOTIFYs the service's writes queue, with `PDNS_ZONE_KIND=master`.
    pub notifies: Option<NotifyTask>,
    /// The tasks that record publications' outcomes after the writes answered.
    pub after_answer: AfterAnswerTasks,
}
