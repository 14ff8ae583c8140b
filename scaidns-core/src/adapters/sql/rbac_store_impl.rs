//! [`crate::ports::rbac::RbacStore`] for [`SqlStore`].

use async_trait::async_trait;

use super::{Pools, SqlStore, mysql, sqlite};
use crate::audit::AuditEvent;
use crate::error::Result;
use crate::ids::{GrantId, RoleAssignmentId, RoleId, TenantId, ZoneId};
use crate::ports::rbac::{RbacStore, SubjectGrants};
use crate::rbac::{AccessGrant, Role, RoleAssignment, Subject};

/// Calls `rbac::function(pool, args…)` on the engine's copy of the query code.
macro_rules! dispatch {
    ($store:expr, $function:ident ( $($arg:expr),* $(,)? )) => {
        match &$store.pool {
            Pools::MySql(pool) => mysql::rbac::$function(pool, $($arg),*).await,
            Pools::Sqlite(pool) => sqlite::rbac::$function(pool, $($arg),*).await,
        }
    };
}

#[async_trait]
impl RbacStore for SqlStore {
    async fn insert_role(&self, role: &Role, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, insert_role(role, audit))
    }

    async fn update_role(&self, role: &Role, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, update_role(role, audit))
    }

    async fn delete_role(&self, id: RoleId, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, delete_role(id, audit))
    }

    async fn get_role(&self, id: RoleId) -> Result<Option<Role>> {
        dispatch!(self, get_role(id))
    }

    async fn find_role(&self, tenant: TenantId, name: &str) -> Result<Option<Role>> {
        dispatch!(self, find_role(tenant, name))
    }

    async fn list_roles(&self, tenant: Option<TenantId>) -> Result<Vec<Role>> {
        dispatch!(self, list_roles(tenant))
    }

    async fn insert_role_assignment(&self, a: &RoleAssignment, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, insert_assignment(a, audit))
    }

    async fn delete_role_assignment(
        &self,
        id: RoleAssignmentId,
        audit: &[AuditEvent],
    ) -> Result<()> {
        dispatch!(self, delete_assignment(id, audit))
    }

    async fn get_role_assignment(&self, id: RoleAssignmentId) -> Result<Option<RoleAssignment>> {
        dispatch!(self, get_assignment(id))
    }

    async fn list_role_assignments(&self, subject: Subject) -> Result<Vec<RoleAssignment>> {
        dispatch!(self, list_assignments(subject))
    }

    async fn role_holders(&self, role: RoleId) -> Result<Vec<RoleAssignment>> {
        dispatch!(self, assignments_of_role(role))
    }

    async fn insert_access_grant(&self, grant: &AccessGrant, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, insert_grant(grant, audit))
    }

    async fn update_access_grant(&self, grant: &AccessGrant, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, update_grant(grant, audit))
    }

    async fn delete_access_grant(&self, id: GrantId, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, delete_grant(id, audit))
    }

    async fn get_access_grant(&self, id: GrantId) -> Result<Option<AccessGrant>> {
        dispatch!(self, get_grant(id))
    }

    async fn list_access_grants(&self, zone: ZoneId) -> Result<Vec<AccessGrant>> {
        dispatch!(self, list_grants(zone))
    }

    async fn subject_grants(&self, subjects: &[Subject]) -> Result<SubjectGrants> {
        dispatch!(self, subject_grants(subjects))
    }
}
