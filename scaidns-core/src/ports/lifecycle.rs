//! Storage for the work that happens over time: DNSSEC key metadata (the rollover state lives
//! here, the keys themselves in the DNS backend) and the leases of periodic background jobs.
//!
//! Both traits join [`super::store::Store`]. A job is claimed with one conditional update, so
//! however many workers run, one job runs in one of them at a time; a lease that is not
//! finished (the worker died) expires, and the job becomes claimable again.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::audit::AuditEvent;
use crate::dnssec::DnssecKey;
use crate::error::Result;
use crate::ids::{DnssecKeyId, ZoneId};

/// One atomic change to a zone's DNSSEC keys.
#[derive(Debug, Clone, PartialEq)]
pub struct DnssecKeyWrite {
    /// The zone.
    pub zone_id: ZoneId,
    /// Ids of the zone's keys as the caller read them: when the stored set differs, the write
    /// fails with 409 `dnssec_changed` (another request or worker changed the keys meanwhile).
    pub expected: Vec<DnssecKeyId>,
    /// Keys to insert or replace (by id).
    pub upsert: Vec<DnssecKey>,
    /// Keys to delete.
    pub delete: Vec<DnssecKeyId>,
    /// New value of the zone's `dnssec_enabled`; when set, the zone's generation is bumped too,
    /// so a concurrent zone write holding the old flag fails its generation check.
    pub dnssec_enabled: Option<bool>,
    /// When the change happens (the zone's `updated_at` when the flag changes).
    pub now: DateTime<Utc>,
    /// Audit entries, written in the same transaction.
    pub audit: Vec<AuditEvent>,
}

/// DNSSEC key metadata.
#[async_trait]
pub trait DnssecKeyStore: Send + Sync {
    /// A zone's keys, oldest first.
    async fn list_dnssec_keys(&self, zone_id: ZoneId) -> Result<Vec<DnssecKey>>;

    /// Applies a [`DnssecKeyWrite`]. 404 when the zone does not exist; 409 `dnssec_changed`.
    async fn write_dnssec_keys(&self, write: DnssecKeyWrite) -> Result<()>;

    /// Every zone that has at least one key (for the rollover job).
    async fn zones_with_dnssec_keys(&self) -> Result<Vec<ZoneId>>;
}

/// A periodic job's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobInfo {
    /// Name (e.g. `dnssec_rollover`).
    pub name: String,
    /// When it is due.
    pub next_run_at: DateTime<Utc>,
    /// Worker holding it, while one does.
    pub lease_owner: Option<String>,
    /// When that lease lapses.
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// Last claim.
    pub last_started_at: Option<DateTime<Utc>>,
    /// Last completion.
    pub last_finished_at: Option<DateTime<Utc>>,
    /// Error of the last completion, if it failed.
    pub last_error: Option<String>,
    /// Number of claims so far.
    pub run_count: u64,
}

/// Leases on periodic jobs.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Registers job `name`, first due at `first_run`; an existing job is left as it is.
    async fn ensure_job(&self, name: &str, first_run: DateTime<Utc>) -> Result<()>;

    /// Takes the lease of job `name` for `owner` until `lease_until` when the job is due at
    /// `now` and nobody holds an unexpired lease. Returns whether `owner` got it.
    async fn claim_job(
        &self,
        name: &str,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool>;

    /// Extends `owner`'s lease; `false` when it no longer holds it.
    async fn renew_job_lease(
        &self,
        name: &str,
        owner: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool>;

    /// Releases `owner`'s lease, records the outcome and schedules the next run; `false` when
    /// the lease was lost meanwhile (the row is then left to the new holder).
    async fn finish_job(
        &self,
        name: &str,
        owner: &str,
        finished_at: DateTime<Utc>,
        next_run_at: DateTime<Utc>,
        error: Option<&str>,
    ) -> Result<bool>;

    /// Every job, by name.
    async fn list_jobs(&self) -> Result<Vec<JobInfo>>;
}
