//! The in-process cache of authenticated callers: an API key presented again is not looked
//! up, its user, creator and tenant are not read again, and its principal is resolved once
//! (the entry shares one [`AuthzCache`] with every request it serves). A bearer token's user
//! and tenant are cached the same way by (subject, tenant claim); the token itself is verified
//! on every request, so its expiry and signature are never cached.
//!
//! Correctness before speed. Every service method that changes a key, a user, a tenant, a group
//! membership, a role, an assignment or a grant calls [`ScaiDns::auth_changed`] after its
//! commit: that bumps the cache's epoch (every older entry is dead at once on this replica) and
//! announces the change on the [`ChangeFeed`](crate::ports::ChangeFeed) (Redis pub/sub), which drops the other replicas'
//! entries. Entries also die after `max_staleness` (`AUTH_CACHE_MAX_STALENESS`), so a lost
//! notice or a replica without Redis is stale for at most that long. A request that started
//! reading before a change stores nothing: its entry carries the epoch it started in.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

use crate::identity::api_key::ApiKey;
use crate::tenant::{Tenant, User};

use super::authz::AuthzCache;
use super::{Actor, ScaiDns};

/// Bounds of the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthCacheConfig {
    /// How long an entry may serve after it was read (`AUTH_CACHE_MAX_STALENESS`); zero turns
    /// the cache off.
    pub max_staleness: std::time::Duration,
    /// Most keys held; a full cache drops its expired entries, then everything.
    pub capacity: usize,
}

impl Default for AuthCacheConfig {
    fn default() -> Self {
        Self {
            max_staleness: std::time::Duration::from_secs(1),
            capacity: 10_000,
        }
    }
}

/// What authentication found for one key, reused until the entry dies.
#[derive(Debug, Clone)]
pub(crate) struct AuthenticatedKey {
    /// The key as stored.
    pub key: ApiKey,
    /// The actor it acts as.
    pub actor: Actor,
    /// Its tenant.
    pub tenant: Tenant,
    /// Its user and resolved principal, shared by every request the entry serves.
    pub authz: AuthzCache,
}

/// What authentication found for a token's subject, reused until the entry dies.
#[derive(Debug, Clone)]
pub(crate) struct AuthenticatedUser {
    /// The user.
    pub user: User,
    /// The tenant the token acts in.
    pub tenant: Tenant,
    /// The user and its resolved principal, shared by every request the entry serves.
    pub authz: AuthzCache,
}

#[derive(Debug)]
struct Entry<T> {
    epoch: u64,
    read_at: DateTime<Utc>,
    value: Arc<T>,
}

/// Both maps under one lock, so a bump kills every entry of either at once.
#[derive(Debug, Default)]
struct Entries {
    keys: HashMap<String, Entry<AuthenticatedKey>>,
    tokens: HashMap<String, Entry<AuthenticatedUser>>,
}

/// The cache (one per service; clones of the service share it).
#[derive(Debug)]
pub(crate) struct AuthCache {
    config: AuthCacheConfig,
    epoch: AtomicU64,
    entries: Mutex<Entries>,
}

impl AuthCache {
    pub(crate) fn new(config: AuthCacheConfig) -> Self {
        Self {
            config,
            epoch: AtomicU64::new(0),
            entries: Mutex::default(),
        }
    }

    /// The epoch a lookup starts in; pass it to [`Self::insert`].
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    fn fresh<T>(&self, entry: &Entry<T>, now: DateTime<Utc>) -> bool {
        let age = now.signed_duration_since(entry.read_at);
        entry.epoch == self.epoch()
            && age >= chrono::Duration::zero()
            && age
                .to_std()
                .is_ok_and(|age| age < self.config.max_staleness)
    }

    /// The live entry of a key hash.
    pub(crate) fn key(&self, hash: &str, now: DateTime<Utc>) -> Option<Arc<AuthenticatedKey>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .keys
            .get(hash)
            .filter(|e| self.fresh(e, now))
            .map(|e| Arc::clone(&e.value))
    }

    /// The live entry of a token subject.
    pub(crate) fn user(&self, subject: &str, now: DateTime<Utc>) -> Option<Arc<AuthenticatedUser>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .tokens
            .get(subject)
            .filter(|e| self.fresh(e, now))
            .map(|e| Arc::clone(&e.value))
    }

    /// Stores what a key lookup that started in `epoch` at `read_at` found, unless something
    /// changed since.
    pub(crate) fn insert_key(
        &self,
        hash: String,
        epoch: u64,
        read_at: DateTime<Utc>,
        value: Arc<AuthenticatedKey>,
    ) {
        self.insert(epoch, read_at, |entries| &mut entries.keys, hash, value);
    }

    /// Stores what a token lookup that started in `epoch` at `read_at` found, unless something
    /// changed since.
    pub(crate) fn insert_user(
        &self,
        subject: String,
        epoch: u64,
        read_at: DateTime<Utc>,
        value: Arc<AuthenticatedUser>,
    ) {
        self.insert(
            epoch,
            read_at,
            |entries| &mut entries.tokens,
            subject,
            value,
        );
    }

    fn insert<T>(
        &self,
        epoch: u64,
        read_at: DateTime<Utc>,
        map: impl FnOnce(&mut Entries) -> &mut HashMap<String, Entry<T>>,
        id: String,
        value: Arc<T>,
    ) {
        if self.config.max_staleness.is_zero() || self.config.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        // Checked under the lock that `invalidate_local` takes too, so no entry outlives a bump.
        if epoch != self.epoch() {
            return;
        }
        let map = map(&mut entries);
        if map.len() >= self.config.capacity {
            map.retain(|_, e| self.fresh(e, read_at));
            if map.len() >= self.config.capacity {
                map.clear();
            }
        }
        map.insert(
            id,
            Entry {
                epoch,
                read_at,
                value,
            },
        );
    }

    /// Kills every entry of this replica.
    pub(crate) fn invalidate_local(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        self.epoch.fetch_add(1, Ordering::SeqCst);
        *entries = Entries::default();
    }
}

impl ScaiDns {
    /// Sets the auth cache's bounds (it starts with [`AuthCacheConfig::default`]); the cache is
    /// emptied.
    #[must_use]
    pub fn with_auth_cache(mut self, config: AuthCacheConfig) -> Self {
        self.auth_cache = Arc::new(AuthCache::new(config));
        self
    }

    /// Drops this replica's cached keys: called when another replica announced a change.
    pub fn auth_changed_elsewhere(&self) {
        self.auth_cache.invalidate_local();
    }

    /// Who may do what changed (after the commit): dead at once here, announced elsewhere.
    pub(crate) fn auth_changed(&self) {
        self.auth_cache.invalidate_local();
        if let Some(feed) = &self.change_feed {
            feed.announce_auth_change();
        }
    }

    pub(crate) fn auth_cache(&self) -> &AuthCache {
        &self.auth_cache
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::ids::{TenantId, UserId};
    use crate::tenant::{TenantStatus, UserStatus};

    fn at(ms: i64) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(1_700_000_000_000 + ms).unwrap()
    }

    fn entry() -> Arc<AuthenticatedUser> {
        let tenant = Tenant {
            id: TenantId::new(),
            name: "t".into(),
            slug: "t".into(),
            scaikey_tenant_id: None,
            status: TenantStatus::Active,
            is_platform: false,
            suspended_locally: false,
            partner_id: None,
            settings: serde_json::json!({}),
            created_at: at(0),
            updated_at: at(0),
        };
        let user = User {
            id: UserId::new(),
            tenant_id: tenant.id,
            email: "u@t.test".into(),
            first_name: None,
            last_name: None,
            scaikey_user_id: None,
            status: UserStatus::Active,
            is_platform_admin: false,
            is_tenant_admin: false,
            created_at: at(0),
            updated_at: at(0),
        };
        Arc::new(AuthenticatedUser {
            authz: AuthzCache::for_user(user.clone()),
            user,
            tenant,
        })
    }

    fn cache(capacity: usize) -> AuthCache {
        AuthCache::new(AuthCacheConfig {
            max_staleness: std::time::Duration::from_secs(1),
            capacity,
        })
    }

    #[test]
    fn entries_live_until_the_bound_or_a_change() {
        let c = cache(10);
        c.insert_user("s".into(), c.epoch(), at(0), entry());
        assert!(c.user("s", at(999)).is_some());
        assert!(c.user("s", at(1000)).is_none(), "the bound has passed");
        assert!(
            c.user("s", at(-1)).is_none(),
            "a clock going back is not trusted"
        );
        c.invalidate_local();
        assert!(c.user("s", at(1)).is_none(), "a change kills it at once");
    }

    #[test]
    fn a_lookup_that_started_before_a_change_stores_nothing() {
        let c = cache(10);
        let started = c.epoch();
        c.invalidate_local();
        c.insert_user("s".into(), started, at(0), entry());
        assert!(c.user("s", at(0)).is_none());
    }

    #[test]
    fn a_full_cache_stays_within_its_capacity() {
        let c = cache(2);
        for i in 0..5 {
            c.insert_user(format!("s{i}"), c.epoch(), at(0), entry());
        }
        let entries = c.entries.lock().unwrap();
        assert!(entries.tokens.len() <= 2);
    }

    #[test]
    fn a_zero_bound_caches_nothing() {
        let c = AuthCache::new(AuthCacheConfig {
            max_staleness: std::time::Duration::ZERO,
            ..AuthCacheConfig::default()
        });
        c.insert_user("s".into(), c.epoch(), at(0), entry());
        assert!(c.user("s", at(0)).is_none());
    }
}
