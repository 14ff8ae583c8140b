//! The caller's own identity (`/auth/me`, `/me`, spec api-identity §3.4): the cached user, its
//! tenant and groups, as the request authenticated them.

use crate::error::{Error, Result};
use crate::ids::GroupId;
use crate::rbac::Target;
use crate::tenant::{Tenant, User};

use super::{Actor, OpContext, ScaiDns};

/// What [`ScaiDns::auth_me`] returns.
#[derive(Debug, Clone)]
pub struct Me {
    /// The user (none for a group's API key).
    pub user: Option<User>,
    /// The tenant the request acts in.
    pub tenant: Tenant,
    /// The user's groups.
    pub groups: Vec<GroupId>,
}

/// What [`ScaiDns::me_context`] returns: the caller and what it may do where.
#[derive(Debug, Clone)]
pub struct MeContext {
    /// User, tenant and groups.
    pub me: Me,
    /// Permissions held everywhere (all of them for a platform admin).
    pub platform_permissions: Vec<String>,
    /// Permissions held in the request's tenant (the platform ones included), after an API
    /// key's scopes narrowed them.
    pub tenant_permissions: Vec<String>,
}

impl ScaiDns {
    /// The caller with its tenant context (`GET /me/context`): `me` plus the
    /// permissions this request holds, as the authorization checks will see them.
    pub async fn me_context(&self, ctx: &OpContext) -> Result<MeContext> {
        let me = self.me(ctx).await?;
        let principal = self.principal(ctx).await?;
        Ok(MeContext {
            platform_permissions: principal.role_perms(&Target::Platform).names(),
            tenant_permissions: principal.role_perms(&Target::Tenant(ctx.tenant_id)).names(),
            me,
        })
    }

    /// The caller's user, tenant and groups.
    pub(crate) async fn me(&self, ctx: &OpContext) -> Result<Me> {
        let user_id = match &ctx.actor {
            Actor::User { id, .. } => Some(*id),
            Actor::ApiKey { owner, .. } => *owner,
            Actor::System => None,
        };
        let mut user = match user_id {
            Some(id) => match ctx.authz.user(id) {
                Some(user) => Some(user.clone()),
                None => self.store.get_user(id).await?,
            },
            None => None,
        };
        if let Some(user) = &mut user {
            self.derive_role_flags(std::slice::from_mut(user)).await?;
        }
        let groups = match &user {
            Some(u) => self.store.user_group_ids(u.id).await?,
            None => Vec::new(),
        };
        let tenant = self
            .store
            .get_tenant(ctx.tenant_id)
            .await?
            .ok_or_else(|| Error::not_found("Tenant not found"))?;
        Ok(Me {
            user,
            tenant,
            groups,
        })
    }
}
