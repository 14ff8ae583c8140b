//! The caller's own identity (`/auth/me`, `/me`, spec api-identity §3.4): the cached user, its
//! tenant and groups, as the request authenticated them.

use crate::error::{Error, Result};
use crate::ids::GroupId;
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

impl ScaiDns {
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
