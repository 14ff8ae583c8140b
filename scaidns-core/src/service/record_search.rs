//! Searching records across every zone a caller may read (`GET /api/v1/records?search=`): the
//! set of zones comes from the caller's authorisation, exactly as the zone list decides it, and
//! the store counts and pages the matches inside that set, so no other tenant's record is ever
//! read. Only a caller whose grants narrow some zone to some records has its matches filtered
//! here, over the zones its grants name and nothing else. Secondary zones hold no records in the
//! store (their primary owns them), so a search never finds theirs: their own record list reads
//! them from the backend (see docs/decisions.md, secondary zones).

use super::queries::{PageQuery, RecordQuery};
use crate::error::{Error, ErrorKind, Result};
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
        // Paged by the database only when every zone searched is listed and seen whole: a zone
        // the snapshot misses (created, moved or deleted meanwhile) is filtered, never trusted.
        let all_whole = ids.iter().all(|id| {
            zones
                .iter()
                .any(|z| z.id == *id && principal.record_view(read, z.id, z.tenant_id).is_whole())
        });
        let scope = RecordScope {
            tenant_id: None,
            zone_ids: Some(ids),
        };
        let visible = |hit: &RecordHit| {
            let r = &hit.record;
            principal
                .record_view(read, r.zone_id, hit.tenant_id)
                .covers(&r.name.relative_to(&hit.zone_name), r.rtype())
        };
        if all_whole {
            let mut found = store.search_records(&scope, &filter, page).await?;
            found.items.retain(visible);
            return Ok(found);
        }
        let found = store
            .search_records(&scope, &filter, in_memory_page())
            .await?;
        check_in_memory(found.total)?;
        let visible: Vec<RecordHit> = found.items.into_iter().filter(visible).collect();
        Ok(Page {
            total: visible.len() as u64,
            items: page.slice(&visible).to_vec(),
        })
    }
}

/// Most matches a search filters in memory (a caller whose grants narrow some zone): beyond
/// this it is refused rather than holding every match of every zone the caller reaches.
pub const MAX_IN_MEMORY_MATCHES: u64 = 10_000;

/// The one page that reads every match up to the bound (and the real total).
fn in_memory_page() -> PageRequest {
    PageRequest {
        page: 1,
        page_size: MAX_IN_MEMORY_MATCHES as u32,
    }
}

/// Refuses a search whose matches would not all be held.
fn check_in_memory(total: u64) -> Result<()> {
    if total <= MAX_IN_MEMORY_MATCHES {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidInput,
        "search_too_broad",
        format!(
            "the search matches {total} records in the zones your grants reach, more than \
             {MAX_IN_MEMORY_MATCHES} can be filtered at once; narrow the search text or type, \
             or search one zone (POST /api/v1/domains/{{id}}/records/search)"
        ),
    )
    .with_field("search"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_memory_search_is_bounded() {
        assert!(check_in_memory(MAX_IN_MEMORY_MATCHES).is_ok());
        let err = check_in_memory(MAX_IN_MEMORY_MATCHES + 1).unwrap_err();
        assert_eq!(err.code(), "search_too_broad");
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(u64::from(in_memory_page().page_size), MAX_IN_MEMORY_MATCHES);
    }
}
