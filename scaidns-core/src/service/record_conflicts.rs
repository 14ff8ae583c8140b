//! A zone-rule refusal names the records in the way (`conflicts`), but only those the caller
//! may read: a caller held to `*.dev` learns that its CNAME clashes, not the id of a record it
//! cannot see (the record list and `record_get` hide it too).

use std::collections::HashMap;

use crate::error::Error;
use crate::rbac::{Permission, RecordView};
use crate::record::Record;
use crate::service::{OpContext, ScaiDns};
use crate::zone::Zone;

/// The zone's records by id, and what the caller may read of them.
pub(crate) struct ReadableConflicts<'a> {
    zone: &'a Zone,
    by_id: HashMap<String, &'a Record>,
}

impl<'a> ReadableConflicts<'a> {
    /// For refusals about `existing`, the records of `zone`.
    pub(crate) fn new(zone: &'a Zone, existing: &'a [Record]) -> Self {
        Self {
            zone,
            by_id: existing.iter().map(|r| (r.id.to_string(), r)).collect(),
        }
    }

    /// `error` with only the conflicts `view` covers (the refusal itself stays).
    pub(crate) fn filter(&self, view: &RecordView<'_>, error: Error) -> Error {
        if error.conflicts().is_empty() || view.is_whole() {
            return error;
        }
        let readable: Vec<String> = error
            .conflicts()
            .iter()
            .filter(|id| {
                self.by_id
                    .get(id.as_str())
                    .is_some_and(|r| view.covers(&r.name.relative_to(&self.zone.name), r.rtype()))
            })
            .cloned()
            .collect();
        error.with_conflicts(readable)
    }
}

impl ScaiDns {
    /// `error` (a zone-rule refusal about `existing`) with only the conflicts the caller of
    /// `ctx` may read.
    pub(crate) async fn readable_conflicts(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        existing: &[Record],
        error: Error,
    ) -> Result<Error, Error> {
        if error.conflicts().is_empty() {
            return Ok(error);
        }
        let principal = self.principal(ctx).await?;
        let view = principal.record_view(Permission::RECORDS_READ, zone.id, zone.tenant_id);
        Ok(ReadableConflicts::new(zone, existing).filter(&view, error))
    }
}
