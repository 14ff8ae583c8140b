//! [`DnssecKeyStore`], [`JobStore`] and [`IdempotencyStore`] for [`SqlStore`]: each method hands its pool to the
//! engine's copy of the query code (as `store_impl.rs` does for the other stores).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::SqlStore;
use crate::dnssec::DnssecKey;
use crate::error::Result;
use crate::ids::ZoneId;
use crate::ports::dnssec_key_store::{DnssecKeyStore, DnssecKeyWrite};
use crate::ports::idempotency_store::{
    IdempotencyClaim, IdempotencyStore, KeyedRequest, StoredAnswer,
};
use crate::ports::job_store::{JobInfo, JobStore};

#[async_trait]
impl DnssecKeyStore for SqlStore {
    async fn list_dnssec_keys(&self, zone_id: ZoneId) -> Result<Vec<DnssecKey>> {
        dispatch!(self, dnssec_keys::list(zone_id))
    }

    async fn write_dnssec_keys(&self, write: DnssecKeyWrite) -> Result<()> {
        dispatch!(self, dnssec_keys::write(write))
    }

    async fn zones_with_dnssec_keys(&self) -> Result<Vec<ZoneId>> {
        dispatch!(self, dnssec_keys::zones_with_keys())
    }
}

#[async_trait]
impl JobStore for SqlStore {
    async fn ensure_job(&self, name: &str, first_run: DateTime<Utc>) -> Result<()> {
        dispatch!(self, jobs::ensure(name, first_run))
    }

    async fn claim_job(
        &self,
        name: &str,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool> {
        dispatch!(self, jobs::claim(name, owner, now, lease_until))
    }

    async fn renew_job_lease(
        &self,
        name: &str,
        owner: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool> {
        dispatch!(self, jobs::renew(name, owner, lease_until))
    }

    async fn finish_job(
        &self,
        name: &str,
        owner: &str,
        finished_at: DateTime<Utc>,
        next_run_at: DateTime<Utc>,
        error: Option<&str>,
    ) -> Result<bool> {
        dispatch!(
            self,
            jobs::finish(name, owner, finished_at, next_run_at, error)
        )
    }

    async fn list_jobs(&self) -> Result<Vec<JobInfo>> {
        dispatch!(self, jobs::list())
    }
}

#[async_trait]
impl IdempotencyStore for SqlStore {
    async fn claim_idempotency_key(
        &self,
        request: KeyedRequest<'_>,
        now: DateTime<Utc>,
        claim_until: DateTime<Utc>,
    ) -> Result<IdempotencyClaim> {
        dispatch!(self, idempotency::claim(request, now, claim_until))
    }

    async fn finish_idempotency_key(
        &self,
        request: KeyedRequest<'_>,
        answer: &StoredAnswer,
        keep_until: DateTime<Utc>,
    ) -> Result<bool> {
        dispatch!(self, idempotency::finish(request, answer, keep_until))
    }

    async fn release_idempotency_key(&self, request: KeyedRequest<'_>) -> Result<()> {
        dispatch!(self, idempotency::release(request))
    }

    async fn expire_idempotency_keys(&self, now: DateTime<Utc>) -> Result<u64> {
        dispatch!(self, idempotency::expire(now))
    }

    async fn renew_idempotency_key(
        &self,
        request: KeyedRequest<'_>,
        claim_until: DateTime<Utc>,
    ) -> Result<bool> {
        dispatch!(self, idempotency::renew(request, claim_until))
    }

    async fn idempotency_key_held(
        &self,
        principal: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        dispatch!(self, idempotency::held(principal, key, now))
    }
}
