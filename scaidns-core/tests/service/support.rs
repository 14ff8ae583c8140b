//! The contract suites' services on loopback (fresh databases, PowerDNS instances), shared
//! rather than copied: the scenarios need the same ones.

// The scenarios run on SQLite only; the MariaDB half of the database support goes unused here.
#[allow(dead_code)]
#[path = "../contract/support/db.rs"]
pub mod db;
// PowerDNS start-up waits on a DNS query.
#[path = "../contract/support/dns.rs"]
pub mod dns;
#[path = "../contract/support/pdns.rs"]
pub mod pdns;

/// A Redis change feed on a channel of its own (`purpose` names it), so concurrent runs do not
/// hear each other.
pub fn redis_feed(purpose: &str) -> scaidns_core::adapters::redis_change_feed::RedisChangeFeed {
    redis_feeds(purpose).0
}

/// Two replicas' Redis change feeds on one channel of its own: a feed does not hand its
/// listener the zone notices it announced itself, so each replica needs its own.
pub fn redis_feeds(
    purpose: &str,
) -> (
    scaidns_core::adapters::redis_change_feed::RedisChangeFeed,
    scaidns_core::adapters::redis_change_feed::RedisChangeFeed,
) {
    use scaidns_core::adapters::redis_change_feed::RedisChangeFeed;
    let url = std::env::var("SCAIDNS_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let channel = format!("scaidns-test:{purpose}:{}", uuid::Uuid::new_v4());
    let feed = || RedisChangeFeed::new(&url, &channel).expect("Redis URL");
    (feed(), feed())
}

/// Runs before each record change reaches a [`HookedBackend`]: how a scenario fails or holds
/// one publication.
#[async_trait::async_trait]
pub trait BeforeApply: Send + Sync + std::fmt::Debug {
    async fn before_apply(&self) -> Result<(), scaidns_core::ports::backend::BackendError>;
}

/// The embedded backend with a [`BeforeApply`] hook on record changes; everything else goes
/// straight to it.
#[derive(Debug, Default)]
pub struct HookedBackend<H> {
    pub inner: scaidns_core::adapters::embedded::EmbeddedBackend,
    pub hook: H,
}

#[async_trait::async_trait]
impl<H: BeforeApply> scaidns_core::ports::backend::DnsBackend for HookedBackend<H> {
    fn name(&self) -> &'static str {
        "hooked"
    }
    async fn health(&self) -> Result<(), scaidns_core::ports::backend::BackendError> {
        self.inner.health().await
    }
    async fn create_zone(
        &self,
        spec: &scaidns_core::ports::backend::ZoneSpec,
    ) -> Result<(), scaidns_core::ports::backend::BackendError> {
        self.inner.create_zone(spec).await
    }
    async fn delete_zone(
        &self,
        zone: &scaidns_core::name::ZoneName,
    ) -> Result<(), scaidns_core::ports::backend::BackendError> {
        self.inner.delete_zone(zone).await
    }
    async fn get_zone(
        &self,
        zone: &scaidns_core::name::ZoneName,
    ) -> Result<Option<Vec<scaidns_core::zone::RrSet>>, scaidns_core::ports::backend::BackendError>
    {
        self.inner.get_zone(zone).await
    }
    async fn list_zones(
        &self,
    ) -> Result<Vec<scaidns_core::name::ZoneName>, scaidns_core::ports::backend::BackendError> {
        self.inner.list_zones().await
    }
    async fn apply(
        &self,
        zone: &scaidns_core::name::ZoneName,
        changes: &[scaidns_core::zone::RrSetChange],
    ) -> Result<(), scaidns_core::ports::backend::BackendError> {
        self.hook.before_apply().await?;
        self.inner.apply(zone, changes).await
    }
}

/// A service on `db` with the embedded backend, on a controllable clock set to 1 March 2026.
pub fn embedded_service(
    db: &db::TestDb,
) -> (
    scaidns_core::service::ScaiDns,
    std::sync::Arc<scaidns_core::ports::ManualClock>,
) {
    use std::sync::Arc;

    use chrono::TimeZone;

    let clock = Arc::new(scaidns_core::ports::ManualClock::new(
        chrono::Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
    ));
    let svc = scaidns_core::service::ScaiDns::new(
        Arc::new(db.store.clone()),
        Arc::new(scaidns_core::adapters::embedded::EmbeddedBackend::new()),
        Arc::new(scaidns_core::adapters::resolver::HickoryResolver::new()),
        Arc::clone(&clock) as Arc<dyn scaidns_core::ports::Clock>,
        scaidns_core::service::ServiceConfig::default(),
    );
    (svc, clock)
}

/// Counts the store's operations by name (the store's operation observer).
#[derive(Debug, Default)]
pub struct Operations(std::sync::Mutex<std::collections::HashMap<&'static str, usize>>);

impl scaidns_core::ports::Observer for Operations {
    fn db_query(&self, operation: &'static str, _ok: bool, _elapsed: std::time::Duration) {
        *self.0.lock().unwrap().entry(operation).or_default() += 1;
    }
}

impl Operations {
    pub fn count(&self, operation: &str) -> usize {
        self.0.lock().unwrap().get(operation).copied().unwrap_or(0)
    }

    pub fn reset(&self) {
        self.0.lock().unwrap().clear();
    }
}

/// Counts the record changes sent to a [`HookedBackend`].
#[derive(Debug, Default)]
pub struct Applies(pub std::sync::atomic::AtomicUsize);

impl Applies {
    pub fn count(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[async_trait::async_trait]
impl BeforeApply for Applies {
    async fn before_apply(&self) -> Result<(), scaidns_core::ports::backend::BackendError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}
