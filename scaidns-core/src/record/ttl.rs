//! Time-to-live values. The protocol bound is RFC 2181 §8 (0 ..= 2^31-1); the platform's own
//! minimum and maximum are policy, configured at start and applied by [`TtlPolicy`].

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Largest TTL the protocol allows (RFC 2181 §8).
pub const MAX_PROTOCOL_TTL: u32 = 2_147_483_647;

/// A TTL in seconds within protocol bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct Ttl(u32);

impl Ttl {
    /// Checks the protocol bounds.
    pub fn new(seconds: i64) -> Result<Self> {
        u32::try_from(seconds)
            .ok()
            .filter(|s| *s <= MAX_PROTOCOL_TTL)
            .map(Self)
            .ok_or_else(|| {
                Error::invalid("ttl", format!("must be between 0 and {MAX_PROTOCOL_TTL}"))
            })
    }

    /// Seconds.
    pub const fn seconds(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for Ttl {
    type Error = Error;
    fn try_from(value: i64) -> Result<Self> {
        Self::new(value)
    }
}

impl From<Ttl> for u32 {
    fn from(value: Ttl) -> Self {
        value.0
    }
}

/// The platform's TTL bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TtlPolicy {
    /// Smallest TTL accepted.
    pub min: u32,
    /// Largest TTL accepted.
    pub max: u32,
}

impl Default for TtlPolicy {
    fn default() -> Self {
        Self {
            min: 60,
            max: 604_800,
        }
    }
}

impl TtlPolicy {
    /// Parses and checks a TTL against protocol and policy bounds; `field` names it in errors.
    pub fn check(&self, seconds: i64, field: &str) -> Result<Ttl> {
        let ttl = Ttl::new(seconds).map_err(|e| e.with_field(field))?;
        if ttl.0 < self.min || ttl.0 > self.max {
            return Err(Error::invalid(
                field,
                format!("must be between {} and {} seconds", self.min, self.max),
            ));
        }
        Ok(ttl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(Ttl::new(-1).is_err());
        assert!(Ttl::new(i64::from(MAX_PROTOCOL_TTL) + 1).is_err());
        assert_eq!(Ttl::new(300).unwrap().seconds(), 300);
        let p = TtlPolicy::default();
        assert!(p.check(30, "ttl").is_err());
        assert_eq!(p.check(3600, "default_ttl").unwrap().seconds(), 3600);
        assert_eq!(
            p.check(10, "default_ttl").unwrap_err().field(),
            Some("default_ttl")
        );
    }
}
