//! Issuing keys: create and regenerate, the permission source a new key acts as, and the
//! checks that keep a key within its creator's powers (no escalation, narrowing of a calling
//! key's restrictions).

use super::super::authn::{caller_user, unbounded_caller_user};
use super::super::text_input::{optional_text, required_text};
use super::super::{Actor, OpContext, ScaiDns};
use super::limits::{KeyLimits, narrow_to, parse_whitelist, validate_scopes};
use super::{ApiKeyCreate, IssuedApiKey, key_json};
use crate::error::{Error, Result};
use crate::identity::api_key::{ApiKey, ApiKeySecret, ApiKeyStatus, PermissionSource};
use crate::ids::{ApiKeyId, GroupId, TenantId, UserId};
use crate::ports::random::RandomRng;
use crate::rbac::{Permission, Subject, Target};
use crate::tenant::UserStatus;

impl ScaiDns {
    /// Creates a key and returns it with its secret. 403 `permission_denied` when a non-admin
    /// names another user; 422 for invalid fields or an unknown source.
    pub async fn api_key_create(
        &self,
        ctx: &OpContext,
        input: ApiKeyCreate,
    ) -> Result<IssuedApiKey> {
        ctx.require(Permission::API_KEYS_CREATE)?;
        let name = required_text("name", &input.name, 100)?;
        let description = optional_text("description", input.description.as_deref(), 1000)?;
        let mut scopes = validate_scopes(&input.scopes)?;
        let mut ip_whitelist = parse_whitelist(&input.ip_whitelist)?;
        let mut input = input;
        if let Some(caller) = self.restricted_caller_key(ctx).await? {
            narrow_to(
                &caller,
                KeyLimits {
                    scopes: &mut scopes,
                    ip_whitelist: &mut ip_whitelist,
                    expires_at: &mut input.expires_at,
                    rate_limit: &mut input.rate_limit,
                },
                self.settings().api_key_rate_limit.default_per_minute,
            )?;
        }
        let limits = self.settings().api_key_rate_limit;
        if input.rate_limit == Some(0) {
            return Err(Error::invalid(
                "rate_limit",
                "rate_limit must be at least 1 request per minute",
            ));
        }
        if let Some(limit) = input.rate_limit.filter(|l| *l > limits.max_per_minute) {
            return Err(Error::invalid(
                "rate_limit",
                format!(
                    "rate_limit {limit} is above the platform maximum of {} requests per minute",
                    limits.max_per_minute
                ),
            ));
        }
        if input.expires_at.is_some_and(|at| at <= ctx.now) {
            return Err(Error::invalid(
                "expires_at",
                "expires_at must lie in the future",
            ));
        }
        let (source_id, tenant_id) = self
            .key_source(ctx, input.permission_source, input.permission_source_id)
            .await?;
        let created_by = self
            .bounding_creator(ctx, input.permission_source, &source_id)
            .await?;
        // A key above the default limit is a raise: only a key manager of the tenant grants it.
        if input
            .rate_limit
            .is_some_and(|l| l > limits.default_per_minute)
            && !self
                .is_allowed(ctx, Permission::API_KEYS_UPDATE, Target::Tenant(tenant_id))
                .await?
        {
            return Err(Error::forbidden(
                "permission_denied",
                format!(
                    "a rate_limit above the default of {} requests per minute needs api_keys:update in the key's tenant",
                    limits.default_per_minute
                ),
            ));
        }

        let secret = ApiKeySecret::generate(&mut RandomRng(self.random().as_ref()));
        let key = ApiKey {
            id: ApiKeyId::new(),
            tenant_id,
            name,
            description,
            key_prefix: secret.display_prefix(),
            key_hash: secret.hash(&self.config.api_key_pepper),
            status: ApiKeyStatus::Active,
            permission_source: input.permission_source,
            permission_source_id: source_id,
            scopes,
            rate_limit: input.rate_limit,
            ip_whitelist,
            expires_at: input.expires_at,
            last_used_at: None,
            last_used_ip: None,
            use_count: 0,
            created_by,
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        let audit = ctx.audit(
            key.tenant_id,
            "api_key.create",
            "api_key",
            key.id,
            Some(key.name.clone()),
            None,
            Some(key_json(&key)),
        );
        self.store.insert_api_key(&key, &[audit]).await?;
        Ok(IssuedApiKey { key, secret })
    }

    /// Checks the permission source and returns its id and tenant: the caller itself, or a
    /// user or group of a tenant where the caller holds `api_keys:create`.
    pub(super) async fn key_source(
        &self,
        ctx: &OpContext,
        source: PermissionSource,
        source_id: Option<String>,
    ) -> Result<(String, TenantId)> {
        let raw = source_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if source == PermissionSource::Group {
            return self.group_key_source(ctx, raw).await;
        }
        // A key bounded by its creator makes even a key for its own user act as someone else.
        let caller = unbounded_caller_user(ctx);
        let user_id: UserId = match raw {
            Some(raw) => raw
                .parse()
                .map_err(|_| Error::invalid("permission_source_id", "not a valid user id"))?,
            None => caller_user(ctx).ok_or_else(|| {
                Error::invalid("permission_source_id", "permission_source_id is required")
            })?,
        };
        let mut user = self.store.get_user(user_id).await?;
        if caller != Some(user_id) {
            // A user the caller may not make keys for answers like one that does not exist, so
            // ids of other tenants' users cannot be told from unknown ones.
            if let Some(u) = &user
                && !self
                    .is_allowed(
                        ctx,
                        Permission::API_KEYS_CREATE,
                        Target::Tenant(u.tenant_id),
                    )
                    .await?
            {
                user = None;
            }
            if user.is_none()
                && !self
                    .is_allowed(
                        ctx,
                        Permission::API_KEYS_CREATE,
                        Target::Tenant(ctx.tenant_id),
                    )
                    .await?
            {
                return Err(Error::forbidden(
                    "permission_denied",
                    "you may only create API keys for yourself",
                ));
            }
        }
        let user = user
            .ok_or_else(|| Error::invalid("permission_source_id", "no such user in your tenant"))?;
        if user.status != UserStatus::Active {
            return Err(Error::invalid(
                "permission_source_id",
                "the user is inactive",
            ));
        }
        if caller != Some(user_id) {
            // The key would act as that user: the caller must hold all it holds.
            self.refuse_acting_beyond(ctx, Subject::User(user_id))
                .await?;
        }
        Ok((user.id.to_string(), user.tenant_id))
    }

    /// A group key's group: it must belong to the caller's tenant (any tenant for platform
    /// admins), where the caller needs `api_keys:create`.
    pub(super) async fn group_key_source(
        &self,
        ctx: &OpContext,
        raw: Option<&str>,
    ) -> Result<(String, TenantId)> {
        let no_group = || Error::invalid("permission_source_id", "no such group in your tenant");
        let id: GroupId = raw
            .ok_or_else(|| {
                Error::invalid(
                    "permission_source_id",
                    "permission_source_id is required for a group key",
                )
            })?
            .parse()
            .map_err(|_| no_group())?;
        let group = self
            .store
            .get_group(id)
            .await?
            .filter(|g| ctx.can_access_tenant(g.tenant_id))
            .ok_or_else(no_group)?;
        self.authorize(
            ctx,
            Permission::API_KEYS_CREATE,
            Target::Tenant(group.tenant_id),
        )
        .await?;
        self.refuse_acting_beyond(ctx, Subject::Group(group.id))
            .await?;
        Ok((group.id.to_string(), group.tenant_id))
    }

    /// The calling API key when it carries restrictions (scopes, IP allow-list, expiry, a rate
    /// limit) that any key it mints must keep.
    pub(super) async fn restricted_caller_key(&self, ctx: &OpContext) -> Result<Option<ApiKey>> {
        let Actor::ApiKey { id, .. } = &ctx.actor else {
            return Ok(None);
        };
        Ok(self.store.get_api_key(*id).await?.filter(|k| {
            !k.scopes.is_empty()
                || !k.ip_whitelist.is_empty()
                || k.expires_at.is_some()
                || k.rate_limit.is_some()
        }))
    }

    /// Issues a new secret; the old one stops working at once.
    pub async fn api_key_regenerate(&self, ctx: &OpContext, id: ApiKeyId) -> Result<IssuedApiKey> {
        let before = self.key_for(ctx, id, Permission::API_KEYS_UPDATE).await?;
        self.refuse_acting_as_key_source(ctx, &before).await?;
        let created_by = self.vouching_creator(ctx, &before).await?;
        let secret = ApiKeySecret::generate(&mut RandomRng(self.random().as_ref()));
        let after = ApiKey {
            key_prefix: secret.display_prefix(),
            key_hash: secret.hash(&self.config.api_key_pepper),
            created_by,
            updated_at: ctx.now,
            ..before.clone()
        };
        self.update_key_audited(ctx, &before, &after, "api_key.regenerate")
            .await?;
        Ok(IssuedApiKey { key: after, secret })
    }

    /// The user whose current permissions will bound a key acting as `source` that the caller
    /// mints (`created_by`; [`crate::rbac::key_bound`]). A user bounds what it mints (a key for
    /// itself is then unbounded); a platform admin issues a principal's own key (recorded as
    /// the source user, or none for a group), as it may hand on anything. A key whose own bound
    /// is not its user (a group key, or a key bounded by another creator) passes its bound on,
    /// and so may mint only for its own permission source: one stored creator cannot bound a
    /// key by two principals.
    pub(super) async fn bounding_creator(
        &self,
        ctx: &OpContext,
        source: PermissionSource,
        source_id: &str,
    ) -> Result<Option<UserId>> {
        if let Actor::ApiKey {
            id, owner, creator, ..
        } = &ctx.actor
            && (creator.is_some() || owner.is_none())
        {
            let calling = self.store.get_api_key(*id).await?;
            if calling.is_none_or(|k| {
                k.permission_source != source || k.permission_source_id != source_id
            }) {
                return Err(Error::forbidden(
                    "permission_denied",
                    "a group key, or a key acting for a user other than its creator, manages keys only for its own user or group",
                ));
            }
            return Ok(*creator);
        }
        let platform_admin = self
            .principal(ctx)
            .await?
            .covers_all_tenants(Permission::PLATFORM_ADMIN);
        Ok(if platform_admin {
            match source {
                PermissionSource::User => source_id.parse().ok(),
                PermissionSource::Group => None,
            }
        } else {
            caller_user(ctx)
        })
    }

    /// Whoever regenerates or re-activates a key vouches for it as its creator (the change
    /// passed the no-escalation check against them, as minting does), unless it is the key
    /// renewing itself.
    pub(super) async fn vouching_creator(
        &self,
        ctx: &OpContext,
        key: &ApiKey,
    ) -> Result<Option<UserId>> {
        if matches!(&ctx.actor, Actor::ApiKey { id, .. } if *id == key.id) {
            return Ok(key.created_by);
        }
        self.bounding_creator(ctx, key.permission_source, &key.permission_source_id)
            .await
    }

    /// Regenerating or re-activating someone else's key puts a working secret for it in the
    /// caller's hands: the caller must hold everything the key's user or group holds.
    pub(super) async fn refuse_acting_as_key_source(
        &self,
        ctx: &OpContext,
        key: &ApiKey,
    ) -> Result<()> {
        if Self::is_own_key(ctx, key) {
            return Ok(());
        }
        let subject = match key.permission_source {
            PermissionSource::User => key.permission_source_id.parse().ok().map(Subject::User),
            PermissionSource::Group => key.permission_source_id.parse().ok().map(Subject::Group),
        }
        .ok_or_else(|| Error::internal("an API key's permission source is not an id"))?;
        self.refuse_acting_beyond(ctx, subject).await
    }
}
