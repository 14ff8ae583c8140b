//! The identity provider's directory, as `scaidns sync` reads it: partners, tenants, the users
//! assigned to the ScaiDNS application (directly or through groups), groups and their members.
//! The ScaiKey adapter lives in `adapters::oidc::directory`; the sync logic only sees these
//! calls, so tests drive it with an in-memory directory.

use async_trait::async_trait;

use crate::error::Result;
use crate::identity::upstream::{UpstreamGroup, UpstreamPartner, UpstreamTenant, UpstreamUser};

/// Read access to the provider's directory. Every call returns the complete list (the adapter
/// follows the pages).
#[async_trait]
pub trait IdentityDirectory: Send + Sync + std::fmt::Debug {
    /// Every partner.
    async fn partners(&self) -> Result<Vec<UpstreamPartner>>;
    /// Every tenant.
    async fn tenants(&self) -> Result<Vec<UpstreamTenant>>;
    /// Users of `tenant` (provider id) assigned to the ScaiDNS application.
    async fn effective_users(&self, tenant: &str) -> Result<Vec<UpstreamUser>>;
    /// Groups of `tenant`.
    async fn groups(&self, tenant: &str) -> Result<Vec<UpstreamGroup>>;
    /// Provider user ids of the members of `group` in `tenant`.
    async fn group_members(&self, tenant: &str, group: &str) -> Result<Vec<String>>;
}
