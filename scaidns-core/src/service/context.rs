//! Who is asking, for which tenant, in which request.

use chrono::{DateTime, Utc};

use crate::audit::ActorType;
use crate::ids::{ApiKeyId, TenantId, UserId};
use crate::rbac::Permission;

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A user (JWT, or the owner behind an API key).
    User {
        /// Id.
        id: UserId,
        /// E-mail.
        email: String,
        /// Holds `platform_admin`.
        is_platform_admin: bool,
    },
    /// An API key acting for its permission source.
    ApiKey {
        /// Key id.
        id: ApiKeyId,
        /// The user whose permissions it carries, if a user key.
        owner: Option<UserId>,
        /// E-mail of that user.
        owner_email: Option<String>,
        /// Whether the source holds `platform_admin`.
        is_platform_admin: bool,
        /// Optional narrowing of the source's permissions.
        scopes: Vec<String>,
        /// The key's own requests-per-minute limit.
        rate_limit: Option<u32>,
        /// The user who created the key, when that is not the key's own user (every group
        /// key): the key may never do more than that user may do now.
        creator: Option<UserId>,
    },
    /// ScaiDNS itself (worker, operator CLI).
    System,
}

/// The context every service operation takes.
#[derive(Debug, Clone)]
pub struct OpContext {
    /// Caller.
    pub actor: Actor,
    /// Tenant the request acts in.
    pub tenant_id: TenantId,
    /// Request id, for logs and audit.
    pub request_id: Option<String>,
    /// Client IP.
    pub ip: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// When the request started (from the service clock).
    pub now: DateTime<Utc>,
    /// The caller's resolved permissions, filled by the first authorization of the request
    /// (`Default::default()` when building a context).
    pub authz: super::authz::AuthzCache,
    /// Set when the request only plans the operation (a dry run, `service::plans`): its write
    /// paths stop before they commit and leave the write here. `None` when building a context.
    pub plan: Option<super::plans::PlanRecorder>,
}

impl OpContext {
    /// Whether the caller is a platform admin (sees and may do everything): a key only when its
    /// scopes keep `platform:admin` (by the one scope rule, [`crate::rbac::scopes`]) and its
    /// creator is one too (the flag authentication sets).
    pub fn is_platform_admin(&self) -> bool {
        match &self.actor {
            Actor::User {
                is_platform_admin, ..
            } => *is_platform_admin,
            Actor::ApiKey {
                is_platform_admin,
                scopes,
                ..
            } => {
                *is_platform_admin
                    && crate::rbac::scopes::scopes_permit(
                        scopes,
                        crate::rbac::Permission::PLATFORM_ADMIN,
                    )
            }
            Actor::System => true,
        }
    }

    /// Actor class for audit entries.
    pub fn actor_type(&self) -> ActorType {
        match self.actor {
            Actor::User { .. } => ActorType::User,
            Actor::ApiKey { .. } => ActorType::ApiKey,
            Actor::System => ActorType::System,
        }
    }

    /// Actor id for audit entries.
    pub fn actor_id(&self) -> Option<String> {
        match &self.actor {
            Actor::User { id, .. } => Some(id.to_string()),
            Actor::ApiKey { id, .. } => Some(id.to_string()),
            Actor::System => None,
        }
    }

    /// The user acting: a JWT's user or a user key's owner.
    pub fn actor_user(&self) -> Option<UserId> {
        match &self.actor {
            Actor::User { id, .. } => Some(*id),
            Actor::ApiKey { owner, .. } => *owner,
            Actor::System => None,
        }
    }

    /// The user who created the calling API key, when that is not the key's own user (every
    /// group key).
    pub fn key_creator(&self) -> Option<UserId> {
        match &self.actor {
            Actor::ApiKey { creator, .. } => *creator,
            _ => None,
        }
    }

    /// Actor e-mail for audit entries.
    pub fn actor_email(&self) -> Option<String> {
        match &self.actor {
            Actor::User { email, .. } => Some(email.clone()),
            Actor::ApiKey { owner_email, .. } => owner_email.clone(),
            Actor::System => None,
        }
    }
}

impl OpContext {
    /// Refuses the operation when an API key's scopes do not include `permission`: a cheap
    /// first check before any lookup, by the same rule ([`crate::rbac::scopes`]) that
    /// `authorize` (service::authz) applies again on the resolved permissions.
    pub fn require(&self, permission: Permission) -> crate::Result<()> {
        if let Actor::ApiKey { scopes, .. } = &self.actor
            && !crate::rbac::scopes::scopes_permit(scopes, permission)
        {
            return Err(crate::Error::forbidden(
                "permission_denied",
                format!("this API key is not allowed to use {permission}"),
            ));
        }
        Ok(())
    }

    /// Whether the caller may see and change resources of `tenant`.
    pub fn can_access_tenant(&self, tenant: TenantId) -> bool {
        self.is_platform_admin() || self.tenant_id == tenant
    }

    /// The ids a conflict may name: `id` when the caller can see `owner`'s resources, else none.
    /// A 409 must not hand one tenant the ids of another's users, keys or zones.
    pub fn visible_conflicts(&self, owner: TenantId, id: impl ToString) -> Vec<String> {
        if self.can_access_tenant(owner) {
            vec![id.to_string()]
        } else {
            Vec::new()
        }
    }

    /// An audit entry for this request, filed under `owner`: the tenant that owns the resource
    /// (`None` for platform-wide ones such as system roles and platform settings). The owner is
    /// not the caller's tenant: a platform admin changing tenant B's zone is B's history, so B's
    /// admins see it; the actor fields still name the platform admin.
    #[allow(clippy::too_many_arguments)]
    pub fn audit(
        &self,
        owner: impl Into<Option<TenantId>>,
        action: &str,
        resource_type: &str,
        resource_id: impl ToString,
        resource_name: Option<String>,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> crate::audit::AuditEvent {
        crate::audit::AuditEvent {
            id: crate::ids::AuditEventId::new(),
            tenant_id: owner.into(),
            actor_type: self.actor_type(),
            actor_id: self.actor_id(),
            actor_email: self.actor_email(),
            action: action.to_owned(),
            resource_type: resource_type.to_owned(),
            resource_id: Some(resource_id.to_string()),
            resource_name,
            before,
            after,
            ip_address: self.ip.clone(),
            user_agent: self.user_agent.clone(),
            request_id: self.request_id.clone(),
            created_at: self.now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(scopes: &[&str]) -> OpContext {
        OpContext {
            actor: Actor::ApiKey {
                id: ApiKeyId::new(),
                owner: Some(UserId::new()),
                owner_email: None,
                is_platform_admin: true,
                scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
                rate_limit: None,
                creator: None,
            },
            tenant_id: TenantId::new(),
            request_id: None,
            ip: None,
            user_agent: None,
            now: chrono::Utc::now(),
            authz: Default::default(),
            plan: None,
        }
    }

    #[test]
    fn a_platform_admins_key_is_one_only_when_its_scopes_keep_platform_admin() {
        assert!(key(&[]).is_platform_admin());
        assert!(key(&["*"]).is_platform_admin());
        assert!(key(&["platform:*", "domains:read"]).is_platform_admin());
        let scoped = key(&["domains:update"]);
        assert!(!scoped.is_platform_admin());
        assert!(!scoped.can_access_tenant(TenantId::new()));
        assert!(scoped.visible_conflicts(TenantId::new(), "id").is_empty());
    }
}
