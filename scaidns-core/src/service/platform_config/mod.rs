//! Platform configuration (spec api-zones §11.1, issue 11 item 4): a catalogue of keys whose
//! starting values come from the environment, overridden by values set through the API and
//! stored in the settings table (`config.<key>`), and the authoritative domains (§11.3).
//!
//! The code that reads a catalogue value asks [`ScaiDns::settings`], a snapshot of the
//! [`ServiceConfig`](crate::service::ServiceConfig) with the stored values applied. The snapshot is re-read when it is older
//! than `CONFIG_MAX_STALENESS` ([`ServiceConfig::config_max_staleness`](crate::service::ServiceConfig::config_max_staleness)), at once on the
//! replica that made a change, and at once on the others when the change feed delivers the notice; a
//! request refreshes it before it runs ([`ScaiDns::refresh_settings`]), as does each worker
//! pass.

mod catalogue;
mod live;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use catalogue::{Applies, CATALOGUE, ConfigKey, broken_relations, config_key};
pub(crate) use live::LiveSettings;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::TenantId;
use crate::name::ZoneName;
use crate::rbac::{Permission, Target};

use super::{OpContext, ScaiDns};

/// Prefix of the settings rows that hold values set through the API.
const STORED_PREFIX: &str = "config.";
/// The settings row every configuration change moves (compare-and-set; see `config_set`).
const VERSION_SETTING: &str = "config_version";
/// Tries of a configuration change that keeps losing the compare-and-set to others.
const CONFIG_WRITE_ATTEMPTS: usize = 5;
/// The settings row of the authoritative domains.
pub const AUTHORITATIVE_DOMAINS_SETTING: &str = "authoritative_domains";
/// Most authoritative domains.
pub const MAX_AUTHORITATIVE_DOMAINS: usize = 1000;

/// Where a configuration value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSource {
    /// The built-in default.
    Default,
    /// Its environment variable.
    Env,
    /// Set through the API (stored; wins over the environment).
    Api,
}

impl ConfigSource {
    /// Its name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Env => "env",
            Self::Api => "api",
        }
    }
}

/// A value set through the API, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredValue {
    pub value: u32,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<String>,
}

/// One configuration entry as the API shows it.
#[derive(Debug, Clone)]
pub struct ConfigEntry {
    /// The catalogue's description of the key.
    pub spec: &'static ConfigKey,
    /// The value in effect.
    pub value: u32,
    /// The starting value (the environment's, else the built-in default).
    pub default: u32,
    /// Where `value` comes from.
    pub source: ConfigSource,
    /// When it was last set through the API.
    pub updated_at: Option<DateTime<Utc>>,
    /// Who set it (e-mail or id).
    pub updated_by: Option<String>,
}

fn unknown_key(key: &str) -> Error {
    Error::new(
        ErrorKind::NotFound,
        "config_key_not_found",
        format!("no configuration key '{key}'; GET /api/v1/admin/config lists them"),
    )
}

impl ScaiDns {
    fn config_entry(
        &self,
        spec: &'static ConfigKey,
        stored: &BTreeMap<String, StoredValue>,
    ) -> ConfigEntry {
        let default = spec.value_in(self.config());
        let from_env = self.config().env_keys.contains(&spec.key);
        match stored.get(spec.key) {
            Some(s) => ConfigEntry {
                spec,
                value: s.value,
                default,
                source: ConfigSource::Api,
                updated_at: Some(s.updated_at),
                updated_by: s.updated_by.clone(),
            },
            None => ConfigEntry {
                spec,
                value: default,
                default,
                source: if from_env {
                    ConfigSource::Env
                } else {
                    ConfigSource::Default
                },
                updated_at: None,
                updated_by: None,
            },
        }
    }

    /// Every catalogue key with its value and source (platform admin).
    pub async fn config_list(&self, ctx: &OpContext) -> Result<Vec<ConfigEntry>> {
        self.authorize(ctx, Permission::PLATFORM_ADMIN, Target::Platform)
            .await?;
        let stored = self.stored_config().await?;
        Ok(CATALOGUE
            .iter()
            .map(|spec| self.config_entry(spec, &stored))
            .collect())
    }

    /// One key (platform admin); 404 `config_key_not_found`.
    pub async fn config_get(&self, ctx: &OpContext, key: &str) -> Result<ConfigEntry> {
        self.authorize(ctx, Permission::PLATFORM_ADMIN, Target::Platform)
            .await?;
        let spec = config_key(key).ok_or_else(|| unknown_key(key))?;
        Ok(self.config_entry(spec, &self.stored_config().await?))
    }

    /// Sets one key (platform admin): 404 `config_key_not_found`, 422 for a value that is not
    /// an integer within the key's bounds or that contradicts another key (TTL bounds). Takes
    /// effect on this replica with the next request and on the others through the change feed.
    pub async fn config_set(&self, ctx: &OpContext, key: &str, value: &str) -> Result<ConfigEntry> {
        self.authorize(ctx, Permission::PLATFORM_ADMIN, Target::Platform)
            .await?;
        let spec = config_key(key).ok_or_else(|| unknown_key(key))?;
        let value = spec.parse(value)?;
        // Compare-and-set on the version row: the relations are checked against the values
        // read after it, and the write lands only while no other change came in between (two
        // admins setting ttl.min and ttl.max at once could otherwise store reversed bounds).
        for _ in 0..CONFIG_WRITE_ATTEMPTS {
            let version = self.store().get_setting(VERSION_SETTING).await?;
            let mut stored = self.stored_config().await?;
            let mut next = self.config().clone();
            for (k, v) in &stored {
                if let Some(other) = config_key(k) {
                    other.apply(&mut next, v.value);
                }
            }
            spec.apply(&mut next, value);
            catalogue::check_relations_of(&next, spec.key)?;
            let before = self.config_entry(spec, &stored);
            let row = StoredValue {
                value,
                updated_at: ctx.now,
                updated_by: ctx.actor_email().or_else(|| ctx.actor_id()),
            };
            let text = serde_json::to_string(&row).map_err(|e| Error::internal(e.to_string()))?;
            let audit = ctx.audit(
                None::<TenantId>,
                "platform.config.update",
                "platform_setting",
                spec.key,
                Some(spec.key.to_owned()),
                Some(serde_json::json!({"value": before.value.to_string(), "source": before.source.as_str()})),
                Some(serde_json::json!({"value": value.to_string(), "source": "api"})),
            );
            let next_version = version
                .as_deref()
                .and_then(|v| v.parse::<u64>().ok())
                .map_or(1, |v| v.wrapping_add(1))
                .to_string();
            let written = self
                .store()
                .put_setting_guarded(
                    (VERSION_SETTING, version.as_deref(), &next_version),
                    &format!("{STORED_PREFIX}{}", spec.key),
                    &text,
                    &[audit],
                )
                .await?;
            if written {
                self.settings_changed().await;
                stored.insert(spec.key.to_owned(), row);
                return Ok(self.config_entry(spec, &stored));
            }
        }
        Err(Error::conflict(
            "config_changed_concurrently",
            "the configuration kept changing while this value was checked; send it again",
        ))
    }

    /// The values set through the API, by key (rows for keys no longer in the catalogue are
    /// skipped, as are rows that do not parse: the environment's value applies then).
    pub(crate) async fn stored_config(&self) -> Result<BTreeMap<String, StoredValue>> {
        let rows = self.store().list_settings(STORED_PREFIX).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(k, v)| {
                let key = k.strip_prefix(STORED_PREFIX)?;
                config_key(key)?;
                match serde_json::from_str::<StoredValue>(&v) {
                    Ok(value) => Some((key.to_owned(), value)),
                    Err(e) => {
                        tracing::warn!(key, error = %e, "stored configuration value ignored");
                        None
                    }
                }
            })
            .collect())
    }

    /// The domains this instance is authoritative for (platform admin), canonical, sorted.
    pub async fn authoritative_domains_get(&self, ctx: &OpContext) -> Result<Vec<String>> {
        self.authorize(ctx, Permission::PLATFORM_ADMIN, Target::Platform)
            .await?;
        self.authoritative_domains().await
    }

    /// Replaces the authoritative domains (platform admin); 422 naming the first bad entry.
    pub async fn authoritative_domains_set(
        &self,
        ctx: &OpContext,
        domains: Vec<String>,
    ) -> Result<Vec<String>> {
        self.authorize(ctx, Permission::PLATFORM_ADMIN, Target::Platform)
            .await?;
        let domains = canonical_domains(&domains)?;
        let before = self.authoritative_domains().await?;
        let text = serde_json::to_string(&domains).map_err(|e| Error::internal(e.to_string()))?;
        let audit = ctx.audit(
            None::<TenantId>,
            "platform.authoritative_domains.update",
            "platform_setting",
            AUTHORITATIVE_DOMAINS_SETTING,
            None,
            Some(serde_json::json!(before)),
            Some(serde_json::json!(domains)),
        );
        self.store()
            .put_setting(AUTHORITATIVE_DOMAINS_SETTING, &text, &[audit])
            .await?;
        Ok(domains)
    }

    async fn authoritative_domains(&self) -> Result<Vec<String>> {
        match self
            .store()
            .get_setting(AUTHORITATIVE_DOMAINS_SETTING)
            .await?
        {
            Some(text) => serde_json::from_str(&text).map_err(|e| {
                Error::internal(format!("stored authoritative domains are not a list: {e}"))
            }),
            None => Ok(Vec::new()),
        }
    }
}

/// Lowercase names without the trailing dot, sorted, duplicates refused (422 on
/// `domains[i]`).
pub fn canonical_domains(input: &[String]) -> Result<Vec<String>> {
    if input.len() > MAX_AUTHORITATIVE_DOMAINS {
        return Err(Error::invalid(
            "domains",
            format!("at most {MAX_AUTHORITATIVE_DOMAINS} domains"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(input.len());
    let mut seen = std::collections::HashSet::with_capacity(input.len());
    for (i, raw) in input.iter().enumerate() {
        let name = ZoneName::parse(raw)
            .map_err(|e| Error::invalid(format!("domains[{i}]"), e.message().to_owned()))?
            .to_string();
        if !seen.insert(name.clone()) {
            return Err(Error::invalid(
                format!("domains[{i}]"),
                format!("{name} is listed twice"),
            ));
        }
        out.push(name);
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_canonical_and_checked() {
        let got = canonical_domains(&["Example.NET.".into(), "example.com".into()]).unwrap();
        assert_eq!(got, ["example.com", "example.net"]);
        assert!(canonical_domains(&["com".into()]).is_err());
        assert!(canonical_domains(&["a b.example".into()]).is_err());
        let dup = canonical_domains(&["a.example".into(), "A.example.".into()]).unwrap_err();
        assert_eq!(dup.field(), Some("domains[1]"));
    }
}
