//! The identity provider's user administration (spec api-identity §5, §10.1): the writes that
//! `/api/v1/admin/users/` proxies to ScaiKey's admin API. The ScaiKey adapter lives in
//! `adapters::oidc::user_admin`; without one configured, users are local to ScaiDNS.
//!
//! Every call names the user's tenant by its provider id (`tnt_…`), so a call can never reach
//! a user of another tenant by a guessed user id. Passwords travel only in the request body and
//! are never part of an error message.

use async_trait::async_trait;

use crate::error::Result;
use crate::identity::upstream::UpstreamUser;

/// A user to create at the provider.
#[derive(Clone, Default)]
pub struct NewUpstreamUser {
    /// E-mail (lowercase).
    pub email: String,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Initial password; `None` makes the provider send an invitation instead.
    pub password: Option<String>,
}

impl std::fmt::Debug for NewUpstreamUser {
    // The password never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUpstreamUser")
            .field("email", &self.email)
            .field("first_name", &self.first_name)
            .field("last_name", &self.last_name)
            .field("display_name", &self.display_name)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Profile changes; `None` keeps a field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpstreamUserPatch {
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
}

/// Writes to the provider's users. Each answers the user as the provider now has it (the
/// caller mirrors it into the local cache); a provider that cannot be reached is
/// `identity_provider_unavailable` (502), a refusal by the provider a 4xx of its own.
#[async_trait]
pub trait IdentityUserAdmin: Send + Sync + std::fmt::Debug {
    /// Creates a user in `tenant` and assigns it to the ScaiDNS application; without a
    /// password the provider invites the user by e-mail.
    async fn create_user(&self, tenant: &str, user: &NewUpstreamUser) -> Result<UpstreamUser>;
    /// Changes a user's profile.
    async fn update_user(
        &self,
        tenant: &str,
        user: &str,
        patch: &UpstreamUserPatch,
    ) -> Result<UpstreamUser>;
    /// Disables (`active: false`, reversible) or re-enables a user.
    async fn set_user_active(&self, tenant: &str, user: &str, active: bool)
    -> Result<UpstreamUser>;
    /// Sets a new password.
    async fn set_password(&self, tenant: &str, user: &str, password: &str) -> Result<UpstreamUser>;
    /// Sends the invitation e-mail again.
    async fn resend_invite(&self, tenant: &str, user: &str) -> Result<UpstreamUser>;
}
