//! [`crate::ports::rbac::RbacStore`] for [`SqlStore`].

use async_trait::async_trait;

use super::SqlStore;
use crate::audit::AuditEvent;
use crate::error::Result;
use crate::ids::{GrantId, RoleAssignmentId, RoleId, TenantId, ZoneId};
use crate::ports::rbac::{RbacStore, SubjectGrants};
use crate::rbac::{AccessGrant, Role, RoleAssignment, Subject};

#[async_trait]
impl RbacStore for SqlStore {
    async fn insert_role(&self, role: &Role, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, rbac::insert_role(role, audit))
    }

    async fn update_role(&self, role: &Role, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, rbac::update_role(role, audit))
    }

    async fn delete_role(&self, id: RoleId, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, rbac::delete_role(id, audit))
    }

    async fn get_role(&self, id: RoleId) -> Result<Option<Role>> {
        dispatch!(self, rbac::get_role(id))
    }

    async fn find_role(&self, tenant: TenantId, name: &str) -> Result<Option<Role>> {
        dispatch!(self, rbac::find_role(tenant, name))
    }

    async fn list_roles(&self, tenant: Option<TenantId>) -> Result<Vec<Role>> {
        dispatch!(self, rbac::list_roles(tenant))
    }

    async fn insert_role_assignment(&self, a: &RoleAssignment, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, rbac::insert_assignment(a, audit))
    }

    async fn delete_role_assignment(
        &self,
        id: RoleAssignmentId,
        audit: &[AuditEvent],
    ) -> Result<()> {
        dispatch!(self, rbac::delete_assignment(id, audit))
    }

    async fn get_role_assignment(&self, id: RoleAssignmentId) -> Result<Option<RoleAssignment>> {
        dispatch!(self, rbac::get_assignment(id))
    }

    async fn list_role_assignments(&self, subject: Subject) -> Result<Vec<RoleAssignment>> {
        dispatch!(self, rbac::list_assignments(subject))
    }

    async fn role_holders(&self, role: RoleId) -> Result<Vec<RoleAssignment>> {
        dispatch!(self, rbac::assignments_of_role(role))
    }

    async fn insert_access_grant(&self, grant: &AccessGrant, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, access_grants::insert_grant(grant, audit))
    }

    async fn update_access_grant(&self, grant: &AccessGrant, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, access_grants::update_grant(grant, audit))
    }

    async fn delete_access_grant(&self, id: GrantId, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, access_grants::delete_grant(id, audit))
    }

    async fn get_access_grant(&self, id: GrantId) -> Result<Option<AccessGrant>> {
        dispatch!(self, access_grants::get_grant(id))
    }

    async fn list_access_grants(&self, zone: ZoneId) -> Result<Vec<AccessGrant>> {
        dispatch!(self, access_grants::list_grants(zone))
    }

    async fn subject_grants(&self, subjects: &[Subject]) -> Result<SubjectGrants> {
        dispatch!(self, rbac::subject_grants(subjects))
    }
}
