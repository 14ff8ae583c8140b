//! API-key management (spec api-identity §8): create, list, get, revoke, activate, regenerate,
//! delete.
//!
//! Everyone manages its own user's keys. Other keys need `api_keys:read|create|update|delete`
//! on the key's tenant (tenant admins for their tenant, platform admins everywhere); that
//! includes group keys, whose group must belong to the tenant. A key that acts as another user
//! or a group is created, activated or regenerated only by a caller holding everything that
//! principal holds (the no-escalation rule, [`crate::rbac::escalation`]). Keys the caller may
//! not read are 404, never 403, so their existence does not leak.
//! Audit entries carry [`key_json`], which never includes the secret or its hash.
//!
//! Reading, status changes and deletion are here; issuing keys (create, regenerate) is in
//! `issue`, and what a new key may be (allow-list, scopes, narrowing) in `limits`.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::error::{Error, ErrorKind, Result};
use crate::identity::api_key::{ApiKey, ApiKeySecret, ApiKeyStatus, PermissionSource};
use crate::ids::{ApiKeyId, TenantId};
use crate::ports::store::{ApiKeyFilter, Page, PageRequest};
use crate::rbac::{Permission, Target};

use super::authn::{caller_user, unbounded_caller_user};
use super::queries::PageQuery;
use super::{Actor, OpContext, ScaiDns};

mod issue;
mod limits;

/// Input of [`ScaiDns::api_key_create`].
#[derive(Debug, Clone)]
pub struct ApiKeyCreate {
    /// Label (1..=100 characters).
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Whose permissions the key carries.
    pub permission_source: PermissionSource,
    /// That principal's id; defaults to the caller's user for user keys.
    pub permission_source_id: Option<String>,
    /// Optional narrowing to these permission strings.
    pub scopes: Vec<String>,
    /// Requests per minute.
    pub rate_limit: Option<u32>,
    /// CIDR blocks (a bare address means that one host).
    pub ip_whitelist: Vec<String>,
    /// Refused after this instant; must lie in the future.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Filter of [`ScaiDns::api_key_list`].
#[derive(Debug, Clone, Default)]
pub struct ApiKeyListQuery {
    /// Include revoked keys.
    pub include_revoked: bool,
    /// Platform admins: restrict to one tenant (default: every tenant). Others: must be their
    /// own tenant if given.
    pub tenant_id: Option<TenantId>,
}

/// A key with its freshly issued secret (create and regenerate), shown exactly once.
#[derive(Debug, Clone)]
pub struct IssuedApiKey {
    /// The stored key.
    pub key: ApiKey,
    /// The secret; never stored, never logged.
    pub secret: ApiKeySecret,
}

/// What audit entries may say about a key: everything but the secret and its hash.
pub(super) fn key_json(k: &ApiKey) -> serde_json::Value {
    json!({
        "id": k.id, "tenant_id": k.tenant_id, "name": k.name, "description": k.description,
        "key_prefix": k.key_prefix, "status": k.status, "permission_source": k.permission_source,
        "permission_source_id": k.permission_source_id, "scopes": k.scopes,
        "rate_limit": k.rate_limit, "ip_whitelist": k.ip_whitelist, "expires_at": k.expires_at,
    })
}

fn key_not_found() -> Error {
    Error::new(
        ErrorKind::NotFound,
        "api_key_not_found",
        "API key not found",
    )
}
impl ScaiDns {
    /// Whether the key is the calling key, or the caller's own user (acting with its full
    /// powers) is the key's permission source.
    fn is_own_key(ctx: &OpContext, key: &ApiKey) -> bool {
        let calling = matches!(&ctx.actor, Actor::ApiKey { id, .. } if *id == key.id);
        calling
            || (key.tenant_id == ctx.tenant_id
                && key.permission_source == PermissionSource::User
                && unbounded_caller_user(ctx)
                    .is_some_and(|u| key.permission_source_id == u.to_string()))
    }

    /// Keys the caller may see: with `api_keys:read` its tenant's (platform admins every
    /// tenant's, or one tenant's); else its own user's.
    pub async fn api_key_list(
        &self,
        ctx: &OpContext,
        query: ApiKeyListQuery,
        page: PageQuery,
    ) -> Result<Page<ApiKey>> {
        let page = PageRequest::from(page);
        ctx.require(Permission::API_KEYS_READ)?;
        let reads_all = self
            .principal(ctx)
            .await?
            .covers_all_tenants(Permission::API_KEYS_READ);
        let filter = if reads_all {
            ApiKeyFilter {
                tenant_id: query.tenant_id,
                permission_source_id: None,
                include_revoked: query.include_revoked,
            }
        } else if self
            .is_allowed(
                ctx,
                Permission::API_KEYS_READ,
                Target::Tenant(ctx.tenant_id),
            )
            .await?
        {
            if query.tenant_id.is_some_and(|t| t != ctx.tenant_id) {
                return Err(Error::forbidden(
                    "permission_denied",
                    "only platform admins may list other tenants' keys",
                ));
            }
            ApiKeyFilter {
                tenant_id: Some(ctx.tenant_id),
                permission_source_id: None,
                include_revoked: query.include_revoked,
            }
        } else {
            if query.tenant_id.is_some_and(|t| t != ctx.tenant_id) {
                return Err(Error::forbidden(
                    "permission_denied",
                    "only platform admins may list other tenants' keys",
                ));
            }
            // A caller with no user behind it has no keys of its own.
            let Some(user) = caller_user(ctx) else {
                return Ok(Page {
                    items: Vec::new(),
                    total: 0,
                });
            };
            ApiKeyFilter {
                tenant_id: Some(ctx.tenant_id),
                permission_source_id: Some(user.to_string()),
                include_revoked: query.include_revoked,
            }
        };
        // This replica's recent uses show in the list (a failed flush keeps them for later).
        let _ = self.flush_key_use().await;
        self.store.list_api_keys(&filter, page).await
    }

    /// One key; 404 `api_key_not_found` when unknown or not visible.
    pub async fn api_key_get(&self, ctx: &OpContext, id: ApiKeyId) -> Result<ApiKey> {
        ctx.require(Permission::API_KEYS_READ)?;
        let _ = self.flush_key_use().await;
        let key = self
            .store
            .get_api_key(id)
            .await?
            .ok_or_else(key_not_found)?;
        if Self::is_own_key(ctx, &key)
            || self
                .is_allowed(
                    ctx,
                    Permission::API_KEYS_READ,
                    Target::Tenant(key.tenant_id),
                )
                .await?
        {
            Ok(key)
        } else {
            Err(key_not_found())
        }
    }

    /// A key the caller may read and change with `permission` (own keys always).
    async fn key_for(
        &self,
        ctx: &OpContext,
        id: ApiKeyId,
        permission: Permission,
    ) -> Result<ApiKey> {
        ctx.require(permission)?;
        let key = self.api_key_get(ctx, id).await?;
        // Regenerating or re-activating another key would hand a restricted key that key's
        // (possibly wider) powers; revoking and deleting only take powers away.
        if permission == Permission::API_KEYS_UPDATE
            && let Some(caller) = self.restricted_caller_key(ctx).await?
            && caller.id != key.id
        {
            return Err(Error::forbidden(
                "permission_denied",
                "a key with scopes, an IP allow-list, an expiry or a rate limit may only regenerate or activate itself",
            ));
        }
        if !Self::is_own_key(ctx, &key) {
            self.authorize(ctx, permission, Target::Tenant(key.tenant_id))
                .await?;
        }
        Ok(key)
    }

    /// Refuses the key until re-activated. Revoking a revoked key changes nothing.
    pub async fn api_key_revoke(&self, ctx: &OpContext, id: ApiKeyId) -> Result<ApiKey> {
        self.set_key_status(ctx, id, ApiKeyStatus::Revoked, "api_key.revoke")
            .await
    }

    /// Re-enables a revoked key. Activating an active key changes nothing.
    pub async fn api_key_activate(&self, ctx: &OpContext, id: ApiKeyId) -> Result<ApiKey> {
        self.set_key_status(ctx, id, ApiKeyStatus::Active, "api_key.activate")
            .await
    }

    async fn set_key_status(
        &self,
        ctx: &OpContext,
        id: ApiKeyId,
        status: ApiKeyStatus,
        action: &str,
    ) -> Result<ApiKey> {
        let before = self.key_for(ctx, id, Permission::API_KEYS_UPDATE).await?;
        if before.status == status {
            return Ok(before);
        }
        if status == ApiKeyStatus::Active {
            self.refuse_acting_as_key_source(ctx, &before).await?;
        }
        let created_by = if status == ApiKeyStatus::Active {
            self.vouching_creator(ctx, &before).await?
        } else {
            before.created_by
        };
        let after = ApiKey {
            status,
            created_by,
            updated_at: ctx.now,
            ..before.clone()
        };
        self.update_key_audited(ctx, &before, &after, action)
            .await?;
        Ok(after)
    }

    /// Removes a key for good.
    pub async fn api_key_delete(&self, ctx: &OpContext, id: ApiKeyId) -> Result<()> {
        let before = self.key_for(ctx, id, Permission::API_KEYS_DELETE).await?;
        let audit = ctx.audit(
            before.tenant_id,
            "api_key.delete",
            "api_key",
            before.id,
            Some(before.name.clone()),
            Some(key_json(&before)),
            None,
        );
        self.store.delete_api_key(before.id, &[audit]).await?;
        self.auth_changed();
        Ok(())
    }

    async fn update_key_audited(
        &self,
        ctx: &OpContext,
        before: &ApiKey,
        after: &ApiKey,
        action: &str,
    ) -> Result<()> {
        let audit = ctx.audit(
            after.tenant_id,
            action,
            "api_key",
            after.id,
            Some(after.name.clone()),
            Some(key_json(before)),
            Some(key_json(after)),
        );
        self.store.update_api_key(after, &[audit]).await?;
        self.auth_changed();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn audit_json_never_has_secret_material() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let secret = ApiKeySecret::generate(&mut rng);
        let key = ApiKey {
            key_prefix: secret.display_prefix(),
            key_hash: secret.hash(&crate::identity::api_key::Pepper::new("p")),
            ..super::limits::tests::key_limited_to(None)
        };
        let text = key_json(&key).to_string();
        assert!(!text.contains(secret.expose()));
        assert!(!text.contains(&key.key_hash));
    }
}
