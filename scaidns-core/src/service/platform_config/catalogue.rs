//! The keys `GET|PATCH /api/v1/admin/config/{key}` knows (spec api-zones §11.1): what each
//! means, its bounds, the variable that gives its starting value, and where in
//! [`ServiceConfig`] the value lands so the code that reads it sees a change.

use crate::error::{Error, Result};
use crate::service::ServiceConfig;

/// When a change takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    /// On every replica within the config's staleness bound (the next request on this one).
    Immediately,
    /// Like `Immediately`, but only for objects created from then on: keys and challenges
    /// that exist keep the lifetime or expiry they were given.
    NewObjects,
}

impl Applies {
    /// Its name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Immediately => "immediately",
            Self::NewObjects => "new_objects",
        }
    }
}

/// One key of the catalogue. Every value is an integer (sent and shown as a decimal string,
/// spec §11.1: "values are strings").
#[derive(Debug, Clone, Copy)]
pub struct ConfigKey {
    /// The key (`validation.challenge_ttl`).
    pub key: &'static str,
    /// What it means.
    pub description: &'static str,
    /// The environment variable that gives its starting value, if any.
    pub env: Option<&'static str>,
    /// Smallest value.
    pub min: u32,
    /// Largest value.
    pub max: u32,
    /// When a change takes effect.
    pub applies: Applies,
    read: fn(&ServiceConfig) -> u32,
    write: fn(&mut ServiceConfig, u32),
}

impl ConfigKey {
    /// Its value in `config`.
    pub fn value_in(&self, config: &ServiceConfig) -> u32 {
        (self.read)(config)
    }

    /// Parses a value sent through the API: 422 `invalid_config_value` unless a decimal
    /// integer within the bounds.
    pub fn parse(&self, text: &str) -> Result<u32> {
        let bad = || {
            Error::invalid(
                "value",
                format!(
                    "{} takes an integer from {} to {}",
                    self.key, self.min, self.max
                ),
            )
        };
        let value: u32 = text.trim().parse().map_err(|_| bad())?;
        if (self.min..=self.max).contains(&value) {
            Ok(value)
        } else {
            Err(bad())
        }
    }

    pub(super) fn apply(&self, config: &mut ServiceConfig, value: u32) {
        (self.write)(config, value);
    }
}

const DAY_SECONDS: u32 = 86_400;
const TTL_LIMIT: u32 = 2_147_483_647;

fn days(n: u32) -> chrono::Duration {
    chrono::Duration::days(i64::from(n))
}

fn whole_days(d: chrono::Duration) -> u32 {
    u32::try_from(d.num_days()).unwrap_or(u32::MAX)
}

/// Every key, in the order `GET /admin/config` lists them.
pub const CATALOGUE: &[ConfigKey] = &[
    ConfigKey {
        key: "validation.challenge_ttl",
        description: "TTL in seconds that validation instructions recommend for the TXT challenge record",
        env: Some("VALIDATION_CHALLENGE_TTL"),
        min: 1,
        max: DAY_SECONDS,
        applies: Applies::Immediately,
        read: |c| c.validation.challenge_ttl,
        write: |c, v| c.validation.challenge_ttl = v,
    },
    ConfigKey {
        key: "validation.expiry_hours",
        description: "Hours a new validation challenge stays open before it expires",
        env: Some("VALIDATION_EXPIRY_HOURS"),
        min: 1,
        max: 24 * 365,
        applies: Applies::NewObjects,
        read: |c| u32::try_from(c.validation.expiry.num_hours()).unwrap_or(u32::MAX),
        write: |c, v| c.validation.expiry = chrono::Duration::hours(i64::from(v)),
    },
    ConfigKey {
        key: "ttl.min",
        description: "Smallest TTL in seconds a record or a zone default may have",
        env: Some("TTL_MIN"),
        min: 0,
        max: TTL_LIMIT,
        applies: Applies::Immediately,
        read: |c| c.ttl_policy.min,
        write: |c, v| c.ttl_policy.min = v,
    },
    ConfigKey {
        key: "ttl.max",
        description: "Largest TTL in seconds a record or a zone default may have",
        env: Some("TTL_MAX"),
        min: 1,
        max: TTL_LIMIT,
        applies: Applies::Immediately,
        read: |c| c.ttl_policy.max,
        write: |c, v| c.ttl_policy.max = v,
    },
    ConfigKey {
        key: "zone.default_ttl",
        description: "Default TTL in seconds of a new zone that names none (within ttl.min..ttl.max)",
        env: None,
        min: 0,
        max: TTL_LIMIT,
        applies: Applies::Immediately,
        read: |c| c.default_zone_ttl,
        write: |c, v| c.default_zone_ttl = v,
    },
    ConfigKey {
        key: "rate_limit.api_key_per_minute",
        description: "Requests per minute of an API key without its own rate_limit",
        env: Some("RATE_LIMIT_API_KEY_PER_MINUTE"),
        min: 1,
        max: 1_000_000,
        applies: Applies::Immediately,
        read: |c| c.api_key_rate_limit.default_per_minute,
        write: |c, v| {
            c.api_key_rate_limit.default_per_minute = v;
            // As at start-up: the largest per-key limit never sits below the default.
            c.api_key_rate_limit.max_per_minute = c.api_key_rate_limit.max_per_minute.max(v);
        },
    },
    ConfigKey {
        key: "rate_limit.user_per_minute",
        description: "Requests per minute of a user signed in with a token",
        env: Some("RATE_LIMIT_USER_PER_MINUTE"),
        min: 1,
        max: 1_000_000,
        applies: Applies::Immediately,
        read: |c| c.user_rate_limit_per_minute,
        write: |c, v| c.user_rate_limit_per_minute = v,
    },
    ConfigKey {
        key: "dnssec.ksk_lifetime_days",
        description: "Days a key-signing key is used before the worker rolls it over",
        env: Some("DNSSEC_KSK_LIFETIME_DAYS"),
        min: 1,
        max: 3650,
        applies: Applies::NewObjects,
        read: |c| whole_days(c.dnssec.policy.ksk_lifetime),
        write: |c, v| c.dnssec.policy.ksk_lifetime = days(v),
    },
    ConfigKey {
        key: "dnssec.zsk_lifetime_days",
        description: "Days a zone-signing key is used before the worker rolls it over",
        env: Some("DNSSEC_ZSK_LIFETIME_DAYS"),
        min: 1,
        max: 3650,
        applies: Applies::NewObjects,
        read: |c| whole_days(c.dnssec.policy.zsk_lifetime),
        write: |c, v| c.dnssec.policy.zsk_lifetime = days(v),
    },
];

/// The catalogue's entry for `key`.
pub fn config_key(key: &str) -> Option<&'static ConfigKey> {
    CATALOGUE.iter().find(|k| k.key == key)
}

/// A rule that ties keys together: `check` answers what is wrong, if anything.
struct Relation {
    /// The catalogue keys it involves.
    keys: &'static [&'static str],
    /// The variable a start-up error names.
    var: &'static str,
    check: fn(&ServiceConfig) -> Option<String>,
}

fn ttl_bounds_ordered(c: &ServiceConfig) -> Option<String> {
    let ttl = c.ttl_policy;
    (ttl.min > ttl.max)
        .then(|| format!("ttl.min ({}) may not exceed ttl.max ({})", ttl.min, ttl.max))
}

fn default_ttl_within_bounds(c: &ServiceConfig) -> Option<String> {
    let ttl = c.ttl_policy;
    (!(ttl.min..=ttl.max).contains(&c.default_zone_ttl)).then(|| {
        format!(
            "zone.default_ttl ({}) must lie within ttl.min..ttl.max ({}..{})",
            c.default_zone_ttl, ttl.min, ttl.max
        )
    })
}

/// A key must outlive the rollover it starts: its successor is pre-published for the overlap
/// and must reach every server first.
fn lifetime_outlives_rollover(
    name: &str,
    lifetime: chrono::Duration,
    c: &ServiceConfig,
) -> Option<String> {
    let policy = &c.dnssec.policy;
    let rollover = policy.overlap + policy.propagation;
    (lifetime <= rollover).then(|| {
        format!(
            "{name} ({} days) must exceed the rollover overlap plus propagation ({} hours)",
            lifetime.num_days(),
            rollover.num_hours()
        )
    })
}

const RELATIONS: &[Relation] = &[
    Relation {
        keys: &["ttl.min", "ttl.max"],
        var: "TTL_MAX",
        check: ttl_bounds_ordered,
    },
    Relation {
        keys: &["ttl.min", "ttl.max", "zone.default_ttl"],
        var: "TTL_MIN",
        check: default_ttl_within_bounds,
    },
    Relation {
        keys: &["dnssec.ksk_lifetime_days"],
        var: "DNSSEC_KSK_LIFETIME_DAYS",
        check: |c| {
            lifetime_outlives_rollover("dnssec.ksk_lifetime_days", c.dnssec.policy.ksk_lifetime, c)
        },
    },
    Relation {
        keys: &["dnssec.zsk_lifetime_days"],
        var: "DNSSEC_ZSK_LIFETIME_DAYS",
        check: |c| {
            lifetime_outlives_rollover("dnssec.zsk_lifetime_days", c.dnssec.policy.zsk_lifetime, c)
        },
    },
];

/// Refuses (422 on `value`) a configuration that breaks a relation `key` is part of: a change
/// to one key is judged by the rules about that key alone.
pub(super) fn check_relations_of(config: &ServiceConfig, key: &str) -> Result<()> {
    match RELATIONS
        .iter()
        .filter(|r| r.keys.contains(&key))
        .find_map(|r| (r.check)(config))
    {
        Some(message) => Err(Error::invalid("value", message)),
        None => Ok(()),
    }
}

/// The keys of the first relation `config` breaks, and why.
pub(super) fn first_broken(config: &ServiceConfig) -> Option<(&'static [&'static str], String)> {
    RELATIONS
        .iter()
        .find_map(|r| (r.check)(config).map(|m| (r.keys, m)))
}

/// Every broken relation of a start-up configuration: the variable to blame and why.
pub fn broken_relations(config: &ServiceConfig) -> Vec<(&'static str, String)> {
    RELATIONS
        .iter()
        .filter_map(|r| (r.check)(config).map(|m| (r.var, m)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_reads_back_what_it_writes_and_parses_within_bounds() {
        let mut config = ServiceConfig::default();
        for key in CATALOGUE {
            let value = key.min.max(2);
            key.apply(&mut config, value);
            assert_eq!(key.value_in(&config), value, "{}", key.key);
            assert!(key.parse(&key.max.to_string()).is_ok(), "{}", key.key);
            assert!(key.parse("x").is_err());
            assert!(key.parse("-1").is_err());
            if key.max < u32::MAX {
                assert!(key.parse(&(u64::from(key.max) + 1).to_string()).is_err());
            }
        }
        let keys: std::collections::HashSet<_> = CATALOGUE.iter().map(|k| k.key).collect();
        assert_eq!(keys.len(), CATALOGUE.len());
        for relation in RELATIONS {
            assert!(relation.keys.iter().all(|k| config_key(k).is_some()));
        }
    }

    #[test]
    fn contradicting_ttl_bounds_are_refused() {
        let mut config = ServiceConfig::default();
        config.ttl_policy.min = 7200;
        assert!(check_relations_of(&config, "ttl.min").is_err());
        assert!(check_relations_of(&config, "zone.default_ttl").is_err());
        // A key outside the broken relations is not blamed for them.
        assert!(check_relations_of(&config, "rate_limit.user_per_minute").is_ok());
        assert_eq!(broken_relations(&config)[0].0, "TTL_MIN");
        config.ttl_policy.min = 60;
        assert!(check_relations_of(&config, "ttl.min").is_ok());
        assert!(broken_relations(&config).is_empty());
    }

    #[test]
    fn a_key_lifetime_must_outlive_its_rollover() {
        let mut config = ServiceConfig::default();
        config.dnssec.policy.zsk_lifetime = config.dnssec.policy.overlap;
        let err = check_relations_of(&config, "dnssec.zsk_lifetime_days").unwrap_err();
        assert!(err.message().contains("overlap"), "{}", err.message());
        assert!(check_relations_of(&config, "dnssec.ksk_lifetime_days").is_ok());
        config.dnssec.policy.zsk_lifetime = chrono::Duration::days(8);
        assert!(check_relations_of(&config, "dnssec.zsk_lifetime_days").is_ok());
    }
}
