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

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use serde_json::json;

use crate::error::{Error, ErrorKind, Result};
use crate::identity::api_key::{ApiKey, ApiKeySecret, ApiKeyStatus, PermissionSource};
use crate::ids::{ApiKeyId, GroupId, TenantId, UserId};
use crate::ports::random::RandomRng;
use crate::ports::store::{ApiKeyFilter, Page, PageRequest};
use crate::rbac::scopes::first_uncovered;
use crate::rbac::{PermSet, Permission, Subject, Target};
use crate::tenant::UserStatus;

use super::authn::{caller_user, unbounded_caller_user};
use super::text_input::{optional_text, required_text};
use super::{Actor, OpContext, ScaiDns};

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

fn parse_whitelist(entries: &[String]) -> Result<Vec<IpNet>> {
    entries
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let s = raw.trim();
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
                .map(|net| net.trunc())
                .map_err(|_| {
                    Error::invalid(
                        format!("ip_whitelist[{i}]"),
                        format!("'{s}' is not a CIDR block"),
                    )
                })
        })
        .collect()
}

/// What a new key may be, as [`narrow_to`] compares it with the key that creates it.
struct KeyLimits<'a> {
    scopes: &'a mut Vec<String>,
    ip_whitelist: &'a mut Vec<IpNet>,
    expires_at: &'a mut Option<DateTime<Utc>>,
    rate_limit: &'a mut Option<u32>,
}

/// Keeps a new key within the restrictions of the key that creates it (API keys are narrowed,
/// never widened): its scopes must be covered by the creator's, its networks inside the
/// creator's, it expires no later, and it is throttled no less (`default_rate_limit` is the
/// limit of a key without its own). Absent restrictions are inherited.
fn narrow_to(creator: &ApiKey, new: KeyLimits<'_>, default_rate_limit: u32) -> Result<()> {
    let KeyLimits {
        scopes,
        ip_whitelist,
        expires_at,
        rate_limit,
    } = new;
    // A key without a limit of its own follows the raise rule of its callers instead.
    if let Some(limit) = creator.rate_limit {
        match rate_limit {
            Some(wanted) if *wanted > limit => {
                return Err(Error::forbidden(
                    "rate_limit_not_held",
                    format!(
                        "rate_limit: a key may not allow more than the {limit} requests per minute of the key that creates it"
                    ),
                ));
            }
            None if limit < default_rate_limit => *rate_limit = Some(limit),
            _ => {}
        }
    }
    if !creator.scopes.is_empty() {
        if scopes.is_empty() {
            scopes.clone_from(&creator.scopes);
        }
        if let Some((i, s)) = first_uncovered(&creator.scopes, scopes) {
            return Err(Error::forbidden(
                "scope_not_held",
                format!("scopes[{i}]: this key may not grant '{s}'"),
            ));
        }
    }
    if !creator.ip_whitelist.is_empty() {
        if ip_whitelist.is_empty() {
            ip_whitelist.clone_from(&creator.ip_whitelist);
        }
        if let Some((i, net)) = ip_whitelist
            .iter()
            .enumerate()
            .find(|(_, n)| !creator.ip_whitelist.iter().any(|c| c.contains(*n)))
        {
            return Err(Error::forbidden(
                "network_not_held",
                format!("ip_whitelist[{i}]: {net} is outside this key's allow-list"),
            ));
        }
    }
    if let Some(limit) = creator.expires_at {
        match expires_at {
            Some(at) if *at > limit => {
                return Err(Error::forbidden(
                    "expiry_not_held",
                    "expires_at: a key may not outlive the key that creates it",
                ));
            }
            Some(_) => {}
            None => *expires_at = Some(limit),
        }
    }
    Ok(())
}

fn validate_scopes(scopes: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(scopes.len());
    for (i, scope) in scopes.iter().enumerate() {
        let s = scope.trim();
        let ok = !s.is_empty()
            && s.len() <= 100
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-:*.".contains(&b));
        if !ok || PermSet::parse_one(s).is_err() {
            return Err(Error::invalid(
                format!("scopes[{i}]"),
                format!("'{s}' is not a permission (see GET /api/v1/roles/permissions)"),
            ));
        }
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    Ok(out)
}

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
                self.config.api_key_rate_limit.default_per_minute,
            )?;
        }
        let limits = self.config.api_key_rate_limit;
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
    async fn key_source(
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
    async fn group_key_source(
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
    async fn restricted_caller_key(&self, ctx: &OpContext) -> Result<Option<ApiKey>> {
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
        page: PageRequest,
    ) -> Result<Page<ApiKey>> {
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
        self.store.list_api_keys(&filter, page).await
    }

    /// One key; 404 `api_key_not_found` when unknown or not visible.
    pub async fn api_key_get(&self, ctx: &OpContext, id: ApiKeyId) -> Result<ApiKey> {
        ctx.require(Permission::API_KEYS_READ)?;
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
    async fn bounding_creator(
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
    async fn vouching_creator(&self, ctx: &OpContext, key: &ApiKey) -> Result<Option<UserId>> {
        if matches!(&ctx.actor, Actor::ApiKey { id, .. } if *id == key.id) {
            return Ok(key.created_by);
        }
        self.bounding_creator(ctx, key.permission_source, &key.permission_source_id)
            .await
    }

    /// Regenerating or re-activating someone else's key puts a working secret for it in the
    /// caller's hands: the caller must hold everything the key's user or group holds.
    async fn refuse_acting_as_key_source(&self, ctx: &OpContext, key: &ApiKey) -> Result<()> {
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
        self.store.delete_api_key(before.id, &[audit]).await
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
        self.store.update_api_key(after, &[audit]).await
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn key_limited_to(rate_limit: Option<u32>) -> ApiKey {
        let now = Utc::now();
        ApiKey {
            id: ApiKeyId::new(),
            tenant_id: TenantId::new(),
            name: "k".into(),
            description: None,
            key_prefix: String::new(),
            key_hash: String::new(),
            status: ApiKeyStatus::Active,
            permission_source: PermissionSource::User,
            permission_source_id: UserId::new().to_string(),
            scopes: vec![],
            rate_limit,
            ip_whitelist: vec![],
            expires_at: None,
            last_used_at: None,
            last_used_ip: None,
            use_count: 0,
            created_by: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn narrowed_rate(creator: Option<u32>, wanted: Option<u32>) -> Result<Option<u32>> {
        let (mut scopes, mut nets, mut expiry, mut rate) = (vec![], vec![], None, wanted);
        narrow_to(
            &key_limited_to(creator),
            KeyLimits {
                scopes: &mut scopes,
                ip_whitelist: &mut nets,
                expires_at: &mut expiry,
                rate_limit: &mut rate,
            },
            60,
        )?;
        Ok(rate)
    }

    #[test]
    fn a_throttled_key_mints_keys_no_less_throttled() {
        assert_eq!(narrowed_rate(Some(5), None).unwrap(), Some(5));
        assert_eq!(narrowed_rate(Some(5), Some(3)).unwrap(), Some(3));
        assert_eq!(
            narrowed_rate(Some(5), Some(6)).unwrap_err().code(),
            "rate_limit_not_held"
        );
        assert_eq!(
            narrowed_rate(Some(600), Some(601)).unwrap_err().code(),
            "rate_limit_not_held"
        );
        // A raised creator leaves an unset child at the default; an unthrottled one narrows nothing.
        assert_eq!(narrowed_rate(Some(600), None).unwrap(), None);
        assert_eq!(narrowed_rate(None, Some(500)).unwrap(), Some(500));
    }

    #[test]
    fn whitelist_and_scopes() {
        let nets = parse_whitelist(&[
            "10.0.0.0/8".into(),
            "192.0.2.7".into(),
            "2001:db8::1/64".into(),
        ])
        .unwrap();
        assert_eq!(nets[1].to_string(), "192.0.2.7/32");
        assert_eq!(nets[2].to_string(), "2001:db8::/64");
        assert_eq!(
            parse_whitelist(&["x".into()]).unwrap_err().field(),
            Some("ip_whitelist[0]")
        );
        assert_eq!(
            validate_scopes(&["domains:read".into(), "domains:read".into()])
                .unwrap()
                .len(),
            1
        );
        assert!(validate_scopes(&["Domains read".into()]).is_err());
    }

    #[test]
    fn audit_json_never_has_secret_material() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let secret = ApiKeySecret::generate(&mut rng);
        let now = Utc::now();
        let key = ApiKey {
            id: ApiKeyId::new(),
            tenant_id: TenantId::new(),
            name: "k".into(),
            description: None,
            key_prefix: secret.display_prefix(),
            key_hash: secret.hash(&crate::identity::api_key::Pepper::new("p")),
            status: ApiKeyStatus::Active,
            permission_source: PermissionSource::User,
            permission_source_id: UserId::new().to_string(),
            scopes: vec![],
            rate_limit: None,
            ip_whitelist: vec![],
            expires_at: None,
            last_used_at: None,
            last_used_ip: None,
            use_count: 0,
            created_by: None,
            created_at: now,
            updated_at: now,
        };
        let text = key_json(&key).to_string();
        assert!(!text.contains(secret.expose()));
        assert!(!text.contains(&key.key_hash));
    }
}
