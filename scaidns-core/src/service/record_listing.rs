//! Reading a zone's records a page at a time: the list (`GET …/records`) and the search inside
//! one zone (`?search=`, `POST …/records/search`). Results are ordered by name, type, content
//! and id, so pages are stable while the zone is unchanged.
//!
//! The plain list (no text filter) is served from the record cache: the zone's whole set under
//! the filter is kept by generation and each page is cut from it and rendered once for every
//! caller who sees the whole zone. A text filter is answered by the store, one page at a time,
//! and never cached (a caller could otherwise fill the cache with sets that each cost nothing).

use std::sync::Arc;

use super::queries::{PageQuery, RecordQuery};
use crate::error::Result;
use crate::ids::ZoneId;
use crate::paging::PageRequest;
use crate::ports::store::{RecordFilter, RecordScope};
use crate::rbac::{Permission, RecordView};
use crate::record::Record;
use crate::service::record_cache::RecordSet;
use crate::service::{OpContext, ScaiDns};
use crate::zone::Zone;

/// One page of the records of a zone a caller may see ([`ScaiDns::record_page`]).
#[derive(Debug)]
pub struct RecordListing {
    zone: Arc<Zone>,
    page: PageRequest,
    total: u64,
    whole: bool,
    records: Listed,
}

#[derive(Debug)]
enum Listed {
    /// The caller sees the whole cached set: the page is cut from it, and its rendering is
    /// shared with every such caller.
    Whole(Arc<RecordSet>),
    /// This page only, read for this caller (a text search, or narrowed grants): never
    /// rendered for anyone else.
    Page(Vec<Record>),
}

impl RecordListing {
    /// The zone, as of the generation the records belong to.
    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// The records of this page.
    pub fn records(&self) -> &[Record] {
        match &self.records {
            Listed::Whole(set) => self.page.slice(set.records()),
            Listed::Page(records) => records,
        }
    }

    /// Records across all pages.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Whether the caller sees every record of the zone. Only then is the listing fixed by the
    /// zone's generation: a narrowed caller's records also change with its grants, which the
    /// generation does not follow (so such an answer must not be a 304).
    pub fn is_whole(&self) -> bool {
        self.whole
    }

    /// The answer's body as `render` makes it from the zone, this page's records, the total
    /// and the page asked for. Made once per cached set and page, and shared by every caller
    /// who sees the whole set, so `render` must depend on nothing else (not on the caller, not
    /// on the request); made afresh for any other answer.
    pub fn rendered(
        &self,
        render: impl FnOnce(&Zone, &[Record], u64, PageQuery) -> Vec<u8>,
    ) -> Arc<[u8]> {
        let page = PageQuery {
            page: self.page.page,
            page_size: self.page.page_size,
        };
        match &self.records {
            Listed::Whole(set) => set.rendered(self.page, |records| {
                render(&self.zone, records, self.total, page)
            }),
            Listed::Page(records) => Arc::from(render(&self.zone, records, self.total, page)),
        }
    }
}

impl ScaiDns {
    /// All records of a zone visible to the caller.
    pub async fn record_list(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        query: RecordQuery,
    ) -> Result<(Zone, Vec<Record>)> {
        let listing = self.record_listing(ctx, zone_id, query).await?;
        Ok((listing.zone().clone(), listing.records().to_vec()))
    }

    /// All records of a zone visible to the caller, as cached ([`Self::record_page`] with
    /// everything on one page).
    pub async fn record_listing(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        query: RecordQuery,
    ) -> Result<RecordListing> {
        self.paged_records(ctx, zone_id, query, PageRequest::ALL)
            .await
    }

    /// One page of the records of a zone visible to the caller: an unchanged zone is listed
    /// without touching the store (`zone_cache`, `record_cache`), and each page's answer is
    /// rendered once ([`RecordListing::rendered`]). A text filter (`name_contains`, `query`:
    /// case-insensitive substrings, `%` and `_` literal) is answered by the store.
    pub async fn record_page(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        query: RecordQuery,
        page: PageQuery,
    ) -> Result<RecordListing> {
        self.paged_records(ctx, zone_id, query, page.into()).await
    }

    async fn paged_records(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        query: RecordQuery,
        page: PageRequest,
    ) -> Result<RecordListing> {
        let filter = RecordFilter::from(query);
        ctx.require(Permission::RECORDS_READ)?;
        let zone = self
            .authorized_zone_cached(ctx, Permission::RECORDS_READ, zone_id)
            .await?;
        // Callers whose access comes from narrowed grants see only the records they cover.
        let principal = self.principal(ctx).await?;
        let view = principal.record_view(Permission::RECORDS_READ, zone.id, zone.tenant_id);
        if zone.is_secondary() {
            // The primary's records, as the backend serves them; never cached by generation
            // (a transfer changes them without a new one), so never `whole` (no 304 either).
            let records = self.secondary_records(&zone, &filter).await?;
            let covered = covered(&view, &zone, &records);
            return Ok(RecordListing {
                zone,
                page,
                total: covered.len() as u64,
                whole: false,
                records: Listed::Page(page.slice(&covered).to_vec()),
            });
        }
        let text_search = filter.name_contains.is_some() || filter.query.is_some();
        if text_search && view.is_whole() {
            let scope = RecordScope {
                tenant_id: Some(zone.tenant_id),
                zone_ids: Some(vec![zone.id]),
            };
            let found = self.store().search_records(&scope, &filter, page).await?;
            return Ok(RecordListing {
                zone,
                page,
                total: found.total,
                whole: true,
                records: Listed::Page(found.items.into_iter().map(|h| h.record).collect()),
            });
        }
        let set = if text_search {
            Arc::new(RecordSet::new(
                self.store().list_records(zone.id, &filter).await?,
            ))
        } else {
            self.cached_records(&zone, &filter).await?
        };
        if view.is_whole() {
            return Ok(RecordListing {
                zone,
                page,
                total: set.records().len() as u64,
                whole: true,
                records: Listed::Whole(set),
            });
        }
        let covered = covered(&view, &zone, set.records());
        Ok(RecordListing {
            zone,
            page,
            total: covered.len() as u64,
            whole: false,
            records: Listed::Page(page.slice(&covered).to_vec()),
        })
    }

    /// The zone's whole set under `filter` at the zone's generation, from the cache or read and
    /// kept.
    pub(crate) async fn cached_records(
        &self,
        zone: &Zone,
        filter: &RecordFilter,
    ) -> Result<Arc<RecordSet>> {
        if let Some(set) = self.record_cache.get(zone.id, zone.generation, filter) {
            return Ok(set);
        }
        let records = self.store().list_records(zone.id, filter).await?;
        let set = Arc::new(RecordSet::new(records));
        self.record_cache
            .put(zone.id, zone.generation, filter, Arc::clone(&set));
        Ok(set)
    }
}

/// The records `view` covers, in their order.
pub(crate) fn covered(view: &RecordView<'_>, zone: &Zone, records: &[Record]) -> Vec<Record> {
    records
        .iter()
        .filter(|r| view.covers_record(&zone.name, r))
        .cloned()
        .collect()
}
