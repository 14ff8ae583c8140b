//! The snapshot of the configuration in effect ([`ScaiDns::settings`]) and when it is read
//! again.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::service::{ScaiDns, ServiceConfig};

use super::catalogue::first_broken;
use super::config_key;

/// The configuration in effect, shared by the clones of a service.
#[derive(Debug)]
pub(crate) struct LiveSettings {
    /// Bumped by every invalidation: a read that started before one stores nothing.
    epoch: AtomicU64,
    state: Mutex<Snapshot>,
}

#[derive(Debug)]
struct Snapshot {
    config: Arc<ServiceConfig>,
    /// When the stored values were read; `None` until the first read or after an invalidation.
    read_at: Option<Instant>,
}

impl LiveSettings {
    pub(crate) fn new(config: &ServiceConfig) -> Self {
        Self {
            epoch: AtomicU64::new(0),
            state: Mutex::new(Snapshot {
                config: Arc::new(config.clone()),
                read_at: None,
            }),
        }
    }

    fn current(&self) -> Arc<ServiceConfig> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(&state.config)
    }

    fn fresh(&self, max_staleness: Duration) -> bool {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.read_at.is_some_and(|at| at.elapsed() < max_staleness)
    }

    /// Forgets the read time, so the next refresh reads the stored values again.
    pub(crate) fn invalidate(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        self.epoch.fetch_add(1, Ordering::SeqCst);
        state.read_at = None;
    }

    fn store(&self, epoch: u64, config: ServiceConfig, read_at: Instant) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        // Checked under the lock `invalidate` takes, so no read older than a change survives it.
        if epoch == self.epoch.load(Ordering::SeqCst) {
            *state = Snapshot {
                config: Arc::new(config),
                read_at: Some(read_at),
            };
        }
    }
}

impl ScaiDns {
    /// The configuration in effect: the start-up configuration with the values set through
    /// `PATCH /admin/config/{key}` applied, as of the last [`Self::refresh_settings`].
    pub fn settings(&self) -> Arc<ServiceConfig> {
        self.live_settings.current()
    }

    /// Reads the stored configuration values again when the snapshot is older than the auth
    /// cache's staleness bound or a change was announced. A failed read keeps the snapshot
    /// (logged): the values in effect stay the last ones known.
    pub async fn refresh_settings(&self) {
        let live = &self.live_settings;
        if live.fresh(self.auth_cache().max_staleness()) {
            return;
        }
        let epoch = live.epoch.load(Ordering::SeqCst);
        let read_at = Instant::now();
        match self.settings_from_store().await {
            Ok(config) => live.store(epoch, config, read_at),
            Err(e) => tracing::warn!(error = %e, "configuration not re-read; keeping the last"),
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

    /// A value was set here: read again with the next request, and tell the other replicas.
    pub(crate) fn settings_changed(&self) {
        self.live_settings.invalidate();
        if let Some(feed) = &self.change_feed {
            feed.announce_config_change();
        }
    }
}
