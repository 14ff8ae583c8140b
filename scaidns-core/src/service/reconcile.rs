//! Drift between the store (the intended state, interface decision 1) and the DNS backend:
//! `scaidns reconcile` compares them zone by zone and reports every difference, and with
//! `--fix` republishes each drifted zone's intended state (`sync_zone`) and brings DNSSEC key
//! flags back to what ScaiDNS decided.
//!
//! Content is compared in canonical form (both sides go through `RecordContent::from_stored`)
//! and the SOA serial, which the backend owns, is ignored. Zones in the backend that no store
//! row describes are reported as unmanaged and never deleted: they may belong to someone else.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::dnssec::DnssecKey;
use crate::error::Result;
use crate::record::{RecordContent, RecordType};
use crate::service::ScaiDns;
use crate::zone::RrSet;
use crate::zone::Zone;
use crate::zone::rules::rrsets_of;
use crate::zone::soa::with_serial;

/// One difference between the store and the backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Difference {
    /// The zone should be served but the backend does not have it.
    ZoneMissing,
    /// The backend serves a zone the store says is not active.
    ZoneNotExpected {
        /// The zone's status in the store.
        status: String,
    },
    /// The backend serves a zone no store row describes (reported, never removed).
    ZoneUnmanaged,
    /// An RRset the store has and the backend lacks.
    RrsetMissing {
        /// Owner name.
        name: String,
        /// Type.
        rtype: String,
    },
    /// An RRset the backend has and the store does not.
    RrsetExtra {
        /// Owner name.
        name: String,
        /// Type.
        rtype: String,
    },
    /// An RRset whose TTL or records differ.
    RrsetDiffers {
        /// Owner name.
        name: String,
        /// Type.
        rtype: String,
        /// `ttl content…` lines in the store.
        store: Vec<String>,
        /// `ttl content…` lines in the backend.
        backend: Vec<String>,
    },
    /// A key ScaiDNS tracks is not in the backend (cannot be repaired: disable and enable).
    KeyMissing {
        /// Key tag.
        key_tag: u16,
    },
    /// A key's active/published flags differ from its rollover state.
    KeyFlags {
        /// Key tag.
        key_tag: u16,
    },
    /// The backend holds a key ScaiDNS does not track (e.g. left by an interrupted step).
    KeyUnknown {
        /// Backend key id.
        backend_id: u32,
    },
    /// The backend could not be read for this zone.
    BackendError {
        /// Message.
        message: String,
    },
}

/// The differences of one zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZoneDrift {
    /// Zone name (no trailing dot).
    pub zone: String,
    /// Store id, when the store knows the zone.
    pub zone_id: Option<String>,
    /// What differs.
    pub differences: Vec<Difference>,
    /// Whether `--fix` repaired it (re-checked after the fix).
    pub fixed: bool,
}

/// The outcome of a reconcile run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ReconcileReport {
    /// Zones compared.
    pub checked: u64,
    /// Zones with differences.
    pub drifted: Vec<ZoneDrift>,
}

impl ScaiDns {
    /// Compares every zone of the store with the backend; with `fix`, repairs what it can and
    /// reports whether each zone is clean afterwards.
    pub async fn reconcile(&self, fix: bool) -> Result<ReconcileReport> {
        let mut report = ReconcileReport::default();
        let zones = self.all_zones_with_status(None).await?;
        for zone in &zones {
            report.checked += 1;
            let differences = self.zone_drift(zone).await?;
            if differences.is_empty() {
                continue;
            }
            let mut fixed = false;
            if fix {
                self.repair(zone, &differences).await?;
                fixed = self.zone_drift(zone).await?.is_empty();
            }
            report.drifted.push(ZoneDrift {
                zone: zone.name.to_string(),
                zone_id: Some(zone.id.to_string()),
                differences,
                fixed,
            });
        }
        if let Ok(served) = self.backend().list_zones().await {
            for name in served {
                if !zones.iter().any(|z| z.name == name) {
                    report.checked += 1;
                    report.drifted.push(ZoneDrift {
                        zone: name.to_string(),
                        zone_id: None,
                        differences: vec![Difference::ZoneUnmanaged],
                        fixed: false,
                    });
                }
            }
        }
        Ok(report)
    }

    /// What differs for one zone of the store.
    pub async fn zone_drift(&self, zone: &Zone) -> Result<Vec<Difference>> {
        let served = match self.backend().get_zone(&zone.name).await {
            Ok(served) => served,
            Err(e) => {
                return Ok(vec![Difference::BackendError { message: e.message }]);
            }
        };
        let Some(served) = served else {
            return Ok(if zone.is_published() {
                vec![Difference::ZoneMissing]
            } else {
                Vec::new()
            });
        };
        if !zone.is_published() {
            // Another tenant's active zone of the same name is the one being served.
            let other_active = self
                .store()
                .find_overlapping_zones(&zone.name)
                .await?
                .iter()
                .any(|z| z.id != zone.id && z.name == zone.name && z.is_published());
            return Ok(if other_active {
                Vec::new()
            } else {
                vec![Difference::ZoneNotExpected {
                    status: zone.status.to_string(),
                }]
            });
        }
        if zone.is_secondary() {
            // Its content is the primary's: present is all the store can ask of it.
            return Ok(Vec::new());
        }
        let records = self.zone_records(zone).await?;
        let mut differences = rrset_drift(&rrsets_of(&records), &served);
        differences.extend(self.key_drift(zone).await?);
        Ok(differences)
    }

    async fn key_drift(&self, zone: &Zone) -> Result<Vec<Difference>> {
        let stored = self.store().list_dnssec_keys(zone.id).await?;
        let Some(key_backend) = self.dnssec_key_backend() else {
            return Ok(Vec::new());
        };
        let served = match key_backend.list_keys(&zone.name).await {
            Ok(served) => served,
            Err(e) => return Ok(vec![Difference::BackendError { message: e.message }]),
        };
        let mut differences = Vec::new();
        for key in &stored {
            match served.iter().find(|s| s.id == key.backend_id) {
                None => differences.push(Difference::KeyMissing {
                    key_tag: key.key_tag,
                }),
                Some(s) if (s.active, s.published) != key.backend_flags() => {
                    differences.push(Difference::KeyFlags {
                        key_tag: key.key_tag,
                    });
                }
                Some(_) => {}
            }
        }
        for s in &served {
            if !stored.iter().any(|k| k.backend_id == s.id) {
                differences.push(Difference::KeyUnknown { backend_id: s.id });
            }
        }
        Ok(differences)
    }

    async fn repair(&self, zone: &Zone, differences: &[Difference]) -> Result<()> {
        let content = differences.iter().any(|d| {
            matches!(
                d,
                Difference::ZoneMissing
                    | Difference::ZoneNotExpected { .. }
                    | Difference::RrsetMissing { .. }
                    | Difference::RrsetExtra { .. }
                    | Difference::RrsetDiffers { .. }
                    | Difference::BackendError { .. }
            )
        });
        if content {
            let sync = self.sync_zone(zone.id).await?;
            tracing::info!(zone = %zone.name, status = %sync.status, "reconcile republished the zone");
        }
        let stored: Vec<DnssecKey> = self.store().list_dnssec_keys(zone.id).await?;
        // Key differences are only ever reported by a service that has the key port.
        let Some(key_backend) = self.dnssec_key_backend() else {
            return Ok(());
        };
        for d in differences {
            let result = match d {
                Difference::KeyFlags { key_tag } => {
                    match stored.iter().find(|k| k.key_tag == *key_tag) {
                        Some(k) => {
                            let (active, published) = k.backend_flags();
                            key_backend
                                .set_key_state(&zone.name, k.backend_id, active, published)
                                .await
                        }
                        None => Ok(()),
                    }
                }
                Difference::KeyUnknown { backend_id } => {
                    key_backend.remove_key(&zone.name, *backend_id).await
                }
                _ => Ok(()),
            };
            if let Err(e) = result {
                tracing::warn!(zone = %zone.name, error = %e, "reconcile could not repair a key");
            }
        }
        Ok(())
    }
}

/// Differences between the intended and the served RRsets (SOA serial ignored).
fn rrset_drift(intended: &[RrSet], served: &[RrSet]) -> Vec<Difference> {
    let index = |sets: &[RrSet]| -> BTreeMap<(String, String), Vec<String>> {
        sets.iter()
            .filter(|s| !s.records.is_empty())
            .map(|s| {
                let mut lines: Vec<String> = s
                    .records
                    .iter()
                    .map(|r| {
                        let content = canonical(s.rtype, &r.content);
                        let flag = if r.disabled { " (disabled)" } else { "" };
                        format!("{} {content}{flag}", s.ttl)
                    })
                    .collect();
                lines.sort();
                (
                    (s.name.to_ascii_lowercase(), s.rtype.as_str().to_owned()),
                    lines,
                )
            })
            .collect()
    };
    let want = index(intended);
    let have = index(served);
    let mut differences = Vec::new();
    for ((name, rtype), lines) in &want {
        match have.get(&(name.clone(), rtype.clone())) {
            None => differences.push(Difference::RrsetMissing {
                name: name.clone(),
                rtype: rtype.clone(),
            }),
            Some(found) if found != lines => differences.push(Difference::RrsetDiffers {
                name: name.clone(),
                rtype: rtype.clone(),
                store: lines.clone(),
                backend: found.clone(),
            }),
            Some(_) => {}
        }
    }
    for (name, rtype) in have.keys() {
        if !want.contains_key(&(name.clone(), rtype.clone())) {
            differences.push(Difference::RrsetExtra {
                name: name.clone(),
                rtype: rtype.clone(),
            });
        }
    }
    differences
}

/// Content in canonical form, serial zeroed for SOA; unparsable text is compared as it is.
fn canonical(rtype: RecordType, text: &str) -> String {
    let content = RecordContent::from_stored(rtype, text)
        .map(|c| c.as_str().to_owned())
        .unwrap_or_else(|_| text.to_owned());
    if rtype == RecordType::SOA {
        with_serial(&content, 0)
    } else {
        content
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zone::RrData;

    fn set(name: &str, rtype: RecordType, ttl: u32, contents: &[&str]) -> RrSet {
        RrSet {
            name: name.into(),
            rtype,
            ttl,
            records: contents
                .iter()
                .map(|c| RrData {
                    content: (*c).into(),
                    disabled: false,
                })
                .collect(),
        }
    }

    #[test]
    fn serial_and_spelling_do_not_count_as_drift() {
        let intended = [
            set(
                "a.test.",
                RecordType::SOA,
                3600,
                &["ns1.a.test. hostmaster.a.test. 0 3600 600 604800 600"],
            ),
            set(
                "www.a.test.",
                RecordType::A,
                300,
                &["192.0.2.1", "192.0.2.2"],
            ),
        ];
        let served = [
            set(
                "a.test.",
                RecordType::SOA,
                3600,
                &["ns1.a.test. hostmaster.a.test. 2026010101 3600 600 604800 600"],
            ),
            set(
                "WWW.a.test.",
                RecordType::A,
                300,
                &["192.0.2.2", "192.0.2.1"],
            ),
        ];
        assert!(rrset_drift(&intended, &served).is_empty());
    }

    #[test]
    fn every_kind_of_rrset_drift_is_named() {
        let intended = [
            set("a.test.", RecordType::MX, 300, &["10 mx.a.test."]),
            set("www.a.test.", RecordType::A, 300, &["192.0.2.1"]),
        ];
        let served = [
            set("www.a.test.", RecordType::A, 60, &["192.0.2.1"]),
            set("evil.a.test.", RecordType::TXT, 300, &["\"x\""]),
        ];
        let d = rrset_drift(&intended, &served);
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d.contains(&Difference::RrsetMissing {
            name: "a.test.".into(),
            rtype: "MX".into()
        }));
        assert!(d.contains(&Difference::RrsetExtra {
            name: "evil.a.test.".into(),
            rtype: "TXT".into()
        }));
        assert!(matches!(&d[1], Difference::RrsetDiffers { name, .. } if name == "www.a.test."));
    }
}
