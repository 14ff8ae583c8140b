//! Storage: the intended state of every zone, and everything else ScaiDNS owns.
//!
//! Narrow capability traits combined into [`Store`]. A change to a zone and its records is one
//! call ([`ZoneStore::write_zone`]) carrying the whole change set, the expected generation and
//! the audit entries, so the transaction and the optimistic-concurrency check live inside the
//! adapter. The same call takes a [`Publisher`]: the adapter runs it inside the transaction after
//! the rows are written, commits only when it did not fail, and records the outcome as the
//! zone's sync state — so the store never claims a record the backend refused.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::audit::{ActorType, AuditEvent};
// Re-exported: every list method of the store speaks in pages.
use crate::error::Result;
use crate::identity::api_key::ApiKey;
use crate::ids::{ApiKeyId, AuditEventId, RecordId, TenantId, UserId, ZoneId};
use crate::name::ZoneName;
use crate::ownership::Validation;
// The canonical path is `crate::paging`; kept for the zone-write and API-key files that other
// branches are changing at the same time (remove once they import `crate::paging`).
pub use crate::paging::{Page, PageRequest};
use crate::record::{Record, RecordType};
use crate::tenant::{Tenant, User};
use crate::zone::change_set::RrSetDelta;
use crate::zone::claims::OverlapPolicy;
use crate::zone::comments::RrsetComments;
use crate::zone::history::HistoryEntry;
use crate::zone::{DomainType, SyncState, Zone, ZoneStatus};

/// Zone list filter. `tenant_id: None` lists every tenant's zones (platform admins).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZoneFilter {
    /// Restrict to one tenant.
    pub tenant_id: Option<TenantId>,
    /// Restrict to these zone ids (grant-only callers).
    pub ids: Option<Vec<ZoneId>>,
    /// Exact status.
    pub status: Option<ZoneStatus>,
    /// Exact type.
    pub domain_type: Option<DomainType>,
    /// DNSSEC flag.
    pub dnssec_enabled: Option<bool>,
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
    /// Include soft-deleted zones (also implied by `status: Some(Deleted)`).
    pub include_deleted: bool,
}

/// Record list filter. Results are ordered by name, type, content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFilter {
    /// Exact type.
    pub rtype: Option<RecordType>,
    /// Case-insensitive substring of the absolute name.
    pub name_contains: Option<String>,
    /// Case-insensitive substring of the name or the content.
    pub query: Option<String>,
    /// Include system records (SOA, apex NS).
    pub include_system: bool,
}

/// Which zones a record search reaches: the service fills it from the caller's authorisation,
/// never from the request. Soft-deleted zones are never searched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordScope {
    /// Restrict to one tenant's zones (`None`: every tenant, for platform-wide readers).
    pub tenant_id: Option<TenantId>,
    /// Restrict to these zones.
    pub zone_ids: Option<Vec<ZoneId>>,
}

/// A record found by a search, with its zone's tenant and name.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordHit {
    /// The record.
    pub record: Record,
    /// Its zone's tenant.
    pub tenant_id: TenantId,
    /// Its zone's name.
    pub zone_name: ZoneName,
}

/// What publishing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishOutcome {
    /// The backend now matches: the zone becomes `in_sync`.
    Published,
    /// The backend could not be reached: commit anyway, mark the zone `pending` with this error
    /// for the retry queue.
    Deferred(String),
    /// Nothing to publish (e.g. the zone is not active): the sync state is left as it is.
    Skipped,
}

/// Publishes a change to the DNS backend from inside the store's transaction. An `Err` rolls
/// the transaction back and is returned to the caller.
#[async_trait]
pub trait Publisher: Send + Sync {
    /// Publishes.
    async fn publish(&self) -> Result<PublishOutcome>;

    /// Whether [`Publisher::publish`] may do anything: when `false`, a store may write without
    /// calling it (as if it answered `Skipped`).
    fn publishes(&self) -> bool {
        true
    }
}

/// A publisher that does nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPublish;

#[async_trait]
impl Publisher for NoPublish {
    async fn publish(&self) -> Result<PublishOutcome> {
        Ok(PublishOutcome::Skipped)
    }

    fn publishes(&self) -> bool {
        false
    }
}

/// One atomic change to a zone: its row, its records, its validations and the audit entries.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneWrite {
    /// The zone row as it must be after the write. Its `generation` must be
    /// `expected_generation + 1` (or 1 for a new zone); its `sync` is overwritten by the outcome
    /// of publishing unless that is `Skipped`. A generation equal to `expected_generation` is a
    /// bookkeeping write (validations and audit only, no records): the generation is still
    /// checked, but the zone row is left as stored and keeps its generation (and so its ETag).
    pub zone: Zone,
    /// `None` inserts a new zone; `Some(g)` updates one whose stored generation must be `g`
    /// (else the write fails with 409 `generation_mismatch`).
    pub expected_generation: Option<i64>,
    /// Records to insert, each under a fresh id (a UUID chosen by the caller): nothing stored
    /// is deleted for them first, and an id the store already holds fails the write
    /// (`internal`) rather than replacing that record. A write that only adds records is
    /// then an `INSERT` without the deletes and the orphan-comment check an upsert needs.
    pub new_records: Vec<Record>,
    /// Records to insert or replace (by id): the record of that id is replaced wherever it is
    /// in the zone. For records that may exist (updates); new ones go in `new_records`.
    pub upsert_records: Vec<Record>,
    /// Records to delete (ids of this zone).
    pub delete_records: Vec<RecordId>,
    /// Validations to insert or replace (by id).
    pub validations: Vec<Validation>,
    /// Audit entries, written in the same transaction.
    pub audit: Vec<AuditEvent>,
    /// The RRsets this step changes, before and after (empty when it changes no record). A
    /// write that steps the generation keeps them as the zone's history entry
    /// ([`ZoneWrite::take_history_entry`]) in the same transaction.
    pub changes: Vec<RrSetDelta>,
    /// RRsets whose comments this write sets (each then has exactly the comments given; none
    /// removes them). Whenever the write changes records, the comments of every RRset of the
    /// zone left without a record go too, in the same transaction, whatever path removed them.
    pub comments: Vec<RrsetComments>,
}

impl ZoneWrite {
    /// Every record the write inserts or replaces: `new_records`, then `upsert_records`.
    pub fn written_records(&self) -> impl Iterator<Item = &Record> + Clone {
        self.new_records.iter().chain(&self.upsert_records)
    }

    /// The history entry this write keeps, taking its `changes`: one for every generation step
    /// (a new zone's first included), none for a bookkeeping write.
    pub fn take_history_entry(&mut self) -> Option<HistoryEntry> {
        let steps = self.expected_generation != Some(self.zone.generation);
        let changes = std::mem::take(&mut self.changes);
        steps.then(|| HistoryEntry::of_step(&self.zone, &self.audit, changes))
    }
}

/// Zones and their sync state.
#[async_trait]
pub trait ZoneStore: Send + Sync {
    /// Applies a [`ZoneWrite`] and runs `publisher` inside the transaction (a store may write
    /// without calling it when [`Publisher::publishes`] is false); returns the zone as stored. Errors: 409 `domain_exists` when a new zone's name is taken among the tenant's
    /// non-deleted zones; 409 `record_exists` when a new or upserted record duplicates another
    /// (name, type, content) of the zone; 409 `generation_mismatch`. A write that makes the zone
    /// live (a new active zone, or a status change to active) is checked inside the
    /// transaction against the other live zones ([`crate::zone::claims::check_claim`], refusing
    /// overlap): 409 `zone_taken` or `zone_overlap`, so racing activations cannot both win.
    async fn write_zone(&self, write: ZoneWrite, publisher: &dyn Publisher) -> Result<Zone> {
        self.write_zone_claiming(write, OverlapPolicy::Refuse, publisher)
            .await
    }

    /// [`ZoneStore::write_zone`] with the overlap policy a zone going live is checked with.
    async fn write_zone_claiming(
        &self,
        write: ZoneWrite,
        overlap: OverlapPolicy,
        publisher: &dyn Publisher,
    ) -> Result<Zone>;

    /// Removes a zone with its records, their comments, validations and keys for good (hard
    /// delete, purge), running `publisher` inside the transaction.
    async fn purge_zone(
        &self,
        zone_id: ZoneId,
        expected_generation: i64,
        audit: Vec<AuditEvent>,
        publisher: &dyn Publisher,
    ) -> Result<()>;

    /// One zone, whatever its status.
    async fn get_zone(&self, id: ZoneId) -> Result<Option<Zone>>;

    /// Every non-purged zone of any tenant whose name equals `name` or lies above or below it
    /// (for `zone_taken` and `zone_overlap` checks).
    async fn find_overlapping_zones(&self, name: &ZoneName) -> Result<Vec<Zone>>;

    /// A page of zones, ordered by name.
    async fn list_zones(&self, filter: &ZoneFilter, page: PageRequest) -> Result<Page<Zone>>;

    /// Sets the sync state of a zone without touching its generation.
    async fn set_sync_state(&self, id: ZoneId, sync: &SyncState) -> Result<()>;

    /// Ordered publication: raises the zone's last published generation to `generation` if it
    /// is below it (compare-and-set) and says whether it did. A publisher publishes a
    /// generation only when this returns `true`, so it never publishes over a newer one.
    async fn claim_publication(&self, id: ZoneId, generation: i64) -> Result<bool>;

    /// Sets the sync state of a zone only while it is still at `generation` (a newer change
    /// keeps its own `pending` mark); says whether it did.
    async fn set_sync_state_at(
        &self,
        id: ZoneId,
        generation: i64,
        sync: &SyncState,
    ) -> Result<bool>;

    /// Count of zones per status (for metrics).
    async fn count_zones(&self) -> Result<Vec<(ZoneStatus, u64)>>;

    /// Waits for and takes the zone's publishing turn, shared by every replica on this store:
    /// while a turn is held no other turn of the zone is granted, so what a publisher reads in
    /// its turn and sends to the backend cannot be overtaken by an older state sent by another
    /// replica. Ended by [`PublicationTurn::finish`] (dropping it ends it without recording).
    async fn publication_turn(&self, id: ZoneId) -> Result<Box<dyn PublicationTurn>>;

    /// [`Self::publication_turn`], taken by a writer while its write is under way, so that
    /// waiting for the turn and reading the zone in it overlap the write instead of following
    /// its commit. `None` when it could not be had without waiting for the store to spare it (a
    /// store may bound how many turns are open, since a turn's holder may need a second
    /// connection): the writer then takes the turn after its commit. Being granted before the
    /// write commits, the turn's reads made before the commit answer the state before it; only
    /// the last published generation, which nothing but a turn moves, stays true until the
    /// turn ends.
    async fn publication_turn_beside_write(
        &self,
        _id: ZoneId,
    ) -> Result<Option<Box<dyn PublicationTurn>>> {
        Ok(None)
    }
}

/// A zone's publishing turn ([`ZoneStore::publication_turn`]).
#[async_trait]
pub trait PublicationTurn: Send {
    /// The zone as it stands now (each read sees what committed before it, even after the
    /// turn's first read), with the last generation published (0: none recorded).
    async fn zone(&mut self) -> Result<Option<(Zone, i64)>>;

    /// Every record of the zone as it stands now, system records included.
    async fn records(&mut self) -> Result<Vec<Record>>;

    /// Records the outcome and ends the turn: raises the last published generation to
    /// `published` when given (never lowers it), and sets the sync state `sync.1` while the
    /// zone is still at generation `sync.0`.
    async fn finish(
        self: Box<Self>,
        published: Option<i64>,
        sync: Option<(i64, SyncState)>,
    ) -> Result<()>;
}

/// Records of a zone (written through [`ZoneStore::write_zone`]).
#[async_trait]
pub trait RecordStore: Send + Sync {
    /// Records of a zone matching `filter`.
    async fn list_records(&self, zone_id: ZoneId, filter: &RecordFilter) -> Result<Vec<Record>>;

    /// One page of the records of the zones in `scope` matching `filter`, ordered by zone
    /// name, then name, type, content and id; and how many match in all.
    async fn search_records(
        &self,
        scope: &RecordScope,
        filter: &RecordFilter,
        page: PageRequest,
    ) -> Result<Page<RecordHit>>;

    /// One record of a zone.
    async fn get_record(&self, zone_id: ZoneId, id: RecordId) -> Result<Option<Record>>;

    /// Total number of records (for metrics).
    async fn count_records(&self) -> Result<u64>;

    /// The comments of a zone's RRsets (written through [`ZoneStore::write_zone`]), ordered by
    /// name and type, each RRset's in the order written; RRsets without comments left out.
    async fn list_rrset_comments(&self, zone_id: ZoneId) -> Result<Vec<RrsetComments>>;
}

/// Ownership-validation challenges (written through [`ZoneStore::write_zone`]).
#[async_trait]
pub trait ValidationStore: Send + Sync {
    /// The latest challenge of a zone, in any status.
    async fn latest_validation(&self, zone_id: ZoneId) -> Result<Option<Validation>>;

    /// Challenges in an open status (`pending`, `failed`, `verifying`), oldest first.
    async fn open_validations(&self, limit: u32) -> Result<Vec<Validation>>;
}

/// Tenants.
#[async_trait]
pub trait TenantStore: Send + Sync {
    /// Inserts a tenant with its audit entries. 409 `tenant_exists` when the slug is taken.
    async fn insert_tenant(&self, tenant: &Tenant, audit: &[AuditEvent]) -> Result<()>;
    /// Updates a tenant with its audit entries.
    async fn update_tenant(&self, tenant: &Tenant, audit: &[AuditEvent]) -> Result<()>;
    /// Writes only the columns `patch` sets (and `updated_at`), with its audit entries, so a
    /// PATCH never writes back what a concurrent change (a suspension, a sync) just stored.
    /// 404 `not_found` when there is no such tenant.
    async fn patch_tenant(
        &self,
        id: TenantId,
        patch: &TenantPatch,
        audit: &[AuditEvent],
    ) -> Result<()>;
    /// One tenant.
    async fn get_tenant(&self, id: TenantId) -> Result<Option<Tenant>>;
    /// By slug.
    async fn get_tenant_by_slug(&self, slug: &str) -> Result<Option<Tenant>>;
    /// By identity-provider id.
    async fn get_tenant_by_scaikey_id(&self, scaikey_id: &str) -> Result<Option<Tenant>>;
    /// A page of tenants ordered by name.
    async fn list_tenants(&self, filter: &TenantFilter, page: PageRequest) -> Result<Page<Tenant>>;
}

/// The columns [`TenantStore::patch_tenant`] writes; `None` leaves a column as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantPatch {
    /// Display name.
    pub name: Option<String>,
    /// Settings object.
    pub settings: Option<serde_json::Value>,
    /// The admin API's suspension flag.
    pub suspended_locally: Option<bool>,
    /// The provider-side status (only local tenants have theirs lifted here).
    pub status: Option<crate::tenant::TenantStatus>,
    /// Time of the change.
    pub updated_at: DateTime<Utc>,
}

/// Which tenants [`TenantStore::list_tenants`] answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantFilter {
    /// Substring of the name or slug (case-insensitive).
    pub search: Option<String>,
    /// The status callers see ([`Tenant::effective_status`]).
    pub status: Option<crate::tenant::TenantStatus>,
}

/// User list filter (`GET /admin/users/`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Restrict to one tenant.
    pub tenant_id: Option<TenantId>,
    /// Case-insensitive substring of the e-mail, given or family name.
    pub search: Option<String>,
    /// Only users in this status.
    pub status: Option<crate::tenant::UserStatus>,
}

/// Users.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Inserts a user with its audit entries. 409 `user_exists` when the e-mail is taken.
    async fn insert_user(&self, user: &User, audit: &[AuditEvent]) -> Result<()>;
    /// Updates a user with its audit entries.
    async fn update_user(&self, user: &User, audit: &[AuditEvent]) -> Result<()>;
    /// One user.
    async fn get_user(&self, id: UserId) -> Result<Option<User>>;
    /// By e-mail (case-insensitive).
    async fn get_user_by_email(&self, email: &str) -> Result<Option<User>>;
    /// By identity-provider id.
    async fn get_user_by_scaikey_id(&self, scaikey_id: &str) -> Result<Option<User>>;
    /// A page of users ordered by e-mail; `tenant_id: None` lists all.
    async fn list_users(
        &self,
        tenant_id: Option<TenantId>,
        page: PageRequest,
    ) -> Result<Page<User>>;
    /// A page of the users matching `filter`, ordered by e-mail.
    async fn search_users(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>>;
}

/// API-key list filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiKeyFilter {
    /// Restrict to one tenant.
    pub tenant_id: Option<TenantId>,
    /// Restrict to keys whose permission source is this id.
    pub permission_source_id: Option<String>,
    /// Include revoked keys.
    pub include_revoked: bool,
}

/// API keys.
#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    /// Inserts a key with its audit entries.
    async fn insert_api_key(&self, key: &ApiKey, audit: &[AuditEvent]) -> Result<()>;
    /// Replaces a key's row (revoke, regenerate, edit) with its audit entries.
    async fn update_api_key(&self, key: &ApiKey, audit: &[AuditEvent]) -> Result<()>;
    /// Deletes a key with its audit entries.
    async fn delete_api_key(&self, id: ApiKeyId, audit: &[AuditEvent]) -> Result<()>;
    /// One key.
    async fn get_api_key(&self, id: ApiKeyId) -> Result<Option<ApiKey>>;
    /// The key whose stored hash equals `hash` (compared in constant time by the caller too).
    async fn find_api_key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>>;
    /// A page of keys, newest first.
    async fn list_api_keys(&self, filter: &ApiKeyFilter, page: PageRequest)
    -> Result<Page<ApiKey>>;
    /// Records one use (not audited, interface decision 21).
    async fn record_api_key_use(
        &self,
        id: ApiKeyId,
        at: DateTime<Utc>,
        ip: Option<&str>,
    ) -> Result<()>;
    /// Records the uses of several keys batched in memory (`use_count` grows by `uses`); a key
    /// deleted meanwhile is skipped.
    async fn record_api_key_uses(&self, uses: &[ApiKeyUse]) -> Result<()> {
        for u in uses {
            for _ in 0..u.uses {
                match self
                    .record_api_key_use(u.id, u.last_used_at, u.last_used_ip.as_deref())
                    .await
                {
                    Err(e) if e.kind() == crate::error::ErrorKind::NotFound => break,
                    other => other?,
                }
            }
        }
        Ok(())
    }
}

/// The uses of one key since the last batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyUse {
    /// The key.
    pub id: ApiKeyId,
    /// The latest use.
    pub last_used_at: DateTime<Utc>,
    /// The client address of the latest use.
    pub last_used_ip: Option<String>,
    /// How many uses.
    pub uses: u64,
}

/// Audit-log query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Restrict to one tenant.
    pub tenant_id: Option<TenantId>,
    /// Exact action.
    pub action: Option<String>,
    /// Exact resource type.
    pub resource_type: Option<String>,
    /// Exact resource id.
    pub resource_id: Option<String>,
    /// Exact actor id.
    pub actor_id: Option<String>,
    /// Actor class.
    pub actor_type: Option<ActorType>,
    /// From (inclusive).
    pub since: Option<DateTime<Utc>>,
    /// Until (exclusive).
    pub until: Option<DateTime<Utc>>,
}

/// The audit log (written through the other stores' calls).
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// A page of entries, newest first.
    async fn list_audit(&self, filter: &AuditFilter, page: PageRequest)
    -> Result<Page<AuditEvent>>;
    /// One entry.
    async fn get_audit(&self, id: AuditEventId) -> Result<Option<AuditEvent>>;
}

/// Platform settings (key → string value), e.g. the nameserver set.
#[async_trait]
pub trait SettingsStore: Send + Sync {
    /// One setting.
    async fn get_setting(&self, key: &str) -> Result<Option<String>>;
    /// Sets a setting with its audit entries.
    async fn put_setting(&self, key: &str, value: &str, audit: &[AuditEvent]) -> Result<()>;
    /// Every setting whose key starts with `prefix`, by key.
    async fn list_settings(&self, prefix: &str) -> Result<Vec<(String, String)>>;
    /// Compare-and-set: sets `key` with its audit entries provided the row `guard` still holds
    /// `expected` (`None`: no such row), and moves the guard to `next` in the same transaction.
    /// `Ok(false)`, nothing written, when another writer moved the guard first.
    async fn put_setting_guarded(
        &self,
        guard: (&str, Option<&str>, &str),
        key: &str,
        value: &str,
        audit: &[AuditEvent],
    ) -> Result<bool>;
}

/// Everything the core needs from storage.
#[async_trait]
pub trait Store:
    ZoneStore
    + RecordStore
    + ValidationStore
    + TenantStore
    + UserStore
    + ApiKeyStore
    + AuditStore
    + SettingsStore
    + crate::ports::dnssec_key_store::DnssecKeyStore
    + crate::ports::job_store::JobStore
    + crate::ports::idempotency_store::IdempotencyStore
    + crate::ports::identity_store::GroupStore
    + crate::ports::identity_store::IdentityBatchStore
    + crate::ports::rbac::RbacStore
    + crate::ports::template_store::TemplateStore
    + crate::ports::classless_store::ClasslessDelegationStore
    + crate::ports::history_store::ZoneHistoryStore
    + crate::ports::webhook_store::WebhookStore
    + std::fmt::Debug
{
    /// Runs pending migrations; how many it applied.
    async fn migrate(&self) -> Result<u64>;
    /// Whether the database answers.
    async fn health(&self) -> Result<()>;
    /// Engine name for logs (`mysql`, `postgres`, `sqlite`).
    fn engine(&self) -> &'static str;
}
