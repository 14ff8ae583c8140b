//! Background work: a fixed catalogue of periodic jobs, each leased in the store so that however
//! many workers run, a job runs in one of them at a time, and a job whose worker died is picked
//! up again once its lease lapses. [`ScaiDns::worker_run_once`] is one pass (`scaidns worker
//! --once`, cron, tests); `scaidns worker` repeats it.
//!
//! Jobs: `sync_pending_zones` (the retry queue of deferred publications), `validation_recheck`
//! and `validation_expiry` (ownership challenges, spec §4.3), `dnssec_rollover`
//! (RFC 6781/7583 steps, see `crate::dnssec::rollover`), `purge_deleted_zones` (soft-deleted
//! zones after the retention, interface decision 15), `purge_abandoned_zones` (pending zones
//! whose challenge expired, after `PENDING_ZONE_RETENTION_DAYS`) and `expire_grants` (removes access
//! grants past their expiry; they stopped applying at that second already, the decision checks
//! the time itself) and `expire_idempotency_keys` (answers and claims of `Idempotency-Key`
//! past their expiry; claims ignore expired rows already, this frees their space),
//! `prune_zone_history` (zone history past `ZONE_HISTORY_RETENTION_DAYS` or beyond
//! `ZONE_HISTORY_MAX_ENTRIES` per zone), `deliver_webhooks` (outbound change webhooks, see
//! `super::webhook_delivery`) and `prune_webhook_deliveries` (settled webhook events and their
//! deliveries past `WEBHOOK_RETENTION_DAYS`, see `super::webhook_retention`).

use chrono::{DateTime, Duration, Utc};
use futures::{FutureExt, StreamExt};

/// How long an expired access grant stays listed before the worker removes it.
pub const EXPIRED_GRANT_RETENTION: Duration = Duration::days(7);
use serde_json::json;

use crate::error::Result;
use crate::ownership::ValidationStatus;
use crate::paging::PageRequest;
use crate::ports::store::{Publisher, ZoneFilter};
use crate::service::ScaiDns;
use crate::service::dnssec::system_context_for;
use crate::service::publish::Publication;
use crate::zone::{Zone, ZoneStatus};

/// The retry queue of deferred publications.
pub const SYNC_JOB: &str = "sync_pending_zones";

/// How often the retry queue runs; the worker's pass interval.
pub const SYNC_INTERVAL: Duration = Duration::seconds(30);

/// Challenges `validation_recheck` checks per pass (the rest wait for the next passes).
pub const RECHECKS_PER_PASS: usize = 64;

/// How much earlier than planned a pass may begin and still run the jobs planned for it:
/// timers wake with jitter, and a pass a millisecond early must not skip a whole interval.
pub const PASS_JITTER: Duration = Duration::seconds(1);

/// How long into its run `validation_recheck` still starts new checks.
pub const RECHECK_START_WINDOW: std::time::Duration = std::time::Duration::from_secs(20);

/// Names of the jobs, in the order a pass reports them.
pub const JOB_NAMES: &[&str] = &[
    SYNC_JOB,
    "validation_expiry",
    "validation_recheck",
    "dnssec_rollover",
    "expire_grants",
    "purge_deleted_zones",
    "purge_abandoned_zones",
    "expire_idempotency_keys",
    "prune_zone_history",
    WEBHOOK_JOB,
    PRUNE_WEBHOOKS_JOB,
];

/// Outbound webhook deliveries.
pub const WEBHOOK_JOB: &str = "deliver_webhooks";

/// Settled outbound webhook events past their retention.
pub const PRUNE_WEBHOOKS_JOB: &str = "prune_webhook_deliveries";

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// This worker's name in leases (unique per process).
    pub owner: String,
    /// How long a claimed job is held before another worker may take it over.
    pub lease: Duration,
    /// Interval of `validation_recheck` (`VALIDATION_CHECK_INTERVAL_SECONDS`).
    pub validation_check_interval: Duration,
    /// How long soft-deleted zones are kept (`DELETED_ZONE_RETENTION_DAYS`).
    pub deleted_zone_retention: Duration,
    /// How long a pending zone is kept after its challenge expired
    /// (`PENDING_ZONE_RETENTION_DAYS`).
    pub pending_zone_retention: Duration,
    /// How many jobs run at once (`ARQ_MAX_JOBS`, at least 1).
    pub max_jobs: usize,
}

impl WorkerConfig {
    /// Defaults with `owner`.
    pub fn new(owner: impl Into<String>) -> Self {
        Self {
            owner: owner.into(),
            lease: Duration::minutes(10),
            validation_check_interval: Duration::seconds(60),
            deleted_zone_retention: Duration::days(30),
            pending_zone_retention: Duration::days(7),
            max_jobs: 10,
        }
    }

    fn interval(&self, job: &str) -> Duration {
        match job {
            SYNC_JOB | WEBHOOK_JOB => SYNC_INTERVAL,
            "validation_recheck" => self.validation_check_interval,
            "purge_deleted_zones"
            | "purge_abandoned_zones"
            | "expire_grants"
            | "expire_idempotency_keys"
            | "prune_zone_history"
            | PRUNE_WEBHOOKS_JOB => Duration::hours(1),
            _ => Duration::minutes(5),
        }
    }
}

/// One job run by a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    /// Job name.
    pub job: String,
    /// What it did, or why it failed.
    pub outcome: std::result::Result<String, String>,
}

/// A job's name with what trying it gave: its report, nothing (not due, held elsewhere), or
/// the store's error.
type JobOutcome<'a> = (&'a str, Result<Option<JobRun>>);

impl ScaiDns {
    /// Runs every due job this worker can claim, once. Jobs held by another worker or not yet
    /// due are skipped.
    ///
    /// Up to [`WorkerConfig::max_jobs`] jobs run at once (`ARQ_MAX_JOBS`), started in the
    /// order of [`JOB_NAMES`]; the default runs them all side by side, so `validation_recheck`,
    /// which waits on nameservers that tenants choose, holds up no publication, rollover or
    /// purge. Jobs that touch the same zone still take turns: every zone write goes through
    /// the zone's write lock and publishing turn, and the store refuses a write on a stale
    /// generation.
    ///
    /// A job's next run is planned from this pass's start, not from when the job finished, so
    /// a 30 s job runs in every pass of a worker passing every 30 s (issue 16, item 6).
    pub async fn worker_run_once(&self, worker: &WorkerConfig) -> Result<Vec<JobRun>> {
        self.refresh_settings().await;
        let started = self.clock().now();
        // Boxed one by one: a stream mapping borrowed futures trips the compiler's check that
        // the worker's task is Send.
        let jobs: Vec<futures::future::BoxFuture<'_, JobOutcome<'_>>> = JOB_NAMES
            .iter()
            .map(|job| async move { (*job, self.run_if_due(job, worker, started).await) }.boxed())
            .collect();
        let outcomes: Vec<JobOutcome<'_>> = futures::stream::iter(jobs)
            .buffer_unordered(worker.max_jobs.max(1))
            .collect()
            .await;
        // A job that could not be claimed or recorded (the store failed) is reported like a
        // failed job, so the other jobs' reports of this pass are not lost with it.
        let runs_or_errors: Vec<JobRun> = outcomes
            .into_iter()
            .filter_map(|(job, outcome)| match outcome {
                Ok(run) => run,
                Err(e) => Some(JobRun {
                    job: job.to_owned(),
                    outcome: Err(e.message().to_owned()),
                }),
            })
            .collect();
        let mut runs = runs_or_errors;
        runs.sort_by_key(|run| JOB_NAMES.iter().position(|job| *job == run.job));
        Ok(runs)
    }

    /// When the retry queue (`sync_pending_zones`) next runs, for answers about a change that
    /// is saved but not published yet: never earlier than now; `None` before any worker ran.
    pub async fn next_publication_retry(&self) -> Result<Option<DateTime<Utc>>> {
        let now = self.clock().now();
        Ok(self
            .store()
            .list_jobs()
            .await?
            .into_iter()
            .find(|job| job.name == SYNC_JOB)
            .map(|job| job.next_run_at.max(now)))
    }

    /// Claims `job` if it is due and free, runs it and records the result; its next run is
    /// planned one interval after `pass_started`.
    async fn run_if_due(
        &self,
        job: &'static str,
        worker: &WorkerConfig,
        pass_started: DateTime<Utc>,
    ) -> Result<Option<JobRun>> {
        let now = self.clock().now();
        self.store().ensure_job(job, now).await?;
        if !self
            .store()
            .claim_job(job, &worker.owner, now, now + worker.lease)
            .await?
        {
            return Ok(None);
        }
        tracing::debug!(job, owner = %worker.owner, "job claimed");
        let started = std::time::Instant::now();
        let outcome = self.run_job(job, worker).await;
        if let Some(observer) = self.observer() {
            observer.worker_job(job, outcome.is_ok(), started.elapsed());
        }
        let finished = self.clock().now();
        let error = outcome.as_ref().err().map(|e| e.message().to_owned());
        let next = pass_started + worker.interval(job) - PASS_JITTER;
        if !self
            .store()
            .finish_job(job, &worker.owner, finished, next, error.as_deref())
            .await?
        {
            tracing::warn!(
                job,
                "the job's lease expired before it finished; another worker may have run it too"
            );
        }
        Ok(Some(JobRun {
            job: job.to_owned(),
            outcome: outcome.map_err(|e| e.message().to_owned()),
        }))
    }

    async fn run_job(&self, job: &str, worker: &WorkerConfig) -> Result<String> {
        match job {
            SYNC_JOB => {
                let (synced, failing) = self.sync_pending_zones().await?;
                Ok(format!("{synced} zones synced, {failing} still pending"))
            }
            "validation_expiry" => Ok(format!(
                "{} challenges expired",
                self.expire_validations().await?
            )),
            "validation_recheck" => Ok(format!(
                "{} challenges checked",
                self.recheck_validations().await?
            )),
            "dnssec_rollover" => {
                let report = self.dnssec_run_rollovers().await?;
                Ok(format!(
                    "{} rollover steps, {} zones failing",
                    report.steps.len(),
                    report.failures.len()
                ))
            }
            "expire_grants" => Ok(format!("{} grants expired", self.expire_grants().await?)),
            "purge_deleted_zones" => Ok(format!(
                "{} zones purged",
                self.purge_deleted_zones(worker.deleted_zone_retention)
                    .await?
            )),
            "purge_abandoned_zones" => Ok(format!(
                "{} abandoned pending zones removed",
                self.purge_abandoned_zones(worker.pending_zone_retention)
                    .await?
            )),
            "expire_idempotency_keys" => Ok(format!(
                "{} idempotency keys expired",
                self.expire_idempotency_keys().await?
            )),
            "prune_zone_history" => Ok(format!(
                "{} zone history entries pruned",
                self.prune_zone_history().await?
            )),
            WEBHOOK_JOB => {
                let report = self.deliver_webhooks(&worker.owner).await?;
                Ok(format!(
                    "{} webhooks delivered, {} failed, {} skipped",
                    report.delivered, report.failed, report.skipped
                ))
            }
            PRUNE_WEBHOOKS_JOB => Ok(format!(
                "{} webhook events pruned",
                self.prune_webhook_deliveries().await?
            )),
            other => Ok(format!("unknown job {other} skipped")),
        }
    }

    /// Marks open challenges past their expiry as expired (spec §4.3).
    pub async fn expire_validations(&self) -> Result<u64> {
        let now = self.clock().now();
        let mut expired = 0;
        for mut v in self.store().open_validations(1000).await? {
            if v.expires_at > now {
                continue;
            }
            let Some(zone) = self.store().get_zone(v.zone_id).await? else {
                continue;
            };
            v.status = ValidationStatus::Expired;
            v.updated_at = now;
            let ctx = system_context_for(zone.tenant_id, now);
            let audit = vec![ctx.audit(
                zone.tenant_id,
                "domain.validation.expire",
                "domain",
                zone.id,
                Some(zone.name.to_string()),
                None,
                Some(json!({"validation_id": v.id.to_string()})),
            )];
            self.write_zone_row(zone.clone(), zone, vec![v], audit, Publication::Nothing)
                .await?;
            expired += 1;
        }
        Ok(expired)
    }

    /// Checks open, unexpired challenges again, so a zone becomes active soon after its TXT
    /// record appears without the owner asking. Needs resolvers; without them it does nothing.
    ///
    /// Up to [`RECHECKS_PER_PASS`] challenges per pass, the longest unchecked first, at most
    /// `check_concurrency` at a time, none started after [`RECHECK_START_WINDOW`]: each check
    /// is bounded by its own time budget, so a zone whose nameservers never answer holds one
    /// slot for that long, no other zone waits behind it, and the job ends within the window
    /// plus one budget (30 s by default, the worker's pass interval).
    pub async fn recheck_validations(&self) -> Result<u64> {
        let config = &self.config().validation;
        if config.resolvers.is_empty() {
            return Ok(0);
        }
        let now = self.clock().now();
        let mut due: Vec<_> = self
            .store()
            .open_validations(1000)
            .await?
            .into_iter()
            .filter(|v| v.expires_at > now)
            .collect();
        due.sort_by_key(|v| v.checked_at);
        due.truncate(RECHECKS_PER_PASS);
        // No new check starts after this, so the job ends within it plus one check budget.
        let stop_starting = std::time::Instant::now() + RECHECK_START_WINDOW;
        let checks = futures::stream::iter(due)
            .take_while(|_| std::future::ready(std::time::Instant::now() < stop_starting))
            .map(|v| self.recheck_one(v.zone_id, now))
            .buffer_unordered(config.check_concurrency.max(1));
        let checked = checks
            .filter(|done| std::future::ready(*done))
            .count()
            .await;
        Ok(checked as u64)
    }

    /// One worker check of `zone_id`'s challenge; whether it ran.
    async fn recheck_one(&self, zone_id: crate::ids::ZoneId, now: DateTime<Utc>) -> bool {
        let zone = match self.store().get_zone(zone_id).await {
            Ok(Some(zone)) if zone.status == ZoneStatus::PendingValidation => zone,
            Ok(_) => return false,
            Err(e) => {
                tracing::warn!(zone_id = %zone_id, error = %e, "re-check skipped");
                return false;
            }
        };
        // A suspended tenant's zones wait: going live would act for a tenant that may not.
        match self.store().get_tenant(zone.tenant_id).await {
            Ok(Some(tenant)) if tenant.is_suspended() => return false,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(zone_id = %zone_id, error = %e, "re-check skipped");
                return false;
            }
        }
        let ctx = system_context_for(zone.tenant_id, now);
        match self.validation_check(&ctx, zone.id).await {
            Ok(result) => {
                if result.is_valid {
                    tracing::info!(zone = %zone.name, "validated by the worker");
                }
                true
            }
            Err(e) => {
                tracing::debug!(zone = %zone.name, error = %e, "re-check skipped");
                false
            }
        }
    }

    /// Purges zones soft-deleted longer than `retention` ago, with their records and keys.
    pub async fn purge_deleted_zones(&self, retention: Duration) -> Result<u64> {
        let now = self.clock().now();
        let filter = ZoneFilter {
            status: Some(ZoneStatus::Deleted),
            include_deleted: true,
            ..ZoneFilter::default()
        };
        let page = PageRequest {
            page: 1,
            page_size: 100,
        };
        let oldest_kept = super::retention::oldest_kept(now, retention);
        let mut purged = 0;
        for zone in self.store().list_zones(&filter, page).await?.items {
            if zone.deleted_at.is_none_or(|at| at > oldest_kept) {
                continue;
            }
            let publisher = self.publisher(crate::service::zones::purge_publication(&zone));
            match self
                .purge_zone_for_good(&zone, now, "domain.purge", &publisher)
                .await
            {
                Ok(()) => purged += 1,
                // Restored or already purged meanwhile: the next pass looks again.
                Err(e) if crate::service::publish::is_gone_or_moved_on(&e) => {
                    tracing::debug!(zone = %zone.name, code = e.code(), "deleted zone changed meanwhile: not purged");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(purged)
    }

    /// Removes `zone` with its records and keys, audited as `action` by the system in the
    /// zone's tenant; the store refuses if the zone changed since it was read.
    pub(crate) async fn purge_zone_for_good(
        &self,
        zone: &Zone,
        now: DateTime<Utc>,
        action: &str,
        publisher: &dyn Publisher,
    ) -> Result<()> {
        let ctx = system_context_for(zone.tenant_id, now);
        let audit = vec![ctx.audit(
            zone.tenant_id,
            action,
            "domain",
            zone.id,
            Some(zone.name.to_string()),
            Some(crate::service::zones::zone_audit_view(zone)),
            None,
        )];
        let _dropped_when_done = self.zone_write(zone.id);
        let purge = self
            .store()
            .purge_zone(zone.id, zone.generation, audit, publisher);
        self.in_publishing_turn(zone.id, purge).await
    }

    /// Removes access grants that expired more than [`EXPIRED_GRANT_RETENTION`] ago, each
    /// with an audit entry. Authorization ignores them from their expiry on; the retention
    /// keeps them listable (`include_expired`) for a while, and the clean-up keeps grant lists
    /// and the store from growing for ever.
    pub async fn expire_grants(&self) -> Result<u64> {
        let now = self.clock().now();
        let cutoff = now - EXPIRED_GRANT_RETENTION;
        let mut removed = 0;
        for zone in self.all_zones_with_status(None).await? {
            for grant in self.store().list_access_grants(zone.id).await? {
                if grant.expires_at.is_none_or(|at| at > cutoff) {
                    continue;
                }
                let ctx = system_context_for(zone.tenant_id, now);
                let audit = ctx.audit(
                    zone.tenant_id,
                    "access_grant.expire",
                    "access_grant",
                    grant.id,
                    Some(zone.name.to_string()),
                    Some(super::access_grants::grant_json(&grant)),
                    None,
                );
                self.store().delete_access_grant(grant.id, &[audit]).await?;
                self.auth_changed();
                removed += 1;
            }
        }
        Ok(removed)
    }
}
