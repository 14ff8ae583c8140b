//! Storage of roles, role assignments and access grants. Every change carries its audit
//! entries, written in the same transaction (interface decision 21).

use async_trait::async_trait;

use crate::audit::AuditEvent;
use crate::error::Result;
use crate::ids::{GrantId, RoleAssignmentId, RoleId, TenantId, ZoneId};
use crate::rbac::{AccessGrant, Role, RoleAssignment, Subject};

/// What one caller holds: its (and its groups') assignments and grants, with every role they
/// name, read in one call per request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubjectGrants {
    /// Role assignments.
    pub assignments: Vec<RoleAssignment>,
    /// Access grants, expired ones included.
    pub grants: Vec<AccessGrant>,
    /// The roles named by either.
    pub roles: Vec<Role>,
}

/// Roles, assignments and grants.
#[async_trait]
pub trait RbacStore: Send + Sync {
    /// Inserts a custom role. 409 `role_exists` when the name is taken among the system roles
    /// and the tenant's roles.
    async fn insert_role(&self, role: &Role, audit: &[AuditEvent]) -> Result<()>;
    /// Replaces a custom role's row. 409 `role_exists` on a name clash; 404 when missing.
    async fn update_role(&self, role: &Role, audit: &[AuditEvent]) -> Result<()>;
    /// Deletes a role. 409 `role_in_use` while assignments or grants name it; 404 when missing.
    async fn delete_role(&self, id: RoleId, audit: &[AuditEvent]) -> Result<()>;
    /// One role.
    async fn get_role(&self, id: RoleId) -> Result<Option<Role>>;
    /// The system role named `name`, else `tenant`'s custom role of that name.
    async fn find_role(&self, tenant: TenantId, name: &str) -> Result<Option<Role>>;
    /// System roles and, per `tenant`, one tenant's custom roles (`None`: every tenant's),
    /// system roles first, then by name.
    async fn list_roles(&self, tenant: Option<TenantId>) -> Result<Vec<Role>>;

    /// Inserts an assignment. 409 `role_already_assigned` for the same role, holder and scope.
    async fn insert_role_assignment(&self, a: &RoleAssignment, audit: &[AuditEvent]) -> Result<()>;
    /// Deletes an assignment (404 when missing).
    async fn delete_role_assignment(
        &self,
        id: RoleAssignmentId,
        audit: &[AuditEvent],
    ) -> Result<()>;
    /// One assignment.
    async fn get_role_assignment(&self, id: RoleAssignmentId) -> Result<Option<RoleAssignment>>;
    /// A holder's assignments, oldest first.
    async fn list_role_assignments(&self, subject: Subject) -> Result<Vec<RoleAssignment>>;
    /// Every assignment of one role, whoever holds it, oldest first.
    async fn role_holders(&self, role: RoleId) -> Result<Vec<RoleAssignment>>;

    /// Inserts a grant.
    async fn insert_access_grant(&self, grant: &AccessGrant, audit: &[AuditEvent]) -> Result<()>;
    /// Replaces a grant's row (404 when missing).
    async fn update_access_grant(&self, grant: &AccessGrant, audit: &[AuditEvent]) -> Result<()>;
    /// Deletes a grant (404 when missing).
    async fn delete_access_grant(&self, id: GrantId, audit: &[AuditEvent]) -> Result<()>;
    /// One grant.
    async fn get_access_grant(&self, id: GrantId) -> Result<Option<AccessGrant>>;
    /// A zone's grants, expired ones included, oldest first.
    async fn list_access_grants(&self, zone: ZoneId) -> Result<Vec<AccessGrant>>;

    /// Everything `subjects` hold, for the authorization of one request.
    async fn subject_grants(&self, subjects: &[Subject]) -> Result<SubjectGrants>;
}
