//! Idempotency keys (issue 15): the claim a keyed write takes before it runs, the answer it
//! leaves for its repeats, and their expiry. The HTTP layer decides which requests carry a key
//! and what a request's digest covers; this module decides whose key it is (one principal's
//! keys never meet another's) and for how long it holds.

use chrono::Duration;

use crate::error::Result;
use crate::ports::idempotency_store::KeyedRequest;
// What the HTTP layer handles: it names the service, never the ports.
pub use crate::ports::idempotency_store::{IdempotencyClaim, StoredAnswer};
use crate::service::{Actor, OpContext, ScaiDns};

/// How long a claim holds a key without renewal. The HTTP layer renews it every
/// [`CLAIM_RENEW_EVERY`] while its request runs, so a long import never loses its key; a process
/// that died mid-request stops renewing, and after this long a repeat runs again instead of
/// waiting for ever.
pub const CLAIM_TIMEOUT: Duration = Duration::minutes(2);

/// How often a running request renews its claim: well inside [`CLAIM_TIMEOUT`], so a slow store
/// write or two do not let it lapse.
pub const CLAIM_RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// How long an answer is replayed by default (`IDEMPOTENCY_TTL_SECONDS`).
pub const DEFAULT_TTL: Duration = Duration::hours(24);

/// The principal keys belong to: the API key itself, or the user behind a token, in the tenant
/// the request acts in. Two keys of one user are two principals, so a narrow key never sees its
/// wider sibling's answers; and a user acting in two tenants keeps their keys apart, so a
/// request in one tenant never replays (or is refused for) a write made in the other.
fn principal(ctx: &OpContext) -> Option<String> {
    let tenant = &ctx.tenant_id;
    match &ctx.actor {
        Actor::ApiKey { id, .. } => Some(format!("key:{id}/{tenant}")),
        Actor::User { id, .. } => Some(format!("user:{id}/{tenant}")),
        Actor::System => None,
    }
}

/// A keyed write of one principal, as [`ScaiDns::claim_idempotency_key`] took it.
#[derive(Debug, Clone)]
pub struct KeyedWrite {
    principal: String,
    key: String,
    request_hash: String,
}

impl KeyedWrite {
    fn request(&self) -> KeyedRequest<'_> {
        KeyedRequest {
            principal: &self.principal,
            key: &self.key,
            request_hash: &self.request_hash,
        }
    }
}

impl ScaiDns {
    /// Claims `key` for `ctx`'s principal and the request digested as `request_hash`; `None`
    /// for the system actor, which sends no keys. On [`IdempotencyClaim::Claimed`] the caller
    /// runs the request, then [`ScaiDns::finish_idempotency_key`] or
    /// [`ScaiDns::release_idempotency_key`].
    pub async fn claim_idempotency_key(
        &self,
        ctx: &OpContext,
        key: &str,
        request_hash: &str,
    ) -> Result<Option<(KeyedWrite, IdempotencyClaim)>> {
        let Some(principal) = principal(ctx) else {
            return Ok(None);
        };
        let write = KeyedWrite {
            principal,
            key: key.to_owned(),
            request_hash: request_hash.to_owned(),
        };
        let now = self.clock().now();
        let claim = self
            .store()
            .claim_idempotency_key(write.request(), now, now + CLAIM_TIMEOUT)
            .await?;
        Ok(Some((write, claim)))
    }

    /// Keeps `answer` for the repeats of `write` for the configured retention.
    pub async fn finish_idempotency_key(
        &self,
        write: &KeyedWrite,
        answer: &StoredAnswer,
    ) -> Result<()> {
        let keep_until = self.clock().now() + self.config().idempotency_ttl;
        if !self
            .store()
            .finish_idempotency_key(write.request(), answer, keep_until)
            .await?
        {
            tracing::warn!(
                "an idempotency claim expired before its request answered; the answer is not kept"
            );
        }
        Ok(())
    }

    /// Extends `write`'s claim by [`CLAIM_TIMEOUT`] from now; `false` when it is no longer held.
    pub async fn renew_idempotency_key(&self, write: &KeyedWrite) -> Result<bool> {
        let until = self.clock().now() + CLAIM_TIMEOUT;
        self.store()
            .renew_idempotency_key(write.request(), until)
            .await
    }

    /// Gives `write`'s key back unanswered, so a repeat runs again.
    pub async fn release_idempotency_key(&self, write: &KeyedWrite) -> Result<()> {
        self.store().release_idempotency_key(write.request()).await
    }

    /// Removes expired claims and answers (the worker's `expire_idempotency_keys`); expired
    /// rows are ignored by claims anyway, this only reclaims their space.
    pub async fn expire_idempotency_keys(&self) -> Result<u64> {
        let now = self.clock().now();
        self.store().expire_idempotency_keys(now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{TenantId, UserId};

    fn acting(actor: &Actor, tenant: TenantId) -> OpContext {
        OpContext {
            actor: actor.clone(),
            tenant_id: tenant,
            request_id: None,
            ip: None,
            user_agent: None,
            now: chrono::Utc::now(),
            authz: Default::default(),
            plan: None,
        }
    }

    #[test]
    fn one_user_in_two_tenants_is_two_principals() {
        let user = Actor::User {
            id: UserId::new(),
            email: "ops@example.com".into(),
            is_platform_admin: true,
        };
        let (a, b) = (TenantId::new(), TenantId::new());
        let in_a = principal(&acting(&user, a)).unwrap();
        assert_ne!(in_a, principal(&acting(&user, b)).unwrap());
        assert_eq!(in_a, principal(&acting(&user, a)).unwrap());
        // Fits the store's column (VARCHAR(120)) with room to spare.
        assert!(in_a.len() <= 80, "{in_a}");
        assert_eq!(principal(&acting(&Actor::System, a)), None);
    }
}
