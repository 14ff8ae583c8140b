//! `scaidns assign-admin` (spec api-identity §5.5, §13): the only way to make the first
//! platform admin, since granting it through the API needs one already. Sets or clears the
//! user's `is_platform_admin` flag, audited as `system`.

use crate::audit::{ActorType, AuditEvent};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::AuditEventId;
use crate::service::ScaiDns;
use crate::service::tenants::user_json;
use crate::service::text_input::normalize_email;
use crate::tenant::User;

impl ScaiDns {
    /// Makes the user with `email` a platform admin (`grant`) or takes it back. Returns the
    /// user and whether anything changed. 404 `user_not_found` for an unknown e-mail.
    pub async fn assign_platform_admin(&self, email: &str, grant: bool) -> Result<(User, bool)> {
        let email = normalize_email(email)?;
        let mut user = self
            .store
            .get_user_by_email(&email)
            .await?
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    "user_not_found",
                    format!("no user has the e-mail {email}; run `scaidns sync` or let the user log in first"),
                )
            })?;
        if user.is_platform_admin == grant {
            return Ok((user, false));
        }
        let before = user_json(&user);
        let now = self.clock.now();
        user.is_platform_admin = grant;
        user.updated_at = now;
        let audit = AuditEvent {
            id: AuditEventId::new(),
            tenant_id: Some(user.tenant_id),
            actor_type: ActorType::System,
            actor_id: Some("scaidns-assign-admin".to_owned()),
            actor_email: None,
            action: if grant { "role.assign" } else { "role.revoke" }.to_owned(),
            resource_type: "user".to_owned(),
            resource_id: Some(user.id.to_string()),
            resource_name: Some(user.email.clone()),
            before: Some(before),
            after: Some(serde_json::json!({
                "user": user_json(&user), "role": "platform_admin", "scope": "platform",
            })),
            ip_address: None,
            user_agent: None,
            request_id: None,
            created_at: now,
        };
        self.store.update_user(&user, &[audit]).await?;
        self.auth_changed();
        Ok((user, true))
    }
}
