//! Searching records across every zone a caller may read (`GET /api/v1/records?search=`): the
//! set of zones comes from the caller's authorisation, exactly as the zone list decides it, and
//! the store counts and pages the matches inside that set, so no other tenant's record is ever
//! read. Only a caller whose grants narrow some zone to some records has its matches filtered
//! here, over the zones its grants name and nothing else.

use super::queries::{PageQuery, RecordQuery};
use crate::error::{Error, Result};
use crate::paging::{Page, PageRequest};
use crate::ports::store::{RecordFilter, RecordScope, ZoneFilter};
use crate::rbac::Permission;
use crate::service::{OpContext, ScaiDns};

/// What a search answers: a record with its zone's tenant and name.
pub use crate::ports::store::RecordHit;

/// Longest search text, in characters: longer than any name or the content a search is for.
pub const MAX_SEARCH_CHARS: usize = 255;

impl ScaiDns {
    /// One page of the records matching `query` in the zones the caller may read (records of
    /// soft-deleted zones and system records excluded), ordered by zone name, then name, type,
    /// content and id. `query.query` is required: a case-insensitive substring of the name or
    /// the content, where `%` and `_` are literal.
    pub async fn record_search(
        &self,
        ctx: &OpContext,
        query: RecordQuery,
        page: PageQuery,
    ) -> Result<Page<RecordHit>> {
        ctx.require(Permission::RECORDS_READ)?;
        let filter = RecordFilter {
            include_system: false,
            ..RecordFilter::from(query)
        };
        if filter.query.as_deref().is_none_or(str::is_empty) {
            return Err(Error::bad_query("search", "give the text to search for"));
        }
        let read = Permission::RECORDS_READ;
        let principal = self.principal(ctx).await?;
        let page = PageRequest::from(page);
        let store = self.store();
        if principal.covers_all_tenants(read) {
            return store
                .search_records(&RecordScope::default(), &filter, page)
                .await;
        }
        if principal.covers_tenant(read, ctx.tenant_id) {
            let scope = RecordScope {
                tenant_id: Some(ctx.tenant_id),
                zone_ids: None,
            };
            return store.search_records(&scope, &filter, page).await;
        }
        // Only what domain-scope roles and live grants reach, as the zone list shows.
        let ids = principal.zones_with(read);
        if ids.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
            });
        }
        let zones = store
            .list_zones(
                &ZoneFilter {
                    ids: Some(ids.clone()),
                    ..ZoneFilter::default()
                },
                PageRequest::ALL,
            )
            .await?
            .items;
        let scope = RecordScope {
            tenant_id: None,
            zone_ids: Some(ids),
        };
        let narrowed: Vec<_> = zones
            .iter()
            .filter(|z| !principal.record_view(read, z.id, z.tenant_id).is_whole())
            .map(|z| z.id)
            .collect();
        if narrowed.is_empty() {
            return store.search_records(&scope, &filter, page).await;
        }
        let found = store
            .search_records(&scope, &filter, PageRequest::ALL)
            .await?;
        let visible: Vec<RecordHit> = found
            .items
            .into_iter()
            .filter(|hit| {
                let r = &hit.record;
                !narrowed.contains(&r.zone_id)
                    || principal
                        .record_view(read, r.zone_id, hit.tenant_id)
                        .covers(&r.name.relative_to(&hit.zone_name), r.rtype())
            })
            .collect();
        Ok(Page {
            total: visible.len() as u64,
            items: page.slice(&visible).to_vec(),
        })
    }
}
