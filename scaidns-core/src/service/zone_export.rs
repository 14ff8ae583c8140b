//! Zone export (spec §7.1, §7.2): a zone's records as a BIND, JSON or CSV file.

use std::sync::Arc;

use crate::error::Result;
use crate::ids::ZoneId;
use crate::ports::store::RecordFilter;
use crate::rbac::Permission;
use crate::record::Record;
use crate::service::{OpContext, ScaiDns};
use crate::zone::Zone;
use crate::zone_file::render::{ZoneFileFormat, render};

/// A zone's file as [`ScaiDns::zone_export`] made it.
#[derive(Debug, Clone)]
pub struct ZoneExport {
    /// The zone, as of the generation the file shows.
    pub zone: Arc<Zone>,
    /// The file's format.
    pub format: ZoneFileFormat,
    /// The file.
    pub text: String,
    /// Whether the file is fixed by the zone's generation (its `ETag`): not for a caller whose
    /// grants narrow the zone (the file also changes with its grants), nor for a secondary
    /// (its records change with a transfer).
    pub fixed: bool,
}

impl ScaiDns {
    /// The records of a zone the caller may read, as a file in `format`. Read like the record
    /// list: from the record cache while the zone is unchanged, and narrowed to the records a
    /// caller's grants cover. The SOA and apex NS are always in a BIND file, so that it loads:
    /// they are the platform's, and what they say is served to anyone.
    pub async fn zone_export(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        format: ZoneFileFormat,
    ) -> Result<ZoneExport> {
        ctx.require(Permission::RECORDS_READ)?;
        let zone = self
            .authorized_zone_cached(ctx, Permission::RECORDS_READ, zone_id)
            .await?;
        let filter = RecordFilter {
            include_system: true,
            ..RecordFilter::default()
        };
        // A secondary's records are the primary's, read from the backend like its record list.
        let (secondary, cached);
        let all: &[Record] = if zone.is_secondary() {
            secondary = self.secondary_records(&zone, &filter).await?;
            &secondary
        } else {
            cached = self.cached_records(&zone, &filter).await?;
            cached.records()
        };
        let principal = self.principal(ctx).await?;
        let view = principal.record_view(Permission::RECORDS_READ, zone.id, zone.tenant_id);
        let records: Vec<&Record> = all
            .iter()
            .filter(|r| r.system || view.covers_record(&zone.name, r))
            .collect();
        let text = render(format, &zone.name, zone.default_ttl, &records);
        let fixed = !zone.is_secondary() && view.is_whole();
        Ok(ZoneExport {
            zone,
            format,
            text,
            fixed,
        })
    }
}
