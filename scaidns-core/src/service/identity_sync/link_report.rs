//! Reporting a provider account that was not bound to a local user (see
//! [`crate::identity::linking`]): an audit entry in the local user's tenant, so its admins see
//! who tried to take the row over, and a warning in the log.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::audit::{ActorType, AuditEvent};
use crate::identity::linking::LinkRefusal;
use crate::ids::AuditEventId;
use crate::ports::identity_store::IdentityBatch;
use crate::service::ScaiDns;
use crate::tenant::User;

/// Who met the provider account: the token path, a webhook, the sync.
#[derive(Debug, Clone)]
pub(crate) struct Reporter {
    pub actor_type: ActorType,
    pub actor_id: Option<String>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub now: DateTime<Utc>,
}

impl ScaiDns {
    /// Records that provider account `subject` was not bound to `local`. The entry is written
    /// on its own, whatever becomes of the request or event that met the account; a failure
    /// to write it is logged and does not change the refusal.
    pub(crate) async fn report_link_refusal(
        &self,
        local: &User,
        subject: &str,
        refusal: LinkRefusal,
        by: &Reporter,
    ) {
        tracing::warn!(
            user_id = %local.id,
            tenant_id = %local.tenant_id,
            provider_user = subject,
            reason = refusal.reason(),
            "identity provider account not bound to the local user with its e-mail"
        );
        let entry = AuditEvent {
            id: AuditEventId::new(),
            tenant_id: Some(local.tenant_id),
            actor_type: by.actor_type,
            actor_id: by.actor_id.clone(),
            actor_email: None,
            action: if refusal == LinkRefusal::TenantChanged {
                "user.tenant_change_refused"
            } else {
                "user.link_refused"
            }
            .to_owned(),
            resource_type: "user".to_owned(),
            resource_id: Some(local.id.to_string()),
            resource_name: Some(local.email.clone()),
            before: None,
            after: Some(json!({"scaikey_user_id": subject, "reason": refusal.reason()})),
            ip_address: by.ip.clone(),
            user_agent: by.user_agent.clone(),
            request_id: by.request_id.clone(),
            created_at: by.now,
        };
        let batch = IdentityBatch {
            event: None,
            changes: Vec::new(),
            audit: vec![entry],
        };
        if let Err(e) = self.store.apply_identity_batch(&batch).await {
            tracing::warn!(user_id = %local.id, error = %e, "could not record the refused link");
        }
    }
}
