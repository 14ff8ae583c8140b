//! Users (spec api-identity §5.3, §10.1): `/api/v1/admin/users/`. Reads come from the local
//! cache. Writes are proxied to ScaiKey's admin API ([`IdentityUserAdmin`]) when it is
//! configured and the user's tenant is mirrored from it, and the answer is mirrored into the
//! cache in the same request; ScaiKey is asked first, so an outage (502) changes nothing here.
//! Without ScaiKey the cache is the directory: create, update and disable work locally, and
//! password reset and invitations answer 409 `identity_provider_not_configured`.
//!
//! Who: `users:*` in the user's tenant — tenant admins in their own, platform admins anywhere;
//! users of other tenants are 404. A platform admin's account (its profile, status and
//! password) is changed only by platform admins, and nobody disables themselves. Passwords go
//! to ScaiKey only: never stored, returned, logged or audited.

use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::identity::upstream::{UpstreamUser, is_active_status};
use crate::ids::{TenantId, UserId};
use crate::paging::{Page, PageRequest};
use crate::ports::idp_users::{IdentityUserAdmin, NewUpstreamUser, UpstreamUserPatch};
use crate::ports::store::UserFilter;
use crate::rbac::{Permission, Target};
use crate::tenant::{User, UserStatus};

use super::tenants::user_json;
use super::text_input::{normalize_email, optional_text};
use super::{OpContext, ScaiDns};

/// The settings ScaiKey user administration needs, named in the 409s.
pub const SCAIKEY_SETTINGS: &str =
    "SCAIKEY_URL, SCAIKEY_CLIENT_ID, SCAIKEY_CLIENT_SECRET and SCAIKEY_APPLICATION_ID";

/// Shortest and longest password passed on to ScaiKey.
const PASSWORD_LENGTH: std::ops::RangeInclusive<usize> = 8..=256;

/// Input of [`ScaiDns::user_create`] and [`ScaiDns::user_invite`].
#[derive(Clone, Default)]
pub struct UserCreate {
    /// E-mail; stored lowercase.
    pub email: String,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Display name (passed to ScaiKey; the cache derives one from the names).
    pub display_name: Option<String>,
    /// Initial password (ScaiKey only); without one ScaiKey sends an invitation.
    pub password: Option<String>,
    /// Primary tenant; defaults to the caller's.
    pub tenant_id: Option<TenantId>,
}

impl std::fmt::Debug for UserCreate {
    // The password never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserCreate")
            .field("email", &self.email)
            .field("tenant_id", &self.tenant_id)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// Input of [`ScaiDns::user_update`]; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    /// Given name (empty clears it).
    pub first_name: Option<String>,
    /// Family name (empty clears it).
    pub last_name: Option<String>,
    /// Display name (passed to ScaiKey).
    pub display_name: Option<String>,
    /// `active` re-enables a disabled user, `inactive` disables it.
    pub status: Option<UserStatus>,
}

/// Filters of [`ScaiDns::user_list`].
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// Tenant whose users to list; default the caller's.
    pub tenant_id: Option<TenantId>,
    /// Case-insensitive substring of the e-mail or a name.
    pub search: Option<String>,
    /// Only users in this status.
    pub status: Option<UserStatus>,
}

fn user_not_found() -> Error {
    Error::new(ErrorKind::NotFound, "user_not_found", "User not found")
}

fn not_configured(what: &str) -> Error {
    Error::conflict(
        "identity_provider_not_configured",
        format!("{what} needs ScaiKey; set {SCAIKEY_SETTINGS}"),
    )
}

fn checked_password(password: &str) -> Result<()> {
    if PASSWORD_LENGTH.contains(&password.chars().count()) {
        Ok(())
    } else {
        Err(Error::invalid(
            "password",
            format!(
                "password must be {} to {} characters",
                PASSWORD_LENGTH.start(),
                PASSWORD_LENGTH.end()
            ),
        ))
    }
}

/// Where a user's writes go: ScaiKey (with the user's tenant there) or the local cache.
enum Directory {
    ScaiKey(Arc<dyn IdentityUserAdmin>, String),
    Local,
}

/// Applies ScaiKey's answer to the cached row (e-mail, names, status, provider id).
fn mirror(row: &mut User, up: &UpstreamUser) {
    row.scaikey_user_id = Some(up.id.clone());
    if let Some(email) = &up.email {
        row.email.clone_from(email);
    }
    if up.first_name.is_some() {
        row.first_name.clone_from(&up.first_name);
    }
    if up.last_name.is_some() {
        row.last_name.clone_from(&up.last_name);
    }
    if let Some(status) = up.status.as_deref() {
        row.status = if is_active_status(Some(status)) {
            UserStatus::Active
        } else {
            UserStatus::Inactive
        };
    }
}

impl ScaiDns {
    /// Proxies user writes to ScaiKey's admin API from now on.
    pub fn with_user_admin(mut self, admin: Arc<dyn IdentityUserAdmin>) -> Self {
        self.user_admin = Some(admin);
        self
    }

    /// Where writes for users of `tenant` go: ScaiKey when it is configured and the tenant is
    /// mirrored from it (has a `scaikey_tenant_id`), else the cache.
    async fn user_directory(&self, tenant: TenantId) -> Result<Directory> {
        let Some(admin) = &self.user_admin else {
            return Ok(Directory::Local);
        };
        let tenant = self
            .store
            .get_tenant(tenant)
            .await?
            .ok_or_else(|| Error::invalid("tenant_id", "no such tenant"))?;
        Ok(match tenant.scaikey_tenant_id {
            Some(id) => Directory::ScaiKey(Arc::clone(admin), id),
            None => Directory::Local,
        })
    }

    /// ScaiKey and the user's id there, for the operations only ScaiKey can do; 409 when there
    /// is no ScaiKey or the user is not one of its users.
    async fn upstream_user(&self, user: &User, what: &str) -> Result<(Directory, String)> {
        if self.user_admin.is_none() {
            return Err(not_configured(what));
        }
        match (
            self.user_directory(user.tenant_id).await?,
            &user.scaikey_user_id,
        ) {
            (dir @ Directory::ScaiKey(..), Some(id)) => Ok((dir, id.clone())),
            _ => Err(Error::conflict(
                "user_not_in_identity_provider",
                format!("{what} needs a ScaiKey user; this user exists only in ScaiDNS"),
            )),
        }
    }

    /// A user the caller may act on with `permission`, by internal or ScaiKey id; 404 for
    /// unknown ids and users of other tenants.
    async fn authorized_user(
        &self,
        ctx: &OpContext,
        permission: Permission,
        id: &str,
    ) -> Result<User> {
        let id = id.trim();
        let found = match id.parse::<UserId>() {
            Ok(uuid) => self.store.get_user(uuid).await?,
            Err(_) => self.store.get_user_by_scaikey_id(id).await?,
        };
        let user = found
            .filter(|u| ctx.can_access_tenant(u.tenant_id))
            .ok_or_else(user_not_found)?;
        self.authorize(ctx, permission, Target::Tenant(user.tenant_id))
            .await?;
        Ok(user)
    }

    /// [`Self::authorized_user`] for a change: a platform admin's account is changed by
    /// platform admins only.
    async fn changeable_user(
        &self,
        ctx: &OpContext,
        permission: Permission,
        id: &str,
    ) -> Result<User> {
        let user = self.authorized_user(ctx, permission, id).await?;
        if user.is_platform_admin && !ctx.is_platform_admin() {
            return Err(Error::forbidden(
                "platform_admin_protected",
                "only platform admins may change a platform admin's account",
            ));
        }
        Ok(user)
    }

    /// Writes `row` (changed from `before`) with one audit entry and answers it with its role
    /// flags.
    async fn save_user(
        &self,
        ctx: &OpContext,
        row: User,
        before: &User,
        action: &str,
    ) -> Result<User> {
        let mut row = row;
        row.updated_at = ctx.now;
        let audit = ctx.audit(
            row.tenant_id,
            action,
            "user",
            row.id,
            Some(row.email.clone()),
            Some(user_json(before)),
            Some(user_json(&row)),
        );
        self.store.update_user(&row, &[audit]).await?;
        if row.status != before.status {
            self.auth_changed();
        }
        let mut rows = [row];
        self.derive_role_flags(&mut rows).await?;
        let [row] = rows;
        Ok(row)
    }

    /// Users of one tenant (default: the caller's), filtered; needs `users:read` there.
    pub async fn user_list(
        &self,
        ctx: &OpContext,
        query: UserQuery,
        page: super::queries::PageQuery,
    ) -> Result<Page<User>> {
        let page = PageRequest::from(page);
        let tenant_id = query.tenant_id.unwrap_or(ctx.tenant_id);
        self.authorize(ctx, Permission::USERS_READ, Target::Tenant(tenant_id))
            .await?;
        let filter = UserFilter {
            tenant_id: Some(tenant_id),
            search: query
                .search
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            status: query.status,
        };
        let mut users = self.store.search_users(&filter, page).await?;
        self.derive_role_flags(&mut users.items).await?;
        Ok(users)
    }

    /// One user by internal id or ScaiKey id (`usr_…`); `users:read` in its tenant.
    pub async fn user_get(&self, ctx: &OpContext, id: &str) -> Result<User> {
        let user = self
            .authorized_user(ctx, Permission::USERS_READ, id)
            .await?;
        let mut rows = [user];
        self.derive_role_flags(&mut rows).await?;
        let [user] = rows;
        Ok(user)
    }

    /// Creates a user (`users:create` in its tenant). In ScaiKey when configured (without a
    /// password ScaiKey invites the user), else locally (a password is then 409). 422 for an
    /// unknown `tenant_id`; 409 `user_exists` when the e-mail is taken.
    pub async fn user_create(&self, ctx: &OpContext, input: UserCreate) -> Result<User> {
        self.create_user(ctx, input, "user.create").await
    }

    /// Invites a user: created in ScaiKey without a password, which e-mails an invitation.
    /// 409 `identity_provider_not_configured` without ScaiKey.
    pub async fn user_invite(&self, ctx: &OpContext, mut input: UserCreate) -> Result<User> {
        if self.user_admin.is_none() {
            return Err(not_configured("inviting a user"));
        }
        input.password = None;
        self.create_user(ctx, input, "user.invite").await
    }

    async fn create_user(&self, ctx: &OpContext, input: UserCreate, action: &str) -> Result<User> {
        let tenant_id = input.tenant_id.unwrap_or(ctx.tenant_id);
        self.authorize(ctx, Permission::USERS_CREATE, Target::Tenant(tenant_id))
            .await?;
        let email = normalize_email(&input.email)?;
        let first_name = optional_text("first_name", input.first_name.as_deref(), 100)?;
        let last_name = optional_text("last_name", input.last_name.as_deref(), 100)?;
        let display_name = optional_text("display_name", input.display_name.as_deref(), 200)?;
        if let Some(password) = &input.password {
            checked_password(password)?;
        }
        let directory = self.user_directory(tenant_id).await?;
        if let Some(other) = self.store.get_user_by_email(&email).await? {
            return Err(
                Error::conflict("user_exists", "a user with this e-mail exists")
                    .with_field("email")
                    .with_conflicts(ctx.visible_conflicts(other.tenant_id, other.id)),
            );
        }
        let mut user =
            super::tenants::new_user(tenant_id, email, first_name, last_name, false, ctx.now);
        match directory {
            Directory::ScaiKey(admin, tenant) => {
                let new = NewUpstreamUser {
                    email: user.email.clone(),
                    first_name: user.first_name.clone(),
                    last_name: user.last_name.clone(),
                    display_name,
                    password: input.password,
                };
                let up = admin.create_user(&tenant, &new).await?;
                if let Some(other) = self.store.get_user_by_scaikey_id(&up.id).await? {
                    // ScaiKey answered a user the cache has already (a webhook won the race).
                    return Err(Error::conflict("user_exists", "this user exists")
                        .with_conflicts(ctx.visible_conflicts(other.tenant_id, other.id)));
                }
                mirror(&mut user, &up);
            }
            Directory::Local if input.password.is_some() => {
                return Err(not_configured("setting a password"));
            }
            Directory::Local => {}
        }
        let audit = ctx.audit(
            tenant_id,
            action,
            "user",
            user.id,
            Some(user.email.clone()),
            None,
            Some(user_json(&user)),
        );
        self.store.insert_user(&user, &[audit]).await?;
        Ok(user)
    }

    /// Changes a user's names or status (`users:update` in its tenant).
    pub async fn user_update(&self, ctx: &OpContext, id: &str, input: UserUpdate) -> Result<User> {
        let user = self
            .changeable_user(ctx, Permission::USERS_UPDATE, id)
            .await?;
        let first_name = input
            .first_name
            .as_deref()
            .map(|v| optional_text("first_name", Some(v), 100))
            .transpose()?;
        let last_name = input
            .last_name
            .as_deref()
            .map(|v| optional_text("last_name", Some(v), 100))
            .transpose()?;
        let display_name = optional_text("display_name", input.display_name.as_deref(), 200)?;
        if input.status == Some(UserStatus::Inactive) && ctx.actor_user() == Some(user.id) {
            return Err(self_disable());
        }
        let mut row = user.clone();
        match self.user_directory(user.tenant_id).await? {
            Directory::ScaiKey(admin, tenant) if user.scaikey_user_id.is_some() => {
                let upstream_id = user.scaikey_user_id.clone().unwrap_or_default();
                let patch = UpstreamUserPatch {
                    first_name: first_name.clone().map(Option::unwrap_or_default),
                    last_name: last_name.clone().map(Option::unwrap_or_default),
                    display_name,
                };
                if patch != UpstreamUserPatch::default() {
                    let up = admin.update_user(&tenant, &upstream_id, &patch).await?;
                    mirror(&mut row, &up);
                }
                if let Some(status) = input.status
                    && status != row.status
                {
                    let up = admin
                        .set_user_active(&tenant, &upstream_id, status == UserStatus::Active)
                        .await?;
                    mirror(&mut row, &up);
                    row.status = status;
                }
            }
            _ => {}
        }
        // Local users, and what ScaiKey's answer left out.
        if let Some(v) = first_name {
            row.first_name = v;
        }
        if let Some(v) = last_name {
            row.last_name = v;
        }
        if let Some(status) = input.status {
            row.status = status;
        }
        if row == user {
            let mut rows = [row];
            self.derive_role_flags(&mut rows).await?;
            let [row] = rows;
            return Ok(row);
        }
        self.save_user(ctx, row, &user, "user.update").await
    }

    /// Disables a user (`users:delete` in its tenant): in ScaiKey (reversible there) and in
    /// the cache, so its tokens and API keys stop working. Disabling a disabled user changes
    /// nothing.
    pub async fn user_disable(&self, ctx: &OpContext, id: &str) -> Result<User> {
        let user = self
            .changeable_user(ctx, Permission::USERS_DELETE, id)
            .await?;
        if ctx.actor_user() == Some(user.id) {
            return Err(self_disable());
        }
        let mut row = user.clone();
        if let (Directory::ScaiKey(admin, tenant), Some(upstream_id)) = (
            self.user_directory(user.tenant_id).await?,
            &user.scaikey_user_id,
        ) {
            let up = admin.set_user_active(&tenant, upstream_id, false).await?;
            mirror(&mut row, &up);
        }
        row.status = UserStatus::Inactive;
        if row == user {
            return Ok(row);
        }
        self.save_user(ctx, row, &user, "user.deactivate").await
    }

    /// Sets a new password in ScaiKey (`users:update`). The password is neither stored nor
    /// audited; the audit entry says only that it was reset.
    pub async fn user_password_reset(
        &self,
        ctx: &OpContext,
        id: &str,
        password: &str,
    ) -> Result<User> {
        let user = self
            .changeable_user(ctx, Permission::USERS_UPDATE, id)
            .await?;
        checked_password(password)?;
        let (Directory::ScaiKey(admin, tenant), upstream_id) =
            self.upstream_user(&user, "resetting a password").await?
        else {
            return Err(not_configured("resetting a password"));
        };
        let up = admin.set_password(&tenant, &upstream_id, password).await?;
        let mut row = user.clone();
        mirror(&mut row, &up);
        self.save_user(ctx, row, &user, "user.password_reset").await
    }

    /// Sends a user's invitation again (`users:update`).
    pub async fn user_resend_invite(&self, ctx: &OpContext, id: &str) -> Result<User> {
        let user = self
            .changeable_user(ctx, Permission::USERS_UPDATE, id)
            .await?;
        let (Directory::ScaiKey(admin, tenant), upstream_id) =
            self.upstream_user(&user, "resending an invitation").await?
        else {
            return Err(not_configured("resending an invitation"));
        };
        let up = admin.resend_invite(&tenant, &upstream_id).await?;
        let mut row = user.clone();
        mirror(&mut row, &up);
        self.save_user(ctx, row, &user, "user.invite_resend").await
    }
}

fn self_disable() -> Error {
    Error::conflict("cannot_disable_self", "you cannot disable your own account")
}
