//! The embedded backend's zone data: RRsets, the SOA serial it owns, the checks that keep bad
//! content out, and the build of the hickory zone handler that answers for a zone.
//!
//! Every change produces a whole new [`ZoneData`] and handler before anything is replaced, so a
//! rejected change leaves the served zone untouched (the same all-or-nothing result as a
//! PowerDNS PATCH transaction).

use std::collections::BTreeMap;
use std::sync::Arc;

use hickory_server::proto::rr::{LowerName, Name, Record, RecordSet, RrKey};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, ZoneHandler, ZoneType};

use super::rdata::to_rdata;
use crate::name::ZoneName;
use crate::ports::backend::{BackendError, BackendErrorKind};
use crate::record::content::hickory::dns_name;
use crate::record::ttl::MAX_PROTOCOL_TTL;
use crate::record::{RecordContent, RecordType};
use crate::zone::soa;
use crate::zone::{RrData, RrSet, RrSetChange};

use super::alias::Expansion;

/// One zone as the embedded backend holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ZoneData {
    /// RRsets by (owner, type); the SOA content keeps whatever serial it was given.
    rrsets: BTreeMap<(String, RecordType), RrSet>,
    /// The serial served, owned by the backend.
    pub serial: u32,
}

impl ZoneData {
    /// Zone content from a full RRset list (creation). Empty RRsets are ignored.
    pub fn new(zone: &ZoneName, rrsets: &[RrSet], serial: u32) -> Result<Self, BackendError> {
        let mut data = Self {
            rrsets: BTreeMap::new(),
            serial,
        };
        for set in rrsets {
            data.replace(set);
        }
        data.check(zone)?;
        Ok(data)
    }

    /// The content after `changes`, in order, with the serial moved to `serial`.
    pub fn applied(
        &self,
        zone: &ZoneName,
        changes: &[RrSetChange],
        serial: u32,
    ) -> Result<Self, BackendError> {
        let mut next = self.clone();
        next.serial = serial;
        for change in changes {
            match change {
                RrSetChange::Replace(set) => {
                    if !set.records.is_empty() {
                        check_owner(zone, &set.name)?;
                    }
                    next.replace(set);
                }
                RrSetChange::Delete { name, rtype } => {
                    next.rrsets.remove(&(name.to_ascii_lowercase(), *rtype));
                }
            }
        }
        next.check(zone)?;
        Ok(next)
    }

    fn replace(&mut self, set: &RrSet) {
        let key = (set.name.to_ascii_lowercase(), set.rtype);
        if set.records.is_empty() {
            self.rrsets.remove(&key);
            return;
        }
        let mut stored = set.clone();
        stored.name.clone_from(&key.0);
        stored.records.sort();
        stored.records.dedup();
        self.rrsets.insert(key, stored);
    }

    /// RRsets as `get_zone` reports them: sorted, SOA carrying the served serial.
    pub fn rrsets(&self) -> Vec<RrSet> {
        self.rrsets.values().map(|set| self.served(set)).collect()
    }

    fn served(&self, set: &RrSet) -> RrSet {
        let mut set = set.clone();
        if set.rtype == RecordType::SOA {
            for record in &mut set.records {
                record.content = soa::with_serial(&record.content, self.serial);
            }
        }
        set
    }

    /// The rules PowerDNS also enforces on a PATCH (`spec/powerdns.md` §8.4), as far as an
    /// authoritative server needs them to answer correctly, plus parseable content.
    fn check(&self, zone: &ZoneName) -> Result<(), BackendError> {
        let apex = zone.fqdn();
        let soa = self
            .rrsets
            .get(&(apex.to_owned(), RecordType::SOA))
            .ok_or_else(|| rejected(format!("zone {zone} must have an SOA record at its apex")))?;
        if soa.records.len() != 1 || soa.records.iter().any(|r| r.disabled) {
            return Err(rejected(format!(
                "zone {zone} needs exactly one enabled SOA record"
            )));
        }
        let mut types_at: BTreeMap<&str, Vec<RecordType>> = BTreeMap::new();
        for ((name, rtype), set) in &self.rrsets {
            check_owner(zone, name)?;
            let at_apex = name == apex;
            match rtype {
                RecordType::SOA if !at_apex => {
                    return Err(rejected(format!("{name}: SOA is only allowed at the apex")));
                }
                RecordType::DS if at_apex => {
                    return Err(rejected(format!("{name}: DS is not allowed at the apex")));
                }
                RecordType::ALIAS | RecordType::CNAME | RecordType::DNAME
                    if set.records.len() > 1 =>
                {
                    return Err(rejected(format!(
                        "{name}: {rtype} must have a single record"
                    )));
                }
                _ => {}
            }
            if set.ttl > MAX_PROTOCOL_TTL {
                return Err(rejected(format!(
                    "{name}/{rtype}: TTL {} is out of range",
                    set.ttl
                )));
            }
            for record in &set.records {
                to_rdata(*rtype, &record.content).map_err(|e| rejected(format!("{name}: {e}")))?;
            }
            types_at.entry(name).or_default().push(*rtype);
        }
        for (name, types) in types_at {
            if types.contains(&RecordType::CNAME) && types.len() > 1 {
                return Err(rejected(format!(
                    "{name}: CNAME cannot coexist with other records (RFC 1034 §3.6.2)"
                )));
            }
        }
        Ok(())
    }

    /// The enabled ALIAS records: (owner, TTL, target).
    pub fn aliases(&self) -> Vec<(String, u32, String)> {
        self.rrsets
            .values()
            .filter(|set| set.rtype == RecordType::ALIAS)
            .flat_map(|set| {
                set.records
                    .iter()
                    .filter(|r| !r.disabled)
                    .map(|r| (set.name.clone(), set.ttl, r.content.clone()))
            })
            .collect()
    }

    /// A hickory zone handler serving the enabled records, with ALIAS names answering the
    /// addresses in `expansions` (the ALIAS itself stays as a placeholder of its private type).
    pub fn handler(
        &self,
        zone: &ZoneName,
        expansions: &[Expansion],
    ) -> Result<Arc<dyn ZoneHandler>, BackendError> {
        let origin =
            Name::from_ascii(zone.fqdn()).map_err(|e| rejected(format!("zone {zone}: {e}")))?;
        let mut records: BTreeMap<RrKey, RecordSet> = BTreeMap::new();
        let expanded = expansions.iter().flat_map(|e| {
            [(RecordType::A, &e.a), (RecordType::AAAA, &e.aaaa)]
                .into_iter()
                .filter(|(_, contents)| !contents.is_empty())
                .map(|(rtype, contents)| RrSet {
                    name: e.owner.clone(),
                    rtype,
                    ttl: e.ttl,
                    // Only what serves as is: an IPv4-mapped AAAA from a resolver would be
                    // refused below and take the whole zone down with it.
                    records: contents
                        .iter()
                        .filter(|c| {
                            RecordContent::from_stored(rtype, c).is_ok_and(|p| p.as_str() == *c)
                        })
                        .map(|c| RrData {
                            content: c.clone(),
                            disabled: false,
                        })
                        .collect(),
                })
        });
        let own = self.rrsets.values().map(|set| self.served(set));
        for set in own.chain(expanded) {
            let owner = dns_name(&set.name).map_err(rejected)?;
            for record in set.records.iter().filter(|r| !r.disabled) {
                let rdata = to_rdata(set.rtype, &record.content).map_err(rejected)?;
                let key = RrKey::new(LowerName::new(&owner), rdata.record_type());
                records
                    .entry(key)
                    .or_insert_with(|| {
                        RecordSet::with_ttl(owner.clone(), rdata.record_type(), set.ttl)
                    })
                    .insert(
                        Record::from_rdata(owner.clone(), set.ttl, rdata),
                        self.serial,
                    );
            }
        }
        let handler =
            InMemoryZoneHandler::<hickory_server::net::runtime::TokioRuntimeProvider>::new(
                origin,
                records,
                ZoneType::Primary,
                AxfrPolicy::Deny,
            )
            .map_err(rejected)?;
        Ok(Arc::new(handler))
    }
}

/// The serial after `current` on day `yyyymmdd`: PowerDNS's SOA-EDIT-API `DEFAULT` rule
/// (YYYYMMDDnn, or one more than the current serial when that is already higher), so both
/// backends number versions alike.
pub(super) fn next_serial(current: Option<u32>, yyyymmdd: u32) -> u32 {
    let day_start = yyyymmdd.saturating_mul(100).saturating_add(1);
    match current {
        Some(serial) if serial >= day_start => serial.wrapping_add(1).max(1),
        _ => day_start,
    }
}

fn check_owner(zone: &ZoneName, name: &str) -> Result<(), BackendError> {
    let lower = name.to_ascii_lowercase();
    if !zone.contains_fqdn(&lower) {
        return Err(rejected(format!("name '{name}' is out of zone {zone}")));
    }
    dns_name(&lower).map(drop).map_err(rejected)
}

fn rejected(message: impl Into<String>) -> BackendError {
    BackendError::new(BackendErrorKind::Rejected, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zone::RrData;

    fn zone() -> ZoneName {
        ZoneName::parse("example.org").unwrap()
    }

    fn set(name: &str, rtype: RecordType, contents: &[&str]) -> RrSet {
        RrSet {
            name: name.to_owned(),
            rtype,
            ttl: 300,
            records: contents
                .iter()
                .map(|c| RrData {
                    content: (*c).to_owned(),
                    disabled: false,
                })
                .collect(),
        }
    }

    fn base() -> Vec<RrSet> {
        vec![
            set(
                "example.org.",
                RecordType::SOA,
                &["ns1.example.net. hostmaster.example.org. 0 3600 600 604800 600"],
            ),
            set("example.org.", RecordType::NS, &["ns1.example.net."]),
        ]
    }

    #[test]
    fn serials_follow_the_powerdns_default_rule() {
        assert_eq!(next_serial(None, 20_260_126), 2_026_012_601);
        assert_eq!(next_serial(Some(2_026_012_601), 20_260_126), 2_026_012_602);
        assert_eq!(next_serial(Some(2_026_012_599), 20_260_126), 2_026_012_601);
        assert_eq!(next_serial(Some(4_000_000_000), 20_260_126), 4_000_000_001);
    }

    /// Names with an edge hyphen are valid DNS (RFC 2181 §11) and PowerDNS serves them; the
    /// embedded backend must too, as owners and as targets.
    #[test]
    fn serves_names_with_edge_hyphens() {
        let mut sets = base();
        sets.push(set(
            "-a.example.org.",
            RecordType::CNAME,
            &["b-.example.net."],
        ));
        let data = ZoneData::new(&zone(), &sets, 1).unwrap();
        data.handler(&zone(), &[]).unwrap();
    }

    #[test]
    fn serves_the_backend_serial() {
        let data = ZoneData::new(&zone(), &base(), 7).unwrap();
        let soa = data
            .rrsets()
            .into_iter()
            .find(|s| s.rtype == RecordType::SOA)
            .unwrap();
        assert_eq!(soa::serial_of(&soa.records[0].content), Some(7));
        data.handler(&zone(), &[]).unwrap();
    }

    #[test]
    fn rejects_bad_changes_without_touching_the_original() {
        let data = ZoneData::new(&zone(), &base(), 1).unwrap();
        let bad = [
            RrSetChange::Replace(set("www.example.org.", RecordType::A, &["not-an-address"])),
            RrSetChange::Replace(set("www.other.org.", RecordType::A, &["192.0.2.1"])),
            RrSetChange::Delete {
                name: "example.org.".into(),
                rtype: RecordType::SOA,
            },
            RrSetChange::Replace(set("example.org.", RecordType::CNAME, &["x.example.net."])),
            RrSetChange::Replace(set(
                "a.example.org.",
                RecordType::CNAME,
                &["x.example.net.", "y.example.net."],
            )),
        ];
        for change in bad {
            let err = data
                .applied(&zone(), std::slice::from_ref(&change), 2)
                .unwrap_err();
            assert_eq!(err.kind, BackendErrorKind::Rejected, "{change:?}");
        }
        assert_eq!(data.serial, 1);
        assert_eq!(data.rrsets().len(), 2);
    }

    #[test]
    fn cname_switch_in_one_apply() {
        let mut sets = base();
        sets.push(set("www.example.org.", RecordType::A, &["192.0.2.1"]));
        let data = ZoneData::new(&zone(), &sets, 1).unwrap();
        let next = data
            .applied(
                &zone(),
                &[
                    RrSetChange::Delete {
                        name: "www.example.org.".into(),
                        rtype: RecordType::A,
                    },
                    RrSetChange::Replace(set(
                        "www.example.org.",
                        RecordType::CNAME,
                        &["target.example.net."],
                    )),
                ],
                2,
            )
            .unwrap();
        assert_eq!(next.serial, 2);
        assert!(next.rrsets().iter().any(|s| s.rtype == RecordType::CNAME));
        next.handler(&zone(), &[]).unwrap();
    }
}
