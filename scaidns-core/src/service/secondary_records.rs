//! The records of a secondary zone, read from the backend: the primary owns them and the store
//! holds none. Ids are derived from the record itself (zone, name, type, content), so a record
//! keeps its id across reads while the primary keeps it; they answer no other endpoint.

use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::ids::RecordId;
use crate::ports::store::RecordFilter;
use crate::record::{Record, RecordContent, RecordName, RecordType, Ttl};
use crate::service::ScaiDns;
use crate::service::publish::backend_error;
use crate::zone::Zone;

impl ScaiDns {
    /// The records the backend serves for secondary `zone` that `filter` keeps, in name, type,
    /// content order. Data ScaiDNS cannot model (a type it does not know, content it would
    /// refuse) is left out rather than failing the read.
    pub(crate) async fn secondary_records(
        &self,
        zone: &Zone,
        filter: &RecordFilter,
    ) -> Result<Vec<Record>> {
        let served = self
            .backend()
            .get_zone(&zone.name)
            .await
            .map_err(|e| backend_error(&e))?
            .unwrap_or_default();
        let lower = |s: &Option<String>| s.as_ref().map(|s| s.to_lowercase());
        let (name_contains, query) = (lower(&filter.name_contains), lower(&filter.query));
        let mut records = Vec::new();
        for set in served {
            let apex = set.name.trim_end_matches('.') == zone.name.as_str();
            let system = apex && matches!(set.rtype, RecordType::SOA | RecordType::NS);
            if (system && !filter.include_system) || filter.rtype.is_some_and(|t| t != set.rtype) {
                continue;
            }
            let (Ok(name), Ok(ttl)) = (
                RecordName::parse(&set.name, &zone.name),
                Ttl::new(i64::from(set.ttl)),
            ) else {
                continue;
            };
            for data in &set.records {
                let Ok(content) = RecordContent::parse(set.rtype, &data.content, &zone.name) else {
                    continue;
                };
                let shown_name = name.as_str().to_lowercase();
                if name_contains
                    .as_ref()
                    .is_some_and(|n| !shown_name.contains(n.as_str()))
                    || query.as_ref().is_some_and(|q| {
                        !shown_name.contains(q.as_str())
                            && !content.as_str().to_lowercase().contains(q.as_str())
                    })
                {
                    continue;
                }
                records.push(Record {
                    id: derived_id(zone, &name, &content),
                    zone_id: zone.id,
                    name: name.clone(),
                    content,
                    ttl,
                    disabled: data.disabled,
                    system,
                    created_at: zone.created_at,
                    updated_at: zone.updated_at,
                });
            }
        }
        records.sort_by(|a, b| {
            (a.name.as_str(), a.rtype().as_str(), a.content.as_str()).cmp(&(
                b.name.as_str(),
                b.rtype().as_str(),
                b.content.as_str(),
            ))
        });
        Ok(records)
    }
}

fn derived_id(zone: &Zone, name: &RecordName, content: &RecordContent) -> RecordId {
    let digest = Sha256::new()
        .chain_update(zone.id.to_string())
        .chain_update([0])
        .chain_update(name.as_str())
        .chain_update([0])
        .chain_update(content.rtype().as_str())
        .chain_update([0])
        .chain_update(content.as_str())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    RecordId::from_uuid(uuid::Builder::from_custom_bytes(bytes).into_uuid())
}
