//! [`DnsBackend`] over the PowerDNS Authoritative HTTP API (4.7 and newer; `spec/powerdns.md`).
//!
//! Zones are created with `soa_edit_api: DEFAULT`, so PowerDNS bumps the SOA serial on every
//! PATCH (YYYYMMDDnn, RFC 1912 §2.2 style), and `api_rectify: true`, so signed zones stay
//! consistent. Two PowerDNS behaviours shape this adapter:
//!
//! - PowerDNS has no locking across requests; concurrent PATCHes to one zone have produced
//!   duplicate records (pdns #7128, #10448). Writes are therefore serialised per zone inside
//!   this backend (one process writing is the deployment model; several writers would need the
//!   store's generation check as well).
//! - A PATCH that replaces the SOA computes the new serial from the serial *in the new content*,
//!   not from the zone's current one; the store keeps a placeholder serial there. Such a PATCH
//!   is therefore preceded by a read of the current serial, which is written into the new SOA so
//!   that the serial never goes backwards (RFC 1982 ordering as secondaries see it).

mod client;
mod types;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use reqwest::Method;
use tracing::debug;

pub use client::PdnsApiKey;
use client::PdnsClient;
use types::{ChangeType, CreateZone, Patch, RrSetPatch, ZoneSettings};

use crate::ports::backend::{
    BackendError, BackendErrorKind, BackendKey, DnsBackend, KeyRole, NewKey, RrData, RrSet,
    RrSetChange, ZoneSpec,
};
use crate::record::RecordType;
use crate::zone::ZoneName;
use crate::zone::soa;

/// How PowerDNS should treat the zones ScaiDNS creates (interface decision 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PdnsZoneKind {
    /// Replicated by the database; PowerDNS sends no NOTIFY by itself.
    #[default]
    Native,
    /// PowerDNS sends NOTIFY to secondaries and answers AXFR.
    Master,
}

impl PdnsZoneKind {
    /// The `kind` value of the PowerDNS API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Native => "Native",
            Self::Master => "Master",
        }
    }
}

impl std::str::FromStr for PdnsZoneKind {
    type Err = crate::error::Error;
    fn from_str(s: &str) -> crate::error::Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "native" => Ok(Self::Native),
            "master" | "primary" => Ok(Self::Master),
            other => Err(crate::error::Error::invalid(
                "PDNS_ZONE_KIND",
                format!("'{other}' is not one of: native, master"),
            )),
        }
    }
}

/// Connection settings for one PowerDNS server.
#[derive(Debug, Clone)]
pub struct PdnsConfig {
    /// Base URL without `/api/v1` (`http://127.0.0.1:8081`).
    pub api_url: String,
    /// `X-API-Key` value.
    pub api_key: PdnsApiKey,
    /// Server id in API paths (`localhost` unless PowerDNS is behind a multi-server proxy).
    pub server_id: String,
    /// Kind of the zones created.
    pub zone_kind: PdnsZoneKind,
    /// Per-request timeout (connect included).
    pub timeout: Duration,
}

impl PdnsConfig {
    /// Settings with the defaults: server `localhost`, `Native` zones, 10 s timeout.
    pub fn new(api_url: impl Into<String>, api_key: impl Into<PdnsApiKey>) -> Self {
        Self {
            api_url: api_url.into(),
            api_key: api_key.into(),
            server_id: "localhost".to_owned(),
            zone_kind: PdnsZoneKind::Native,
            timeout: Duration::from_secs(10),
        }
    }
}

/// The PowerDNS backend.
#[derive(Debug)]
pub struct PowerDnsBackend {
    client: PdnsClient,
    zone_kind: PdnsZoneKind,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// DNSSEC types PowerDNS manages itself (from keys and rectify); never touched as RRsets.
const DNSSEC_TYPES: &[&str] = &[
    "DNSKEY",
    "RRSIG",
    "NSEC",
    "NSEC3",
    "NSEC3PARAM",
    "CDS",
    "CDNSKEY",
];

impl PowerDnsBackend {
    /// A backend for the server described by `config`. No request is made yet; use
    /// [`DnsBackend::health`] to check reachability.
    pub fn new(config: PdnsConfig) -> Result<Self, BackendError> {
        let client = PdnsClient::new(
            &config.api_url,
            &config.server_id,
            &config.api_key,
            config.timeout,
        )?;
        Ok(Self {
            client,
            zone_kind: config.zone_kind,
            locks: Mutex::new(HashMap::new()),
        })
    }

    /// Serialises writes to one zone (see the module docs).
    async fn lock(&self, zone: &ZoneName) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
            // Drop locks nobody holds or waits for, so the map stays as small as the set of
            // zones being written right now.
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
            Arc::clone(locks.entry(zone.fqdn().to_owned()).or_default())
        };
        lock.lock_owned().await
    }

    async fn post_zone(&self, spec: &ZoneSpec) -> Result<(), BackendError> {
        let body = CreateZone {
            name: spec.name.fqdn().to_owned(),
            kind: self.zone_kind.as_str(),
            soa_edit_api: "DEFAULT",
            api_rectify: true,
            account: spec.account.clone(),
            rrsets: spec
                .rrsets
                .iter()
                .filter(|set| !set.records.is_empty())
                .map(|set| types::RrSetIn {
                    name: set.name.clone(),
                    rtype: set.rtype.as_str().to_owned(),
                    ttl: set.ttl,
                    records: records_of(set),
                })
                .collect(),
        };
        let url = self.client.url(&["zones"], &[("rrsets", "false")]);
        self.client
            .send(Method::POST, url, Some(&body))
            .await
            .map(drop)
    }

    /// Makes an existing zone hold exactly `spec` (the retry path of `create_zone`).
    async fn converge(&self, spec: &ZoneSpec) -> Result<(), BackendError> {
        let zone = &spec.name;
        let Some(current) = self.fetch_zone(zone).await? else {
            // Deleted between the POST and now: create it after all.
            return self.post_zone(spec).await;
        };
        let wanted: BTreeSet<(String, &str)> = spec
            .rrsets
            .iter()
            .filter(|set| !set.records.is_empty())
            .map(|set| (set.name.to_ascii_lowercase(), set.rtype.as_str()))
            .collect();
        let mut rrsets = Vec::new();
        for set in current.rrsets.iter().flatten() {
            let key = (
                set.name.to_ascii_lowercase(),
                set.rtype.to_ascii_uppercase(),
            );
            if DNSSEC_TYPES.contains(&key.1.as_str())
                || wanted.contains(&(key.0.clone(), key.1.as_str()))
            {
                continue;
            }
            rrsets.push(RrSetPatch {
                name: set.name.clone(),
                rtype: set.rtype.clone(),
                changetype: ChangeType::Delete,
                ttl: None,
                records: None,
            });
        }
        let serial = current_soa_serial(&current, zone);
        for set in spec.rrsets.iter().filter(|set| !set.records.is_empty()) {
            rrsets.push(replace_patch(set, serial));
        }
        let url = self.client.url(&["zones", &zone_id(zone)], &[]);
        self.client
            .send(Method::PATCH, url.clone(), Some(&Patch { rrsets }))
            .await?;
        let settings = ZoneSettings {
            kind: self.zone_kind.as_str(),
            soa_edit_api: "DEFAULT",
            api_rectify: true,
            account: spec.account.clone(),
        };
        self.client
            .send(Method::PUT, url, Some(&settings))
            .await
            .map(drop)
    }

    /// The zone with its RRsets, or `None` when PowerDNS does not have it.
    async fn fetch_zone(&self, zone: &ZoneName) -> Result<Option<types::Zone>, BackendError> {
        let url = self.client.url(&["zones", &zone_id(zone)], &[]);
        match self.client.get::<types::Zone>(url).await {
            Ok(found) => Ok(Some(found)),
            Err(e) if e.kind == BackendErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The zone's current SOA serial (`rrset_name`/`rrset_type` filters exist since 4.7).
    async fn soa_serial(&self, zone: &ZoneName) -> Result<Option<u32>, BackendError> {
        let url = self.client.url(
            &["zones", &zone_id(zone)],
            &[("rrset_name", zone.fqdn()), ("rrset_type", "SOA")],
        );
        let found: types::Zone = self.client.get(url).await?;
        Ok(current_soa_serial(&found, zone))
    }

    fn key_url(&self, zone: &ZoneName, key_id: Option<u32>) -> reqwest::Url {
        let id = zone_id(zone);
        match key_id {
            Some(key) => self
                .client
                .url(&["zones", &id, "cryptokeys", &key.to_string()], &[]),
            None => self.client.url(&["zones", &id, "cryptokeys"], &[]),
        }
    }
}

#[async_trait]
impl DnsBackend for PowerDnsBackend {
    fn name(&self) -> &'static str {
        "powerdns"
    }

    async fn health(&self) -> Result<(), BackendError> {
        let url = self.client.url(&[], &[]);
        self.client
            .send::<()>(Method::GET, url, None)
            .await
            .map(drop)
    }

    async fn create_zone(&self, spec: &ZoneSpec) -> Result<(), BackendError> {
        let _guard = self.lock(&spec.name).await;
        match self.post_zone(spec).await {
            Err(e) if e.kind == BackendErrorKind::Conflict => {
                debug!(zone = %spec.name, "zone exists in PowerDNS; replacing its content");
                self.converge(spec).await
            }
            other => other,
        }
    }

    async fn delete_zone(&self, zone: &ZoneName) -> Result<(), BackendError> {
        let _guard = self.lock(zone).await;
        let url = self.client.url(&["zones", &zone_id(zone)], &[]);
        match self.client.send::<()>(Method::DELETE, url, None).await {
            Err(e) if e.kind == BackendErrorKind::NotFound => Ok(()),
            other => other.map(drop),
        }
    }

    async fn get_zone(&self, zone: &ZoneName) -> Result<Option<Vec<RrSet>>, BackendError> {
        let Some(found) = self.fetch_zone(zone).await? else {
            return Ok(None);
        };
        let mut rrsets: Vec<RrSet> = found
            .rrsets
            .unwrap_or_default()
            .into_iter()
            .filter_map(|set| {
                let Ok(rtype) = set.rtype.parse::<RecordType>() else {
                    debug!(zone = %zone, name = %set.name, rtype = %set.rtype, "skipping RRset of an unmodelled type");
                    return None;
                };
                // Comment-only RRsets come back with no records.
                if set.records.is_empty() {
                    return None;
                }
                let mut records: Vec<RrData> = set
                    .records
                    .into_iter()
                    .map(|r| RrData { content: r.content, disabled: r.disabled })
                    .collect();
                records.sort();
                Some(RrSet { name: set.name.to_ascii_lowercase(), rtype, ttl: set.ttl, records })
            })
            .collect();
        rrsets.sort_by(|a, b| (&a.name, a.rtype.as_str()).cmp(&(&b.name, b.rtype.as_str())));
        Ok(Some(rrsets))
    }

    async fn list_zones(&self) -> Result<Vec<ZoneName>, BackendError> {
        let url = self.client.url(&["zones"], &[("dnssec", "false")]);
        let zones: Vec<types::Zone> = self.client.get(url).await?;
        let mut names: Vec<ZoneName> = zones
            .into_iter()
            .filter_map(|z| match ZoneName::parse(&z.name) {
                Ok(name) => Some(name),
                Err(_) => {
                    debug!(zone = %z.name, "skipping a PowerDNS zone whose name ScaiDNS cannot manage");
                    None
                }
            })
            .collect();
        names.sort();
        Ok(names)
    }

    async fn apply(&self, zone: &ZoneName, changes: &[RrSetChange]) -> Result<(), BackendError> {
        if changes.is_empty() {
            return Ok(());
        }
        let _guard = self.lock(zone).await;
        let replaces_soa = changes.iter().any(|c| {
            matches!(c, RrSetChange::Replace(set) if set.rtype == RecordType::SOA && !set.records.is_empty())
        });
        let serial = if replaces_soa {
            self.soa_serial(zone).await?
        } else {
            None
        };
        let rrsets = changes
            .iter()
            .map(|change| match change {
                RrSetChange::Replace(set) if !set.records.is_empty() => replace_patch(set, serial),
                RrSetChange::Replace(RrSet { name, rtype, .. })
                | RrSetChange::Delete { name, rtype } => RrSetPatch {
                    name: name.clone(),
                    rtype: rtype.as_str().to_owned(),
                    changetype: ChangeType::Delete,
                    ttl: None,
                    records: None,
                },
            })
            .collect();
        let url = self.client.url(&["zones", &zone_id(zone)], &[]);
        self.client
            .send(Method::PATCH, url, Some(&Patch { rrsets }))
            .await
            .map(drop)
    }

    async fn notify(&self, zone: &ZoneName) -> Result<(), BackendError> {
        let url = self.client.url(&["zones", &zone_id(zone), "notify"], &[]);
        match self.client.send::<()>(Method::PUT, url, None).await {
            Err(e)
                if self.zone_kind == PdnsZoneKind::Native
                    && matches!(
                        e.kind,
                        BackendErrorKind::Rejected | BackendErrorKind::NotFound
                    ) =>
            {
                debug!(zone = %zone, error = %e, "PowerDNS did not queue a NOTIFY for a Native zone");
                Ok(())
            }
            other => other.map(drop),
        }
    }

    async fn list_keys(&self, zone: &ZoneName) -> Result<Vec<BackendKey>, BackendError> {
        let keys: Vec<types::Cryptokey> = self.client.get(self.key_url(zone, None)).await?;
        Ok(keys
            .into_iter()
            .filter_map(|key| backend_key(zone, key))
            .collect())
    }

    async fn add_key(&self, zone: &ZoneName, key: &NewKey) -> Result<BackendKey, BackendError> {
        let _guard = self.lock(zone).await;
        let body = types::NewCryptokey {
            keytype: match key.role {
                KeyRole::Ksk => "ksk",
                KeyRole::Zsk => "zsk",
                KeyRole::Csk => "csk",
            },
            active: key.active,
            published: key.published,
            algorithm: key.algorithm,
            // Only RSA takes a size; PowerDNS refuses a size that does not match a curve.
            bits: key.bits.filter(|_| matches!(key.algorithm, 5 | 7 | 8 | 10)),
        };
        let reply = self
            .client
            .send(Method::POST, self.key_url(zone, None), Some(&body))
            .await?;
        let created: types::Cryptokey = reply.json()?;
        backend_key(zone, created).ok_or_else(|| {
            BackendError::new(
                BackendErrorKind::Unavailable,
                "PowerDNS returned a key of an unknown type",
            )
        })
    }

    async fn set_key_state(
        &self,
        zone: &ZoneName,
        key_id: u32,
        active: bool,
        published: bool,
    ) -> Result<(), BackendError> {
        let _guard = self.lock(zone).await;
        let body = types::CryptokeyState { active, published };
        self.client
            .send(Method::PUT, self.key_url(zone, Some(key_id)), Some(&body))
            .await
            .map(drop)
    }

    async fn remove_key(&self, zone: &ZoneName, key_id: u32) -> Result<(), BackendError> {
        let _guard = self.lock(zone).await;
        self.client
            .send::<()>(Method::DELETE, self.key_url(zone, Some(key_id)), None)
            .await
            .map(drop)
    }
}

fn records_of(set: &RrSet) -> Vec<types::Record> {
    set.records
        .iter()
        .map(|r| types::Record {
            content: r.content.clone(),
            disabled: r.disabled,
        })
        .collect()
}

/// A REPLACE of `set`; an SOA gets `current_serial` (see the module docs).
fn replace_patch(set: &RrSet, current_serial: Option<u32>) -> RrSetPatch {
    let mut records = records_of(set);
    if set.rtype == RecordType::SOA
        && let Some(serial) = current_serial
    {
        for record in &mut records {
            record.content = soa::with_serial(&record.content, serial);
        }
    }
    RrSetPatch {
        name: set.name.clone(),
        rtype: set.rtype.as_str().to_owned(),
        changetype: ChangeType::Replace,
        ttl: Some(set.ttl),
        records: Some(records),
    }
}

fn current_soa_serial(zone: &types::Zone, name: &ZoneName) -> Option<u32> {
    zone.rrsets
        .iter()
        .flatten()
        .find(|set| {
            set.rtype.eq_ignore_ascii_case("SOA") && set.name.eq_ignore_ascii_case(name.fqdn())
        })
        .and_then(|set| set.records.first())
        .and_then(|record| soa::serial_of(&record.content))
}

/// PowerDNS's `keytype` describes the key's current use, not how it was made: a lone active
/// SEP key is `csk`, and so is an inactive ZSK beside it. A key without the SEP flag (256) is a
/// ZSK whatever the report says; a SEP key is a KSK beside an active ZSK and a CSK alone.
fn backend_key(zone: &ZoneName, key: types::Cryptokey) -> Option<BackendKey> {
    let role = match key.keytype.to_ascii_lowercase().as_str() {
        _ if key.flags == Some(256) => KeyRole::Zsk,
        "ksk" => KeyRole::Ksk,
        "zsk" => KeyRole::Zsk,
        "csk" => KeyRole::Csk,
        other => {
            debug!(zone = %zone, key = key.id, keytype = other, "skipping a key of an unknown type");
            return None;
        }
    };
    let algorithm = types::algorithm_number(&key.algorithm).unwrap_or_else(|| {
        debug!(zone = %zone, key = key.id, algorithm = %key.algorithm, "unknown DNSSEC algorithm mnemonic");
        0
    });
    Some(BackendKey {
        id: key.id,
        role,
        active: key.active,
        published: key.published,
        algorithm,
        bits: key.bits,
        dnskey: key.dnskey,
        // PowerDNS hands out DS for a ZSK it reports as `csk`; a DS belongs to a SEP key only.
        ds: if role == KeyRole::Zsk {
            Vec::new()
        } else {
            key.ds
                .into_iter()
                .filter(|ds| types::ds_digest_wanted(ds))
                .collect()
        },
    })
}

/// The PowerDNS zone id of `zone` (`spec/powerdns.md` §8.2): every byte outside
/// `[A-Za-z0-9.-]` becomes `=XX`, the trailing dot is kept, and the root zone is `=2E`.
/// `ZoneName` only holds letters, digits, hyphens and dots, so this is the name itself today;
/// the encoding keeps URLs right should names with `_` or `/` (RFC 2317) ever be allowed.
pub fn zone_id(zone: &ZoneName) -> String {
    encode_zone_id(zone.fqdn())
}

fn encode_zone_id(fqdn: &str) -> String {
    if fqdn == "." {
        return "=2E".to_owned();
    }
    let mut id = String::with_capacity(fqdn.len());
    for byte in fqdn.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'.' || byte == b'-' {
            id.push(char::from(byte));
        } else {
            id.push_str(&format!("={byte:02X}"));
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_ids_follow_powerdns_encoding() {
        assert_eq!(encode_zone_id("example.org."), "example.org.");
        assert_eq!(
            encode_zone_id("0/26.2.0.192.in-addr.arpa."),
            "0=2F26.2.0.192.in-addr.arpa."
        );
        assert_eq!(encode_zone_id("_tcp.example.org."), "=5Ftcp.example.org.");
        assert_eq!(encode_zone_id("."), "=2E");
        assert_eq!(
            zone_id(&ZoneName::parse("Example.COM").unwrap()),
            "example.com."
        );
    }

    #[test]
    fn soa_replace_carries_the_current_serial() {
        let set = RrSet {
            name: "example.org.".into(),
            rtype: RecordType::SOA,
            ttl: 3600,
            records: vec![RrData {
                content: "ns1.example.net. hostmaster.example.org. 0 3600 600 604800 600".into(),
                disabled: false,
            }],
        };
        let patch = replace_patch(&set, Some(2_026_112_605));
        assert_eq!(
            patch.records.unwrap()[0].content,
            "ns1.example.net. hostmaster.example.org. 2026112605 3600 600 604800 600"
        );
    }

    #[test]
    fn zone_kind_parses() {
        assert_eq!(
            "native".parse::<PdnsZoneKind>().unwrap(),
            PdnsZoneKind::Native
        );
        assert_eq!(
            "Master".parse::<PdnsZoneKind>().unwrap(),
            PdnsZoneKind::Master
        );
        assert!("slave".parse::<PdnsZoneKind>().is_err());
    }
}
