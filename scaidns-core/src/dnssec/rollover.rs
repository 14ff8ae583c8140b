//! The rollover state machine, as pure functions of a zone's keys and the time (which comes
//! from the service's `Clock`, so tests drive it with a manual one).
//!
//! - **ZSK, pre-publication** (RFC 6781 §4.1.1.1): the successor's DNSKEY is published without
//!   signing; once every cached DNSKEY set holds it (the DNSKEY TTL plus the overlap, RFC 7583
//!   §3.2's Ipub with a generous margin) it signs and the old ZSK stops signing but stays
//!   published until signatures made with it have left every cache (the zone's largest TTL plus
//!   the propagation delay, RFC 7583's Iret); then the old key is removed.
//! - **KSK, double-DS** (RFC 6781 §4.1.2): the successor exists but is neither published nor
//!   signing while its DS is handed to the parent; only when that DS is seen at the parent does
//!   the successor publish and sign. The old KSK keeps signing the DNSKEY set for the overlap —
//!   so a resolver holding either DS set validates throughout — and is then removed, after which
//!   its DS may leave the parent.
//!
//! A step is decided by [`due_steps`] and applied by the service, which changes the backend and
//! then stores the keys as the transition functions here leave them.

use chrono::{DateTime, Duration, Utc};

use crate::dnssec::key::{DnssecKey, KeyState};
use crate::error::{Error, Result};
use crate::ids::DnssecKeyId;

/// Key lifetimes and waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RolloverPolicy {
    /// KSK lifetime (`DNSSEC_KSK_LIFETIME_DAYS`, 365 days).
    pub ksk_lifetime: Duration,
    /// ZSK lifetime (`DNSSEC_ZSK_LIFETIME_DAYS`, 30 days).
    pub zsk_lifetime: Duration,
    /// Overlap during rotation (`DNSSEC_ROLLOVER_OVERLAP_DAYS`, 7 days).
    pub overlap: Duration,
    /// Time for a change to reach every server of the zone (RFC 7583 Dprp).
    pub propagation: Duration,
}

impl Default for RolloverPolicy {
    fn default() -> Self {
        Self {
            ksk_lifetime: Duration::days(365),
            zsk_lifetime: Duration::days(30),
            overlap: Duration::days(7),
            propagation: Duration::hours(1),
        }
    }
}

/// Something due for a zone's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A pre-published ZSK has waited long enough: it signs, the old ZSK retires.
    ActivateZsk {
        /// The successor.
        key: DnssecKeyId,
    },
    /// A retired key has waited long enough: remove it.
    RemoveKey {
        /// The key.
        key: DnssecKeyId,
    },
    /// The signing ZSK reached the end of its lifetime: pre-publish a successor.
    StartZskRollover {
        /// The current ZSK.
        old: DnssecKeyId,
    },
    /// The KSK reached the end of its lifetime: make a successor and hand out its DS.
    StartKskRollover {
        /// The current KSK.
        old: DnssecKeyId,
    },
    /// A KSK waits for its DS at the parent: look it up.
    CheckDs {
        /// The KSK.
        key: DnssecKeyId,
    },
}

/// What is due at `now`, in the order to apply it (finishing rollovers before starting new
/// ones).
pub fn due_steps(keys: &[DnssecKey], now: DateTime<Utc>) -> Vec<Step> {
    let due = |at: Option<DateTime<Utc>>| at.is_some_and(|at| at <= now);
    let mut steps = Vec::new();
    for k in keys {
        if !k.is_ksk() && k.state == KeyState::Published && due(k.activate_at) {
            steps.push(Step::ActivateZsk { key: k.id });
        }
    }
    for k in keys {
        if k.state == KeyState::Retired && due(k.retire_at) {
            steps.push(Step::RemoveKey { key: k.id });
        }
    }
    for k in keys {
        let waiting = k.is_ksk()
            && (k.state == KeyState::DsPending
                || (k.state == KeyState::Active && k.ds_confirmed_at.is_none()));
        if waiting {
            steps.push(Step::CheckDs { key: k.id });
        }
    }
    let zsk_rolling = keys
        .iter()
        .any(|k| !k.is_ksk() && k.state == KeyState::Published);
    if !zsk_rolling
        && let Some(old) = keys
            .iter()
            .find(|k| !k.is_ksk() && k.state == KeyState::Active && due(k.expires_at))
    {
        steps.push(Step::StartZskRollover { old: old.id });
    }
    let ksk_rolling = keys
        .iter()
        .any(|k| k.is_ksk() && k.state == KeyState::DsPending);
    if !ksk_rolling
        && let Some(old) = keys.iter().find(|k| {
            k.is_ksk()
                && k.state == KeyState::Active
                && k.ds_confirmed_at.is_some()
                && due(k.expires_at)
        })
    {
        steps.push(Step::StartKskRollover { old: old.id });
    }
    steps
}

/// The first keys of a newly signed zone: both active at once (nothing is cached yet).
pub fn enable(
    ksk: &mut DnssecKey,
    zsk: &mut DnssecKey,
    now: DateTime<Utc>,
    policy: &RolloverPolicy,
) {
    for (key, lifetime) in [(ksk, policy.ksk_lifetime), (zsk, policy.zsk_lifetime)] {
        key.state = KeyState::Active;
        key.expires_at = Some(now + lifetime);
        key.updated_at = now;
        key.mark_flags(now);
    }
}

/// Whether a ZSK rollover is under way (a successor is pre-published).
pub fn zsk_rolling(keys: &[DnssecKey]) -> bool {
    keys.iter()
        .any(|k| !k.is_ksk() && k.state == KeyState::Published)
}

/// Whether a KSK rollover waits for the parent.
pub fn ksk_rolling(keys: &[DnssecKey]) -> bool {
    keys.iter()
        .any(|k| k.is_ksk() && k.state == KeyState::DsPending)
}

/// Adds a pre-published ZSK that starts signing after the DNSKEY TTL plus the overlap.
pub fn start_zsk_rollover(
    keys: &mut Vec<DnssecKey>,
    mut successor: DnssecKey,
    now: DateTime<Utc>,
    dnskey_ttl: Duration,
    policy: &RolloverPolicy,
) -> Result<()> {
    if zsk_rolling(keys) {
        return Err(rollover_in_progress("ZSK"));
    }
    successor.state = KeyState::Published;
    successor.activate_at = Some(now + dnskey_ttl + policy.overlap);
    successor.updated_at = now;
    successor.mark_flags(now);
    keys.push(successor);
    Ok(())
}

/// The pre-published ZSK `id` signs from now; every other signing ZSK retires and is removed
/// once its signatures have expired from caches (`max_ttl` plus propagation).
pub fn activate_zsk(
    keys: &mut [DnssecKey],
    id: DnssecKeyId,
    now: DateTime<Utc>,
    max_ttl: Duration,
    policy: &RolloverPolicy,
) -> Result<()> {
    let Some(new) = keys
        .iter_mut()
        .find(|k| k.id == id && k.state == KeyState::Published)
    else {
        return Err(Error::internal(format!(
            "{id:?} is not a pre-published ZSK"
        )));
    };
    new.state = KeyState::Active;
    new.activate_at = None;
    new.expires_at = Some(now + policy.zsk_lifetime);
    new.updated_at = now;
    new.mark_flags(now);
    for old in keys
        .iter_mut()
        .filter(|k| k.id != id && !k.is_ksk() && k.state == KeyState::Active)
    {
        old.state = KeyState::Retired;
        old.retire_at = Some(now + max_ttl + policy.propagation);
        old.updated_at = now;
    }
    Ok(())
}

/// Adds a KSK successor that waits, unpublished, for its DS at the parent.
pub fn start_ksk_rollover(
    keys: &mut Vec<DnssecKey>,
    mut successor: DnssecKey,
    now: DateTime<Utc>,
) -> Result<()> {
    if ksk_rolling(keys) {
        return Err(rollover_in_progress("KSK"));
    }
    successor.state = KeyState::DsPending;
    successor.updated_at = now;
    keys.push(successor);
    Ok(())
}

/// The DS of KSK `id` is at the parent. A first KSK is simply confirmed; a double-DS successor
/// publishes and signs, and the KSKs it replaces retire after the overlap.
pub fn confirm_ds(
    keys: &mut [DnssecKey],
    id: DnssecKeyId,
    now: DateTime<Utc>,
    policy: &RolloverPolicy,
) -> Result<()> {
    let Some(key) = keys.iter_mut().find(|k| k.id == id && k.is_ksk()) else {
        return Err(Error::internal(format!("{id:?} is not a KSK of the zone")));
    };
    key.ds_confirmed_at = Some(now);
    key.updated_at = now;
    if key.state != KeyState::DsPending {
        return Ok(());
    }
    key.state = KeyState::Active;
    key.expires_at = Some(now + policy.ksk_lifetime);
    key.mark_flags(now);
    for old in keys
        .iter_mut()
        .filter(|k| k.id != id && k.is_ksk() && k.state == KeyState::Active)
    {
        old.state = KeyState::Retired;
        old.retire_at = Some(now + policy.overlap);
        old.updated_at = now;
    }
    Ok(())
}

/// Drops key `id` from the set.
pub fn remove(keys: &mut Vec<DnssecKey>, id: DnssecKeyId) {
    keys.retain(|k| k.id != id);
}

fn rollover_in_progress(role: &str) -> Error {
    Error::conflict(
        "rollover_in_progress",
        format!("a {role} rollover is already in progress"),
    )
}

#[cfg(test)]
mod tests;
