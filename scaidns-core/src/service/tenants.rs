//! Tenants and users (spec api-identity §5, §10.1, §10.3) while ScaiDNS is its own identity
//! source: platform admins create them locally; identity sync will later fill the same tables.
//! Also the one-time `bootstrap` that makes the platform tenant and its first admin.

use serde_json::json;

use crate::audit::AuditEvent;
use crate::error::{Error, Result};
use crate::identity::api_key::{ApiKey, ApiKeySecret, ApiKeyStatus, PermissionSource};
use crate::ids::{ApiKeyId, TenantId, UserId};
use crate::paging::{Page, PageRequest};
use crate::ports::random::RandomRng;
use crate::ports::store::ApiKeyFilter;
use crate::tenant::{Tenant, TenantStatus, User, UserStatus};

use super::text_input::{normalize_email, optional_text, required_text};
use super::{Actor, OpContext, ScaiDns};
use crate::rbac::{Permission, Target};

/// Slug of the platform operator's own tenant.
pub const PLATFORM_SLUG: &str = "platform";

/// Input of [`ScaiDns::tenant_create`].
#[derive(Debug, Clone, Default)]
pub struct TenantCreate {
    /// Display name (1..=255 characters).
    pub name: String,
    /// Lowercase `[a-z0-9-]`, 1..=63, unique.
    pub slug: String,
    /// Id at the identity provider.
    pub scaikey_tenant_id: Option<String>,
    /// Its partner: id or identity-provider id (`prt_…`).
    pub partner_id: Option<String>,
    /// Settings (a JSON object).
    pub settings: Option<serde_json::Value>,
}

/// What [`ScaiDns::bootstrap`] made. `secret` is shown once and never stored.
#[derive(Debug, Clone)]
pub struct Bootstrapped {
    /// The platform admin.
    pub user: User,
    /// The platform tenant.
    pub tenant: Tenant,
    /// The admin's first API key.
    pub api_key: ApiKey,
    /// Its secret.
    pub secret: ApiKeySecret,
}

pub(super) fn tenant_json(t: &Tenant) -> serde_json::Value {
    json!({
        "id": t.id, "name": t.name, "slug": t.slug, "scaikey_tenant_id": t.scaikey_tenant_id,
        "status": t.effective_status(), "provider_status": t.status,
        "suspended_locally": t.suspended_locally, "is_platform": t.is_platform,
        "partner_id": t.partner_id, "settings": t.settings,
    })
}

pub(super) fn user_json(u: &User) -> serde_json::Value {
    json!({
        "id": u.id, "tenant_id": u.tenant_id, "email": u.email, "first_name": u.first_name,
        "last_name": u.last_name, "status": u.status, "is_platform_admin": u.is_platform_admin,
        "is_tenant_admin": u.is_tenant_admin,
    })
}

fn validate_slug(slug: &str) -> Result<String> {
    let ok = (1..=63).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(slug.to_owned())
    } else {
        Err(Error::invalid(
            "slug",
            "slug must be 1 to 63 characters of a-z, 0-9 and '-', not starting or ending with '-'",
        ))
    }
}

impl ScaiDns {
    /// Creates a tenant. Platform admin only. 409 `tenant_exists` when the slug or the
    /// identity-provider id is taken.
    pub async fn tenant_create(&self, ctx: &OpContext, input: TenantCreate) -> Result<Tenant> {
        self.authorize(ctx, Permission::PLATFORM_ADMIN, Target::Platform)
            .await?;
        let name = required_text("name", &input.name, 255)?;
        let slug = validate_slug(&input.slug)?;
        let scaikey_tenant_id =
            optional_text("scaikey_tenant_id", input.scaikey_tenant_id.as_deref(), 255)?;
        if self.store.get_tenant_by_slug(&slug).await?.is_some() {
            return Err(Error::conflict(
                "tenant_exists",
                format!("a tenant with slug '{slug}' exists"),
            )
            .with_field("slug"));
        }
        if let Some(id) = &scaikey_tenant_id
            && let Some(other) = self.store.get_tenant_by_scaikey_id(id).await?
        {
            return Err(Error::conflict(
                "tenant_exists",
                "a tenant with this scaikey_tenant_id exists",
            )
            .with_field("scaikey_tenant_id")
            .with_conflicts(ctx.visible_conflicts(other.id, other.id)));
        }
        let partner_id = match input.partner_id.as_deref() {
            Some(id) => Some(self.partner_ref("partner_id", id).await?.id),
            None => None,
        };
        let settings = super::zones::checked_settings(input.settings)?;
        let tenant = Tenant {
            id: TenantId::new(),
            name,
            slug,
            scaikey_tenant_id,
            status: TenantStatus::Active,
            is_platform: false,
            suspended_locally: false,
            partner_id,
            settings,
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        let audit = ctx.audit(
            tenant.id,
            "tenant.create",
            "tenant",
            tenant.id,
            Some(tenant.slug.clone()),
            None,
            Some(tenant_json(&tenant)),
        );
        self.store.insert_tenant(&tenant, &[audit]).await?;
        Ok(tenant)
    }

    /// All tenants, optionally filtered by a name/slug substring and the status callers see.
    /// Platform admin only.
    pub async fn tenant_list(
        &self,
        ctx: &OpContext,
        search: Option<&str>,
        status: Option<TenantStatus>,
        page: super::queries::PageQuery,
    ) -> Result<Page<Tenant>> {
        let page = PageRequest::from(page);
        self.authorize(ctx, Permission::PLATFORM_ADMIN, Target::Platform)
            .await?;
        let filter = crate::ports::store::TenantFilter {
            search: search
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            status,
        };
        self.store.list_tenants(&filter, page).await
    }

    /// One tenant. Platform admin only; 404 `tenant_not_found`.
    pub async fn tenant_get(&self, ctx: &OpContext, id: TenantId) -> Result<Tenant> {
        self.authorize(ctx, Permission::PLATFORM_ADMIN, Target::Platform)
            .await?;
        self.store
            .get_tenant(id)
            .await?
            .ok_or_else(tenant_not_found)
    }

    /// Sets `is_tenant_admin` as the assignments say: the stored flag (the identity
    /// provider's word, or bootstrap) or a direct `tenant_admin` assignment in the user's own
    /// tenant, so the flag never contradicts the roles listed for the user. One query for all
    /// of `users` (a page of the user list), not one per user.
    pub(crate) async fn derive_role_flags(&self, users: &mut [User]) -> Result<()> {
        use crate::rbac::roles::TENANT_ADMIN;
        use crate::rbac::{RoleScope, Subject, system_role};
        if users.iter().all(|u| u.is_tenant_admin) {
            return Ok(());
        }
        let Some(role) = system_role(TENANT_ADMIN).map(|r| r.role_id()) else {
            return Ok(());
        };
        let holders = self.store.role_holders(role).await?;
        for user in users.iter_mut().filter(|u| !u.is_tenant_admin) {
            user.is_tenant_admin = holders.iter().any(|a| {
                a.subject == Subject::User(user.id) && a.scope == RoleScope::Tenant(user.tenant_id)
            });
        }
        Ok(())
    }

    /// Creates the platform tenant, its first platform admin and that admin's API key. Runs
    /// once: 409 `already_bootstrapped` when the platform tenant exists.
    ///
    /// The three inserts are separate store calls; the e-mail is checked first so the usual
    /// failure cannot leave a half-made platform behind.
    pub async fn bootstrap(&self, email: &str) -> Result<Bootstrapped> {
        let email = normalize_email(email)?;
        let now = self.clock.now();
        // Tenant, user and key are three writes: a run that stopped between them is finished
        // by the next one instead of leaving a platform nobody can log in to.
        let (tenant, user) = match self.store.get_tenant_by_slug(PLATFORM_SLUG).await? {
            Some(existing) if !existing.is_platform => {
                return Err(Error::conflict(
                    "tenant_exists",
                    format!("a tenant with slug '{PLATFORM_SLUG}' exists"),
                ));
            }
            Some(tenant) => {
                let user = self.unfinished_bootstrap_user(&tenant, &email).await?;
                (tenant, user)
            }
            None => {
                if self.store.get_user_by_email(&email).await?.is_some() {
                    return Err(
                        Error::conflict("user_exists", "a user with this e-mail exists")
                            .with_field("email"),
                    );
                }
                let tenant = Tenant {
                    id: TenantId::new(),
                    name: "Platform".to_owned(),
                    slug: PLATFORM_SLUG.to_owned(),
                    scaikey_tenant_id: None,
                    status: TenantStatus::Active,
                    is_platform: true,
                    suspended_locally: false,
                    partner_id: None,
                    settings: serde_json::json!({}),
                    created_at: now,
                    updated_at: now,
                };
                (tenant, None)
            }
        };
        let ctx = OpContext {
            actor: Actor::System,
            tenant_id: tenant.id,
            request_id: None,
            ip: None,
            user_agent: None,
            now,
            authz: Default::default(),
            plan: None,
        };
        let audit = |action: &str, rtype: &str, id: String, name: String, after| -> AuditEvent {
            ctx.audit(tenant.id, action, rtype, id, Some(name), None, Some(after))
        };
        if self.store.get_tenant(tenant.id).await?.is_none() {
            let entry = audit(
                "tenant.create",
                "tenant",
                tenant.id.to_string(),
                tenant.slug.clone(),
                tenant_json(&tenant),
            );
            self.store.insert_tenant(&tenant, &[entry]).await?;
        }
        let user = match user {
            Some(user) => user,
            None => {
                let user = new_user(tenant.id, email, None, None, true, now);
                let entry = audit(
                    "user.create",
                    "user",
                    user.id.to_string(),
                    user.email.clone(),
                    user_json(&user),
                );
                self.store.insert_user(&user, &[entry]).await?;
                user
            }
        };
        let secret = ApiKeySecret::generate(&mut RandomRng(self.random().as_ref()));
        let api_key = ApiKey {
            id: ApiKeyId::new(),
            tenant_id: tenant.id,
            name: "bootstrap".to_owned(),
            description: Some("Created by scaidns bootstrap".to_owned()),
            key_prefix: secret.display_prefix(),
            key_hash: secret.hash(&self.config.api_key_pepper),
            status: ApiKeyStatus::Active,
            permission_source: PermissionSource::User,
            permission_source_id: user.id.to_string(),
            scopes: Vec::new(),
            rate_limit: None,
            ip_whitelist: Vec::new(),
            expires_at: None,
            last_used_at: None,
            last_used_ip: None,
            use_count: 0,
            created_by: Some(user.id),
            created_at: now,
            updated_at: now,
        };
        let entry = audit(
            "api_key.create",
            "api_key",
            api_key.id.to_string(),
            api_key.name.clone(),
            super::api_keys::key_json(&api_key),
        );
        self.store.insert_api_key(&api_key, &[entry]).await?;
        Ok(Bootstrapped {
            user,
            tenant,
            api_key,
            secret,
        })
    }

    /// For a platform tenant that exists already: `Ok(None)` when it has no user yet, the admin
    /// `email` when that user has no key yet (a bootstrap that stopped half-way), and 409
    /// `already_bootstrapped` otherwise.
    async fn unfinished_bootstrap_user(
        &self,
        tenant: &Tenant,
        email: &str,
    ) -> Result<Option<User>> {
        let done = || {
            Error::conflict(
                "already_bootstrapped",
                "ScaiDNS has already been bootstrapped",
            )
        };
        let users = self
            .store
            .list_users(
                Some(tenant.id),
                PageRequest {
                    page: 1,
                    page_size: 2,
                },
            )
            .await?;
        if users.total == 0 {
            return Ok(None);
        }
        let user = self
            .store
            .get_user_by_email(email)
            .await?
            .filter(|u| u.tenant_id == tenant.id && u.is_platform_admin && users.total == 1)
            .ok_or_else(done)?;
        let filter = ApiKeyFilter {
            permission_source_id: Some(user.id.to_string()),
            include_revoked: true,
            ..ApiKeyFilter::default()
        };
        if self
            .store
            .list_api_keys(
                &filter,
                PageRequest {
                    page: 1,
                    page_size: 1,
                },
            )
            .await?
            .total
            > 0
        {
            return Err(done());
        }
        Ok(Some(user))
    }
}

pub(super) fn tenant_not_found() -> Error {
    Error::new(
        crate::ErrorKind::NotFound,
        "tenant_not_found",
        "Tenant not found",
    )
}

pub(super) fn new_user(
    tenant_id: TenantId,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    is_platform_admin: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> User {
    User {
        id: UserId::new(),
        tenant_id,
        email,
        first_name,
        last_name,
        scaikey_user_id: None,
        status: UserStatus::Active,
        is_platform_admin,
        is_tenant_admin: is_platform_admin,
        created_at: now,
        updated_at: now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(validate_slug("acme-1").is_ok());
        for bad in ["", "Acme", "-a", "a-", "a_b", &"a".repeat(64)] {
            assert!(validate_slug(bad).is_err(), "{bad}");
        }
    }
}
