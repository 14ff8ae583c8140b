//! The snapshot of the configuration in effect ([`ScaiDns::settings`]) and when it is read
//! again.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::service::{ScaiDns, ServiceConfig};

use super::catalogue::first_broken;
use super::config_key;

/// Wait after a failed read before the next try (the last snapshot stays in effect).
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(1);
/// Shortest bound honoured: `0` must not mean a database read per request.
const MIN_STALENESS: Duration = Duration::from_millis(100);
/// `read_at` when the values must be read before they are used again.
const STALE: u64 = 0;

/// The configuration in effect, shared by the clones of a service. Requests read it without
/// waiting on a refresh: one task re-reads the stored values at a time, the others use the
/// snapshot they find.
#[derive(Debug)]
pub(crate) struct LiveSettings {
    /// Bumped by every invalidation: a read that started before one stores nothing.
    epoch: AtomicU64,
    /// When the snapshot is due to be read again, in milliseconds since `origin` (`STALE`:
    /// now).
    due_at: AtomicU64,
    /// Set while a task re-reads the stored values.
    refreshing: AtomicBool,
    origin: Instant,
    max_staleness: Duration,
    config: RwLock<Arc<ServiceConfig>>,
}

/// Clears `refreshing` however the refresh ends (a cancelled request included).
struct RefreshTurn<'a>(&'a AtomicBool);

impl Drop for RefreshTurn<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl LiveSettings {
    pub(crate) fn new(config: &ServiceConfig) -> Self {
        Self {
            epoch: AtomicU64::new(0),
            due_at: AtomicU64::new(STALE),
            refreshing: AtomicBool::new(false),
            origin: Instant::now(),
            max_staleness: config.config_max_staleness.max(MIN_STALENESS),
            config: RwLock::new(Arc::new(config.clone())),
        }
    }

    fn current(&self) -> Arc<ServiceConfig> {
        Arc::clone(&self.config.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn millis(&self, at: Instant) -> u64 {
        // +1 keeps every real time apart from `STALE`.
        u64::try_from(at.duration_since(self.origin).as_millis()).unwrap_or(u64::MAX - 1) + 1
    }

    fn due(&self) -> bool {
        self.due_at.load(Ordering::Acquire) <= self.millis(Instant::now())
    }

    /// The next read comes with the next request.
    pub(crate) fn invalidate(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.due_at.store(STALE, Ordering::Release);
    }

    fn store(&self, epoch: u64, config: ServiceConfig, read_at: Instant) {
        let mut slot = self.config.write().unwrap_or_else(PoisonError::into_inner);
        if epoch == self.epoch.load(Ordering::SeqCst) {
            *slot = Arc::new(config);
            self.due_in(epoch, read_at + self.max_staleness);
        }
    }

    fn failed(&self, epoch: u64) {
        self.due_in(epoch, Instant::now() + RETRY_AFTER_FAILURE);
    }

    /// Sets the next read time unless an invalidation came in: `invalidate` bumps the epoch
    /// before it marks the snapshot stale, so checking the epoch after the store catches one
    /// that raced it.
    fn due_in(&self, epoch: u64, at: Instant) {
        self.due_at.store(self.millis(at), Ordering::Release);
        if epoch != self.epoch.load(Ordering::SeqCst) {
            self.due_at.store(STALE, Ordering::Release);
        }
    }
}

impl ScaiDns {
    /// The configuration in effect: the start-up configuration with the values set through
    /// `PATCH /admin/config/{key}` applied, as of the last [`Self::refresh_settings`].
    pub fn settings(&self) -> Arc<ServiceConfig> {
        self.live_settings.current()
    }

    /// Reads the stored configuration values again when the snapshot is older than
    /// `CONFIG_MAX_STALENESS` or a change was announced. Only one task reads at a time; the
    /// others go on with the snapshot in effect. A failed read keeps the snapshot (logged) and
    /// is retried after a pause.
    pub async fn refresh_settings(&self) {
        let live = &self.live_settings;
        if !live.due() {
            return;
        }
        if live
            .refreshing
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return;
        }
        let _turn = RefreshTurn(&live.refreshing);
        self.read_settings().await;
    }

    /// Reads the stored values into the snapshot now, whoever else is reading.
    async fn read_settings(&self) {
        let live = &self.live_settings;
        let epoch = live.epoch.load(Ordering::SeqCst);
        let read_at = Instant::now();
        match self.settings_from_store().await {
            Ok(config) => live.store(epoch, config, read_at),
            Err(e) => {
                tracing::warn!(error = %e, "configuration not re-read; keeping the last");
                live.failed(epoch);
            }
        }
    }

    /// The start-up configuration with the stored values applied. Each stored value is checked
    /// again (a row written by an older version, or by hand, is not trusted): one outside its
    /// key's bounds, or taking part in a relation the stored values break together, is
    /// dropped with an error logged, and the environment's (or built-in) value stays.
    async fn settings_from_store(&self) -> Result<ServiceConfig> {
        let base = self.config();
        let mut config = base.clone();
        let mut applied = Vec::new();
        for (key, stored) in self.stored_config().await? {
            let Some(spec) = config_key(&key) else {
                continue;
            };
            if (spec.min..=spec.max).contains(&stored.value) {
                spec.apply(&mut config, stored.value);
                applied.push(spec);
            } else {
                tracing::error!(
                    key,
                    value = stored.value,
                    "stored configuration value out of bounds; using the environment's"
                );
            }
        }
        // Each round drops at least one stored value, and the start-up values keep every
        // relation (checked at start-up), so this ends.
        while let Some((keys, why)) = first_broken(&config) {
            let before = applied.len();
            applied.retain(|spec| {
                if !keys.contains(&spec.key) {
                    return true;
                }
                tracing::error!(key = spec.key, error = %why, "stored configuration value contradicts another; using the environment's");
                spec.apply(&mut config, spec.value_in(base));
                false
            });
            if applied.len() == before {
                break;
            }
        }
        Ok(config)
    }

    /// A value was set here: in effect on this replica before the change is answered (a
    /// refresh already under way started before it and stores nothing), and announced to the
    /// other replicas.
    pub(crate) async fn settings_changed(&self) {
        self.live_settings.invalidate();
        self.read_settings().await;
        if let Some(feed) = &self.change_feed {
            feed.announce_config_change();
        }
    }
}
