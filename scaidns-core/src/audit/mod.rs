//! Audit-log entries. Every state change writes its entries in the same store transaction as
//! the change (interface decision 21).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{AuditEventId, TenantId};
use crate::string_enum::string_enum;

string_enum!(
    /// Who acted.
    ActorType {
        /// A human through a JWT, or a local user.
        User => "user",
        /// An API key.
        ApiKey => "api_key",
        /// ScaiDNS itself (worker, CLI operator commands).
        System => "system",
        /// The identity provider through a webhook.
        Webhook => "webhook",
    }
);

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Id.
    pub id: AuditEventId,
    /// Tenant the change belongs to (none for platform-wide changes).
    pub tenant_id: Option<TenantId>,
    /// Actor class.
    pub actor_type: ActorType,
    /// Actor id (user id, key id), if any.
    pub actor_id: Option<String>,
    /// Actor e-mail, kept so the log survives the user's removal.
    pub actor_email: Option<String>,
    /// Dotted action, e.g. `domain.create`, `record.update`.
    pub action: String,
    /// Resource class, e.g. `domain`, `record`.
    pub resource_type: String,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Human name of the resource (zone name, record name).
    pub resource_name: Option<String>,
    /// State before the change.
    pub before: Option<serde_json::Value>,
    /// State after the change.
    pub after: Option<serde_json::Value>,
    /// Client IP.
    pub ip_address: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}
