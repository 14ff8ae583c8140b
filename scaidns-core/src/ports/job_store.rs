//! Leases of periodic background jobs. Joins [`super::store::Store`]. A job is claimed with one
//! conditional update, so however many workers run, one job runs in one of them at a time; a
//! lease that is not finished (the worker died) expires, and the job becomes claimable again.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;

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
