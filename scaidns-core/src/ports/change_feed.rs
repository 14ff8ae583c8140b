//! Change notices between replicas: one replica tells the others that something their caches
//! hold may be stale, so they drop it before their staleness bound runs out. Best effort by
//! design: a lost notice costs at most the caches' staleness bound (`AUTH_CACHE_MAX_STALENESS`),
//! never correctness beyond it.

/// Where a replica announces that who may do what changed (a key, a user, a membership, a
/// role, an assignment or a grant).
pub trait ChangeFeed: Send + Sync + std::fmt::Debug {
    /// Announces the change; returns at once (delivery happens in the background).
    fn announce_auth_change(&self);
}
