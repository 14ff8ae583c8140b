//! Zone content through the PowerDNS API: the [`DnsBackend`] side of the adapter (create,
//! converge, read, patch, notify), with the SOA-serial handling the module docs of
//! [`super`] explain.

use std::collections::BTreeSet;

use async_trait::async_trait;
use reqwest::Method;
use tracing::debug;

use super::types::{self, ChangeType, CreateZone, Patch, RrSetPatch, ZoneSettings};
use super::{DNSSEC_TYPES, PdnsZoneKind, PowerDnsBackend, zone_id};
use crate::name::ZoneName;
use crate::ports::backend::{BackendError, BackendErrorKind, DnsBackend, SecondarySpec, ZoneSpec};
use crate::record::RecordType;
use crate::zone::secondary::TransferState;
use crate::zone::soa;
use crate::zone::{RrData, RrSet, RrSetChange};

impl PowerDnsBackend {
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
}

#[async_trait]
impl DnsBackend for PowerDnsBackend {
    fn name(&self) -> &'static str {
        "powerdns"
    }

    fn supports_secondaries(&self) -> bool {
        true
    }

    async fn create_secondary_zone(&self, spec: &SecondarySpec) -> Result<(), BackendError> {
        self.put_secondary_zone(spec).await
    }

    async fn transfer_state(&self, zone: &ZoneName) -> Result<Option<TransferState>, BackendError> {
        self.read_transfer_state(zone).await
    }

    async fn retrieve(&self, zone: &ZoneName) -> Result<(), BackendError> {
        self.retrieve_now(zone).await
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
        // A secondary's TSIG keys go with it (their names are the zone's, see
        // `TsigKey::wire_name`): a key left behind would be a secret nothing uses.
        self.delete_zone_tsig_keys(zone).await?;
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
        if self.zone_kind == PdnsZoneKind::Native {
            // PowerDNS sends no NOTIFY for a Native zone (its secondaries replicate the
            // database), and refuses the request: save the round trip.
            return Ok(());
        }
        let url = self.client.url(&["zones", &zone_id(zone), "notify"], &[]);
        self.client
            .send::<()>(Method::PUT, url, None)
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
