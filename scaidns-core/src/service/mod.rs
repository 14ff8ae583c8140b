//! The ScaiDNS service: every operation the API offers, as pure logic over the ports.
//!
//! Each method takes the [`OpContext`] and authorizes on its first line; the tenant is always
//! explicit. The server is a thin shell that builds the context and maps errors.

mod abandoned_zones;
pub mod access_grants;
mod api_keys;
pub mod audit_log;
mod auth_cache;
mod auth_session;
mod authn;
pub mod authz;
pub mod auto_ptr;
mod change_notices;
pub mod classless_delegations;
mod context;
mod delegation_probe;
pub mod dnssec;
pub mod groups;
pub mod health;
pub mod idempotency;
pub mod identity_sync;
pub mod import;
pub mod inventory;
mod key_use;
mod me;
pub mod nameservers;
mod ownership_probe;
pub mod permissions;
pub mod plans;
pub mod platform_config;
mod publish;
pub mod queries;
pub mod reconcile;
pub mod record_bulk;
mod record_cache;
mod record_conflicts;
pub mod record_listing;
pub mod record_search;
pub mod records;
pub mod retention;
pub mod reverse_zones;
pub mod role_assignments;
pub mod roles;
pub mod rrset_changes;
mod secondary_records;
pub mod templates;
pub mod tenant_admin;
mod tenants;
mod text_input;
mod throttling;
mod token_auth;
mod users;
pub mod validation;
pub mod webhook_delivery;
pub mod webhook_retention;
pub mod webhook_subscriptions;
pub mod worker;
mod zone_cache;
mod zone_change;
pub mod zone_export;
pub mod zone_history;
mod zone_queue;
pub mod zones;

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::Duration;

pub use api_keys::{ApiKeyCreate, ApiKeyListQuery, IssuedApiKey};
pub use auth_cache::AuthCacheConfig;
pub use authn::RequestMeta;
pub use context::{Actor, OpContext};
pub use record_cache::DEFAULT_CAPACITY_RECORDS as DEFAULT_RECORD_CACHE_RECORDS;
pub use zone_cache::ZoneCacheConfig;
// The ports' values the server handles, under the one path it may name.
pub use crate::ports::identity_provider::{OAuthSettings, TokenSet};
pub use crate::ports::rate_limiter::{RateDecision, RateLimitError};
pub use auth_session::TokenValidation;
pub use me::{Me, MeContext};
pub use tenant_admin::TenantUpdate;
pub use tenants::{Bootstrapped, TenantCreate};
pub use throttling::Throttle;
pub use users::{SCAIKEY_SETTINGS, UserCreate, UserQuery, UserUpdate};

use crate::identity::api_key::Pepper;
use crate::ports::{Clock, DnsBackend, Random, Resolver, Store, SystemRandom};
use crate::record::TtlPolicy;
use crate::zone::soa::SoaTimers;

/// Ownership-validation settings.
#[derive(Debug, Clone)]
pub struct ValidationConfig {
    /// Recursive resolvers used to find a zone's nameservers (`VALIDATION_RESOLVERS`).
    pub resolvers: Vec<SocketAddr>,
    /// Port on which authoritative servers are queried (`VALIDATION_NAMESERVER_PORT`).
    pub nameserver_port: u16,
    /// Lifetime of a challenge (`VALIDATION_EXPIRY_HOURS`).
    pub expiry: Duration,
    /// TTL recommended for the TXT record (`VALIDATION_CHALLENGE_TTL`).
    pub challenge_ttl: u32,
    /// Whether checks may query loopback, private, link-local, CGNAT, unique-local and
    /// documentation addresses (`VALIDATION_ALLOW_PRIVATE_TARGETS`).
    pub allow_private_targets: bool,
    /// Whether a zone may be proven by its parent's delegation to the platform nameservers
    /// (`VALIDATION_BY_DELEGATION`). Off by default: the platform nameservers are shared, so a
    /// name already delegated to them (a former customer's leftover, an owner who delegated
    /// before creating the zone) would go to whichever tenant checks first.
    pub allow_delegation: bool,
    /// Time one check may take, all its lookups together.
    pub check_budget: std::time::Duration,
    /// Checks the worker runs at the same time.
    pub check_concurrency: usize,
}

impl Default for ValidationConfig {
    fn default() -> Self {
        Self {
            resolvers: Vec::new(),
            nameserver_port: 53,
            expiry: Duration::hours(72),
            challenge_ttl: 3600,
            allow_private_targets: false,
            allow_delegation: false,
            check_budget: crate::ownership::targets::CHECK_BUDGET,
            check_concurrency: 8,
        }
    }
}

/// Platform policy the service applies.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// Nameservers used until an operator sets them through the API (`PLATFORM_NAMESERVERS`).
    pub default_nameservers: Vec<String>,
    /// TTL bounds.
    pub ttl_policy: TtlPolicy,
    /// Default TTL of new zones.
    pub default_zone_ttl: u32,
    /// SOA timers of new zones.
    pub soa_timers: SoaTimers,
    /// Validation settings.
    pub validation: ValidationConfig,
    /// Secret mixed into API-key hashes (`API_KEY_PEPPER`).
    pub api_key_pepper: Pepper,
    /// DNSSEC algorithm and rollover policy.
    pub dnssec: dnssec::DnssecConfig,
    /// Requests-per-minute bounds of API keys.
    pub api_key_rate_limit: ApiKeyRateLimit,
    /// Most records one bulk change or import may carry (`BULK_MAX_ITEMS`).
    pub bulk_max_items: usize,
    /// How long the answer of a keyed write is replayed (`IDEMPOTENCY_TTL_SECONDS`).
    pub idempotency_ttl: chrono::Duration,
    /// Requests per minute of a user signed in with a token (`RATE_LIMIT_USER_PER_MINUTE`).
    pub user_rate_limit_per_minute: u32,
    /// The configuration keys ([`platform_config::CATALOGUE`]) whose starting value the
    /// environment set, so `GET /admin/config` can name the source.
    pub env_keys: Vec<&'static str>,
    /// How long a replica uses its snapshot of the platform configuration before reading the
    /// stored values again (`CONFIG_MAX_STALENESS`; at least 100 ms).
    pub config_max_staleness: std::time::Duration,
    /// Whether secondary zones may name loopback, private and reserved primaries
    /// (`SECONDARY_ALLOW_PRIVATE_PRIMARIES`; for test rigs and private networks).
    pub secondary_allow_private_primaries: bool,
    /// How long and how much zone history is kept (`ZONE_HISTORY_RETENTION_DAYS`,
    /// `ZONE_HISTORY_MAX_ENTRIES`).
    pub zone_history: zone_history::HistoryRetention,
    /// Whether webhook subscriptions may use `http` and reach loopback, private and other
    /// non-public addresses (`WEBHOOK_ALLOW_INSECURE_TARGETS`; for test rigs).
    pub webhook_allow_insecure_targets: bool,
    /// How long settled webhook events and their deliveries are kept
    /// (`WEBHOOK_RETENTION_DAYS`; pruned by the worker's `prune_webhook_deliveries`).
    pub webhook_retention: chrono::Duration,
}

/// Requests-per-minute bounds of API keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiKeyRateLimit {
    /// For keys without their own `rate_limit` (`RATE_LIMIT_API_KEY_PER_MINUTE`); a key's own
    /// limit above it needs `api_keys:update` in the key's tenant.
    pub default_per_minute: u32,
    /// No key's `rate_limit` may exceed it (`RATE_LIMIT_API_KEY_MAX`).
    pub max_per_minute: u32,
}

impl Default for ApiKeyRateLimit {
    fn default() -> Self {
        Self {
            default_per_minute: 100,
            max_per_minute: 1000,
        }
    }
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            default_nameservers: vec![
                "ns1.scaidns.test.".to_owned(),
                "ns2.scaidns.test.".to_owned(),
            ],
            ttl_policy: TtlPolicy::default(),
            default_zone_ttl: 3600,
            soa_timers: SoaTimers::default(),
            validation: ValidationConfig::default(),
            // Only for tests and embedding; the server always sets the configured pepper.
            api_key_pepper: Pepper::new("scaidns-insecure-default-pepper"),
            dnssec: dnssec::DnssecConfig::default(),
            api_key_rate_limit: ApiKeyRateLimit::default(),
            bulk_max_items: 10_000,
            idempotency_ttl: idempotency::DEFAULT_TTL,
            user_rate_limit_per_minute: 1000,
            env_keys: Vec::new(),
            config_max_staleness: std::time::Duration::from_secs(1),
            secondary_allow_private_primaries: false,
            zone_history: zone_history::HistoryRetention::default(),
            webhook_allow_insecure_targets: false,
            webhook_retention: webhook_retention::DEFAULT_RETENTION,
        }
    }
}

/// The service.
#[derive(Debug, Clone)]
pub struct ScaiDns {
    store: Arc<dyn Store>,
    backend: Arc<dyn DnsBackend>,
    dnssec_keys: Option<Arc<dyn crate::ports::dnssec_keys::DnssecKeyBackend>>,
    resolver: Arc<dyn Resolver>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
    config: ServiceConfig,
    identity_provider: Option<Arc<dyn crate::ports::identity_provider::IdentityProvider>>,
    /// ScaiKey's user administration, when configured (`users`).
    user_admin: Option<Arc<dyn crate::ports::idp_users::IdentityUserAdmin>>,
    rate_limiter: Option<throttling::Throttle>,
    auth_cache: Arc<auth_cache::AuthCache>,
    key_uses: Arc<key_use::PendingKeyUses>,
    record_cache: Arc<record_cache::RecordCache>,
    zone_cache: Arc<zone_cache::ZoneCache>,
    /// Where this replica announces its changes to the others.
    change_feed: Option<Arc<dyn crate::ports::ChangeFeed>>,
    /// This process's writers of a zone take turns (`zone_change`).
    zone_queue: Arc<zone_queue::ZoneQueue>,
    /// Where measurements go (the server's metrics); none by default.
    observer: Option<Arc<dyn crate::ports::Observer>>,
    /// Users whose first request as platform admin through a token claim is audited already
    /// (`token_auth`), so later requests skip the store.
    admin_claims_audited: Arc<std::sync::Mutex<std::collections::HashSet<crate::ids::UserId>>>,
    /// The configuration in effect (`platform_config`).
    live_settings: Arc<platform_config::LiveSettings>,
    /// Sends outbound webhooks (`webhook_delivery`); without it deliveries wait.
    webhook_sender: Option<Arc<dyn crate::ports::webhook_sender::WebhookSender>>,
    /// Takes the NOTIFYs that follow publications; without it writers send them.
    notify_queue: Option<Arc<dyn crate::ports::NotifyQueue>>,
    /// Records publications' outcomes after the answer; without it writers record them first.
    after_answer: Option<Arc<dyn crate::ports::AfterAnswer>>,
}

impl ScaiDns {
    /// Assembles the service from its ports.
    pub fn new(
        store: Arc<dyn Store>,
        backend: Arc<dyn DnsBackend>,
        resolver: Arc<dyn Resolver>,
        clock: Arc<dyn Clock>,
        config: ServiceConfig,
    ) -> Self {
        Self {
            live_settings: Arc::new(platform_config::LiveSettings::new(&config)),
            store,
            backend,
            dnssec_keys: None,
            resolver,
            clock,
            random: Arc::new(SystemRandom),
            config,
            identity_provider: None,
            user_admin: None,
            rate_limiter: None,
            auth_cache: Arc::new(auth_cache::AuthCache::new(AuthCacheConfig::default())),
            key_uses: Arc::default(),
            record_cache: Arc::default(),
            zone_cache: Arc::new(zone_cache::ZoneCache::new(ZoneCacheConfig::default())),
            change_feed: None,
            zone_queue: Arc::default(),
            observer: None,
            admin_claims_audited: Arc::default(),
            webhook_sender: None,
            notify_queue: None,
            after_answer: None,
        }
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The DNS backend.
    pub fn backend(&self) -> &Arc<dyn DnsBackend> {
        &self.backend
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The current time of the service's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Replaces the source of randomness (the system's by default). API-key secrets and
    /// validation tokens are drawn from it, so an embedder must pass a cryptographically secure
    /// generator.
    #[must_use]
    pub fn with_random(mut self, random: Arc<dyn Random>) -> Self {
        self.random = random;
        self
    }

    /// Reports measurements (database operations, validation checks, worker jobs) to
    /// `observer`.
    #[must_use]
    pub fn with_observer(mut self, observer: Arc<dyn crate::ports::Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Hands the NOTIFY that follows each publication to `queue` instead of sending it before
    /// the write answers (see [`crate::ports::NotifyQueue`]).
    #[must_use]
    pub fn with_notify_queue(mut self, queue: Arc<dyn crate::ports::NotifyQueue>) -> Self {
        self.notify_queue = Some(queue);
        self
    }

    /// Lets a write answer once the backend has taken its change, and record the outcome of
    /// that publication through `tasks` afterwards (see `zone_change` and
    /// [`crate::ports::AfterAnswer`]).
    #[must_use]
    pub fn with_after_answer(mut self, tasks: Arc<dyn crate::ports::AfterAnswer>) -> Self {
        self.after_answer = Some(tasks);
        self
    }

    /// Tells `zone`'s secondaries that it changed, once a publication has reached the backend:
    /// through the NOTIFY queue when there is one, else at once (a failure is only logged).
    pub(crate) async fn notify_secondaries(&self, zone: &crate::name::ZoneName) {
        if let Some(queue) = &self.notify_queue {
            queue.queue(zone);
        } else if let Err(e) = self.backend.notify(zone).await {
            tracing::warn!(zone = %zone, error = %e, "NOTIFY failed");
        }
    }

    /// The observer, when one is set.
    pub(crate) fn observer(&self) -> Option<&Arc<dyn crate::ports::Observer>> {
        self.observer.as_ref()
    }

    /// The source of randomness.
    pub fn random(&self) -> &Arc<dyn Random> {
        &self.random
    }

    /// The configuration.
    pub fn config(&self) -> &ServiceConfig {
        &self.config
    }
}

impl ScaiDns {
    /// The resolver used for validation and DS checks.
    pub fn resolver(&self) -> &Arc<dyn Resolver> {
        &self.resolver
    }
}
