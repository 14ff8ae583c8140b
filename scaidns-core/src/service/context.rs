//! Who is asking, for which tenant, in which request.

use chrono::{DateTime, Utc};

use crate::audit::ActorType;
use crate::ids::{ApiKeyId, TenantId, UserId};

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
}

impl OpContext {
    /// Whether the caller is a platform admin (sees and may do everything).
    pub fn is_platform_admin(&self) -> bool {
        match &self.actor {
            Actor::User { is_platform_admin, .. } | Actor::ApiKey { is_platform_admin, .. } => {
                *is_platform_admin
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

    /// Actor e-mail for audit entries.
    pub fn actor_email(&self) -> Option<String> {
        match &self.actor {
            Actor::User { email, .. } => Some(email.clone()),
            Actor::ApiKey { owner_email, .. } => owner_email.clone(),
            Actor::System => None,
        }
    }
}
