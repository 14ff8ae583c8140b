//! Authentication of API keys (spec api-identity §3.3): turns a presented `X-API-Key` secret into
//! the [`OpContext`] every other operation takes.
//!
//! Check order: shape → peppered hash lookup (constant-time compare) → revoked → expired →
//! IP whitelist → permission source (user active) → tenant not suspended → usage recorded. Every
//! failure before the whitelist is a 401 and says no more than needed, so a probe cannot tell a
//! well-formed unknown key from garbage.

use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::identity::api_key::{
    ApiKey, ApiKeySecret, ApiKeyStatus, PermissionSource, digests_equal,
};
use crate::ids::UserId;
use crate::tenant::UserStatus;

use super::auth_cache::AuthenticatedKey;
use super::{Actor, OpContext, ScaiDns};

/// What the transport knows about a request, carried into the context and the audit log.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// Client address (after any trusted-proxy handling in the server).
    pub ip: Option<IpAddr>,
    /// Request id.
    pub request_id: Option<String>,
    /// User agent.
    pub user_agent: Option<String>,
}

fn invalid_key() -> Error {
    Error::unauthenticated("invalid_api_key", "Invalid API key")
}

impl ScaiDns {
    /// Authenticates a presented API key secret and builds the request's context.
    ///
    /// Errors: 401 `invalid_api_key`, `api_key_revoked`, `api_key_expired`,
    /// `api_key_owner_inactive`; 403 `ip_not_allowed`, `tenant_suspended`.
    pub async fn authenticate_api_key(
        &self,
        presented: &str,
        meta: RequestMeta,
    ) -> Result<OpContext> {
        let secret = ApiKeySecret::from_presented(presented).ok_or_else(invalid_key)?;
        let hash = secret.hash(&self.config.api_key_pepper);
        let now = self.clock.now();
        let found = match self.auth_cache().key(&hash, now) {
            Some(found) => found,
            None => {
                let epoch = self.auth_cache().epoch();
                let found = Arc::new(self.look_up_key(&hash, now, meta.ip).await?);
                self.auth_cache()
                    .insert_key(hash, epoch, now, Arc::clone(&found));
                found
            }
        };
        let key = &found.key;
        // Checked again on a cached key: they depend on the time and the client.
        if key.expires_at.is_some_and(|at| at <= now) {
            return Err(Error::unauthenticated(
                "api_key_expired",
                "API key has expired",
            ));
        }
        if !ip_allowed(key, meta.ip) {
            return Err(Error::forbidden(
                "ip_not_allowed",
                "Client IP address is not allowed for this API key",
            ));
        }
        if found.tenant.is_suspended() {
            return Err(Error::forbidden("tenant_suspended", "Tenant is suspended"));
        }

        let ip = meta.ip.map(|ip| ip.to_string());
        Ok(OpContext {
            actor: found.actor.clone(),
            tenant_id: key.tenant_id,
            request_id: meta.request_id,
            ip,
            user_agent: meta.user_agent,
            now,
            authz: found.authz.clone(),
            plan: None,
        })
    }

    /// Reads a key and what it acts as, refusing it in the documented order.
    async fn look_up_key(
        &self,
        hash: &str,
        now: DateTime<Utc>,
        ip: Option<IpAddr>,
    ) -> Result<AuthenticatedKey> {
        let key = self
            .store
            .find_api_key_by_hash(hash)
            .await?
            .ok_or_else(invalid_key)?;
        // The store matched on the hash already; comparing again in constant time keeps a
        // store that matches loosely (collation, prefix index) from ever letting a key through.
        if !digests_equal(&key.key_hash, hash) {
            return Err(invalid_key());
        }
        if key.status == ApiKeyStatus::Revoked {
            return Err(Error::unauthenticated(
                "api_key_revoked",
                "API key has been revoked",
            ));
        }
        if key.expires_at.is_some_and(|at| at <= now) {
            return Err(Error::unauthenticated(
                "api_key_expired",
                "API key has expired",
            ));
        }
        if !ip_allowed(&key, ip) {
            return Err(Error::forbidden(
                "ip_not_allowed",
                "Client IP address is not allowed for this API key",
            ));
        }
        let (actor, user) = self.key_actor(&key).await?;
        let tenant = self
            .store
            .get_tenant(key.tenant_id)
            .await?
            .ok_or_else(invalid_key)?;
        if tenant.is_suspended() {
            return Err(Error::forbidden("tenant_suspended", "Tenant is suspended"));
        }
        Ok(AuthenticatedKey {
            key,
            actor,
            tenant,
            authz: user.map_or_else(Default::default, super::authz::AuthzCache::for_user),
        })
    }

    /// The actor a key acts as (its permission source's identity and admin flag), with the
    /// user behind a user key.
    async fn key_actor(&self, key: &ApiKey) -> Result<(Actor, Option<crate::tenant::User>)> {
        match key.permission_source {
            PermissionSource::User => {
                let user_id: UserId = key
                    .permission_source_id
                    .parse()
                    .map_err(|_| invalid_key())?;
                let user = self
                    .store
                    .get_user(user_id)
                    .await?
                    .ok_or_else(invalid_key)?;
                if user.status != UserStatus::Active {
                    return Err(Error::unauthenticated(
                        "api_key_owner_inactive",
                        "The user this API key belongs to is inactive",
                    ));
                }
                let creator = key.created_by.filter(|c| *c != user.id);
                let is_platform_admin =
                    user.is_platform_admin && self.creator_is_platform_admin(creator).await?;
                let actor = Actor::ApiKey {
                    id: key.id,
                    owner: Some(user.id),
                    owner_email: Some(user.email.clone()),
                    is_platform_admin,
                    scopes: key.scopes.clone(),
                    rate_limit: key.rate_limit,
                    creator,
                };
                Ok((actor, Some(user)))
            }
            // Groups carry no platform-admin flag; their permissions come from role assignments.
            PermissionSource::Group => Ok((
                Actor::ApiKey {
                    id: key.id,
                    owner: None,
                    owner_email: None,
                    is_platform_admin: false,
                    scopes: key.scopes.clone(),
                    rate_limit: key.rate_limit,
                    creator: key.created_by,
                },
                None,
            )),
        }
    }

    /// Whether a key's creator (none: the key's own user) is an active platform admin: a key
    /// acting as a platform admin is one only while its creator is one too.
    async fn creator_is_platform_admin(&self, creator: Option<UserId>) -> Result<bool> {
        let Some(creator) = creator else {
            return Ok(true);
        };
        Ok(self
            .store
            .get_user(creator)
            .await?
            .is_some_and(|u| u.status == UserStatus::Active && u.is_platform_admin))
    }
}

/// An empty whitelist allows everyone; otherwise the address must be known and inside one net.
fn ip_allowed(key: &ApiKey, ip: Option<IpAddr>) -> bool {
    if key.ip_whitelist.is_empty() {
        return true;
    }
    let Some(ip) = ip else { return false };
    // An IPv4 client reaching a dual-stack socket shows up as ::ffff:a.b.c.d.
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    key.ip_whitelist.iter().any(|net| net.contains(&ip))
}

/// The user on whose behalf the caller acts, if any.
pub(super) fn caller_user(ctx: &OpContext) -> Option<UserId> {
    match &ctx.actor {
        Actor::User { id, .. } => Some(*id),
        Actor::ApiKey { owner, .. } => *owner,
        Actor::System => None,
    }
}

/// The caller's user when the caller acts with that user's full powers: a user, or a key its
/// own user created. A key bounded by another creator is not its user (managing that user's
/// keys as "own" would shed the bound).
pub(super) fn unbounded_caller_user(ctx: &OpContext) -> Option<UserId> {
    match &ctx.actor {
        Actor::ApiKey {
            creator: Some(_), ..
        } => None,
        _ => caller_user(ctx),
    }
}
