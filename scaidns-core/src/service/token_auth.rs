//! Authentication of bearer tokens (spec api-identity §3.2, interface decision 17): a token the
//! identity provider vouches for becomes an [`OpContext`] acting as the cached user.
//!
//! Tenant resolution: the token's tenant claim names a cached tenant (by identity-provider id);
//! without that claim the user's primary tenant is used. A valid token for a tenant ScaiDNS does
//! not know is 403 `unknown_tenant`. An unknown `sub` in a known tenant becomes a user on first
//! sight, with no roles and no admin flags. Nothing here calls the provider but `verify`, so a
//! provider outage does not lock out users whose keys are cached.

use std::sync::Arc;

use serde_json::json;

use crate::audit::{ActorType, AuditEvent};
use crate::error::{Error, Result};
use crate::identity::linking::check_link;
use crate::ids::{AuditEventId, UserId};
use crate::ports::identity_provider::{IdentityProvider, TokenClaims, Verified};
use crate::tenant::{Tenant, User, UserStatus};

use super::auth_cache::AuthenticatedUser;
use super::identity_sync::Reporter;
use super::{Actor, OpContext, RequestMeta, ScaiDns};

fn not_configured() -> Error {
    Error::unauthenticated(
        "jwt_not_configured",
        "Bearer tokens are not accepted: no identity provider is configured; use X-API-Key",
    )
}

fn unknown_tenant() -> Error {
    Error::forbidden(
        "unknown_tenant",
        "The token's tenant is not known to ScaiDNS",
    )
}

/// The e-mail a user seen for the first time is created with; without one the request is
/// refused with `email_required`.
pub(super) fn first_sight_email(claims: &TokenClaims) -> Option<String> {
    claims
        .email
        .as_deref()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
}

impl ScaiDns {
    /// Adds the identity provider that bearer tokens are verified with.
    #[must_use]
    pub fn with_identity_provider(mut self, provider: Arc<dyn IdentityProvider>) -> Self {
        self.identity_provider = Some(provider);
        self
    }

    /// The identity provider, when one is configured.
    pub fn identity_provider(&self) -> Option<&Arc<dyn IdentityProvider>> {
        self.identity_provider.as_ref()
    }

    /// Verifies a bearer token and returns its claims (for `/auth/me`).
    ///
    /// Errors: 401 `jwt_not_configured` and the `token_*` codes of
    /// [`crate::ports::identity_provider::TokenRejection`]; 503 when the provider's keys were
    /// never obtained.
    pub async fn verify_token(&self, token: &str) -> Result<TokenClaims> {
        let provider = self.identity_provider.as_ref().ok_or_else(not_configured)?;
        match provider.verify(token).await? {
            Verified::Valid(claims) => Ok(*claims),
            Verified::Rejected(why) => Err(why.into_error()),
        }
    }

    /// Authenticates a bearer token and builds the request's context.
    ///
    /// Errors: those of [`Self::verify_token`]; 403 `unknown_tenant`, `tenant_suspended`,
    /// `user_inactive`, `user_conflict`.
    pub async fn authenticate_token(&self, token: &str, meta: RequestMeta) -> Result<OpContext> {
        let claims = self.verify_token(token).await?;
        let now = self.clock.now();
        // The token is verified on every request; what it names is looked up once.
        let cache_id = format!(
            "{}\u{0}{}",
            claims.subject,
            claims.tenant.as_deref().unwrap_or_default()
        );
        let found = match self.auth_cache().user(&cache_id, now) {
            Some(found) => found,
            None => {
                let epoch = self.auth_cache().epoch();
                let found = Arc::new(self.look_up_token_user(&claims, &meta).await?);
                self.auth_cache()
                    .insert_user(cache_id, epoch, now, Arc::clone(&found));
                found
            }
        };
        let user = &found.user;
        // Judged on every request, never stored on the user: the claim lasts as long as the
        // token says it does, and a local assignment is not touched by it.
        let claim_admin = !user.is_platform_admin && claims.grants_platform_admin();
        if claim_admin {
            self.audit_first_claim_admin(user, found.tenant.id, &claims, &meta)
                .await?;
        }
        Ok(OpContext {
            actor: Actor::User {
                id: user.id,
                email: user.email.clone(),
                is_platform_admin: user.is_platform_admin || claim_admin,
            },
            tenant_id: found.tenant.id,
            request_id: meta.request_id,
            ip: meta.ip.map(|ip| ip.to_string()),
            user_agent: meta.user_agent,
            now,
            // The cached resolution belongs to the user as stored; a request made admin by its
            // token resolves for itself, so neither leaks into the other's requests.
            authz: if claim_admin {
                super::authz::AuthzCache::for_user(user.clone())
            } else {
                found.authz.clone()
            },
            plan: None,
        })
    }

    /// Records, once per user, that a token claim made the user a platform admin. The mark is
    /// a setting row written in the same transaction as the audit event, so it survives a
    /// restart and is shared by every replica; this process remembers it too, so later
    /// requests cost no store read. Two replicas seeing the user's first request at the same
    /// instant may both write the event (the row is an upsert): at worst a duplicate, never a
    /// missing one.
    async fn audit_first_claim_admin(
        &self,
        user: &User,
        tenant: crate::ids::TenantId,
        claims: &TokenClaims,
        meta: &RequestMeta,
    ) -> Result<()> {
        let seen = |set: &std::collections::HashSet<UserId>| set.contains(&user.id);
        if self
            .admin_claims_audited
            .lock()
            .map(|set| seen(&set))
            .unwrap_or(false)
        {
            return Ok(());
        }
        let key = format!("platform_admin_claim_audited:{}", user.id);
        if self.store.get_setting(&key).await?.is_none() {
            let now = self.clock.now();
            let event = AuditEvent {
                id: AuditEventId::new(),
                tenant_id: Some(tenant),
                actor_type: ActorType::User,
                actor_id: Some(user.id.to_string()),
                actor_email: Some(user.email.clone()),
                action: "user.platform_admin_claim".to_owned(),
                resource_type: "user".to_owned(),
                resource_id: Some(user.id.to_string()),
                resource_name: Some(user.email.clone()),
                before: None,
                after: Some(json!({
                    "issuer": claims.issuer,
                    "subject": claims.subject,
                    "roles": claims.roles,
                    "scopes": claims.scopes,
                })),
                ip_address: meta.ip.map(|ip| ip.to_string()),
                user_agent: meta.user_agent.clone(),
                request_id: meta.request_id.clone(),
                created_at: now,
            };
            self.store
                .put_setting(&key, &now.to_rfc3339(), &[event])
                .await?;
        }
        if let Ok(mut set) = self.admin_claims_audited.lock() {
            set.insert(user.id);
        }
        Ok(())
    }

    /// The user and tenant a verified token names, refused in the documented order; a user
    /// seen for the first time is created.
    async fn look_up_token_user(
        &self,
        claims: &TokenClaims,
        meta: &RequestMeta,
    ) -> Result<AuthenticatedUser> {
        let (existing, tenant) = self.token_standing(claims).await?;
        let user = match existing {
            Some(user) => user,
            None => self.user_on_first_sight(claims, &tenant, meta).await?,
        };
        Ok(AuthenticatedUser {
            authz: super::authz::AuthzCache::for_user(user.clone()),
            user,
            tenant,
        })
    }

    /// The user (if already known) and tenant a verified token names, or the 403 a request
    /// with it gets; reads only, so `/auth/validate` can ask the same question. A user first
    /// seen is created active, so only a known one can be inactive.
    pub(super) async fn token_standing(
        &self,
        claims: &TokenClaims,
    ) -> Result<(Option<User>, Tenant)> {
        let existing = self.store.get_user_by_scaikey_id(&claims.subject).await?;
        let tenant = self.token_tenant(claims, existing.as_ref()).await?;
        // Suspended by the identity provider or locally by a platform admin.
        if tenant.is_suspended() {
            return Err(Error::forbidden("tenant_suspended", "Tenant is suspended"));
        }
        if existing
            .as_ref()
            .is_some_and(|user| user.status != UserStatus::Active)
        {
            return Err(Error::forbidden("user_inactive", "User is inactive"));
        }
        Ok((existing, tenant))
    }

    async fn token_tenant(&self, claims: &TokenClaims, user: Option<&User>) -> Result<Tenant> {
        let tenant = match (&claims.tenant, user) {
            (Some(idp_tenant), _) => self.store.get_tenant_by_scaikey_id(idp_tenant).await?,
            (None, Some(user)) => self.store.get_tenant(user.tenant_id).await?,
            (None, None) => None,
        };
        tenant.ok_or_else(unknown_tenant)
    }

    /// Creates the cache row of a user seen for the first time, or links a row that sync or an
    /// admin created with the same e-mail in the same tenant and no provider id yet.
    async fn user_on_first_sight(
        &self,
        claims: &TokenClaims,
        tenant: &Tenant,
        meta: &RequestMeta,
    ) -> Result<User> {
        let now = self.clock.now();
        let email = first_sight_email(claims).ok_or_else(|| {
            Error::forbidden("email_required", "The token carries no e-mail claim")
        })?;
        let event = |action: &str, user: &User, before| AuditEvent {
            id: AuditEventId::new(),
            tenant_id: Some(tenant.id),
            actor_type: ActorType::User,
            actor_id: Some(user.id.to_string()),
            actor_email: Some(user.email.clone()),
            action: action.to_owned(),
            resource_type: "user".to_owned(),
            resource_id: Some(user.id.to_string()),
            resource_name: Some(user.email.clone()),
            before,
            after: Some(super::tenants::user_json(user)),
            ip_address: meta.ip.map(|ip| ip.to_string()),
            user_agent: meta.user_agent.clone(),
            request_id: meta.request_id.clone(),
            created_at: now,
        };
        if let Some(mut local) = self.store.get_user_by_email(&email).await? {
            if let Err(refusal) = check_link(
                &local,
                &claims.subject,
                Some(tenant.id),
                claims.email_verified,
            ) {
                let by = Reporter {
                    actor_type: ActorType::User,
                    actor_id: None,
                    request_id: meta.request_id.clone(),
                    ip: meta.ip.map(|ip| ip.to_string()),
                    user_agent: meta.user_agent.clone(),
                    now,
                };
                self.report_link_refusal(&local, &claims.subject, refusal, &by)
                    .await;
                return Err(refusal.error());
            }
            let before = Some(super::tenants::user_json(&local));
            local.scaikey_user_id = Some(claims.subject.clone());
            local.updated_at = now;
            let audit = [event("user.update", &local, before)];
            self.store.update_user(&local, &audit).await?;
            return Ok(local);
        }
        let user = User {
            id: UserId::new(),
            tenant_id: tenant.id,
            email,
            first_name: claims.given_name.clone(),
            last_name: claims.family_name.clone(),
            scaikey_user_id: Some(claims.subject.clone()),
            status: UserStatus::Active,
            is_platform_admin: false,
            is_tenant_admin: false,
            created_at: now,
            updated_at: now,
        };
        let mut audit = event("user.create", &user, None);
        audit.after = Some(json!({
            "user": super::tenants::user_json(&user), "source": "token",
        }));
        match self.store.insert_user(&user, &[audit]).await {
            Ok(()) => Ok(user),
            // Two first requests raced; the other one created the row.
            Err(e) if e.code() == "user_exists" => self
                .store
                .get_user_by_scaikey_id(&claims.subject)
                .await?
                .ok_or(e),
            Err(e) => Err(e),
        }
    }
}
